"""Paying an instrument usage partly by innovation voucher, through the vouchers flow (contract + redemption).

The voucher pays min(programme share × charge, voucher balance); the ledger moves ``voucher:V`` →
``provider:R:receivable``; every refusal changes nothing; a double submission applies once.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.ledger import verify_balances
from techsme.core.models import AuditEvent, LedgerAccount, LedgerTransaction
from techsme.instruments.models import UsageRecord, UsageVoucherPayment
from techsme.instruments.services import (
    do_approve_booking,
    do_pay_usage_with_voucher,
    do_record_usage,
    do_request_booking,
    payable_by_voucher,
)
from techsme.vouchers import services as vs
from techsme.vouchers.models import Contract, ContractState
from tests.instruments.conftest import at

pytestmark = pytest.mark.django_db
D = Decimal
_keys = itertools.count(1)


def build(make_org, make_user, make_enterprise, *, categories=("testing", "instrument"),
          provider_categories=("instrument",), approve_provider=True, register=True, share="0.5",
          voucher_amount="20000"):
    """An owner institution with an SEM (¥400/h external), a Shenzhen programme, the owner registered as a provider,
    an enterprise with a voucher and a 3-hour usage (charge ¥1,200)."""
    from techsme.instruments.models import Instrument

    year = timezone.localdate().year
    agency = make_org("agency", "440300", "city", name="深圳市科技局")
    manager = make_user("programme_manager", agency)
    lab = make_org("provider", "440305", name="深圳测试研究院")
    staff = make_user("provider_staff", lab)
    enterprise = make_enterprise(name="甲科技有限公司", region_code="440305")
    ent_user = make_user("enterprise_admin", enterprise.organisation)
    other = make_enterprise(name="乙科技有限公司", region_code="440306")
    other_user = make_user("enterprise_admin", other.organisation)
    instrument = Instrument.objects.create(
        owner=lab, name_zh="场发射扫描电镜", name_en="Field-emission SEM", category_code="0104",
        purchase_value=D("3200000"), region_code="440305", fee_internal=D("200"), fee_external=D("400"),
        lead_time_hours=0)
    programme = vs.do_create_programme(
        actor=manager, agency=agency, name="深圳科技创新券", year=year, budget="100000",
        cap_per_enterprise_year="50000", cap_per_application="20000", max_contract_share=share,
        categories=list(categories), valid_until=date(year, 12, 31), eligibility_rule=[])
    provider = None
    if register:
        provider = vs.do_register_provider(
            actor=staff, organisation_id=lab.pk, programme_id=programme.pk, institution=lab.name,
            accreditation="CNAS L1234",
            services=[{"name": "SEM time", "category": c, "price": "400"} for c in provider_categories])
        if approve_provider:
            vs.do_decide_provider(actor=manager, provider_id=provider.pk, approve=True)

    def voucher(owner=enterprise, user=ent_user, amount=voucher_amount, prog=programme, decider=manager):
        application = vs.do_apply(actor=user, programme_id=prog.pk, enterprise_id=owner.pk, amount=amount,
                                  purpose="instrument use", submission_key=f"t{next(_keys)}")
        return vs.do_decide_application(actor=decider, application_id=application.pk, approve=True).voucher

    def usage(org=None, hours=3):
        start = at(-2, 9)
        return do_record_usage(actor=staff, instrument=instrument, organisation=org or enterprise.organisation,
                               start=start, end=start + timedelta(hours=hours), operator="李工")

    return SimpleNamespace(**locals())


@pytest.fixture
def w(make_org, make_user, make_enterprise):
    return build(make_org, make_user, make_enterprise)


def snapshot(usage):
    usage = UsageRecord.objects.get(pk=usage.pk)
    return (LedgerTransaction.objects.count(), Contract.objects.count(), AuditEvent.objects.count(),
            UsageVoucherPayment.objects.count(), usage.paid_by_voucher,
            sorted(LedgerAccount.objects.values_list("code", "balance")))


def test_voucher_pays_its_share_through_the_vouchers_flow(w):
    voucher, usage = w.voucher(), w.usage()
    assert usage.charge == D("1200.00")
    assert payable_by_voucher(usage) == D("600.00") == payable_by_voucher(usage, voucher)
    payment = do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=voucher.code.lower())
    usage.refresh_from_db()
    assert usage.paid_by_voucher == payment.amount == D("600.00")
    contract = payment.contract
    assert contract.category == "instrument" and contract.amount == D("1200.00")
    assert contract.provider == w.provider and contract.enterprise == w.enterprise
    assert contract.state == ContractState.REDEEMED and contract.redeemed_amount == D("600.00")
    legs = {leg.account.code: leg.amount for leg in contract.redeem_transaction.legs.select_related("account")}
    assert legs == {f"voucher:{voucher.pk}": D("-600.00"), f"provider:{w.provider.pk}:receivable": D("600.00")}
    voucher.account.refresh_from_db()
    assert voucher.account.balance == D("19400.00")
    assert verify_balances() == []
    verbs = [v for v in AuditEvent.objects.order_by("pk").values_list("verb", flat=True) if not v.startswith("ledger.")]
    assert verbs[-3:] == ["vouchers.record_contract", "vouchers.redeem", "instruments.usage.pay_by_voucher"]
    assert payable_by_voucher(usage) == D("0.00")
    # The rest of the flow is the vouchers' own: the owner confirms delivery, the agency verifies.
    vs.do_confirm_delivery(actor=w.staff, contract_id=contract.pk)
    vs.do_verify_contract(actor=w.manager, contract_id=contract.pk)


def test_balance_limits_the_voucher_part(w):
    voucher, usage = w.voucher(amount="500"), w.usage()
    assert payable_by_voucher(usage, voucher) == D("500.00")
    do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=voucher.code)
    usage.refresh_from_db()
    voucher.account.refresh_from_db()
    assert usage.paid_by_voucher == D("500.00") and voucher.account.balance == D("0.00")
    assert usage.charge - usage.paid_by_voucher == D("700.00")


def test_share_rounds_down_to_the_fen(make_org, make_user, make_enterprise):
    w = build(make_org, make_user, make_enterprise, share="0.333")
    voucher, usage = w.voucher(), w.usage(hours=1)  # ¥400 × 0.333 = 133.2
    assert payable_by_voucher(usage, voucher) == D("133.20")
    assert do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk,
                                     voucher_code=voucher.code).amount == D("133.20")


def test_double_submit_applies_once(w):
    voucher, usage = w.voucher(), w.usage()
    do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=voucher.code)
    before = snapshot(usage)
    with pytest.raises(Conflict, match="already been paid"):
        do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=voucher.code)
    assert snapshot(usage) == before
    second = w.voucher(amount="1000")
    before = snapshot(usage)
    with pytest.raises(Conflict):
        do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=second.code)
    assert snapshot(usage) == before


def _refused(usage, exc, match, **kwargs):
    before = snapshot(usage)
    with pytest.raises(exc, match=match):
        do_pay_usage_with_voucher(usage_id=usage.pk, **kwargs)
    assert snapshot(usage) == before
    assert payable_by_voucher(usage) == D("0.00") or exc is PermissionDenied or "own vouchers" in match


def test_refusals_change_nothing(w):
    voucher, usage = w.voucher(), w.usage()
    other_voucher = w.voucher(owner=w.other, user=w.other_user, amount="5000")
    # another enterprise's voucher
    _refused(usage, InvalidInput, "own vouchers", actor=w.ent_user, voucher_code=other_voucher.code)
    _refused(usage, InvalidInput, "own vouchers", actor=w.ent_user, voucher_code="IV2026-000001-AAAAAAAAAAAA")
    # another enterprise (or the owner's staff) paying for this usage
    _refused(usage, PermissionDenied, "Only the enterprise", actor=w.other_user, voucher_code=other_voucher.code)
    _refused(usage, PermissionDenied, "Only the enterprise", actor=w.staff, voucher_code=voucher.code)
    # expired voucher
    after_validity = voucher.valid_until + timedelta(days=1)
    before = snapshot(usage)
    with pytest.raises(Conflict, match="expired"):
        do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=voucher.code,
                                  today=after_validity)
    assert snapshot(usage) == before
    assert payable_by_voucher(usage, voucher, today=after_validity) == D("0.00")
    # nothing left on the voucher
    spent = vs.do_record_contract(actor=w.ent_user, voucher_id=voucher.pk, provider_id=w.provider.pk,
                                  category="instrument", amount="40000", description="big job",
                                  submission_key="spend")
    vs.do_redeem(actor=w.staff, contract_id=spent.pk, voucher_code=voucher.code)
    assert payable_by_voucher(usage, voucher) == D("0.00")
    _refused(usage, Conflict, "no balance", actor=w.ent_user, voucher_code=voucher.code)


@pytest.mark.parametrize("variant, exc, match", [
    ({"categories": ("testing",)}, InvalidInput, "do not pay for services of this category"),
    ({"provider_categories": ("testing",)}, InvalidInput, "offers no service of this category"),
    ({"approve_provider": False}, InvalidInput, "approved by the agency"),
    ({"register": False}, Conflict, "not an innovation-voucher service provider"),
])
def test_ineligible_category_or_provider(make_org, make_user, make_enterprise, variant, exc, match):
    w = build(make_org, make_user, make_enterprise, **variant)
    voucher, usage = w.voucher(), w.usage()
    assert payable_by_voucher(usage, voucher) == D("0.00")
    _refused(usage, exc, match, actor=w.ent_user, voucher_code=voucher.code)


def test_foreign_voucher_needs_recognition(w, make_org, make_user):
    gz = make_org("agency", "440100", "city", name="广州市科技局")
    gz_manager = make_user("programme_manager", gz)
    year = timezone.localdate().year
    gz_programme = vs.do_create_programme(
        actor=gz_manager, agency=gz, name="广州科技创新券", year=year, budget="50000",
        cap_per_enterprise_year="30000", cap_per_application="10000", max_contract_share="0.3",
        categories=["instrument"], valid_until=date(year, 12, 31), eligibility_rule=[])
    foreign = w.voucher(prog=gz_programme, decider=gz_manager, amount="3000")
    usage = w.usage()
    assert payable_by_voucher(usage, foreign) == D("0.00")
    _refused(usage, InvalidInput, "does not recognise", actor=w.ent_user, voucher_code=foreign.code)
    vs.do_set_recognition(actor=w.manager, programme_id=w.programme.pk, recognised=[gz_programme.pk])
    assert payable_by_voucher(usage, foreign) == D("360.00")  # the foreign programme's 30 % share
    payment = do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=foreign.code)
    assert payment.amount == D("360.00") and payment.contract.provider == w.provider


def test_booked_usage_page_preview_and_payment(w, client):
    voucher = w.voucher()
    booking = do_request_booking(actor=w.ent_user, instrument=w.instrument, start=at(1, 9), end=at(1, 12))
    do_approve_booking(actor=w.staff, booking=booking)
    usage = do_record_usage(actor=w.staff, instrument=w.instrument, booking=booking, start=at(1, 9),
                            end=at(1, 12), now=at(2))
    client.force_login(w.ent_user)
    page = client.get(f"/instruments/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Pay with an innovation voucher" in html and voucher.code in html
    assert "¥600.00" in html  # voucher part and enterprise part of the ¥1,200.00 charge
    response = client.post(f"/instruments/usage/{usage.pk}/voucher/", {"voucher_code": voucher.code},
                           HTTP_ACCEPT_LANGUAGE="en", follow=True)
    html = response.content.decode()
    assert "paid ¥600.00 of the charge" in html and 'id="usage-voucher-part"' in html
    assert "Pay with an innovation voucher" not in html
    # the owner's staff see the voucher part on the same usage
    client.logout()
    client.force_login(w.staff)
    html = client.get(f"/instruments/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="usage-voucher-part"' in html and "Pay with an innovation voucher" not in html
    # Chinese page
    html = client.get(f"/instruments/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "创新券" in html
    # another enterprise: 404
    client.logout()
    client.force_login(w.other_user)
    assert client.post(f"/instruments/usage/{usage.pk}/voucher/", {"voucher_code": voucher.code}).status_code == 404
    assert client.get(f"/instruments/usage/{usage.pk}/").status_code == 404


def test_api_preview_and_payment(w, client):
    voucher, usage = w.voucher(), w.usage()
    url = f"/api/v1/instruments/usage/{usage.pk}/voucher-payment"
    client.force_login(w.other_user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"voucher_code": voucher.code}, content_type="application/json").status_code == 404
    client.logout()
    client.force_login(w.ent_user)
    preview = client.get(url).json()
    assert preview["options"][0]["voucher_code"] == voucher.code
    assert D(preview["options"][0]["voucher_part"]) == D("600") == D(preview["options"][0]["enterprise_part"])
    response = client.post(url, {"voucher_code": voucher.code}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert D(body["paid_by_voucher"]) == D("600") and D(body["paid_by_enterprise"]) == D("600")
    again = client.post(url, {"voucher_code": voucher.code}, content_type="application/json")
    assert again.status_code == 409
    client.logout()
    client.force_login(w.staff)
    listed = client.get("/api/v1/instruments/usage/").json()
    assert [D(u["paid_by_voucher"]) for u in listed if u["id"] == usage.pk] == [D("600")]


def test_income_in_statistics_stays_the_full_charge(w):
    from techsme.core.permissions import scope
    from techsme.instruments.models import Instrument
    from techsme.instruments.stats import report

    voucher, usage = w.voucher(), w.usage()
    do_pay_usage_with_voucher(actor=w.ent_user, usage_id=usage.pk, voucher_code=voucher.code)
    result = report(scope(w.staff, "instrument.stats", Instrument.objects.all()), usage.start.year)
    assert [r.figures.income for r in result.rows] == [D("1200.00")]
