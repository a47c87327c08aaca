"""Ballot checking: every invalid shape of a form or text ballot gets a message saying why."""

from __future__ import annotations

import pytest

from bot.features.polls.ballots import (
    BallotError,
    PollPriority,
    ballot_form,
    check_form,
    parse_rank,
    parse_status,
)

PRIORITIES = [PollPriority(n, pid, pid.title()) for n, pid in enumerate(
    ["telephony", "front-door", "websites", "it-systems", "workflows", "bi", "data-quality",
     "inclusion"], start=1)]
IDS = [p.id for p in PRIORITIES]


def ranks(order: list[str]) -> dict[str, str]:
    return {f"rank:{pid}": str(place) for place, pid in enumerate(order, start=1)}


def test_a_complete_form_is_accepted_with_leads_progress_and_pcn():
    values = ranks(IDS[::-1]) | {"lead:bi": "icb", "progress:bi": "embedded",
                                 "pcn": "  Riverside   PCN "}
    checked = check_form(PRIORITIES, values)
    assert checked.ok
    assert checked.items["inclusion"].rank == 1 and checked.items["telephony"].rank == 8
    assert (checked.items["bi"].lead, checked.items["bi"].progress) == ("icb", "embedded")
    assert checked.items["websites"].lead is None
    assert checked.pcn == "Riverside PCN"


def test_duplicate_ranks_mark_both_fields_and_name_the_other_priority():
    values = ranks(IDS)
    values["rank:bi"] = "2"
    checked = check_form(PRIORITIES, values)
    assert not checked.ok
    assert checked.field_errors["rank:bi"] == "Rank 2 is also given to 2. Front-Door."
    assert checked.field_errors["rank:front-door"] == "Rank 2 is also given to 6. Bi."
    assert "rank 2 used more than once; rank 6 not used" in checked.error


def test_missing_ranks_are_marked_on_their_fields():
    values = ranks(IDS)
    del values["rank:websites"]
    checked = check_form(PRIORITIES, values)
    assert checked.field_errors == {"rank:websites": "Choose a rank for this priority."}
    assert "rank 3 not used" in checked.error


@pytest.mark.parametrize("bad", ["9", "0", "-1", "two", "1.5"])
def test_out_of_range_or_non_numeric_ranks_are_refused(bad):
    values = ranks(IDS)
    values["rank:telephony"] = bad
    checked = check_form(PRIORITIES, values)
    assert checked.field_errors["rank:telephony"] == "The rank must be a whole number from 1 to 8."


def test_an_empty_form_is_refused_on_every_rank():
    checked = check_form(PRIORITIES, {})
    assert len(checked.field_errors) == 8
    assert "rank 1, 2, 3, 4, 5, 6, 7, 8 not used" in checked.error


def test_unknown_lead_or_stage_and_overlong_pcn_are_refused():
    values = ranks(IDS) | {"lead:bi": "aliens", "progress:bi": "finished", "pcn": "x" * 101}
    checked = check_form(PRIORITIES, values)
    assert set(checked.field_errors) == {"lead:bi", "progress:bi", "pcn"}
    assert "please correct the marked answers" in checked.error


def test_a_returned_form_keeps_valid_choices_but_not_impossible_ones():
    values = ranks(IDS) | {"rank:bi": "42", "lead:bi": "icb"}
    form = ballot_form(1, "Spring", PRIORITIES, values, error="bad",
                       field_errors={"rank:bi": "out of range"})
    fields = {f.id: f for f in form.fields}
    assert fields["lead:bi"].initial == "icb"
    assert fields["rank:bi"].initial is None  # not an option: platforms would reject it
    assert fields["rank:bi"].error == "out of range"
    assert form.has_errors


@pytest.mark.parametrize("text, expected", [
    ("", "Give all 8 priorities"),
    ("1 2 3 4 5 6 7 7", "Data-Quality appears twice"),
    ("1 2 3 4 5 6 7", "You listed 7 of the 8 priorities; missing: 8. Inclusion"),
    ("1 2 3 4 5 6 7 8 9", "“9” is out of range"),
    ("1 2 3 4 5 6 7 0", "“0” is out of range"),
    ("telephony 2 3 4 5 6 7 unicorns", "“unicorns” is not one of this poll's priorities"),
])
def test_bad_rank_commands_say_what_is_wrong(text, expected):
    with pytest.raises(BallotError) as caught:
        parse_rank(PRIORITIES, text)
    assert expected in str(caught.value)


def test_rank_accepts_numbers_ids_commas_and_any_case():
    order = parse_rank(PRIORITIES, "Inclusion, 7,6 5; 4 websites 2 1")
    assert order == {"inclusion": 1, "data-quality": 2, "bi": 3, "workflows": 4,
                     "it-systems": 5, "websites": 6, "front-door": 7, "telephony": 8}


@pytest.mark.parametrize("text, expected", [
    ("3 icb in-progress", ("websites", "icb", "in-progress")),
    ("3 ICB in progress", ("websites", "icb", "in-progress")),
    ("bi nobody yet not started", ("bi", "nobody", "not-started")),
    ("1 someone else planning", ("telephony", "pcn", "planning")),
    ("8 me embedded", ("inclusion", "dtl", "embedded")),
    ("2 practices not_started", ("front-door", "practices", "not-started")),
])
def test_status_understands_words(text, expected):
    priority, lead, progress = parse_status(PRIORITIES, text)
    assert (priority.id, lead, progress) == expected


@pytest.mark.parametrize("text, expected", [
    ("", "Type `status N LEAD PROGRESS`"),
    ("3", "Type `status N LEAD PROGRESS`"),
    ("3 wizards planning", "I don't know who “wizards” is"),
    ("3 icb", "I don't know the progress stage “nothing”"),
    ("3 icb nearly there", "I don't know the progress stage “nearly there”"),
    ("3 icb planning extra", "I don't know the progress stage “planning extra”"),
    ("0 icb planning", "out of range"),
])
def test_bad_status_commands_say_what_is_wrong(text, expected):
    with pytest.raises(BallotError) as caught:
        parse_status(PRIORITIES, text)
    assert expected in str(caught.value)
