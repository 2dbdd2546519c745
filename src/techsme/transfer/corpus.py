"""The database side of matching: candidate retrieval through the full-text index (FTS5 on SQLite, the GIN
tsvector index on PostgreSQL — the same one search uses), document frequencies for BM25, corpus statistics.

Candidates are the rows holding any of the query's rarest terms (an OR query over at most ``RARE_TERMS`` terms,
ordered by the index's own rank), so a need is never compared with a million outcomes one by one; the explained
score of ``matching`` then ranks the candidates.
"""

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Model, QuerySet

from techsme.core.search import fts_table
from techsme.transfer.matching import Side, idf, stored_terms

RARE_TERMS = 16
CANDIDATES = 300
STATS_SECONDS = 600


def _quote(model: type[Model]) -> tuple[str, str]:
    table = model._meta.db_table
    return connection.ops.quote_name(table), connection.ops.quote_name(fts_table(table))


def _term(t: str) -> str:
    return '"' + t.replace('"', "") + '"'


def document_frequency(model: type[Model], term: str) -> int:
    """How many rows of ``model`` hold ``term`` (cached for a few minutes)."""
    key = f"transfer:df:{model._meta.label_lower}:{term}"
    found = cache.get(key)
    if found is not None:
        return int(found)
    table, fts = _quote(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT count(*) FROM {table} WHERE to_tsvector('simple', search_tokens) "  # noqa: S608
                           "@@ to_tsquery('simple', %s)", [f"'{term}'"])
        else:
            cursor.execute(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH %s", [_term(term)])  # noqa: S608
        count = int(cursor.fetchone()[0])
    cache.set(key, count, STATS_SECONDS)
    return count


def corpus_size(queryset: QuerySet) -> tuple[int, float]:
    """(rows, average number of matching terms per row) of the corpus, from a sample, cached."""
    key = f"transfer:corpus:{queryset.model._meta.label_lower}"
    found = cache.get(key)
    if found is not None:
        return found
    total = queryset.count()
    sample = list(queryset.order_by("-pk").values_list("search_tokens", flat=True)[:2000])
    average = sum(len(stored_terms(s)) for s in sample) / len(sample) if sample else 1.0
    cache.set(key, (total, average), STATS_SECONDS)
    return total, average


def forget_stats(model: type[Model]) -> None:
    cache.delete(f"transfer:corpus:{model._meta.label_lower}")


def idfs(model: type[Model], wanted: frozenset[str], total: int) -> dict[str, float]:
    return {t: idf(document_frequency(model, t), max(total, 1)) for t in wanted}


def candidate_ids(model: type[Model], wanted: frozenset[str], idf_of: dict[str, float],
                  limit: int = CANDIDATES) -> list[int]:
    """Ids of rows holding any of the rarest query terms that occur at all, best first by the index's rank."""
    present = [t for t in wanted if t in idf_of and document_frequency(model, t) > 0]  # absent words find nothing
    rare = sorted(present, key=lambda t: (-idf_of[t], t))[:RARE_TERMS]
    if not rare:
        return []
    table, fts = _quote(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = " | ".join(f"'{t}'" for t in rare)
            cursor.execute(
                f"SELECT id FROM {table} WHERE to_tsvector('simple', search_tokens) @@ to_tsquery('simple', %s) "  # noqa: S608
                f"ORDER BY ts_rank(to_tsvector('simple', search_tokens), to_tsquery('simple', %s)) DESC, id LIMIT %s",
                [query, query, limit])
        else:
            cursor.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s ORDER BY rank LIMIT %s",  # noqa: S608
                           [" OR ".join(_term(t) for t in rare), limit])
        return [row[0] for row in cursor.fetchall()]


def outcome_side(outcome: Any) -> Side:
    price = outcome.price_min if outcome.price_min is not None else outcome.price_max
    return Side(stored_terms(outcome.search_tokens), outcome.industry_code, outcome.region_code, outcome.trl, price,
                outcome.negotiable)


def need_side(need: Any) -> Side:
    return Side(stored_terms(need.search_tokens), need.industry_code, need.region_code, need.min_trl, need.budget)
