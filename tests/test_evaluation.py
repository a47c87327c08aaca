"""The independent evaluation set holds its measured level (bench/qa.py has the figures).

The dev half (odd ids) was tuned on; the held-out half (even ids) never was: it is measured
here only through totals, with the expect-keyword grader of bench/qa.py.
"""

from __future__ import annotations

import sys

import pytest

from bot.kernel.answers import AnswerIndex
from bot.kernel.content import load_content
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import qa as bench  # noqa: E402

# Measured with bench/qa.py (lexical engine, shipped content with content/asked.toml) at the end
# of the tenth session on 2026-12-04: in-scope right 86 of 94, out-of-scope refused 30 of 33.
# A small margin for harmless changes in ranking.
HELD_OUT_IN_SCOPE, HELD_OUT_REFUSED, MARGIN = 86, 30, 2
# Sets A-D, F-J, L-N, O, P-Z, AA-AN, AQ-AZ, BA-BF, BI-BK, BM-BR, BT-BZ and CA-CE, tuned on and
# taught since their first run (a regression guard, not a measure): in scope right, out of scope
# refused (their out-of-scope questions are in content/declined.toml), as measured then.
LATER_SETS = {"A": (108, 50), "B": (107, 50), "C": (99, 50), "D": (97, 50), "F": (99, 50),
              "G": (99, 50), "H": (99, 50), "J": (100, 50), "L": (100, 50), "M": (99, 50),
              "N": (100, 50), "O": (94, 50), "P": (100, 50), "Q": (98, 49), "R": (99, 50),
              "S": (78, 68), "T": (100, 50), "U": (99, 49), "V": (99, 50), "W": (99, 50),
              "X": (99, 50), "Y": (95, 50), "Z": (91, 50), "AA": (94, 50),
              "AB": (93, 50), "AC": (97, 50), "AD": (89, 49), "AE": (94, 48),
              "AF": (98, 50), "AG": (96, 50), "AH": (94, 49), "AI": (96, 50),
              "AJ": (96, 50), "AK": (97, 50), "AL": (91, 49), "AM": (94, 49),
              "AN": (97, 50), "AQ": (97, 50), "AR": (97, 49), "AS": (96, 50),
              "AT": (98, 50), "AU": (95, 50), "AV": (98, 48), "AW": (49, 100),
              "AX": (48, 100), "AY": (48, 98), "AZ": (95, 50), "BA": (95, 50),
              "BB": (56, 86), "BC": (58, 88), "BD": (85, 59), "BE": (58, 89),
              "BF": (57, 88), "BI": (98, 50), "BK": (99, 50), "BJ": (96, 49),
              "BM": (98, 49), "BN": (98, 49), "BO": (100, 50), "BP": (95, 50),
              "BQ": (96, 50), "BR": (98, 49), "BT": (50, 100),
              "BU": (49, 98), "BV": (49, 98), "BW": (48, 99), "BX": (50, 98),
              "BY": (48, 98), "BZ": (50, 99), "CA": (48, 98), "CB": (49, 99),
              "CC": (47, 98), "CD": (50, 99), "CE": (49, 99)}
# Sets E, K, AO, AP, BG, BH, BL and BS, never tuned on nor taught (held out), as measured at the
# end of the tenth session (BL and BS, written during it, for the first time).
FRESH_SETS = {"E": (77, 39), "K": (98, 48), "AO": (94, 50), "AP": (94, 48), "BG": (93, 50),
              "BH": (70, 71), "BL": (95, 47), "BS": (96, 48)}
# Out-of-scope in the set, answered on purpose: the glossary expands ARRS (common knowledge;
# the seeds use the acronym without spelling it out).
ANSWERED_ON_PURPOSE = {"i173"}


@pytest.fixture(scope="module")
def index() -> AnswerIndex:
    return AnswerIndex(load_content(REPO / "content"))


def test_the_split_is_odd_dev_and_even_held_out_and_covers_the_whole_set():
    questions = bench.independent()
    assert len(questions) >= 200
    assert len({q["id"] for q in questions}) == len(questions)
    halves = {bench.half(q) for q in questions}
    assert halves == {"dev", "held-out"}
    assert sum(q["scope"] == "out" for q in questions) >= 50


def test_the_topic_mapping_covers_the_dev_half_only():
    topics = bench.dev_topics()
    dev_in = {q["id"] for q in bench.independent() if bench.half(q) == "dev" and q["scope"] == "in"}
    assert set(topics) == dev_in


def test_the_held_out_half_stays_at_its_measured_level(index):
    held = [q for q in bench.independent() if bench.half(q) == "held-out"]
    result = bench.grade(index, held, {})
    assert result["in"] >= HELD_OUT_IN_SCOPE - MARGIN
    assert result["out"] >= HELD_OUT_REFUSED - MARGIN


@pytest.mark.parametrize("name", sorted(LATER_SETS))
def test_the_later_sets_stay_at_their_tuned_level(index, name):
    questions = bench.later_sets()[name]
    assert len(questions) >= 150 and sum(q["scope"] == "out" for q in questions) >= 50
    result = bench.grade(index, questions, {})
    right, refused = LATER_SETS[name]
    assert result["in"] >= right - MARGIN
    assert result["out"] >= refused - MARGIN


@pytest.mark.parametrize("name", sorted(FRESH_SETS))
def test_the_sets_never_tuned_on_stay_at_their_measured_level(index, name):
    result = bench.grade(index, bench.fresh_sets()[name], {})
    right, refused = FRESH_SETS[name]
    assert result["in"] >= right - MARGIN
    assert result["out"] >= refused - MARGIN


def test_every_out_of_scope_dev_question_is_refused(index):
    dev = [q for q in bench.independent() if bench.half(q) == "dev" and q["scope"] == "out"]
    answered = {q["id"] for q in dev if index.ask(q["text"]).answered}
    assert answered <= ANSWERED_ON_PURPOSE


def test_every_out_of_scope_question_of_the_old_set_is_refused(index):
    answered = [q["text"] for q in bench.evaluation()
                if not q["topic"] and index.ask(q["text"]).answered]
    assert answered == []


@pytest.mark.parametrize("expect, text, right", [
    ("over 100", "Over 100 DTLs met.", True),
    ("every two months online", "The forum meets online every two months.", True),
    ("Dr Neil Paul, LinkedIn", "Connect with Dr Neil Paul on LinkedIn.", True),
    ("Dr Neil Paul, LinkedIn, forum", "Connect on LinkedIn.", False),
    ("Cheshire", "It is in Greater Manchester.", False),
])
def test_the_expect_grader_wants_half_the_key_words(expect, text, right):
    assert bench.expect_right(expect, text) is right
