"""An enterprise sees its incentives with the amounts of the rules engine (and of `techsme assess`)."""

import csv
from decimal import Decimal

import pytest

from techsme.registry.models import AnnualFacts
from techsme.registry.selectors import facts_record
from techsme.rules import assess_main, assess_records
from tests.incentives.conftest import YEAR, login


def test_page_amounts_equal_assess_records_and_the_cli(world, tmp_path) -> None:
    sz = world["sz"]
    enterprise = sz["enterprise"]
    record = facts_record(enterprise, enterprise.facts.get(tax_year=YEAR))
    expected = assess_records([record])[0]

    # The same facts through the command-line entry point `techsme assess`.
    facts_csv, out_csv = tmp_path / "facts.csv", tmp_path / "out.csv"
    with facts_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(record))
        writer.writeheader()
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    assert assess_main([str(facts_csv), "-o", str(out_csv)]) == 0
    with out_csv.open(encoding="utf-8-sig") as handle:
        cli = next(csv.DictReader(handle))
    for column in ("eit_saving", "eit_payable", "rd_extra_deduction", "eit_saving_rd_deduction",
                   "eit_saving_regime"):
        assert cli[column] == expected[column]

    response = login(sz["ent_admin"]).get(f"/incentives/enterprises/{enterprise.pk}/?year={YEAR}",
                                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    incentives = {i.key: i for i in response.context["incentives"]}
    assert response.context["result"]["eit_saving"] == expected["eit_saving"]
    assert incentives["rd_super_deduction"].amount == Decimal(expected["eit_saving_rd_deduction"])
    assert incentives["small_low_profit"].amount == Decimal(expected["eit_saving_regime"])
    assert incentives["techsme"].status == "eligible"
    body = response.content.decode()
    assert f"¥{Decimal(expected['eit_saving']):,.2f}" in body
    # Why, near misses, legal basis with parameter links, how to claim.
    assert "Near misses" in body and "R&amp;D ÷ revenue" in body
    assert "/incentives/policy/parameters/rd.rate.general/" in body
    assert "年度汇算清缴" in body or "annual EIT filing" in body


def test_chinese_page_uses_the_chinese_texts(world) -> None:
    sz = world["sz"]
    client = login(sz["ent_admin"])
    client.cookies["django_language"] = "zh-hans"
    body = client.get(f"/incentives/enterprises/{sz['enterprise'].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
                      ).content.decode()
    assert "研发费用占销售收入比例" in body
    assert "自行判别、申报享受" in body


def test_unknown_facts_are_named(world, add_facts, make_enterprise) -> None:
    sz = world["sz"]
    facts = sz["enterprise"].facts.get(tax_year=YEAR)
    facts.rd_expense = None
    facts.save()
    response = login(sz["ent_admin"]).get(f"/incentives/enterprises/{sz['enterprise'].pk}/",
                                          HTTP_ACCEPT_LANGUAGE="en")
    techsme = next(i for i in response.context["incentives"] if i.key == "techsme")
    assert techsme.status == "unknown"
    assert "R&D expense" in techsme.missing


def test_agency_in_scope_sees_it_and_others_get_404(world) -> None:
    sz, gz = world["sz"], world["gz"]
    assert login(sz["reviewer"]).get(f"/incentives/enterprises/{sz['enterprise'].pk}/").status_code == 200
    assert login(gz["reviewer"]).get(f"/incentives/enterprises/{sz['enterprise'].pk}/").status_code == 404
    assert login(gz["ent_admin"]).get(f"/incentives/enterprises/{sz['enterprise'].pk}/").status_code == 404
    assert login(gz["ent_admin"]).get(f"/incentives/enterprises/{sz['enterprise'].pk}/{YEAR}/summary.pdf"
                                      ).status_code == 404


def test_what_if_shows_the_effect_and_saves_nothing(world) -> None:
    sz = world["sz"]
    enterprise = sz["enterprise"]
    before = AnnualFacts.objects.get(enterprise=enterprise, tax_year=YEAR)
    response = login(sz["ent_admin"]).post(
        f"/incentives/enterprises/{enterprise.pk}/{YEAR}/what-if/",
        {"rd_expense": "1800000", "rd_core_expense": "1700000", "tech_staff": "36"}, HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    record = facts_record(enterprise, before)
    expected = assess_records([{**record, "rd_expense": "1800000", "rd_core_expense": "1700000",
                                "tech_staff": 36}])[0]
    assert response.context["result"]["eit_saving"] == expected["eit_saving"]
    assert response.context["result"]["techsme_score"] == expected["techsme_score"]
    assert expected["eit_saving"] != assess_records([record])[0]["eit_saving"]
    after = AnnualFacts.objects.get(pk=before.pk)
    assert (after.rd_expense, after.tech_staff, after.updated_at) == (before.rd_expense, before.tech_staff,
                                                                     before.updated_at)
    bad = login(sz["ent_admin"]).post(f"/incentives/enterprises/{enterprise.pk}/{YEAR}/what-if/",
                                      {"employees": "-3"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and bad.context["errors"]


def test_pdf_summary(world) -> None:
    sz = world["sz"]
    response = login(sz["ent_admin"]).get(f"/incentives/enterprises/{sz['enterprise'].pk}/{YEAR}/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"STSong-Light" in response.content


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_api_returns_the_incentives(world, lang) -> None:
    sz = world["sz"]
    response = login(sz["ent_admin"]).get(f"/api/v1/incentives/enterprises/{sz['enterprise'].pk}?year={YEAR}",
                                          HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    data = response.json()
    assert data["explanation"]["schema"] == "techsme.explanation/v1"
    assert {i["key"] for i in data["incentives"]} >= {"techsme", "rd_super_deduction", "small_low_profit"}
    other = login(world["gz"]["ent_admin"]).get(f"/api/v1/incentives/enterprises/{sz['enterprise'].pk}")
    assert other.status_code == 404
