"""Each finance role's pending work, as to-dos on its home page (``core.hooks.register_todos``).

- bank officer: loans saved or returned to file; defaulted loans without a claim; claims to complete (draft or
  returned); admissions and agreements awaiting the agency are not the bank's to-do.
- agency staff (reviewer, programme manager, administrator): bank admissions to decide, loans to confirm, claims to
  review first (urgent when the working-day deadline is within two days or passed), claims to decide, approved
  claims to pay, suspended agreements to look at.
"""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techsme.core.hooks import Todo
from techsme.core.permissions import can
from techsme.finance import selectors
from techsme.finance.models import AdmissionState, AgreementState, ClaimState, LoanState

GROUP = _("Finance")


def _url(name: str, **query: str) -> str:
    base = reverse(f"finance:{name}")
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _bank_todos(user: Any) -> list[Todo]:
    loans = selectors.visible_loans(user)
    claims = selectors.visible_claims(user)
    return [
        Todo(_("Loans to file (saved or returned for correction)"), _url("loans", state=LoanState.DRAFT),
             loans.filter(state=LoanState.DRAFT).count(), urgent=loans.filter(state=LoanState.DRAFT)
             .exclude(returned_note="").exists(), group=GROUP),
        Todo(_("Loans in default without a compensation claim"), _url("loans", state=LoanState.DEFAULTED),
             loans.filter(state=LoanState.DEFAULTED).exclude(
                 claims__state__in=["draft", "submitted", "under_review", "returned", "approved", "paid"]).count(),
             group=GROUP),
        Todo(_("Compensation claims to complete"), _url("claims", state="open_bank"),
             claims.filter(state__in=[ClaimState.DRAFT, ClaimState.RETURNED]).count(),
             urgent=claims.filter(state=ClaimState.RETURNED).exists(), group=GROUP),
    ]


def _agency_todos(user: Any) -> list[Todo]:
    soon = timezone.localdate() + timedelta(days=2)
    claims = selectors.visible_claims(user)
    out = [
        Todo(_("Compensation claims awaiting the first review"), _url("claims", state=ClaimState.SUBMITTED),
             claims.filter(state=ClaimState.SUBMITTED).count(),
             urgent=claims.filter(state=ClaimState.SUBMITTED, first_review_due__lte=soon).exists(), group=GROUP),
    ]
    if can(user, "finance.claim.approve"):
        loans = selectors.visible_loans(user)
        out += [
            Todo(_("Bank applications to join a pool"), _url("home"),
                 selectors.visible_admissions(user).filter(state=AdmissionState.APPLIED).count(), group=GROUP),
            Todo(_("Loans filed by banks to confirm"), _url("loans", state=LoanState.FILED),
                 loans.filter(state=LoanState.FILED).count(), group=GROUP),
            Todo(_("Compensation claims to decide"), _url("claims", state=ClaimState.UNDER_REVIEW),
                 claims.filter(state=ClaimState.UNDER_REVIEW).count(),
                 urgent=claims.filter(state=ClaimState.UNDER_REVIEW, decision_due__lte=soon).exists(), group=GROUP),
            Todo(_("Approved compensation to pay"), _url("claims", state=ClaimState.APPROVED),
                 claims.filter(state=ClaimState.APPROVED).count(), group=GROUP),
            Todo(_("Banks whose enrolments are suspended"), _url("home"),
                 selectors.visible_agreements(user).filter(state=AgreementState.SUSPENDED).count(), group=GROUP),
        ]
    return out


def finance_todos(user: Any) -> list[Todo]:
    if not can(user, "finance.view"):
        return []
    out: list[Todo] = []
    if selectors.bank_ids(user):
        out += _bank_todos(user)
    if can(user, "finance.claim.first_review"):
        out += _agency_todos(user)
    return out
