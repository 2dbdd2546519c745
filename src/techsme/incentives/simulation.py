"""Reform simulation over a population: baseline and reform in one vectorised engine call each, then aggregates.

Money is rounded half-up to the fen per enterprise (as ``techsme assess`` writes it) and summed as whole fen, so a
total equals the sum of the per-enterprise figures a user would see.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl

from techsme.incentives.population import Population
from techsme.refdata import industry_sections, region_name
from techsme.registry.selectors import SIZE_CLASSES
from techsme.rules import assess_columns, parameter_listing
from techsme.rules.money import money_cents

HISTOGRAM_BINS = 20
ProgressFn = Callable[[float, str], None]


def _yuan(cents: float | int) -> str:
    return str((Decimal(int(round(cents))) / 100).quantize(Decimal("0.01")))


def _group_sums(keys: np.ndarray, columns: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
    """Per distinct key: count and the sum of each cents column (NaN treated as 0), via a polars group-by."""
    if keys.size == 0:
        return []
    frame = pl.DataFrame({"key": pl.Series(keys, dtype=pl.String).fill_null(""),
                          **{name: np.nan_to_num(values) for name, values in columns.items()}})
    grouped = frame.group_by("key").agg(pl.len().alias("count"), *[pl.col(name).sum() for name in columns])
    out = []
    for row in grouped.sort("key").iter_rows(named=True):
        out.append({"key": row["key"], "count": int(row["count"]),
                    **{name: _yuan(row[name]) for name in columns}})
    return out


def _prefixes(codes: np.ndarray, length: int) -> np.ndarray:
    return pl.Series(codes, dtype=pl.String).fill_null("").str.slice(0, length).to_numpy()


def size_class_of(employees: np.ndarray) -> np.ndarray:
    names = np.array([*SIZE_CLASSES, "unknown"])
    index = np.full(employees.size, len(SIZE_CLASSES))
    for i, (low, high) in enumerate(SIZE_CLASSES.values()):
        mask = employees >= low if high is None else (employees >= low) & (employees <= high)
        index[mask] = i
    return names[index]


def _histogram(delta_yuan: np.ndarray) -> dict[str, Any]:
    changed = delta_yuan[~np.isnan(delta_yuan) & (np.abs(delta_yuan) >= 0.005)]
    unchanged = int(np.sum(~np.isnan(delta_yuan)) - changed.size)
    if changed.size == 0:
        return {"bins": [], "unchanged": unchanged}
    low, high = float(changed.min()), float(changed.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(changed, bins=HISTOGRAM_BINS, range=(low, high))
    bins = [{"from": round(float(edges[i]), 2), "to": round(float(edges[i + 1]), 2), "count": int(counts[i])}
            for i in range(counts.size)]
    return {"bins": bins, "unchanged": unchanged}


def parameters_used(changes: Mapping[str, Any], effective_from: dt.date) -> list[dict[str, Any]]:
    """For each changed parameter: labels, unit, the law's value and history with citations, the new value."""
    listing = {p["path"]: p for p in parameter_listing(at=effective_from)}
    out = []
    for path, value in changes.items():
        base_path, _, sub = path.partition("[")
        entry = listing.get(base_path)
        if entry is None:
            continue
        sub_path = f"[{sub}" if sub else ""
        history = [h for h in entry["history"] if not sub_path or h["sub_path"] == sub_path.lstrip(".")
                   or h["sub_path"].endswith(sub_path) or h["sub_path"] == sub_path]
        current: Any = entry["value"]
        if sub_path and isinstance(current, list):
            index = int(sub.split("]")[0])
            part = sub.split(".")[-1]
            current = current[index][part] if index < len(current) else None
        out.append({
            "path": path, "label": entry["label"], "unit": entry["unit"], "law_value": current,
            "new_value": value, "effective_from": effective_from.isoformat(),
            "history": history or entry["history"], "unconfirmed": entry["unconfirmed"],
            "last_value_still_valid_on": entry["last_value_still_valid_on"],
        })
    return out


