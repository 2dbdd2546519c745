"""Benchmark: voucher redemptions per second against one programme, 32 concurrent clients, zero overspend.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_vouch_bench python bench/bench_vouchers.py [--clients 32]

Default database: ``postgres://postgres@127.0.0.1:5432/techsme_vouch_bench`` (created with ``createdb`` if missing;
migrated; each run adds its own rows). Setup: one programme, ``--vouchers`` vouchers of ¥10,000 each, and for every
voucher 8 contracts of ¥6,000 (share 50% → each redemption wants ¥3,000, so only 3⅓ of the 8 fit). All contracts are
redeemed in shuffled order by ``--clients`` threads, each with its own database connection, through
``vouchers.services.do_redeem`` (the real verb: locks, ledger movement, audit event). Checked afterwards: every voucher
balance is exactly 0 (nothing overspent, nothing lost), redeemed total = issued total, ``verify_balances()`` is empty.
Results: bench/results/vouchers.json and .md. Targets are recorded, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/techsme_vouch_bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--vouchers", type=int, default=64)
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
    from django.db import connection, connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from techsme.accounts.models import Membership, Organisation, User
    from techsme.core.errors import Conflict
    from techsme.core.identifiers import make_uscc
    from techsme.core.ledger import verify_balances
    from techsme.registry.models import Enterprise
    from techsme.vouchers import services as s

    run = f"{int(time.time())}"
    root = User.objects.create_user(username=f"bench-root-{run}", is_superuser=True, is_staff=True)
    agency = Organisation.objects.create(kind="agency", level="city", region_code="440300", name=f"bench {run}")
    lab_org = Organisation.objects.create(kind="provider", region_code="440305", name=f"bench lab {run}")
    lab = User.objects.create_user(username=f"bench-lab-{run}")
    Membership.objects.create(user=lab, organisation=lab_org, role="provider_staff")
    today = timezone.localdate()
    programme = s.do_create_programme(
        actor=root, agency=agency, name=f"bench {run}", year=today.year, budget=str(10000 * args.vouchers),
        cap_per_enterprise_year="10000", cap_per_application="10000", max_contract_share="0.5",
        categories=["testing"], valid_until=today.replace(month=12, day=31))
    provider = s.do_register_provider(actor=lab, organisation_id=lab_org.pk, programme_id=programme.pk,
                                      institution="bench lab", accreditation="CNAS",
                                      services=[{"name": "test", "category": "testing", "price": "6000"}])
    s.do_decide_provider(actor=root, provider_id=provider.pk, approve=True)
    base = int(run) % 100_000 * 1000
    work: list[tuple[int, str]] = []
    setup_start = time.perf_counter()
    for i in range(args.vouchers):
        enterprise = Enterprise.objects.create(uscc=make_uscc("440305", base + i), name=f"bench {run} {i}",
                                               region_code="440305", industry_code="I6513",
                                               founded_on=dt.date(2018, 1, 1))
        application = s.do_apply(actor=root, programme_id=programme.pk, enterprise_id=enterprise.pk, amount="10000",
                                 purpose="bench", submission_key=f"bench:{run}:{i}")
        voucher = s.do_decide_application(actor=root, application_id=application.pk, approve=True).voucher
        for j in range(8):
            c = s.do_record_contract(actor=root, voucher_id=voucher.pk, provider_id=provider.pk, category="testing",
                                     amount="6000", description="bench", submission_key=f"bench:{run}:{i}:{j}")
            work.append((c.pk, voucher.code))
    setup_seconds = time.perf_counter() - setup_start
    random.Random(7).shuffle(work)
    connections.close_all()

    lock = threading.Lock()
    outcome: Counter[str] = Counter()
    errors: list[str] = []
    barrier = threading.Barrier(args.clients)

    def client(index: int) -> None:
        mine = work[index::args.clients]
        barrier.wait()
        try:
            for contract_id, code in mine:
                try:
                    s.do_redeem(actor=lab, contract_id=contract_id, voucher_code=code)
                    kind = "redeemed"
                except Conflict:
                    kind = "refused (no balance left)"
                except Exception as exc:  # recorded, and fails the run
                    kind = "error"
                    errors.append(repr(exc))
                with lock:
                    outcome[kind] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start

    from techsme.vouchers.models import Contract, Voucher

    vouchers = list(Voucher.objects.filter(programme=programme).select_related("account"))
    issued = sum((v.amount for v in vouchers), Decimal(0))
    redeemed = sum(Contract.objects.filter(voucher__programme=programme).values_list("redeemed_amount", flat=True),
                   Decimal(0))
    balances_zero = all(v.account.balance == 0 for v in vouchers)
    mismatches = verify_balances()
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor, "server": connection.pg_version if connection.vendor == "postgresql" else "",
        "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "clients": args.clients, "vouchers": len(vouchers), "attempts": len(work),
        "outcome": dict(outcome), "seconds": round(seconds, 3),
        "redemptions_per_second": round(outcome["redeemed"] / seconds, 1),
        "attempts_per_second": round(len(work) / seconds, 1),
        "setup_seconds": round(setup_seconds, 1),
        "issued": str(issued), "redeemed": str(redeemed), "overspend": str(max(Decimal(0), redeemed - issued)),
        "all_voucher_balances_zero": balances_zero, "ledger_mismatches": len(mismatches), "errors": errors[:5],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "vouchers.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "vouchers.md").write_text(
        "# Voucher redemption benchmark\n\n"
        f"{result['when']} · {result['database']} {result['server']} · Python {result['python']} · "
        f"{result['cpu_count']} CPUs\n\n"
        f"- {args.clients} concurrent clients, one programme, {len(vouchers)} vouchers of ¥10,000, "
        f"{len(work)} redemption attempts of ¥3,000 each (only ¥10,000 per voucher fits)\n"
        f"- **{result['redemptions_per_second']} successful redemptions/s** "
        f"({result['attempts_per_second']} attempts/s, {result['seconds']} s)\n"
        f"- outcome: {dict(outcome)}\n"
        f"- issued ¥{issued:,.2f}, redeemed ¥{redeemed:,.2f}, overspend ¥{Decimal(result['overspend']):,.2f}; "
        f"all voucher balances 0: {balances_zero}; ledger mismatches: {len(mismatches)}\n"
    )
    print(json.dumps(result, indent=2))
    ok = not errors and not mismatches and balances_zero and redeemed == issued
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
