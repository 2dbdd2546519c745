"""The bulk loader feeds the engine the same rows as `facts_record` (one vectorised call over all of them)."""

from datetime import date
from decimal import Decimal

import numpy as np

from techsme.incentives.population import load_population
from techsme.registry.models import AnnualFacts, IPAsset
from techsme.registry.selectors import facts_record
from techsme.rules import assess_columns, assess_records
from techsme.rules.money import money_texts


def test_bulk_columns_give_the_results_of_assess_records(world, make_enterprise, add_facts) -> None:
    sz = world["sz"]
    odd = make_enterprise(name="缺数据公司", region_code="440305", industry_code="C3962")
    add_facts(odd, rd_expense=None, taxable_income_before_incentives=Decimal("2999999.99"),
              hnte_certificate_valid=True, tech_sme_registered=False, ic_or_machine_tool=True,
              avg_headcount=Decimal("80.5"))
    with_ip = make_enterprise(name="有知识产权公司", region_code="440305")
    add_facts(with_ip, ip_class1=None, ip_class2=None)
    IPAsset.objects.create(enterprise=with_ip, kind="invention_patent", number="ZL1", title="x",
                           granted_on=date(2020, 1, 1))
    IPAsset.objects.create(enterprise=with_ip, kind="software_copyright", number="SR1", title="y",
                           granted_on=date(2025, 1, 1))  # granted after the tax year: not counted
    add_facts(sz["enterprise"], year=2023, revenue=Decimal("1000000"))

    qs = AnnualFacts.objects.order_by("pk")
    population = load_population(qs, chunk_rows=2)
    assert population.n == qs.count() == 5
    records = [facts_record(f.enterprise, f) for f in qs.select_related("enterprise")]
    expected = assess_records(records)
    got = assess_columns(population.table)
    order = {pk: i for i, pk in enumerate(qs.values_list("pk", flat=True))}
    assert len(order) == population.n
    for column in ("eit_payable", "eit_saving", "rd_extra_deduction", "eit_saving_regime"):
        texts = money_texts(got[column])
        assert sorted(map(str, texts)) == sorted(str(r[column]) for r in expected), column
    for column in ("techsme_score", "techsme_eligible"):
        values = got[column]
        mine = sorted("None" if np.isnan(v) else str(int(v)) for v in values)
        theirs = sorted("None" if r[column] is None else str(int(r[column])) for r in expected)
        assert mine == theirs, column
    row = int(np.flatnonzero(population.enterprise_ids == with_ip.pk)[0])
    assert (population.table["ip_class1"][row], population.table["ip_class2"][row]) == (1.0, 0.0)
