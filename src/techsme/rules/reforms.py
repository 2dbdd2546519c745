"""Reforms are data: `{parameter path: {effective date: value}}`, applied to a copy of the tree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from techsme.rules.errors import RulesError, UnknownParameterError
from techsme.rules.parameter_model import Parameter, ParameterTree

Reform = Mapping[str, Mapping[dt.date | str, Any]]

_BRACKET_PATH = re.compile(r"^(?P<path>[\w.]+)\[(?P<index>\d+)\]\.(?P<part>threshold|amount)$")


def _as_date(key: dt.date | str) -> dt.date:
    if isinstance(key, dt.date):
        return key
    try:
        return dt.date.fromisoformat(str(key))
    except ValueError:
        raise RulesError(f"reform date {key!r} is not an ISO date") from None


def _reform_parameter(parameter: Parameter, part: tuple[int, str] | None, changes: Mapping[Any, Any]) -> Parameter:
    for key in sorted(changes, key=_as_date):
        start, value = _as_date(key), changes[key]
        if value is not None and not isinstance(value, int | float):
            raise RulesError(f"reform value for {parameter.path} on {start} must be a number or null")
        if part is None:
            if parameter.series is None:
                raise RulesError(f"{parameter.path} is a scale: address a bracket as {parameter.path}[i].amount")
            parameter = dataclasses.replace(parameter, series=parameter.series.with_value_from(start, value))
        else:
            index, name = part
            if index >= len(parameter.brackets):
                raise UnknownParameterError(f"{parameter.path} has no bracket {index}")
            brackets = list(parameter.brackets)
            bracket = brackets[index]
            series = getattr(bracket, name).with_value_from(start, value)
            brackets[index] = dataclasses.replace(bracket, **{name: series})
            parameter = dataclasses.replace(parameter, brackets=tuple(brackets))
    return parameter


def apply_reform(tree: ParameterTree, reform: Reform | None) -> ParameterTree:
    """Return a new tree with the reform applied; `tree` is left untouched.

    Each `{date: value}` sets the value from that date on (later dated values are replaced); `None` ends a measure.
    Bracket values are addressed as `path[i].threshold` / `path[i].amount`.
    """
    if not reform:
        return tree
    parameters = dict(tree.parameters)
    for raw_path, changes in reform.items():
        match = _BRACKET_PATH.match(raw_path)
        path, part = (match["path"], (int(match["index"]), match["part"])) if match else (raw_path, None)
        if path not in parameters:
            raise UnknownParameterError(f"unknown parameter {path!r} in reform")
        parameters[path] = _reform_parameter(parameters[path], part, changes)
    return ParameterTree(parameters)
