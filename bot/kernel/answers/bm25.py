"""BM25 over weighted fields, scored as SQLite FTS5's bm25() scores it, but precomputed per word.

FTS5 scores every row that holds any query word on every query; here each word's contribution
to each row is computed once, when the content is indexed, so a query is a few array additions
and a partial sort. The scores are FTS5's own (k1 = 1.2, b = 0.75, a word's frequency counted
with its field's weight, the row's length over all fields, idf floored at 1e-6), so the answers
are as they were with FTS5, several times faster on large content (see docs/answering.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

K1, B = 1.2, 0.75
# FTS5 floors a word's idf here: a word in more than half the rows still counts a little.
IDF_FLOOR = 1e-6


class FieldBM25:
    """Rows of fields (each a list of words), searchable by any of a set of words."""

    def __init__(self, rows: Sequence[Sequence[Sequence[str]]], weights: Sequence[float]):
        self.size = len(rows)
        lengths = np.array([sum(len(f) for f in fields) for fields in rows], dtype=np.float64)
        average = float(lengths.mean()) if self.size and lengths.sum() else 1.0
        frequencies: dict[str, dict[int, float]] = {}
        for row, fields in enumerate(rows):
            for weight, words in zip(weights, fields, strict=True):
                for word in words:
                    hits = frequencies.setdefault(word, {})
                    hits[row] = hits.get(row, 0.0) + weight
        norm = K1 * (1 - B + B * lengths / average)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for word, hits in frequencies.items():
            idf = max(math.log((self.size - len(hits) + 0.5) / (len(hits) + 0.5)), IDF_FLOOR)
            where = np.fromiter(hits, dtype=np.int32, count=len(hits))
            freq = np.fromiter(hits.values(), dtype=np.float64, count=len(hits))
            self._postings[word] = (where, idf * freq * (K1 + 1) / (freq + norm[where]))

    def top(self, words: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """The rows holding any of the words, best first (at most `limit`), with their score."""
        found = [self._postings[w] for w in dict.fromkeys(words) if w in self._postings]
        if not found:
            return []
        rows = np.concatenate([where for where, _ in found])
        scores = np.concatenate([score for _, score in found])
        # Counting into one slot a row is cheaper than sorting the hits to group them.
        hit = np.flatnonzero(np.bincount(rows, minlength=self.size))
        totals = np.bincount(rows, weights=scores, minlength=self.size)[hit]
        if len(hit) > limit:
            keep = np.argpartition(-totals, limit - 1)[:limit]
            hit, totals = hit[keep], totals[keep]
        # Ties go to the earlier row, as in a stable sort.
        order = np.lexsort((hit, -totals))
        return [(int(hit[i]), float(totals[i])) for i in order]
