"""Spreadsheet cell safety, shared by every writer of CSV/XLSX files (pure Python: the rules engine uses it too).

A text cell starting with = + - @ tab or CR would be evaluated as a formula by the spreadsheet program that opens
the file (CSV/formula injection); ``safe_cell`` prefixes it with ``'`` so it is shown as text.
"""

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The same test as ``_needs_quote`` for vectorised writers (polars): optional quotes, then a formula prefix.
NEEDS_QUOTE_PATTERN = r"^'*[=+\-@\t\r]"
_NEEDS_QUOTE = re.compile(NEEDS_QUOTE_PATTERN)


def _needs_quote(text: str) -> bool:
    # Text a spreadsheet would evaluate, or text that would read back as an escaped one ("'=x" is itself quoted).
    return bool(_NEEDS_QUOTE.match(text))


def safe_cell(value: Any) -> Any:
    """``value`` made harmless for a spreadsheet: text starting with = + - @ tab or CR gets a leading ``'``."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """The inverse of ``safe_cell`` (used by imports so that an exported file imports back unchanged)."""
    if isinstance(value, str) and value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value
