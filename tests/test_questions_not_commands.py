"""Questions that begin with a command's word are questions: commands only when the words fit."""

from __future__ import annotations

import pytest

from tests.conftest import DTL, ORGANISER, say


def asked(bot) -> list[str]:
    return [row["text"] for row in bot.db["questions"].rows]


QUESTIONS = [
    ("my clinical director never meets me, what can I do?", DTL),
    ("my data is stored in the cloud, is that a problem for the practices?", DTL),
    ("status of the DTL role after a year?", DTL),
    ("status of greater manchester's digital journey", DTL),
    ("rank the priorities for me", DTL),
    ("rank the best cloud telephony suppliers for a PCN", DTL),
    ("help me understand what ARRS pays for", DTL),
    ("help with the funding step please", DTL),
    ("privacy concerns about the digital front door?", DTL),
    ("audit of digital maturity across our practices", ORGANISER),
    ("audit requirements for clinical coding?", ORGANISER),
    ("toolkit for practice managers?", DTL),
    ("meetings in person, are there any?", DTL),
    ("ballot papers for the vote?", DTL),
    ("my ballot was lost, what now?", DTL),
    ("unanswered questions about funding", ORGANISER),
]


@pytest.mark.parametrize("text, user", QUESTIONS)
async def test_a_question_starting_with_a_command_word_is_answered_as_a_question(bot, text, user):
    (reply,) = await say(bot, text, user)
    # It went to answering (and so to `unanswered` if nothing fitted), not to the command.
    assert asked(bot) == [text]
    for command_reply in ("Here is everything I hold about you", "is not one of this poll's",
                          "Ask me a question in your own words, or use one of these commands",
                          "The last organiser actions", "No organiser actions recorded",
                          "There is no open poll", "Most frequent questions I could not answer",
                          "No unanswered questions"):
        assert command_reply not in reply.text


async def test_the_examples_from_the_issue_get_the_answer_they_ask_for(bot):
    (reply,) = await say(bot, "my clinical director never meets me, what can I do?")
    assert "clinical director" in reply.text.lower()
    (reply,) = await say(bot, "rank the priorities for me")
    assert "How to rank the priorities" in reply.text
    (reply,) = await say(bot, "help me understand what ARRS pays for")
    assert "ARRS" in reply.text and "one of these commands" not in reply.text


@pytest.mark.parametrize("text, expected", [
    ("help", "Ask me a question in your own words"),
    ("Help!", "Ask me a question in your own words"),
    ("help please", "Ask me a question in your own words"),
    ("please help?", "Ask me a question in your own words"),
    ("HELP.", "Ask me a question in your own words"),
    ("help glossary", "`glossary TERM`"),
    ("help my data", "`my data`"),
    ("my data", "Here is everything I hold about you"),
    ("My data?", "Here is everything I hold about you"),
    ("please, my data", "Here is everything I hold about you"),
    ("privacy", "privacy"),
    ("Privacy please", "privacy"),
    ("rank 1 2 3", "missing: 4."),
    ("rank telephony front-door", "missing:"),
    ("status 3 icb in-progress", "There is no open poll"),
    ("status 3 wizards in-progress", "I don't know who"),
    ("glossary ARRS?", "Additional Roles Reimbursement Scheme"),
])
async def test_a_command_s_own_words_still_run_the_command(bot, text, expected):
    if text.startswith(("rank", "status 3")):
        await say(bot, "poll start Priorities", ORGANISER)
        expected = "Saved" if expected == "There is no open poll" else expected
    (reply, *_) = await say(bot, text)
    assert expected.lower() in reply.text.lower()
    assert asked(bot) == []


async def test_the_audit_trail_needs_the_word_alone(bot):
    (reply,) = await say(bot, "audit", ORGANISER)
    assert "organiser actions" in reply.text
    (reply,) = await say(bot, "Audit?", ORGANISER)
    assert "organiser actions" in reply.text
    assert asked(bot) == []


async def test_a_command_s_family_is_offered_only_when_answering_fails_too(bot):
    (reply,) = await say(bot, "poll xyzzy plugh frobnicate", ORGANISER)
    assert "Did you mean one of these?" in reply.text and "`poll start" in reply.text
    assert "noted" in reply.text
    # Logged, so organisers hear of it.
    assert asked(bot) == ["poll xyzzy plugh frobnicate"]


async def test_a_person_is_not_offered_organisers_commands(bot):
    (reply,) = await say(bot, "poll xyzzy plugh frobnicate", DTL)
    assert "poll start" not in reply.text
