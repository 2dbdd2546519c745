"""Half-up rounding to the fen, only when written."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from techsme.rules.money import money_text, money_texts, round_money


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.125, "0.13"), (1.005, "1.01"), (2.675, "2.68"), (-0.125, "-0.13"), (987654321.55, "987654321.55"),
     (0.0, "0.00"), (1e-9, "0.00"), (123456789012.345, "123456789012.35"), (0.115, "0.12")],
)
def test_half_up(value: float, text: str) -> None:
    assert money_text(value) == text
    assert money_texts(np.array([value])) == [text]
    assert round_money(value) == Decimal(text)


def test_unknown_stays_unknown() -> None:
    assert money_text(float("nan")) is None
    assert money_texts(np.array([np.nan, 1.0])) == [None, "1.00"]
