"""Ranking every open need against every published outcome at once (the background job ``transfer.rank_all``).

The outcomes' stored token columns become an in-memory inverted index (numpy arrays: postings sorted by term, each
with its BM25 weight); a need's text score over all outcomes is the sum of its terms' postings. The ``PRESELECT``
best outcomes by text then get the full explained score of ``matching.score_pair`` — the same function the pages
use — so a batch match and a single refresh give the same score and the same reasons.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from techsme.transfer.matching import Side, idf, rank, stored_terms, term_weight

PRESELECT = 30


@dataclass
class OutcomeRow:
    pk: int
    tokens: str
    industry: str
    region: str
    trl: int
    price: Decimal | None
    negotiable: bool
    published: bool = True


class Index:
    """Postings of the outcome corpus. Document frequencies count every row given (as the full-text index does);
    only published rows are ranked."""

    def __init__(self, rows: Iterable[OutcomeRow]) -> None:
        self.rows: list[OutcomeRow] = []
        self.vocabulary: dict[str, int] = {}
        doc_terms: list[np.ndarray] = []
        for row in rows:
            ids = [self.vocabulary.setdefault(t, len(self.vocabulary)) for t in stored_terms(row.tokens)]
            doc_terms.append(np.asarray(ids, dtype=np.int32))
            row.tokens = ""  # the term ids replace the text
            self.rows.append(row)
        self.words = np.empty(len(self.vocabulary), dtype=object)
        for word, tid in self.vocabulary.items():
            self.words[tid] = word
        lengths = np.asarray([len(d) for d in doc_terms], dtype=np.float64)
        self.doc_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.doc_terms = np.concatenate(doc_terms) if doc_terms else np.zeros(0, dtype=np.int32)
        docs = np.repeat(np.arange(len(doc_terms), dtype=np.int32), lengths.astype(np.int64))
        self.total = len(self.rows)
        self.df = np.bincount(self.doc_terms, minlength=len(self.vocabulary))
        self.average = float(lengths.mean()) if len(lengths) else 1.0
        idfs = np.log(1 + (self.total - self.df + 0.5) / (self.df + 0.5))
        order = np.argsort(self.doc_terms, kind="stable")
        self.post_docs = docs[order]
        self.post_weights = term_weight(idfs[self.doc_terms[order]], lengths[self.post_docs], self.average)
        self.term_ptr = np.concatenate([[0], np.cumsum(self.df)]).astype(np.int64)
        self.published = np.asarray([r.published for r in self.rows], dtype=bool)

    def idfs(self, wanted: frozenset[str]) -> dict[str, float]:
        return {t: idf(int(self.df[self.vocabulary[t]]) if t in self.vocabulary else 0, self.total) for t in wanted}

    def side(self, doc: int) -> Side:
        row = self.rows[doc]
        terms = frozenset(self.words[self.doc_terms[self.doc_ptr[doc]:self.doc_ptr[doc + 1]]])
        return Side(terms, row.industry, row.region, row.trl, row.price, row.negotiable)

    def preselect(self, wanted: frozenset[str], limit: int = PRESELECT) -> np.ndarray:
        """The documents with the highest BM25 text score for these terms (published only)."""
        ids = [self.vocabulary[t] for t in wanted if t in self.vocabulary]
        if not ids:
            return np.zeros(0, dtype=np.int64)
        docs = np.concatenate([self.post_docs[self.term_ptr[i]:self.term_ptr[i + 1]] for i in ids])
        weights = np.concatenate([self.post_weights[self.term_ptr[i]:self.term_ptr[i + 1]] for i in ids])
        unique, inverse = np.unique(docs, return_inverse=True)
        scores = np.bincount(inverse, weights=weights)
        keep = self.published[unique]
        unique, scores = unique[keep], scores[keep]
        if len(unique) > limit:
            top = np.argpartition(-scores, limit)[:limit]
            unique = unique[top]
        return unique

    def rank(self, need: Side, limit: int = 10) -> list[tuple[int, float, dict[str, Any]]]:
        """The best outcomes for one need: (outcome pk, score, reasons)."""
        candidates = self.preselect(need.terms)
        ranked = rank(need, ((int(d), self.side(int(d))) for d in candidates), self.idfs(need.terms), self.average,
                      limit)
        return [(self.rows[d].pk, score, reasons) for d, score, reasons in ranked]


def rank_all(index: Index, needs: list[tuple[int, Side]], limit: int = 10,
             progress: Callable[[int, int], None] | None = None) -> dict[int, list[tuple[int, float, dict]]]:
    out = {}
    step = max(1, len(needs) // 100)
    for number, (pk, side) in enumerate(needs, 1):
        out[pk] = index.rank(side, limit)
        if progress and number % step == 0:
            progress(number, len(needs))
    return out
