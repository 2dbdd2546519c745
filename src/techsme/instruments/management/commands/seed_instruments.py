from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from techsme.instruments.demo import seed_instruments


class Command(BaseCommand):
    help = "Create the demo shared instruments, last year's usage and a few bookings (once; idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        created = seed_instruments(seed)
        if created:
            self.stdout.write(f"Demo instruments created: {created}.")
        else:
            self.stdout.write("Demo instruments already exist; nothing done.")
