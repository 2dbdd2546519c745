"""Chinese patent numbers: application numbers and patent numbers (``ZL`` + application number) with their check
digit, and publication / grant numbers (``CN`` + digits + kind code), with messages that say what is wrong.

- Application number since 2003-10-01: year (4 digits), type (1 invention, 2 utility model, 3 design, 8 PCT invention
  entering China, 9 PCT utility model), serial (7 digits), a dot and the check character: ``201910123456.7``.
- Before 2003-10: year (2 digits), type, serial (5 digits), dot, check: ``99123456.2``.
- Check character: the digits weighted 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, … summed modulo 11; 10 is written ``X``.
- Publication and grant numbers carry no check digit: ``CN1123456789A``, ``CN209876543U``, ``CN1234567A``.

Input is normalised first (full-width characters, spaces, hyphens, lower case), so ``zl 2019 1012 3456.7`` is read.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

_APPLICATION = re.compile(r"^(?:ZL)?(\d{8}|\d{12})\.?([0-9X])$")
_PUBLICATION = re.compile(r"^CN(\d{7,9})([ABCUYS]\d?)$")
TYPES = {"1": "invention", "2": "utility_model", "3": "design", "8": "invention", "9": "utility_model"}


def normalise(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "").upper()
    return re.sub(r"[\s\-_/·]", "", text).replace("。", ".")


def check_character(body: str) -> str:
    weights = (2, 3, 4, 5, 6, 7, 8, 9)
    total = sum(int(c) * weights[i % 8] for i, c in enumerate(body))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def canonical(value: str) -> str:
    """The stored form: ``ZL`` + application number with its dot, or the publication number as given."""
    text = normalise(value)
    match = _APPLICATION.match(text)
    if match:
        return f"ZL{match.group(1)}.{match.group(2)}"
    return text


def patent_error(value: str) -> str | None:
    """None for a well-formed Chinese patent or application number with a correct check digit, else why not."""
    text = normalise(value)
    if not text:
        return _("Enter a patent or application number.")
    if text.startswith("CN"):
        if _PUBLICATION.match(text):
            return None
        return _("%(value)s is not a Chinese publication number (CN, 7 to 9 digits and a kind code such as A, B "
                 "or U).") % {"value": value}
    match = _APPLICATION.match(text)
    if not match:
        return _("%(value)s is not a Chinese patent application number: it has 8 or 12 digits, a dot and a check "
                 "character, e.g. 201910123456.7 (a patent number adds ZL in front).") % {"value": value}
    body, check = match.groups()
    kind = body[4] if len(body) == 12 else body[2]
    if kind not in TYPES:
        return _("%(value)s: the patent type digit %(digit)s is none of 1, 2, 3, 8 or 9.") % {
            "value": value, "digit": kind}
    expected = check_character(body)
    if check != expected:
        return _("%(value)s: the check character should be %(expected)s, not %(given)s — a digit was probably "
                 "mistyped.") % {"value": value, "expected": expected, "given": check}
    return None


def parse_list(text: str) -> tuple[list[str], list[str]]:
    """Numbers separated by commas, semicolons or new lines → (canonical numbers, error messages)."""
    numbers: list[str] = []
    errors: list[str] = []
    for raw in re.split(r"[,;，；、\n]+", text or ""):
        if not raw.strip():
            continue
        if message := patent_error(raw):
            errors.append(message)
        elif (number := canonical(raw)) not in numbers:
            numbers.append(number)
    return numbers, errors
