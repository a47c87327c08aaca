"""Results arithmetic, tie-breaking, trend, JSON, chart and CSV, checked by hand and by property."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.polls.ballots import LEADS, PROGRESS, PollPriority
from bot.features.polls.chart import draw
from bot.features.polls.results import CSV_COLUMNS, TIE_BREAK, apply_trend, as_json, tally, to_csv
from tests.conftest import REPO


def priorities(ids: str) -> list[PollPriority]:
    return [PollPriority(n, pid, f"Priority {pid.upper()}") for n, pid in enumerate(ids, 1)]


def items(ballots: list[str]) -> list[tuple[str, int, None, None]]:
    """Ballots written as strings of ids, most important first."""
    return [(pid, place, None, None) for b in ballots for place, pid in enumerate(b, 1)]


def test_hand_checked_borda_mean_rank_first_places_and_top_three():
    results = tally(priorities("abcd"), items(["abcd", "bacd", "acbd"]), 3)
    got = {ln.priority.id: (ln.score, ln.mean_rank(3), ln.first_places, ln.top_three)
           for ln in results.lines}
    assert got == {"a": (11, 1.33, 2, 3), "b": (9, 2.0, 1, 3), "c": (7, 2.67, 0, 3),
                   "d": (3, 4.0, 0, 0)}
    assert [ln.priority.id for ln in results.lines] == ["a", "b", "c", "d"]


def test_eight_priorities_score_eight_for_first_down_to_one_for_last():
    results = tally(priorities("abcdefgh"), items(["hgfedcba"]), 1)
    assert [(ln.priority.id, ln.score) for ln in results.lines] == [
        ("h", 8), ("g", 7), ("f", 6), ("e", 5), ("d", 4), ("c", 3), ("b", 2), ("a", 1)]


def test_equal_scores_go_to_more_first_places():
    # b is listed first, a has the same score (9) but two first places to b's one.
    results = tally(priorities("bacd"), items(["abcd", "bcda", "acbd"]), 3)
    assert [(ln.priority.id, ln.score, ln.first_places) for ln in results.lines[:2]] == [
        ("a", 9, 2), ("b", 9, 1)]


def test_then_more_top_three_places():
    # a and b: 8 points and one first place each; a is in the top three three times, b twice.
    results = tally(priorities("bacd"), items(["cbad", "bcad", "acdb"]), 3)
    top = [(ln.priority.id, ln.score, ln.first_places, ln.top_three) for ln in results.lines]
    assert top[1:3] == [("a", 8, 1, 3), ("b", 8, 1, 2)]


def test_then_the_order_of_the_polls_list():
    results = tally(priorities("dcba"), items(["abcd", "badc"]), 2)
    assert [ln.priority.id for ln in results.lines] == ["b", "a", "d", "c"]
    assert "more first places, then more top-three places" in TIE_BREAK


def test_no_ballots_gives_zero_scores_and_no_mean_rank():
    results = tally(priorities("abcdefgh"), [], 0)
    data = as_json({"id": 1, "title": "T", "status": "open"}, results)
    assert data["responses"] == 0
    assert all(p["score"] == 0 and p["mean_rank"] is None for p in data["priorities"])


def test_trend_counts_places_moved_and_null_for_new_priorities():
    now = tally(priorities("abcz"), items(["cazb"]), 1)
    apply_trend(now, ["a", "b", "c"], "Spring")
    assert {ln.priority.id: ln.change for ln in now.lines} == {"c": 2, "a": -1, "z": None,
                                                               "b": -2}
    assert now.previous_title == "Spring"


def test_json_has_exactly_the_documented_fields():
    results = tally(priorities("abcdefgh"), [("a", 1, "icb", "planning")], 1)
    data = as_json({"id": 3, "title": "Spring", "status": "closed"}, results)
    assert set(data) == {"poll", "responses", "priorities", "methods", "methods_agree_top3",
                         "participation"}
    assert data["poll"] == {"id": 3, "title": "Spring", "status": "closed"}
    assert data["participation"] == {"voted": 1, "eligible": None}
    first = data["priorities"][0]
    assert set(first) == {"number", "id", "title", "score", "mean_rank", "first_places",
                          "top_three", "leads", "progress", "change", "rank_interval"}
    assert first["leads"] == {"dtl": 0, "pcn": 0, "practices": 0, "icb": 1, "nobody": 0}
    assert first["progress"] == {"not-started": 0, "planning": 1, "in-progress": 0,
                                 "embedded": 0}


ballot_lists = st.lists(
    st.tuples(st.permutations(list("abcdefgh")),
              st.lists(st.sampled_from([None] + [k for k, _, _ in LEADS]), min_size=8,
                       max_size=8),
              st.lists(st.sampled_from([None] + [k for k, _, _ in PROGRESS]), min_size=8,
                       max_size=8)),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(ballot_lists)
def test_scores_are_consistent_with_the_ballots(ballots):
    flat = [(pid, place, lead, stage)
            for order, leads, stages in ballots
            for place, (pid, lead, stage) in enumerate(zip(order, leads, stages, strict=True), 1)]
    n = len(ballots)
    results = tally(priorities("abcdefgh"), flat, n)
    by_id = {ln.priority.id: ln for ln in results.lines}
    for pid, line in by_id.items():
        places = [order.index(pid) + 1 for order, _, _ in ballots]
        assert line.score == sum(9 - p for p in places)
        assert line.first_places == places.count(1)
        assert line.top_three == sum(p <= 3 for p in places)
        if n:
            assert abs(line.mean_rank(n) - sum(places) / n) <= 0.005
            assert abs((9 - line.score / n) - sum(places) / n) < 1e-9
        assert sum(line.leads.values()) == sum(
            1 for order, leads, _ in ballots if leads[order.index(pid)] is not None)
    assert sum(ln.score for ln in results.lines) == 36 * n
    assert sum(ln.first_places for ln in results.lines) == n
    assert sum(ln.top_three for ln in results.lines) == 3 * n
    keys = [(-ln.score, -ln.first_places, -ln.top_three, ln.priority.number)
            for ln in results.lines]
    assert keys == sorted(keys)


def test_chart_is_a_non_empty_png_with_alt_text():
    results = tally(priorities("abcdefgh"),
                    [(pid, place, None, "planning") for place, pid in enumerate("hgfedcba", 1)],
                    1)
    image = draw("Spring 2027", results)
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n") and len(image.data) > 5000
    assert image.mime == "image/png"
    assert "Spring 2027" in image.alt and "1. Priority H, 8 points" in image.alt


def test_matplotlib_is_not_imported_until_a_chart_is_drawn():
    code = ("import sys, bot.app, bot.features.polls.store, bot.cli; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_csv_has_the_columns_and_neutralises_formulas():
    rows = [{"respondent": "r-1", "pcn": "=HYPERLINK(1)", "submitted_at": "2026-11-24",
             "priority_id": "a", "rank": 1, "lead": None, "progress": None}]
    data = to_csv({"id": 1, "title": "+Spring"}, priorities("a"), rows).decode()
    header, line = data.splitlines()
    assert tuple(header.split(",")) == CSV_COLUMNS
    assert line == "1,'+Spring,r-1,'=HYPERLINK(1),2026-11-24,1,a,Priority A,1,,"


def test_summary_lists_spreads_and_says_when_nobody_gave_any():
    from bot.features.polls.results import summary

    poll = {"id": 1, "title": "Spring", "status": "open"}
    text = summary(poll, tally(priorities("ab"), items(["ab", "ba"]), 2), "open")
    assert "**Who is leading each**: nobody has said yet." in text
    assert "- 1. Priority A: 3 points, mean rank 1.50, 1 first, 2 in top three" in text
    results = tally(priorities("ab"), [("a", 1, "icb", "planning"), ("b", 2, "icb", None),
                                       ("a", 2, "dtl", None), ("b", 1, None, None)], 2)
    text = summary(poll, results, "open")
    assert "- Priority A: The DTL 1, The ICB or another system partner 1" in text
    assert "- Priority B: The ICB or another system partner 1" in text
    assert "- Priority B: not given" in text  # progress


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.permutations(list(range(8))), max_size=12))
def test_stored_ballots_tally_to_the_same_scores(bot, orders):
    from bot.features.polls import store as polls
    from bot.features.polls.ballots import Item
    from bot.kernel.model import User

    bot.db.execute("update polls set status = 'closed'")
    listed = [{"id": p.id, "title": p.title, "description": ""} for p in bot.content.priorities]
    poll = polls.get_poll(bot, polls.insert_poll(bot, User("console", "olu"), "console:x",
                                                 "Property", None, listed))
    ids = [p.id for p in poll.priorities]
    for voter, order in enumerate(orders):
        items = {ids[index]: Item(rank=place) for place, index in enumerate(order, 1)}
        polls.save_ballot(bot, poll, User("slack", f"U{voter}"), items)
    results = polls.compute(bot, poll, trend=False)
    assert results.responses == len(orders)
    for line in results.lines:
        index = ids.index(line.priority.id)
        assert line.score == sum(9 - (order.index(index) + 1) for order in orders)


def test_chart_says_one_response_and_one_point_and_marks_intervals_and_agreement():
    import numpy as np

    from bot.features.polls.results import apply_consensus

    ps = priorities("abcdefgh")
    results = tally(ps, items(["abcdefgh"]), 1)
    apply_consensus(results, ps, np.array([[1, 2, 3, 4, 5, 6, 7, 8]]))
    image = draw("Spring 2027", results)
    assert "(1 response)" in image.alt and "8. Priority H, 1 point;" not in image.alt
    assert "8. Priority H, 1 point." in image.alt
    assert "agree with Borda on the top three" in image.alt and "95% interval" in image.alt
