"""A refusal ("I don't know") offers nothing unrelated to press."""

from tests.conftest import say


async def test_a_question_the_bot_cannot_answer_offers_no_unrelated_topics(bot):
    [reply] = await say(bot, "How do I set up GP Connect for our practices?")
    assert reply.text.startswith("Sorry, I don't know the answer to that")
    assert reply.buttons == ()
