"""A follow-up question ("so what made her a good fit?") is read with the question before it."""

from __future__ import annotations

from tests.conftest import DTL, ORGANISER, say

FIRST, THEN = "what is step 2 of the toolkit?", "and what should it include?"


async def test_a_follow_up_is_answered_with_the_question_before_it_as_context(bot):
    await say(bot, FIRST)
    (reply,) = await say(bot, THEN)
    assert "funding policy" in reply.text


async def test_the_same_words_alone_are_not_answered_from_that_context(bot):
    (reply,) = await say(bot, THEN)
    assert "funding policy" not in reply.text


async def test_a_follow_up_after_ten_minutes_stands_alone(bot, clock):
    await say(bot, FIRST)
    clock.advance(minutes=11)
    (reply,) = await say(bot, THEN)
    assert "funding policy" not in reply.text


async def test_someone_elses_question_is_not_the_context(bot):
    await say(bot, FIRST, ORGANISER)
    (reply,) = await say(bot, THEN, DTL)
    assert "funding policy" not in reply.text


async def test_the_follow_up_is_logged_as_typed(bot):
    await say(bot, FIRST)
    await say(bot, THEN)
    (logged,) = bot.db.execute("select text from questions order by id desc limit 1").fetchone()
    assert logged == THEN


async def test_a_question_that_stands_on_its_own_keeps_its_own_answer(bot):
    await say(bot, FIRST)
    (reply,) = await say(bot, "and how often does the forum meet?")
    assert "every two months" in reply.text

