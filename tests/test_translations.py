"""The Chinese catalogues are complete: every string translated, no fuzzy entry, placeholders kept, none missing.

The "none missing" check runs Django's ``makemessages`` over a temporary copy of each app, which needs GNU gettext's
``xgettext``; without it that check is skipped with a notice, except in CI (``CI`` set), where it is required.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "techsme"
CATALOGUES = sorted(PACKAGE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
APPS = sorted(p.parent for p in PACKAGE.glob("*/apps.py"))
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]|%[sdifr]|\{[A-Za-z_][A-Za-z0-9_]*\}"
)


def _id(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_id)
def test_catalogue_is_complete_and_consistent(po_path):
    problems = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        where = f"{po_path.relative_to(PACKAGE)}:{entry.linenum} {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not translations or any(not t.strip() for t in translations):
            problems.append(f"{where}: not translated")
            continue
        expected = _placeholders(entry.msgid_plural or entry.msgid)
        for text in translations:
            got = _placeholders(text)
            if (set(got) != set(expected)) if entry.msgid_plural else (got != expected):
                problems.append(f"{where}: placeholders {got} do not match {expected}")
    assert not problems, "\n".join(problems)


def test_there_are_catalogues():
    assert CATALOGUES, "no catalogue under src/techsme/*/locale/zh_Hans/LC_MESSAGES/django.po"


def _require_xgettext() -> None:
    if shutil.which("xgettext"):
        return
    if os.environ.get("CI"):
        pytest.fail("xgettext (GNU gettext) is required in CI to check the catalogues against the source")
    pytest.skip("xgettext is not installed: install Debian's gettext to check for untranslated new strings")


def _extracted_msgids(app: Path, tmp_path: Path) -> set[str]:
    """Run makemessages over a copy of ``app`` and return the msgids it finds (the committed files are untouched)."""
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations", "*.mo"))
    (copy / "locale").mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "techsme.settings"}
    done = subprocess.run(  # noqa: S603
        # -P: the copy's folder is the working directory and must not shadow the standard library (selectors.py)
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-wrap"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    fresh = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    return {e.msgid for e in polib.pofile(str(fresh))} if fresh.exists() else set()


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_no_string_is_missing_from_the_catalogue(app, tmp_path):
    _require_xgettext()
    extracted = _extracted_msgids(app, tmp_path)
    committed_path = app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if not extracted:
        return
    assert committed_path.exists(), (
        f"{app.name} has {len(extracted)} translatable strings but no catalogue at {committed_path.relative_to(SRC)}"
    )
    committed = {e.msgid for e in polib.pofile(str(committed_path)) if not e.obsolete}
    missing = sorted(extracted - committed)
    head = f"{len(missing)} strings of {app.name} are not in its catalogue (run makemessages):\n"
    assert not missing, head + "\n".join(missing[:30])
