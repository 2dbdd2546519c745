"""Technology-contract registration: the seller's entry, the registrar's criteria, numbers, the second review of
tax-relief claims, amendments, and the technology-transfer income fact the rules engine reads."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.models import AuditEvent
from techsme.transfer import services
from techsme.transfer.models import ContractAmendment, ContractState, TechContract
from tests.transfer.conftest import patent

pytestmark = pytest.mark.django_db


def _contract(actor, seller, **changes):
    today = timezone.localdate()
    data = {"title": "专利权转让合同", "buyer_name": "买方科技有限公司", "category": "transfer", "subtype": "patent",
            "industry_code": "C3841", "contract_amount": "1000000", "signed_on": (today - timedelta(days=30)),
            "valid_until": today + timedelta(days=300), "patent_numbers": patent(), **changes}
    return services.do_submit_contract(actor=actor, seller=seller, data=data)


@pytest.fixture
def seller(market):
    """The Shenzhen enterprise of the two regions, selling: its transfers feed its own facts."""
    return market["sz_enterprise"]


def test_submission_validates_dates_amounts_and_classification(market, seller):
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as caught:
        _contract(market["sz_ent_admin"], seller.organisation, signed_on=today + timedelta(days=1),
                  contract_amount="-1", category="loan", buyer_country="China")
    fields = {e.field for e in caught.value.errors}
    assert {"signed_on", "contract_amount", "category", "buyer_country"} <= fields
    with pytest.raises(InvalidInput) as caught:
        _contract(market["sz_ent_admin"], seller.organisation, signed_on=today - timedelta(days=400),
                  valid_until=today - timedelta(days=10))
    assert "term of validity has ended" in str(caught.value)
    with pytest.raises(PermissionDenied):
        _contract(market["gz_ent_admin"], seller.organisation)
    contract = _contract(market["sz_ent_admin"], seller.organisation)
    assert contract.state == ContractState.SUBMITTED and contract.due_on > today
    assert contract.seller_enterprise == seller


def test_registration_checks_every_criterion(market, seller):
    contract = _contract(market["sz_ent_admin"], seller.organisation, patent_numbers="")
    with pytest.raises(services.Refused) as caught:
        services.do_register_contract(actor=market["sz_reviewer"], contract_id=contract.pk, tech_amount="1200000")
    problems = " ".join(caught.value.problems)
    assert "exceed the contract amount" in problems and "patent" in problems
    with pytest.raises(PermissionDenied):
        services.do_register_contract(actor=market["gz_reviewer"], contract_id=contract.pk, tech_amount="900000")
    with pytest.raises(InvalidInput):
        services.do_register_contract(actor=market["sz_reviewer"], contract_id=contract.pk, tech_amount="abc")
    # reclassified by the registrar as know-how (no patent needed): registered with a number
    done = services.do_register_contract(actor=market["sz_reviewer"], contract_id=contract.pk, tech_amount="900000",
                                         category="transfer", subtype="know_how")
    year = timezone.localdate().year
    assert done.state == ContractState.REGISTERED and done.subtype == "know_how"
    assert done.registration_number == f"{year}440300000001"
    with pytest.raises(Conflict):
        services.do_register_contract(actor=market["sz_reviewer"], contract_id=contract.pk, tech_amount="900000")


def test_large_contracts_need_the_expert_opinion_and_duplicates_are_refused(market, seller):
    large = _contract(market["sz_ent_admin"], seller.organisation, contract_amount="8000000")
    with pytest.raises(services.Refused) as caught:
        services.do_register_contract(actor=market["sz_reviewer"], contract_id=large.pk, tech_amount="6000000")
    assert any("expert" in p for p in caught.value.problems)
    services.do_register_contract(actor=market["sz_reviewer"], contract_id=large.pk, tech_amount="6000000",
                                  expert_opinion="专家组认定技术交易额 600 万元")
    again = _contract(market["sz_ent_admin"], seller.organisation, contract_amount="8000000")
    with pytest.raises(services.Refused) as caught:
        services.do_register_contract(actor=market["sz_reviewer"], contract_id=again.pk, tech_amount="6000000",
                                      expert_opinion="同上")
    assert any("already registered" in p for p in caught.value.problems)


def test_numbers_count_per_year_and_office(market, seller, make_enterprise, make_user):
    first = _contract(market["sz_ent_admin"], seller.organisation, title="A")
    second = _contract(market["sz_ent_admin"], seller.organisation, title="B")
    for c in (first, second):
        services.do_register_contract(actor=market["sz_reviewer"], contract_id=c.pk, tech_amount="500000")
    numbers = sorted(TechContract.objects.values_list("registration_number", flat=True))
    assert [n[-6:] for n in numbers] == ["000001", "000002"]
    gz = market["gz_enterprise"]
    other = _contract(market["gz_ent_admin"], gz.organisation, title="C")
    services.do_register_contract(actor=market["gz_reviewer"], contract_id=other.pk, tech_amount="500000")
    assert TechContract.objects.get(pk=other.pk).registration_number[4:] == "440100000001"


def test_tax_relief_claims_get_a_second_review_by_someone_else(market, seller, make_user):
    contract = _contract(market["sz_ent_admin"], seller.organisation, claims_tax_relief=True)
    first = services.do_register_contract(actor=market["sz_admin"], contract_id=contract.pk, tech_amount="800000")
    assert first.state == ContractState.SECOND_REVIEW and first.registration_number is None
    with pytest.raises(PermissionDenied):
        services.do_second_review(actor=market["sz_reviewer"], contract_id=contract.pk, approve=True)
    with pytest.raises(services.Refused) as caught:
        services.do_second_review(actor=market["sz_admin"], contract_id=contract.pk, approve=True)
    assert any("other than the first registrar" in p for p in caught.value.problems)
    second_admin = make_user("agency_admin", market["sz_agency"])
    done = services.do_second_review(actor=second_admin, contract_id=contract.pk, approve=True)
    assert done.state == ContractState.REGISTERED and done.second_reviewer == second_admin


def test_service_contracts_claiming_relief_are_refused_at_second_review(market, seller, make_user):
    contract = _contract(market["sz_ent_admin"], seller.organisation, category="service", subtype="solution",
                         claims_tax_relief=True)
    services.do_register_contract(actor=market["sz_reviewer"], contract_id=contract.pk, tech_amount="800000")
    with pytest.raises(services.Refused) as caught:
        services.do_second_review(actor=market["sz_admin"], contract_id=contract.pk, approve=True)
    assert any("supports no tax relief" in p for p in caught.value.problems)
    refused = services.do_second_review(actor=market["sz_admin"], contract_id=contract.pk, approve=False,
                                        note="技术服务合同不适用")
    assert refused.state == ContractState.REFUSED


def test_registered_transfers_feed_the_income_fact_and_amendments_follow(market, seller):
    signed = date(timezone.localdate().year - 1, 12, 1)
    contract = _contract(market["sz_ent_admin"], seller.organisation, signed_on=signed,
                         valid_until=timezone.localdate() + timedelta(days=100))
    services.do_register_contract(actor=market["sz_reviewer"], contract_id=contract.pk, tech_amount="900000")
    facts = seller.facts.get(tax_year=signed.year)
    assert facts.tech_transfer_income == Decimal("900000.00")
    # a non-exclusive licence does not feed the fact; an exclusive five-year licence does
    plain = _contract(market["sz_ent_admin"], seller.organisation, title="普通许可", category="licence",
                      subtype="patent_ordinary", licence_years=5, signed_on=signed)
    exclusive = _contract(market["sz_ent_admin"], seller.organisation, title="独占许可", category="licence",
                          subtype="patent_exclusive", licence_years=5, signed_on=signed)
    for c in (plain, exclusive):
        services.do_register_contract(actor=market["sz_reviewer"], contract_id=c.pk, tech_amount="100000")
    facts.refresh_from_db()
    assert facts.tech_transfer_income == Decimal("1000000.00")
    with pytest.raises(PermissionDenied):
        services.do_amend_contract(actor=market["sz_reviewer"], contract_id=contract.pk, field="tech_amount",
                                   value="700000", reason="更正")
    with pytest.raises(InvalidInput):
        services.do_amend_contract(actor=market["sz_admin"], contract_id=contract.pk, field="tech_amount",
                                   value="700000", reason="")
    with pytest.raises(InvalidInput):
        services.do_amend_contract(actor=market["sz_admin"], contract_id=contract.pk, field="tech_amount",
                                   value="2000000", reason="超过合同额")
    services.do_amend_contract(actor=market["sz_admin"], contract_id=contract.pk, field="tech_amount",
                               value="700000", reason="发票更正")
    facts.refresh_from_db()
    assert facts.tech_transfer_income == Decimal("800000.00")
    amendment = ContractAmendment.objects.get()
    assert (amendment.old_value, amendment.new_value) == (Decimal("900000.00"), Decimal("700000.00"))
    assert AuditEvent.objects.filter(verb="transfer.feed_transfer_income").count() == 3


def test_the_database_refuses_a_transaction_amount_above_the_contract(market, seller):
    from django.db import IntegrityError, transaction

    contract = _contract(market["sz_ent_admin"], seller.organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        TechContract.objects.filter(pk=contract.pk).update(tech_amount=Decimal("2000000"))
