"""Benchmark: a parameter reform over 1,000,000 enterprise-years read from the database.

    python bench/bench_reform.py [--rows 1000000] [--backend sqlite|postgres|both]

Each backend runs in its own subprocess against a dedicated benchmark database: SQLite file
``/tmp/techsme_bench.sqlite3`` and PostgreSQL ``techsme_bench`` on 127.0.0.1 (``createdb`` when missing). The
database is migrated and filled once with deterministic synthetic enterprises (one facts row each, tax year 2024,
raw bulk insert: executemany on SQLite, COPY on PostgreSQL); later runs reuse it. Timed, as the scenario job runs
it: loading (the bulk loader of ``incentives.population``: one SELECT through a raw cursor in 50,000-row chunks →
numpy columns), baseline (one vectorised engine call over all rows), reform (one call with the reform), aggregation
(totals, by region/industry/size, winners/losers, histogram). "In memory" = baseline + reform + aggregation once
the facts are loaded. Reform: tech-SME super-deduction 100% → 120% and small low-profit income limit 3 → 5 million
yuan from 2024-01-01. Results: bench/results/reform.json and .md (targets recorded, not asserted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
URLS = {
    "sqlite": "sqlite:////tmp/techsme_bench.sqlite3",
    "postgres": "postgres://postgres@127.0.0.1:5432/techsme_bench",
}
YEAR = 2024
REFORM = {"rd.rate.tech_sme": {"2024-01-01": 1.2}, "eit.small_low_profit.income_limit": {"2024-01-01": 5000000.0}}
COUNTIES = ["440305", "440304", "440306", "440106", "440104", "330106", "330108", "510107", "510104", "110108"]


def _synthetic(n: int) -> tuple[list[str], list[tuple], list[str], list[tuple]]:
    """Deterministic enterprises and their 2024 facts (plausible sizes, R&D and IP distributions)."""
    import numpy as np

    from techsme.refdata import industry_classes

    rng = np.random.default_rng(20261126)
    classes = sorted(c for c in industry_classes() if c[0] in "CIM")[:200] + ["F5211", "K7010"]
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC).isoformat()
    region = rng.integers(0, len(COUNTIES), n)
    industry = rng.integers(0, len(classes), n)
    founded = rng.integers(0, 20 * 365, n)
    employees = np.clip(rng.lognormal(3.8, 1.0, n).astype(int), 1, 2000)
    tech = np.minimum(employees, (employees * rng.beta(2, 5, n)).astype(int))
    revenue = np.round(employees * rng.lognormal(13.0, 0.7, n), 2)
    cost = np.round(revenue * rng.uniform(0.6, 1.05, n), 2)
    assets = np.round(revenue * rng.uniform(0.4, 1.5, n), 2)
    rd = np.round(revenue * rng.beta(2, 30, n), 2)
    other = np.round(rd * rng.uniform(0, 0.15, n), 2)
    taxable = np.round(revenue * rng.normal(0.08, 0.06, n), 2)
    ip1 = rng.poisson(0.4, n)
    ip2 = rng.poisson(1.5, n)
    hnte = rng.random(n) < 0.1
    registered = rng.random(n) < 0.3
    transfer = np.where(rng.random(n) < 0.03, np.round(rng.lognormal(13, 1, n), 2), 0.0)
    unknown = rng.random(n) < 0.01
    enterprise_cols = ["id", "organisation_id", "uscc", "name", "region_code", "industry_code", "founded_on",
                       "address", "contact_name", "contact_phone", "contact_email", "created_at", "updated_at"]
    facts_cols = ["id", "enterprise_id", "tax_year", "employees", "tech_staff", "revenue", "total_cost_expense",
                  "total_assets", "rd_expense", "rd_core_expense", "rd_other_expense",
                  "taxable_income_before_incentives",
                  "ip_class1", "ip_class2", "hnte_certificate_valid", "national_award_top3_5y",
                  "provincial_rd_institution", "led_standard_5y", "tech_sme_registered", "restricted_industry",
                  "major_accident", "serious_dishonesty", "abnormal_operation_listed", "audited_books", "resident",
                  "tech_transfer_income", "updated_at"]
    base = dt.date(2004, 1, 1)
    enterprises, facts = [], []
    for i in range(n):
        county = COUNTIES[region[i]]
        enterprises.append((i + 1, None, f"9{county}{i:011d}", f"基准测试企业{i}", county, classes[industry[i]],
                            (base + dt.timedelta(days=int(founded[i]))).isoformat(), "", "", "", "", now, now))
        facts.append((i + 1, i + 1, YEAR, int(employees[i]), int(tech[i]), float(revenue[i]), float(cost[i]),
                      float(assets[i]), None if unknown[i] else float(rd[i]), float(rd[i] - other[i]),
                      float(other[i]), float(taxable[i]), int(ip1[i]), int(ip2[i]), bool(hnte[i]), False, False,
                      False, bool(registered[i]), False, False, False, False, True, True, float(transfer[i]), now))
    return enterprise_cols, enterprises, facts_cols, facts


def _fill(n: int) -> float:
    from django.db import connection, transaction

    from techsme.registry.models import AnnualFacts, Enterprise

    if AnnualFacts.objects.filter(tax_year=YEAR).count() >= n:
        return 0.0
    started = time.perf_counter()
    AnnualFacts.objects.all().delete() if AnnualFacts.objects.exists() else None
    Enterprise.objects.all().delete() if Enterprise.objects.exists() else None
    e_cols, enterprises, f_cols, facts = _synthetic(n)
    with transaction.atomic(), connection.cursor() as cursor:
        tables = (("registry_enterprise", e_cols, enterprises), ("registry_annualfacts", f_cols, facts))
        for table, cols, rows in tables:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(cols))
                for start in range(0, len(rows), 50_000):
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                                       rows[start:start + 50_000])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('registry_enterprise', 'id'), %s)", [n])
            cursor.execute("SELECT setval(pg_get_serial_sequence('registry_annualfacts', 'id'), %s)", [n])
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def run_backend(backend: str, n: int) -> dict:
    url = URLS[backend]
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techsme.settings")
    if backend == "postgres":
        subprocess.call(["createdb", "-h", "127.0.0.1", "-U", "postgres", url.rsplit("/", 1)[-1]],
                        stderr=subprocess.DEVNULL)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill_seconds = _fill(n)
    from django.db import connection

    from techsme.incentives.population import load_population
    from techsme.incentives.simulation import simulate
    from techsme.registry.models import AnnualFacts
    from techsme.rules.allocator import tune_allocator

    tune_allocator()
    runs = []
    for _ in range(3):
        qs = AnnualFacts.objects.filter(tax_year=YEAR)
        started = time.perf_counter()
        population = load_population(qs)
        loading = time.perf_counter() - started
        result = simulate(population, REFORM, region_prefix="")
        t = result["timings"]
        in_memory = t["baseline"] + t["reform"] + t["aggregation"]
        runs.append({"loading": round(loading, 3), **t, "in_memory": round(in_memory, 3),
                     "total": round(loading + in_memory, 3)})
        connection.close()
    best = min(runs, key=lambda r: r["total"])
    return {
        "backend": backend, "rows": population.n, "fill_seconds": round(fill_seconds, 1), "runs": runs,
        "best": best, "fiscal_cost": result["totals"]["fiscal_cost"], "winners": result["winners"],
        "losers": result["losers"], "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "server": connection.vendor,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    if args.child:
        print(json.dumps(run_backend(args.backend, args.rows)))
        return 0
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        out = subprocess.run([sys.executable, __file__, "--child", "--backend", backend, "--rows", str(args.rows)],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            sys.stderr.write(out.stderr[-4000:])
            results.append({"backend": backend, "error": out.stderr.strip().splitlines()[-1:]})
            continue
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    report = {
        "benchmark": "reform over enterprise-years from the database",
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": os.getloadavg()},
        "rows": args.rows, "reform": REFORM,
        "targets": {"from_db_postgres_seconds": 20, "in_memory_seconds": 5},
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reform.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "reform.md").write_text(_markdown(report))
    return 0 if all("error" not in r for r in results) else 1


def _markdown(report: dict) -> str:
    out = io.StringIO()
    m = report["machine"]
    out.write("# Reform simulation benchmark\n\n")
    out.write(f"Run {report['run_at']} on {m['cpus']} CPUs, Python {m['python']}, load average at end "
              f"{', '.join(f'{x:.2f}' for x in m['load_average'])} (other work was running on the machine).\n\n")
    out.write(f"{report['rows']:,} synthetic enterprise-years (tax year {YEAR}) read from the database; reform: "
              "tech-SME super-deduction 100% → 120% and small low-profit income limit 3 → 5 million yuan from "
              "2024-01-01. Best of 3 runs in one process (seconds).\n\n")
    out.write("| backend | loading | baseline | reform | aggregation | in memory | total from DB | target | "
              "peak RSS |\n|---|---|---|---|---|---|---|---|---|\n")
    for r in report["results"]:
        if "error" in r:
            out.write(f"| {r['backend']} | failed: {r['error']} |||||||| \n")
            continue
        b = r["best"]
        target = "< 20 s from DB (PostgreSQL); < 5 s in memory"
        out.write(f"| {r['backend']} | {b['loading']} | {b['baseline']} | {b['reform']} | {b['aggregation']} | "
                  f"{b['in_memory']} | {b['total']} | {target} | {r['peak_rss_mib']} MiB |\n")
    out.write("\nAll runs:\n\n")
    for r in report["results"]:
        if "error" not in r:
            out.write(f"- {r['backend']}: {r['rows']:,} rows, fiscal cost ¥{r['fiscal_cost']}, winners "
                      f"{r['winners']:,}, losers {r['losers']:,}; runs {r['runs']}; database filled in "
                      f"{r['fill_seconds']} s (0 = reused)\n")
    out.write("\nLoading goes through `incentives.population.load_population` (the code the scenario job runs): one "
              "SELECT built from the scoped queryset (numeric columns cast to float, booleans to integers and dates "
              "to text in SQL); on PostgreSQL it is streamed with `COPY (…) TO STDOUT` as CSV and parsed by polars, "
              "on SQLite it is fetched through a raw cursor in 50,000-row chunks straight into numpy columns; no ORM "
              "objects either way. Baseline and reform are one `assess_columns` call each over all rows; "
              "aggregation includes per-enterprise rounding to the fen, the group-bys (polars) and the histogram. "
              "\"In memory\" is baseline + reform + aggregation with the facts already loaded. The first run of a "
              "process is slower (allocator and page-cache warm-up). The two backends' fiscal costs differ by a few "
              "tenths of a yuan over 1M rows because SQLite stores DecimalField values as REAL (binary floating "
              "point), PostgreSQL as exact numeric.\n")
    return out.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
