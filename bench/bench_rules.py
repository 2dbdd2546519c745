"""Benchmark of the rules engine (techsme.rules).

    python bench/bench_rules.py [--n 1000000] [--single 1000] [--skip-openfisca]

Measures, on a deterministic synthetic table of enterprise-years:
1. full assessment (tech-SME evaluation + HNTE pre-check + all incentives; every output column) — wall and CPU time,
   peak memory (maxrss of a fresh subprocess, with the table's own size shown separately);
2. the tech-SME score and the R&D extra deduction: engine vs a hand-written numpy kernel (the floor) vs OpenFisca-core
   (a small model of the same two results, run in a throwaway venv as a subprocess);
3. single-enterprise assessment with explanation (`assess_records([record], explain=True)`), median over N calls.
Results go to bench/results/rules.json and bench/results/rules.md. Targets are recorded, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
OPENFISCA_PYTHON = Path(os.environ.get("OPENFISCA_PYTHON", "/tmp/ofvenv/bin/python"))
SEED = 20261126
INDUSTRIES = [
    "C3911", "C3973", "C3461", "C2710", "C3562", "C1610", "I6513", "I6511", "I6531", "M7320", "M7520", "F5123",
    "F5261", "H6210", "K7010", "L7211", "R9011", "E4910", "A0111", "N7721",
]
INDUSTRY_WEIGHTS = np.array([12, 3, 6, 4, 6, 1, 18, 8, 6, 8, 6, 4, 3, 2, 2, 3, 1, 3, 2, 2], dtype=float)


# ---------------------------------------------------------------- data
def synthetic_table(n: int, *, seed: int = SEED, with_unknowns: bool = True) -> dict[str, np.ndarray]:
    """Deterministic enterprise-years with plausible size, R&D and IP distributions (tax years 2019–2024)."""
    rng = np.random.default_rng(seed)
    employees = np.clip(np.round(rng.lognormal(3.8, 1.1, n)), 1, 3000)
    revenue = np.round(employees * rng.lognormal(13.2, 0.7, n), 2)
    rd_share = rng.beta(1.6, 25, n)
    rd_expense = np.round(revenue * rd_share, 2)
    rd_core = np.round(rd_expense * rng.uniform(0.7, 1.0, n), 2)
    table: dict[str, np.ndarray] = {
        "tax_year": rng.integers(2019, 2025, n).astype(np.float64),
        "industry_code": rng.choice(np.array(INDUSTRIES), n, p=INDUSTRY_WEIGHTS / INDUSTRY_WEIGHTS.sum()),
        "employees": employees,
        "tech_staff": np.floor(employees * rng.beta(2, 6, n)),
        "revenue": revenue,
        "total_cost_expense": np.round(revenue * rng.uniform(0.6, 1.1, n), 2),
        "total_assets": np.round(revenue * rng.lognormal(0.0, 0.5, n), 2),
        "rd_expense": rd_expense,
        "ip_class1": rng.poisson(0.5, n).astype(np.float64),
        "ip_class2": rng.poisson(2.5, n).astype(np.float64),
        "taxable_income_before_incentives": np.round(revenue * rng.normal(0.08, 0.06, n), 2),
        "rd_core_expense": rd_core,
        "rd_other_expense": np.round(rd_expense * rng.uniform(0.0, 0.2, n), 2),
        "rd_commissioned_domestic": np.round(rd_expense * rng.uniform(0, 0.1, n) * (rng.random(n) < 0.3), 2),
        "rd_commissioned_foreign": np.round(rd_expense * rng.uniform(0, 0.3, n) * (rng.random(n) < 0.05), 2),
        "rd_intangible_amortization": np.round(rd_expense * rng.uniform(0, 0.1, n) * (rng.random(n) < 0.2), 2),
        "tech_transfer_income": np.round(rng.lognormal(13, 1.5, n) * (rng.random(n) < 0.05), 2),
        "hnte_certificate_valid": (rng.random(n) < 0.2).astype(np.float64),
        "ic_or_machine_tool": (rng.random(n) < 0.02).astype(np.float64),
        "tech_sme_registered": (rng.random(n) < 0.4).astype(np.float64),
        "national_award_top3_5y": (rng.random(n) < 0.01).astype(np.float64),
        "founded_on": rng.integers(9000, 19000, n).astype(np.float64),
        "restricted_industry": (rng.random(n) < 0.01).astype(np.float64),
    }
    if with_unknowns:
        for name in ("employees", "ip_class2", "taxable_income_before_incentives"):
            table[name] = np.where(rng.random(n) < 0.01, np.nan, table[name])
        table["tech_sme_registered"] = np.where(rng.random(n) < 0.3, np.nan, table["tech_sme_registered"])
    return table


def table_bytes(table: dict[str, np.ndarray]) -> int:
    return sum(column.nbytes for column in table.values())


# ---------------------------------------------------------------- the numpy floor
def numpy_floor(table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Hand-written kernel: tech-SME score and R&D extra deduction (tax years 2019–2024, registration given)."""
    year = table["tax_year"].astype(np.int64) - 2019
    codes = table["industry_code"]
    section = codes.astype("U1")
    division = codes.astype("U3")

    def bands(x: np.ndarray, thresholds: list[float], points: list[float]) -> np.ndarray:
        return np.asarray(points)[np.searchsorted(np.asarray(thresholds), np.round(x, 12), side="right") - 1]

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)

    staff = bands(ratio(table["tech_staff"], table["employees"]), [0, .1, .15, .2, .25, .3], [0, 4, 8, 12, 16, 20])
    rd = np.maximum(
        bands(ratio(table["rd_expense"], table["revenue"]), [0, .02, .03, .04, .05, .06], [0, 10, 20, 30, 40, 50]),
        bands(ratio(table["rd_expense"], table["total_cost_expense"]), [0, .1, .15, .2, .25, .3],
              [0, 10, 20, 30, 40, 50]),
    )
    ip = np.where(table["ip_class1"] >= 1, 30.0, bands(table["ip_class2"], [0, 1, 2, 3, 4], [0, 6, 12, 18, 24]))
    score = staff + rd + ip

    core, other = table["rd_core_expense"], table["rd_other_expense"]
    base_domestic = core + np.minimum(other, core * 0.1 / 0.9) + 0.8 * table["rd_commissioned_domestic"]
    base = base_domestic + np.minimum(0.8 * table["rd_commissioned_foreign"], base_domestic * 2 / 3)
    general = np.array([0.75, 0.75, 0.75, 0.75, 1.0, 1.0])[year]
    tech = np.array([0.75, 0.0, 0.0, 1.0, 1.0, 1.0])[year]
    manufacturing = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 1.0])[year]
    ic = np.array([0.0, 0.0, 0.0, 0.0, 1.2, 1.2])[year]
    rate = np.maximum.reduce([
        general,
        np.where(table["tech_sme_registered"] == 1, tech, 0.0),
        np.where(section == "C", manufacturing, 0.0),
        np.where(table["ic_or_machine_tool"] == 1, ic, 0.0),
    ])
    excluded = np.isin(division, ["C16", "H61", "H62", "F51", "F52", "K70", "L71", "L72", "R90"])
    rate = np.where(excluded, 0.0, rate)
    q4 = np.where((year == 3) & ~excluded, base * 0.25 * np.clip(1.0 - rate, 0.0, None), 0.0)
    extra = base * rate + q4 + table["rd_intangible_amortization"] * rate
    return {"techsme_score": score, "rd_extra_deduction": extra}


