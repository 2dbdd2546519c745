"""``techsme expire-vouchers [--today YYYY-MM-DD]``: return the unspent value of expired vouchers to the budgets.

Idempotent (an expired voucher is skipped; each return has the ledger key ``voucher:<id>:expire``): schedule it
daily (cron / systemd timer) or run it at the end of a programme's validity.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from techsme.vouchers.services import expire_due_vouchers


class Command(BaseCommand):
    help = "Expire the innovation vouchers whose validity has ended; unspent value returns to the programme budget."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="treat this date as today (default: today in Asia/Shanghai)")

    def handle(self, *args: Any, today: date | None = None, **options: Any) -> None:
        result = expire_due_vouchers(actor=None, today=today)
        self.stdout.write(f"{result['expired']} voucher(s) expired, {result['returned']} returned to the budgets.")
