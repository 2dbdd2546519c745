"""The payment file of a reimbursement batch (CSV or XLSX through ``core.exports``, formula-injection safe).

One row per redemption paid in the batch, each naming the payee (institution, unified social credit code — bank
details are not modelled yet), then a total row with the batch amount, which is the amount of the ledger movement.
"""

from typing import Any

from django.utils.translation import gettext as _

from techsme.core.exports import spreadsheet_response, write_csv, write_xlsx
from techsme.vouchers.models import ReimbursementBatch

KEYS = ("batch", "period", "programme", "payee", "uscc", "contract", "enterprise", "voucher", "category",
        "contract_amount", "amount", "verified_at")


def columns() -> list[tuple[str, str]]:
    headers = (_("Batch"), _("Period"), _("Programme"), _("Payee (institution)"), _("Unified social credit code"),
               _("Contract"), _("Enterprise"), _("Voucher code"), _("Service category"), _("Contract amount"),
               _("Amount paid by the voucher"), _("Verified on"))
    return list(zip(KEYS, (str(h) for h in headers), strict=True))


def batch_rows(batch: ReimbursementBatch) -> list[dict[str, Any]]:
    provider = batch.provider
    common = {"batch": batch.pk, "period": batch.period, "programme": batch.programme.name,
              "payee": provider.institution, "uscc": provider.uscc}
    rows = []
    for c in batch.contracts.select_related("enterprise", "voucher").order_by("pk"):
        rows.append({**common, "contract": c.pk, "enterprise": c.enterprise.name, "voucher": c.voucher.code,
                     "category": str(c.get_category_display()), "contract_amount": c.amount,
                     "amount": c.net_amount, "verified_at": c.verified_at.date() if c.verified_at else None})
    rows.append({**common, "contract": str(_("Total")), "amount": batch.amount})
    return rows


def batch_response(batch: ReimbursementBatch, fmt: str) -> Any:
    rows = batch_rows(batch)
    filename = f"reimbursement-{batch.period}-{batch.pk}"
    if fmt == "xlsx":
        data = write_xlsx(rows, columns(), sheet_title=f"{batch.period} {batch.pk}")
    else:
        fmt, data = "csv", write_csv(rows, columns())
    return spreadsheet_response(data, filename, fmt)
