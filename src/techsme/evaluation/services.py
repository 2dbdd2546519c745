"""Every state change of the evaluation process: one verb per transition, atomic, scope-checked, audited.

Each verb locks the rows it changes (in id order when there are several), checks the caller's scope
(``core.permissions.can``) and the state table (``evaluation.workflows``), writes the change, a ``FilingDecision``
row and an audit event in the same transaction, and sends notification e-mails only after the commit.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail, send_mass_mail
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from techsme.accounts.models import Organisation
from techsme.accounts.roles import Role
from techsme.core import audit
from techsme.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from techsme.core.permissions import ACTIONS, can, grants, scope
from techsme.core.permissions import roles as roles_of
from techsme.core.recipients import agency_emails, member_emails
from techsme.core.uploads import type_of_head
from techsme.core.workdays import add_workdays, calendar_coverage_warning
from techsme.core.workflow import PUBLIC, SYSTEM, Transition
from techsme.evaluation import numbering
from techsme.evaluation.models import (
    MAX_DOCUMENT_BYTES,
    BatchState,
    EvaluationYear,
    Filing,
    FilingDecision,
    FilingState,
    Objection,
    ObjectionState,
    OnsiteReason,
    OnsiteResult,
    PublicityBatch,
    Registration,
    RegistrationState,
    Revocation,
    RevocationDecision,
    RevocationGround,
    RevocationState,
    SupportingDocument,
)
from techsme.evaluation.permissions import action_name
from techsme.evaluation.workflows import WORKFLOWS
from techsme.registry.models import AnnualFacts, Enterprise

logger = logging.getLogger(__name__)

PUBLICITY_WORKDAYS = 10
DEFENCE_WORKDAYS = 10
FRAUD_BAR_YEARS = 3

# ---------------------------------------------------------------------------------------------------------------
# helpers


def _today() -> date:
    return timezone.localdate()


def _actor_roles(actor: Any) -> set[str]:
    if actor is None:
        return {SYSTEM, PUBLIC}
    if getattr(actor, "is_superuser", False):
        return set(Role.values) | {PUBLIC}
    return roles_of(actor) | {PUBLIC}


def _authorize(actor: Any, key: str, name: str, obj: Any, state: str) -> Transition:
    """Scope first (an outsider learns nothing about the state), then the state table."""
    workflow = WORKFLOWS[key]
    t = workflow.transition(name)
    public = PUBLIC in t.roles
    system = actor is None and SYSTEM in t.roles
    if not public and not system and not can(actor, action_name(key, name), obj):
        raise PermissionDenied(
            _("You may not %(action)s this %(subject)s.") % {"action": t.label, "subject": workflow.subject}
        )
    return workflow.check(name, state, _actor_roles(actor), obj)


def _require_text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput([FieldError(field, message)])
    return value


def _lock_filing(filing: Filing | int) -> Filing:
    pk = filing.pk if isinstance(filing, Filing) else filing
    return Filing.objects.select_for_update().get(pk=pk)


def _audit(actor: Any, verb: str, obj: Any, filing: Filing | None = None, **changes: Any) -> None:
    enterprise = filing.enterprise if filing is not None else None
    audit.record(
        actor=actor,
        verb=verb,
        obj=obj,
        changes=changes,
        region_code=enterprise.region_code if enterprise else getattr(obj, "region_prefix", ""),
        organisation_id=enterprise.organisation_id if enterprise else None,
    )


def _move(filing: Filing, name: str, actor: Any, reason: str = "", now: datetime | None = None) -> FilingDecision:
    """Apply an already-checked transition of the filing: state, history row, audit event."""
    t = WORKFLOWS["filing"].transition(name)
    before = filing.state
    if t.target:
        filing.state = t.target
        filing.state_changed_at = now or timezone.now()
    filing.save()
    decision = FilingDecision.objects.create(
        filing=filing,
        transition=name,
        from_state=before,
        to_state=filing.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
    )
    _audit(actor, f"evaluation.filing.{name}", filing, filing, state=[before, filing.state], reason=reason)
    return decision


def _recipients(enterprise: Enterprise) -> list[str]:
    emails = {enterprise.contact_email} if enterprise.contact_email else set()
    return sorted(emails | set(member_emails(enterprise.organisation_id)))


def _notify(filing: Filing, subject: str, body: str) -> None:
    """Send an e-mail to the enterprise after the transaction commits (never for a rolled-back change)."""
    enterprise = filing.enterprise

    def send() -> None:
        recipients = _recipients(enterprise)
        if recipients:
            send_mail(subject, body, None, recipients, fail_silently=True)

    transaction.on_commit(send)


def _notify_state(filing: Filing, reason: str = "") -> None:
    subject = _("Tech-SME evaluation %(year)s: %(state)s") % {
        "year": filing.year, "state": filing.get_state_display()}
    body = _("The evaluation filing of %(name)s for %(year)s is now “%(state)s”.") % {
        "name": filing.enterprise.name, "year": filing.year, "state": filing.get_state_display()}
    if reason:
        body += "\n\n" + _("Reason: %(reason)s") % {"reason": reason}
    _notify(filing, subject, body)


# Agency staff told of what the enterprises send in (objections also go to the programme managers who resolve them).
AGENCY_NOTIFIED_ROLES = frozenset({Role.AGENCY_REVIEWER, Role.AGENCY_ADMIN})


def agency_recipients(region_code: str, roles: frozenset[str] = AGENCY_NOTIFIED_ROLES) -> list[str]:
    """E-mail addresses of the active agency staff with one of ``roles`` covering ``region_code``."""
    return agency_emails(region_code, roles)


def _notify_agency(region_code: str, subject: str, body: str,
                   roles: frozenset[str] = AGENCY_NOTIFIED_ROLES) -> None:
    """E-mail the agency staff covering ``region_code`` after the transaction commits (one message each)."""

    def send() -> None:
        recipients = agency_recipients(region_code, roles)
        if recipients:
            send_mass_mail([(subject, body, None, [to]) for to in recipients], fail_silently=True)

    transaction.on_commit(send)


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# ---------------------------------------------------------------------------------------------------------------
# enterprise side


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

    today = today or _today()
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
        snapshot = _jsonable(facts_record(enterprise, facts))
        filing = Filing.objects.create(enterprise=enterprise, year=year, facts_year=facts_year, facts=snapshot)
        _audit(actor, "evaluation.filing.start", filing, filing, year=year, facts_year=facts_year)
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
        filing = _lock_filing(filing)
        _authorize(actor, "filing", "update", filing, filing.state)
        current = {k: parse_value(k, v) for k, v in filing.facts.items() if k in FACT_FIELDS}
        merged = current | parsed
        if errors := consistency_errors(merged, tax_year=filing.facts_year, founded_on=filing.enterprise.founded_on):
            raise InvalidInput(errors)
        before = dict(filing.facts)
        filing.facts = before | _jsonable(parsed)
        filing.save(update_fields=["facts"])
        _audit(actor, "evaluation.filing.update", filing, filing, **audit.diff(before, filing.facts))
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
        filing = _lock_filing(filing)
        _authorize(actor, "filing", "update", filing, filing.state)
        name = (upload.name or "document").rsplit("/", 1)[-1][:200]
        document = SupportingDocument(filing=filing, original_name=name, content_type=content_type,
                                      size=upload.size, uploaded_by=actor)
        document.file.save(name, upload, save=False)
        document.save()
        _audit(actor, "evaluation.document.add", document, filing, name=name, size=upload.size)
    return document


def _reasons_from(config: EvaluationYear, facts: dict[str, Any], *, revoked_recently: bool,
                  registered_before: bool) -> list[str]:
    """The on-site triggers for one filing's facts, given what the database says about its enterprise."""
    reasons = []
    employees, tech = _number(facts.get("employees")), _number(facts.get("tech_staff"))
    if employees is not None and employees <= config.onsite_max_employees_small:
        reasons.append(OnsiteReason.SMALL.value)
    if (employees is not None and tech is not None and employees >= config.onsite_tech_share_min_employees
            and employees > 0 and tech / employees >= config.onsite_tech_share_high):
        reasons.append(OnsiteReason.TECH_SHARE_HIGH.value)
    if revoked_recently or facts.get("serious_dishonesty") in (True, "true", "True", 1):
        reasons.append(OnsiteReason.PAST_REVOCATION.value)
    if config.onsite_check_first_time and not registered_before:
        reasons.append(OnsiteReason.FIRST_TIME.value)
    return reasons


