from django.http import HttpRequest
from ninja import Router, Schema

from techsme.core.permissions import agency_prefixes, roles

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    region_prefixes: list[str]


@router.get("/me", response=MeOut, summary="Who am I, with which roles and region scope")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(username=user.username, display_name=user.display_name, roles=sorted(roles(user)),
                 region_prefixes=agency_prefixes(user))
