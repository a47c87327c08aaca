"""Live facts: meeting questions answered from the configured schedule; glossary answers offer
related topics like any other answer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.features.meetings.commands import rule_in_words
from tests.conftest import say
from tests.meetings_helpers import configure_forum


@pytest.fixture
def config(config):
    return configure_forum(config)


@pytest.mark.parametrize("question", [
    "how often does the forum meet",
    "How often do DTLs meet?",
    "how frequently does the DTL forum get together?",
    "what's the forum meeting schedule",
])
async def test_how_often_the_forum_meets_comes_from_the_schedule(bot, question):
    (reply,) = await say(bot, question)
    assert reply.text.startswith(
        "The forum meets every two months, on the second Thursday, online; "
        "the next meeting is Thursday 14 January 2027, 13:00 GMT."
    )
    assert "gives no day or time" not in reply.text


async def test_a_question_about_past_meetings_still_gets_the_content(bot):
    (reply,) = await say(bot, "how many came to the first forum meeting")
    assert "over 100" in reply.text


def test_rules_in_plain_words():
    assert rule_in_words("FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH") == (
        "every two months, on the second Thursday")
    assert rule_in_words("FREQ=WEEKLY;BYDAY=TU") == "every week, on Tuesdays"
    assert rule_in_words("FREQ=MONTHLY;BYDAY=-1FR") == "every month, on the last Friday"
    assert rule_in_words("nonsense") == "regularly"


async def test_without_a_schedule_the_content_answers(bot):
    bot.config.forum.rrule = ""
    bot.config.forum.start = None
    (reply,) = await say(bot, "how often does the forum meet")
    assert "every two months" in reply.text and "_Source:" in reply.text


async def test_a_glossary_answer_offers_related_topics(bot):
    (reply,) = await say(bot, "what is DERI?")
    assert "Digital Exclusion Risk Index" in reply.text
    assert [b.label for b in reply.buttons] == ["Step 4: digital inclusion (and the DERI tool)"]
    (reply,) = await say(bot, "glossary SMASH")
    assert reply.buttons[0].label == "What SMASH PCN is"


def test_ask_json_lists_a_glossary_answer_s_related_topics():
    result = CliRunner().invoke(cli, ["ask", "--json", "what is DERI?"])
    assert json.loads(result.output)["related"] == ["step-digital-inclusion"]
