"""IP-pledge loans and their subsidies within the yearly cap; investments feeding the VC deduction; listing consent."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from techsme.core.errors import Conflict, InvalidInput
from techsme.finance import services as s
from techsme.finance import vc
from techsme.registry.models import AnnualFacts, IPAsset
from tests.finance.conftest import TODAY, enrolled_loan, loan_data

D = Decimal
pytestmark = pytest.mark.django_db


def _patent(enterprise):
    return IPAsset.objects.create(enterprise=enterprise, kind="invention_patent", number="ZL202010000001.1",
                                  title="一种图像识别方法", granted_on=date(2021, 5, 1))


def test_an_ip_pledge_loan_names_its_pledge(scheme):
    with pytest.raises(InvalidInput) as exc:
        s.do_create_loan(actor=scheme["officer"], agreement_id=scheme["agreement"].pk,
                         enterprise_uscc=scheme["enterprise"].uscc, **loan_data(collateral="ip_pledge"))
    assert {e.field for e in exc.value.errors} >= {"pledged_assets", "pledge_registration_number"}


def test_subsidies_stop_at_the_cap_per_enterprise_and_year(scheme):
    patent = _patent(scheme["enterprise"])
    loan = enrolled_loan(scheme, "IP-1", "2000000", collateral="ip_pledge", pledged_asset_ids=[patent.pk],
                         pledge_registration_number="Y2025440000123", valuation_amount="3500000", appraiser="中联评估")
    programme = s.do_create_subsidy_programme(actor=scheme["manager"], agency_id=scheme["agency"].pk,
                                              name="知识产权质押融资贴息", interest_share_pct="50", fee_share_pct="50",
                                              cap_per_enterprise_year="60000", budget="1000000", request_key="k")
    first = s.do_pay_subsidy(actor=scheme["manager"], programme_id=programme.pk, loan_id=loan.pk, kind="interest",
                             year=TODAY.year, basis="87000")
    assert first.amount == D("43500.00")
    second = s.do_pay_subsidy(actor=scheme["manager"], programme_id=programme.pk, loan_id=loan.pk,
                              kind="appraisal", year=TODAY.year, basis="50000")
    assert second.amount == D("16500.00")  # 25,000 due, 16,500 left under the 60,000 cap
    with pytest.raises(Conflict):
        s.do_pay_subsidy(actor=scheme["manager"], programme_id=programme.pk, loan_id=loan.pk, kind="insurance",
                         year=TODAY.year, basis="10000")


def test_a_credit_loan_gets_no_pledge_subsidy(scheme):
    loan = enrolled_loan(scheme)
    programme = s.do_create_subsidy_programme(actor=scheme["manager"], agency_id=scheme["agency"].pk, name="贴息",
                                              interest_share_pct="50", fee_share_pct="50",
                                              cap_per_enterprise_year="60000", budget="100000", request_key="k")
    with pytest.raises(s.CriteriaNotMet):
        s.do_pay_subsidy(actor=scheme["admin"], programme_id=programme.pk, loan_id=loan.pk, kind="interest",
                         year=TODAY.year, basis="1000", override_reason="试试")


def test_a_recorded_investment_feeds_the_vc_deduction(scheme, make_enterprise):
    startup = make_enterprise(region_code="440305")
    startup.founded_on = TODAY - timedelta(days=900)
    startup.save()
    invested = TODAY - timedelta(days=800)
    for year in (invested.year - 1, invested.year, invested.year + 1):
        AnnualFacts.objects.create(enterprise=startup, tax_year=year, employees=40, revenue=D("8000000"),
                                   total_assets=D("9000000"), hnte_certificate_valid=True,
                                   rd_expense=D("3000000"), total_cost_expense=D("9000000"))
    fund = s.do_record_fund(actor=scheme["manager"], name="深圳天使母基金", kind="guidance", region_code="440300",
                            size="10000000000")
    investment = s.do_record_investment(actor=scheme["manager"], fund_id=fund.pk, enterprise_id=startup.pk,
                                        invested_on=invested, amount="5000000", stake_pct="10", round="天使轮")
    result = vc.assess(investment)
    assert result["holding_months"] >= 24
    assert result["hnte_sme"] is True
    assert result["deduction"] == D("3500000.00")  # 70% of 5,000,000
    assert "startup_degree_share" in result["unknown"]


def test_the_listing_track_needs_the_enterprises_consent(scheme):
    track = s.do_open_listing_track(actor=scheme["manager"], enterprise_id=scheme["enterprise"].pk, market="star")
    with pytest.raises(Conflict):
        s.do_update_listing_track(actor=scheme["manager"], track_id=track.pk, stage="tutoring", checklist={})
    s.do_give_listing_consent(actor=scheme["ent_admin"], track_id=track.pk)
    track = s.do_update_listing_track(actor=scheme["manager"], track_id=track.pk, stage="tutoring",
                                      checklist={"financial_audit": True})
    assert track.stage == "tutoring" and track.checklist["financial_audit"] is True
