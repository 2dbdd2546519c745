"""The parameter files: format checks with file and line in the error, the tree, listings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from techsme.rules import ParameterFileError, parameter_listing, parameters
from techsme.rules.parameter_loader import load_parameter_file, load_parameter_tree

GOOD = """\
description: A test value.
metadata:
  unit: /1
  label: {en: Test, zh: 测试}
values:
  2020-01-01:
    value: 0.5
    reference: {document: 财税〔2015〕119号, article: 第一条}
  2021-01-01:
    value: 0.75
    reference: {document: 财税〔2018〕99号, article: 第一条}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "test" / "value.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> ParameterFileError:
    path = _write(tmp_path, text)
    with pytest.raises(ParameterFileError) as info:
        load_parameter_file(path, tmp_path)
    assert str(path) in str(info.value)
    return info.value


def test_good_file_loads(tmp_path: Path) -> None:
    parameter = load_parameter_file(_write(tmp_path, GOOD), tmp_path)
    assert parameter.path == "test.value"
    assert parameter.series is not None
    assert parameter.series.value_at(dt.date(2020, 6, 1)) == 0.5
    assert parameter.series.value_at(dt.date(2019, 6, 1)) is None


def test_value_without_reference_is_refused_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("    reference: {document: 财税〔2018〕99号, article: 第一条}\n", "")
    error = _error(tmp_path, text)
    assert error.line == 10
    assert "reference" in str(error)


def test_reference_without_article_is_refused(tmp_path: Path) -> None:
    old, new = "{document: 财税〔2018〕99号, article: 第一条}", "{document: 财税〔2018〕99号}"
    error = _error(tmp_path, GOOD.replace(old, new))
    assert "article" in str(error)


def test_empty_document_is_refused(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("document: 财税〔2018〕99号", "document: ''"))
    assert error.line == 11


def test_unknown_key_is_refused_with_its_line(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("  unit: /1\n", "  unit: /1\n  colour: blue\n"))
    assert error.line == 4
    assert "colour" in str(error)


def test_unknown_key_in_a_dated_value(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("    value: 0.75\n", "    value: 0.75\n    valeu: 1\n"))
    assert error.line == 11
    assert "valeu" in str(error)


def test_unsorted_dates_are_refused_with_the_line_of_the_later_date(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("2021-01-01", "2019-01-01"))
    assert error.line == 9
    assert "increasing" in str(error)


def test_duplicate_dates_are_refused(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("2021-01-01", "2020-01-01"))
    assert error.line == 9


def test_not_a_date_is_refused(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("2021-01-01", "someday"))
    assert error.line == 9


def test_text_value_is_refused(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("value: 0.75", "value: lots"))
    assert "number" in str(error)


def test_bracket_amount_without_reference(tmp_path: Path) -> None:
    text = """\
description: A scale.
metadata: {unit: points, label: {en: S, zh: 分}}
brackets:
  - threshold:
      2020-01-01: {value: 0, reference: {document: D, article: A}}
    amount:
      2020-01-01: {value: 1}
"""
    error = _error(tmp_path, text)
    assert error.line == 7


def test_null_ends_a_measure(tmp_path: Path) -> None:
    text = GOOD.replace("value: 0.75", "value: null")
    parameter = load_parameter_file(_write(tmp_path, text), tmp_path)
    assert parameter.value_at(dt.date(2022, 1, 1)) is None


def test_shipped_parameters_all_load_and_cite() -> None:
    tree = load_parameter_tree()
    assert len(tree.paths()) >= 60
    for parameter in tree.parameters.values():
        for _sub, entry in parameter.all_entries():
            assert entry.reference.document.strip()
            assert entry.reference.article.strip()
        assert parameter.last_value_still_valid_on is not None


def test_tree_access_by_attribute_and_path() -> None:
    at = parameters(at=dt.date(2023, 6, 30))
    assert at.eit.rate.standard == 0.25
    assert at["rd.rate.general"] == 1.0
    assert at.techsme.score.tech_staff.calc(0.25) == 16
    assert parameters(at=dt.date(2019, 6, 30)).rd.rate.ic_machine_tool is None


@pytest.mark.parametrize(
    ("path", "day", "value"),
    [
        ("rd.rate.general", dt.date(2017, 12, 31), 0.5),
        ("rd.rate.general", dt.date(2018, 1, 1), 0.75),
        ("rd.rate.general", dt.date(2023, 1, 1), 1.0),
        ("rd.rate.tech_sme", dt.date(2019, 12, 31), 0.75),
        ("rd.rate.tech_sme", dt.date(2020, 6, 30), None),
        ("rd.rate.tech_sme", dt.date(2022, 1, 1), 1.0),
        ("rd.rate.manufacturing", dt.date(2021, 1, 1), 1.0),
        ("rd.rate.q4_2022", dt.date(2022, 10, 1), 1.0),
        ("rd.rate.q4_2022", dt.date(2023, 1, 1), None),
        ("rd.rate.ic_machine_tool", dt.date(2027, 12, 31), 1.2),
        ("rd.rate.ic_machine_tool", dt.date(2028, 1, 1), None),
        ("vc.startup.max_headcount", dt.date(2018, 12, 31), 200),
        ("vc.startup.max_headcount", dt.date(2019, 1, 1), 300),
        ("eit.tech_transfer.exempt_amount", dt.date(2024, 1, 1), 5_000_000),
        ("local.six_taxes_two_fees.payable_share", dt.date(2023, 1, 1), 0.5),
        ("local.six_taxes_two_fees.payable_share", dt.date(2028, 1, 1), None),
    ],
)
def test_dated_values(path: str, day: dt.date, value: float | None) -> None:
    assert parameters(at=day)[path] == value


def test_unconfirmed_values_are_flagged() -> None:
    tree = load_parameter_tree()
    # 国税发〔2008〕116号's treatment of commissioned R&D (article not checked) is unconfirmed; 财税〔2015〕119号 is not
    assert tree.get("rd.commissioned.share").is_unconfirmed_at(dt.date(2012, 6, 1))
    assert not tree.get("rd.commissioned.share").is_unconfirmed_at(dt.date(2016, 6, 1))
    assert tree.get("techsme.direct_routes.enabled").is_unconfirmed_at(dt.date(2023, 1, 1))
    assert tree.get("local.six_taxes_two_fees.payable_share").is_unconfirmed_at(dt.date(2019, 12, 31))
    assert not tree.get("local.six_taxes_two_fees.payable_share").is_unconfirmed_at(dt.date(2023, 12, 31))
    assert not tree.get("eit.small_low_profit.effective_rate").is_unconfirmed_at(dt.date(2021, 12, 31))


def test_parameter_listing() -> None:
    listing = {item["path"]: item for item in parameter_listing(dt.date(2023, 12, 31))}
    general = listing["rd.rate.general"]
    assert general["value"] == 1.0
    assert general["label"]["zh"]
    assert [h["effective_date"] for h in general["history"]] == ["2016-01-01", "2018-01-01", "2021-01-01", "2023-01-01"]
    assert all(h["reference"]["document"] for h in general["history"])
    assert "rd_rate_by_category" in general["used_by"]
    assert listing["eit.small_low_profit.effective_rate"]["value"][1]["threshold"] == 1_000_000
    assert listing["techsme.direct_routes.enabled"]["unconfirmed"] is True
