"""The rules engine is pure Python: importing it never imports Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def test_import_leaves_django_out() -> None:
    code = (
        "import sys, techsme.rules as r\n"
        "r.assess_records([{'uscc': '91110000600037341L', 'tax_year': 2023}])\n"
        "print('django' in sys.modules or any(m.startswith('django.') for m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "False", result.stderr


def test_no_source_file_mentions_django_imports() -> None:
    for path in (SRC / "techsme" / "rules").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path
