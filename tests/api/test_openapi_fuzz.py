"""schemathesis over every operation of the mounted API, for several roles: no 5xx, every response as documented.

One seeded world (a small demo registry, instruments, vouchers, filings) with a personal API token for each role;
every generated request goes through the real WSGI application, in autocommit as in production. Whatever routers
are mounted are covered: the operations come from the OpenAPI document itself.

- Valid requests (schemathesis' positive mode) are sent once per role; their integer path ids are folded into the
  small ids the world holds, so most reach real objects instead of a 404.
- Invalid requests (negative mode: wrong types, out-of-bounds values, missing fields) go to one role each in turn;
  they must be refused with a 4xx.

Checks: no server error; the status code, content type and body are those the document declares; invalid data is
refused. Bounded in time: ``TECHSME_FUZZ_EXAMPLES`` examples per operation and mode (default 5), derandomized
(the same cases on every run), no shrinking; failures are collected and reported together.
"""

import logging
import os
from collections import defaultdict
from collections.abc import Iterator
from itertools import cycle

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.world import seed_world

EXAMPLES = int(os.environ.get("TECHSME_FUZZ_EXAMPLES", "5"))
SMALL_IDS = 12  # the world's objects have ids below this
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


def _schema() -> schemathesis.BaseSchema:
    from techsme.api import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"),
                                            config=schemathesis.Config())
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture
def world(transactional_db) -> Iterator[dict]:
    # The WSGI handler closes the connection after each request; keep it (the test database lives in it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield seed_world()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fold_ids(case) -> None:  # noqa: ANN001
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, int) and (name == "pk" or name.endswith("_id")):
            case.path_parameters[name] = value % SMALL_IDS + 1


def _fuzz(operation, mode: GenerationMode, roles: dict, turn: Iterator[str], failures: dict,  # noqa: ANN001
          counts: dict) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:  # noqa: ANN001
        if mode is GenerationMode.POSITIVE:
            _fold_ids(case)
            chosen = list(roles)
        else:
            chosen = [next(turn)]
        for role in chosen:
            counts[role] += 1
            key = f"{operation.label} [{mode.value}] as {role}"
            if key in failures:
                continue
            try:
                case.call_and_validate(headers=roles[role], checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 — collected, reported below
                failures[key] = str(exc)[:2000]

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
        assert mode is GenerationMode.NEGATIVE


def test_every_operation_for_every_role(world, caplog):
    only = os.environ.get("TECHSME_FUZZ_ONLY")  # e.g. "POST /api/v1/assess": one operation, with its tracebacks
    if not only:
        caplog.set_level(logging.CRITICAL, logger="django.request")
        caplog.set_level(logging.CRITICAL, logger="techsme.api")
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert len(operations) >= 80  # every mounted router is in the document
    if only:
        operations = [o for o in operations if o.label == only]
    failures: dict[str, str] = {}
    counts: dict[str, int] = defaultdict(int)
    turn = cycle(world["headers"])
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, world["headers"], turn, failures, counts)
    assert set(counts) == set(world["headers"]) and (only or min(counts.values()) >= len(operations))
    report = "\n\n".join(f"{key}\n{text}" for key, text in sorted(failures.items()))
    assert not failures, f"{len(failures)} failing operation/role pairs:\n\n{report}"
