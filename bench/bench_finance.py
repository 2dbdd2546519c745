"""Benchmark: the pool dashboard over 100,000 loans and a batch of 1,000 compensation approvals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/techsme_finance_bench python bench/bench_finance.py

Default database: ``postgres://postgres@127.0.0.1:5432/techsme_finance_bench`` (created if missing, migrated, emptied
of earlier finance rows). Setup: one pool with two banks' agreements made through the real verbs, 2,000 enterprises,
``--loans`` loans (enrolled, repaid, in default; granted over five years) and ``--claims`` claims under review, bulk
inserted. Measured: ``selectors.pool_dashboard`` for the agency's programme manager (balance, loans outstanding,
leverage, default and compensation rates by bank and by year), ``--repeat`` times → p50/p95; then
``services.approve_many`` over ``--batch`` claims (each its own transaction: locks, caps and pool on the ledger, audit
event). Checked: ``verify_balances()`` is empty and the pool never went below zero. Targets (issue 15): dashboard p95
under 200 ms, a batch of 1,000 in under 10 s — recorded, not asserted. Results: bench/results/finance.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/techsme_finance_bench"


def main() -> int:  # noqa: PLR0915 — one linear script
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=30)
    args, _unknown = parser.parse_known_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techsme.settings")
    if url.startswith("postgres"):
        subprocess.call(["createdb", "-h", "127.0.0.1", "-U", "postgres", url.rsplit("/", 1)[-1]],
                        stderr=subprocess.DEVNULL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from techsme.accounts.models import Membership, Organisation, User
    from techsme.core.identifiers import make_uscc
    from techsme.core.ledger import verify_balances
    from techsme.finance import accounts, selectors
    from techsme.finance import services as s
    from techsme.finance.models import Claim, ClaimDocument, ClaimState, Loan, LoanState
    from techsme.registry.models import Enterprise

    rng = random.Random(15)
    stamp = str(int(time.time()))
    today = timezone.localdate()
    agency = Organisation.objects.create(kind="agency", level="city", region_code="440300",
                                         name=f"bench agency {stamp}")
    manager = User.objects.create(username=f"bench-fin-manager-{stamp}")
    Membership.objects.create(user=manager, organisation=agency, role="programme_manager")
    banks, agreements = [], []
    pool = s.do_create_pool(actor=manager, agency_id=agency.pk, name=f"bench pool {stamp}",
                            suspension_loss_ratio_pct="99")
    s.do_fund_pool(actor=manager, pool_id=pool.pk, amount="900000000", request_key="bench")
    for i in range(2):
        bank = Organisation.objects.create(kind="bank", region_code="440304", name=f"bench bank {i} {stamp}")
        officer = User.objects.create(username=f"bench-fin-bank-{i}-{stamp}")
        Membership.objects.create(user=officer, organisation=bank, role="bank_officer")
        admission = s.do_apply_admission(actor=officer, pool_id=pool.pk, bank_id=bank.pk,
                                         local_branch_address="深圳", tech_branch_name="科技支行")
        s.do_admit_bank(actor=manager, admission_id=admission.pk)
        agreements.append(s.do_sign_agreement(
            actor=manager, admission_id=admission.pk, loss_share_pct="50", cap_per_loan="2000000",
            cap_per_enterprise="5000000", cap_per_year="5000000000", allocation="100000000", leverage_multiple="10",
            max_loan_amount="10000000", max_term_months=36, rate_ceiling_pct="6.5",
            valid_from=dt.date(today.year - 5, 1, 1), valid_until=dt.date(today.year + 1, 12, 31)))
        banks.append(bank)
    base = Enterprise.objects.count() + 500000
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(uscc=make_uscc("440305", base + i), name=f"bench enterprise {stamp} {i}", region_code="440305",
                   industry_code="I6513", founded_on=dt.date(2015, 1, 1)) for i in range(2000)])
    started = time.perf_counter()
    loans = []
    for i in range(args.loans):
        amount = Decimal(rng.choice([500000, 1000000, 2000000, 3000000]))
        state = rng.choices([LoanState.ENROLLED, LoanState.REPAID, LoanState.DEFAULTED], [78, 16, 6])[0]
        granted = today - dt.timedelta(days=rng.randint(30, 1800))
        loans.append(Loan(agreement=agreements[i % 2], enterprise=enterprises[i % 2000], contract_number=f"B{i}",
                          amount=amount, term_months=12, rate_pct=Decimal("4.35"), collateral="credit",
                          granted_on=granted, maturity_on=granted + dt.timedelta(days=365),
                          outstanding=Decimal(0) if state == LoanState.REPAID else amount, state=state, eligible=True,
                          defaulted_on=today - dt.timedelta(days=20) if state == LoanState.DEFAULTED else None))
    Loan.objects.bulk_create(loans, batch_size=5000)
    defaulted = list(Loan.objects.filter(agreement__pool=pool, state=LoanState.DEFAULTED)[: args.claims])
    now = timezone.now()
    claims = Claim.objects.bulk_create([
        Claim(loan=loan, state=ClaimState.UNDER_REVIEW, loss=loan.outstanding, requested_amount=loan.outstanding / 2,
              submitted_at=now, first_reviewed_at=now, decision_due=today + dt.timedelta(days=30)) for loan in defaulted
    ], batch_size=5000)
    ClaimDocument.objects.bulk_create([ClaimDocument(claim=c, kind="default_notice", file="bench/n.pdf",
                                                     content_type="application/pdf") for c in claims], batch_size=5000)
    # enrolment opens the headroom of the caps per loan and per enterprise (do_accept_loan); the bulk insert did not
    for claim in claims[: args.batch * 2]:
        for cap in accounts.caps_for(claim.loan.agreement, claim.loan, today.year)[:2]:
            accounts.open_cap(pool, cap)
    if connection.vendor == "postgresql":  # what autovacuum does after a bulk load; without it the planner sorts
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE finance_loan; ANALYZE finance_claim")
    setup_s = time.perf_counter() - started

    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        figures = selectors.pool_dashboard(pool, manager)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]

    batch = [c.pk for c in claims[: args.batch]]
    t0 = time.perf_counter()
    results = s.do_approve_claims_batch(actor=manager, claim_ids=batch, request_key=f"bench-{stamp}")
    batch_s = time.perf_counter() - t0
    refused = sum(1 for r in results.values() if r)
    one_by_one = [c.pk for c in claims[args.batch: args.batch + 100]]
    t0 = time.perf_counter()
    s.approve_many(actor=manager, claim_ids=one_by_one)
    single_ms = (time.perf_counter() - t0) * 1000 / max(len(one_by_one), 1)
    sound = verify_balances() == []
    balance = accounts.balance(accounts.pool_code(pool.pk))
    out = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "database": connection.vendor,
        "machine": f"{platform.processor() or platform.machine()} · {os.cpu_count()} cores",
        "loans": args.loans, "claims": len(claims), "setup_s": round(setup_s, 1),
        "dashboard_ms_p50": round(statistics.median(timings), 1), "dashboard_ms_p95": round(p95, 1),
        "dashboard_target_ms": 200, "batch": len(batch), "batch_s": round(batch_s, 2), "batch_target_s": 10,
        "single_approval_ms": round(single_ms, 1), "approved": len(batch) - refused, "refused": refused,
        "ledger_sound": sound, "pool_balance": str(balance),
        "loans_enrolled_seen": str(figures["totals"].enrolled),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "finance.json").write_text(json.dumps(out, indent=2) + "\n")
    (RESULTS / "finance.md").write_text(
        "# Finance benchmark\n\n| measure | value | target |\n|---|---|---|\n"
        f"| pool dashboard over {args.loans:,} loans, p50 / p95 | {out['dashboard_ms_p50']} / "
        f"{out['dashboard_ms_p95']} ms | p95 < 200 ms |\n"
        f"| approval batch of {len(batch):,} claims | {out['batch_s']} s ({out['approved']} approved, "
        f"{refused} refused), one ledger movement | < 10 s |\n"
        f"| one approval at a time (its own transaction and movement) | {out['single_approval_ms']} ms each | — |\n"
        f"| ledger sound afterwards | {sound} | True |\n\n"
        f"{out['database']}, {out['machine']}, {out['when']}.\n")
    print(json.dumps(out, indent=2))
    return 0 if sound and balance >= 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
