"""Challenges: the prize is escrowed on the ledger when posted, released on acceptance, returned when nobody wins;
the award checks its criteria."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.ledger import balance_from_legs, verify_balances
from techsme.core.models import LedgerAccount
from techsme.transfer import services
from techsme.transfer.models import ChallengeState, EntryState

pytestmark = pytest.mark.django_db


def _post(market, **changes):
    data = {"title": "低照度成像算法", "problem": "夜间图像噪声大", "milestones": "原型、验证、量产",
            "criteria": "识别率提升 15%", "industry_code": "C3962", "prize": "300000",
            "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(), **changes}
    enterprise = market["buyer"]
    return services.do_post_challenge(actor=market["buyer_admin"], poster=enterprise.organisation, data=data)


def test_posting_escrows_the_prize(market):
    with pytest.raises(InvalidInput) as caught:
        _post(market, prize="0", deadline=timezone.localdate().isoformat())
    assert {e.field for e in caught.value.errors} == {"prize", "deadline"}
    challenge = _post(market)
    escrow = LedgerAccount.objects.get(pk=challenge.escrow_id)
    assert escrow.balance == Decimal("300000.00") == balance_from_legs(escrow)
    assert verify_balances() == []


def test_award_releases_the_prize_after_acceptance_only(market, make_org, make_user):
    challenge = _post(market)
    entry = services.do_enter_challenge(actor=market["staff"], challenge_id=challenge.pk,
                                        solver=market["university"], proposal="多帧融合去噪")
    with pytest.raises(Conflict):
        services.do_enter_challenge(actor=market["staff"], challenge_id=challenge.pk, solver=market["university"],
                                    proposal="再来一次")
    with pytest.raises(Conflict):
        services.do_enter_challenge(actor=market["buyer_admin"], challenge_id=challenge.pk,
                                    solver=market["buyer"].organisation, proposal="自己揭自己的榜")
    with pytest.raises(services.Refused) as caught:
        services.do_award_challenge(actor=market["buyer_admin"], entry_id=entry.pk, acceptance="")
    problems = " ".join(caught.value.problems)
    assert "Close the challenge" in problems and "acceptance" in problems
    with pytest.raises(PermissionDenied):
        services.do_close_entries(actor=market["staff"], challenge_id=challenge.pk)
    services.do_close_entries(actor=market["buyer_admin"], challenge_id=challenge.pk)
    won = services.do_award_challenge(actor=market["buyer_admin"], entry_id=entry.pk, acceptance="三个里程碑已验收")
    assert won.state == EntryState.WON
    challenge.refresh_from_db()
    challenge.escrow.refresh_from_db()
    assert challenge.state == ChallengeState.AWARDED and challenge.escrow.balance == 0
    payee = LedgerAccount.objects.get(code=f"transfer:solver:{market['university'].pk}")
    assert payee.balance == Decimal("300000.00")
    with pytest.raises(services.Refused):
        services.do_award_challenge(actor=market["buyer_admin"], entry_id=entry.pk, acceptance="again")
    assert verify_balances() == []


def test_no_winner_returns_the_escrow_to_the_sponsor(market):
    challenge = _post(market)
    with pytest.raises(InvalidInput):
        services.do_close_without_winner(actor=market["buyer_admin"], challenge_id=challenge.pk, reason="")
    closed = services.do_close_without_winner(actor=market["buyer_admin"], challenge_id=challenge.pk,
                                              reason="无人揭榜")
    assert closed.state == ChallengeState.NO_WINNER
    sponsor = LedgerAccount.objects.get(code=f"world:transfer:sponsor:{market['buyer'].organisation_id}")
    assert sponsor.balance == 0 and LedgerAccount.objects.get(pk=challenge.escrow_id).balance == 0
    with pytest.raises(Conflict):
        services.do_close_without_winner(actor=market["buyer_admin"], challenge_id=challenge.pk, reason="again")


def test_an_agency_posts_and_decides_inside_its_region(market):
    data = {"title": "内涝预警", "problem": "p", "milestones": "m", "criteria": "c", "industry_code": "I6531",
            "prize": "1000000", "deadline": (timezone.localdate() + timedelta(days=10)).isoformat()}
    challenge = services.do_post_challenge(actor=market["sz_admin"], poster=market["sz_agency"], data=data)
    with pytest.raises(PermissionDenied):
        services.do_close_entries(actor=market["gz_admin"], challenge_id=challenge.pk)
    assert services.do_close_entries(actor=market["sz_manager"], challenge_id=challenge.pk).state == "judging"
