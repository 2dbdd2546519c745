"""Benchmark of the evaluation surfaces at scale (issue 4).

    python bench/bench_evaluation.py [--n 100000] [--no-write]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_eg_bench python bench/bench_evaluation.py

On a fresh SQLite database in a temporary directory (migrations applied), or — when ``DATABASE_URL`` is set — on
that database, which must be an EMPTY database created for the run (``createdb``; migrations are applied to it):
1. bulk import of N offline filings (facts.md CSV, one row per enterprise): the all-or-nothing check, the registry
   write and the recording of the ``imported`` filings — ``evaluation.importing.do_import_offline_filings``;
2. the background job that assesses them with the rules engine and routes them ``imported → submitted`` into the
   review queue (``core.jobs.run_job`` called synchronously, as the worker would);
3. the pages at that size: the review queue (N filings waiting) and the public registered database (N registrations,
   created directly for the measurement), each timed and with its number of SQL queries (no N+1).
Results go to bench/results/evaluation.json and bench/results/evaluation.md, one section per database backend (a run
replaces the section of its backend and keeps the other). Speeds are recorded, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
REGIONS = ("440305", "440304", "440306", "440106", "440104")  # Shenzhen and Guangzhou districts


def _setup(tmp: str) -> None:
    os.environ["TECHSME_VAR_DIR"] = tmp
    os.environ["TECHSME_ENV"] = "development"
    os.environ["TECHSME_DEBUG"] = "0"  # no query log (it would hold every statement of the import)
    os.environ["DJANGO_SETTINGS_MODULE"] = "techsme.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        from techsme.registry.models import Enterprise

        if Enterprise.objects.exists():
            raise SystemExit("DATABASE_URL must name an empty database created for the benchmark.")
    call_command("createcachetable", verbosity=0)


def _rows(n: int) -> list[dict[str, Any]]:
    import random

    from techsme.core.identifiers import make_uscc

    rng = random.Random(20261126)
    rows = []
    for i in range(n):
        employees = rng.randint(3, 480)
        revenue = rng.randint(2_000_000, 150_000_000)
        rows.append({
            "uscc": make_uscc(REGIONS[i % len(REGIONS)], 100_000 + i), "name": f"基准科技有限公司{i:06d}",
            "tax_year": 2025, "region_code": REGIONS[i % len(REGIONS)], "industry_code": "I6513",
            "founded_on": "2016-05-01", "employees": employees, "tech_staff": rng.randint(0, employees),
            "revenue": f"{revenue}.00", "total_cost_expense": f"{int(revenue * 0.85)}.00",
            "total_assets": f"{int(revenue * 0.7)}.00", "rd_expense": f"{int(revenue * rng.uniform(0.01, 0.12))}.00",
            "ip_class1": rng.randint(0, 2), "ip_class2": rng.randint(0, 5),
        })
    return rows


def _time_page(client: Any, url: str, repeat: int = 5) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        queries = len(captured)
        assert response.status_code == 200, (url, response.status_code)
    return {"url": url, "median_ms": round(1000 * statistics.median(timings), 1), "queries": queries}


def run(n: int) -> dict[str, Any]:
    from django.test import Client
    from django.utils import timezone

    from techsme.accounts.models import Membership, Organisation, User
    from techsme.core.exports import write_csv
    from techsme.core.jobs import run_job
    from techsme.core.models import Job
    from techsme.evaluation.importing import do_import_offline_filings
    from techsme.evaluation.models import Filing, Registration

    province = Organisation.objects.create(kind="agency", level="province", region_code="440000", name="省科技厅")
    manager = User.objects.create_user("bench-manager", password="bench-pass-2026")
    Membership.objects.create(user=manager, organisation=province, role="programme_manager")
    reviewer = User.objects.create_user("bench-reviewer", password="bench-pass-2026")
    Membership.objects.create(user=reviewer, organisation=province, role="agency_reviewer")
    rows = _rows(n)
    columns = list(rows[0])
    data = write_csv(rows, columns)
    out: dict[str, Any] = {"n": n, "csv_mb": round(len(data) / 2**20, 1)}

    class Upload:  # the shape of an uploaded file that registry.importing reads
        def __init__(self, payload: bytes) -> None:
            self.payload, self.size = payload, len(payload)

        def seek(self, _pos: int) -> None:
            pass

        def read(self, _n: int = -1) -> bytes:
            return self.payload

    from django.test.utils import override_settings

    with override_settings(IMPORT_MAX_BYTES=max(len(data) + 1, 20 * 2**20)):
        start = time.perf_counter()
        report = do_import_offline_filings(actor=manager, file=Upload(data), filename="bench.csv")
        out["import_seconds"] = round(time.perf_counter() - start, 2)
    assert report.ok, report.errors[:5]
    out["filings_received"] = report.filings
    start = time.perf_counter()
    status = run_job.call(report.job.pk)
    out["route_seconds"] = round(time.perf_counter() - start, 2)
    job = Job.objects.get(pk=report.job.pk)
    assert status == "done", job.message
    out["routed"] = job.result["routed"]
    out["import_and_route_seconds"] = round(out["import_seconds"] + out["route_seconds"], 2)
    out["filings_per_second"] = round(n / out["import_and_route_seconds"], 1)

    # registrations for the public database (created directly: the measurement is about reading them)
    now = timezone.now()
    filings = list(Filing.objects.order_by("pk").values_list("pk", "enterprise_id", "enterprise__region_code"))
    seqs: dict[str, int] = {}
    registrations = []
    for pk, enterprise_id, region in filings:
        seqs[region] = seqs.get(region, 0) + 1
        registrations.append(Registration(filing_id=pk, enterprise_id=enterprise_id, region6=region, year=2026,
                                          seq=seqs[region], number=f"2026{region}{seqs[region]:05d}",
                                          issued_at=now, state_changed_at=now))
    Registration.objects.bulk_create(registrations, batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Statistics for the planner, as autovacuum keeps them in production: right after a bulk load of 100,000
        # rows PostgreSQL still believes the tables are nearly empty and nests loops over the whole queue (minutes).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    staff = Client()
    staff.force_login(reviewer)
    public = Client()
    last_page = (n + 49) // 50
    out["pages"] = [
        _time_page(staff, "/evaluation/queue/"),
        _time_page(staff, "/evaluation/queue/?order=score"),
        _time_page(staff, f"/evaluation/queue/?page={last_page}"),
        _time_page(staff, "/evaluation/queue/?q=基准科技有限公司0999"),
        _time_page(public, "/evaluation/database/"),
        _time_page(public, f"/evaluation/database/?page={last_page}"),
        _time_page(public, "/evaluation/database/?q=基准科技有限公司04321"),
        _time_page(public, "/evaluation/database/?region=4401&year=2026"),
        _time_page(public, "/api/v1/evaluation/registrations?region=4403&limit=50"),
    ]
    return out


BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _section(result: dict[str, Any]) -> list[str]:
    backend = BACKENDS.get(result.get("backend", "sqlite"), result.get("backend", "sqlite"))
    lines = [
        f"## {backend}", "",
        f"Measured {result['when']} on {result['machine']} (Python {result['python']}, {backend}"
        f"{' ' + result['server'] if result.get('server') else ''}, one process).", "",
        f"### Import and routing of {result['n']:,} offline filings", "",
        "| Step | Seconds |", "|---|---|",
        f"| check the file and write registry + `imported` filings (all or nothing; CSV {result['csv_mb']} MB) "
        f"| {result['import_seconds']} |",
        f"| job: assess with the rules engine{' (with explanations)' if result.get('explained') else ''}, "
        f"route `imported → submitted` | {result['route_seconds']} |",
        f"| **total** | **{result['import_and_route_seconds']}** ({result['filings_per_second']:,} filings/s) |", "",
        f"### Pages with {result['n']:,} filings in the queue and {result['n']:,} registrations", "",
        "| Page | Median ms (5 runs) | SQL queries |", "|---|---|---|",
    ]
    lines += [f"| `{p['url']}` | {p['median_ms']} | {p['queries']} |" for p in result["pages"]]
    return [*lines, ""]


def _markdown(results: dict[str, dict[str, Any]]) -> str:
    lines = ["# Evaluation benchmark", ""]
    for key in sorted(results, key=lambda k: list(BACKENDS).index(k) if k in BACKENDS else 99):
        lines += _section(results[key])
    lines += ["Queries per page do not grow with the page size (no N+1); speeds are recorded, not asserted.", ""]
    return "\n".join(lines)


def _previous() -> dict[str, dict[str, Any]]:
    """The recorded results per backend (an older file holds one SQLite result at its top level)."""
    path = RESULTS / "evaluation.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if "n" in data:
        return {"sqlite": data | {"backend": "sqlite"}}
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only, do not write bench/results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="techsme-bench-") as tmp:
        _setup(tmp)
        from django.db import connection

        result = run(args.n)
        result["backend"] = connection.vendor
        if connection.vendor == "postgresql":
            result["server"] = ".".join(str(connection.pg_version // f % 100) for f in (10000, 1))
    result |= {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "python": platform.python_version(),
               "machine": f"{platform.machine()} ({os.cpu_count()} CPUs)", "explained": True}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        results = _previous() | {result["backend"]: result}
        (RESULTS / "evaluation.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
        (RESULTS / "evaluation.md").write_text(_markdown(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
