"""GB/T 4754-2017 industry classification; the project's code form is section letter + 4-digit class (``I6513``)."""

import re
from dataclasses import dataclass
from functools import cache

from techsme.refdata._files import read_rows

CODE_PATTERN = re.compile(r"^[A-T]\d{4}$")


@dataclass(frozen=True, slots=True)
class IndustryClass:
    code: str  # e.g. "I6513"
    section: str  # "I"
    division: str  # "65"
    group: str  # "651"
    name: str
    section_name: str
    division_name: str


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, IndustryClass]]:
    sections: dict[str, str] = {}
    divisions: dict[str, str] = {}
    raw_classes: list[dict[str, str]] = []
    for row in read_rows("gbt4754-2017.csv"):
        if row["level"] == "1":
            sections[row["code"]] = row["name"]
        elif row["level"] == "2":
            divisions[row["code"]] = row["name"]
        elif row["level"] == "4":
            raw_classes.append(row)
    classes = {}
    for row in raw_classes:
        code = row["section"] + row["code"]
        classes[code] = IndustryClass(
            code=code,
            section=row["section"],
            division=row["code"][:2],
            group=row["code"][:3],
            name=row["name"],
            section_name=sections[row["section"]],
            division_name=divisions.get(row["code"][:2], ""),
        )
    return sections, divisions, classes


def industry_sections() -> dict[str, str]:
    return dict(_tables()[0])


def industry_classes() -> dict[str, IndustryClass]:
    return _tables()[2]


def industry_class(code: str) -> IndustryClass | None:
    """The class for ``I6513``; None for a malformed code or one not in the shipped table."""
    code = (code or "").strip().upper()
    if not CODE_PATTERN.match(code):
        return None
    return _tables()[2].get(code)


def is_valid_industry(code: str) -> bool:
    return industry_class(code) is not None
