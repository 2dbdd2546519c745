"""Load and validate the YAML parameter files (one file per parameter, folders = path segments)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from techsme.rules.errors import ParameterFileError
from techsme.rules.parameter_model import (
    Bracket,
    DatedValue,
    Parameter,
    ParameterTree,
    Reference,
    Series,
)
from techsme.rules.yaml_lines import LineDict, load_yaml_with_lines

PARAMETERS_DIR = Path(__file__).parent / "parameters"

TOP_KEYS = {"description", "metadata", "values", "brackets", "last_value_still_valid_on", "documentation"}
METADATA_KEYS = {"unit", "label", "unconfirmed", "threshold_unit", "type"}
LABEL_KEYS = {"en", "zh"}
BRACKET_KEYS = {"threshold", "amount", "strict"}
VALUE_KEYS = {"value", "reference", "unconfirmed"}
REFERENCE_KEYS = {"document", "article", "href", "title", "note"}
SCALE_TYPES = {"single_amount", "marginal_rate"}


class _FileChecker:
    """Validation helpers that know which file they are reading."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int, message: str) -> ParameterFileError:
        return ParameterFileError(str(self.path), line, message)

    def mapping(self, node: Any, line: int, what: str) -> LineDict:
        if not isinstance(node, LineDict):
            raise self.fail(line, f"{what} must be a mapping")
        return node

    def keys(self, node: LineDict, allowed: set[str], required: set[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                raise self.fail(node.key_lines[key], f"unknown key {key!r} in {what} (allowed: {sorted(allowed)})")
        for key in sorted(required - set(node)):
            raise self.fail(node.line, f"{what} lacks required key {key!r}")

    def series(self, node: Any, line: int, what: str) -> Series:
        node = self.mapping(node, line, what)
        entries: list[DatedValue] = []
        previous: dt.date | None = None
        for key, raw in node.items():
            key_line = node.key_lines[key]
            try:
                start = dt.date.fromisoformat(key)
            except ValueError:
                raise self.fail(key_line, f"{key!r} in {what} is not an ISO date") from None
            if previous is not None and start <= previous:
                raise self.fail(key_line, f"dates in {what} must be increasing: {key} after {previous}")
            previous = start
            entries.append(self.dated_value(start, raw, key_line, f"{what} {key}"))
        if not entries:
            raise self.fail(node.line, f"{what} has no dated value")
        return Series(tuple(entries))

    def dated_value(self, start: dt.date, raw: Any, line: int, what: str) -> DatedValue:
        if not isinstance(raw, LineDict):
            raise self.fail(line, f"{what}: a dated value must be a mapping with 'value' and 'reference'")
        self.keys(raw, VALUE_KEYS, {"value", "reference"}, what)
        value = raw["value"]
        if not (value is None or isinstance(value, int | float | list)):
            raise self.fail(raw.key_lines["value"], f"{what}: value must be a number, a list or null")
        reference = self.reference(raw["reference"], raw.key_lines["reference"], what)
        unconfirmed = raw.get("unconfirmed", False)
        if not isinstance(unconfirmed, bool):
            raise self.fail(raw.key_lines["unconfirmed"], f"{what}: unconfirmed must be true/false")
        return DatedValue(start, value, reference, unconfirmed)

    def reference(self, raw: Any, line: int, what: str) -> Reference:
        if not isinstance(raw, LineDict):
            raise self.fail(line, f"{what}: reference must be a mapping with 'document' and 'article'")
        self.keys(raw, REFERENCE_KEYS, {"document", "article"}, f"{what} reference")
        for key in ("document", "article"):
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise self.fail(raw.key_lines[key], f"{what}: reference {key} must be a non-empty text")
        return Reference(**{k: str(v) for k, v in raw.items()})


def load_parameter_file(path: Path, root: Path = PARAMETERS_DIR) -> Parameter:
    """Read one parameter file; raise `ParameterFileError` (file:line: message) on any format error."""
    check = _FileChecker(path)
    try:
        doc = load_yaml_with_lines(path)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise check.fail(line, f"invalid YAML: {exc.problem}") from None
    doc = check.mapping(doc, 1, "the file")
    check.keys(doc, TOP_KEYS, {"description", "metadata"}, "the file")
    if ("values" in doc) == ("brackets" in doc):
        raise check.fail(doc.line, "a parameter has either 'values' or 'brackets', not both or neither")
    meta = check.mapping(doc["metadata"], doc.key_lines["metadata"], "metadata")
    check.keys(meta, METADATA_KEYS, {"unit", "label"}, "metadata")
    label = check.mapping(meta["label"], meta.key_lines["label"], "label")
    check.keys(label, LABEL_KEYS, LABEL_KEYS, "label")
    scale_type = meta.get("type", "single_amount")
    if scale_type not in SCALE_TYPES:
        raise check.fail(meta.key_lines["type"], f"unknown scale type {scale_type!r}")
    stamp = doc.get("last_value_still_valid_on")
    if stamp is not None:
        try:
            stamp = dt.date.fromisoformat(str(stamp))
        except ValueError:
            line = doc.key_lines["last_value_still_valid_on"]
            raise check.fail(line, "last_value_still_valid_on is not a date") from None
    series: Series | None = None
    brackets: list[Bracket] = []
    if "values" in doc:
        series = check.series(doc["values"], doc.key_lines["values"], "values")
    else:
        raw_brackets = doc["brackets"]
        if not isinstance(raw_brackets, list) or not raw_brackets:
            raise check.fail(doc.key_lines["brackets"], "brackets must be a non-empty list")
        for i, raw in enumerate(raw_brackets):
            raw = check.mapping(raw, doc.key_lines["brackets"], f"bracket {i}")
            check.keys(raw, BRACKET_KEYS, {"threshold", "amount"}, f"bracket {i}")
            brackets.append(
                Bracket(
                    threshold=check.series(raw["threshold"], raw.key_lines["threshold"], f"bracket {i} threshold"),
                    amount=check.series(raw["amount"], raw.key_lines["amount"], f"bracket {i} amount"),
                    strict=bool(raw.get("strict", False)),
                )
            )
    relative = path.relative_to(root).with_suffix("")
    return Parameter(
        path=".".join(relative.parts),
        description=str(doc["description"]),
        unit=str(meta["unit"]),
        label_en=str(label["en"]),
        label_zh=str(label["zh"]),
        unconfirmed=bool(meta.get("unconfirmed", False)),
        last_value_still_valid_on=stamp,
        source_file=str(path),
        series=series,
        brackets=tuple(brackets),
        scale_type=scale_type,
        threshold_unit=meta.get("threshold_unit"),
    )


def load_parameter_tree(root: Path = PARAMETERS_DIR) -> ParameterTree:
    """Load every `*.yaml` under `root` into a tree."""
    parameters = {}
    for path in sorted(root.rglob("*.yaml")):
        parameter = load_parameter_file(path, root)
        parameters[parameter.path] = parameter
    return ParameterTree(parameters)


@lru_cache(maxsize=1)
def baseline_tree() -> ParameterTree:
    """The shipped parameters (loaded once per process)."""
    return load_parameter_tree()
