"""Explained matching of technology needs and research outcomes — every score is a sum of parts the page shows.

Text: both sides are segmented with jieba (``core.search.tokens``, the same pipeline as search), stop words are
dropped and the synonym groups of ``data/synonyms.txt`` add their canonical term (``锂电池`` and ``动力电池`` both
add ``锂离子电池``). The text part is BM25 with binary term frequency (short texts): each shared term weighs
``idf · (k1 + 1) / (1 + k1 · (1 − b + b · len / avg len))``, normalised by what a perfect match would score.

The total is a weighted sum, with the weights in ``WEIGHTS``:
text similarity, field (same GB/T 4754 class > group > division > section), region (county > city > province),
readiness (the outcome's TRL against the lowest level the need asks for) and price (the outcome's lowest price
against the need's budget). Each part is in [0, 1]; an unknown (no budget, negotiable price, no TRL wanted) counts
as a neutral 0.5 and is said to be unknown.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from techsme.core.search import tokens

DATA = Path(__file__).with_name("data")
K1, B = 1.2, 0.75
WEIGHTS = {"text": 0.6, "field": 0.15, "region": 0.05, "trl": 0.1, "price": 0.1}
GOOD_MATCH = 0.5  # total from which both sides are told …
GOOD_TEXT = 0.25  # … provided the texts share this much (field, region and price alone never make a good match)
# Below this text similarity nothing is a match, whatever the other parts say. Chosen with the sweep of
# bench/bench_transfer_quality.py (0.15 cut too much: enterprises describe needs in few words of their own).
MIN_TEXT = 0.05
NEUTRAL = 0.5
_LATIN = re.compile(r"^[0-9a-z\-]+$")


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def stopwords() -> frozenset[str]:
    return frozenset(word.lower() for line in _lines("stopwords.txt") for word in line.split())


@cache
def synonym_groups() -> list[tuple[str, tuple[str, ...]]]:
    """(canonical, variants) for every line of the synonym dictionary."""
    groups = []
    for line in _lines("synonyms.txt"):
        words = line.split()
        groups.append((words[0].lower(), tuple(w.lower() for w in words)))
    return groups


@cache
def _variant_patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for canonical, variants in synonym_groups():
        parts = [rf"(?<![0-9a-z]){re.escape(v)}(?![0-9a-z])" if _LATIN.match(v) else re.escape(v) for v in variants]
        out.append((canonical, re.compile("|".join(sorted(parts, key=len, reverse=True)))))
    return out


def expansions(text: str) -> str:
    """The canonical terms of the synonym groups that ``text`` mentions, space-separated (indexed with the text)."""
    lowered = (text or "").lower()
    return " ".join(canonical for canonical, pattern in _variant_patterns() if pattern.search(lowered))


def useful(token: str) -> bool:
    return len(token) > 1 and not token.isdigit() and token not in stopwords()


def terms(text: str) -> frozenset[str]:
    """The matching terms of a text: jieba tokens without stop words, plus the synonym groups' canonical terms."""
    expanded = f"{text or ''} {expansions(text)}"
    return frozenset(t for t in tokens(expanded).split() if useful(t))


def stored_terms(search_tokens: str) -> frozenset[str]:
    """Matching terms from a row's stored token column (it already holds the synonyms' canonical terms)."""
    return frozenset(t for t in (search_tokens or "").split() if useful(t))


@dataclass
class Side:
    """What the matcher knows of one need or outcome."""

    terms: frozenset[str]
    industry: str = ""
    region: str = ""
    trl: int | None = None  # outcome: its level; need: the lowest level wanted
    price: Decimal | None = None  # outcome: lowest price; need: budget
    negotiable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def idf(df: int, total: int) -> float:
    """BM25 inverse document frequency (never negative, even when ``df`` counts rows outside ``total``)."""
    total = max(total, df)
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def term_weight(term_idf: Any, length: Any, avg_length: float) -> Any:
    """BM25 weight of a term present once (works on floats and numpy arrays alike)."""
    return term_idf * (K1 + 1) / (1 + K1 * (1 - B + B * length / max(avg_length, 1.0)))


