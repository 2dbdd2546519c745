"""Full-text search for Chinese and English text, the same pipeline on SQLite and PostgreSQL.

How it works (see docs/instruments.md, "Search"):

- A searchable model inherits :class:`Searchable` and declares ``search_fields`` (the text fields that feed the index).
  Its ``search_tokens`` column holds the text segmented by jieba in search mode, as space-separated lower-case tokens
  (``液相色谱质谱联用仪`` → ``液相 色谱 质谱 联用 仪``); ``save()`` refreshes it (``fill(obj)`` for ``bulk_create``).
- SQLite: an FTS5 virtual table ``<table>_fts`` (``unicode61`` tokenizer, external content = the model's table) kept
  in sync by triggers on insert/update/delete. PostgreSQL: a GIN index on ``to_tsvector('simple', search_tokens)``.
  Both are created by the migration operation :class:`CreateSearchIndex`.
- A query is segmented the same way; every query word must match (AND). A word matches a row that holds the word,
  or all of its finer pieces (``色谱仪`` → ``色谱`` + ``仪``), so a query need not be cut exactly as the row was.
  Latin words match as prefixes (``micro`` finds ``microscope``).

Trigram indexes miss two-character words (质谱, 电镜), the commonest Chinese words; a word index does not.
jieba loads its dictionary (about a second) on first use, once per process; its log output is silenced.
"""

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.migrations.operations.base import Operation
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()
_jieba: Any = None


def _segmenter() -> Any:
    """jieba, initialised once (lazily, thread-safe) with its logging silenced."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def _words(pieces: Iterable[str]) -> list[str]:
    """Lower-case word tokens (letters, digits, CJK) from jieba's output, punctuation and spaces dropped."""
    out: list[str] = []
    for piece in pieces:
        out.extend(_WORD.findall(piece.lower()))
    return out


def _fine(word: str) -> list[str]:
    """``word`` covered left to right by its longest shorter dictionary pieces (single characters as a fallback)."""
    if len(word) < 3 or not _CJK.search(word):
        return [word]
    pieces = {p for p in _words(_segmenter().cut_for_search(word)) if p != word}
    out: list[str] = []
    i = 0
    while i < len(word):
        for j in range(len(word), i, -1):
            if word[i:j] in pieces or j == i + 1:
                out.append(word[i:j])
                i = j
                break
    return out


def tokens(text: str) -> str:
    """The token column for ``text``: search-mode words plus their finer pieces, unique, space-separated."""
    if not text:
        return ""
    jieba = _segmenter()
    seen: dict[str, None] = {}
    for word in _words(jieba.cut_for_search(text)) + _words(jieba.cut(text)):
        seen.setdefault(word, None)
        for piece in _fine(word):
            seen.setdefault(piece, None)
    return " ".join(seen)


def query_groups(query: str) -> list[list[list[str]]]:
    """The query as AND-ed groups; each group is a list of alternatives, each alternative a list of AND-ed tokens."""
    groups: list[list[list[str]]] = []
    seen: set[str] = set()
    for word in _words(_segmenter().cut(query or "")):
        if word in seen:
            continue
        seen.add(word)
        alternatives = [[word]]
        fine = _fine(word)
        if fine != [word]:
            alternatives.append(fine)
        groups.append(alternatives)
        if len(groups) >= MAX_QUERY_WORDS:
            break
    return groups


def _is_latin(token: str) -> bool:
    return not _CJK.search(token)


def fts5_query(groups: list[list[list[str]]]) -> str:
    """An FTS5 MATCH expression (tokens are letters/digits/CJK only, so quoting them is enough)."""

    def term(t: str) -> str:
        return f'"{t}"*' if _is_latin(t) else f'"{t}"'

    return " AND ".join(
        "(" + " OR ".join("(" + " AND ".join(term(t) for t in alt) + ")" for alt in group) + ")" for group in groups
    )


def tsquery(groups: list[list[list[str]]]) -> str:
    """A PostgreSQL ``to_tsquery('simple', …)`` expression."""

    def term(t: str) -> str:
        return f"'{t}':*" if _is_latin(t) else f"'{t}'"

    return " & ".join(
        "(" + " | ".join("(" + " & ".join(term(t) for t in alt) + ")" for alt in group) + ")" for group in groups
    )


class Searchable(models.Model):
    """Abstract base: ``search_fields`` feed ``search_tokens``; use :func:`search` to query."""

    search_fields: tuple[str, ...] = ()
    search_tokens = models.TextField(default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_tokens" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_tokens"]
        super().save(*args, **kwargs)


