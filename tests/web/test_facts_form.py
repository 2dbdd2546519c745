"""The facts form: grouped fields, errors shown next to fields and in a summary, nothing saved on error."""

from decimal import Decimal

import pytest

from techsme.registry.facts_fields import FACT_FIELDS

pytestmark = pytest.mark.django_db


def _url(enterprise, year=2024):
    return f"/enterprises/{enterprise.pk}/facts/{year}/"


def test_form_has_every_fact_field(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    body = client.get(_url(sz["enterprise"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in FACT_FIELDS:
        assert f'name="{name}"' in body, name
    for group in ("Size and finances", "R&amp;D detail", "IP and qualifications", "Compliance", "Other"):
        assert group in body


def test_valid_facts_are_saved(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    response = client.post(_url(sz["enterprise"]), {
        "employees": "120", "tech_staff": "30", "revenue": "12,345,678.90", "rd_expense": "800000",
        "total_cost_expense": "9000000", "audited_books": "true", "resident": "true", "tech_sme_registered": "false",
    })
    assert response.status_code == 302
    facts = sz["enterprise"].facts.get(tax_year=2024)
    assert facts.employees == 120 and facts.tech_staff == 30
    assert facts.revenue == Decimal("12345678.90")
    assert facts.audited_books is True and facts.hnte_certificate_valid is False
    assert facts.tech_sme_registered is False and facts.ic_or_machine_tool is None
    page = client.get(f"/enterprises/{sz['enterprise'].pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥12,345,678.90" in page


def test_invalid_facts_show_errors_and_save_nothing(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    response = client.post(_url(sz["enterprise"]), {"employees": "10", "tech_staff": "25", "revenue": "-5"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "cannot exceed employees" in body
    assert "cannot be negative" in body
    assert 'id="e-tech_staff"' in body and 'id="e-revenue"' in body  # next to the fields
    assert 'value="25"' in body and 'value="-5"' in body  # values kept
    assert not sz["enterprise"].facts.exists()


def test_unparseable_values_are_reported(client, two_regions):
    sz = two_regions["sz"]
    client.force_login(sz["ent_admin"])
    response = client.post(_url(sz["enterprise"]), {"employees": "many", "revenue": "1.5e3x"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "is not a number" in response.content.decode()
    assert not sz["enterprise"].facts.exists()


def test_existing_values_prefill_the_form(client, two_regions):
    from techsme.registry.services import do_save_facts

    sz = two_regions["sz"]
    do_save_facts(actor=sz["ent_admin"], enterprise_id=sz["enterprise"].pk, tax_year=2023,
                  values={"employees": 77, "revenue": Decimal("1000000.00")})
    client.force_login(sz["ent_admin"])
    body = client.get(_url(sz["enterprise"], 2023)).content.decode()
    assert 'value="77"' in body and 'value="1000000"' in body
