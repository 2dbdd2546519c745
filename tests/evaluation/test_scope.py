"""Reviewers act only inside their region: a Guangzhou reviewer can neither see nor decide a Shenzhen filing."""

import pytest
from django.http import Http404

from techsme.core.errors import PermissionDenied
from techsme.evaluation.models import FilingDecision
from techsme.evaluation.selectors import filing_for, review_queue
from techsme.evaluation.services import do_decide_batch, do_decide_filing, do_update_filing_facts

pytestmark = pytest.mark.django_db


def test_reviewer_of_another_city_cannot_decide(flow) -> None:
    filing = flow.submitted("sz")
    with pytest.raises(PermissionDenied):
        do_decide_filing(actor=flow["gz"]["reviewer"], filing=filing, decision="accept")
    with pytest.raises(PermissionDenied):
        do_decide_batch(actor=flow["gz"]["admin"], filing_ids=[filing.pk], decision="reject", reason="x")
    filing.refresh_from_db()
    assert filing.state == "submitted"
    assert not FilingDecision.objects.filter(filing=filing).exclude(transition="submit").exists()


def test_reviewer_of_another_city_cannot_see(flow) -> None:
    sz, gz = flow.submitted("sz"), flow.submitted("gz")
    assert list(review_queue(flow["gz"]["reviewer"])) == [gz]
    assert list(review_queue(flow["sz"]["reviewer"])) == [sz]
    with pytest.raises(Http404):
        filing_for(flow["gz"]["reviewer"], sz.pk)
    assert filing_for(flow["sz"]["reviewer"], sz.pk) == sz


def test_other_enterprise_cannot_touch_a_filing(flow) -> None:
    filing = flow.draft("sz")
    with pytest.raises(PermissionDenied):
        do_update_filing_facts(actor=flow["gz"]["ent_admin"], filing=filing, values={"employees": 1})
    with pytest.raises(Http404):
        filing_for(flow["gz"]["ent_admin"], filing.pk)
    assert filing_for(flow.owner(filing), filing.pk) == filing


def test_province_agency_covers_its_cities(flow, make_org, make_user) -> None:
    province = make_org("agency", "440000", "province")
    reviewer = make_user("agency_reviewer", province)
    sz, gz = flow.submitted("sz"), flow.submitted("gz")
    assert set(review_queue(reviewer)) == {sz, gz}
    assert do_decide_filing(actor=reviewer, filing=gz, decision="accept").state == "accepted"


def test_refusal_is_translated(flow) -> None:
    from django.utils import translation

    filing = flow.submitted("sz")
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as exc:
        do_decide_filing(actor=flow["gz"]["reviewer"], filing=filing, decision="accept")
    assert str(exc.value) == "您无权对该申报执行“审核通过”操作。"
