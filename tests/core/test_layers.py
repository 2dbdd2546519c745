"""The ground floor imports nothing above it: ``core`` and ``rules`` (and the plain helpers they share) never import
an app, so every app can build on them and none of them can drag an app into another.

A static scan of the source (every ``import``/``from … import``, also inside functions), so a lazy import inside a
function cannot hide a dependency either.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "techsme"

# The ground floor: what each of its parts may import from techsme.
HELPERS = {"parsing", "spreadsheets", "cells", "refdata"}
LAYERS = {
    "core": {"core", "rules", *HELPERS},
    "rules": {"rules", *HELPERS},
    "parsing": {"parsing"},
    "spreadsheets": {"spreadsheets", "parsing"},
    "cells": {"cells"},
    "refdata": {"refdata"},
}


def _sources(part: str) -> list[Path]:
    folder = PACKAGE / part
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{part}.py"]


def techsme_imports(path: Path) -> list[tuple[int, str]]:
    """(line, first component under ``techsme``) of every import of a techsme module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "techsme":  # from techsme import parsing, refdata
                names = [f"techsme.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "techsme" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


@pytest.mark.parametrize("part", sorted(LAYERS))
def test_ground_floor_imports_nothing_above_it(part: str) -> None:
    allowed = LAYERS[part]
    offending = [
        f"{path.relative_to(PACKAGE)}:{line} imports techsme.{module}"
        for path in _sources(part)
        if "migrations" not in path.parts
        for line, module in techsme_imports(path)
        if module not in allowed
    ]
    assert not offending, "\n".join(offending)


def test_the_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from techsme import parsing\n\ndef f():\n    from techsme.accounts.models import User\n"
                      "    import techsme.registry.models\n", encoding="utf-8")
    assert techsme_imports(sample) == [(1, "parsing"), (4, "accounts"), (5, "registry")]
