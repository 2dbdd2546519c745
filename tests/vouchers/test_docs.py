"""docs/vouchers.md shows the state tables exactly as the code defines them, in both languages' sections."""

from pathlib import Path

from django.utils import translation

from techsme.vouchers.workflows import documentation_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "vouchers.md"


def test_docs_contain_the_current_state_tables() -> None:
    with translation.override("en"):
        tables = documentation_tables()
    text = DOC.read_text(encoding="utf-8")
    assert tables.strip() in text
    assert "## English" in text and "## 中文" in text
