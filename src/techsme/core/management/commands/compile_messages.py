"""Compile every translation catalogue (``.po``) of techsme into ``.mo`` with polib (no system gettext needed)."""

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogues(root: Path | None = None) -> list[Path]:
    """Every ``locale/<lang>/LC_MESSAGES/*.po`` under the package."""
    root = root or Path(settings.BASE_DIR)
    return sorted(p for p in root.rglob("*.po") if p.parent.name == "LC_MESSAGES" and "locale" in p.parts)


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo) that are missing or older than their source."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Compile every catalogue, even when up to date.")
        parser.add_argument("--root", type=Path, default=None, help="Folder to search (default: the techsme package).")

    def handle(self, *args: Any, force: bool = False, root: Path | None = None, **options: Any) -> None:
        compiled = 0
        found = catalogues(root)
        for po_path in found:
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"compiled {mo_path}")
        self.stdout.write(f"Translations: {compiled} of {len(found)} catalogues compiled, the others were up to date.")
