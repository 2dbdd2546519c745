"""E-mail notifications of the voucher process, sent only after the transaction commits (``transaction.on_commit``).

Recipients are the active users with an e-mail address who are members of the organisation concerned (the
enterprise for decisions, issued vouchers and redemptions; the provider institution for reimbursements). Mail goes
through Django's mail framework (``EMAIL_BACKEND``; the console backend by default). Each message is written in
Chinese, then English. A failure to send is logged and never undoes the step that was already committed.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from techsme.accounts.recipients import member_emails

logger = logging.getLogger(__name__)
LANGUAGES = ("zh-hans", "en")


recipients = member_emails  # the organisation's active members with an address


def _yuan(amount: Any) -> str:
    return f"¥{amount:,.2f}"


def _compose(render: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    subjects, bodies = [], []
    for lang in LANGUAGES:
        with translation.override(lang):
            subject, body = render()
        subjects.append(subject)
        bodies.append(body)
    return " / ".join(subjects), "\n\n-----\n\n".join(bodies)


def _send(organisation_id: int, render: Callable[[], tuple[str, str]]) -> None:
    to = recipients(organisation_id)
    if not to:
        return
    subject, body = _compose(render)
    try:
        send_mail(subject[:250], body, settings.DEFAULT_FROM_EMAIL, to)
    except Exception:  # the step is committed; a mail failure must not turn it into an error page
        logger.exception("voucher notification could not be sent to organisation %s", organisation_id)


def _later(organisation_id: int, render: Callable[[], tuple[str, str]]) -> None:
    transaction.on_commit(lambda: _send(organisation_id, render))


def application_decided(application: Any) -> None:
    """To the enterprise: its application was approved (voucher issued, with the code) or rejected (reason)."""
    programme, enterprise = application.programme.name, application.enterprise.name
    approved = application.state == "approved"
    voucher = getattr(application, "voucher", None) if approved else None
    code = voucher.code if voucher else ""
    valid_until = voucher.valid_until.isoformat() if voucher else ""
    amount = application.approved_amount if approved else application.amount
    reason = application.reason

    def render() -> tuple[str, str]:
        if approved:
            subject = _("Innovation voucher issued: %(programme)s") % {"programme": programme}
            body = _(
                "Your application to “%(programme)s” for %(enterprise)s was approved and a voucher of %(amount)s "
                "was issued.\nVoucher code: %(code)s\nValid until: %(date)s"
            ) % {"programme": programme, "enterprise": enterprise, "amount": _yuan(amount), "code": code,
                 "date": valid_until}
            if reason:
                body += "\n" + _("Note from the agency: %(reason)s") % {"reason": reason}
        else:
            subject = _("Voucher application rejected: %(programme)s") % {"programme": programme}
            body = _(
                "Your application to “%(programme)s” for %(enterprise)s (%(amount)s) was rejected.\nReason: %(reason)s"
            ) % {"programme": programme, "enterprise": enterprise, "amount": _yuan(amount), "reason": reason}
        return subject, body

    _later(application.enterprise.organisation_id, render)


def redemption_confirmed(contract: Any) -> None:
    """To the enterprise: the provider redeemed its voucher for a contract."""
    code, provider = contract.voucher.code, contract.provider.institution
    amount, contract_amount = contract.redeemed_amount, contract.amount

    def render() -> tuple[str, str]:
        subject = _("Voucher %(code)s redeemed") % {"code": code}
        body = _(
            "%(provider)s redeemed voucher %(code)s for a service contract of %(contract)s: the voucher paid "
            "%(amount)s; the rest is paid by your enterprise directly to the provider."
        ) % {"provider": provider, "code": code, "contract": _yuan(contract_amount), "amount": _yuan(amount)}
        return subject, body

    _later(contract.enterprise.organisation_id, render)


def reimbursement_paid(batch: Any, contracts: int) -> None:
    """To the provider: a reimbursement batch was paid."""
    programme, period, amount = batch.programme.name, batch.period, batch.amount

    def render() -> tuple[str, str]:
        subject = _("Voucher reimbursement %(period)s paid") % {"period": period}
        body = _(
            "The agency of “%(programme)s” paid your institution %(amount)s for %(n)d verified voucher "
            "redemption(s) of period %(period)s."
        ) % {"programme": programme, "amount": _yuan(amount), "n": contracts, "period": period}
        return subject, body

    _later(batch.provider.organisation_id, render)
