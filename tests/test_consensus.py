"""Schulze, Kemeny-Young and the bootstrap intervals: published examples and properties."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.polls import consensus
from bot.features.polls.ballots import PollPriority
from bot.features.polls.results import apply_consensus, as_json, summary, tally


def matrix(ballots: list[tuple[int, str]], candidates: str) -> np.ndarray:
    """Rank matrix from (how many voters, their order as a string of candidates)."""
    rows = []
    for times, order in ballots:
        row = [order.index(c) + 1 for c in candidates]
        rows += [row] * times
    return np.array(rows, dtype=np.int64)


def names(order: list[int], candidates: str) -> str:
    return "".join(candidates[i] for i in order)


# Wikipedia's "Schulze method" worked example: 45 voters, 5 candidates, winner E.
WIKIPEDIA = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"),
             (2, "CBADE"), (7, "DCEBA"), (8, "EBADC")]


def test_wikipedias_schulze_example_gives_e_a_c_b_d():
    d = consensus.pairwise(matrix(WIKIPEDIA, "ABCDE"))
    # The pairwise table as Wikipedia prints it.
    assert d.tolist() == [[0, 20, 26, 30, 22], [25, 0, 16, 33, 18], [19, 29, 0, 17, 24],
                          [15, 12, 28, 0, 14], [23, 27, 21, 31, 0]]
    assert names(consensus.schulze(d, [0, 1, 2, 3, 4]), "ABCDE") == "EACBD"


def test_a_condorcet_winner_that_borda_misses_is_first_by_schulze_and_kemeny():
    # A beats B 3-2 and C 3-2 head to head, but B has more Borda points (12 to A's 11).
    ranks = matrix([(3, "ABC"), (2, "BCA")], "ABC")
    priorities = [PollPriority(n, pid, pid) for n, pid in enumerate("ABC", 1)]
    items = [(pid, int(place), None, None)
             for row in ranks for pid, place in zip("ABC", row, strict=True)]
    results = tally(priorities, items, 5)
    apply_consensus(results, priorities, ranks)
    assert results.methods["borda"][0] == "B"
    assert results.methods["schulze"][0] == "A"
    assert results.methods["kemeny"][0] == "A"
    assert not as_json({"id": 1, "title": "t", "status": "closed"}, results)["methods_agree_top3"]
    text = summary({"title": "t"}, results, "closed")
    assert "First place differs" in text and "Schulze and Kemeny-Young put A there" in text


def test_methods_that_agree_are_said_to_agree_in_plain_words():
    ranks = matrix([(4, "ABC"), (1, "BAC")], "ABC")
    priorities = [PollPriority(n, pid, f"Priority {pid}") for n, pid in enumerate("ABC", 1)]
    items = [(pid, int(place), None, None)
             for row in ranks for pid, place in zip("ABC", row, strict=True)]
    results = tally(priorities, items, 5)
    apply_consensus(results, priorities, ranks)
    text = summary({"title": "t"}, results, "closed")
    assert "Priority A is first by every method" in text
    assert results.agree_top3


@st.composite
def elections(draw, max_candidates=5):
    n = draw(st.integers(2, max_candidates))
    orders = draw(st.lists(st.permutations(range(n)), min_size=1, max_size=12))
    ranks = np.array([[order.index(c) + 1 for c in range(n)] for order in orders])
    return n, ranks


def condorcet_winner(d: np.ndarray) -> int | None:
    n = d.shape[0]
    for c in range(n):
        if all(d[c, o] > d[o, c] for o in range(n) if o != c):
            return c
    return None


@settings(max_examples=150, deadline=None)
@given(elections())
def test_a_condorcet_winner_is_first_under_schulze_and_kemeny(election):
    n, ranks = election
    d = consensus.pairwise(ranks)
    winner = condorcet_winner(d)
    if winner is not None:
        assert consensus.schulze(d, list(range(n)))[0] == winner
        assert consensus.kemeny(d, list(range(n)))[0] == winner


@settings(max_examples=150, deadline=None)
@given(elections())
def test_kemeny_minimises_the_kendall_distance_to_the_ballots(election):
    n, ranks = election
    d = consensus.pairwise(ranks)
    order = consensus.kemeny(d, list(range(n)))

    def brute(candidate) -> int:
        # Kendall distance counted ballot by ballot, independently of the pairwise matrix.
        return sum(1 for row in ranks for a, b in itertools.combinations(candidate, 2)
                   if row[b] < row[a])

    assert sorted(order) == list(range(n))
    assert brute(order) == min(brute(p) for p in itertools.permutations(range(n)))
    assert consensus.kendall(order, d) == brute(order)


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(6)), st.integers(1, 30))
def test_unanimous_ballots_give_intervals_of_width_one(order, voters):
    ranks = np.array([[order.index(c) + 1 for c in range(6)]] * voters)
    intervals = consensus.bootstrap(ranks)
    assert intervals == [(order.index(c) + 1,) * 2 for c in range(6)]


def test_the_same_ballots_in_any_order_give_the_same_intervals():
    rng = np.random.default_rng(3)
    ranks = np.array([rng.permutation(8) + 1 for _ in range(60)])
    shuffled = ranks[rng.permutation(len(ranks))]
    assert consensus.bootstrap(ranks) == consensus.bootstrap(shuffled)
    assert consensus.seed_of(ranks) == consensus.seed_of(shuffled)


def test_an_even_split_is_too_close_to_call():
    ranks = matrix([(10, "ABC"), (10, "BAC")], "ABC")
    intervals = consensus.bootstrap(ranks)
    assert intervals[0] == (1, 2) and intervals[1] == (1, 2) and intervals[2] == (3, 3)
    assert consensus.too_close(intervals, [0, 1, 2]) == [(1, 2)]
