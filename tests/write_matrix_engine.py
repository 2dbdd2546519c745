"""The machinery of the write-matrix test (``tests/test_write_matrix.py`` holds the table itself).

A small demo world (the registry demo with every app's registered demo step) is built once inside one test; every
write endpoint of the API and every page of the site is then tried by every demo role, each attempt inside a
savepoint that is rolled back, so attempts never disturb each other. What an attempt may do:

- a role the table allows: anything but "not found / forbidden / not signed in" (401, 403, 404) and server errors;
  an API write that answers 2xx wrote at least one audit event;
- every other role: 401/403/404 (a page may also send an anonymous visitor to the login page) and nothing changed
  in the database (the row counts of every table and the audit trail are the same before and after).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ANONYMOUS = "anonymous"
OTHER_ENTERPRISE = "other-enterprise-admin"  # the administrator of another enterprise in the same district
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SKIPPED_PREFIXES = ("admin/", "api/v1/", "i18n/")  # the admin (tested in tests/core/test_admin.py), the API (below)


@dataclass(frozen=True)
class Write:
    """A write: who may take it on the target object (demo usernames), and whose object the target is."""

    may: frozenset[str]
    whose: str
    kwargs: dict[str, str] = field(default_factory=dict)  # path parameter → target name (or "=literal")
    data: dict[str, Any] = field(default_factory=dict)  # merged into the minimal body built from the schema
    audited: bool = True  # an API success writes audit events (False for dry runs: preview, check, assess)
    # The endpoint checks its input before the caller's right, so a caller without the right may get 422 instead of
    # 403 (still nothing changes). A finding for the endpoint's owner: remove the flag once it checks rights first.
    validates_first: bool = False


@dataclass(frozen=True)
class Read:
    """A page that only shows: a POST to it by anyone changes nothing."""

    kwargs: dict[str, str] = field(default_factory=dict)


def may(*names: str) -> frozenset[str]:
    return frozenset(names)


# --- enumeration ------------------------------------------------------------------------------------------------


def api_writes() -> dict[str, Any]:
    """``"METHOD /path"`` → the operation, for every write operation of the API."""
    from techsme.api import api

    found = {}
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    if method in WRITE_METHODS:
                        found[f"{method} {path}"] = operation
    return found


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            route = prefix + str(pattern.pattern)
            if not route.startswith(SKIPPED_PREFIXES):
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route


def web_views() -> dict[str, str]:
    """URL name → route, for every named page of the site (outside the admin and the API)."""
    return dict(_walk(get_resolver().url_patterns))


# --- the demo world ---------------------------------------------------------------------------------------------


class World:
    """The demo users by username and the objects the attempts aim at (``target(name)``)."""

    def __init__(self) -> None:
        from techsme.accounts.models import User

        self.users = {u.username: u for u in User.objects.all()}
        self._targets: dict[str, Any] = {}

    def target(self, name: str) -> Any:
        if name.startswith("="):
            return name[1:]
        if name not in self._targets:
            self._targets[name] = TARGETS[name](self)
        return self._targets[name]


SKIPPED_STEPS: list[str] = []


def build_world(enterprises: int = 250) -> World:
    from techsme.accounts.models import Membership, User
    from techsme.core.hooks import demo_steps
    from techsme.registry.demo import DEMO_ENTERPRISE_NAME, seed_demo
    from techsme.registry.models import Enterprise

    seed_demo(enterprises=enterprises, seed=7)
    for step in demo_steps():
        # a step of an app under construction may not fit this small world: its objects are then Missing (rows
        # that need them report it) rather than the whole matrix failing
        try:
            with transaction.atomic():
                step.seed()
        except Exception as exc:  # noqa: BLE001
            SKIPPED_STEPS.append(f"{step.label}: {exc!r}")
    demo = Enterprise.objects.get(name=DEMO_ENTERPRISE_NAME)
    other = (
        Enterprise.objects.filter(region_code=demo.region_code, organisation__isnull=False)
        .exclude(pk=demo.pk)
        .order_by("pk")
        .first()
    )
    if other is None:
        from techsme.accounts.models import Organisation

        other = Enterprise.objects.filter(region_code__startswith=demo.region_code[:4]).exclude(pk=demo.pk).first()
        other.organisation = Organisation.objects.create(
            kind="enterprise", name=other.name, region_code=other.region_code
        )
        other.save(update_fields=["organisation"])
    user = User.objects.create_user(OTHER_ENTERPRISE, password="Test-pass-2026!")
    Membership.objects.create(user=user, organisation=other.organisation, role="enterprise_admin")
    return World()


@dataclass(frozen=True)
class Missing:
    """Stands for an object the demo does not hold: its id exists nowhere, so everyone gets a 404 (a write row that
    allows someone then reports it, and the demo — or the target — must be completed)."""

    model: str
    pk: int = 2_000_000_000


def _first(model: str, **filters: Any) -> Any:
    found = apps.get_model(model).objects.filter(**filters).order_by("pk").first()
    return found if found is not None else Missing(model)


def _demo_enterprise(world: World) -> Any:
    from techsme.registry.demo import DEMO_ENTERPRISE_NAME

    return _first("registry.Enterprise", name=DEMO_ENTERPRISE_NAME)


def _own(model: str, path: str = "enterprise") -> Callable[[World], Any]:
    """The first object of ``model`` of the demo enterprise (else of its district)."""

    def find(world: World) -> Any:
        enterprise = world.target("enterprise")
        found = _first(model, **{path: enterprise})
        if isinstance(found, Missing):
            found = _first(model, **{f"{path}__region_code__startswith": enterprise.region_code[:4]})
        return found

    return find


def _pk(name: str) -> Callable[[World], Any]:
    return lambda world: world.target(name).pk


def _region_change(world: World) -> Any:
    from techsme.registry.region_changes import do_request_region_change

    return do_request_region_change(
        actor=world.users["enterprise-admin"],
        enterprise_id=world.target("enterprise").pk,
        to_region="440106",
        reason="demo",
    )


def _scenario(world: World) -> Any:
    from techsme.incentives.services import do_create_scenario

    year = dt.date.today().year - 1
    return do_create_scenario(
        actor=world.users["agency-admin"],
        name="demo",
        changes={"rd.rate.tech_sme": "1.2"},
        effective_from=dt.date(year, 1, 1),
        tax_year=year,
    )


def _token(world: World) -> Any:
    from techsme.accounts.models import ApiToken

    found = ApiToken.objects.filter(user=world.users["enterprise-admin"]).first()
    if found is None:
        from techsme.accounts.services import do_create_api_token

        found, _key = do_create_api_token(actor=world.users["enterprise-admin"], name="demo")
    return found


def _wait(world: World) -> Any:
    from django.utils import timezone

    from techsme.instruments.models import WaitListEntry

    found = WaitListEntry.objects.order_by("pk").first()
    if found is None:  # the demo keeps no wait list: the demo enterprise waits for a slot on the first instrument
        start = timezone.now() + dt.timedelta(days=3)
        found = WaitListEntry.objects.create(
            instrument=world.target("instrument"),
            user=world.users["enterprise-admin"],
            organisation=world.target("enterprise").organisation,
            start=start,
            end=start + dt.timedelta(hours=2),
        )
    return found


def _job(world: World) -> Any:
    from techsme.core.models import Job

    return Job.objects.create(kind="registry.import", owner=world.users["agency-admin"])


TARGETS: dict[str, Callable[[World], Any]] = {
    "enterprise": _demo_enterprise,
    "year": lambda world: dt.date.today().year - 1,
    "ip": _own("registry.IPAsset"),
    "region_change": _region_change,
    "filing": _own("evaluation.Filing"),
    "document": lambda world: _first("evaluation.SupportingDocument"),
    "batch": lambda world: _first("evaluation.PublicityBatch"),
    "objection": lambda world: _first("evaluation.Objection"),
    "registration": _own("evaluation.Registration"),
    "revocation": lambda world: _first("evaluation.Revocation"),
    "change_report": lambda world: _first("evaluation.ChangeReport"),
    "instrument": lambda world: _first("instruments.Instrument"),
    "booking": lambda world: _first("instruments.Booking", organisation=world.target("enterprise").organisation),
    "usage": lambda world: _first("instruments.UsageRecord"),
    "wait": _wait,
    "programme": lambda world: _first("vouchers.Programme"),
    "application": _own("vouchers.Application"),
    "voucher": _own("vouchers.Voucher"),
    "provider": lambda world: _first(
        "vouchers.ServiceProvider", organisation__memberships__user=world.users["provider"]
    ),
    "service": lambda world: _first("vouchers.ProviderService", provider=world.target("provider")),
    "contract": _own("vouchers.Contract"),
    "reimbursement": lambda world: _first("vouchers.ReimbursementBatch"),
    "scenario": _scenario,
    "token": _token,
    "job": _job,
    "pool": lambda world: _first("finance.Pool", region_code="440300"),
    "admission": lambda world: _first("finance.BankAdmission", state="applied", pool__region_code="440300"),
    "agreement": lambda world: _first("finance.Agreement", pool__region_code="440300"),
    "loan": lambda world: _first("finance.Loan", state="filed", agreement__pool__region_code="440300"),
    "loan_enrolled": lambda world: _first("finance.Loan", state="enrolled", agreement__pool__region_code="440300"),
    "loan_defaulted": lambda world: _first("finance.Loan", state="defaulted", claims__isnull=True,
                                           agreement__pool__region_code="440300"),
    "claim": lambda world: _first("finance.Claim", state="under_review", loan__agreement__pool__region_code="440300"),
    "claim_draft": lambda world: _first("finance.Claim", state="draft", loan__agreement__pool__region_code="440300"),
    "claim_paid": lambda world: _first("finance.Claim", state="paid", loan__agreement__pool__region_code="440300"),
    # technology transfer (demo step 50): the demo university is the one of the `university` and `broker` users
    "outcome": lambda world: _first("transfer.Outcome", state="published",
                                    owner__memberships__user=world.users.get("university")),
    "outcome_submitted": lambda world: _first("transfer.Outcome", state="submitted", region_code__startswith="4403"),
    "need": _own("transfer.Need"),
    "match": lambda world: _first("transfer.Match", need__enterprise=world.target("enterprise"),
                                  outcome__owner__memberships__user=world.users.get("university")),
    "challenge": lambda world: _first("transfer.Challenge", state="open", region_code__startswith="4403"),
    "entry": lambda world: _first("transfer.ChallengeEntry", challenge__poster__enterprise=world.target("enterprise")),
    "tech_contract": lambda world: _first("transfer.TechContract", state="submitted", region_code__startswith="4403"),
    "tech_contract_registered": lambda world: _first("transfer.TechContract", state="registered",
                                                     region_code__startswith="4403"),
    "product": _own("transfer.InnovativeProduct"),
}
for _name in list(TARGETS):
    if _name != "year":
        TARGETS[f"{_name}.pk"] = _pk(_name)


# --- one attempt ------------------------------------------------------------------------------------------------


def _table_names() -> list[str]:
    existing = set(connection.introspection.table_names())
    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label not in ("sessions", "axes")
        and not m._meta.proxy
        and m._meta.managed
        and m._meta.db_table in existing
    )


_TABLES: list[str] = []


def fingerprint() -> tuple[int, ...]:
    """The row count of every table (one query)."""
    names = _TABLES or _TABLES.extend(_table_names()) or _TABLES
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(n)})" for n in names)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def audit_count() -> int:
    from techsme.core.models import AuditEvent

    return AuditEvent.objects.count()


class _Rollback(Exception):
    pass


@dataclass
class Outcome:
    status: int
    location: str
    audited: int
    changed: bool


def attempt(client: Client, method: str, url: str, body: Any, *, multipart: bool) -> Outcome:
    """Send one request inside a savepoint that is rolled back afterwards."""
    outcome: Outcome | None = None
    try:
        with transaction.atomic():
            before, events = fingerprint(), audit_count()
            if multipart:
                response = (
                    client.generic(method, url, **_multipart(body)) if method != "POST" else client.post(url, body)
                )
            elif method == "POST" and not url.startswith("/api/"):
                response = client.post(url, body)
            else:
                response = client.generic(method, url, json.dumps(body), content_type="application/json")
            outcome = Outcome(
                response.status_code, response.get("Location", ""), audit_count() - events, fingerprint() != before
            )
            raise _Rollback
    except _Rollback:
        pass
    assert outcome is not None
    return outcome


def _multipart(body: Any) -> dict[str, Any]:  # pragma: no cover — no multipart PUT/PATCH today
    from django.test.client import MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart("BoUnDaRy", body), "content_type": MULTIPART_CONTENT}


def clients(world: World) -> dict[str, Client]:
    out = {ANONYMOUS: Client()}
    for name, user in world.users.items():
        client = Client()
        client.force_login(user)
        out[name] = client
    return out


# --- request bodies from the OpenAPI schema ---------------------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def minimal(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A small value that the schema accepts: the required properties with plain values of their type."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, components).get("type") != "null"]
            return minimal(options[0] if options else schema[key][0], components, depth + 1)
    if "allOf" in schema:
        return minimal(schema["allOf"][0], components, depth + 1)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            name: minimal(props[name], components, depth + 1) for name in schema.get("required", []) if name in props
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return dt.date.today().isoformat()
    if schema.get("format") == "date-time":
        return dt.datetime.now(dt.UTC).isoformat()
    if schema.get("format") == "binary":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("matrix.csv", b"uscc,name\n", content_type="text/csv")
    return "x"


def request_body(openapi: dict[str, Any], method: str, path: str) -> tuple[Any, bool]:
    """The minimal body of an operation and whether it is multipart."""
    operation = openapi["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    components = openapi.get("components", {}).get("schemas", {})
    for kind in ("application/json",):
        if kind in content:
            return minimal(content[kind]["schema"], components), False
    for kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if kind in content:
            return minimal(content[kind]["schema"], components), True
    return {}, False


# --- running the table ------------------------------------------------------------------------------------------

# Default target of a path parameter (a row's ``kwargs`` overrides it): ``filing_id`` → the demo's filing, …
PARAMS = {
    "enterprise_id": "enterprise.pk",
    "year": "year",
    "ip_id": "ip.pk",
    "asset_id": "ip.pk",
    "instrument_id": "instrument.pk",
    "booking_id": "booking.pk",
    "usage_id": "usage.pk",
    "filing_id": "filing.pk",
    "batch_id": "batch.pk",
    "objection_id": "objection.pk",
    "registration_id": "registration.pk",
    "revocation_id": "revocation.pk",
    "report_id": "change_report.pk",
    "programme_id": "programme.pk",
    "application_id": "application.pk",
    "voucher_id": "voucher.pk",
    "provider_id": "provider.pk",
    "service_id": "service.pk",
    "service_pk": "service.pk",
    "contract_id": "contract.pk",
    "document_id": "document.pk",
    "token_id": "token.pk",
    "job_id": "job.pk",
    "change_id": "region_change.pk",
    "pool_id": "pool.pk",
    "admission_id": "admission.pk",
    "loan_id": "loan.pk",
    "claim_id": "claim.pk",
    "outcome_id": "outcome.pk",
    "need_id": "need.pk",
    "match_id": "match.pk",
    "challenge_id": "challenge.pk",
    "entry_id": "entry.pk",
    "product_id": "product.pk",
}
REFUSED = (401, 403, 404)
SIGNS_OUT = {"web:logout"}
READ_ROLES = {ANONYMOUS, "enterprise-admin", "agency-admin", "provider", "admin"}  # who POSTs to pages that only show


def _params(route: str) -> list[str]:
    import re

    return re.findall(r"[{<](?:\w+:)?(\w+)[}>]", route)


def fill(world: World, route: str, kwargs: dict[str, str]) -> str:
    import re

    def value(match: re.Match) -> str:
        name = match.group(1)
        return str(world.target(kwargs.get(name) or PARAMS[name]))

    return re.sub(r"[{<](?:\w+:)?(\w+)[}>]", value, route)


def refused(outcome: Outcome) -> bool:
    return outcome.status in REFUSED or (outcome.status == 302 and "/login/" in outcome.location)


def check(name: str, row: Write | Read, role: str, outcome: Outcome, *, api: bool) -> str | None:
    """The problem with this outcome, or None."""
    if outcome.status >= 500:
        return f"{name} by {role}: server error {outcome.status}"
    if isinstance(row, Read):
        return f"{name} by {role}: a page that only shows changed the database" if outcome.changed else None
    if role in row.may:
        if refused(outcome):
            return f"{name} by {role}: allowed by the table but refused ({outcome.status})"
        if api and row.audited and 200 <= outcome.status < 300 and not outcome.audited:
            return f"{name} by {role}: succeeded ({outcome.status}) without an audit event"
        return None
    if not refused(outcome) and not (row.validates_first and outcome.status == 422):
        return f"{name} by {role}: not allowed by the table but answered {outcome.status}"
    if outcome.changed or outcome.audited:
        return f"{name} by {role}: refused ({outcome.status}) but the database changed"
    return None


def api_schema(api: Any) -> dict[str, Any]:
    """The OpenAPI document, or an empty one when it cannot be built (then bodies are empty and a malformed-body 422
    counts as a refusal — see ``refused``)."""
    try:
        return api.get_openapi_schema()
    except Exception:  # noqa: BLE001 — the schema itself is tested in tests/test_openapi*.py
        return {"paths": {}}


def run(
    world: World,
    api_rows: dict[str, Write],
    web_rows: dict[str, Write | Read],
    observe: dict[str, set[str]] | None = None,
) -> list[str]:
    """Every row by every role; the problems found (``observe`` collects who was not refused, for writing rows)."""
    from techsme.api import api

    openapi = api_schema(api)
    routes = web_views()
    users = clients(world)
    problems: list[str] = []
    jobs: list[tuple[str, Write | Read, str, str, Any, bool, bool]] = []
    for key, row in api_rows.items():
        method, path = key.split(" ", 1)
        body, multipart = request_body(openapi, method, f"/api/v1{path}")
        if isinstance(body, dict):
            body = {**body, **getattr(row, "data", {})}
        try:
            jobs.append((key, row, method, f"/api/v1{fill(world, path, row.kwargs)}", body, multipart, True))
        except KeyError as exc:
            problems.append(f"{key}: no target for the path parameter {exc}; give the row kwargs={{...}}")
    for name, row in web_rows.items():
        try:
            url = fill(world, "/" + routes[name], row.kwargs)
        except KeyError as exc:
            problems.append(f"{name}: no target for the path parameter {exc}; give the row kwargs={{...}}")
            continue
        jobs.append((name, row, "POST", url, dict(getattr(row, "data", {})), True, False))
    jobs.sort(key=lambda job: job[0] in SIGNS_OUT)  # signing out ends the session of the client that tries it
    for name, row, method, url, body, multipart, is_api in jobs:
        for role, client in users.items():
            if isinstance(row, Read) and observe is None and role not in READ_ROLES:
                continue
            outcome = attempt(client, method, url, body, multipart=multipart and method == "POST")
            if observe is not None and not refused(outcome):
                observe.setdefault(name, set()).add(role)
            if (problem := check(name, row, role, outcome, api=is_api)) is not None:
                problems.append(problem)
    return problems
