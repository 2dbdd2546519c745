"""Scale benchmark of technology transfer (issue 14): outcome search and the ranking of every need.

    python bench/bench_transfer.py [--outcomes 1000000] [--needs 100000] [--queries 300] [--no-write]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_tr_bench python bench/bench_transfer.py ...

On a fresh SQLite database in a temporary directory, or on the EMPTY PostgreSQL database ``DATABASE_URL`` names
(created for the run; migrations are applied):
1. N published outcomes and M open needs written in bulk. Texts come from ``transfer.demo_text`` (25 topics, varied
   templates); each distinct text is segmented by jieba once and its tokens reused, so loading measures the database,
   not jieba. The full-text index (FTS5 triggers / GIN) is maintained during the load, as in production.
2. Search: ``selectors.search_outcomes`` — the public search — for queries drawn from the need texts (one to three
   words); the first page (20 rows, newest first) and the total count, timed separately; p50/p95/max.
3. Ranking: the ``transfer.rank_all`` job body (index build, ranking every need, storing the top 10 of each),
   timed per phase, with its progress reports counted.
Results: bench/results/transfer.{json,md}, one section per backend. Speeds are recorded, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
REGIONS = ("440305", "440304", "440106", "330106", "510107")


def _setup(tmp: str) -> None:
    os.environ["TECHSME_VAR_DIR"] = tmp
    os.environ["TECHSME_ENV"] = "development"
    os.environ["TECHSME_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "techsme.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from techsme.transfer.models import Outcome

    if Outcome.objects.exists():
        raise SystemExit("DATABASE_URL must name an empty database created for the benchmark.")


_TOKENS: dict[str, str] = {}


def _tokens(text: str) -> str:
    from techsme.core.search import tokens
    from techsme.transfer.matching import expansions

    if text not in _TOKENS:
        _TOKENS[text] = tokens(f"{text} {expansions(text)}")
    return _TOKENS[text]


def _load(n_outcomes: int, n_needs: int) -> dict[str, float]:
    from django.db import transaction
    from django.utils import timezone

    from techsme.accounts.models import Organisation
    from techsme.core.identifiers import make_uscc
    from techsme.registry.models import Enterprise
    from techsme.transfer.demo_text import TOPICS, need_text, outcome_text
    from techsme.transfer.models import Need, Outcome

    rng = random.Random(14)
    owners = [Organisation.objects.create(kind="university", name=f"基准大学{i}", region_code=r)
              for i, r in enumerate(REGIONS)]
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Any] = []
    for index in range(n_outcomes):
        topic = TOPICS[rng.randrange(len(TOPICS))]
        title, summary, keywords = outcome_text(topic, rng)
        owner = owners[index % len(owners)]
        low = rng.choice((30, 80, 200, 500)) * 10000
        batch.append(Outcome(owner=owner, region_code=owner.region_code, title_zh=title, summary_zh=summary,
                             keywords=keywords, industry_code=topic.industry, trl=rng.randint(2, 9),
                             modes=["licence"], price_min=low, price_max=low * 3, state="published",
                             published_at=now - dt.timedelta(minutes=index),
                             search_tokens=_tokens(f"{title} {summary} {keywords}")))
        if len(batch) == 5000:
            with transaction.atomic():
                Outcome.objects.bulk_create(batch)
            batch = []
    if batch:
        Outcome.objects.bulk_create(batch)
    outcomes_s = time.perf_counter() - started
    started = time.perf_counter()
    enterprises = []
    for index in range(max(1, n_needs // 20)):
        org = Organisation.objects.create(kind="enterprise", name=f"需求企业{index}", region_code=REGIONS[index % 5])
        enterprises.append(Enterprise.objects.create(organisation=org, uscc=make_uscc(org.region_code, 70_000 + index),
                                                     name=org.name, region_code=org.region_code,
                                                     industry_code="C3841", founded_on="2015-01-01"))
    batch = []
    for index in range(n_needs):
        topic = TOPICS[rng.randrange(len(TOPICS))]
        title, summary = need_text(topic, rng)
        enterprise = enterprises[index % len(enterprises)]
        batch.append(Need(enterprise=enterprise, region_code=enterprise.region_code, title=title, summary=summary,
                          industry_code=topic.industry, budget=rng.choice((50, 100, 300)) * 10000,
                          min_trl=rng.choice((None, 4, 6)), search_tokens=_tokens(f"{title} {summary}")))
        if len(batch) == 5000:
            with transaction.atomic():
                Need.objects.bulk_create(batch)
            batch = []
    if batch:
        Need.objects.bulk_create(batch)
    return {"outcomes_load_s": round(outcomes_s, 1), "needs_load_s": round(time.perf_counter() - started, 1),
            "distinct_texts": len(_TOKENS)}


def _queries(count: int) -> list[str]:
    from techsme.transfer.demo_text import TOPICS

    rng = random.Random(7)
    out = []
    for _n in range(count):  # one to three words a user would type about one topic
        topic = rng.choice(TOPICS)
        words = [*topic.objects, *topic.methods, *topic.effects]
        out.append(" ".join(rng.sample(words, rng.choice((1, 1, 2, 3))))[:40])
    return out


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2)}


def _search(count: int) -> dict[str, Any]:
    from techsme.transfer.selectors import OutcomeFilters, search_outcomes

    page, total, hits = [], [], []
    for query in _queries(count):
        qs = search_outcomes(OutcomeFilters(q=query))
        started = time.perf_counter()
        rows = list(qs[:20])
        page.append(time.perf_counter() - started)
        started = time.perf_counter()
        hits.append(qs.count())
        total.append(time.perf_counter() - started)
        assert len(rows) == min(20, hits[-1])
    return {"queries": count, "first_page": _percentiles(page), "count": _percentiles(total),
            "median_hits": statistics.median(hits), "max_hits": max(hits)}


def _rank() -> dict[str, Any]:
    from techsme.transfer.batch import rank_all
    from techsme.transfer.corpus import need_side
    from techsme.transfer.jobs import load_index, store
    from techsme.transfer.models import Need

    reports: list[int] = []
    started = time.perf_counter()
    index = load_index()
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    needs = [(n.pk, need_side(n)) for n in Need.objects.order_by("pk").only(
        "pk", "search_tokens", "industry_code", "region_code", "min_trl", "budget").iterator(5000)]
    results = rank_all(index, needs, progress=lambda done, total: reports.append(done))
    rank_s = time.perf_counter() - started
    started = time.perf_counter()
    stored = store(results)
    store_s = time.perf_counter() - started
    return {"index_s": round(index_s, 1), "rank_s": round(rank_s, 1), "store_s": round(store_s, 1),
            "total_s": round(index_s + rank_s + store_s, 1), "matches_stored": stored,
            "progress_reports": len(reports), "target_s": 600}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outcomes", type=int, default=1_000_000)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--skip-ranking", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        from django.db import connection

        result: dict[str, Any] = {"backend": connection.vendor, "outcomes": args.outcomes, "needs": args.needs,
                                  "machine": f"{platform.machine()} {os.cpu_count()} CPUs, shared",
                                  "date": dt.date.today().isoformat()}
        result["load"] = _load(args.outcomes, args.needs)
        result["search"] = _search(args.queries)
        if not args.skip_ranking:
            result["ranking"] = _rank()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.no_write:
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "transfer.json"
    sections = json.loads(path.read_text()) if path.exists() else {}
    sections[result["backend"]] = result
    path.write_text(json.dumps(sections, ensure_ascii=False, indent=2) + "\n")
    lines = ["# Technology-transfer scale benchmark", "", "Written by `bench/bench_transfer.py`; one section per "
             "database. Targets (issue 14): search p95 under 50 ms over 1M outcomes; ranking 100k needs against 1M "
             "outcomes in under 10 minutes.", ""]
    for backend, row in sections.items():
        search = row["search"]
        lines += [f"## {backend} — {row['outcomes']:,} outcomes, {row['needs']:,} needs ({row['date']}, "
                  f"{row['machine']})", "",
                  f"- load: outcomes {row['load']['outcomes_load_s']} s, needs {row['load']['needs_load_s']} s",
                  f"- search, first page of 20 ({search['queries']} queries): p50 {search['first_page']['p50_ms']} "
                  f"ms, p95 {search['first_page']['p95_ms']} ms, max {search['first_page']['max_ms']} ms",
                  f"- search, total count: p50 {search['count']['p50_ms']} ms, p95 {search['count']['p95_ms']} ms "
                  f"(median {search['median_hits']:,} hits, max {search['max_hits']:,})"]
        if "ranking" in row:
            r = row["ranking"]
            lines.append(f"- ranking every need: index {r['index_s']} s, ranking {r['rank_s']} s, storing "
                         f"{r['matches_stored']:,} matches {r['store_s']} s — total {r['total_s']} s "
                         f"({r['progress_reports']} progress reports)")
        lines.append("")
    (RESULTS / "transfer.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
