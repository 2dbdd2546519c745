"""The OpenAPI document: every schema name unique, one error schema, every error answer documented, bounds stated."""

import typing
from collections import defaultdict

import pydantic
import pytest

from techsme.api import api
from techsme.core.api_schemas import ErrorOut


def _models_in(annotation: typing.Any) -> typing.Iterator[type[pydantic.BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _reachable_models() -> dict[str, set[str]]:
    """Every pydantic model an operation of the mounted API takes or returns, by schema name."""
    by_name: dict[str, set[str]] = defaultdict(set)
    seen: set[type] = set()
    pending: list[type[pydantic.BaseModel]] = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                pending.extend(getattr(operation, "models", []))
                pending.extend(m for m in (operation.response_models or {}).values() if m is not None)
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        if not model.__module__.startswith("ninja."):  # ninja's own per-operation wrappers are not components
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
        for field in model.model_fields.values():
            pending.extend(_models_in(field.annotation))
    return by_name


def test_no_two_schemas_share_a_component_name():
    clashes = {name: sorted(where) for name, where in _reachable_models().items() if len(where) > 1}
    assert not clashes, f"schema names used by more than one class (OpenAPI keeps only one of each): {clashes}"


def test_one_set_of_error_schemas():
    models = _reachable_models()
    assert models["ErrorOut"] == {"techsme.core.api_schemas.ErrorOut"}
    assert models["ErrorItem"] == {"techsme.core.api_schemas.ErrorItem"}


@pytest.fixture(scope="module")
def document() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1/")


def test_every_operation_documents_its_error_answers(document):
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            wanted = {"400", "422"} | ({"401", "403"} if operation.get("security") else set())
            wanted |= {"415"} if "requestBody" in operation else set()
            if not wanted <= codes:
                missing.append(f"{method.upper()} {path}: {sorted(wanted - codes)}")
    assert not missing, missing
    assert document["components"]["schemas"]["ErrorOut"]["properties"].keys() >= ErrorOut.model_fields.keys()


def test_booking_decisions_point_at_their_own_schema(document):
    body = document["paths"]["/api/v1/instruments/bookings/{booking_id}/approve"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/BookingDecisionIn")
    assert "note" in str(document["components"]["schemas"]["BookingDecisionIn"])


def _unbounded(document: dict) -> list[str]:
    """Integers without a minimum and maximum, strings without a maximum length, in any parameter or request body."""
    components = document["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict, where: str, depth: int = 0) -> None:
        while "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        for key in ("anyOf", "oneOf", "allOf"):
            variants = schema.get(key, [])
            if any(v.get("type") == "number" for v in variants):
                continue  # a decimal given as a number or a string: bounded by its own constraints
            for variant in variants:
                walk(variant, where, depth)
        kind = schema.get("type")
        if kind == "integer" and not {"minimum", "maximum"} <= schema.keys():
            found.append(f"integer {where}")
        if kind == "string" and depth == 0 and not schema.keys() & {"maxLength", "format", "enum", "pattern"}:
            found.append(f"string {where}")
        if kind == "array":
            walk(schema.get("items", {}), where + "[]", depth + 1)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}", depth)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                walk(parameter["schema"], f"{method.upper()} {path} {parameter['in']} {parameter['name']}")
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                walk(content["schema"], f"{method.upper()} {path} body ({media})")
    return found


def test_every_integer_and_string_the_api_takes_is_bounded(document):
    assert _unbounded(document) == []


def test_ids_years_and_paging_have_their_windows(document):
    from techsme.core.api_schemas import MAX_INT64, MAX_YEAR, MIN_YEAR

    parameters = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/evaluation/filings"]["get"]["parameters"]}
    year = next(v for v in parameters["year"]["anyOf"] if v.get("type") == "integer")
    assert (year["minimum"], year["maximum"]) == (MIN_YEAR, MAX_YEAR) == (2000, 2100)
    assert parameters["offset"]["minimum"] == 0 and parameters["limit"]["minimum"] == 1
    enterprise = document["paths"]["/api/v1/enterprises/{enterprise_id}"]["get"]["parameters"][0]["schema"]
    assert (enterprise["minimum"], enterprise["maximum"]) == (1, MAX_INT64)
