"""Benchmark: concurrent voucher redemptions with the partitioned, keyed audit chain (issue 11 §4).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_audit_bench python bench/bench_audit_throughput.py

Default database ``postgres://postgres@127.0.0.1:5432/techsme_audit_bench`` (created if missing, migrated; every run
adds its own rows). Each scenario sets up one programme with ``--vouchers`` vouchers of ¥10,000 and 8 contracts of
¥6,000 per voucher (share 50% → ¥3,000 per redemption, so only 3⅓ of the 8 fit), then ``--clients`` clients redeem
every contract in shuffled order through ``vouchers.services.do_redeem`` (the real verb: voucher and contract locks,
ledger movement, two audit events). Scenarios:

- ``one-provider-threads``: the old benchmark's shape (bench_vouchers.py: one provider, 32 threads in one process,
  57 redemptions/s with the single global chain lock);
- ``one-provider-processes``: the same work from 32 processes (one per client, as web workers are);
- ``many-providers-processes``: every voucher's 8 contracts at 8 of 32 providers, each client redeeming for one
  provider: unrelated writes (different providers, receivables and audit partitions); a voucher is still contended
  by up to 8 clients, so overspend is still tested.

Checked afterwards: every voucher balance is exactly 0, redeemed = issued (no overspend, nothing lost),
``verify_balances()`` is empty and ``audit.verify_chain()`` passes. Results: bench/results/audit_throughput.json
and .md. Targets (≥ 500 redemptions/s, 0 overspend, chain verifies) are recorded, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/techsme_audit_bench"
OLD_RATE = 57.0  # redemptions/s with one global chain lock (issue 11, bench/results/vouchers.md before it)
TARGET = 500.0
SCENARIOS = {
    "one-provider-threads": (1, "threads"),
    "one-provider-processes": (1, "processes"),
    "many-providers-processes": (32, "processes"),
}


def setup(run: str, vouchers: int, providers: int) -> tuple[Any, list[tuple[int, str, int]], list[Any]]:
    """A programme, ``providers`` approved providers and ``vouchers`` vouchers with 8 contracts each."""
    from django.utils import timezone

    from techsme.accounts.models import Membership, Organisation, User
    from techsme.core.identifiers import make_uscc
    from techsme.registry.models import Enterprise
    from techsme.vouchers import services as s

    root = User.objects.create_user(username=f"bench-root-{run}", is_superuser=True, is_staff=True)
    agency = Organisation.objects.create(kind="agency", level="city", region_code="440300", name=f"bench {run}")
    today = timezone.localdate()
    programme = s.do_create_programme(
        actor=root, agency=agency, name=f"bench {run}", year=today.year, budget=str(10000 * vouchers),
        cap_per_enterprise_year="10000", cap_per_application="10000", max_contract_share="0.5",
        categories=["testing"], valid_until=today.replace(month=12, day=31))
    labs, registered = [], []
    for p in range(providers):
        org = Organisation.objects.create(kind="provider", region_code="440305", name=f"bench lab {run} {p}")
        lab = User.objects.create_user(username=f"bench-lab-{run}-{p}")
        Membership.objects.create(user=lab, organisation=org, role="provider_staff")
        provider = s.do_register_provider(actor=lab, organisation_id=org.pk, programme_id=programme.pk,
                                          institution=f"bench lab {p}", accreditation="CNAS",
                                          services=[{"name": "test", "category": "testing", "price": "6000"}])
        s.do_decide_provider(actor=root, provider_id=provider.pk, approve=True)
        labs.append(lab)
        registered.append(provider)
    base = int(run) % 100_000 * 1000
    work: list[tuple[int, str, int]] = []
    for i in range(vouchers):
        enterprise = Enterprise.objects.create(uscc=make_uscc("440305", base + i), name=f"bench {run} {i}",
                                               region_code="440305", industry_code="I6513",
                                               founded_on=dt.date(2018, 1, 1))
        application = s.do_apply(actor=root, programme_id=programme.pk, enterprise_id=enterprise.pk, amount="10000",
                                 purpose="bench", submission_key=f"bench:{run}:{i}")
        voucher = s.do_decide_application(actor=root, application_id=application.pk, approve=True).voucher
        for j in range(8):
            p = (i + j) % providers
            c = s.do_record_contract(actor=root, voucher_id=voucher.pk, provider_id=registered[p].pk,
                                     category="testing", amount="6000", description="bench",
                                     submission_key=f"bench:{run}:{i}:{j}")
            work.append((c.pk, voucher.code, p))
    random.Random(7).shuffle(work)
    return programme, work, labs


def redeem_share(share: list[tuple[int, str, int]], labs: list[Any]) -> Counter[str]:
    from django.db import connections

    from techsme.core.errors import Conflict
    from techsme.vouchers import services as s

    outcome: Counter[str] = Counter()
    try:
        for contract_id, code, p in share:
            try:
                s.do_redeem(actor=labs[p], contract_id=contract_id, voucher_code=code)
                outcome["redeemed"] += 1
            except Conflict:
                outcome["refused (no balance left)"] += 1
            except Exception as exc:  # recorded, and fails the run
                outcome["error: " + type(exc).__name__] += 1
    finally:
        connections.close_all()
    return outcome


def shares(work: list[tuple[int, str, int]], clients: int, providers: int) -> list[list[tuple[int, str, int]]]:
    """With several providers each client redeems for one provider (as its staff would); else round robin."""
    if providers > 1:
        return [[w for w in work if w[2] % clients == c] for c in range(clients)]
    return [work[c::clients] for c in range(clients)]


def _process_client(share: list, labs: list, barrier: Any, queue: Any) -> None:
    barrier.wait()
    queue.put(dict(redeem_share(share, labs)))


def run_clients(parts: list[list], labs: list[Any], mode: str) -> tuple[Counter[str], float]:
    total: Counter[str] = Counter()
    if mode == "threads":
        barrier = threading.Barrier(len(parts) + 1)
        lock = threading.Lock()

        def client(part: list) -> None:
            barrier.wait()
            counted = redeem_share(part, labs)
            with lock:
                total.update(counted)

        threads = [threading.Thread(target=client, args=(p,)) for p in parts]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        return total, time.perf_counter() - start
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(len(parts) + 1), context.Queue()
    processes = [context.Process(target=_process_client, args=(p, labs, barrier, queue)) for p in parts]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    for _ in processes:
        total.update(queue.get())
    seconds = time.perf_counter() - start
    for process in processes:
        process.join()
    return total, seconds


def scenario(name: str, clients: int, vouchers: int) -> dict[str, Any]:
    from django.db import connections

    from techsme.core.audit import verify_chain
    from techsme.core.ledger import verify_balances
    from techsme.vouchers.models import Contract, Voucher

    providers, mode = SCENARIOS[name]
    run = f"{int(time.time() * 1000) % 10**10}"
    setup_start = time.perf_counter()
    programme, work, labs = setup(run, vouchers, providers)
    setup_seconds = time.perf_counter() - setup_start
    connections.close_all()
    load = os.getloadavg()[0]
    cpu_before = os.times()
    outcome, seconds = run_clients(shares(work, clients, providers), labs, mode)
    cpu_after = os.times()
    own_cpu = (cpu_after.user + cpu_after.system + cpu_after.children_user + cpu_after.children_system
               - cpu_before.user - cpu_before.system - cpu_before.children_user - cpu_before.children_system)
    vouchers_rows = list(Voucher.objects.filter(programme=programme).select_related("account"))
    issued = sum((v.amount for v in vouchers_rows), Decimal(0))
    redeemed = sum(Contract.objects.filter(voucher__programme=programme).values_list("redeemed_amount", flat=True),
                   Decimal(0))
    verify_start = time.perf_counter()
    chain = verify_chain()
    verify_seconds = time.perf_counter() - verify_start
    rate = outcome["redeemed"] / seconds
    return {
        "scenario": name, "clients": clients, "providers": providers, "mode": mode, "vouchers": len(vouchers_rows),
        "attempts": len(work), "outcome": dict(outcome), "seconds": round(seconds, 3),
        "redemptions_per_second": round(rate, 1), "attempts_per_second": round(len(work) / seconds, 1),
        "ratio_to_old_57": round(rate / OLD_RATE, 2),
        "client_cpu_seconds_per_attempt_ms": round(own_cpu / len(work) * 1000, 2) if mode == "processes" else None,
        "load_average_at_start": round(load, 2), "setup_seconds": round(setup_seconds, 1),
        "issued": str(issued), "redeemed": str(redeemed), "overspend": str(max(Decimal(0), redeemed - issued)),
        "all_voucher_balances_zero": all(v.account.balance == 0 for v in vouchers_rows),
        "ledger_mismatches": len(verify_balances()),
        "audit_chain_ok": chain.ok, "audit_events_checked": chain.checked, "audit_partitions": chain.partitions,
        "audit_verify_seconds": round(verify_seconds, 2),
        "audit_problem": chain.first.describe() if chain.first else "",
    }


def _markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Audit chain throughput: concurrent voucher redemptions",
        "",
        f"{result['when']} · {result['database']} {result['server']} · Python {result['python']} · "
        f"{result['cpu_count']} CPUs (shared with the database server and other work: see the load average)",
        "",
        f"Target: ≥ {TARGET:.0f} redemptions/s with 32 clients on PostgreSQL, 0 overspend, chain verifies. "
        f"Before (one global chain lock, bench_vouchers.py): {OLD_RATE:.0f} redemptions/s.",
        "",
        "| scenario | clients | providers | redemptions/s | attempts/s | × old 57/s | overspend | balances 0 "
        "| ledger ok | chain verifies (events, partitions) | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["scenarios"]:
        lines.append(
            f"| {r['scenario']} | {r['clients']} | {r['providers']} | **{r['redemptions_per_second']}** "
            f"| {r['attempts_per_second']} | {r['ratio_to_old_57']} | ¥{Decimal(r['overspend']):,.2f} "
            f"| {r['all_voucher_balances_zero']} | {r['ledger_mismatches'] == 0} "
            f"| {r['audit_chain_ok']} ({r['audit_events_checked']}, {r['audit_partitions']}) "
            f"| {r['load_average_at_start']} |"
        )
    lines += ["", result.get("notes", "")]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--vouchers", type=int, default=64)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--notes", default="", help="A paragraph written under the table (bottleneck analysis).")
    args, _unknown = parser.parse_known_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techsme.settings")
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[-1]
        subprocess.call(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], stderr=subprocess.DEVNULL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    results = [scenario(name, args.clients, args.vouchers) for name in (args.scenario or list(SCENARIOS))]
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "database": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else "",
        "python": platform.python_version(), "cpu_count": os.cpu_count(), "target": TARGET, "old_rate": OLD_RATE,
        "scenarios": results, "notes": args.notes,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "audit_throughput.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "audit_throughput.md").write_text(_markdown(result))
    print(json.dumps(result, indent=2))
    ok = all(r["audit_chain_ok"] and r["ledger_mismatches"] == 0 and r["all_voucher_balances_zero"]
             and r["redeemed"] == r["issued"] and not any(k.startswith("error") for k in r["outcome"])
             for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