def onsite_reasons(filing: Filing) -> list[str]:
    """The triggers of the on-site check that apply to the filing (settings of its evaluation year)."""
    config = EvaluationYear.for_year(filing.year)
    since = filing.year - config.onsite_past_revocation_years
    revoked = Revocation.objects.filter(
        registration__enterprise=filing.enterprise_id, decision=RevocationDecision.REVOKED,
        decided_at__year__gte=since,
    ).exists()
    registered_before = Registration.objects.filter(enterprise=filing.enterprise_id, year__lt=filing.year).exists()
    return _reasons_from(config, filing.facts, revoked_recently=revoked, registered_before=registered_before)


def _onsite_reasons_many(filings: list[Filing]) -> list[list[str]]:
    """``onsite_reasons`` for many filings with three queries (bulk routing of offline filings)."""
    configs = {year: EvaluationYear.for_year(year) for year in {f.year for f in filings}}
    ids = sorted({f.enterprise_id for f in filings})
    first_year: dict[int, int] = {}
    last_revoked: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        for enterprise_id, year in Registration.objects.filter(enterprise_id__in=part).values_list(
                "enterprise_id", "year"):
            first_year[enterprise_id] = min(year, first_year.get(enterprise_id, year))
        for enterprise_id, decided_at in Revocation.objects.filter(
                registration__enterprise_id__in=part, decision=RevocationDecision.REVOKED).values_list(
                "registration__enterprise_id", "decided_at"):
            if decided_at is not None:
                year = timezone.localtime(decided_at).year
                last_revoked[enterprise_id] = max(year, last_revoked.get(enterprise_id, year))
    out = []
    for filing in filings:
        config = configs[filing.year]
        revoked = last_revoked.get(filing.enterprise_id, 0) >= filing.year - config.onsite_past_revocation_years
        registered_before = first_year.get(filing.enterprise_id, 9999) < filing.year
        out.append(_reasons_from(config, filing.facts, revoked_recently=revoked, registered_before=registered_before))
    return out


def _apply_score(filing: Filing) -> None:
    from techsme.evaluation.scoring import assess_filing

    try:
        result = assess_filing(filing)
    except ImportError:  # the rules engine is not installed yet: the reviewer sees no score
        return
    except Exception:  # a scoring failure must not block the submission; the reviewer sees "not assessed"
        logger.exception("assessment of filing %s failed", filing.pk)
        return
    _store_result(filing, result)