def simulate(
    population: Population,
    reform: Mapping[str, Mapping[str, Any]],
    *,
    region_prefix: str = "",
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Baseline vs reform over ``population``: totals, groups, winners/losers, newly eligible, distribution."""
    report = progress or (lambda percent, message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    table = population.table
    baseline = assess_columns(table) if population.n else {}
    timings["baseline"] = time.perf_counter() - started
    report(50, "baseline")
    started = time.perf_counter()
    reformed = assess_columns(table, reform=reform) if population.n else {}
    timings["reform"] = time.perf_counter() - started
    report(85, "reform")
    started = time.perf_counter()
    result = aggregate(population, baseline, reformed, region_prefix=region_prefix)
    timings["aggregation"] = time.perf_counter() - started
    result["timings"] = {k: round(v, 3) for k, v in timings.items()}
    return result


def aggregate(population: Population, baseline: Mapping[str, np.ndarray], reformed: Mapping[str, np.ndarray],
              *, region_prefix: str = "") -> dict[str, Any]:
    n = population.n
    if n == 0:
        return {"rows": 0, "assessed": 0, "totals": {}, "by_region": [], "by_industry": [], "by_size": [],
                "winners": 0, "losers": 0, "unchanged": 0, "newly_eligible": {}, "no_longer_eligible": {},
                "histogram": {"bins": [], "unchanged": 0}}
    b_eit, r_eit = money_cents(baseline["eit_payable"]), money_cents(reformed["eit_payable"])
    b_ded, r_ded = money_cents(baseline["rd_extra_deduction"]), money_cents(reformed["rd_extra_deduction"])
    b_save, r_save = money_cents(baseline["eit_saving"]), money_cents(reformed["eit_saving"])
    known = ~np.isnan(b_eit) & ~np.isnan(r_eit)
    delta_eit = np.where(known, r_eit - b_eit, np.nan)
    delta_ded = np.where(~np.isnan(b_ded) & ~np.isnan(r_ded), r_ded - b_ded, np.nan)
    # Fiscal cost: EIT the state no longer collects (positive = costs money).
    cost = np.where(known, b_eit - r_eit, np.nan)

    def total(values: np.ndarray) -> str:
        return _yuan(float(np.nansum(values)))

    totals = {
        "eit_baseline": total(b_eit), "eit_reform": total(r_eit), "eit_change": total(delta_eit),
        "fiscal_cost": total(cost),
        "deduction_baseline": total(b_ded), "deduction_reform": total(r_ded), "deduction_change": total(delta_ded),
        "saving_baseline": total(b_save), "saving_reform": total(r_save),
    }
    sums = {"fiscal_cost": cost, "deduction_change": delta_ded}
    group_len = min(len(region_prefix) + 2, 6)
    regions_key = _prefixes(population.table["region_code"], group_len)
    by_region = _group_sums(regions_key, sums)
    for row in by_region:
        row["label"] = region_name(row["key"])
    sections = industry_sections()
    industry_key = _prefixes(population.table["industry_code"], 1)
    by_industry = _group_sums(industry_key, sums)
    for row in by_industry:
        row["label"] = f"{row['key']} {sections.get(row['key'], '')}".strip()
    by_size = _group_sums(size_class_of(population.table["employees"]), sums)
    order = {key: i for i, key in enumerate([*SIZE_CLASSES, "unknown"])}
    by_size.sort(key=lambda r: order.get(r["key"], 99))
    for row in by_size:
        row["label"] = row["key"]

    def newly(name: str) -> tuple[int, int]:
        before, after = baseline[name] == 1.0, reformed[name] == 1.0
        return int(np.sum(~before & after)), int(np.sum(before & ~after))

    newly_eligible, no_longer = {}, {}
    for name in ("techsme_eligible", "eit_small_low_profit_eligible", "six_taxes_two_fees_eligible"):
        newly_eligible[name], no_longer[name] = newly(name)
    rate_before = np.nan_to_num(baseline["rd_deduction_rate"])
    rate_after = np.nan_to_num(reformed["rd_deduction_rate"])
    newly_eligible["rd_deduction"] = int(np.sum((rate_before == 0) & (rate_after > 0)))
    no_longer["rd_deduction"] = int(np.sum((rate_before > 0) & (rate_after == 0)))
    return {
        "rows": n,
        "assessed": int(known.sum()),
        "unknown": int(n - known.sum()),
        "totals": totals,
        "by_region": by_region,
        "by_industry": by_industry,
        "by_size": by_size,
        "winners": int(np.sum(delta_eit < -0.5)),
        "losers": int(np.sum(delta_eit > 0.5)),
        "unchanged": int(np.sum(known & (np.abs(np.nan_to_num(delta_eit)) <= 0.5))),
        "newly_eligible": newly_eligible,
        "no_longer_eligible": no_longer,
        "histogram": _histogram(delta_eit / 100.0),
    }
