"""The venture-capital 70% deduction (财税〔2018〕55号) of one recorded investment, from the facts already on the
platform — the investment (date, amount, cash, held until), the fund (limited partnership) and the investee's registry
facts at the investment date — fed to the rules engine (``rules.variables.venture_capital``). Nobody retypes them;
what the registry does not hold (the share of graduates) stays unknown and is named as missing.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from techsme.finance.models import Investment, ListingStage
from techsme.rules.engine import Simulation
from techsme.rules.parameter_model import day_number
from techsme.rules.variables import venture_capital  # noqa: F401 — registers the variables

NAN = float("nan")
OUTPUTS = ("vc_startup_qualifies", "vc_hnte_sme_qualifies", "vc_deduction")


def _months(start: date, end: date) -> float:
    return (end.year - start.year) * 12 + (end.month - start.month) - (1 if end.day < start.day else 0)


def _num(value: Any) -> float:
    return NAN if value is None else float(value)


def facts_of(investment: Investment, today: date | None = None) -> dict[str, float]:
    """The rules engine's input columns for the investment (NaN = unknown)."""
    today = today or date.today()
    enterprise = investment.enterprise
    by_year = {f.tax_year: f for f in enterprise.facts.all()}
    before = by_year.get(investment.invested_on.year - 1) or by_year.get(investment.invested_on.year)
    rd_years = [by_year.get(investment.invested_on.year), by_year.get(investment.invested_on.year + 1)]
    rd_share = NAN
    if all(f is not None and f.rd_expense is not None and f.total_cost_expense for f in rd_years):
        rd_share = float(sum(f.rd_expense for f in rd_years) / sum(f.total_cost_expense for f in rd_years))
    listed = getattr(getattr(enterprise, "listing_track", None), "stage", None) == ListingStage.LISTED
    held_until = investment.exited_on or today
    return {
        "investment_date": float(day_number(investment.invested_on)),
        "investment_amount": float(investment.amount),
        "cash_direct_equity": 1.0 if investment.cash_direct_equity else 0.0,
        "holding_months": float(max(_months(investment.invested_on, held_until), 0)),
        "startup_founded_on": float(day_number(enterprise.founded_on)),
        "startup_resident_audited": NAN if before is None else float(bool(before.resident and before.audited_books)),
        "startup_listed_within_2y": 1.0 if listed else 0.0,
        "startup_headcount": NAN if before is None else _num(before.avg_headcount or before.employees),
        "startup_degree_share": NAN,  # not in the registry
        "startup_total_assets": NAN if before is None else _num(before.avg_total_assets or before.total_assets),
        "startup_revenue": NAN if before is None else _num(before.revenue),
        "startup_rd_share_2y": rd_share,
        "investee_hnte_sme": NAN if before is None else float(bool(before.hnte_certificate_valid)),
        "via_partnership": 1.0 if investment.fund.limited_partnership else 0.0,
    }


def assess(investment: Investment, today: date | None = None) -> dict[str, Any]:
    """``{"startup": True/False/None, "hnte_sme": …, "deduction": Decimal or None, "facts": {...}}``."""
    facts = facts_of(investment, today)
    simulation = Simulation({k: np.array([v]) for k, v in facts.items()})

    def flag(name: str) -> bool | None:
        value = float(simulation(name)[0])
        return None if np.isnan(value) else value == 1.0

    deduction = float(simulation("vc_deduction")[0])
    return {
        "startup": flag("vc_startup_qualifies"),
        "hnte_sme": flag("vc_hnte_sme_qualifies"),
        "deduction": None if np.isnan(deduction) else Decimal(str(round(deduction, 2))).quantize(Decimal("0.01")),
        "holding_months": int(facts["holding_months"]),
        "unknown": sorted(k for k, v in facts.items() if np.isnan(v)),
    }