def _store_result(filing: Filing, result: dict[str, Any], now: datetime | None = None) -> None:
    """Copy the rules engine's result (scores, route, eligibility, explanation) onto the filing (not saved)."""
    if result.get("errors"):
        filing.explanation = _jsonable({"errors": result["errors"]})
        filing.assessed_at = now or timezone.now()
        return

    def dec(key: str) -> Decimal | None:
        value = _number(result.get(key))
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
    filing.explanation = _jsonable(explanation) if isinstance(explanation, dict) else None
    filing.assessed_at = now or timezone.now()


def do_submit_filing(*, actor: Any, filing: Filing, attestation: bool) -> Filing:
    """Submit (or resubmit) with the attestation: the facts are frozen, scored and checked for on-site triggers."""
    with transaction.atomic():
        filing = _lock_filing(filing)
        filing.attestation = bool(attestation)
        _authorize(actor, "filing", "submit", filing, filing.state)
        _apply_score(filing)
        filing.onsite_reasons = onsite_reasons(filing)
        filing.needs_onsite_check = bool(filing.onsite_reasons)
        filing.submitted_at = timezone.now()
        filing.submitted_by = actor
        _move(filing, "submit", actor)
        _notify_state(filing)
    return filing


def do_record_annual_update(*, actor: Any, registration: Registration, now: datetime | None = None) -> Registration:
    """The enterprise confirms its data of the registration year by 31 March of the next year (renewal)."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        filing = _lock_filing(registration.filing_id)
        _authorize(actor, "filing", "annual_update", filing, filing.state)
        if timezone.localtime(now).date() > annual_update_deadline(registration.year):
            raise Conflict(_("The annual update was due by %(date)s.") % {
                "date": annual_update_deadline(registration.year).isoformat()})
        if not AnnualFacts.objects.filter(enterprise=registration.enterprise_id, tax_year=registration.year).exists():
            raise Conflict(_("Enter the facts of %(year)s before making the annual update.") % {
                "year": registration.year})
        registration.annual_update_at = now
        registration.save(update_fields=["annual_update_at"])
        _move(filing, "annual_update", actor)
        values = {"number": registration.number, "name": filing.enterprise.name, "year": registration.year}
        _notify(filing, _("Annual update of %(number)s recorded") % values,
                _("The annual update of %(name)s for %(year)s was recorded; the registration %(number)s is "
                  "renewed.") % values)
        _notify_agency(registration.region6, _("Annual update received: %(name)s") % values,
                       _("%(name)s made the annual update of its registration %(number)s for %(year)s.") % values)
    return registration


# ---------------------------------------------------------------------------------------------------------------
# review


def _decide(actor: Any, filing: Filing, decision: str, reason: str) -> Filing:
    if decision not in ("accept", "return", "reject"):
        raise InvalidInput([FieldError("decision", _("Choose accept, return or reject."))])
    if decision in ("return", "reject"):
        reason = _require_text("reason", reason, _("Give the reasons for returning or rejecting the filing."))
    filing = _lock_filing(filing)
    _authorize(actor, "filing", decision, filing, filing.state)
    _move(filing, decision, actor, reason or "")
    _notify_state(filing, reason)
    return filing


def do_decide_filing(*, actor: Any, filing: Filing, decision: str, reason: str = "") -> Filing:
    """Accept, return (with reasons) or reject (with reasons) a submitted filing."""
    with transaction.atomic():
        return _decide(actor, filing, decision, reason)


def do_decide_batch(*, actor: Any, filing_ids: Iterable[int], decision: str, reason: str = "") -> list[Filing]:
    """The same decision on many filings, all or nothing (rows locked in id order)."""
    ids = sorted(set(filing_ids))
    if not ids:
        raise InvalidInput([FieldError("filings", _("Select at least one filing."))])
    with transaction.atomic():
        found = list(Filing.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        if found != ids:
            raise InvalidInput([FieldError("filings", _("Some of the selected filings do not exist."))])
        return [_decide(actor, pk, decision, reason) for pk in ids]


def do_record_onsite_check(*, actor: Any, filing: Filing, result: str, notes: str = "",
                           now: datetime | None = None) -> Filing:
    if result not in OnsiteResult.values:
        raise InvalidInput([FieldError("result", _("Choose passed or failed."))])
    if result == OnsiteResult.FAILED:
        notes = _require_text("notes", notes, _("Describe what the on-site check found."))
    with transaction.atomic():
        filing = _lock_filing(filing)
        _authorize(actor, "filing", "onsite_check", filing, filing.state)
        filing.onsite_check_result = result
        filing.onsite_check_notes = notes or ""
        filing.onsite_check_at = now or timezone.now()
        _move(filing, "onsite_check", actor, notes or "")
        values = {"name": filing.enterprise.name, "year": filing.year,
                  "result": filing.get_onsite_check_result_display()}
        body = _("The on-site check of %(name)s for the %(year)s evaluation was recorded: %(result)s.") % values
        if notes:
            body += "\n\n" + _("Notes: %(notes)s") % {"notes": notes}
        _notify(filing, _("On-site check recorded: %(result)s") % values, body)
    return filing


# ---------------------------------------------------------------------------------------------------------------
# publicity


def _publisher_of(actor: Any, agency: Organisation) -> None:
    if getattr(actor, "is_superuser", False):
        return
    allowed = ACTIONS[action_name("filing", "publish")]
    if not any(g.organisation_id == agency.pk and g.role in allowed for g in grants(actor)):
        raise PermissionDenied(_("You may not publish for this agency."))


def do_publish_batch(*, actor: Any, agency: Organisation, filing_ids: Iterable[int] | None = None,
                     published_on: date | None = None) -> PublicityBatch:
    """Publish accepted filings of the agency's region for 10 working days.

    Every filing flagged for an on-site check needs a recorded, passed check first. When the publicity period runs
    into a year without an official holiday calendar, the batch keeps a warning (``calendar_warning``).
    """
    published_on = published_on or _today()
    with transaction.atomic():
        _publisher_of(actor, agency)
        agency = Organisation.objects.select_for_update().get(pk=agency.pk)  # one publication at a time per agency
        prefix = agency.region_prefix
        candidates = Filing.objects.filter(state=FilingState.ACCEPTED, enterprise__region_code__startswith=prefix)
        if filing_ids is not None:
            ids = sorted(set(filing_ids))
            candidates = Filing.objects.filter(pk__in=ids)
        filings = list(candidates.select_for_update().order_by("pk"))
        if filing_ids is not None and len(filings) != len(ids):
            raise InvalidInput([FieldError("filings", _("Some of the selected filings do not exist."))])
        if not filings:
            raise Conflict(_("There are no accepted filings to publish."))
        problems = []
        for filing in filings:
            _authorize(actor, "filing", "publish", filing, filing.state)
            if not filing.enterprise.region_code.startswith(prefix):
                raise PermissionDenied(_("%(name)s is outside the agency's region.") % {"name": filing.enterprise})
            if filing.needs_onsite_check and not filing.onsite_check_result:
                problems.append(_("%(name)s needs a recorded on-site check before publicity.") % {
                    "name": filing.enterprise})
            elif filing.onsite_check_result == OnsiteResult.FAILED:
                problems.append(_("%(name)s failed its on-site check; reject the filing instead.") % {
                    "name": filing.enterprise})
        if problems:
            raise Conflict(" ".join(problems))
        years = {f.year for f in filings}
        if len(years) > 1:
            raise Conflict(_("A publicity batch holds filings of one evaluation year only."))
        year = years.pop()
        ends_on = add_workdays(published_on, PUBLICITY_WORKDAYS)
        last = PublicityBatch.objects.filter(region_prefix=prefix, year=year).aggregate(n=Max("number"))["n"]
        batch = PublicityBatch.objects.create(
            agency=agency, region_prefix=prefix, year=year, number=(last or 0) + 1, published_on=published_on,
            ends_on=ends_on, calendar_warning=calendar_coverage_warning(published_on, ends_on) or "",
            published_by=actor,
        )
        _audit(actor, "evaluation.batch.publish", batch, None, filings=[f.pk for f in filings],
               published_on=published_on, ends_on=ends_on)
        for filing in filings:
            filing.batch = batch
            _move(filing, "publish", actor)
            _notify_state(filing)
    return batch


def do_lodge_objection(*, actor: Any = None, batch: PublicityBatch, filing: Filing, name: str, contact: str,
                       text: str, today: date | None = None) -> Objection:
    """Anyone may object to a filing while its batch is in publicity (up to and including the last day)."""
    today = today or _today()
    actor = actor if actor is not None else AnonymousUser()  # the audit trail says "anonymous", not "system"
    errors = [FieldError(field, _("This field is required.")) for field, value in
              (("name", name), ("contact", contact), ("text", text)) if not (value or "").strip()]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        batch = PublicityBatch.objects.select_for_update().get(pk=batch.pk)
        filing = Filing.objects.get(pk=filing.pk)
        if filing.batch_id != batch.pk:
            raise InvalidInput([FieldError("filing", _("This filing is not in this publicity batch."))])
        if batch.state != BatchState.OPEN or today > batch.ends_on:
            raise Conflict(_("The publicity period of this batch ended on %(date)s; objections are no longer "
                             "accepted.") % {"date": batch.ends_on.isoformat()})
        _authorize(actor, "filing", "object", filing, filing.state)
        objection = Objection.objects.create(batch=batch, filing=filing, name=name.strip()[:100],
                                             contact=contact.strip()[:200], text=text.strip())
        _audit(actor, "evaluation.objection.lodge", objection, filing)
        values = {"name": filing.enterprise.name, "batch": batch.code, "date": batch.ends_on.isoformat()}
        _notify_agency(filing.enterprise.region_code, _("Objection lodged against %(name)s") % values,
                       _("An objection was lodged against %(name)s in the publicity batch %(batch)s. Resolve it "
                         "before the batch is closed (the publicity ends on %(date)s).") % values,
                       AGENCY_NOTIFIED_ROLES | {Role.PROGRAMME_MANAGER})
    return objection


def do_resolve_objection(*, actor: Any, objection: Objection, decision: str, resolution: str) -> Objection:
    """Uphold or dismiss an objection, with the reasons."""
    if decision not in ("uphold", "dismiss"):
        raise InvalidInput([FieldError("decision", _("Choose uphold or dismiss."))])
    resolution = _require_text("resolution", resolution, _("Give the reasons for the decision on the objection."))
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        t = _authorize(actor, "objection", decision, objection, objection.state)
        if objection.batch.state != BatchState.OPEN:
            raise Conflict(_("The publicity batch is closed."))
        before = objection.state
        objection.state = t.target
        objection.resolution = resolution
        objection.resolved_by = actor
        objection.resolved_at = timezone.now()
        objection.save()
        _audit(actor, f"evaluation.objection.{decision}", objection, objection.filing,
               state=[before, objection.state], resolution=resolution)
    return objection


def do_close_batch(*, actor: Any, batch: PublicityBatch, today: date | None = None) -> list[Registration]:
    """After the publicity period, with every objection resolved: register the filings without an upheld objection.

    Registration numbers are issued inside this transaction; the counters are locked in sorted order before anything
    else is written.
    """
    today = today or _today()
    with transaction.atomic():
        batch = PublicityBatch.objects.select_for_update().get(pk=batch.pk)
        _authorize(actor, "batch", "close", batch, batch.state)
        if today <= batch.ends_on:
            raise Conflict(_("The publicity period runs until %(date)s; the batch can be closed after that day.")
                           % {"date": batch.ends_on.isoformat()})
        if batch.objections.filter(state=ObjectionState.OPEN).exists():
            raise Conflict(_("Resolve every objection before closing the batch."))
        filings = list(Filing.objects.select_for_update().filter(batch=batch, state=FilingState.IN_PUBLICITY)
                       .select_related("enterprise").order_by("pk"))
        upheld = set(batch.objections.filter(state=ObjectionState.UPHELD).values_list("filing_id", flat=True))
        to_register = [f for f in filings if f.pk not in upheld]
        for filing in filings:
            _authorize(actor, "filing", "uphold_objection" if filing.pk in upheld else "register", filing,
                       filing.state)
        numbering.lock_counters((f.enterprise.region_code, f.year) for f in to_register)
        now = timezone.now()
        registrations = []
        for filing in to_register:
            seq, number = numbering.issue(filing.enterprise.region_code, filing.year)
            registrations.append(Registration.objects.create(
                filing=filing, enterprise=filing.enterprise, number=number, region6=filing.enterprise.region_code,
                year=filing.year, seq=seq, issued_at=now, state_changed_at=now,
            ))
        batch.state = BatchState.CLOSED
        batch.closed_at = now
        batch.save(update_fields=["state", "closed_at"])
        _audit(actor, "evaluation.batch.close", batch, None, registered=len(to_register), refused=len(upheld))
        for filing, registration in zip(to_register, registrations, strict=True):
            _move(filing, "register", actor, registration.number, now)
            _audit(actor, "evaluation.registration.issue", registration, filing, number=registration.number)
            _notify(filing, _("Tech-SME registration %(number)s") % {"number": registration.number},
                    _("%(name)s is registered as a technology-based SME for %(year)s with the number "
                      "%(number)s.") % {"name": filing.enterprise.name, "year": filing.year,
                                        "number": registration.number})
        for filing in filings:
            if filing.pk in upheld:
                _move(filing, "uphold_objection", actor, now=now)
                _notify_state(filing)
    return registrations


# ---------------------------------------------------------------------------------------------------------------
# renewal and revocation


def annual_update_deadline(year: int) -> date:
    return date(year + 1, 3, 31)


def do_lapse_registrations(*, actor: Any, year: int, today: date | None = None) -> int:
    """Lapse the registrations of ``year`` without an annual update by 31 March of the next year.

    ``actor=None`` is the system (a scheduled job, every region); an agency admin lapses only in their region.
    """
    today = today or _today()
    deadline = annual_update_deadline(year)
    if today <= deadline:
        raise Conflict(_("Registrations of %(year)s can lapse only after %(date)s.") % {
            "year": year, "date": deadline.isoformat()})
    cutoff = timezone.make_aware(datetime.combine(deadline, time.max))
    with transaction.atomic():
        due = Registration.objects.filter(year=year, state=RegistrationState.REGISTERED).exclude(
            annual_update_at__lte=cutoff)
        if actor is not None:
            if not can(actor, action_name("filing", "lapse")):
                raise PermissionDenied(_("You may not lapse registrations."))
            due = scope(actor, action_name("filing", "lapse"), due)
        registrations = list(due.select_for_update().order_by("pk"))
        now = timezone.now()
        for registration in registrations:
            filing = _lock_filing(registration.filing_id)
            _authorize(actor, "filing", "lapse", filing, filing.state)
            registration.state = RegistrationState.LAPSED
            registration.state_changed_at = now
            registration.save(update_fields=["state", "state_changed_at"])
            _move(filing, "lapse", actor, _("No annual update by %(date)s.") % {"date": deadline.isoformat()}, now)
            _notify_state(filing)
    return len(registrations)


def do_revoke_notice(*, actor: Any, registration: Registration, ground: str, notice_text: str,
                     defence_deadline: date | None = None, today: date | None = None) -> Revocation:
    """Notice of intended revocation on a legal ground; the enterprise may defend itself until the deadline."""
    if ground not in RevocationGround.values:
        raise InvalidInput([FieldError("ground", _("Choose one of the legal grounds for revocation."))])
    notice_text = _require_text("notice_text", notice_text, _("State the facts behind the intended revocation."))
    today = today or _today()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not can(actor, "evaluation.revocation.notice", registration):
            raise PermissionDenied(_("You may not start a revocation of this registration."))
        filing = _lock_filing(registration.filing_id)
        WORKFLOWS["filing"].check("revoke", filing.state, _actor_roles(actor))
        if registration.revocations.exclude(state=RevocationState.DECIDED).exists():
            raise Conflict(_("A revocation procedure for this registration is already under way."))
        deadline = defence_deadline or add_workdays(today, DEFENCE_WORKDAYS)
        if deadline <= today:
            raise InvalidInput([FieldError("defence_deadline", _("The defence deadline must be in the future."))])
        revocation = Revocation.objects.create(
            registration=registration, ground=ground, notice_text=notice_text, notice_at=timezone.now(),
            notice_by=actor, defence_deadline=deadline,
        )
        _audit(actor, "evaluation.revocation.notice", revocation, filing, ground=ground, deadline=deadline)
        _notify(filing, _("Notice of intended revocation of %(number)s") % {"number": registration.number},
                _("The agency intends to revoke the registration %(number)s (%(ground)s). You may submit a defence "
                  "until %(date)s.") % {"number": registration.number, "ground": revocation.get_ground_display(),
                                        "date": deadline.isoformat()})
    return revocation


def do_revoke_defence(*, actor: Any, revocation: Revocation, text: str, today: date | None = None) -> Revocation:
    """The enterprise's defence, by the deadline."""
    text = _require_text("defence_text", text, _("Write the defence."))
    today = today or _today()
    with transaction.atomic():
        revocation = Revocation.objects.select_for_update().get(pk=revocation.pk)
        _authorize(actor, "revocation", "defend", revocation, revocation.state)
        if today > revocation.defence_deadline:
            raise Conflict(_("The deadline for the defence was %(date)s.") % {
                "date": revocation.defence_deadline.isoformat()})
        revocation.defence_text = text
        revocation.defence_at = timezone.now()
        revocation.state = RevocationState.DEFENCE
        revocation.save()
        filing = revocation.registration.filing
        _audit(actor, "evaluation.revocation.defend", revocation, filing)
        values = {"number": revocation.registration.number, "name": filing.enterprise.name}
        _notify(filing, _("Defence received for %(number)s") % values,
                _("The agency received the defence of %(name)s against the intended revocation of %(number)s.")
                % values)
        _notify_agency(revocation.registration.region6, _("Defence received: %(name)s") % values,
                       _("%(name)s submitted a defence against the intended revocation of its registration "
                         "%(number)s.") % values, frozenset({Role.AGENCY_ADMIN, Role.AGENCY_REVIEWER}))
    return revocation


