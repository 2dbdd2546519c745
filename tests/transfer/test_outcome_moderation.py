"""Outcomes: validated on save, published only by a moderator of the region after every criterion is checked."""

import pytest
from django.core.exceptions import PermissionDenied

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.models import AuditEvent
from techsme.transfer import services
from techsme.transfer.models import OutcomeState
from tests.transfer.conftest import OUTCOME, patent

pytestmark = pytest.mark.django_db


def _draft(market, **changes):
    data = {**OUTCOME, "patent_numbers": patent(), **changes}
    return services.do_save_outcome(actor=market["staff"], organisation=market["university"], data=data)


def test_draft_submit_approve_publishes_and_audits(market):
    outcome = _draft(market)
    assert outcome.state == OutcomeState.DRAFT and outcome.patent_numbers == [patent()]
    services.do_submit_outcome(actor=market["staff"], outcome_id=outcome.pk)
    published = services.do_approve_outcome(actor=market["sz_reviewer"], outcome_id=outcome.pk, note="ok")
    assert published.state == OutcomeState.PUBLISHED and published.published_at is not None
    verbs = list(AuditEvent.objects.filter(object_id=str(outcome.pk), object_type="transfer.outcome").order_by("pk")
                 .values_list("verb", flat=True))
    assert verbs == ["transfer.save_outcome", "transfer.submit_outcome", "transfer.approve_outcome"]


def test_bad_input_is_refused_field_by_field(market):
    body = "201910123456"
    with pytest.raises(InvalidInput) as caught:
        _draft(market, patent_numbers=f"ZL{body}.0" if body else "", trl=11, modes=["sell"], price_min="-5",
               industry_code="Z9999", belt_and_road=True, title_en="")
    fields = {e.field for e in caught.value.errors}
    assert {"trl", "modes", "price_min", "industry_code", "title_en"} <= fields
    from techsme.transfer.patents import check_character

    if check_character(body) != "0":
        assert "patent_numbers" in fields


def test_price_range_order_and_negotiable(market):
    with pytest.raises(InvalidInput) as caught:
        _draft(market, price_min="200", price_max="100")
    assert [e.field for e in caught.value.errors] == ["price_max"]
    with pytest.raises(InvalidInput):
        _draft(market, price_min="", price_max="", negotiable=False)
    assert _draft(market, price_min="", price_max="", negotiable=True).negotiable


def test_approval_refused_with_every_failed_criterion(market, make_user):
    outcome = _draft(market, summary_zh="太短的摘要")
    services.do_submit_outcome(actor=market["staff"], outcome_id=outcome.pk)
    with pytest.raises(services.Refused) as caught:
        services.do_approve_outcome(actor=market["sz_reviewer"], outcome_id=outcome.pk)
    assert any("too short" in p for p in caught.value.problems)
    # a reviewer who is also a member of the owner may not approve (conflict of interest)
    from techsme.accounts.models import Membership

    Membership.objects.create(user=market["sz_reviewer"], organisation=market["university"], role="institution_staff")
    market["sz_reviewer"].__dict__.pop("_techsme_grants", None)
    outcome2 = _draft(market)
    services.do_submit_outcome(actor=market["staff"], outcome_id=outcome2.pk)
    with pytest.raises(services.Refused) as caught:
        services.do_approve_outcome(actor=market["sz_reviewer"], outcome_id=outcome2.pk)
    assert any("belong to" in p for p in caught.value.problems)
    assert outcome2.__class__.objects.get(pk=outcome2.pk).state == OutcomeState.SUBMITTED


def test_other_region_and_wrong_state(market):
    outcome = _draft(market)
    with pytest.raises(Conflict):
        services.do_approve_outcome(actor=market["sz_reviewer"], outcome_id=outcome.pk)  # still a draft
    services.do_submit_outcome(actor=market["staff"], outcome_id=outcome.pk)
    with pytest.raises(PermissionDenied):
        services.do_approve_outcome(actor=market["gz_reviewer"], outcome_id=outcome.pk)
    with pytest.raises(PermissionDenied):
        services.do_submit_outcome(actor=market["buyer_admin"], outcome_id=outcome.pk)
    with pytest.raises(InvalidInput):
        services.do_return_outcome(actor=market["sz_reviewer"], outcome_id=outcome.pk, note=" ")
    returned = services.do_return_outcome(actor=market["sz_reviewer"], outcome_id=outcome.pk, note="补充指标")
    assert returned.state == OutcomeState.REJECTED
    edited = services.do_save_outcome(
        actor=market["staff"], organisation=market["university"], data={**OUTCOME, "trl": 7},
        outcome_id=outcome.pk)
    assert edited.trl == 7


def test_published_outcome_cannot_be_edited_until_withdrawn(market, publish):
    outcome = publish()
    with pytest.raises(Conflict):
        services.do_save_outcome(actor=market["staff"], organisation=market["university"], data=OUTCOME,
                                 outcome_id=outcome.pk)
    assert services.do_withdraw_outcome(actor=market["staff"], outcome_id=outcome.pk).state == OutcomeState.WITHDRAWN


def test_search_finds_published_outcomes_by_synonym_and_english(market, publish):
    from techsme.transfer.selectors import OutcomeFilters, search_outcomes

    outcome = publish()
    draft = _draft(market, title_zh="未发布的固态电解质成果")
    assert list(search_outcomes(OutcomeFilters(q="固态电解质"))) == [outcome]
    assert list(search_outcomes(OutcomeFilters(q="锂电"))) == [outcome]  # 锂电 → 锂离子电池 via the synonyms
    assert list(search_outcomes(OutcomeFilters(q="electrolyte"))) == [outcome]
    assert draft not in search_outcomes(OutcomeFilters(q="固态电解质"))