# ---------------------------------------------------------------- OpenFisca model (runs in its own venv)
OPENFISCA_MODEL = textwrap.dedent(
    '''
    import json, sys, time
    import numpy as np
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.periods import YEAR
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    Enterprise = build_entity(key="enterprise", plural="enterprises", label="Enterprise", is_person=True)

    def scale(rows):
        brackets = [{"threshold": {"2017-01-01": {"value": t}}, "amount": {"2017-01-01": {"value": a}}}
                    for t, a in rows]
        return {"metadata": {"type": "single_amount"}, "brackets": brackets}

    def dated(**values):
        return {"values": {k.replace("_", "-")[1:]: {"value": v} for k, v in values.items()}}

    PARAMS = {
        "staff": scale([(0, 0), (.1, 4), (.15, 8), (.2, 12), (.25, 16), (.3, 20)]),
        "rd_revenue": scale([(0, 0), (.02, 10), (.03, 20), (.04, 30), (.05, 40), (.06, 50)]),
        "rd_cost": scale([(0, 0), (.1, 10), (.15, 20), (.2, 30), (.25, 40), (.3, 50)]),
        "ip2": scale([(0, 0), (1, 6), (2, 12), (3, 18), (4, 24)]),
        "general": dated(_2018_01_01=0.75, _2023_01_01=1.0),
        "tech": dated(_2017_01_01=0.75, _2020_01_01=0.0, _2022_01_01=1.0),
        "manufacturing": dated(_2018_01_01=0.0, _2021_01_01=1.0),
        "ic": dated(_2018_01_01=0.0, _2023_01_01=1.2),
        "q4": dated(_2018_01_01=0.0, _2022_01_01=1.0, _2023_01_01=0.0),
    }
    FLOATS = ["employees", "tech_staff", "revenue", "total_cost_expense", "rd_expense", "ip_class1", "ip_class2",
              "rd_core_expense", "rd_other_expense", "rd_commissioned_domestic", "rd_commissioned_foreign",
              "rd_intangible_amortization", "tech_sme_registered", "ic_or_machine_tool", "manufacturing",
              "excluded"]

    def make_input(name):
        return type(name, (Variable,), {"value_type": float, "entity": Enterprise, "definition_period": YEAR,
                                         "label": name})

    def ratio(a, b):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)

    class techsme_score(Variable):
        value_type = float
        entity = Enterprise
        definition_period = YEAR
        label = "tech-SME score"

        def formula(e, period, parameters):
            p = parameters(period)
            staff = p.staff.calc(np.round(ratio(e("tech_staff", period), e("employees", period)), 12))
            rd_expense = e("rd_expense", period)
            rd = np.maximum(p.rd_revenue.calc(np.round(ratio(rd_expense, e("revenue", period)), 12)),
                            p.rd_cost.calc(np.round(ratio(rd_expense, e("total_cost_expense", period)), 12)))
            ip = np.where(e("ip_class1", period) >= 1, 30.0, p.ip2.calc(e("ip_class2", period)))
            return staff + rd + ip

    class rd_extra_deduction(Variable):
        value_type = float
        entity = Enterprise
        definition_period = YEAR
        label = "R&D extra deduction"

        def formula(e, period, parameters):
            p = parameters(period)
            core, other = e("rd_core_expense", period), e("rd_other_expense", period)
            domestic = core + np.minimum(other, core * 0.1 / 0.9) + 0.8 * e("rd_commissioned_domestic", period)
            base = domestic + np.minimum(0.8 * e("rd_commissioned_foreign", period), domestic * 2 / 3)
            rate = np.maximum.reduce([
                np.full(base.shape, p.general),
                np.where(e("tech_sme_registered", period) == 1, p.tech, 0.0),
                np.where(e("manufacturing", period) == 1, p.manufacturing, 0.0),
                np.where(e("ic_or_machine_tool", period) == 1, p.ic, 0.0),
            ])
            rate = np.where(e("excluded", period) == 1, 0.0, rate)
            q4 = np.where(e("excluded", period) == 1, 0.0, base * 0.25 * np.clip(p.q4 - rate, 0.0, None))
            return base * rate + q4 + e("rd_intangible_amortization", period) * rate

    class System(TaxBenefitSystem):
        def __init__(self):
            super().__init__([Enterprise])
            self.parameters = ParameterNode("", data=PARAMS)
            for name in FLOATS:
                self.add_variable(make_input(name))
            self.add_variable(techsme_score)
            self.add_variable(rd_extra_deduction)

    data = np.load(sys.argv[1])
    system = System()
    years = data["tax_year"].astype(int)
    score = np.zeros(len(years))
    extra = np.zeros(len(years))
    passes = []
    for _ in range(3):
        elapsed = 0.0
        for year in np.unique(years):
            mask = years == year
            start = time.perf_counter()
            simulation = SimulationBuilder().build_default_simulation(system, count=int(mask.sum()))
            for name in FLOATS:
                simulation.set_input(name, str(year), data[name][mask])
            score[mask] = simulation.calculate("techsme_score", str(year))
            extra[mask] = simulation.calculate("rd_extra_deduction", str(year))
            elapsed += time.perf_counter() - start
        passes.append(elapsed)
    elapsed = min(passes)
    probe = SimulationBuilder().build_default_simulation(system, count=1)
    probe.set_input("revenue", "2023", np.array([987654321.55]))
    np.save(sys.argv[2], np.vstack([score, extra]))
    print(json.dumps({"seconds": elapsed, "passes": passes, "dtype": str(probe.calculate("revenue", "2023").dtype),
                      "stored_987654321_55": float(probe.calculate("revenue", "2023")[0])}))
    '''
)