def do_revoke_decide(*, actor: Any, revocation: Revocation, decision: str, reason: str,
                     today: date | None = None) -> Revocation:
    """Decide after the defence (or after its deadline): revoke — barring the enterprise — or not."""
    if decision not in RevocationDecision.values:
        raise InvalidInput([FieldError("decision", _("Choose revoked or not revoked."))])
    reason = _require_text("decision_reason", reason, _("Give the reasons for the decision."))
    today = today or _today()
    with transaction.atomic():
        revocation = Revocation.objects.select_for_update().get(pk=revocation.pk)
        _authorize(actor, "revocation", "decide", revocation, revocation.state)
        if revocation.state == RevocationState.NOTICE and today <= revocation.defence_deadline:
            raise Conflict(_("The enterprise may submit a defence until %(date)s; decide after that day.") % {
                "date": revocation.defence_deadline.isoformat()})
        registration = Registration.objects.select_for_update().get(pk=revocation.registration_id)
        filing = _lock_filing(registration.filing_id)
        now = timezone.now()
        revocation.state = RevocationState.DECIDED
        revocation.decision = decision
        revocation.decision_reason = reason
        revocation.decided_at = now
        revocation.decided_by = actor
        if decision == RevocationDecision.REVOKED:
            _authorize(actor, "filing", "revoke", filing, filing.state)
            fraud = revocation.ground == RevocationGround.FRAUD
            revocation.bars_until_year = today.year + (FRAUD_BAR_YEARS if fraud else 0)
            registration.state = RegistrationState.REVOKED
            registration.state_changed_at = now
            registration.save(update_fields=["state", "state_changed_at"])
            _move(filing, "revoke", actor, reason, now)
            _notify_state(filing, reason)
        else:
            _notify(filing, _("Registration %(number)s is not revoked") % {"number": registration.number},
                    _("The agency decided not to revoke the registration %(number)s.") % {
                        "number": registration.number} + "\n\n" + _("Reason: %(reason)s") % {"reason": reason})
        revocation.save()
        _audit(actor, "evaluation.revocation.decide", revocation, filing, decision=decision,
               bars_until_year=revocation.bars_until_year)
    return revocation


