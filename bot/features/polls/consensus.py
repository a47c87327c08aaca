"""Consensus beside Borda: Schulze, Kemeny-Young and bootstrap intervals on each place.

Everything here works on a rank matrix: one row per counted ballot, one column per priority
(in the poll's order), each cell the place (1 is first) that ballot gave that priority.
numpy does the arithmetic; nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import itertools
from functools import lru_cache

import numpy as np

RESAMPLES = 1000
CONFIDENCE = 0.95
# Kemeny-Young is exact by trying every order: 9! = 362,880 is still quick; beyond, it is not.
KEMENY_MAX = 9



def pairwise(ranks: np.ndarray) -> np.ndarray:
    """d[i, j]: how many ballots put priority i above priority j."""
    if ranks.size == 0:
        n = ranks.shape[1] if ranks.ndim == 2 else 0
        return np.zeros((n, n), dtype=np.int64)
    above = ranks[:, :, None] < ranks[:, None, :]
    return above.sum(axis=0, dtype=np.int64)


def schulze(d: np.ndarray, fallback: list[int]) -> list[int]:
    """The Schulze order of candidate indices; ties between equally strong ones follow
    `fallback` (the Borda order)."""
    n = d.shape[0]
    p = np.where(d > d.T, d, 0).astype(np.int64)
    for k in range(n):
        # Widest paths (Floyd-Warshall): the strength of i..k..j is its weakest link.
        p = np.maximum(p, np.minimum(p[:, k][:, None], p[k, :][None, :]))
        np.fill_diagonal(p, 0)
    wins = (p > p.T).sum(axis=1)
    position = {c: i for i, c in enumerate(fallback)}
    return sorted(range(n), key=lambda c: (-wins[c], position[c]))


@lru_cache(maxsize=4)
def _orders(n: int) -> np.ndarray:
    return np.array(list(itertools.permutations(range(n))), dtype=np.int8)


def agreement(d: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """For each order (a row of candidate indices), the ballot pairs it agrees with."""
    n = orders.shape[1]
    total = np.zeros(len(orders), dtype=np.int64)
    for a, b in itertools.combinations(range(n), 2):
        total += d[orders[:, a], orders[:, b]]
    return total


def kemeny(d: np.ndarray, fallback: list[int]) -> list[int] | None:
    """The Kemeny-Young order: of all n! orders, the one agreeing with the most pairwise
    preferences (so the least Kendall distance to the ballots); ties go to the order nearest
    `fallback`. None when there are too many candidates to try every order."""
    n = d.shape[0]
    if n > KEMENY_MAX:
        return None
    if n == 0:
        return []
    # Orders are enumerated over positions in `fallback`, so the first best is nearest to it.
    relabel = np.array(fallback)
    orders = relabel[_orders(n)]
    best = int(np.argmax(agreement(d, orders)))
    return [int(c) for c in orders[best]]


def kendall(order: list[int], d: np.ndarray) -> int:
    """Ballot pairs that disagree with this order (its Kendall distance to the ballots)."""
    return int(sum(d[j, i] for a, i in enumerate(order) for j in order[a + 1:]))


def seed_of(ranks: np.ndarray) -> int:
    """A seed from the ballots themselves (in any order): the same ballots, the same interval."""
    if ranks.size == 0:
        return 0
    rows = ranks[np.lexsort(ranks.T[::-1])].astype(np.int16)
    return int.from_bytes(hashlib.sha256(rows.tobytes()).digest()[:8], "big")


def bootstrap(ranks: np.ndarray, resamples: int = RESAMPLES) -> list[tuple[int, int]]:
    """Each priority's place under Borda in `resamples` resamples of the ballots (with
    replacement), as the central 95% interval (best, worst) of those places."""
    count, n = ranks.shape
    if count == 0:
        return [(1, n) for _ in range(n)]
    rng = np.random.default_rng(seed_of(ranks))
    # Each resample is a count of how often every ballot was drawn; their product with the
    # per-ballot figures re-counts all resamples at once.
    kind = np.int32 if resamples * count < 2**31 else np.int64
    drawn = rng.integers(0, count, size=(resamples, count), dtype=kind)
    drawn += (np.arange(resamples, dtype=kind) * count)[:, None]  # resample r's own slots
    weights = np.bincount(drawn.ravel(), minlength=resamples * count)
    weights = weights.reshape(resamples, count).astype(np.float32)
    per_ballot = np.concatenate([
        (n + 1 - ranks), (ranks == 1), (ranks <= 3),
    ], axis=1).astype(np.float32)
    totals = weights @ per_ballot
    score, first, top = totals[:, :n], totals[:, n:2 * n], totals[:, 2 * n:]
    # The tally's order: score, then first places, then top three, then the poll's order.
    listed = np.broadcast_to(np.arange(n), (resamples, n))
    order = np.lexsort((listed, -top, -first, -score), axis=-1)
    places = np.empty_like(order)
    np.put_along_axis(places, order, np.arange(1, n + 1)[None, :].repeat(resamples, 0), axis=1)
    low = np.quantile(places, (1 - CONFIDENCE) / 2, axis=0, method="lower")
    high = np.quantile(places, 1 - (1 - CONFIDENCE) / 2, axis=0, method="higher")
    return [(int(a), int(b)) for a, b in zip(low, high, strict=True)]


def too_close(intervals: list[tuple[int, int]], order: list[int]) -> list[tuple[int, int]]:
    """Neighbouring places (1-based, in `order`) whose intervals overlap."""
    close = []
    for place in range(1, len(order)):
        a, b = intervals[order[place - 1]], intervals[order[place]]
        if a[1] >= b[0] and b[1] >= a[0]:
            close.append((place, place + 1))
    return close
