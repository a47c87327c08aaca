"""The console adapter: numbered buttons, forms as text, scripted input."""

import io

from adapters.console import Console, render, run_console
from bot.kernel.model import Action, Button, ChoiceField, Form, Option, Reply
from tests.conftest import DTL


def test_buttons_are_numbered_and_markup_is_removed():
    text = render(Reply("**Hi** see [the toolkit](https://example.org)",
                        buttons=(Button("One", Action("a")), Button("Two", Action("b")))))
    assert text.splitlines() == ["Hi see the toolkit (https://example.org)", "  [1] One",
                                 "  [2] Two"]


def test_a_form_is_shown_with_its_errors_and_the_words_that_do_the_same():
    form = Form("f", "Rank", fields=(ChoiceField("r", "Telephony", (Option("1", "1"),),
                                                 error="rank 1 is used twice"),),
                error="Two priorities share a rank", text_hint="Or type `rank 1 2 3`")
    text = render(Reply(form=form))
    assert "Two priorities share a rank" in text
    assert "rank 1 is used twice" in text
    assert "Or type rank 1 2 3" in text


async def test_typing_a_number_presses_that_button(bot):
    out = io.StringIO()
    console = Console(bot, DTL, out)
    await console.say("how often does the forum meet")
    assert "[1]" in out.getvalue()
    await console.say("1")
    related = bot.content.entries["forum-meetings"].related[0]
    assert bot.content.entries[related].title in out.getvalue()


async def test_scripted_input_stops_at_quit(bot):
    out = io.StringIO()
    await run_console(bot, DTL, io.StringIO("help\nquit\nhow often does the forum meet\n"), out)
    assert "glossary TERM" in out.getvalue()
    assert "every two months" not in out.getvalue()