# ---------------------------------------------------------------------------------------------------------------
# filings received offline (bulk import, see ``evaluation.importing``)


def do_receive_offline_filings(*, actor: Any, entries: list[tuple[Enterprise, int, dict[str, Any]]],
                               job: Any = None, rows: list[int] | None = None) -> list[int]:
    """Record filings received on paper as ``imported`` (one per enterprise and year; facts as received).

    ``entries``: (enterprise, evaluation year, facts record of year − 1); ``rows``: the spreadsheet row of each entry
    (for the error report). All or nothing: an enterprise that already
    has an active filing for the year, or is barred by a revocation, refuses the whole set (``InvalidInput``). The
    filings enter the review queue through ``do_route_imported_filings``. One audit event for the set.
    """
    if not entries:
        raise InvalidInput([FieldError("file", _("The file has a header but no data rows."))])
    with transaction.atomic():
        errors = []

        def row(index: int) -> int | None:
            return rows[index] if rows else None

        for index, (enterprise, _year, _facts) in enumerate(entries):
            if not can(actor, "evaluation.import", enterprise):
                errors.append(FieldError("uscc", _("%(name)s is outside your region.") % {"name": enterprise.name},
                                         row(index)))
        ids = sorted({e.pk for e, _y, _f in entries})
        years = {(e.pk, y) for e, y, _f in entries}
        active: set[tuple[int, int]] = set()
        barred: dict[int, int] = {}
        for start in range(0, len(ids), 900):
            part = ids[start:start + 900]
            active |= set(Filing.objects.filter(enterprise_id__in=part).exclude(
                state__in=[FilingState.REJECTED, FilingState.OBJECTION_UPHELD]).values_list("enterprise_id", "year"))
            for enterprise_id, until in Revocation.objects.filter(
                    registration__enterprise_id__in=part, decision=RevocationDecision.REVOKED,
                    bars_until_year__isnull=False).values_list("registration__enterprise_id", "bars_until_year"):
                barred[enterprise_id] = max(until, barred.get(enterprise_id, until))
        for index, (enterprise, year, _facts) in enumerate(entries):
            if (enterprise.pk, year) in active:
                errors.append(FieldError("uscc", _("%(name)s already has a filing for %(year)s.") % {
                    "name": enterprise.name, "year": year}, row(index)))
            if barred.get(enterprise.pk, 0) >= year:
                errors.append(FieldError("uscc", _("The registration of %(name)s was revoked; it may not file "
                                                   "again before %(year)s.") % {
                    "name": enterprise.name, "year": barred[enterprise.pk] + 1}, row(index)))
        if len(years) != len(entries):
            errors.append(FieldError("uscc", _("The file has the same enterprise twice for one year.")))
        if errors:
            raise InvalidInput(errors)
        filings = [Filing(enterprise=enterprise, year=year, facts_year=year - 1, facts=_jsonable(facts),
                          state=FilingState.IMPORTED, attestation=True, import_job=job)
                   for enterprise, year, facts in entries]
        Filing.objects.bulk_create(filings, batch_size=500)
        created = [f.pk for f in filings]
        if any(pk is None for pk in created):  # backends without RETURNING on bulk insert
            created = list(Filing.objects.filter(import_job=job, state=FilingState.IMPORTED).order_by("pk")
                           .values_list("pk", flat=True))
        audit.record(actor=actor, verb="evaluation.filing.receive_offline", obj=job or filings[0],
                     changes={"filings": len(filings), "years": sorted({y for _e, y, _f in entries})})
    return created


