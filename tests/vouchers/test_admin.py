"""The voucher admin is read-only and scoped."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.vouchers.conftest import issue

pytestmark = pytest.mark.django_db


def test_admin_lists_are_scoped_and_read_only(world):
    voucher = issue(world, "5000")
    for user, visible in ((world.admin, True), (world.gz_manager, False)):
        user.is_staff = True
        user.save()
        client = Client()
        client.force_login(user)
        page = client.get(reverse("admin:vouchers_voucher_changelist"))
        assert page.status_code == 200
        assert (voucher.code in page.content.decode()) is visible
    client = Client()
    client.force_login(world.admin)
    assert client.get(reverse("admin:vouchers_voucher_add")).status_code == 403