def field_part(need: str, outcome: str) -> tuple[float, str]:
    if not need or not outcome:
        return 0.0, "none"
    if need == outcome:
        return 1.0, "class"
    if need[:4] == outcome[:4]:
        return 0.7, "group"
    if need[:3] == outcome[:3]:
        return 0.5, "division"
    if need[0] == outcome[0]:
        return 0.2, "section"
    return 0.0, "none"


def region_part(need: str, outcome: str) -> tuple[float, str]:
    if not need or not outcome:
        return 0.0, "none"
    if need == outcome:
        return 1.0, "county"
    if need[:4] == outcome[:4]:
        return 0.8, "city"
    if need[:2] == outcome[:2]:
        return 0.5, "province"
    return 0.0, "none"


def trl_part(wanted: int | None, offered: int | None) -> float:
    if wanted is None or offered is None:
        return NEUTRAL
    if offered >= wanted:
        return 1.0
    return max(0.0, 1 - (wanted - offered) / 3)


def price_part(budget: Decimal | None, price: Decimal | None, negotiable: bool) -> float:
    if budget is None or price is None or (negotiable and price == 0):
        return NEUTRAL
    if price <= budget:
        return 1.0
    return max(0.0, float(budget / price))


def best_text(need: Side, idfs: dict[str, float], avg_length: float) -> float:
    """What a perfect match of an average-length outcome would score on text (the normaliser of the text part)."""
    return sum(term_weight(idfs.get(t, 0.0), avg_length, avg_length) for t in need.terms) or 1.0


def score_pair(need: Side, outcome: Side, idfs: dict[str, float], avg_length: float,
               best: float | None = None) -> tuple[float, dict[str, Any]]:
    """The total score of a need–outcome pair and its reasons (JSON-ready); ``best`` may be passed precomputed."""
    shared = need.terms & outcome.terms
    length = len(outcome.terms)
    weights = {t: term_weight(idfs.get(t, 0.0), length, avg_length) for t in shared}
    best = best if best is not None else best_text(need, idfs, avg_length)
    text = min(1.0, sum(weights.values()) / best)
    field_score, field_level = field_part(need.industry, outcome.industry)
    region_score, region_level = region_part(need.region, outcome.region)
    trl = trl_part(need.trl, outcome.trl)
    price = price_part(need.price, outcome.price, outcome.negotiable)
    parts = {"text": text, "field": field_score, "region": region_score, "trl": trl, "price": price}
    total = sum(WEIGHTS[k] * v for k, v in parts.items()) if text >= MIN_TEXT else 0.0
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
    reasons = {
        "total": round(total, 4),
        "parts": {k: round(v, 4) for k, v in parts.items()},
        "weights": WEIGHTS,
        "terms": [[t, round(w, 3)] for t, w in top],
        "field_level": field_level,
        "region_level": region_level,
        "trl": [need.trl, outcome.trl],
        "price": [None if need.price is None else str(need.price),
                  None if outcome.price is None else str(outcome.price), outcome.negotiable],
    }
    return total, reasons


def is_good(score: float, reasons: dict[str, Any]) -> bool:
    return score >= GOOD_MATCH and reasons.get("parts", {}).get("text", 0) >= GOOD_TEXT


def rank(need: Side, candidates: Iterable[tuple[Any, Side]], idfs: dict[str, float], avg_length: float,
         limit: int = 10) -> list[tuple[Any, float, dict[str, Any]]]:
    """The best ``limit`` candidates (key, score, reasons), highest first, ties by key; zero scores left out."""
    scored = []
    best = best_text(need, idfs, avg_length)
    for key, side in candidates:
        total, reasons = score_pair(need, side, idfs, avg_length, best)
        if total > 0:
            scored.append((key, total, reasons))
    scored.sort(key=lambda row: (-row[1], row[0]))
    return scored[:limit]
