"""Small talk gets a short friendly reply and never clutters `unanswered`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.kernel.answers.smalltalk import smalltalk
from tests.conftest import DTL, ORGANISER, say

SMALLTALK = {
    "greeting": ["hi", "Hello!", "hey there", "Good morning", "hi, how are you?", "hiya"],
    "thanks": ["thanks", "Thank you!", "cheers", "thanks, that's really helpful", "ta",
               "great, thanks", "thanks for your help", "thanks thats great",
               "thanks, that's been really helpful!"],
    "who": ["who are you?", "Are you a bot?", "what's your name", "what are you",
            "are you a real person or a bot?", "what's your name, are you a real person",
            "who are you and who made you?",
            "Are you a bot, or is someone at the ICB reading all this?",
            "r u an actual person or just a bot lol", "are you just a bot then"],
    "abilities": ["what can you do?", "What can you help me with?", "how can you help",
                  "what can I ask you?"],
    "ack": ["ok", "lol ok", "lol", "haha", "fair enough", "makes sense", "understood",
            "ok thanks lol", "got it, cheers", "noted"],
    "goodbye": ["bye", "Goodbye!", "see you later", "ok thanks, bye", "thanks thats all for now"],
}
EVERY = [(kind, text) for kind, texts in SMALLTALK.items() for text in texts]


@pytest.mark.parametrize("kind, text", EVERY)
async def test_small_talk_gets_a_friendly_reply_and_is_not_logged(bot, kind, text):
    bot.first_contact(DTL)  # introduced already
    (reply,) = await say(bot, text)
    assert "Sorry, I don't know" not in reply.text
    assert bot.db["questions"].count == 0
    expected = {"greeting": "Hello", "thanks": "welcome", "who": "DTL Forum Bot",
                "abilities": "`help`", "ack": "Ask me anything else", "goodbye": "Bye"}[kind]
    assert expected in reply.text


async def test_a_first_greeting_gets_the_introduction_with_its_examples(bot):
    (reply,) = await say(bot, "hello")
    assert "I'm the DTL Forum Bot" in reply.text and len(reply.buttons) == 3
    (reply,) = await say(bot, "hello")
    assert reply.text.startswith("Hello!")


async def test_a_greeting_before_a_question_is_answered_as_the_question(bot):
    (reply,) = await say(bot, "hi, how do I join the forum?")
    assert "LinkedIn" in reply.text


async def test_small_talk_is_not_in_unanswered(bot):
    for text in ("hi", "thanks", "who are you?", "what can you do?", "bye"):
        await say(bot, text)
    (reply,) = await say(bot, "unanswered", ORGANISER)
    assert reply.text == "No unanswered questions so far."


def test_ask_json_says_smalltalk():
    result = CliRunner().invoke(cli, ["ask", "--json", "thanks!"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["reason"] == "smalltalk" and data["answered"] is False
    assert "welcome" in data["text"]


def test_a_long_run_of_small_talk_words_before_a_question_is_read_at_once():
    # Each word matched one way only: a message of thousands of "ha"s ends in a verdict, not a
    # regex that backtracks for ever.
    assert smalltalk("ha " * 3000 + "what is DERI") is None
    assert smalltalk("ha " * 3000) == "ack"
