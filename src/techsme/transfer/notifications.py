"""Mail of the marketplace, sent after the transaction commits, in Chinese then English, to the active members of
the organisation concerned. A failed send is logged; it never undoes the committed step."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from techsme.core.recipients import member_emails

logger = logging.getLogger(__name__)
Render = Callable[[], tuple[str, str]]


def _bilingual(render: Render) -> tuple[str, str]:
    parts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            parts.append(render())
    return " / ".join(p[0] for p in parts), "\n\n-----\n\n".join(p[1] for p in parts)


def tell(organisation_id: int | None, render: Render) -> None:
    """Mail the organisation's members once the current transaction commits."""

    def send() -> None:
        to = member_emails(organisation_id)
        if not to:
            return
        subject, body = _bilingual(render)
        try:
            send_mail(subject[:250], body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:  # noqa: BLE001 — the step is committed; mail trouble must not turn into an error page
            logger.exception("transfer notification to organisation %s failed", organisation_id)

    transaction.on_commit(send)


def new_match(organisation_id: int | None, *, need_title: str, outcome_title: str, score: float, url: str) -> None:
    tell(organisation_id, lambda: (
        _("New match: %(outcome)s ↔ %(need)s") % {"outcome": outcome_title, "need": need_title},
        _("The platform found a good match (score %(score)d of 100) between the technology need “%(need)s” and "
          "the research outcome “%(outcome)s”. See why and say whether you are interested: %(url)s")
        % {"score": round(score * 100), "need": need_title, "outcome": outcome_title, "url": url},
    ))


def interest(organisation_id: int | None, *, need_title: str, outcome_title: str, url: str) -> None:
    tell(organisation_id, lambda: (
        _("Interest in “%(outcome)s”") % {"outcome": outcome_title},
        _("The other side of the match between “%(need)s” and “%(outcome)s” is interested. Answer on the "
          "platform: %(url)s") % {"need": need_title, "outcome": outcome_title, "url": url},
    ))
