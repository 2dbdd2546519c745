"""The instrument classification tree (two levels), shipped as data in ``data/categories.yaml`` (see its provenance)."""

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.utils.translation import get_language

DATA = Path(__file__).parent / "data" / "categories.yaml"


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    parent: str | None

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.zh if (get_language() or "zh-hans").startswith("zh") else self.en


@functools.cache
def categories() -> dict[str, Category]:
    """Every category by code, in file order (a top-level category is followed by its children)."""
    out: dict[str, Category] = {}
    for top in yaml.safe_load(DATA.read_text(encoding="utf-8")):
        out[top["code"]] = Category(top["code"], top["zh"], top["en"], None)
        for child in top.get("children", []):
            out[child["code"]] = Category(child["code"], child["zh"], child["en"], top["code"])
    return out


def leaf_codes() -> list[str]:
    return [c.code for c in categories().values() if c.parent]


def category(code: str) -> Category | None:
    return categories().get(code)


def label(code: str) -> str:
    """``Top › Sub`` in the active language (the code itself when unknown)."""
    found = categories().get(code)
    if found is None:
        return code
    if found.parent:
        return f"{categories()[found.parent].name} › {found.name}"
    return found.name


def choices() -> list[tuple[str, str]]:
    """(code, name) for a select: top-level categories then their children, indented."""
    return [(c.code, ("\u2003" if c.parent else "") + c.name) for c in categories().values()]
