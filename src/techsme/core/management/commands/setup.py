"""Bring a database up to date: migrations, cache table, translations, static files, and demo data on request.

Idempotent: a second run changes nothing.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

DEMO_ENTERPRISES = 2000
DEMO_SEED = 42


class Command(BaseCommand):
    help = "Migrate, create the cache table, compile translations, collect static (production), load demo data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", help="Load the demo data when there are no enterprises yet.")

    def handle(self, *args: Any, demo: bool = False, **options: Any) -> None:
        verbosity = options["verbosity"]
        quiet = max(verbosity - 1, 0)
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=quiet)
        call_command("createcachetable", verbosity=quiet)
        call_command("compile_messages", verbosity=verbosity, stdout=self.stdout._out)
        if settings.PRODUCTION:
            self.stdout.write("Collecting static files…")
            call_command("collectstatic", interactive=False, verbosity=quiet)
        if demo:
            if settings.PRODUCTION:
                raise CommandError("Demo data (with its published demo passwords) is never loaded in production.")
            self._demo(verbosity)
        self.stdout.write(self.style.SUCCESS("Setup done."))

    def _demo(self, verbosity: int) -> None:
        from techsme.registry.demo import DEMO_ENTERPRISE_NAME
        from techsme.registry.models import Enterprise

        if not Enterprise.objects.exists():
            if "seed_demo" not in get_commands():
                self.stdout.write(self.style.WARNING("Demo data: the seed_demo command is not available; skipped."))
                return
            self.stdout.write(f"Loading demo data ({DEMO_ENTERPRISES} enterprises, seed {DEMO_SEED})…")
            call_command("seed_demo", enterprises=DEMO_ENTERPRISES, seed=DEMO_SEED, verbosity=verbosity,
                         stdout=self.stdout._out)
        elif not Enterprise.objects.filter(name=DEMO_ENTERPRISE_NAME).exists():
            self.stdout.write("Demo data: the database already has enterprises of its own; nothing loaded.")
            return
        # Each domain's demo is idempotent: an existing demo database gains the domains added since it was made.
        for label, seed in self._domain_demos():
            self.stdout.write(f"Demo data: {label}…")
            seed()

    def _domain_demos(self) -> list[tuple[str, Any]]:
        from techsme.evaluation.demo import seed_evaluation_demo
        from techsme.instruments.demo import pay_demo_usage_by_voucher, seed_instruments
        from techsme.vouchers.demo import seed_vouchers_demo

        return [
            ("tech-SME evaluation filings, publicity and registrations", seed_evaluation_demo),
            ("shared instruments, bookings and usage", lambda: seed_instruments(DEMO_SEED)),
            ("innovation-voucher programmes, vouchers and contracts", seed_vouchers_demo),
            ("an instrument usage paid partly by voucher", pay_demo_usage_by_voucher),
        ]
