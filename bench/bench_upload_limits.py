"""Benchmark: hostile and large spreadsheets through the registry import are refused or processed within fixed time
and memory.

    python bench/bench_upload_limits.py [--timeout 300]

Each case runs in its own process (so its peak memory is its own) through the real verb of the upload path —
``registry.importing.do_import_registry`` with the settings' limits, on a throw-away SQLite database migrated once:

- ``zip bomb``: an XLSX of a few hundred KB whose sheet unpacks to 500 MB;
- ``declared full grid``: a ~5 KB XLSX whose sheet claims ``A1:XFD1048576`` (before: 18 minutes of CPU);
- ``million tiny rows``: a ~5 MB XLSX with a valid header and 1,000,000 one-cell rows, no dimension (before: 4.7 GB
  and a 549 MB error report);
- ``10 MB CSV, valid``: ~37,000 valid rows with every fact column, imported as the background job runs them
  (``start_registry_import`` then the job, as the worker would), with an audit event per enterprise and per year;
- ``10 MB CSV, every row bad``: the same rows with bad cells — the report lists the first errors and the total.

Recorded per case: the outcome (refused with which message, or imported), wall time and peak resident memory (the
child's ``ru_maxrss``). Results: bench/results/upload_limits.json and .md. The bounds (seconds, MB) are recorded
with the result; a case over its bound is marked, and the script exits non-zero.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
CASES = {
    # name: (seconds bound, megabytes bound)
    "zip bomb": (5, 300),
    "declared full grid": (5, 300),
    "million tiny rows": (30, 300),
    # Dominated by the audit trail: one event per enterprise and per year, ~5 ms each through core.audit.record.
    "10 MB CSV, valid": (600, 600),
    "10 MB CSV, every row bad": (120, 600),
}


# ---------------------------------------------------------------- the files
def _workbook(sheet_writer) -> bytes:
    from openpyxl import Workbook

    base = io.BytesIO()
    Workbook().save(base)
    source = zipfile.ZipFile(base)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in source.namelist():
            if name == "xl/worksheets/sheet1.xml":
                with target.open(name, "w", force_zip64=True) as handle:
                    sheet_writer(handle)
            else:
                target.writestr(name, source.read(name))
    return out.getvalue()


HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def zip_bomb() -> bytes:
    def write(handle) -> None:
        handle.write(HEAD + b"<sheetData><row r='1'><c r='A1'><v>1</v></c></row>")
        chunk = b" " * (1024 * 1024)
        for _ in range(500):
            handle.write(chunk)
        handle.write(b"</sheetData></worksheet>")
    return _workbook(write)


def declared_grid() -> bytes:
    def write(handle) -> None:
        handle.write(HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
                     b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>')
    return _workbook(write)


def million_rows() -> bytes:
    """A valid header, then a million one-cell rows (each would be an error: the other identity cells are empty)."""
    from tests.registry.helpers import fact_row

    header = b"".join(b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (_column(i).encode(), name.encode())
                      for i, name in enumerate(fact_row(1), start=1))

    def write(handle) -> None:
        handle.write(HEAD + b'<sheetData><row r="1">' + header + b"</row>")
        for start in range(2, 1_000_002, 10_000):
            handle.write(b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)
                                  for i in range(start, start + 10_000)))
        handle.write(b"</sheetData></worksheet>")
    return _workbook(write)


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


# Every fact column, as in an export of the registry (a realistic width for a 10 MB file).
EXTRA_FACTS = {
    "avg_headcount": "98.5", "avg_total_assets": "19500000.00", "rd_commissioned_domestic": "120000.00",
    "rd_commissioned_foreign": "0.00", "rd_intangible_amortization": "0.00", "excluded_industry_revenue_share": "0",
    "ic_or_machine_tool": "否", "national_award_top3_5y": "否", "provincial_rd_institution": "是",
    "led_standard_5y": "否", "tech_sme_registered": "是", "restricted_industry": "否", "major_accident": "否",
    "abnormal_operation_listed": "否", "resident": "是", "tech_transfer_income": "0.00",
}


def ten_mb_csv(bad: bool) -> bytes:
    from tests.registry.helpers import csv_bytes, fact_row

    rows, size, i = [], 0, 0
    while size < 10 * 1024 * 1024:
        overrides = {"employees": "many", "revenue": "1,5"} if bad else {}
        row = fact_row(100_000 + i, region=("440305", "440306", "440307")[i % 3], year=2020 + i % 5,
                       name=f"深圳市基准测试第{i}号智能科技有限公司", **EXTRA_FACTS, **overrides)
        rows.append(row)
        size += len(",".join(str(v) for v in row.values()).encode()) + 1
        i += 1
    return csv_bytes(rows)


FILES = {
    "zip bomb": (zip_bomb, "bomb.xlsx"),
    "declared full grid": (declared_grid, "grid.xlsx"),
    "million tiny rows": (million_rows, "rows.xlsx"),
    "10 MB CSV, valid": (lambda: ten_mb_csv(False), "valid.csv"),
    "10 MB CSV, every row bad": (lambda: ten_mb_csv(True), "bad.csv"),
}


# ---------------------------------------------------------------- one case (child process)
def _django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techsme.settings")
    import django

    django.setup()


def _importer():
    from techsme.accounts.models import Membership, Organisation, User

    user = User.objects.filter(username="bench-importer").first()
    if user is None:
        agency = Organisation.objects.create(kind="agency", region_code="440300", level="city", name="深圳(基准)")
        user = User.objects.create_user(username="bench-importer", password="bench-pass-2026")
        Membership.objects.create(user=user, organisation=agency, role="agency_admin")
    return user


def run_case(name: str, path: Path, database: Path) -> dict:
    _django(database)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from techsme.core.jobs import run_job
    from techsme.core.models import Job
    from techsme.registry.importing import ImportReport, start_registry_import

    translation.activate("en")
    actor = _importer()
    data = path.read_bytes()
    started = time.perf_counter()
    report = start_registry_import(actor=actor, file=SimpleUploadedFile(path.name, data), filename=path.name)
    if report.job is not None:  # what the worker does with the queued job
        run_job.call(report.job.pk)
        job = Job.objects.get(pk=report.job.pk)
        report = ImportReport.from_dict(job.result) if job.status == Job.Status.DONE else ImportReport(
            ok=False, error_count=1)
        ran_as = "background job"
    else:
        ran_as = "in the request"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "case": name, "file_bytes": len(data), "ran_as": ran_as, "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb, 1), "ok": report.ok, "rows": report.rows,
        "facts_saved": report.facts_saved, "errors_listed": len(report.errors), "error_count": report.error_count,
        "first_error": report.errors[0].message if report.errors else "",
        "report_bytes": len(report.errors_csv()) if not report.ok else 0,
    }


# ---------------------------------------------------------------- driver
def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=int, default=600, help="seconds before a case is killed")
    parser.add_argument("--only", action="append", choices=list(CASES),
                        help="run only this case (repeatable); the other results already recorded are kept")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.file), Path(args.db)), ensure_ascii=False))
        return 0
    work = Path(tempfile.mkdtemp(prefix="techsme-upload-bench-"))
    try:
        template = work / "template.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}", "DJANGO_SETTINGS_MODULE": "techsme.settings",
               "TECHSME_VAR_DIR": str(work / "var")}
        subprocess.run([sys.executable, "-m", "django", "migrate", "--verbosity", "0"], env=env, check=True,
                       cwd=ROOT)
        results = []
        for name, (make, filename) in FILES.items():
            if args.only and name not in args.only:
                continue
            path = work / filename
            path.write_bytes(make())
            database = work / f"case-{len(results)}.sqlite3"
            shutil.copy(template, database)
            started = time.perf_counter()
            try:
                done = subprocess.run([sys.executable, __file__, "--case", name, "--file", str(path),
                                       "--db", str(database)], env=env, capture_output=True, text=True,
                                      timeout=args.timeout, cwd=ROOT)
                result = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {
                    "case": name, "error": done.stderr[-2000:]}
            except subprocess.TimeoutExpired:
                result = {"case": name, "error": f"killed after {args.timeout} s"}
            result["process_seconds"] = round(time.perf_counter() - started, 2)
            seconds_bound, mb_bound = CASES[name]
            result["bound"] = {"seconds": seconds_bound, "peak_rss_mb": mb_bound}
            result["within_bound"] = ("error" not in result and result["seconds"] <= seconds_bound
                                      and result["peak_rss_mb"] <= mb_bound)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.only and (RESULTS / "upload_limits.json").exists():
        kept = json.loads((RESULTS / "upload_limits.json").read_text(encoding="utf-8"))["results"]
        fresh = {r["case"]: r for r in results}
        results = [fresh.pop(r["case"], r) for r in kept] + list(fresh.values())
    write_results(results)
    return 0 if all(r["within_bound"] for r in results) else 1


def write_results(results: list[dict]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
            "cpus": os.cpu_count(), "database": "sqlite (one file per case)"}
    (RESULTS / "upload_limits.json").write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False,
                                                           indent=2) + "\n", encoding="utf-8")
    lines = ["# Upload limits benchmark", "",
             f"{meta['at']} · {meta['database']} · Python {meta['python']} · {meta['cpus']} CPUs", "",
             "Each case in its own process through `registry.importing` with the default limits "
             "(20 MB, 50,000 rows, 200 columns, 5,000,000 cells, ratio 100, 256 MB unpacked, 1,000 errors listed).",
             "", "| case | file | ran | outcome | seconds | peak RSS | bound | within |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            outcome = f"FAILED: {r['error'][:200]}"
            seconds = peak = "—"
        else:
            outcome = (f"imported {r['rows']:,} rows, {r['facts_saved']:,} years of facts" if r["ok"] else
                       f"refused: {r['first_error']} ({r['error_count']:,} errors, {r['errors_listed']:,} listed, "
                       f"report {r['report_bytes']:,} bytes)")
            seconds, peak = f"{r['seconds']:.2f} s", f"{r['peak_rss_mb']:.0f} MB"
        size = f"{r.get('file_bytes', 0) / 1024:,.1f} KB"
        bound = f"{r['bound']['seconds']} s, {r['bound']['peak_rss_mb']} MB"
        lines.append(f"| {r['case']} | {size} | {r.get('ran_as', '—')} | {outcome} | {seconds} | {peak} | {bound} | "
                     f"{'yes' if r['within_bound'] else '**no**'} |")
    lines += ["", "The valid import spends most of its time on the audit trail: one event per enterprise and one per "
              "year of facts (two per row here), each through `core.audit.record` (three queries, a few ms); "
              "checking alone costs about what the every-row-bad case shows. Times vary with the load of the "
              "(shared, 2-CPU) machine.",
              "", "Before this change (issue 11): the declared-full-grid file pinned a CPU for about 18 minutes, the "
              "million-row file took 4.7 GB and returned a 549 MB error report, and a 10 MB CSV was imported inside "
              "the request (24 s).", ""]
    (RESULTS / "upload_limits.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