ROUTED_FIELDS = ("staff_score", "rd_score", "ip_score", "score", "route", "eligible", "fail_reasons", "explanation",
                 "assessed_at", "onsite_reasons", "needs_onsite_check", "state", "state_changed_at", "submitted_at",
                 "submitted_by")


def _update_rows(filings: list[Filing], names: Iterable[str]) -> None:
    """Save ``names`` of many filings with one prepared UPDATE run for every row (``executemany``).

    ``QuerySet.bulk_update`` builds a CASE expression per field and row, which costs seconds per thousand rows;
    this is the same write, with the values prepared by each field for the database in use.
    """
    if not filings:
        return
    connection = connections[Filing.objects.db]
    fields = [Filing._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    # Only quoted column names of the model go into the text; every value is a parameter.
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Filing._meta.db_table)} SET {assignments} WHERE {quote(Filing._meta.pk.column)} = %s"  # noqa: S608
    params = [[f.get_db_prep_save(getattr(filing, f.attname), connection) for f in fields] + [filing.pk]
              for filing in filings]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def do_route_imported_filings(*, actor: Any, filing_ids: Iterable[int], job: Any = None,
                              report_progress: Any = None, chunk: int = 2000) -> dict[str, int]:
    """Assess filings received offline (in bulk) and move them ``imported → submitted`` into the review queue.

    Works in chunks, each one transaction (a failure keeps the chunks done so far; run it again for the rest). Each
    filing gets its scores, on-site-check triggers and a history row; each chunk one audit event. The explanation
    comes from the same vectorised call of the engine (one per chunk, ``explain=True``) and is stored in its compact
    form (``scoring.compact_explanation``: what the filing page shows), so the page does not call the engine. No
    e-mail is sent to the enterprise (it filed on paper).
    """
    from techsme.evaluation.scoring import compact_explanation, filing_record
    from techsme.rules import assess_records

    ids = sorted(set(filing_ids))
    routed = 0
    for start in range(0, max(len(ids), 1), chunk):
        part = ids[start:start + chunk]
        if not part:
            break
        with transaction.atomic():
            filings = list(Filing.objects.select_for_update().filter(pk__in=part, state=FilingState.IMPORTED)
                           .select_related("enterprise").order_by("pk"))
            for filing in filings:
                _authorize(actor, "filing", "route_imported", filing, filing.state)
            results = assess_records([filing_record(f) for f in filings], explain=True) if filings else []
            reasons = _onsite_reasons_many(filings)
            now = timezone.now()
            user = actor if getattr(actor, "is_authenticated", False) else None
            for filing, result, onsite in zip(filings, results, reasons, strict=True):
                _store_result(filing, result, now)
                if not result.get("errors"):
                    filing.explanation = _jsonable(compact_explanation(result.get("explanation")) or {}) or None
                filing.onsite_reasons = onsite
                filing.needs_onsite_check = bool(onsite)
                filing.state = FilingState.SUBMITTED
                filing.state_changed_at = now
                filing.submitted_at = now
                filing.submitted_by = user
            _update_rows(filings, ROUTED_FIELDS)
            FilingDecision.objects.bulk_create([
                FilingDecision(filing=f, transition="route_imported", from_state=FilingState.IMPORTED,
                               to_state=FilingState.SUBMITTED, actor=user) for f in filings], batch_size=500)
            if filings:
                audit.record(actor=actor, verb="evaluation.filing.route_imported", obj=job or filings[0],
                             changes={"filings": [f.pk for f in filings][:50], "count": len(filings)})
            routed += len(filings)
        if report_progress is not None:
            done = min(start + chunk, len(ids))
            report_progress(100 * done // max(len(ids), 1),
                            _("%(done)d of %(total)d filings assessed and routed.") % {"done": done, "total": len(ids)})
    return {"routed": routed, "skipped": len(ids) - routed}


