"""The payment file of a reimbursement batch: CSV and XLSX, formula-injection safe, scoped to agency and payee."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from techsme.vouchers import services as s
from techsme.vouchers.models import ServiceProvider
from tests.vouchers.conftest import contract, issue

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def batch(world):
    ServiceProvider.objects.filter(pk=world.provider.pk).update(institution="=HYPERLINK(\"http://x\")",
                                                                 uscc="91440300MA5XXXXX0X")
    voucher = issue(world, "20000")
    paid = []
    for amount in ("4000", "6000"):
        c = contract(world, voucher, amount)
        s.do_redeem(actor=world.lab_user, contract_id=c.pk, voucher_code=voucher.code)
        s.do_confirm_delivery(actor=world.lab_user, contract_id=c.pk, report="EMC test report 2026-001")
        s.do_verify_contract(actor=world.reviewer, contract_id=c.pk)
        paid.append(c)
    (b,) = s.do_reimburse(actor=world.manager, programme_id=world.programme.pk, period=s.current_period())
    return b


def test_csv_payment_file(world, batch):
    response = login(world.manager).get(f"/vouchers/reimbursements/{batch.pk}/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert "Payee (institution)" in lines[0] and "Unified social credit code" in lines[0]
    assert len(lines) == 4  # header, two redemptions, total
    assert "'=HYPERLINK" in lines[1]  # formula neutralised
    assert "91440300MA5XXXXX0X" in lines[1]
    assert lines[-1].split(",")[-2] == "5000.00" and batch.amount == Decimal("5000.00")


def test_xlsx_payment_file_by_the_provider(world, batch):
    response = login(world.lab_user).get(f"/vouchers/reimbursements/{batch.pk}/export/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][3].startswith("'=")
    assert sum(Decimal(str(r[10])) for r in values[1:-1]) == Decimal("5000.00") == Decimal(str(values[-1][10]))
    api = login(world.lab_user).get(f"/api/v1/vouchers/reimbursements/{batch.pk}/export?format=csv")
    assert api.status_code == 200 and api["Content-Type"].startswith("text/csv")


def test_outsiders_cannot_export(world, batch):
    for user in (world.gz_manager, world.lab2_user, world.ent_user):
        assert login(user).get(f"/vouchers/reimbursements/{batch.pk}/export/?format=csv").status_code == 404
        assert login(user).get(f"/api/v1/vouchers/reimbursements/{batch.pk}/export").status_code == 404
    assert login(world.manager).get(f"/vouchers/reimbursements/{batch.pk}/export/?format=pdf").status_code == 404
