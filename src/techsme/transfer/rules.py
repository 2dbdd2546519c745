"""The technology-contract registration rules as data (``data/contract_rules.yaml``): categories and subtypes of the
Civil Code, the registration deadlines and the tax reliefs a registered contract supports. Nothing here is coded
into ``if`` statements elsewhere: services and pages read these tables."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language

DATA = Path(__file__).with_name("data") / "contract_rules.yaml"


@dataclass(frozen=True)
class Subtype:
    code: str
    zh: str
    en: str
    needs_patent: bool = False
    exclusive: bool = False


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    civil_code: str
    subtypes: dict[str, Subtype]
    tax: tuple[str, ...]


@cache
def _raw() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@cache
def categories() -> dict[str, Category]:
    out = {}
    for code, row in _raw()["categories"].items():
        subtypes = {
            key: Subtype(key, sub["zh"], sub["en"], bool(sub.get("needs_patent")), bool(sub.get("exclusive")))
            for key, sub in row["subtypes"].items()
        }
        out[code] = Category(code, row["zh"], row["en"], row["civil_code"], subtypes, tuple(row.get("tax", ())))
    return out


def registration() -> dict[str, Any]:
    return dict(_raw()["registration"])


def source() -> dict[str, Any]:
    return dict(_raw()["source"])


def tax_reliefs() -> dict[str, dict[str, Any]]:
    return {k: dict(v) for k, v in _raw()["tax_reliefs"].items()}


def large_threshold() -> Decimal:
    return Decimal(str(registration()["large_contract_threshold"]))


def _local(zh: str, en: str) -> str:
    return zh if (get_language() or "zh-hans").startswith("zh") else en


def category_label(code: str) -> str:
    category = categories().get(code)
    return _local(category.zh, category.en) if category else ""


def subtype_label(category: str, subtype: str) -> str:
    row = categories().get(category)
    sub = row.subtypes.get(subtype) if row else None
    return _local(sub.zh, sub.en) if sub else ""


def relief_label(code: str) -> str:
    relief = tax_reliefs().get(code)
    return _local(relief["zh"], relief["en"]) if relief else ""


def relief_basis(code: str) -> str:
    relief = tax_reliefs().get(code)
    return _local(relief["basis_zh"], relief["basis_en"]) if relief else ""


def category_choices() -> list[tuple[str, str]]:
    return [(code, category_label(code)) for code in categories()]


def subtype_choices() -> list[tuple[str, str]]:
    """``category:subtype`` pairs for one select box."""
    return [(f"{c.code}:{s}", f"{category_label(c.code)} · {subtype_label(c.code, s)}")
            for c in categories().values() for s in c.subtypes]


def qualifies_for_transfer_exemption(category: str, subtype: str, licence_years: int | None) -> bool:
    """Does a registered contract of this kind count as technology-transfer income for the EIT exemption?

    Transfers of ownership always; licences only when exclusive and for at least the minimum number of years.
    """
    row = categories().get(category)
    if row is None or "eit_tech_transfer" not in row.tax:
        return False
    if category == "transfer":
        return True
    sub = row.subtypes.get(subtype)
    minimum = int(tax_reliefs()["eit_tech_transfer"]["min_licence_years"])
    return bool(sub and sub.exclusive and (licence_years or 0) >= minimum)
