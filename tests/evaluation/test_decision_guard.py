"""No wrong acceptance goes through silently: a filing failing a criterion is refused with the reason, unless an
agency administrator records an override with a written reason (audited, stored on the filing)."""

import pytest
from django.utils import translation

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.models import AuditEvent
from techsme.evaluation import criteria
from techsme.evaluation.models import Filing, FilingDecision
from techsme.evaluation.services import do_decide_batch, do_decide_filing, do_record_onsite_check

pytestmark = pytest.mark.django_db

RESTRICTED = {"restricted_industry": True}  # a hard condition
LOW_SCORE = {"rd_expense": 0}  # 20 points: below the threshold of 60
UNKNOWN_IP = {"ip_class1": None, "ip_class2": None}  # the score cannot be established


def _snapshot() -> tuple:
    return (sorted(Filing.objects.values_list("pk", "state", "override_at")), FilingDecision.objects.count(),
            AuditEvent.objects.count())


def _admin(flow):  # noqa: ANN001, ANN202
    return flow["sz"]["admin"]


@pytest.mark.parametrize(("facts", "code"), [(RESTRICTED, "restricted_industry"), (LOW_SCORE, "score_below_60"),
                                             (UNKNOWN_IP, criteria.UNDETERMINED)])
def test_reviewer_cannot_accept_a_failing_filing(flow, facts, code) -> None:
    filing = flow.submitted("sz", **facts)
    assert code in criteria.failed_criteria(filing)
    before = _snapshot()
    with translation.override("en"):
        with pytest.raises(Conflict) as refused:
            do_decide_filing(actor=flow["sz"]["reviewer"], filing=filing, decision="accept")
        message = str(refused.value)
        assert filing.enterprise.name in message and str(criteria.CRITERIA[code]) in message
        assert "override" in message
    assert _snapshot() == before


def test_a_reviewer_may_not_override(flow) -> None:
    filing = flow.submitted("sz", **LOW_SCORE)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        do_decide_filing(actor=flow["sz"]["reviewer"], filing=filing, decision="accept", override=True,
                         override_reason="Looks fine to me")
    assert _snapshot() == before


def test_the_agency_administrator_overrides_only_explicitly_and_with_a_reason(flow) -> None:
    filing = flow.submitted("sz", **RESTRICTED)
    admin = _admin(flow)
    with pytest.raises(Conflict):  # no implicit override, even for the administrator
        do_decide_filing(actor=admin, filing=filing, decision="accept")
    with pytest.raises(InvalidInput) as blank:
        do_decide_filing(actor=admin, filing=filing, decision="accept", override=True, override_reason="  ")
    assert blank.value.errors[0].field == "override_reason"
    assert Filing.objects.get(pk=filing.pk).state == "submitted"

    reason = "产业目录已于申报后调整，经局务会研究同意。"
    accepted = do_decide_filing(actor=admin, filing=filing, decision="accept", override=True, override_reason=reason)
    stored = Filing.objects.get(pk=filing.pk)
    assert accepted.state == stored.state == "accepted"
    assert stored.overridden and stored.override_reason == reason and stored.override_by == admin
    assert stored.override_criteria == ["restricted_industry"]
    event = AuditEvent.objects.get(verb="evaluation.filing.override")
    assert event.changes["criteria"] == ["restricted_industry"] and event.changes["reason"] == reason
    assert stored.decisions.get(transition="accept").reason == reason


def test_an_override_is_not_recorded_when_nothing_fails(flow) -> None:
    filing = flow.submitted("sz")
    assert criteria.failed_criteria(filing) == []
    do_decide_filing(actor=_admin(flow), filing=filing, decision="accept", override=True, override_reason="x")
    stored = Filing.objects.get(pk=filing.pk)
    assert stored.state == "accepted" and not stored.overridden
    assert not AuditEvent.objects.filter(verb="evaluation.filing.override").exists()


def test_a_failed_onsite_check_blocks_acceptance(flow) -> None:
    filing = flow.submitted("sz")
    do_record_onsite_check(actor=flow["sz"]["reviewer"], filing=filing, result="failed", notes="场地与申报不符")
    with translation.override("en"), pytest.raises(Conflict) as refused:
        do_decide_filing(actor=flow["sz"]["reviewer"], filing=filing, decision="accept")
    with translation.override("en"):
        assert str(criteria.CRITERIA[criteria.ONSITE_FAILED]) in str(refused.value)


def test_returning_or_rejecting_a_failing_filing_needs_no_override(flow) -> None:
    filing = flow.submitted("sz", **LOW_SCORE)
    rejected = do_decide_filing(actor=flow["sz"]["reviewer"], filing=filing, decision="reject", reason="得分不足")
    assert rejected.state == "rejected" and not rejected.overridden


def test_a_batch_with_one_failing_filing_is_refused_with_counts(flow) -> None:
    ids = [flow.submitted("sz").pk, flow.submitted("sz", **LOW_SCORE).pk, flow.submitted("sz", **RESTRICTED).pk]
    before = _snapshot()
    with translation.override("en"):
        with pytest.raises(Conflict) as refused:
            do_decide_batch(actor=flow["sz"]["reviewer"], filing_ids=ids, decision="accept")
        message = str(refused.value)
        assert message.startswith("2 of the 3 selected filings fail")
        assert f"{criteria.CRITERIA['score_below_60']} (1)" in message
        assert f"{criteria.CRITERIA['restricted_industry']} (1)" in message
    assert _snapshot() == before


def test_a_batch_override_is_recorded_on_each_failing_filing_only(flow) -> None:
    passing, failing = flow.submitted("sz").pk, flow.submitted("sz", **LOW_SCORE).pk
    decided = do_decide_batch(actor=_admin(flow), filing_ids=[passing, failing], decision="accept", override=True,
                              override_reason="批量复核：研发投入已补充证明。")
    assert {f.state for f in decided} == {"accepted"}
    assert not Filing.objects.get(pk=passing).overridden
    assert Filing.objects.get(pk=failing).override_criteria == ["score_below_60"]
    assert AuditEvent.objects.filter(verb="evaluation.filing.override").count() == 1


def test_the_criteria_summary_counts_each_criterion(flow) -> None:
    filings = [flow.submitted("sz"), flow.submitted("sz", **LOW_SCORE), flow.submitted("sz", **LOW_SCORE),
               flow.submitted("sz", **RESTRICTED)]
    counts = {row["code"]: row["count"] for row in criteria.summary(filings)}
    assert counts["score_below_60"] == 2 and counts["restricted_industry"] == 1
    assert sum(1 for f in filings if criteria.failed_criteria(f)) == 3
