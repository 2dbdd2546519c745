"""The finance pages for each role: what they show, the actions they offer, refusals shown with the input kept,
the XLSX export escaped against formula injection."""

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from techsme.finance import services as s
from techsme.finance.models import LoanState
from tests.finance.conftest import default, enrolled_loan, loan_data

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def test_every_role_sees_its_own_pages(scheme):
    loan = enrolled_loan(scheme)
    for who in ("manager", "reviewer", "officer", "admin"):
        client = browser(scheme[who])
        for url in ("/finance/", f"/finance/pools/{scheme['pool'].pk}/", "/finance/loans/",
                    f"/finance/loans/{loan.pk}/", "/finance/claims/"):
            r = client.get(url)
            assert r.status_code == 200, (who, url)
    assert browser(scheme["gz_manager"]).get(f"/finance/loans/{loan.pk}/").status_code == 404
    assert browser(scheme["other_officer"]).get(f"/finance/loans/{loan.pk}/").status_code == 404
    mine = browser(scheme["ent_admin"]).get("/finance/")
    assert loan.agreement.bank.name in mine.content.decode()


def test_the_bank_files_a_loan_on_the_page_and_sees_the_check(scheme):
    client = browser(scheme["officer"])
    url = f"/finance/agreements/{scheme['agreement'].pk}/loans/new/"
    data = {**loan_data(), "enterprise_uscc": scheme["enterprise"].uscc, "amount": "1,5"}
    page = client.post(url, data)
    assert page.status_code == 200 and "CMB-2025-001" in page.content.decode()  # refused, the input kept
    data["amount"] = "1500000"
    r = client.post(url, data)
    assert r.status_code == 302
    detail = client.get(r["Location"]).content.decode()
    assert "Eligibility checked at filing" in detail and "at most this many employees" in detail


def test_a_refused_approval_shows_the_criteria(scheme):
    loan = default(scheme, enrolled_loan(scheme))
    claim = s.do_create_claim(actor=scheme["officer"], loan_id=loan.pk, loss="1000000", submit=True)
    s.do_first_review(actor=scheme["reviewer"], claim_id=claim.pk)
    page = browser(scheme["manager"]).get(f"/finance/claims/{claim.pk}/").content.decode()
    assert "No documents support the claim" in page
    r = browser(scheme["manager"]).post(f"/finance/claims/{claim.pk}/", {"action": "approve", "note": "keep me"})
    body = r.content.decode()
    assert r.status_code == 200 and "No documents support the claim" in body and "keep me" in body
    r = browser(scheme["admin"]).post(f"/finance/claims/{claim.pk}/", {
        "action": "approve", "override_reason": "原件已线下核验"})
    assert r.status_code == 302
    assert "Approved by override" in browser(scheme["admin"]).get(r["Location"]).content.decode()


def test_the_export_escapes_formulas(scheme):
    loan = s.do_create_loan(actor=scheme["officer"], agreement_id=scheme["agreement"].pk,
                            enterprise_uscc=scheme["enterprise"].uscc,
                            **loan_data(contract_number="=HYPERLINK(\"http://x\")"))
    assert loan.state == LoanState.FILED
    with translation.override("en"):
        r = browser(scheme["officer"]).get("/finance/loans/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = [c.value for c in sheet["A"]]
    assert values[0] == "Loan contract number"
    assert values[1].startswith("'=")
