"""Bring a database up to date: migrations, cache table, translations, static files, and demo data on request.

Idempotent: a second run changes nothing.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from techsme.core.hooks import demo_base, demo_steps


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
        base = demo_base()
        if base is None:
            self.stdout.write(self.style.WARNING("Demo data: no app provides the base demo; skipped."))
            return
        if not base():
            self.stdout.write("Demo data: the database already has enterprises of its own; nothing loaded.")
            return
        # Each domain's demo is idempotent: an existing demo database gains the domains added since it was made.
        for step in demo_steps():
            self.stdout.write(f"Demo data: {step.label}…")
            step.seed()
