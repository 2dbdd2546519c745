"""Importing this package registers every variable with the engine."""

from techsme.rules.variables import (  # noqa: F401
    eit,
    hnte,
    industry,
    inputs,
    other_incentives,
    rd_deduction,
    techsme,
    venture_capital,
)
