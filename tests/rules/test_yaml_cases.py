"""Every YAML case under tests/rules/cases/ is one test."""

from __future__ import annotations

from typing import Any

import pytest
from rules_case_runner import load_cases, run_case

CASES = load_cases()


def test_there_are_many_cases() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_case(case_id: str, case: dict[str, Any]) -> None:
    problems = run_case(case)
    assert not problems, f"{case_id}: " + "; ".join(problems)
