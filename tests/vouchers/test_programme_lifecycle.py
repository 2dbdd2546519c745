"""Agencies edit a programme's settings and suspend / resume / close it; closing returns the unissued budget through
the ledger; refused transitions (409) and outsiders (403/404) change nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.ledger import verify_balances
from techsme.core.models import AuditEvent, LedgerAccount, LedgerTransaction
from techsme.vouchers import services as s
from techsme.vouchers.models import Application, Programme, ProgrammeState, Voucher
from techsme.vouchers.services import programmes as ps
from tests.vouchers.conftest import issue, key

pytestmark = pytest.mark.django_db
D = Decimal


def login(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def snapshot(programme) -> tuple:
    p = Programme.objects.get(pk=programme.pk)
    return (p.state, p.cap_per_application, p.cap_per_enterprise_year, p.max_contract_share, p.categories,
            p.valid_until, p.description, LedgerAccount.objects.get(pk=p.budget_account_id).balance,
            LedgerTransaction.objects.count(), AuditEvent.objects.count())


def test_edit_settings_audited_with_before_and_after(world):
    year = world.programme.year
    p = ps.do_edit_programme(actor=world.manager, programme_id=world.programme.pk, cap_per_application="15000",
                             max_contract_share="40%", categories=["testing", "instrument"],
                             valid_until=date(year + 1, 6, 30), description="Second round")
    p.refresh_from_db()
    assert (p.cap_per_application, p.max_contract_share, p.categories) == (D("15000.00"), D("0.400"),
                                                                           ["testing", "instrument"])
    assert p.valid_until == date(year + 1, 6, 30) and p.description == "Second round"
    event = AuditEvent.objects.filter(verb="vouchers.edit_programme").latest("pk")
    assert "cap_per_application" in event.changes and "max_contract_share" in event.changes


def test_invalid_edit_changes_nothing(world):
    before = snapshot(world.programme)
    with pytest.raises(InvalidInput) as exc:
        ps.do_edit_programme(actor=world.manager, programme_id=world.programme.pk, cap_per_application="60000")
    assert exc.value.errors[0].field == "cap_per_application"
    with pytest.raises(InvalidInput):
        ps.do_edit_programme(actor=world.manager, programme_id=world.programme.pk, max_contract_share="1.5",
                             categories=["nonsense"])
    with pytest.raises(InvalidInput):
        ps.do_edit_programme(actor=world.manager, programme_id=world.programme.pk, year=1999)
    assert snapshot(world.programme) == before


def test_other_region_agency_and_enterprises_may_not_edit_or_move(world):
    before = snapshot(world.programme)
    for actor in (world.gz_manager, world.ent_user, world.lab_user, world.reviewer):
        with pytest.raises(PermissionDenied):
            ps.do_edit_programme(actor=actor, programme_id=world.programme.pk, description="x")
        with pytest.raises(PermissionDenied):
            ps.do_close_programme(actor=actor, programme_id=world.programme.pk, reason="x")
    assert snapshot(world.programme) == before
    assert login(world.gz_manager).get(f"/vouchers/programmes/{world.programme.pk}/edit/").status_code == 403
    assert login(world.gz_manager).post(f"/vouchers/programmes/{world.programme.pk}/",
                                        {"action": "close", "close-reason": "x"}).status_code == 403
    api = login(world.gz_manager).post(f"/api/v1/vouchers/programmes/{world.programme.pk}/close",
                                       {"reason": "x"}, content_type="application/json")
    assert api.status_code == 403
    assert snapshot(world.programme) == before


def test_suspended_programme_takes_no_applications_or_issuances(world):
    waiting = s.do_apply(actor=world.ent_user, programme_id=world.programme.pk, enterprise_id=world.enterprise.pk,
                         amount="5000", purpose="EMC", submission_key=key())
    ps.do_suspend_programme(actor=world.manager, programme_id=world.programme.pk, reason="Audit of round one")
    with pytest.raises(Conflict, match="suspended"):
        s.do_apply(actor=world.ent_user, programme_id=world.programme.pk, enterprise_id=world.enterprise.pk,
                   amount="5000", purpose="EMC", submission_key=key())
    with pytest.raises(Conflict, match="suspended"):
        s.do_decide_application(actor=world.manager, application_id=waiting.pk, approve=True)
    assert Application.objects.get(pk=waiting.pk).state == "submitted" and not Voucher.objects.exists()
    ps.do_resume_programme(actor=world.manager, programme_id=world.programme.pk)
    s.do_decide_application(actor=world.manager, application_id=waiting.pk, approve=True)
    assert Voucher.objects.count() == 1


def test_close_returns_the_unissued_budget_through_the_ledger(world):
    voucher = issue(world, "20000")
    world_account = LedgerAccount.objects.get(code="world:finance:440300")
    source_before = world_account.balance
    p = ps.do_close_programme(actor=world.manager, programme_id=world.programme.pk, reason="Budget year ended")
    assert p.state == ProgrammeState.CLOSED and p.closed_at is not None
    p.budget_account.refresh_from_db()
    world_account.refresh_from_db()
    assert p.budget_account.balance == D("0.00")
    assert world_account.balance == source_before + D("80000.00")
    txn = LedgerTransaction.objects.get(idempotency_key=f"programme:{p.pk}:close")
    assert txn.kind == "programme_return"
    event = AuditEvent.objects.filter(verb="vouchers.close_programme").latest("pk")
    assert event.changes["state"] == ["open", "closed"]
    # the issued voucher stays usable; no new applications, issuances or top-ups
    voucher.account.refresh_from_db()
    assert voucher.account.balance == D("20000.00")
    with pytest.raises(Conflict):
        s.do_apply(actor=world.ent_user, programme_id=p.pk, enterprise_id=world.enterprise.pk, amount="100",
                   purpose="x", submission_key=key())
    with pytest.raises(Conflict):
        s.do_fund_programme(actor=world.manager, programme_id=p.pk, amount="100", request_key="late")
    # a later cancellation returns the balance to the budget and on to the source
    s.do_cancel_voucher(actor=world.manager, voucher_id=voucher.pk, reason="not needed")
    p.budget_account.refresh_from_db()
    world_account.refresh_from_db()
    assert p.budget_account.balance == D("0.00")
    assert world_account.balance == source_before + D("100000.00")
    assert verify_balances() == []


def test_illegal_transitions_are_409_with_a_reason_and_change_nothing(world):
    client = login(world.manager)
    url = f"/api/v1/vouchers/programmes/{world.programme.pk}"
    before = snapshot(world.programme)
    response = client.post(f"{url}/resume", {}, content_type="application/json")
    assert response.status_code == 409 and "open" in response.json()["detail"]
    assert snapshot(world.programme) == before
    assert client.post(f"{url}/close", {"reason": "done"}, content_type="application/json").status_code == 200
    closed = snapshot(world.programme)
    for path in ("suspend", "resume", "close"):
        response = client.post(f"{url}/{path}", {"reason": "again"}, content_type="application/json")
        assert response.status_code == 409, path
        assert "closed" in response.json()["detail"]
    response = client.patch(url, {"description": "late"}, content_type="application/json")
    assert response.status_code == 409
    assert snapshot(world.programme) == closed
    # the page refuses the same way (409) and shows the reason
    page = client.post(f"/vouchers/programmes/{world.programme.pk}/", {"action": "resume"})
    assert page.status_code == 409


def test_close_needs_a_reason(world):
    before = snapshot(world.programme)
    response = login(world.manager).post(f"/api/v1/vouchers/programmes/{world.programme.pk}/close",
                                         {"reason": " "}, content_type="application/json")
    assert response.status_code == 422
    assert snapshot(world.programme) == before


def test_settings_page_and_state_buttons(world):
    client = login(world.manager)
    page = client.get(f"/vouchers/programmes/{world.programme.pk}/")
    assert page.status_code == 200 and "Suspend" in page.content.decode()
    form = client.get(f"/vouchers/programmes/{world.programme.pk}/edit/")
    assert form.status_code == 200
    data = {"cap_per_enterprise_year": "50000", "cap_per_application": "10000", "max_contract_share": "0.5",
            "categories": ["testing", "rd"], "valid_until": world.programme.valid_until.isoformat(),
            "description": "Updated"}
    assert client.post(f"/vouchers/programmes/{world.programme.pk}/edit/", data).status_code == 302
    assert Programme.objects.get(pk=world.programme.pk).cap_per_application == D("10000.00")
    bad = client.post(f"/vouchers/programmes/{world.programme.pk}/edit/", {**data, "cap_per_application": "90000"})
    assert bad.status_code == 422 and "cannot exceed" in bad.content.decode()
    response = client.post(f"/vouchers/programmes/{world.programme.pk}/", {"action": "suspend",
                                                                          "suspend-reason": "pause"})
    assert response.status_code == 302
    assert Programme.objects.get(pk=world.programme.pk).state == "suspended"
    ent_page = login(world.ent_user).get(f"/vouchers/programmes/{world.programme.pk}/").content.decode()
    assert "Apply for a voucher" not in ent_page and "suspended" in ent_page


def test_refused_transition_on_the_page_is_409_with_the_reason(world):
    client = login(world.manager)
    ps.do_close_programme(actor=world.manager, programme_id=world.programme.pk, reason="done")
    before = snapshot(world.programme)
    response = client.post(f"/vouchers/programmes/{world.programme.pk}/", {"action": "suspend",
                                                                          "suspend-reason": "again"})
    assert response.status_code == 409 and "closed" in response.content.decode()
    edit = client.post(f"/vouchers/programmes/{world.programme.pk}/edit/", {
        "cap_per_enterprise_year": "50000", "cap_per_application": "10000", "max_contract_share": "0.5",
        "categories": ["testing"], "valid_until": world.programme.valid_until.isoformat()})
    assert edit.status_code == 409
    assert snapshot(world.programme) == before


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_new_pages_render_in_both_languages(world, lang):
    manager = Client(headers={"Accept-Language": lang})
    manager.force_login(world.manager)
    lab = Client(headers={"Accept-Language": lang})
    lab.force_login(world.lab_user)
    service = world.provider.services.first()
    pages = [(manager, f"/vouchers/programmes/{world.programme.pk}/edit/", "修改设置", "Edit the settings"),
             (manager, f"/vouchers/programmes/{world.programme.pk}/", "项目状态", "State of the programme"),
             (lab, f"/vouchers/providers/{world.provider.pk}/services/new/", "添加服务", "Add a service"),
             (lab, f"/vouchers/providers/{world.provider.pk}/services/{service.pk}/", "停止提供该服务",
              "Withdraw the service")]
    for client, url, zh, en in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert (zh if lang == "zh-hans" else en) in response.content.decode(), url


def test_dashboard_after_close_counts_the_returned_budget_as_neither_used_nor_free(world):
    from techsme.vouchers.selectors import programme_figures

    voucher = issue(world, "20000")
    ps.do_close_programme(actor=world.manager, programme_id=world.programme.pk, reason="end")
    f = programme_figures(Programme.objects.get(pk=world.programme.pk))
    assert (f.funded, f.returned, f.free, f.committed, f.used) == (D("20000.00"), D("80000.00"), D("0.00"),
                                                                   D("20000.00"), D("0.00"))
    s.do_cancel_voucher(actor=world.manager, voucher_id=voucher.pk, reason="x")
    f = programme_figures(Programme.objects.get(pk=world.programme.pk))
    assert (f.funded, f.returned, f.free, f.committed, f.used) == (D("0.00"), D("100000.00"), D("0.00"),
                                                                   D("0.00"), D("0.00"))
