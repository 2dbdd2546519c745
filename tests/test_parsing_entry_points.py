"""The same cell means the same thing through the web import, the API and `techsme assess` (property tests).

For any generated cell — plain, grouped, full-width, decimal-comma, exponent, underscore, typed floats — the three
entry points either all refuse it (naming the column) or all accept it with the same value (the web and the API
store it at the column's precision, fen for money; the command line computes with the value as given).
"""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from techsme.registry.importing import _Checker, cell
from techsme.rules.engine import REGISTRY
from techsme.rules.facts_io import parse_facts, text_frame_from_records
from tests.registry.helpers import fact_row

pytestmark = pytest.mark.django_db
FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

numbers_as_text = st.one_of(
    st.text(alphabet="0123456789,._-+ eE１２，．", max_size=9),
    st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False).map(str),
    st.integers(min_value=-10**9, max_value=10**9).map(lambda n: f"{n:,}"),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"{n:,}.5".translate(FULL_WIDTH)),
)
cells = st.one_of(numbers_as_text, st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
flags = st.one_of(st.sampled_from(["是", "否", "yes", "NO", "1", "0", "1.0", "2", "t", "perhaps", "ｙ", " true "]),
                  st.text(max_size=4))


@pytest.fixture
def sz(two_regions) -> dict[str, Any]:
    return two_regions["sz"]


def _web(actor, name: str, value: Any) -> tuple[bool, Any]:
    """The web import's reading of one row (the checker every uploaded row goes through)."""
    row = {k: cell(str(v)) for k, v in fact_row(1).items()}
    row[name] = cell(value) if isinstance(value, str) else value
    checked, errors = _Checker(actor, list(row)).check(2, row)
    if any(e.field == name for e in errors):
        return False, None
    assert checked is not None, errors
    return True, checked.facts[name]


def _api(client: Client, enterprise_id: int, name: str, value: Any) -> tuple[bool, Any]:
    body = {"employees": 10, "tech_staff": 2, name: value}
    response = client.put(f"/api/v1/enterprises/{enterprise_id}/facts/2023", body, content_type="application/json")
    if response.status_code == 422:
        assert name in {e["field"] for e in response.json()["errors"]}, response.json()
        return False, None
    assert response.status_code == 200, response.content
    return True, response.json()[name]


def _cli(name: str, value: Any) -> tuple[bool, Any]:
    record = {**fact_row(1), name: value}
    parsed = parse_facts(text_frame_from_records([record]))
    if any(e.field == name for e in parsed.errors):
        return False, None
    assert not parsed.errors, parsed.errors
    return True, parsed.table[name][0]


def _agree(sz: dict, name: str, value: Any) -> None:
    client = Client()
    client.force_login(sz["admin"])
    web_ok, web = _web(sz["admin"], name, value)
    api_ok, api = _api(client, sz["enterprise"].pk, name, value)
    cli_ok, cli = _cli(name, value)
    assert web_ok == api_ok == cli_ok, (value, web_ok, api_ok, cli_ok)
    if not web_ok:
        return
    if web is None:  # an empty cell is unknown everywhere
        assert api is None and cli != cli
        return
    if isinstance(web, bool):
        if cli != cli:  # empty: the web stores the column's default, the engine applies the same default
            assert REGISTRY[name].default == float(web) and api is web
            return
        assert api is web and cli == float(web)
        return
    assert Decimal(str(api)) == Decimal(web)
    assert abs(float(web) - cli) <= 0.005 + 1e-9 * abs(cli), (value, web, cli)


@PROPERTY
@given(cells)
@example("1,5")
@example("1,000.00")
@example("１２３")
@example("1_000")
@example("1.5E+07")
@example(" -1,234.56 ")
@example("\x1c")
def test_money_cells_mean_the_same_everywhere(sz, value):
    _agree(sz, "taxable_income_before_incentives", value)


@PROPERTY
@given(cells)
@example("1,5")
@example("1,000")
@example("３")
@example("2.0")
def test_count_cells_mean_the_same_everywhere(sz, value):
    _agree(sz, "ip_class1", value)


@PROPERTY
@given(flags)
@example("\x1f")  # a blank for Python, not for polars: unknown everywhere, never "no"
@example("\u3000")
def test_yes_no_cells_mean_the_same_everywhere(sz, value):
    _agree(sz, "audited_books", value)


@pytest.mark.parametrize("value", ["1,5", "12,34", "1_000", "1.5E+07", "٣"])
def test_refused_numbers_are_refused_by_the_uploaded_file_too(sz, value):
    """Through the real upload (CSV bytes → page → verb), not only the checker."""
    from tests.registry.helpers import csv_bytes

    client = Client()
    client.force_login(sz["admin"])
    data = csv_bytes([fact_row(2, revenue=value)])
    response = client.post("/registry/import/", {"file": SimpleUploadedFile("f.csv", data)})
    assert response.status_code == 422 and "<td>revenue</td>" in response.content.decode()
    api = client.post("/api/v1/imports", {"file": SimpleUploadedFile("f.csv", data)})
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "revenue"
    assert not _cli("revenue", value)[0]


def test_uscc_check_is_the_same_in_the_registry_and_the_command_line(sz):
    from techsme.core.identifiers import uscc_error

    good = fact_row(3)["uscc"]
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert uscc_error(good) is None and _cli("uscc", good)[0]
    assert uscc_error(wrong) is not None and not _cli("uscc", wrong)[0]
    record = {**fact_row(3), "uscc": wrong}
    parsed = parse_facts(text_frame_from_records([record]))
    from django.utils import translation

    with translation.override("en"):
        assert parsed.errors[0].message_en == uscc_error(wrong)
    with translation.override("zh-hans"):
        assert parsed.errors[0].message_zh == uscc_error(wrong)


@pytest.mark.parametrize(("text", "expected"), [("12,000.50", Decimal("12000.50")), ("¥20000", Decimal("20000.00")),
                                                ("１２００", Decimal("1200.00")), ("1,5", None), ("1_000", None)])
def test_voucher_amounts_and_what_if_values_use_the_same_reading(text, expected):
    from decimal import InvalidOperation

    from techsme.core.errors import InvalidInput
    from techsme.incentives.views import _number
    from techsme.vouchers.services.common import parse_amount

    if expected is None:
        with pytest.raises(InvalidInput):
            parse_amount(text)
        with pytest.raises(InvalidOperation):
            _number(text, integral=False)
    else:
        assert parse_amount(text) == expected
        if not text.startswith("¥"):
            assert _number(text, integral=False) == expected
