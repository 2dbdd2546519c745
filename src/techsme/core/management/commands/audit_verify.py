"""Verify the audit trail: every event's keyed hash, its link and number in its partition, every partition's
signed checkpoint and the latest seal; then seal the verified state."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from techsme.core.audit import seal, verify_chain

SHOWN = 20


class Command(BaseCommand):
    help = (
        "Recompute the keyed hash chains of the audit events and compare them with their signed checkpoints and "
        "the latest seal. Exit 1 naming the first bad event; exit 0 with a summary (and a new seal) otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seal", action="store_true", help="Only verify; do not record a new seal.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.ok:
            summary = f"Audit chain intact: {report.checked} events checked in {report.partitions} partitions"
            if report.seal is not None:
                summary += f"; consistent with the seal of {report.seal.sealed_at:%Y-%m-%d %H:%M:%S} UTC"
            self.stdout.write(self.style.SUCCESS(summary + "."))
            if not options["no_seal"]:
                new = seal()
                self.stdout.write(f"Sealed {new.events} events in {len(new.partitions)} partitions "
                                  f"(seal {new.pk}, signature {new.signature}).")
            return
        first = report.first
        assert first is not None
        self.stderr.write(self.style.ERROR(f"Audit trail broken at {first.describe()}."))
        others = [p for p in report.problems if p is not first]
        for problem in others[:SHOWN]:
            self.stderr.write(f"  also: {problem.describe()}")
        if len(others) > SHOWN:
            self.stderr.write(f"  … and {len(others) - SHOWN} more problems.")
        self.stderr.write(f"{report.checked} events before the problems are intact.")
        raise SystemExit(1)
