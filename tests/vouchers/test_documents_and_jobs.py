"""Contract documents (type and size checked), budget top-ups applied once, the expiry job from the programme page."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from techsme.core.errors import InvalidInput, PermissionDenied
from techsme.core.models import Job, LedgerTransaction
from techsme.vouchers import services as s
from tests.vouchers.conftest import issue, key

pytestmark = pytest.mark.django_db


def test_contract_document_is_stored_and_checked(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    voucher = issue(world, "5000")
    args = dict(actor=world.ent_user, voucher_id=voucher.pk, provider_id=world.provider.pk, category="testing",
                amount="2000", description="EMC")
    with pytest.raises(InvalidInput, match="PDF, JPEG or PNG"):
        s.do_record_contract(**args, submission_key=key(),
                             document=SimpleUploadedFile("contract.exe", b"MZ...", "application/octet-stream"))
    with pytest.raises(InvalidInput, match="PDF, JPEG or PNG"):  # the name says PDF, the bytes say otherwise
        s.do_record_contract(**args, submission_key=key(),
                             document=SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 renamed", "application/pdf"))
    contract = s.do_record_contract(**args, submission_key=key(),
                                    document=SimpleUploadedFile("contract.pdf", b"%PDF-1.4 test", "application/pdf"))
    assert contract.document.name.endswith(".pdf")
    assert (tmp_path / contract.document.name).read_bytes().startswith(b"%PDF")


def test_budget_top_up_applies_once(world):
    s.do_fund_programme(actor=world.manager, programme_id=world.programme.pk, amount="5000", request_key="t1")
    with pytest.raises(s.DuplicateSubmission):
        s.do_fund_programme(actor=world.manager, programme_id=world.programme.pk, amount="5000", request_key="t1")
    world.programme.budget_account.refresh_from_db()
    assert world.programme.budget_account.balance == Decimal("105000.00")
    assert LedgerTransaction.objects.filter(kind="fund", idempotency_key__contains=":fund:t1").count() == 1
    with pytest.raises(PermissionDenied):
        s.do_fund_programme(actor=world.gz_manager, programme_id=world.programme.pk, amount="5", request_key="t2")


def test_expiry_job_from_the_programme_page(world, django_capture_on_commit_callbacks):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/vouchers/programmes/{world.programme.pk}/", {"action": "expire"})
    assert response.status_code == 302
    job = Job.objects.get(kind="vouchers.expire")
    assert job.status == Job.Status.DONE and job.result["expired"] == 0
