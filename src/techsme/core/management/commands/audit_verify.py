"""Verify the audit chain: every event's hash and its link to the event before it."""

from typing import Any

from django.core.management.base import BaseCommand

from techsme.core.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the hash chain of the audit events; exit 1 at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events checked."))
            return
        self.stderr.write(
            self.style.ERROR(
                f"Audit chain broken at event {report.broken_at}: {report.reason} "
                f"({report.checked} events before it are intact)."
            )
        )
        raise SystemExit(1)
