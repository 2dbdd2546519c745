"""``techsme lapse-registrations [--year Y]``: lapse the registrations without an annual update (run after 31 March)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from techsme.core.errors import Conflict
from techsme.evaluation.services import do_lapse_registrations


class Command(BaseCommand):
    help = "Lapse the registrations of a year (default: last year) that missed the annual update by 31 March."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, default=None, help="Registration year (default: last year).")

    def handle(self, *args: Any, year: int | None = None, **options: Any) -> None:
        year = year or timezone.localdate().year - 1
        try:
            count = do_lapse_registrations(actor=None, year=year)
        except Conflict as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{count} registration(s) of {year} lapsed.")
