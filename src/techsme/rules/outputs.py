"""The result columns (facts.md "Output columns" plus documented extras) and how each is written."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from techsme.rules.engine import REGISTRY, Simulation, is_null
from techsme.rules.money import money_texts


@dataclass(frozen=True)
class OutputColumn:
    name: str
    variable: str
    form: str  # money | score | bool | text | rate | year | points_range

    def convert(self, column: np.ndarray) -> list[Any]:
        """Column values as JSON-ready Python values (money as 2-decimal text)."""
        if self.form == "money":
            return money_texts(column)
        if self.form == "text":
            return [None if v is None else str(v) for v in column.tolist()]
        values = column.tolist()
        if self.form in ("score", "year"):
            return [None if math.isnan(v) else int(v) for v in values]
        if self.form == "bool":
            return [None if math.isnan(v) else bool(v) for v in values]
        return [None if math.isnan(v) else round(v, 10) for v in values]


REQUIRED_OUTPUTS: tuple[OutputColumn, ...] = (
    OutputColumn("uscc", "uscc", "text"),
    OutputColumn("tax_year", "tax_year", "year"),
    OutputColumn("techsme_staff_score", "techsme_staff_score", "score"),
    OutputColumn("techsme_rd_score", "techsme_rd_score", "score"),
    OutputColumn("techsme_ip_score", "techsme_ip_score", "score"),
    OutputColumn("techsme_score", "techsme_score", "score"),
    OutputColumn("techsme_route", "techsme_route", "text"),
    OutputColumn("techsme_eligible", "techsme_eligible", "bool"),
    OutputColumn("techsme_fail_reasons", "techsme_fail_reasons", "text"),
    OutputColumn("rd_deduction_rate", "rd_deduction_rate", "rate"),
    OutputColumn("rd_extra_deduction", "rd_extra_deduction", "money"),
    OutputColumn("eit_regime", "eit_regime", "text"),
    OutputColumn("eit_payable", "eit_payable", "money"),
    OutputColumn("eit_payable_without_incentives", "eit_payable_without_incentives", "money"),
    OutputColumn("eit_saving", "eit_saving", "money"),
)

EXTRA_OUTPUTS: tuple[OutputColumn, ...] = (
    OutputColumn("techsme_condition_resident", "techsme_condition_resident", "bool"),
    OutputColumn("techsme_condition_size", "techsme_condition_size", "bool"),
    OutputColumn("techsme_condition_industry", "techsme_condition_industry", "bool"),
    OutputColumn("techsme_condition_compliance", "techsme_condition_compliance", "bool"),
    OutputColumn("techsme_score_condition", "techsme_score_condition", "bool"),
    OutputColumn("techsme_direct_route", "techsme_direct_route", "bool"),
    OutputColumn("rd_deduction_base", "rd_deduction_base", "money"),
    OutputColumn("eit_taxable_income", "eit_taxable_income", "money"),
    OutputColumn("eit_small_low_profit_eligible", "eit_small_low_profit_eligible", "bool"),
    OutputColumn("eit_saving_rd_deduction", "eit_saving_rd_deduction", "money"),
    OutputColumn("eit_saving_tech_transfer", "eit_saving_tech_transfer", "money"),
    OutputColumn("eit_saving_regime", "eit_saving_regime", "money"),
    OutputColumn("hnte_precheck", "hnte_precheck", "bool"),
    OutputColumn("hnte_innovation_score_low", "hnte_innovation_score_low", "score"),
    OutputColumn("hnte_innovation_score_high", "hnte_innovation_score_high", "score"),
    OutputColumn("hnte_ip_quantity_score_low", "hnte_ip_quantity_score_low", "score"),
    OutputColumn("hnte_ip_quantity_score_high", "hnte_ip_quantity_score_high", "score"),
    OutputColumn("hnte_growth_score_low", "hnte_growth_score_low", "score"),
    OutputColumn("hnte_growth_score_high", "hnte_growth_score_high", "score"),
    OutputColumn("six_taxes_two_fees_eligible", "six_taxes_two_fees_eligible", "bool"),
)

OUTPUTS = REQUIRED_OUTPUTS + EXTRA_OUTPUTS
MISSING_FACTS_COLUMN = "missing_facts"
COMPUTED_OUTPUT_VARIABLES = tuple(o.variable for o in REQUIRED_OUTPUTS if not REGISTRY[o.variable].is_input)


def compute_outputs(simulation: Simulation) -> dict[str, np.ndarray]:
    """Evaluate every output variable (raw columns, full precision)."""
    return {o.name: simulation(o.variable) for o in OUTPUTS}


def missing_facts_column(simulation: Simulation) -> np.ndarray:
    """Per row, the ';'-separated unknown input facts behind any unknown facts.md output (vectorised)."""
    any_unknown = np.zeros(simulation.n, dtype=bool)
    for name in COMPUTED_OUTPUT_VARIABLES:
        any_unknown |= is_null(simulation(name))
    texts = np.full(simulation.n, "", dtype=object)
    if not any_unknown.any():
        return texts
    inputs: list[str] = []
    for name in COMPUTED_OUTPUT_VARIABLES:
        for dep in simulation.closure(name):
            if REGISTRY[dep].is_input and dep not in inputs:
                inputs.append(dep)
    inputs = inputs[:64]
    bits = np.zeros(simulation.n, dtype=np.uint64)
    for bit, name in enumerate(inputs):
        bits |= (is_null(simulation(name)) & any_unknown).astype(np.uint64) << np.uint64(bit)
    unique, inverse = np.unique(bits, return_inverse=True)
    names = np.array(
        [";".join(n for bit, n in enumerate(inputs) if int(value) >> bit & 1) for value in unique], dtype=object
    )
    return names[inverse.reshape(-1)]
