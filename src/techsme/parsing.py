"""One reading of the values people type or paste: numbers, years, dates, yes/no values and codes (pure Python).

Every entry point uses these functions — the web forms and imports and the API (through
``registry.facts_fields.parse_value``) and the command line (``techsme assess``, through ``rules.facts_io``) — so a
cell means the same everywhere or is refused everywhere. The accepted formats (documented in ``docs/registry.md``):

- numbers: ASCII digits with an optional sign and decimal point (``-1234.5``, ``.5``); commas only as thousands
  separators in groups of three before the point (``1,234,567.89``); full-width digits, comma, point and signs
  (``１２３``, ``１，０００．５``) are read as their ASCII forms. Refused with a message saying why: a decimal comma or
  any other grouping (``1,5``, ``12,34``, ``1,0000``), scientific notation (``1.5E+07`` — a spreadsheet rounds such
  numbers), ``1_000``, inner spaces, currency signs, per cent signs and digits of other scripts (``٣``).
- yes/no: true/false, t/f, yes/no, y/n, 1/0, 是/否 (any case, full-width too) and the spreadsheet's own booleans.
- dates: year first — ``2024-03-01``, ``2024/3/1``, ``2024.3.1``, ``2024年3月1日`` — and spreadsheet dates (at
  midnight). Day-first or month-first forms (``01/03/2024``) are refused: they are ambiguous.
- years: whole numbers between ``YEAR_MIN`` and ``YEAR_MAX``.
- USCC (GB 32100-2015): spaces and hyphens are dropped and letters upper-cased; 18 characters, the first eight
  digits, the alphabet without I, O, S, V, Z, and the check character must be right.
- region codes: six ASCII digits; industry codes: a section letter and four digits (upper-cased).

An error is an ``InputError`` carrying a kind, the raw value and its message in English and Chinese; Django code
shows it in the active language (``core.values``), the command line writes both.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any, ClassVar

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

YEAR_MIN, YEAR_MAX = 1990, 2100
MAX_TEXT = 64  # longer text is never a number, date or code (and is not parsed at all)


class InputError(ValueError):
    """A value (or file) that cannot be read; ``kind`` names the rule, ``params`` fill its message."""

    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "number": ("“{value}” is not a number.", "“{value}”不是有效数字。"),
        "grouping": ("“{value}”: a comma may only separate thousands (1,234,567.89); for a decimal write a point "
                     "(1.5, not 1,5).",
                     "“{value}”：逗号只能作千位分隔符（如1,234,567.89）；小数请用小数点（写1.5而不是1,5）。"),
        "exponent": ("“{value}” is in scientific notation; write the number in full.",
                     "“{value}”是科学计数法，请写出完整数字。"),
        "whole": ("“{value}” must be a whole number.", "“{value}”应为整数。"),
        "too_large": ("“{value}” is too large.", "“{value}”数值过大。"),
        "bool": ("“{value}” is not a yes/no value (true/false, 1/0, yes/no, 是/否).",
                 "“{value}”不是有效的是/否值（true/false、1/0、yes/no、是/否）。"),
        "date": ("“{value}” is not a date with the year first (2024-03-01, 2024/3/1 or 2024年3月1日).",
                 "“{value}”不是年份在前的日期（如2024-03-01、2024/3/1或2024年3月1日）。"),
        "year": ("“{value}” is not a year between {lo} and {hi}.", "“{value}”不是{lo}至{hi}之间的年份。"),
        "uscc_length": ("A USCC has 18 characters; this one has {n}.", "统一社会信用代码应为18位，此处为{n}位。"),
        "uscc_format": ("A USCC uses only digits and the letters ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z), and its "
                        "first eight characters are digits.",
                        "统一社会信用代码只能由数字和字母ABCDEFGHJKLMNPQRTUWXY组成（不含I、O、S、V、Z），且前八位为数字。"),
        "uscc_check": ("The check character is wrong: it should be {expected}, not {got}.",
                       "校验码错误：应为{expected}，而不是{got}。"),
        "uscc_component": ("The registration authority or entity type code is not valid.",
                           "登记管理部门代码或机构类别代码无效。"),
        "region": ("“{value}” is not a region code: a region code has six digits (GB/T 2260), e.g. 440305.",
                   "“{value}”不是行政区划代码：行政区划代码为六位数字（GB/T 2260），如440305。"),
        "industry": ("“{value}” is not an industry code: a section letter and four digits (GB/T 4754-2017), "
                     "e.g. I6513.", "“{value}”不是行业代码：应为门类字母加四位数字（GB/T 4754-2017），如I6513。"),
    }

    def __init__(self, kind: str, value: Any = None, **params: Any) -> None:
        self.kind, self.value, self.params = kind, value, params
        super().__init__(self.message_en)

    def _format(self, template: str) -> str:
        shown = _shown(self.value)
        return template.format(value=shown, **self.params)

    @property
    def message_en(self) -> str:
        return self._format(self.MESSAGES[self.kind][0])

    @property
    def message_zh(self) -> str:
        return self._format(self.MESSAGES[self.kind][1])

    def message(self, language: str | None) -> str:
        """The message in ``language`` (a Django language code; Chinese unless it is English)."""
        return self.message_en if (language or "").lower().startswith("en") else self.message_zh


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


# Full-width forms an input method produces, and the minus sign of typeset text, read as ASCII.
_ASCII_FORMS = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {"，": ",", "．": ".", "－": "-", "＋": "+", "\u2212": "-", "＿": "_"}
)
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_COMMAS = re.compile(r"[+-]?[\d,]*\d[\d,]*(?:\.\d+)?", re.ASCII)
_EXPONENT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII)


def _text(raw: Any) -> str:
    """The cell as stripped text with full-width forms made ASCII ("" for empty)."""
    return str(raw).strip().translate(_ASCII_FORMS)


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def parse_decimal(raw: Any) -> Decimal | None:
    """A number as an exact ``Decimal`` (None for an empty cell); see the module docstring for the formats."""
    if is_empty(raw):
        return None
    if isinstance(raw, bool):
        raise InputError("number", raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise InputError("number", raw)
        return Decimal(repr(raw))  # the shortest text that reads back as this float, not its binary expansion
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise InputError("number", raw)
        return raw
    text = _text(raw)
    if len(text) > MAX_TEXT:
        raise InputError("number", raw)
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    if _COMMAS.fullmatch(text):
        raise InputError("grouping", raw)
    if _EXPONENT.fullmatch(text):
        raise InputError("exponent", raw)
    raise InputError("number", raw)


def parse_int(raw: Any, *, maximum: int | None = None) -> int | None:
    """A whole number (``1,000`` and ``1000.0`` are 1000); None for empty; ``maximum`` bounds its absolute value."""
    number = parse_decimal(raw)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise InputError("whole", raw)
    if maximum is not None and abs(number) > maximum:
        raise InputError("too_large", raw)
    return int(number)


def parse_year(raw: Any, *, lo: int = YEAR_MIN, hi: int = YEAR_MAX) -> int | None:
    """A year between ``lo`` and ``hi``; None for empty."""
    try:
        number = parse_decimal(raw)
    except InputError:
        raise InputError("year", raw, lo=lo, hi=hi) from None
    if number is None:
        return None
    if number != number.to_integral_value() or not lo <= number <= hi:
        raise InputError("year", raw, lo=lo, hi=hi)
    return int(number)


TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "是"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "否"})


def parse_bool(raw: Any) -> bool | None:
    """A yes/no value; None for empty. Numbers are yes/no only when they are exactly 1 or 0."""
    if is_empty(raw):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = unicodedata.normalize("NFKC", raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        if not _PLAIN.fullmatch(word):
            raise InputError("bool", raw)
    try:
        number = parse_decimal(raw)
    except InputError:
        raise InputError("bool", raw) from None
    if number in (0, 1):
        return number == 1
    raise InputError("bool", raw)


_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日", re.ASCII)


def parse_date(raw: Any) -> dt.date | None:
    """A calendar date, year first; None for empty. A date-time counts only at midnight."""
    if is_empty(raw):
        return None
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0):
            raise InputError("date", raw)
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        raise InputError("date", raw)
    text = _text(raw)
    if match := _DATE.fullmatch(text):
        year, month, day = match.group(1), match.group(3), match.group(4)
    elif match := _CHINESE_DATE.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise InputError("date", raw)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise InputError("date", raw) from None


def compact_code(raw: Any) -> str:
    """A code as typed, made comparable: full-width forms to ASCII, spaces and hyphens dropped, upper case."""
    if raw is None:
        return ""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"[\s\-]", "", text).upper()


def uscc_problem(code: str) -> InputError | None:
    """None when ``code`` (compacted) is a valid USCC, else the error saying what is wrong."""
    try:
        stdnum_uscc.validate(code)
    except InvalidLength:
        return InputError("uscc_length", code, n=len(code))
    except InvalidFormat:
        return InputError("uscc_format", code)
    except InvalidChecksum:
        return InputError("uscc_check", code, expected=stdnum_uscc.calc_check_digit(code[:17]), got=code[-1])
    except InvalidComponent:
        return InputError("uscc_component", code)
    return None


def parse_uscc(raw: Any) -> str | None:
    """The compacted USCC; None for empty; ``InputError`` when it is not a valid one."""
    if is_empty(raw):
        return None
    code = compact_code(raw)
    if len(code) > MAX_TEXT:
        raise InputError("uscc_length", raw, n=len(code))
    if problem := uscc_problem(code):
        raise problem
    return code


_REGION = re.compile(r"\d{6}", re.ASCII)
_INDUSTRY = re.compile(r"[A-T]\d{4}", re.ASCII)


def parse_region_code(raw: Any) -> str | None:
    """Six ASCII digits (whether the region exists is checked against the reference data by the caller)."""
    if is_empty(raw):
        return None
    code = compact_code(raw)
    if not _REGION.fullmatch(code):
        raise InputError("region", raw)
    return code


def parse_industry_code(raw: Any) -> str | None:
    """A GB/T 4754 section letter and four digits, upper-cased (existence is checked by the caller)."""
    if is_empty(raw):
        return None
    code = compact_code(raw)
    if not _INDUSTRY.fullmatch(code):
        raise InputError("industry", raw)
    return code
