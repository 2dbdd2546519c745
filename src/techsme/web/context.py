from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Roles of the signed-in user and the navigation entries they get."""
    from techsme.core.permissions import roles
    from techsme.web.navigation import navigation

    user = getattr(request, "user", None)
    if user is None:
        return {"user_roles": set(), "nav_items": []}
    return {"user_roles": roles(user) if user.is_authenticated else set(), "nav_items": navigation(request)}
