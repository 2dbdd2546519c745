""""Expire now" on a programme page expires that programme's vouchers only."""

from datetime import date

import pytest
from django.test import Client

from techsme.core.models import Job
from techsme.vouchers import services as s
from techsme.vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def test_expire_now_acts_on_this_programme_only(world, django_capture_on_commit_callbacks):
    past = date(world.programme.year - 1, 12, 31)
    sz = s.do_decide_application(actor=world.manager, approve=True, application_id=s.do_apply(
        actor=world.ent_user, programme_id=world.programme.pk, enterprise_id=world.enterprise.pk, amount="1000",
        purpose="x", submission_key="e1").pk).voucher
    gz = s.do_decide_application(actor=world.gz_manager, approve=True, application_id=s.do_apply(
        actor=world.gz_ent_user, programme_id=world.gz_programme.pk, enterprise_id=world.gz_enterprise.pk,
        amount="1000", purpose="x", submission_key="e2").pk).voucher
    Voucher.objects.filter(pk__in=[sz.pk, gz.pk]).update(valid_until=past)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/vouchers/programmes/{world.programme.pk}/", {"action": "expire"})
    assert response.status_code == 302
    job = Job.objects.get(kind="vouchers.expire")
    assert job.params == {"programme": world.programme.pk}
    assert job.result["expired"] == 1 and job.result["programme"] == world.programme.pk
    assert Voucher.objects.get(pk=sz.pk).state == "expired"
    assert Voucher.objects.get(pk=gz.pk).state == "active"
    # another region's manager cannot trigger it on this programme
    other = Client()
    other.force_login(world.gz_manager)
    assert other.post(f"/vouchers/programmes/{world.programme.pk}/", {"action": "expire"}).status_code == 403
    assert Job.objects.count() == 1
    # the scheduled run (no programme) still covers every programme
    assert s.expire_due_vouchers()["expired"] == 1
    assert Voucher.objects.get(pk=gz.pk).state == "expired"
