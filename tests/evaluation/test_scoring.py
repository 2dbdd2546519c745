"""Submission scores the frozen facts with the rules engine (skipped until ``techsme.rules.assess_records`` exists)."""

from decimal import Decimal

import pytest

from techsme.evaluation.scoring import assess_filing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _engine() -> None:
    try:
        from techsme.rules import assess_records  # noqa: F401
    except ImportError:
        pytest.skip("techsme.rules.assess_records is not available yet")


def test_submit_stores_score_and_explanation(flow) -> None:
    filing = flow.submitted("sz", taxable_income_before_incentives=Decimal("1000000.00"),
                            ip_class1=1, ip_class2=2)
    result = assess_filing(filing)
    assert "errors" not in result, result.get("errors")
    assert filing.score is not None and Decimal(str(result["techsme_score"])) == filing.score
    assert filing.staff_score is not None and filing.rd_score is not None and filing.ip_score is not None
    assert filing.route in ("score", "direct", "none")
    assert filing.explanation and filing.assessed_at


def test_score_of_a_draft_can_be_previewed(flow) -> None:
    filing = flow.draft("sz", taxable_income_before_incentives=Decimal("1000000.00"),
                            ip_class1=1, ip_class2=2)
    assert "techsme_score" in assess_filing(filing)