def run_openfisca(table: dict[str, np.ndarray], workdir: Path) -> dict[str, Any]:
    if not OPENFISCA_PYTHON.exists():
        return {"status": "not run", "reason": f"{OPENFISCA_PYTHON} not found (python -m venv /tmp/ofvenv && "
                "/tmp/ofvenv/bin/pip install openfisca-core numpy)"}
    codes = table["industry_code"]
    data = {k: v for k, v in table.items() if k != "industry_code"}
    data["manufacturing"] = (codes.astype("U1") == "C").astype(np.float64)
    data["excluded"] = np.isin(codes.astype("U3"), ["C16", "H61", "H62", "F51", "F52", "K70", "L71", "L72",
                                                    "R90"]).astype(np.float64)
    inputs, outputs, script = workdir / "of_in.npz", workdir / "of_out.npy", workdir / "of_model.py"
    np.savez(inputs, **data)
    script.write_text(OPENFISCA_MODEL, encoding="utf-8")
    version = subprocess.run([str(OPENFISCA_PYTHON), "-c", "import openfisca_core, importlib.metadata as m; "
                              "print(m.version('openfisca-core'))"], capture_output=True, text=True, check=False)
    done = subprocess.run([str(OPENFISCA_PYTHON), str(script), str(inputs), str(outputs)], capture_output=True,
                          text=True, check=False)
    if done.returncode:
        return {"status": "failed", "reason": done.stderr[-2000:]}
    report = json.loads(done.stdout.strip().splitlines()[-1])
    values = np.load(outputs)
    report.update({"status": "ok", "version": version.stdout.strip(), "score": values[0], "extra": values[1]})
    return report


