"""techsme.parsing: one reading of numbers, dates, yes/no values and codes (pure Python, no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from techsme import parsing
from techsme.parsing import InputError

FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")


@pytest.mark.parametrize(("raw", "expected"), [
    ("1234.5", Decimal("1234.5")), (" 12 ", Decimal(12)), ("-7", Decimal(-7)), ("+5", Decimal(5)),
    (".5", Decimal("0.5")), ("5.", Decimal(5)), ("1,000", Decimal(1000)), ("1,000.00", Decimal("1000.00")),
    ("-1,234,567.89", Decimal("-1234567.89")), ("１２３", Decimal(123)), ("１，０００．５", Decimal("1000.5")),
    ("−3", Decimal(-3)), (0.1, Decimal("0.1")), (7, Decimal(7)), (Decimal("2.50"), Decimal("2.50")),
    ("", None), ("   ", None), (None, None),
])
def test_accepted_numbers(raw, expected):
    assert parsing.parse_decimal(raw) == expected


@pytest.mark.parametrize(("raw", "kind"), [
    ("1,5", "grouping"), ("12,34", "grouping"), ("1,0000", "grouping"), ("1,000,00", "grouping"), (",5", "grouping"),
    ("1.5E+07", "exponent"), ("2e3", "exponent"), ("1_000", "number"), ("1 000", "number"), ("¥100", "number"),
    ("30%", "number"), ("٣", "number"), ("abc", "number"), ("1.2.3", "number"), ("--1", "number"), (True, "number"),
    (float("nan"), "number"), (float("inf"), "number"), ("9" * 80, "number"),
])
def test_refused_numbers_say_why(raw, kind):
    with pytest.raises(InputError) as caught:
        parsing.parse_decimal(raw)
    assert caught.value.kind == kind
    assert caught.value.message_en and caught.value.message_zh


def test_decimal_comma_message_tells_what_to_write():
    with pytest.raises(InputError) as caught:
        parsing.parse_decimal("1,5")
    assert "1.5, not 1,5" in caught.value.message_en and "1.5" in caught.value.message_zh
    assert caught.value.message("en") == caught.value.message_en
    assert caught.value.message("zh-hans") == caught.value.message_zh


@given(st.integers(min_value=-10**15, max_value=10**15), st.integers(min_value=0, max_value=99))
def test_grouped_and_full_width_forms_read_as_the_plain_number(whole, cents):
    plain = f"{whole}.{cents:02d}"
    grouped = f"{whole:,}.{cents:02d}"
    expected = Decimal(plain)
    assert parsing.parse_decimal(plain) == expected
    assert parsing.parse_decimal(grouped) == expected
    assert parsing.parse_decimal(grouped.translate(FULL_WIDTH)) == expected


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=99))
def test_a_comma_before_fewer_than_three_digits_is_never_read(head, tail):
    text = f"{head},{tail}"  # 1,5 / 12,34 / 999,0: a decimal comma, never silently a thousand
    with pytest.raises(InputError):
        parsing.parse_decimal(text)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_spreadsheet_floats_keep_their_shortest_reading(value):
    assert float(parsing.parse_decimal(value)) == value


@pytest.mark.parametrize(("raw", "expected"), [
    ("1000", 1000), ("1,000", 1000), ("1000.0", 1000), (12.0, 12), ("", None),
])
def test_whole_numbers(raw, expected):
    assert parsing.parse_int(raw) == expected


def test_whole_numbers_refuse_fractions_and_bounds():
    with pytest.raises(InputError, match="whole number"):
        parsing.parse_int("1.5")
    with pytest.raises(InputError, match="too large"):
        parsing.parse_int("3000000000", maximum=2**31 - 1)


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("TRUE", True), ("no", False), ("Y", True), ("f", False), ("1", True), ("0", False),
    ("１", True), ("ｙｅｓ", True), ("1.0", True), (1, True), (0.0, False), (True, True), ("", None),
])
def test_yes_no(raw, expected):
    assert parsing.parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["perhaps", "2", "-1", "0.5", "有", 2])
def test_yes_no_refused(raw):
    with pytest.raises(InputError) as caught:
        parsing.parse_bool(raw)
    assert caught.value.kind == "bool"


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-03-01", dt.date(2024, 3, 1)), ("2024/3/1", dt.date(2024, 3, 1)), ("2024.03.01", dt.date(2024, 3, 1)),
    ("2024年3月1日", dt.date(2024, 3, 1)), ("２０２４-０３-０１", dt.date(2024, 3, 1)),
    (dt.datetime(2024, 3, 1), dt.date(2024, 3, 1)), (dt.date(2020, 2, 29), dt.date(2020, 2, 29)), ("", None),
])
def test_dates_year_first(raw, expected):
    assert parsing.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["01/03/2024", "3/1/2024", "2024-02-30", "2024-03/01", "20240301", 45000,
                                 dt.datetime(2024, 3, 1, 12, 30)])
def test_ambiguous_or_impossible_dates_are_refused(raw):
    with pytest.raises(InputError) as caught:
        parsing.parse_date(raw)
    assert caught.value.kind == "date"


def test_years_inside_the_window():
    assert parsing.parse_year("2024") == 2024 and parsing.parse_year(2023.0) == 2023
    for raw in ("1565", "2999", "-1", "0", "2024.5", "twenty"):
        with pytest.raises(InputError) as caught:
            parsing.parse_year(raw)
        assert caught.value.kind == "year" and "1990" in caught.value.message_en


def _uscc(serial: int) -> str:
    body = f"91440300{serial:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def test_uscc_is_compacted_and_checked():
    good = _uscc(12345)
    assert parsing.parse_uscc(f" {good[:6]}-{good[6:].lower()} ") == good
    assert parsing.parse_uscc(good.translate(FULL_WIDTH)) == good
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InputError) as caught:
        parsing.parse_uscc(wrong)
    assert caught.value.kind == "uscc_check"
    assert f"it should be {good[-1]}, not {wrong[-1]}" in caught.value.message_en
    for raw, kind in [(good[:-1], "uscc_length"), ("I" + good[1:], "uscc_format")]:
        with pytest.raises(InputError) as caught:
            parsing.parse_uscc(raw)
        assert caught.value.kind == kind


def test_region_and_industry_codes():
    assert parsing.parse_region_code(440305) == "440305" and parsing.parse_region_code(" 440305 ") == "440305"
    assert parsing.parse_industry_code("i6513") == "I6513"
    for raw in ("44030", "４４０３０５x", "44-03-05x"):
        with pytest.raises(InputError):
            parsing.parse_region_code(raw)
    for raw in ("6513", "Z6513", "I65"):
        with pytest.raises(InputError):
            parsing.parse_industry_code(raw)


def test_the_module_needs_no_django():
    import subprocess
    import sys

    code = ("import sys, techsme.parsing, techsme.spreadsheets\n"
            "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(__import__("pathlib").Path(
                                parsing.__file__).parents[1])})
    assert result.stdout.strip() == "False", result.stderr
