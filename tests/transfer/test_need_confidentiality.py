"""A need's confidential details reach only the enterprise, the agency of its region and the owners of outcomes the
enterprise has said it is interested in — on pages, in the API, in search and in the audit trail."""

import pytest

from techsme.core.models import AuditEvent
from techsme.transfer import selectors, services
from techsme.transfer.models import Match

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "热失控温度 180℃"


def test_details_stay_hidden_until_the_enterprise_opens_them(client, market, publish, post_need, make_enterprise,
                                                            make_user):
    outcome = publish()
    need = post_need()
    match = Match.objects.get(need=need, outcome=outcome)
    rival = make_enterprise(name="竞争对手科技有限公司", region_code="440305")
    rival_admin = make_user("enterprise_admin", rival.organisation)
    outsiders = [None, rival_admin, market["staff"], market["broker"], market["gz_reviewer"]]
    for user in outsiders:
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        page = client.get(f"/transfer/needs/{need.pk}/")
        assert page.status_code == 200 and SECRET not in page.content.decode(), user
        api = client.get(f"/api/v1/transfer/needs/{need.pk}")
        assert SECRET not in api.content.decode()
        assert SECRET not in client.get("/api/v1/transfer/needs/").content.decode()
    for user in (market["buyer_admin"], market["sz_reviewer"]):
        client.force_login(user)
        assert SECRET in client.get(f"/transfer/needs/{need.pk}/").content.decode()
    # the outcome's owner sees the details once the enterprise says it is interested — not before
    client.force_login(market["staff"])
    assert SECRET not in client.get(f"/transfer/matches/{match.pk}/").content.decode()
    services.do_express_interest(actor=market["staff"], match_id=match.pk)
    assert SECRET not in client.get(f"/transfer/matches/{match.pk}/").content.decode()
    services.do_express_interest(actor=market["buyer_admin"], match_id=match.pk)
    assert SECRET in client.get(f"/transfer/matches/{match.pk}/").content.decode()
    assert selectors.may_see_details(market["staff"], need)
    assert not selectors.may_see_details(rival_admin, need)


def test_details_are_not_searchable_nor_in_the_audit_trail(market, post_need):
    from techsme.core.search import search

    need = post_need()
    assert not search(selectors.public_needs(), "热失控温度").exists()
    assert search(selectors.public_needs(), "固态电解质").exists()
    for changes in AuditEvent.objects.filter(object_type="transfer.need").values_list("changes", flat=True):
        assert SECRET not in str(changes)
    assert need.details.startswith("保密")


def test_budget_stays_out_of_the_owners_view_of_the_reasons(client, market, publish, post_need):
    outcome = publish()
    need = post_need()
    match = Match.objects.get(need=need, outcome=outcome)
    client.force_login(market["staff"])
    body = client.get(f"/transfer/matches/{match.pk}/").content.decode()
    assert "1,500,000" not in body and "1500000" not in body
    data = client.get("/api/v1/transfer/matches/").json()
    assert data[0]["reasons"]["price"][0] is None
    client.force_login(market["buyer_admin"])
    assert "1,500,000" in client.get(f"/transfer/matches/{match.pk}/").content.decode()


def test_messages_only_between_the_two_interested_sides(market, publish, post_need):
    from django.core.exceptions import PermissionDenied

    from techsme.core.errors import Conflict

    outcome = publish()
    need = post_need()
    match = Match.objects.get(need=need, outcome=outcome)
    with pytest.raises(Conflict):
        services.do_send_message(actor=market["staff"], match_id=match.pk, body="你好")
    services.do_express_interest(actor=market["staff"], match_id=match.pk)
    with pytest.raises(Conflict):
        services.do_express_interest(actor=market["staff"], match_id=match.pk)
    services.do_express_interest(actor=market["buyer_admin"], match_id=match.pk)
    message = services.do_send_message(actor=market["buyer_admin"], match_id=match.pk, body="请介绍中试情况")
    assert message.sender_org == market["buyer"].organisation
    with pytest.raises(PermissionDenied):
        services.do_send_message(actor=market["gz_ent_admin"], match_id=match.pk, body="插话")