# ---------------------------------------------------------------- workers (fresh processes, for peak memory)
def worker_full(n: int, tune: bool) -> dict[str, Any]:
    from techsme.rules import assess_columns
    from techsme.rules.allocator import tune_allocator

    tuned = tune_allocator() if tune else False
    table = synthetic_table(n)
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    outputs = assess_columns(table)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    warm = time.perf_counter()
    assess_columns(table)
    warm = time.perf_counter() - warm
    eligible = int(np.sum(outputs["techsme_eligible"] == 1.0))
    return {
        "rows": n, "allocator_tuned": tuned, "wall_s": wall, "cpu_s": cpu, "second_run_wall_s": warm,
        "peak_rss_mib": rss_peak / 1024,
        "rss_after_data_mib": rss_data / 1024, "table_mib": table_bytes(table) / 2**20,
        "output_columns": len(outputs), "eligible": eligible,
        "unknown_eligibility": int(np.sum(np.isnan(outputs["techsme_eligible"]))),
    }


def run_worker(kind: str, n: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--worker", kind, "--n", str(n)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of_workers(kind: str, n: int, repeat: int) -> dict[str, Any]:
    """Run a worker `repeat` times (fresh processes); keep the fastest run and list every run's wall time."""
    runs = [run_worker(kind, n) for _ in range(repeat)]
    best = dict(min(runs, key=lambda r: r["wall_s"]))
    best["all_runs_wall_s"] = [r["wall_s"] for r in runs]
    best["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return best


# ---------------------------------------------------------------- parts
def timed(function: Any, repeat: int = 3) -> tuple[float, float, Any]:
    """Best wall and CPU seconds over `repeat` runs, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), result


def shared_results(n: int, workdir: Path, skip_openfisca: bool) -> dict[str, Any]:
    from techsme.rules import evaluate

    table = synthetic_table(n, with_unknowns=False)
    engine_wall, engine_cpu, engine = timed(lambda: evaluate(table, ["techsme_score", "rd_extra_deduction"]), 5)
    floor_wall, floor_cpu, floor = timed(lambda: numpy_floor(table), 5)
    same = {
        name: bool(np.allclose(engine[name], floor[name], rtol=0, atol=1e-6, equal_nan=True))
        for name in ("techsme_score", "rd_extra_deduction")
    }
    out: dict[str, Any] = {
        "rows": n,
        "engine": {"wall_s": engine_wall, "cpu_s": engine_cpu},
        "numpy_floor": {"wall_s": floor_wall, "cpu_s": floor_cpu},
        "engine_over_floor": engine_wall / floor_wall,
        "engine_equals_floor": same,
    }
    if skip_openfisca:
        out["openfisca"] = {"status": "skipped"}
        return out
    report = run_openfisca(table, workdir)
    if report.get("status") == "ok":
        score, extra = report.pop("score"), report.pop("extra")
        difference = np.abs(extra - engine["rd_extra_deduction"])
        report["equals_engine"] = {
            "techsme_score_rows_different": int(np.sum(score != engine["techsme_score"])),
            "rd_extra_deduction_rows_off_by_a_fen_or_more": int(np.sum(difference >= 0.005)),
            "rd_extra_deduction_max_abs_diff_yuan": float(np.max(difference)),
        }
        report["openfisca_over_engine"] = report["seconds"] / engine_wall
    out["openfisca"] = report
    return out


def single_assessment(count: int) -> dict[str, Any]:
    from techsme.rules import assess_records

    record = {
        "uscc": "91110000600037341L", "name": "示例科技有限公司", "tax_year": "2023", "region_code": "110101",
        "industry_code": "C3911", "founded_on": "2015-03-01", "employees": "100", "tech_staff": "27",
        "revenue": "10000000", "total_cost_expense": "8000000", "total_assets": "5000000", "rd_expense": "320000",
        "ip_class1": "0", "ip_class2": "2", "taxable_income_before_incentives": "2000000",
        "rd_core_expense": "300000", "rd_other_expense": "50000", "hnte_certificate_valid": "否",
    }
    for _ in range(20):
        assess_records([record], explain=True)
    walls, cpus = [], []
    for _ in range(count):
        wall, cpu = time.perf_counter(), time.process_time()
        assess_records([record], explain=True)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    plain = []
    for _ in range(count // 4 or 1):
        wall = time.perf_counter()
        assess_records([record])
        plain.append(time.perf_counter() - wall)
    size = len(json.dumps(assess_records([record], explain=True)[0]["explanation"], ensure_ascii=False))
    return {
        "calls": count,
        "median_wall_ms": statistics.median(walls) * 1e3,
        "median_cpu_ms": statistics.median(cpus) * 1e3,
        "p95_wall_ms": float(np.percentile(walls, 95) * 1e3), "median_without_explanation_ms":
        statistics.median(plain) * 1e3, "explanation_json_chars": size,
    }


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import polars

    return {
        "cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(), "numpy": np.__version__,
        "polars": polars.__version__, "platform": platform.platform(), "load_average_at_start": os.getloadavg(),
    }


def write_markdown(report: dict[str, Any], path: Path) -> None:
    full, shared, single = report["full_assessment"], report["shared_results"], report["single_with_explanation"]
    untuned = report["full_assessment_default_allocator"]
    of = shared["openfisca"]
    lines = [
        "# Rules engine benchmark",
        "",
        f"Run {report['run_at']} on {report['machine']['cpus']} CPUs ({report['machine']['cpu_model']}), Python "
        f"{report['machine']['python']}, numpy {report['machine']['numpy']}, polars {report['machine']['polars']}. "
        f"Load average at start: {', '.join(f'{x:.2f}' for x in report['machine']['load_average_at_start'])} "
        "(other work was running on the same machine; CPU times are less affected than wall times).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| full assessment, {full['rows']:,} enterprise-years ({full['output_columns']} output columns) | "
        f"{full['wall_s']:.2f} s wall, {full['cpu_s']:.2f} s CPU (best of {len(full['all_runs_wall_s'])} fresh "
        f"processes: {', '.join(f'{w:.2f}' for w in full['all_runs_wall_s'])} s; allocator tuned as the CLI does); "
        f"second run in the same process {full['second_run_wall_s']:.2f} s; glibc defaults: {untuned['wall_s']:.2f} s "
        f"first, {untuned['second_run_wall_s']:.2f} s second | < 3 s |",
        f"| peak memory of that process (maxrss) | {full['peak_rss_mib']:.0f} MiB (input table "
        f"{full['table_mib']:.0f} MiB; after generating it {full['rss_after_data_mib']:.0f} MiB) | < 2 GB |",
        f"| tech-SME score + R&D extra deduction, engine | {shared['engine']['wall_s']:.3f} s | ≤ 3 × floor |",
        f"| same two results, hand-written numpy kernel (floor) | {shared['numpy_floor']['wall_s']:.3f} s | |",
        f"| engine ÷ floor | {shared['engine_over_floor']:.2f} × (results equal: "
        f"{all(shared['engine_equals_floor'].values())}) | ≤ 3 |",
    ]
    if of.get("status") == "ok":
        lines += [
            f"| same two results, OpenFisca-core {of['version']} | {of['seconds']:.3f} s | |",
            f"| OpenFisca ÷ engine | {of['openfisca_over_engine']:.2f} × | ≥ 3 |",
            f"| OpenFisca float storage | {of['dtype']}: 987654321.55 is stored as {of['stored_987654321_55']:.2f}; "
            f"{of['equals_engine']['rd_extra_deduction_rows_off_by_a_fen_or_more']:,} rows' extra deduction off by "
            f"≥ 1 fen (max {of['equals_engine']['rd_extra_deduction_max_abs_diff_yuan']:.2f} yuan); "
            f"{of['equals_engine']['techsme_score_rows_different']:,} scores differ (float32 ratios at band edges) | |",
        ]
    else:
        lines.append(f"| OpenFisca-core | {of.get('status')}: {of.get('reason', '')[:200]} | |")
    lines += [
        f"| single enterprise with explanation, median of {single['calls']:,} | {single['median_wall_ms']:.2f} ms "
        f"wall ({single['median_cpu_ms']:.2f} ms CPU; p95 {single['p95_wall_ms']:.2f} ms; without explanation "
        f"{single['median_without_explanation_ms']:.2f} ms) | < 5 ms |",
        "",
        "Notes: the full assessment runs in a fresh subprocess on a synthetic table (tax years 2019–2024, 20 industry"
        " classes, 1% unknown employees / Class II IP / taxable income) and computes every output column of facts.md"
        " plus the extras (conditions, HNTE pre-check with innovation-score range, savings per incentive). The "
        "engine, floor and OpenFisca timings are the best of 5, 5 and 3 runs. The single-enterprise figure includes "
        "validation of the raw record, the assessment and the explanation of 19 results. OpenFisca is run per tax "
        "year (one simulation per year, as its periods require) in its own venv.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=1000)
    parser.add_argument("--skip-openfisca", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per full-assessment measure")
    parser.add_argument("--worker", choices=["full", "full-untuned"])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args, _unknown = parser.parse_known_args(argv)
    if args.worker:
        print(json.dumps(worker_full(args.n, tune=args.worker == "full")))
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine()}
    print(f"full assessment of {args.n:,} rows …", flush=True)
    report["full_assessment"] = best_of_workers("full", args.n, args.repeat)
    report["full_assessment_default_allocator"] = best_of_workers("full-untuned", args.n, args.repeat)
    print(json.dumps(report["full_assessment"]), flush=True)
    print(json.dumps(report["full_assessment_default_allocator"]), flush=True)
    print("shared results: engine vs numpy floor vs OpenFisca …", flush=True)
    report["shared_results"] = shared_results(args.n, args.output, args.skip_openfisca)
    print(json.dumps(report["shared_results"]), flush=True)
    print(f"single enterprise with explanation × {args.single} …", flush=True)
    report["single_with_explanation"] = single_assessment(args.single)
    print(json.dumps(report["single_with_explanation"]), flush=True)
    for leftover in ("of_in.npz", "of_out.npy", "of_model.py"):
        (args.output / leftover).unlink(missing_ok=True)
    (args.output / "rules.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_markdown(report, args.output / "rules.md")
    print((args.output / "rules.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
