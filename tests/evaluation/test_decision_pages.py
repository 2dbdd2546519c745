"""The pages of a guarded decision: no decision is pre-chosen, the refusal shows its reason, the override is shown
on the filing and marked in the queue, a bulk decision is confirmed after a count per failed criterion, and
publicity pre-selects only what passes."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from techsme.evaluation.models import Filing
from techsme.evaluation.services import do_decide_filing, do_record_onsite_check

pytestmark = pytest.mark.django_db
LOW_SCORE = {"rd_expense": 0}
REASON = "经局务会研究，同意按例外情形受理。"


def login(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _messages(response) -> str:
    return response.content.decode()


def test_single_decision_form_has_no_preselected_choice(flow) -> None:
    filing = flow.submitted("sz")
    page = login(flow["sz"]["reviewer"]).get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
    radios = re.findall(r'<input type="radio" name="decision"[^>]*>', page)
    assert len(radios) == 3 and not any("checked" in r for r in radios)


def test_a_reviewer_is_stopped_with_the_reason(flow) -> None:
    filing = flow.submitted("sz", **LOW_SCORE)
    reviewer = login(flow["sz"]["reviewer"])
    page = reviewer.get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
    assert 'id="criteria-warning"' in page and "below 60 points" in page
    assert 'name="override"' not in page  # only the administrator is offered the override
    response = reviewer.post(reverse("evaluation:decide", args=[filing.pk]), {"decision": "accept"}, follow=True)
    assert "fails the criteria of a technology-based SME" in _messages(response)
    assert Filing.objects.get(pk=filing.pk).state == "submitted"
    # asking for the override anyway is refused, with a message (not a silent success)
    response = reviewer.post(reverse("evaluation:decide", args=[filing.pk]),
                             {"decision": "accept", "override": "1", "override_reason": "x"}, follow=True)
    assert "Only an agency administrator" in _messages(response)
    assert Filing.objects.get(pk=filing.pk).state == "submitted"


def test_the_override_is_shown_on_the_filing_and_marked_in_the_queue(flow) -> None:
    filing = flow.submitted("sz", **LOW_SCORE)
    admin = login(flow["sz"]["admin"])
    page = admin.get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
    assert 'name="override"' in page and 'name="override_reason"' in page
    admin.post(reverse("evaluation:decide", args=[filing.pk]),
               {"decision": "accept", "override": "1", "override_reason": REASON})
    assert Filing.objects.get(pk=filing.pk).state == "accepted"
    for client in (admin, login(flow.owner(filing))):  # the agency and the enterprise see it
        page = client.get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
        assert 'id="override-notice"' in page and REASON in page and "below 60 points" in page
    queue = admin.get(reverse("evaluation:queue"), {"state": "accepted"}).content.decode()
    assert 'data-mark="override"' in queue and "accepted by override" in queue


def test_the_queue_marks_failing_filings(flow) -> None:
    failing, passing = flow.submitted("sz", **LOW_SCORE), flow.submitted("sz")
    queue = login(flow["sz"]["reviewer"]).get(reverse("evaluation:queue")).content.decode()
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr>\s*<td><input type="checkbox" name="filings" '
                                                         r'value="(\d+)".*?</tr>', queue, re.S)}
    assert 'data-mark="fails"' in rows[str(failing.pk)] and "data-mark" not in rows[str(passing.pk)]


def test_bulk_decision_has_no_default_and_counts_failures_before_confirming(flow) -> None:
    ids = [flow.submitted("sz").pk, flow.submitted("sz", **LOW_SCORE).pk, flow.submitted("sz", **LOW_SCORE).pk]
    reviewer = login(flow["sz"]["reviewer"])
    queue = reviewer.get(reverse("evaluation:queue")).content.decode()
    select = re.search(r'<select id="decision" name="decision" required>(.*?)</select>', queue, re.S).group(1)
    assert '<option value="" selected>' in select and 'value="accept" selected' not in select
    # no decision chosen: nothing happens
    reviewer.post(reverse("evaluation:queue"), {"filings": ids})
    assert set(Filing.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"submitted"}
    # the check page counts each failed criterion, decides nothing
    check = reviewer.post(reverse("evaluation:queue"), {"filings": ids, "decision": "accept"})
    page = check.content.decode()
    assert check.status_code == 200 and "2 of the selected filings fail" in page
    assert re.search(r'data-criterion="score_below_60">[^<]*below 60 points[^<]*— <strong>2</strong>', page)
    assert set(Filing.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"submitted"}
    # confirming is still guarded
    response = reviewer.post(reverse("evaluation:queue"), {"filings": ids, "decision": "accept", "confirm": "1"},
                             follow=True)
    assert "2 of the 3 selected filings fail" in response.content.decode()
    assert set(Filing.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"submitted"}


def test_publicity_preselects_only_passing_filings(flow) -> None:
    passing = flow.accepted("sz")
    overridden = flow.submitted("sz", **LOW_SCORE)
    do_record_onsite_check(actor=flow["sz"]["reviewer"], filing=overridden, result="passed", notes="ok")
    do_decide_filing(actor=flow["sz"]["admin"], filing=overridden, decision="accept", override=True,
                     override_reason=REASON)
    legacy = flow.accepted("sz")  # accepted before the guard existed, with a stored result of 40 points
    Filing.objects.filter(pk=legacy.pk).update(eligible=False, fail_reasons="score_below_60", score=40)
    manager = login(flow.publisher("sz"))
    page = manager.get(reverse("evaluation:publicity")).content.decode()
    boxes = {m.group(1): m.group(0) for m in re.finditer(r'<input type="checkbox" name="filings" value="(\d+)"[^>]*>',
                                                          page)}
    assert "checked" in boxes[str(passing.pk)]
    assert "checked" not in boxes[str(overridden.pk)] and "disabled" not in boxes[str(overridden.pk)]
    assert "checked" not in boxes[str(legacy.pk)] and "disabled" in boxes[str(legacy.pk)]
    # nothing chosen publishes nothing (the page never means "everything")
    response = manager.post(reverse("evaluation:publicity"), {"agency": flow["sz"]["agency"].pk}, follow=True)
    assert "Select the filings to publish." in response.content.decode()
    assert Filing.objects.filter(state="in_publicity").count() == 0
    # a forged post with the legacy filing is refused with the reason
    response = manager.post(reverse("evaluation:publicity"), {"agency": flow["sz"]["agency"].pk,
                                                              "filings": [passing.pk, legacy.pk]}, follow=True)
    assert "not accepted by an override" in response.content.decode()
    assert Filing.objects.filter(state="in_publicity").count() == 0


def test_a_held_registration_shows_its_reason_to_the_agency_and_the_enterprise(flow) -> None:
    from datetime import timedelta

    from techsme.evaluation.services import do_close_batch
    from techsme.registry.models import AnnualFacts

    batch = flow.published("sz")
    filing = batch.filings.get()
    facts = AnnualFacts.objects.get(enterprise=filing.enterprise_id, tax_year=filing.facts_year)
    facts.serious_dishonesty = True  # learnt by the registry during the publicity
    facts.save()
    do_close_batch(actor=flow.publisher("sz"), batch=batch, today=batch.ends_on + timedelta(days=1))
    for user in (flow["sz"]["admin"], flow.owner(filing)):
        page = login(user).get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
        assert 'id="hold-notice"' in page and "listing for abnormal operation or dishonesty" in page
        assert "Registration held at the close of publicity" in page  # the status history, in words
    admin_page = login(flow["sz"]["admin"]).get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
    assert "Score again and register" in admin_page and 'id="held-override"' in admin_page
    owner_page = login(flow.owner(filing)).get(reverse("evaluation:detail", args=[filing.pk])).content.decode()
    assert "Score again and register" not in owner_page
