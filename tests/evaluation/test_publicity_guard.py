"""Publicity takes only what passes (or carries an override); the close scores the facts again and holds a
registration whose facts no longer pass, with the reason, for the agency and the enterprise."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from techsme.core.errors import Conflict
from techsme.evaluation import criteria
from techsme.evaluation.models import Filing, Registration
from techsme.evaluation.services import (
    do_close_batch,
    do_decide_filing,
    do_publish_batch,
    do_record_onsite_check,
    do_register_held,
)
from techsme.registry.models import AnnualFacts
from tests.evaluation.conftest import PUBLISHED_ON

pytestmark = pytest.mark.django_db

OVERRIDE_REASON = "经局务会研究，同意按例外情形受理。"


def _overridden(flow, **facts):  # noqa: ANN001, ANN003, ANN202
    filing = flow.submitted("sz", **facts)
    do_record_onsite_check(actor=flow["sz"]["reviewer"], filing=filing, result="passed", notes="ok")
    return do_decide_filing(actor=flow["sz"]["admin"], filing=filing, decision="accept", override=True,
                            override_reason=OVERRIDE_REASON)


def _publish(flow, filings=None):  # noqa: ANN001, ANN202
    return do_publish_batch(actor=flow.publisher("sz"), agency=flow["sz"]["agency"],
                            filing_ids=None if filings is None else [f.pk for f in filings],
                            published_on=PUBLISHED_ON)


def _close(flow, batch):  # noqa: ANN001, ANN202
    return do_close_batch(actor=flow.publisher("sz"), batch=batch, today=batch.ends_on + timedelta(days=1))


def test_publishing_without_a_selection_takes_only_eligible_filings(flow) -> None:
    eligible = flow.accepted("sz")
    overridden = _overridden(flow, rd_expense=0)
    batch = _publish(flow)
    assert list(batch.filings.values_list("pk", flat=True)) == [eligible.pk]
    assert Filing.objects.get(pk=overridden.pk).state == "accepted"


def test_an_overridden_filing_can_be_chosen_by_name(flow) -> None:
    overridden = _overridden(flow, rd_expense=0)
    batch = _publish(flow, [overridden])
    assert Filing.objects.get(pk=overridden.pk).batch == batch


def test_an_accepted_filing_failing_without_override_is_refused(flow) -> None:
    """A filing accepted before the guard existed (or whose stored result says it fails) cannot be published."""
    good, bad = flow.accepted("sz"), flow.accepted("sz")
    Filing.objects.filter(pk=bad.pk).update(eligible=False, fail_reasons="score_below_60", score=40)
    with translation.override("en"), pytest.raises(Conflict) as refused:
        _publish(flow, [good, bad])
    with translation.override("en"):
        assert str(criteria.CRITERIA["score_below_60"]) in str(refused.value)
    assert set(Filing.objects.filter(pk__in=[good.pk, bad.pk]).values_list("state", flat=True)) == {"accepted"}
    batch = _publish(flow)  # without a selection, only the good one is taken
    assert list(batch.filings.values_list("pk", flat=True)) == [good.pk]


def _listed_for_dishonesty(filing: Filing) -> None:
    """The registry learns, after the submission, that the enterprise was listed for serious dishonesty."""
    facts = AnnualFacts.objects.get(enterprise=filing.enterprise_id, tax_year=filing.facts_year)
    facts.serious_dishonesty = True
    facts.save()


def test_the_close_holds_a_registration_whose_facts_no_longer_pass(flow, django_capture_on_commit_callbacks) -> None:
    batch = flow.published("sz", n=2)
    stays, changes = batch.filings.order_by("pk")
    _listed_for_dishonesty(changes)
    admin = flow["sz"]["admin"]
    admin.email = "sz-admin@agency.example"
    admin.save()
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        registrations = _close(flow, batch)
    assert [r.filing_id for r in registrations] == [stays.pk]
    held = Filing.objects.get(pk=changes.pk)
    assert held.state == "held" and held.hold_reasons == ["compliance"] and held.held_at is not None
    assert not Registration.objects.filter(filing=held).exists()
    assert held.decisions.get(transition="hold").reason == "compliance"
    with translation.override("en"):
        reason = str(criteria.CRITERIA["compliance"])
    held_mail = [m for m in mail.outbox if changes.enterprise.name in m.body and reason in m.body]
    to_enterprise = [m for m in held_mail if changes.enterprise.contact_email in m.to]
    to_agency = [m for m in held_mail if admin.email in m.to]
    assert to_enterprise and "registration held" in to_enterprise[0].subject
    assert to_agency and "Registration held" in to_agency[0].subject


def test_facts_unchanged_since_the_submission_are_not_replaced(flow) -> None:
    """Registry facts edited before the submission are the filing's own business; only later changes count."""
    batch = flow.published("sz")
    (filing,) = batch.filings.all()
    Filing.objects.filter(pk=filing.pk).update(submitted_at=filing.submitted_at + timedelta(days=3650))
    _listed_for_dishonesty(filing)  # older than the (moved) submission
    assert len(_close(flow, batch)) == 1


def test_an_override_covers_its_criteria_at_the_close(flow) -> None:
    overridden = _overridden(flow, rd_expense=0)
    batch = _publish(flow, [overridden])
    registrations = _close(flow, batch)
    assert [r.filing_id for r in registrations] == [overridden.pk]


def test_a_held_filing_is_registered_once_it_passes_or_by_an_override(flow) -> None:
    batch = flow.published("sz", n=2)
    first, second = batch.filings.order_by("pk")
    _listed_for_dishonesty(first)
    _listed_for_dishonesty(second)
    _close(flow, batch)
    manager = flow.publisher("sz")
    with pytest.raises(Conflict):  # still failing
        do_register_held(actor=manager, filing=first)
    # the listing was an error: corrected in the registry, the filing passes and is registered without override
    AnnualFacts.objects.filter(enterprise=first.enterprise_id).update(serious_dishonesty=False)
    registration = do_register_held(actor=manager, filing=first)
    assert registration.filing_id == first.pk and Filing.objects.get(pk=first.pk).state == "registered"
    # the second still fails: only the agency administrator registers it, with a reason
    registration = do_register_held(actor=flow["sz"]["admin"], filing=second, override=True,
                                    override_reason=OVERRIDE_REASON)
    stored = Filing.objects.get(pk=second.pk)
    assert stored.state == "registered" and stored.override_criteria == ["compliance"]
    assert registration.number != Registration.objects.get(filing=first).number


def test_a_held_filing_can_be_rejected(flow) -> None:
    batch = flow.published("sz")
    (filing,) = batch.filings.all()
    _listed_for_dishonesty(filing)
    _close(flow, batch)
    rejected = do_decide_filing(actor=flow["sz"]["reviewer"], filing=filing, decision="reject",
                                reason="企业被列入严重失信名单。")
    assert rejected.state == "rejected"
