"""Rules-engine endpoints: assess facts, browse the parameter tree and the variables.

The rules engine itself (``techsme.rules``) knows nothing of Django; this router is its HTTP surface.
"""

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StringConstraints

from techsme import rules
from techsme.core.api_schemas import ErrorOut, IsoDate, Year

router = Router(tags=["rules"])

MAX_RECORDS = 1000


# A facts row: facts.md column names (identifiers) to raw cell values, as in a CSV row.
Column = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
Cell = str | int | float | bool | None
FactsRow = Annotated[dict[Column, Cell], Field(max_length=300)]


class AssessIn(Schema):
    facts: list[FactsRow] = Field(
        ..., description="Rows of the facts contract (facts.md column names as keys)", max_length=MAX_RECORDS
    )
    year: Year | None = Field(None, description="Tax year to use when a row has no tax_year")
    explain: bool = Field(True, description="Include the explanation (techsme.explanation/v1) of each result")


class AssessOut(Schema):
    results: list[dict[str, Any]]
    bad_rows: int



@router.post(
    "/assess",
    response={200: AssessOut, 401: ErrorOut, 422: ErrorOut},
    summary="Assess enterprise-years: tech-SME evaluation, HNTE pre-check, tax incentives, with explanations",
)
def assess(request: HttpRequest, payload: AssessIn) -> AssessOut:
    results = rules.assess_records(payload.facts, year=payload.year, explain=payload.explain)
    return AssessOut(results=results, bad_rows=sum(1 for r in results if r.get("errors")))


@router.get(
    "/parameters",
    auth=None,
    response=list[dict[str, Any]],
    summary="The parameter tree in force on a date, with each value's history and citations",
)
def parameters(request: HttpRequest, at: IsoDate | None = None) -> list[dict[str, Any]]:
    return rules.parameter_listing(at=at or date.today())


@router.get("/variables", auth=None, response=list[dict[str, Any]], summary="Metadata of every variable")
def variables(request: HttpRequest) -> list[dict[str, Any]]:
    return rules.variables_metadata()
