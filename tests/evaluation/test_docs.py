"""docs/evaluation.md shows the state tables exactly as the code defines them."""

from pathlib import Path

from django.utils import translation

from techsme.evaluation.workflows import documentation_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "evaluation.md"


def test_docs_contain_the_current_state_tables() -> None:
    with translation.override("en"):
        tables = documentation_tables()
    assert tables.strip() in DOC.read_text(encoding="utf-8")
