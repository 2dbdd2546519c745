"""``techsme seed-vouchers``: the demo voucher programme in Shenzhen (after ``seed-demo``; does nothing twice)."""

from typing import Any

from django.core.management.base import BaseCommand

from techsme.vouchers.demo import seed_vouchers_demo


class Command(BaseCommand):
    help = "Seed the demo innovation-voucher programme (needs the registry demo data; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_vouchers_demo()
        if not result:
            self.stdout.write("Voucher demo: already present, or the registry demo data is missing; nothing done.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Voucher demo: programme {result['programme']}, {result['vouchers']} vouchers, "
            f"{result['contracts']} contracts."))
