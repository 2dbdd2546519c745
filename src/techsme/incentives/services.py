"""State changes of the incentives app: one audited verb each (scenarios, runs, outreach notifications)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

from techsme.accounts.models import Membership, Organisation
from techsme.accounts.roles import AGENCY_ROLES
from techsme.core import audit
from techsme.core.errors import FieldError, InvalidInput, PermissionDenied
from techsme.core.jobs import start_job
from techsme.core.models import Job
from techsme.core.permissions import can, grants, scope
from techsme.incentives.models import Notification, Scenario
from techsme.registry.models import Enterprise
from techsme.registry.selectors import SIZE_CLASSES
from techsme.rules import RulesError, apply_reform, parameters

REFORM_JOB = "incentives.reform"


def scenario_agencies(actor: Any) -> list[Organisation]:
    """The agencies the actor may make scenarios for: those where it holds a role that runs them (a superuser: every
    agency). Several of them means the actor must choose one; none is ever picked for it."""
    from techsme.core.permissions import ACTIONS

    qs = Organisation.objects.filter(kind="agency")
    if not getattr(actor, "is_superuser", False):
        allowed = ACTIONS["incentives.scenario.run"]
        qs = qs.filter(pk__in=[g.organisation_id for g in grants(actor)
                               if g.region_prefix is not None and g.role in allowed])
    return list(qs.order_by("region_code", "name", "pk"))


def _chosen_agency(actor: Any, agency_id: int | None, errors: list[FieldError]) -> Organisation | None:
    agencies = scenario_agencies(actor)
    if agency_id is not None:
        chosen = next((a for a in agencies if a.pk == agency_id), None)
        if chosen is None:
            errors.append(FieldError("agency_id", _("You may not make scenarios for this agency.")))
        return chosen
    if len(agencies) == 1:
        return agencies[0]
    if agencies:
        errors.append(FieldError("agency_id", _("Choose the agency the scenario is made for.")))
        return None
    raise PermissionDenied(_("You may not run reform scenarios."))


def _audit_region(prefix: str) -> str:
    """The region an event about a scenario is filed under: the area it covers (``4403`` → ``440300``)."""
    return prefix.ljust(6, "0") if prefix else ""


def validate_changes(changes: dict[str, Any], effective_from: dt.date) -> dict[str, float | None]:
    """Parameter paths known and values numbers (or null); raises InvalidInput naming the bad entry."""
    errors: list[FieldError] = []
    clean: dict[str, float | None] = {}
    if not changes:
        errors.append(FieldError("changes", _("Choose at least one parameter to change.")))
    for path, raw in changes.items():
        path = str(path).strip()
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "null", "none")):
            value: float | None = None
        else:
            try:
                value = float(raw)
            except (TypeError, ValueError):
                errors.append(FieldError("changes", _("%(path)s: %(value)s is not a number.")
                                         % {"path": path, "value": raw}))
                continue
        try:
            apply_reform(parameters(), {path: {effective_from: value}})
        except RulesError as exc:
            errors.append(FieldError("changes", _("%(path)s: %(error)s") % {"path": path, "error": exc}))
            continue
        clean[path] = value
    if errors:
        raise InvalidInput(errors)
    return clean


def do_create_scenario(
    *,
    actor: Any,
    name: str,
    changes: dict[str, Any],
    effective_from: dt.date,
    tax_year: int,
    region_prefix: str = "",
    industry_prefix: str = "",
    size_class: str = "",
    description: str = "",
    agency_id: int | None = None,
) -> Scenario:
    """Save a scenario for ``agency_id`` (required when the actor may act for several agencies) covering
    ``region_prefix`` (by default the agency's whole area; never outside it)."""
    if not can(actor, "incentives.scenario.run"):
        raise PermissionDenied(_("You may not run reform scenarios."))
    errors: list[FieldError] = []
    if not name.strip():
        errors.append(FieldError("name", _("Give the scenario a name.")))
    agency = _chosen_agency(actor, agency_id, errors)
    region_prefix = region_prefix.strip()
    if agency is not None:
        # the region covered decides who sees the scenario: by default the agency's whole area
        region_prefix = region_prefix or agency.region_prefix
        if not region_prefix.startswith(agency.region_prefix):
            errors.append(FieldError("region_prefix", _("The region is outside the agency's area.")))
        elif region_prefix and not region_prefix.isdigit() or len(region_prefix) > 6:
            errors.append(FieldError("region_prefix", _("A region is given by the leading digits of its code.")))
    if size_class and size_class not in SIZE_CLASSES:
        errors.append(FieldError("size_class", _("Unknown size class.")))
    try:
        clean = validate_changes(changes, effective_from)
    except InvalidInput as exc:
        errors.extend(exc.errors)
        clean = {}
    if errors:
        raise InvalidInput(errors)
    assert agency is not None  # noqa: S101 — errors were raised otherwise
    with transaction.atomic():
        scenario = Scenario.objects.create(
            name=name.strip()[:200], description=description, agency=agency, region_prefix=region_prefix,
            industry_prefix=industry_prefix.strip().upper(), size_class=size_class, tax_year=tax_year,
            effective_from=effective_from, changes=clean, created_by=actor,
        )
        audit.record(actor=actor, verb="incentives.create_scenario", obj=scenario,
                     changes={"name": [None, scenario.name], "changes": [None, clean],
                              "effective_from": [None, effective_from], "tax_year": [None, tax_year],
                              "region_prefix": [None, region_prefix], "agency": [None, agency.pk]},
                     region_code=_audit_region(region_prefix), organisation_id=agency.pk)
    return scenario


def do_run_scenario(*, actor: Any, scenario_id: int) -> Job:
    """Start the background job that simulates the scenario (its result is stored on the scenario)."""
    with transaction.atomic():
        scenario = scope(actor, "incentives.scenario.run", Scenario.objects.select_for_update()).filter(
            pk=scenario_id).first()
        if scenario is None:
            raise PermissionDenied(_("You may not run this scenario."))
        job = start_job(actor=actor, kind=REFORM_JOB, params={"scenario_id": scenario.pk})
        scenario.job = job
        scenario.save(update_fields=["job"])
        audit.record(actor=actor, verb="incentives.run_scenario", obj=scenario, changes={"job": [None, job.pk]},
                     region_code=_audit_region(scenario.region_prefix), organisation_id=scenario.agency_id)
    return job


def do_delete_scenario(*, actor: Any, scenario_id: int) -> None:
    with transaction.atomic():
        scenario = scope(actor, "incentives.scenario.run", Scenario.objects.all()).filter(pk=scenario_id).first()
        if scenario is None:
            raise PermissionDenied(_("You may not delete this scenario."))
        audit.record(actor=actor, verb="incentives.delete_scenario", obj=scenario,
                     changes={"name": [scenario.name, None]}, region_code=_audit_region(scenario.region_prefix),
                     organisation_id=scenario.agency_id)
        scenario.delete()


def do_notify_enterprises(
    *, actor: Any, enterprise_ids: list[int], topic: str, subject: str, body: str
) -> list[Notification]:
    """In-app notification to every staff member of each enterprise, and e-mail (sent after commit)."""
    if not can(actor, "incentives.notify"):
        raise PermissionDenied(_("You may not send outreach notifications."))
    errors = []
    if not subject.strip():
        errors.append(FieldError("subject", _("Write a subject.")))
    if not body.strip():
        errors.append(FieldError("body", _("Write a message.")))
    ids = sorted({int(i) for i in enterprise_ids})
    if not ids:
        errors.append(FieldError("enterprise_ids", _("Choose at least one enterprise.")))
    if errors:
        raise InvalidInput(errors)
    enterprises = list(scope(actor, "incentives.notify", Enterprise.objects.filter(pk__in=ids)).order_by("pk"))
    if len(enterprises) != len(ids):
        raise PermissionDenied(_("Some of these enterprises are outside your area."))
    sender = None
    for grant in grants(actor):
        if grant.role in AGENCY_ROLES:
            sender = Organisation.objects.filter(pk=grant.organisation_id).first()
            break
    created: list[Notification] = []
    mails: list[tuple[str, str, str, list[str]]] = []
    members: dict[int, list[Any]] = {}
    for membership in Membership.objects.filter(
            organisation_id__in=[e.organisation_id for e in enterprises if e.organisation_id]).select_related("user"):
        members.setdefault(membership.organisation_id, []).append(membership.user)
    with transaction.atomic():
        for enterprise in enterprises:
            recipients = members.get(enterprise.organisation_id, []) or [None]
            created.extend(Notification(
                enterprise=enterprise, recipient=user, sender=sender, topic=topic[:40], subject=subject[:200],
                body=body,
            ) for user in recipients)
            addresses = sorted({u.email for u in recipients if u is not None and u.email}
                               | ({enterprise.contact_email} if enterprise.contact_email else set()))
            if addresses:
                mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, addresses))
            audit.record(actor=actor, verb="incentives.notify", obj=enterprise,
                         changes={"topic": [None, topic], "subject": [None, subject],
                                  "recipients": [None, len(recipients)], "emails": [None, len(addresses)]},
                         region_code=enterprise.region_code, organisation_id=enterprise.organisation_id)
        created = Notification.objects.bulk_create(created)
        if mails:
            transaction.on_commit(lambda: send_mass_mail(tuple(mails), fail_silently=True))
    return created
