"""GB/T 2260 administrative divisions: province (2 digits), city (4), county-level (6)."""

from dataclasses import dataclass
from functools import cache

from techsme.refdata._files import read_rows


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # 2, 4 or 6 digits
    name: str
    level: str  # "province" | "city" | "county"
    parent: str | None

    @property
    def code6(self) -> str:
        return self.code.ljust(6, "0")


@cache
def regions() -> dict[str, Region]:
    """Every shipped region by its short code (``44``, ``4403``, ``440305``)."""
    out: dict[str, Region] = {}
    for row in read_rows("provinces.csv"):
        out[row["code"]] = Region(row["code"], row["name"], "province", None)
    for row in read_rows("cities.csv"):
        out[row["code"]] = Region(row["code"], row["name"], "city", row["provinceCode"])
    for row in read_rows("areas.csv"):
        out[row["code"]] = Region(row["code"], row["name"], "county", row["cityCode"])
    return out


def region(code: str) -> Region | None:
    """The region for a short (2/4/6-digit) or padded six-digit code such as ``440000``."""
    code = (code or "").strip()
    found = regions().get(code)
    if found is None and len(code) == 6:
        if code.endswith("0000"):
            found = regions().get(code[:2])
        elif code.endswith("00"):
            found = regions().get(code[:4])
    return found


def is_county_region(code: str) -> bool:
    """True for a six-digit county-level code in the shipped snapshot."""
    found = regions().get((code or "").strip())
    return found is not None and found.level == "county"


def province_of(code: str) -> str:
    return (code or "")[:2]


def region_name(code: str) -> str:
    """Full name, e.g. ``广东省 深圳市 南山区``; the code itself when unknown."""
    parts = []
    for length in (2, 4, 6):
        if len(code) >= length and (found := regions().get(code[:length])) and found.name != "市辖区":
            parts.append(found.name)
    return " ".join(parts) or code
