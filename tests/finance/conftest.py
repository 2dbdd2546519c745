"""A Shenzhen pool with an admitted bank and its agreement, a borrower with facts, and the people of every role."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from techsme.finance import services as s
from techsme.registry.models import AnnualFacts

D = Decimal
TODAY = date.today()
RULE = [[{"condition": "region_prefix", "value": "4403"}, {"condition": "good_standing"},
         {"condition": "max_employees", "value": 500}]]
TERMS = dict(loss_share_pct="50", cap_per_loan="2000000", cap_per_enterprise="3000000", cap_per_year="10000000",
             allocation="20000000", leverage_multiple="10", max_loan_amount="10000000", max_term_months=36,
             rate_ceiling_pct="6.5", valid_from=date(2020, 1, 1), valid_until=date(2030, 12, 31), eligibility=RULE)


def loan_data(**extra: Any) -> dict[str, Any]:
    data = dict(contract_number="CMB-2025-001", amount="3000000", term_months=12, rate_pct="4.35",
                collateral="credit", granted_on=TODAY - timedelta(days=200))
    data.update(extra)
    return data


@pytest.fixture
def scheme(make_org, make_user, make_enterprise) -> dict[str, Any]:
    agency = make_org("agency", "440300", "city", name="深圳市科学技术局")
    other_agency = make_org("agency", "440100", "city", name="广州市科学技术局")
    bank = make_org("bank", "440304", name="招商银行深圳分行")
    other_bank = make_org("bank", "440304", name="平安银行深圳分行")
    out: dict[str, Any] = {
        "agency": agency, "bank": bank, "other_bank": other_bank,
        "manager": make_user("programme_manager", agency),
        "manager2": make_user("programme_manager", agency),
        "admin": make_user("agency_admin", agency, is_staff=True),
        "reviewer": make_user("agency_reviewer", agency),
        "gz_manager": make_user("programme_manager", other_agency),
        "officer": make_user("bank_officer", bank),
        "other_officer": make_user("bank_officer", other_bank),
    }
    enterprise = make_enterprise(region_code="440305")
    AnnualFacts.objects.create(enterprise=enterprise, tax_year=2024, employees=120, tech_staff=40,
                               revenue=D("30000000.00"), hnte_certificate_valid=True)
    out["enterprise"] = enterprise
    out["ent_admin"] = make_user("enterprise_admin", enterprise.organisation)
    pool = s.do_create_pool(actor=out["manager"], agency_id=agency.pk, name="深圳科技贷风险补偿资金池")
    s.do_fund_pool(actor=out["manager"], pool_id=pool.pk, amount="5000000", request_key="seed")
    admission = s.do_apply_admission(actor=out["officer"], pool_id=pool.pk, bank_id=bank.pk,
                                     local_branch_address="深圳市福田区深南大道7088号", tech_branch_name="科技支行")
    s.do_admit_bank(actor=out["manager"], admission_id=admission.pk)
    out["pool"] = pool
    out["agreement"] = s.do_sign_agreement(actor=out["manager"], admission_id=admission.pk, **TERMS)
    return out


def enrolled_loan(scheme: dict[str, Any], number: str = "CMB-2025-001", amount: str = "3000000", **extra: Any) -> Any:
    loan = s.do_create_loan(actor=scheme["officer"], agreement_id=scheme["agreement"].pk,
                            enterprise_uscc=extra.pop("uscc", scheme["enterprise"].uscc),
                            **loan_data(contract_number=number, amount=amount, **extra))
    s.do_accept_loan(actor=scheme["manager"], loan_id=loan.pk)
    loan.refresh_from_db()
    return loan


def default(scheme: dict[str, Any], loan: Any) -> Any:
    s.do_report_default(actor=scheme["officer"], loan_id=loan.pk, defaulted_on=TODAY - timedelta(days=20))
    loan.refresh_from_db()
    return loan


def defaulted_loan(scheme: dict[str, Any], number: str = "CMB-2025-001", amount: str = "3000000") -> Any:
    return default(scheme, enrolled_loan(scheme, number, amount))