# ---------------------------------------------------------------------------------------------------------------
# change reports


def change_report_deadline(changed_on: date) -> date:
    """Three calendar months after the change (the last day of a shorter month when the day does not exist)."""
    import calendar

    from techsme.evaluation.models import CHANGE_REPORT_MONTHS

    month = changed_on.month - 1 + CHANGE_REPORT_MONTHS
    year, month = changed_on.year + month // 12, month % 12 + 1
    return date(year, month, min(changed_on.day, calendar.monthrange(year, month)[1]))


def do_report_change(*, actor: Any, registration: Registration, kind: str, changed_on: date | None,
                     description: str, new_name: str = "", today: date | None = None) -> Any:
    """A registered enterprise reports a name change or a major change (due within 3 months; a late report is
    accepted and marked late). The agency sees it on the filing page and may start a revocation."""
    from techsme.evaluation.models import ChangeKind, ChangeReport

    today = today or _today()
    errors = []
    if kind not in ChangeKind.values:
        errors.append(FieldError("kind", _("Choose a name change or a major change.")))
    if changed_on is None:
        errors.append(FieldError("changed_on", _("Give the date of the change.")))
    elif changed_on > today:
        errors.append(FieldError("changed_on", _("The date of the change cannot be in the future.")))
    if kind == ChangeKind.NAME and not (new_name or "").strip():
        errors.append(FieldError("new_name", _("Give the new name.")))
    if not (description or "").strip():
        errors.append(FieldError("description", _("Describe the change.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not can(actor, "evaluation.change_report", registration):
            raise PermissionDenied(_("You may not report changes of this registration."))
        if registration.state != RegistrationState.REGISTERED:
            raise Conflict(_("Only a valid registration can report changes; this one is “%(state)s”.") % {
                "state": registration.get_state_display()})
        report = ChangeReport.objects.create(
            registration=registration, kind=kind, changed_on=changed_on, new_name=(new_name or "").strip()[:200],
            description=description.strip(), late=today > change_report_deadline(changed_on), reported_by=actor,
        )
        filing = registration.filing
        _audit(actor, "evaluation.registration.report_change", report, filing, kind=kind,
               changed_on=changed_on, late=report.late)
        _notify(filing, _("Change report for %(number)s received") % {"number": registration.number},
                _("The agency received the report of a change (%(kind)s) of %(name)s.") % {
                    "kind": report.get_kind_display(), "name": registration.enterprise.name})
        values = {"kind": report.get_kind_display(), "name": registration.enterprise.name,
                  "number": registration.number}
        body = _("%(name)s (registration %(number)s) reported a change: %(kind)s.") % values
        if report.late:
            body += " " + _("The report is late (more than 3 months after the change).")
        _notify_agency(registration.region6, _("Change report received: %(name)s") % values, body)
    return report


def do_acknowledge_change_report(*, actor: Any, report: Any, note: str = "") -> Any:
    """The agency has reviewed a change report (reviewers and agency administrators of the region)."""
    from techsme.evaluation.models import ChangeReport

    with transaction.atomic():
        report = ChangeReport.objects.select_for_update().select_related("registration__enterprise").get(pk=report.pk)
        if not can(actor, "evaluation.change_report.review", report):
            raise PermissionDenied(_("You may not review this change report."))
        if report.acknowledged_at is not None:
            raise Conflict(_("This change report was already acknowledged on %(date)s.") % {
                "date": timezone.localtime(report.acknowledged_at).date().isoformat()})
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = actor
        report.acknowledgement_note = (note or "").strip()
        report.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
        registration = report.registration
        _audit(actor, "evaluation.change_report.acknowledge", report, registration.filing,
               note=report.acknowledgement_note)
        values = {"kind": report.get_kind_display(), "number": registration.number}
        body = _("The agency reviewed your report of a change (%(kind)s) of the registration %(number)s.") % values
        if report.acknowledgement_note:
            body += "\n\n" + _("Note: %(note)s") % {"note": report.acknowledgement_note}
        _notify(registration.filing, _("Change report for %(number)s reviewed") % values, body)
    return report


def do_revoke_from_change_report(*, actor: Any, report: Any, notice_text: str,
                                 ground: str = RevocationGround.CONDITIONS_NOT_MET,
                                 defence_deadline: date | None = None, today: date | None = None) -> Revocation:
    """Start a revocation notice from a reported major change that affects the conditions.

    The report is acknowledged (if it was not yet) and linked to the procedure; the notice itself is
    ``do_revoke_notice`` (agency administrators only), in the same transaction.
    """
    from techsme.evaluation.models import ChangeKind, ChangeReport

    with transaction.atomic():
        report = ChangeReport.objects.select_for_update().get(pk=report.pk)
        if not can(actor, "evaluation.change_report.review", report):
            raise PermissionDenied(_("You may not review this change report."))
        if report.kind != ChangeKind.MAJOR:
            raise Conflict(_("Only a major change affecting the conditions can lead to a revocation."))
        if report.revocation_id is not None:
            raise Conflict(_("A revocation was already started from this change report."))
        revocation = do_revoke_notice(actor=actor, registration=report.registration, ground=ground,
                                      notice_text=notice_text, defence_deadline=defence_deadline, today=today)
        report.revocation = revocation
        fields = ["revocation"]
        if report.acknowledged_at is None:
            report.acknowledged_at = timezone.now()
            report.acknowledged_by = actor
            fields += ["acknowledged_at", "acknowledged_by"]
        report.save(update_fields=fields)
        _audit(actor, "evaluation.change_report.revoke", report, report.registration.filing,
               revocation=revocation.pk)
    return revocation
