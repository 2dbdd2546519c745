from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Roles of the signed-in user and which navigation entries they get."""
    from techsme.core.permissions import can, roles

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "nav": {}}
    return {
        "user_roles": roles(user),
        "nav": {
            "agency": can(user, "registry.export") or user.is_superuser,
            "import": can(user, "registry.import"),
            "audit": can(user, "audit.view"),
        },
    }
