"""Reads of the evaluation process: the caller's scope for staff and enterprises, public fields for everyone."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from techsme.core.permissions import scope
from techsme.evaluation.models import (
    BatchState,
    Filing,
    FilingState,
    PublicityBatch,
    Registration,
    Revocation,
    RevocationDecision,
)

QUEUE_ORDERS = {
    "waiting": ("state_changed_at", "pk"),  # longest waiting first
    "-waiting": ("-state_changed_at", "-pk"),
    "name": ("enterprise__name", "pk"),
    "score": ("-score", "pk"),
}


def visible_filings(user: Any, action: str = "evaluation.view") -> QuerySet[Filing]:
    return scope(user, action, Filing.objects.select_related("enterprise"))


def filing_for(user: Any, pk: int, action: str = "evaluation.view") -> Filing:
    """The filing when ``user`` may take ``action`` on it; 404 otherwise (existence is not revealed)."""
    filing = visible_filings(user, action).filter(pk=pk).first()
    if filing is None:
        raise Http404
    return filing


def review_queue(
    user: Any,
    *,
    states: tuple[str, ...] = (FilingState.SUBMITTED,),
    q: str = "",
    region: str = "",
    industry: str = "",
    flagged: bool | None = None,
    order: str = "waiting",
) -> QuerySet[Filing]:
    """Filings waiting for the reviewer, inside the reviewer's region (``days_waiting`` on each row).

    ``industry``: a GB/T 4754 section letter (``I``) or section + division (``I65``), as in the agency's enterprise
    list; the enterprise's industry code starts with it.
    """
    qs = visible_filings(user, "evaluation.review_queue").filter(state__in=states)
    if q := q.strip():
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__startswith=q.upper()))
    if region := region.strip():
        qs = qs.filter(enterprise__region_code__startswith=region)
    if industry := industry.strip().upper():
        qs = qs.filter(enterprise__industry_code__startswith=industry)
    if flagged is not None:
        qs = qs.filter(needs_onsite_check=flagged)
    return qs.order_by(*QUEUE_ORDERS.get(order, QUEUE_ORDERS["waiting"]))


def filings_of_enterprise(user: Any, enterprise_id: int) -> QuerySet[Filing]:
    return visible_filings(user).filter(enterprise_id=enterprise_id).order_by("-year", "-pk")


# ---------------------------------------------------------------------------------------------------------------
# public data (no contact details, no facts, no scores of filings that are not published)

PUBLIC_ENTRY_FIELDS = ("pk", "enterprise__name", "enterprise__uscc", "enterprise__region_code",
                       "enterprise__industry_code", "year")


def public_batches(*, state: str = "", region: str = "", year: int | None = None) -> QuerySet[PublicityBatch]:
    qs = PublicityBatch.objects.annotate(size=Count("filings"))
    if state in BatchState.values:
        qs = qs.filter(state=state)
    if region := region.strip():
        qs = qs.filter(region_prefix__startswith=region)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-published_on", "-pk")


def public_batch_entries(batch: PublicityBatch) -> QuerySet:
    """The filings of a batch as published: name, USCC, region, industry, year."""
    return batch.filings.order_by("enterprise__region_code", "enterprise__name").values(*PUBLIC_ENTRY_FIELDS)


PUBLIC_REGISTRATION_FIELDS = ("number", "year", "state", "region6", "issued_at", "state_changed_at",
                              "enterprise__name", "enterprise__uscc", "enterprise__industry_code")


def registered_database(
    *, q: str = "", uscc: str = "", region: str = "", industry: str = "", year: int | None = None, state: str = ""
) -> QuerySet:
    """The public tech-SME database (every state is public: registered, lapsed, revoked)."""
    qs = Registration.objects.all()
    if q := q.strip():
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(number=q))
    if uscc := uscc.strip().upper():
        qs = qs.filter(enterprise__uscc__startswith=uscc)
    if region := region.strip():
        qs = qs.filter(region6__startswith=region)
    if industry := industry.strip().upper():
        qs = qs.filter(enterprise__industry_code__startswith=industry)
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-year", "region6", "seq").values(*PUBLIC_REGISTRATION_FIELDS)


def verify_registration(number: str) -> dict[str, Any] | None:
    """What the public verification page shows for a number (None when the number was never issued)."""
    return registered_database().filter(number=number.strip()).first()


def public_revocations(year: int | None = None) -> QuerySet:
    qs = Revocation.objects.filter(decision=RevocationDecision.REVOKED)
    if year:
        qs = qs.filter(decided_at__year=year)
    return qs.order_by("-decided_at").values(
        "registration__number", "registration__enterprise__name", "registration__enterprise__uscc", "ground",
        "decided_at", "decision_reason", "bars_until_year",
    )


def visible_registrations(user: Any) -> QuerySet[Registration]:
    """Registrations of the user's own enterprises, or of the agency's region (full detail, not just public)."""
    return scope(user, "evaluation.view", Registration.objects.select_related("enterprise", "filing"))


def visible_revocations(user: Any) -> QuerySet[Revocation]:
    return scope(user, "evaluation.view", Revocation.objects.select_related("registration"))


def pending_revocations(user: Any) -> list[Revocation]:
    """Revocation procedures not yet decided in the agency's region, the nearest defence deadline first; each row
    has ``days_left`` (calendar days until the deadline, negative once it has passed)."""
    from django.utils import timezone

    from techsme.evaluation.models import RevocationState

    today = timezone.localdate()
    rows = list(scope(user, "evaluation.change_report.review", Revocation.objects.exclude(
        state=RevocationState.DECIDED)).select_related("registration__enterprise", "registration__filing")
        .order_by("defence_deadline", "pk"))
    for row in rows:
        row.days_left = (row.defence_deadline - today).days
    return rows


def change_reports_awaiting(user: Any) -> QuerySet:
    """Change reports of the agency's region that nobody at the agency has acknowledged yet, oldest first."""
    from techsme.evaluation.models import ChangeReport

    return scope(user, "evaluation.change_report.review", ChangeReport.objects.filter(
        acknowledged_at__isnull=True)).select_related("registration__enterprise").order_by("reported_at", "pk")


def change_report_for(user: Any, pk: int) -> Any:
    """A change report of the agency's region (404 otherwise)."""
    from techsme.evaluation.models import ChangeReport

    report = scope(user, "evaluation.change_report.review", ChangeReport.objects.select_related(
        "registration__enterprise")).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def preview_assessment(filing: Filing, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rules engine's result (with explanation) for the filing's facts with ``changes`` applied — NOT saved.

    ``changes`` are parsed values (``registry.facts_fields.parse_value``); the live score of the filing form.
    """
    from techsme.evaluation.scoring import assess_filing
    from techsme.evaluation.services.common import jsonable

    copy = Filing(pk=filing.pk, enterprise=filing.enterprise, year=filing.year, facts_year=filing.facts_year,
                  facts=dict(filing.facts) | jsonable(changes or {}))
    return assess_filing(copy)
