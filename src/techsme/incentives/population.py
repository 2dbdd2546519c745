"""Enterprise-years loaded from the database as engine-ready columns, in bulk (no ORM objects, no row loop).

The rows come from a scoped ``AnnualFacts`` queryset through a raw cursor in chunks; each column becomes a float64
numpy array (NaN = unknown, booleans 1/0, dates as day numbers) or an object array of text — the table that
``techsme.rules.assess_columns`` takes. One engine call then assesses every row at once.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import CharField, F, FloatField, IntegerField, QuerySet
from django.db.models.functions import Cast

from techsme.registry.facts_fields import FACT_FIELDS, Kind
from techsme.registry.models import CLASS_I_KINDS, AnnualFacts, IPAsset

CHUNK_ROWS = 50_000
TEXT_COLUMNS = ("uscc", "name", "region_code", "industry_code")
_FLAG_KINDS = (Kind.FLAG, Kind.OPTIONAL_FLAG)


@dataclass
class Population:
    """Engine columns of the selected enterprise-years plus their enterprise ids (same order)."""

    table: dict[str, np.ndarray]
    enterprise_ids: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.enterprise_ids.size)

    def subset(self, rows: np.ndarray) -> Population:
        return Population({k: v[rows] for k, v in self.table.items()}, self.enterprise_ids[rows])


def _expressions() -> list[tuple[str, Any]]:
    exprs: list[tuple[str, Any]] = [
        ("enterprise_id", F("enterprise_id")),
        ("uscc", F("enterprise__uscc")),
        ("name", F("enterprise__name")),
        ("region_code", F("enterprise__region_code")),
        ("industry_code", F("enterprise__industry_code")),
        ("founded_on", Cast("enterprise__founded_on", CharField())),
        ("tax_year", Cast("tax_year", IntegerField())),
    ]
    for name, kind in FACT_FIELDS.items():
        if kind in _FLAG_KINDS:
            exprs.append((name, Cast(name, IntegerField())))
        else:
            exprs.append((name, Cast(name, FloatField())))
    return exprs


def _day_numbers(values: list[Any]) -> np.ndarray:
    """ISO date text (dates are cast to text in SQL) → float day numbers since 1970-01-01 (NaN = unknown)."""
    days = np.array([None if v is None else str(v)[:10] for v in values], dtype="datetime64[D]")
    out = days.astype(np.int64).astype(np.float64)
    out[np.isnat(days)] = np.nan
    return out


def _read_cursor(connection: Any, sql: str, params: Any, names: list[str], chunk_rows: int,
                 progress: Callable[[int], None] | None) -> dict[str, np.ndarray]:
    """Any database: fetch ``chunk_rows`` tuples at a time and turn each column into a numpy array."""
    parts: dict[str, list[np.ndarray]] = {n: [] for n in names}
    done = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(chunk_rows)
            if not rows:
                break
            columns = list(zip(*rows, strict=True))
            for index, name in enumerate(names):
                values = columns[index]
                if name in TEXT_COLUMNS:
                    parts[name].append(np.array(values, dtype=object))
                elif name == "founded_on":
                    parts[name].append(_day_numbers(list(values)))
                elif name == "enterprise_id":
                    parts[name].append(np.array(values, dtype=np.int64))
                else:
                    parts[name].append(np.array(values, dtype=np.float64))
            done += len(rows)
            if progress is not None:
                progress(done)
    table: dict[str, np.ndarray] = {}
    for name in names:
        if parts[name]:
            table[name] = np.concatenate(parts[name])
        else:
            table[name] = np.zeros(0, dtype=object if name in TEXT_COLUMNS else np.float64)
    return table


def _read_postgres_copy(connection: Any, sql: str, params: Any, names: list[str],
                        progress: Callable[[int], None] | None) -> dict[str, np.ndarray]:
    """PostgreSQL: ``COPY (query) TO STDOUT`` as CSV, parsed by polars in one go (no Python object per cell)."""
    import polars as pl
    from psycopg import ClientCursor

    connection.ensure_connection()
    raw = connection.connection
    query = ClientCursor(raw).mogrify(sql, params)
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        for block in copy:
            buffer.write(block)
    schema = {n: (pl.String if n in TEXT_COLUMNS or n == "founded_on" else pl.Float64) for n in names}
    schema["enterprise_id"] = pl.Int64
    frame = pl.read_csv(buffer.getvalue(), has_header=False, new_columns=names, schema=schema) \
        if buffer.tell() else pl.DataFrame(schema=schema)
    frame = frame.with_columns(
        pl.col("founded_on").str.to_date("%Y-%m-%d", strict=False).cast(pl.Int32).cast(pl.Float64))
    if progress is not None:
        progress(frame.height)
    table: dict[str, np.ndarray] = {}
    for name in names:
        column = frame[name]
        if name in TEXT_COLUMNS:
            table[name] = column.to_numpy().astype(object)
        elif name == "enterprise_id":
            table[name] = column.to_numpy().astype(np.int64)
        else:
            table[name] = column.to_numpy().astype(np.float64)
    return table


def load_population(
    facts: QuerySet[AnnualFacts],
    *,
    with_ip_assets: bool = True,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Population:
    """Read the rows of ``facts`` (already scoped and filtered) into engine columns, ``chunk_rows`` at a time."""
    exprs = _expressions()
    names = [n for n, _ in exprs]
    query = facts.order_by().annotate(**{f"_c{i}": e for i, (_, e) in enumerate(exprs)})
    query = query.values_list(*[f"_c{i}" for i in range(len(exprs))])
    sql, params = query.query.sql_with_params()
    connection = connections[facts.db]
    if connection.vendor == "postgresql":
        table = _read_postgres_copy(connection, sql, params, names, progress)
    else:
        table = _read_cursor(connection, sql, params, names, chunk_rows, progress)
    enterprise_ids = table.pop("enterprise_id").astype(np.int64)
    population = Population(table, enterprise_ids)
    if with_ip_assets and population.n:
        _apply_ip_assets(population, facts)
    return population


def _apply_ip_assets(population: Population, facts: QuerySet[AnnualFacts]) -> None:
    """Like ``registry.selectors.facts_record``: enterprises with IP asset rows get the counts derived from them."""
    assets: dict[int, list[tuple[int, int | None, bool]]] = {}
    rows_of_assets = IPAsset.objects.filter(enterprise_id__in=facts.order_by().values("enterprise_id")).values_list(
        "enterprise_id", "kind", "status", "related_to_main_products", "granted_on")
    for enterprise_id, kind, status, related, granted_on in rows_of_assets.iterator(chunk_size=10_000):
        counts = status == IPAsset.Status.VALID and related and granted_on is not None
        assets.setdefault(enterprise_id, []).append(
            (1 if kind in CLASS_I_KINDS else 2, granted_on.year if counts else None, counts)
        )
    if not assets:
        return
    rows = np.flatnonzero(np.isin(population.enterprise_ids, np.fromiter(assets, dtype=np.int64)))
    class1, class2 = population.table["ip_class1"], population.table["ip_class2"]
    years = population.table["tax_year"]
    for row in rows.tolist():
        year = years[row]
        items = assets[int(population.enterprise_ids[row])]
        class1[row] = sum(1 for c, y, ok in items if ok and c == 1 and y is not None and y <= year)
        class2[row] = sum(1 for c, y, ok in items if ok and c == 2 and y is not None and y <= year)
