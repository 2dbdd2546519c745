"""How the facts form groups the fact columns (any column not listed lands in "other")."""

from django.utils.translation import gettext_lazy as _

from techsme.registry.facts_fields import FACT_FIELDS, Kind

GROUPS: list[tuple[str, object, tuple[str, ...]]] = [
    ("size", _("Size and finances"), (
        "employees", "tech_staff", "avg_headcount", "revenue", "total_cost_expense", "total_assets",
        "avg_total_assets", "taxable_income_before_incentives",
    )),
    ("rd", _("R&D detail"), (
        "rd_expense", "rd_core_expense", "rd_other_expense", "rd_commissioned_domestic", "rd_commissioned_foreign",
        "rd_intangible_amortization", "excluded_industry_revenue_share",
    )),
    ("ip", _("IP and qualifications"), (
        "ip_class1", "ip_class2", "hnte_certificate_valid", "tech_sme_registered", "national_award_top3_5y",
        "provincial_rd_institution", "led_standard_5y", "ic_or_machine_tool",
    )),
    ("compliance", _("Compliance"), (
        "restricted_industry", "major_accident", "serious_dishonesty", "abnormal_operation_listed",
    )),
    ("other", _("Other"), ("audited_books", "resident", "tech_transfer_income")),
]


def grouped_fields() -> list[tuple[str, object, list[str]]]:
    """``[(key, title, [field names])]`` covering every fact column exactly once."""
    seen: set[str] = set()
    out = []
    for key, title, names in GROUPS:
        present = [n for n in names if n in FACT_FIELDS and n not in seen]
        seen.update(present)
        out.append((key, title, present))
    leftovers = [n for n in FACT_FIELDS if n not in seen]
    out[-1][2].extend(leftovers)
    return out


MONEY_FIELDS = frozenset(
    n for n, kind in FACT_FIELDS.items()
    if kind == Kind.DECIMAL and n not in {"avg_headcount", "excluded_industry_revenue_share"}
)
