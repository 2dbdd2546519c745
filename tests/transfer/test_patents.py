"""Chinese patent and application numbers: check characters, formats, normalisation, clear messages."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsme.transfer.patents import canonical, check_character, parse_list, patent_error


@pytest.mark.parametrize("body", ["201910123456", "202120345678", "200310000001", "99123456", "201880012345"])
def test_a_number_with_its_own_check_character_is_accepted(body):
    number = f"{body}.{check_character(body)}"
    assert patent_error(number) is None
    assert patent_error("ZL" + number) is None
    assert canonical(number) == f"ZL{number}"


def test_check_character_ten_is_written_x():
    bodies = [f"2019101{n:05d}" for n in range(200)]
    with_x = [b for b in bodies if check_character(b) == "X"]
    assert with_x, "some body in 200 has remainder 10"
    assert patent_error(f"{with_x[0]}.X") is None
    assert patent_error(f"{with_x[0]}.0") is not None


def test_messages_say_what_is_wrong():
    body = "201910123456"
    wrong = "0" if check_character(body) != "0" else "1"
    message = patent_error(f"ZL{body}.{wrong}")
    assert f"should be {check_character(body)}" in message
    assert "type digit 5" in patent_error("201950123456.1")
    assert "8 or 12 digits" in patent_error("ZL2019101234")
    assert patent_error("") == "Enter a patent or application number."


def test_normalisation_of_full_width_spaces_and_case():
    body = "201910123456"
    check = check_character(body)
    assert patent_error(f"ｚｌ 2019 1012 3456。{check}") is None
    assert canonical(f"zl2019-1012-3456.{check}") == f"ZL{body}.{check}"


def test_publication_numbers_have_a_kind_code():
    assert patent_error("CN112345678A") is None
    assert patent_error("CN209876543U") is None
    assert patent_error("CN1234567A") is None
    assert patent_error("CN12345678") is not None


def test_parse_list_collects_numbers_and_errors():
    good = f"201910123456.{check_character('201910123456')}"
    numbers, errors = parse_list(f"{good}，CN112345678A\n{good}；2019101")
    assert numbers == [f"ZL{good}", "CN112345678A"]
    assert len(errors) == 1


@given(st.from_regex(r"20[0-2][0-9][12389][0-9]{7}", fullmatch=True), st.integers(0, 11), st.integers(1, 9))
def test_any_single_digit_change_is_caught(body, position, delta):
    number = f"{body}.{check_character(body)}"
    assert patent_error(number) is None
    changed = body[:position] + str((int(body[position]) + delta) % 10) + body[position + 1:]
    if changed[4] in "12389":
        assert patent_error(f"{changed}.{check_character(body)}") is not None
