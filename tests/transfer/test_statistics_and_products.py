"""Turnover statistics (the selector monitoring reads) and the innovative-products catalogue."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from techsme.transfer import selectors, services

pytestmark = pytest.mark.django_db


def _registered(market, enterprise_key, admin_key, reviewer_key, amount, tech, category="development",
                subtype="commissioned"):
    enterprise = market[enterprise_key]
    today = timezone.localdate()
    contract = services.do_submit_contract(actor=market[admin_key], seller=enterprise.organisation, data={
        "title": f"合同{amount}", "buyer_name": "买方", "category": category, "subtype": subtype,
        "industry_code": enterprise.industry_code, "contract_amount": amount, "signed_on": today})
    return services.do_register_contract(actor=market[reviewer_key], contract_id=contract.pk, tech_amount=tech)


def test_turnover_by_region_category_and_industry(market):
    _registered(market, "sz_enterprise", "sz_ent_admin", "sz_reviewer", "1000000", "800000")
    _registered(market, "sz_enterprise", "sz_ent_admin", "sz_reviewer", "500000.50", "500000.50", "service",
                "training")
    _registered(market, "gz_enterprise", "gz_ent_admin", "gz_reviewer", "300000", "200000")
    year = timezone.localdate().year
    rows = selectors.contract_turnover(level=4)
    assert [(r["key"], r["year"], r["contracts"], r["contract_amount"], r["tech_amount"]) for r in rows] == [
        ("4401", year, 1, Decimal("300000.00"), Decimal("200000.00")),
        ("4403", year, 2, Decimal("1500000.50"), Decimal("1300000.50")),
    ]
    assert [r["key"] for r in selectors.contract_turnover(by="category")] == ["development", "service"]
    assert selectors.contract_turnover(region_prefix="4401", level=2)[0]["key"] == "44"
    assert selectors.contract_turnover(year_from=year + 1) == []
    with pytest.raises(ValueError):
        selectors.contract_turnover(by="colour")


def test_unregistered_contracts_do_not_count(market):
    enterprise = market["sz_enterprise"]
    services.do_submit_contract(actor=market["sz_ent_admin"], seller=enterprise.organisation, data={
        "title": "未登记", "buyer_name": "买方", "category": "development", "subtype": "commissioned",
        "industry_code": "C3841", "contract_amount": "1000", "signed_on": timezone.localdate() - timedelta(days=1)})
    assert selectors.contract_turnover() == []


def test_products_need_intellectual_property_and_are_exported(client, market):
    from techsme.registry.models import IPAsset

    enterprise = market["buyer"]
    product = services.do_submit_product(actor=market["buyer_admin"], enterprise=enterprise, data={
        "name": "固态电池模组", "description": "高安全", "industry_code": "C3841", "price": "50000"})
    with pytest.raises(services.Refused):
        services.do_decide_product(actor=market["sz_reviewer"], product_id=product.pk, approve=True)
    IPAsset.objects.create(enterprise=enterprise, kind="invention_patent", number="ZL201910123456.X", title="电池")
    services.do_decide_product(actor=market["sz_reviewer"], product_id=product.pk, approve=True)
    assert list(selectors.product_catalogue()) == [product]
    response = client.get("/transfer/products/export.csv")
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "固态电池模组" in body and enterprise.uscc in body
    assert client.get("/transfer/products/export.xlsx").content[:2] == b"PK"
    assert client.get("/transfer/products/export.pdf").status_code == 404
