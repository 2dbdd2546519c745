"""The enterprise side of a filing: start, correct the facts, attach documents, submit (frozen and scored)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import can
from techsme.core.uploads import type_of_head
from techsme.evaluation.models import (
    MAX_DOCUMENT_BYTES,
    EvaluationYear,
    Filing,
    FilingState,
    Revocation,
    RevocationDecision,
    SupportingDocument,
)
from techsme.evaluation.services.common import (
    audit_event,
    authorize,
    jsonable,
    local_today,
    lock_filing,
    logger,
    move_filing,
    notify_state,
    to_decimal,
)
from techsme.evaluation.services.onsite import onsite_reasons
from techsme.registry.models import AnnualFacts, Enterprise


def barring_revocation(enterprise: Enterprise, year: int) -> Revocation | None:
    """The revocation that bars the enterprise from filing for ``year``, if any."""
    return (
        Revocation.objects.filter(
            registration__enterprise=enterprise,
            decision=RevocationDecision.REVOKED,
            bars_until_year__gte=year,
        )
        .order_by("-bars_until_year")
        .first()
    )


def do_start_filing(*, actor: Any, enterprise: Enterprise, year: int | None = None,
                    today: date | None = None) -> Filing:
    """Open this year's filing, pre-filled with the facts of the last completed year (and its IP counts)."""
    from techsme.registry.selectors import facts_record

    today = today or local_today()
    year = year or today.year
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if not can(actor, "evaluation.start", enterprise):
            raise PermissionDenied(_("You may not file an evaluation for this enterprise."))
        config = EvaluationYear.for_year(year)
        if config.opens_on and today < config.opens_on or config.closes_on and today > config.closes_on:
            raise Conflict(_("Filing for %(year)s is open from %(opens)s to %(closes)s.") % {
                "year": year, "opens": config.opens_on, "closes": config.closes_on})
        if bar := barring_revocation(enterprise, year):
            raise Conflict(_("The registration of this enterprise was revoked; it may not file again before "
                             "%(year)s.") % {"year": bar.bars_until_year + 1})
        if Filing.objects.filter(enterprise=enterprise, year=year).exclude(
                state__in=[FilingState.REJECTED, FilingState.OBJECTION_UPHELD]).exists():
            raise Conflict(_("This enterprise already has a filing for %(year)s.") % {"year": year})
        facts_year = year - 1
        facts = (AnnualFacts.objects.filter(enterprise=enterprise, tax_year=facts_year).first()
                 or AnnualFacts(enterprise=enterprise, tax_year=facts_year))
        snapshot = jsonable(facts_record(enterprise, facts))
        filing = Filing.objects.create(enterprise=enterprise, year=year, facts_year=facts_year, facts=snapshot)
        audit_event(actor, "evaluation.filing.start", filing, filing, year=year, facts_year=facts_year)
    return filing


def do_update_filing_facts(*, actor: Any, filing: Filing, values: dict[str, Any]) -> Filing:
    """Change facts of a draft or returned filing (raw values are parsed; unknown fields are refused)."""
    from techsme.registry.facts_fields import FACT_FIELDS, consistency_errors, parse_value

    errors = [FieldError(k, _("Unknown field.")) for k in sorted(set(values) - set(FACT_FIELDS))]
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        if name in FACT_FIELDS:
            try:
                parsed[name] = parse_value(name, raw)
            except ValueError as exc:
                errors.append(FieldError(name, str(exc)))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        filing = lock_filing(filing)
        authorize(actor, "filing", "update", filing, filing.state)
        current = {k: parse_value(k, v) for k, v in filing.facts.items() if k in FACT_FIELDS}
        merged = current | parsed
        if errors := consistency_errors(merged, tax_year=filing.facts_year, founded_on=filing.enterprise.founded_on):
            raise InvalidInput(errors)
        before = dict(filing.facts)
        filing.facts = before | jsonable(parsed)
        filing.save(update_fields=["facts"])
        audit_event(actor, "evaluation.filing.update", filing, filing, **audit.diff(before, filing.facts))
    return filing


def document_errors(head: bytes, size: int) -> tuple[str | None, list[FieldError]]:
    """The content type recognised from the first bytes, and the errors (type, size) of an upload."""
    errors = []
    content_type = type_of_head(head)
    if content_type is None:
        errors.append(FieldError("file", _("Only PDF, PNG and JPEG files are accepted.")))
    if size > MAX_DOCUMENT_BYTES:
        errors.append(FieldError("file", _("The file is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // 2**20}))
    if size == 0:
        errors.append(FieldError("file", _("The file is empty.")))
    return content_type, errors


def do_add_supporting_document(*, actor: Any, filing: Filing, upload: UploadedFile) -> SupportingDocument:
    """Attach a PDF/PNG/JPEG (≤ 10 MB, type checked by its first bytes) to a draft or returned filing."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type, errors = document_errors(head, upload.size or 0)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        filing = lock_filing(filing)
        authorize(actor, "filing", "update", filing, filing.state)
        name = (upload.name or "document").rsplit("/", 1)[-1][:200]
        document = SupportingDocument(filing=filing, original_name=name, content_type=content_type,
                                      size=upload.size, uploaded_by=actor)
        document.file.save(name, upload, save=False)
        document.save()
        audit_event(actor, "evaluation.document.add", document, filing, name=name, size=upload.size)
    return document

def apply_score(filing: Filing) -> None:
    from techsme.evaluation.scoring import assess_filing

    try:
        result = assess_filing(filing)
    except ImportError:  # the rules engine is not installed yet: the reviewer sees no score
        return
    except Exception:  # a scoring failure must not block the submission; the reviewer sees "not assessed"
        logger.exception("assessment of filing %s failed", filing.pk)
        return
    store_result(filing, result)


def store_result(filing: Filing, result: dict[str, Any], now: datetime | None = None) -> None:
    """Copy the rules engine's result (scores, route, eligibility, explanation) onto the filing (not saved)."""
    if result.get("errors"):
        filing.explanation = jsonable({"errors": result["errors"]})
        filing.assessed_at = now or timezone.now()
        return

    def dec(key: str) -> Decimal | None:
        value = to_decimal(result.get(key))
        return value.quantize(Decimal("0.01")) if value is not None else None

    filing.staff_score = dec("techsme_staff_score")
    filing.rd_score = dec("techsme_rd_score")
    filing.ip_score = dec("techsme_ip_score")
    filing.score = dec("techsme_score")
    filing.route = str(result.get("techsme_route") or "")[:10]
    eligible = result.get("techsme_eligible")
    filing.eligible = None if eligible is None else bool(eligible)
    reasons = result.get("techsme_fail_reasons") or ""
    filing.fail_reasons = (";".join(reasons) if isinstance(reasons, list | tuple) else str(reasons))[:500]
    explanation = result.get("explanation")
    filing.explanation = jsonable(explanation) if isinstance(explanation, dict) else None
    filing.assessed_at = now or timezone.now()


def do_submit_filing(*, actor: Any, filing: Filing, attestation: bool) -> Filing:
    """Submit (or resubmit) with the attestation: the facts are frozen, scored and checked for on-site triggers."""
    with transaction.atomic():
        filing = lock_filing(filing)
        filing.attestation = bool(attestation)
        authorize(actor, "filing", "submit", filing, filing.state)
        apply_score(filing)
        filing.onsite_reasons = onsite_reasons(filing)
        filing.needs_onsite_check = bool(filing.onsite_reasons)
        filing.submitted_at = timezone.now()
        filing.submitted_by = actor
        move_filing(filing, "submit", actor)
        notify_state(filing)
    return filing
