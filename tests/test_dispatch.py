"""The dispatcher: commands, organiser-only commands, unknown commands and failures."""

from bot.kernel.model import Action, Reply
from bot.kernel.registry import Turn
from tests.conftest import ORGANISER, press, say


async def test_help_lists_commands_and_hides_organiser_ones_from_dtls(bot):
    (reply,) = await say(bot, "help")
    assert "glossary TERM" in reply.text
    assert "unanswered" not in reply.text
    (reply,) = await say(bot, "HELP", ORGANISER)
    assert "unanswered" in reply.text


async def test_organiser_command_is_refused_to_a_dtl(bot):
    (reply,) = await say(bot, "unanswered")
    assert "Only forum organisers" in reply.text


async def test_unknown_subcommand_lists_the_family(bot):
    @bot.registry.command("demo one", help="first demo")
    async def one(turn: Turn) -> list[Reply]:
        return [Reply("one")]

    (reply,) = await say(bot, "demo frobnicate")
    assert "I don't know “demo frobnicate”" in reply.text
    assert "demo one" in reply.text


async def test_handler_failure_gives_an_apology_not_a_stack_trace(bot, caplog):
    @bot.registry.command("explode", help="fails")
    async def explode(turn: Turn) -> list[Reply]:
        raise RuntimeError("boom")

    (reply,) = await say(bot, "explode")
    assert "Sorry, something went wrong" in reply.text
    assert "boom" not in reply.text
    assert "Traceback" not in reply.text


async def test_stale_button_gets_a_clear_message(bot):
    (reply,) = await press(bot, Action("no-such-action"))
    assert "no longer in use" in reply.text


async def test_empty_message_gets_a_hint(bot):
    (reply,) = await say(bot, "   ")
    assert "help" in reply.text


async def test_example_question_button_is_answered(bot):
    (reply,) = await press(bot, Action("ask", value="How often does the DTL forum meet?"))
    assert "every two months" in reply.text
