"""``techsme seed-demo --enterprises 2000 --seed 42``: deterministic demo enterprises, organisations and users."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from techsme.registry import demo


class Command(BaseCommand):
    help = (
        "Seed deterministic demo data: enterprises with three years of facts and IP, demo organisations, and one "
        f"demo user per role (password {demo.DEMO_PASSWORD}). Does nothing when enterprises already exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=2000, help="number of enterprises (default 2000)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data (with its published demo passwords) is never loaded in production.")
        if options["enterprises"] < 1:
            self.stderr.write("--enterprises must be at least 1.")
            return
        started = time.perf_counter()
        report = demo.seed_demo(enterprises=options["enterprises"], seed=options["seed"])
        if not report.created:
            self.stdout.write(self.style.WARNING(report.message))
            return
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"{report.message} {report.enterprises} enterprises, {report.facts} years of facts, "
            f"{report.ip_assets} IP assets, {report.users} users in {elapsed:.1f} s."
        ))
        self.stdout.write(f"Demo users (password {demo.DEMO_PASSWORD}): {', '.join(demo.DEMO_USERNAMES)}")
        for description, uscc in report.edge_cases.items():
            self.stdout.write(f"  edge case — {description}: {uscc}")