def fill(obj: Searchable) -> Searchable:
    """Set ``obj.search_tokens`` from its ``search_fields`` (call before ``bulk_create``)."""
    parts = [str(getattr(obj, name, "") or "") for name in obj.search_fields]
    obj.search_tokens = tokens(" ".join(p for p in parts if p))
    return obj


def fts_table(db_table: str) -> str:
    return f"{db_table}_fts"


def search(queryset: QuerySet, query: str) -> QuerySet:
    """``queryset`` narrowed to the rows whose text matches every word of ``query`` (unchanged for an empty query)."""
    groups = query_groups(query)
    if not groups:
        return queryset
    model = queryset.model
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    if connection.vendor == "postgresql":
        condition = RawSQL(  # noqa: S611 — names from model meta; the query is a bound parameter
            f"to_tsvector('simple', {table}.search_tokens) @@ to_tsquery('simple', %s)",
            (tsquery(groups),), output_field=BooleanField(),
        )
    else:
        fts = connection.ops.quote_name(fts_table(model._meta.db_table))
        condition = RawSQL(  # noqa: S611 — names from model meta; the query is a bound parameter
            f"{table}.{pk} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)",  # noqa: S608
            (fts5_query(groups),), output_field=BooleanField(),
        )
    return queryset.filter(condition)


class CreateSearchIndex(Operation):
    """Migration operation: the FTS5 table and triggers (SQLite) or the GIN index (PostgreSQL) for a model."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def describe(self) -> str:
        return f"Create the full-text search index of {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"search_{self.model_name.lower()}"

    def _table(self, app_label: str, state: Any) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = self._table(app_label, to_state)
        for sql in create_index_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = self._table(app_label, from_state)
        for sql in drop_index_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql)


_SQLITE_INDEX = (
    'CREATE VIRTUAL TABLE "<fts>" USING fts5(search_tokens, content="<table>", content_rowid="id", '
    "tokenize='unicode61')",
    'CREATE TRIGGER "<fts>_ai" AFTER INSERT ON "<table>" BEGIN '
    'INSERT INTO "<fts>"(rowid, search_tokens) VALUES (new.id, new.search_tokens); END',
    'CREATE TRIGGER "<fts>_ad" AFTER DELETE ON "<table>" BEGIN '
    """INSERT INTO "<fts>"("<fts>", rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); END""",
    'CREATE TRIGGER "<fts>_au" AFTER UPDATE OF search_tokens ON "<table>" BEGIN '
    """INSERT INTO "<fts>"("<fts>", rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); """
    'INSERT INTO "<fts>"(rowid, search_tokens) VALUES (new.id, new.search_tokens); END',
    """INSERT INTO "<fts>"("<fts>") VALUES ('rebuild')""",
)


def create_index_sql(vendor: str, table: str) -> list[str]:
    """DDL for the index of ``table`` (a model's db_table, never user input: DDL takes no bound parameters)."""
    if vendor == "postgresql":
        return [f'CREATE INDEX "{table}_search_gin" ON "{table}" USING gin (to_tsvector(\'simple\', search_tokens))']
    if vendor != "sqlite":
        return []
    return [sql.replace("<fts>", fts_table(table)).replace("<table>", table) for sql in _SQLITE_INDEX]


def drop_index_sql(vendor: str, table: str) -> list[str]:
    fts = fts_table(table)
    if vendor == "postgresql":
        return [f'DROP INDEX IF EXISTS "{table}_search_gin"']
    if vendor != "sqlite":
        return []
    return [f'DROP TRIGGER IF EXISTS "{fts}_{s}"' for s in ("ai", "ad", "au")] + [f'DROP TABLE IF EXISTS "{fts}"']


def rebuild(model: type[models.Model]) -> None:
    """Recompute every row's tokens and rebuild the index (after a jieba dictionary change or a SQLite table remake).

    On SQLite a migration that remakes the table drops its triggers; this recreates them.
    """
    table = model._meta.db_table
    for obj in model._default_manager.all().iterator():
        fill(obj)  # type: ignore[arg-type]
        model._default_manager.filter(pk=obj.pk).update(search_tokens=obj.search_tokens)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in drop_index_sql("sqlite", table) + create_index_sql("sqlite", table):
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(f'REINDEX INDEX "{table}_search_gin"')
