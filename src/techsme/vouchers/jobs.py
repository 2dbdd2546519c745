"""Background job: expire the vouchers whose validity has ended (``vouchers.expire``; idempotent).

``params["programme"]`` limits the run to one programme (the button on a programme page); without it every
programme is checked (the scheduled ``techsme expire-vouchers``)."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from techsme.core.jobs import ProgressFn, register_job
from techsme.core.models import Job
from techsme.vouchers.services import expire_due_vouchers


@register_job("vouchers.expire")
def run_expiry(job: Job, report_progress: ProgressFn) -> dict[str, Any]:
    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else None

    def progress(done: int, total: int) -> None:
        report_progress(100 * done // max(total, 1),
                        _("%(done)d of %(total)d vouchers checked") % {"done": done, "total": total})

    programme = job.params.get("programme")
    return expire_due_vouchers(actor=None, today=today, progress=progress,
                               programme_id=int(programme) if programme is not None else None)
