from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    from techsme.core.permissions import roles

    user_roles = roles(request.user) if request.user.is_authenticated else set()
    return {"user_roles": user_roles}
