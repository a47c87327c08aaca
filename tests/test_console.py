"""The console adapter: numbered buttons, forms as text, scripted input."""

import io

from adapters.console import NOTHING_TO_CHOOSE, Console, render, run_console
from bot.kernel.model import Action, Button, ChoiceField, Form, Option, Reply
from tests.conftest import DTL, ORGANISER, say


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


def test_lines_wrap_at_word_boundaries_to_the_terminal_width():
    text = ("**How often the DTL forum meets**\nThe forum meets online every two months, "
            "so type `next meeting` to see the date.\n- a bullet that is long enough to wrap "
            "onto a second line\n- 1. a numbered item that also wraps onto another line")
    shown = render(Reply(text, buttons=(Button("A related topic with a long title", Action("t")),)),
                   width=30)
    assert shown.splitlines() == [
        "How often the DTL forum meets",
        "The forum meets online every",
        "two months, so type next",
        "meeting to see the date.",
        "- a bullet that is long enough",
        "  to wrap onto a second line",
        "1. a numbered item that also",
        "   wraps onto another line",
        "  [1] A related topic with a",
        "      long title",
    ]


def test_the_markdown_subset_is_drawn_for_a_terminal():
    reply = Reply("**Bold** then `code` and [the toolkit](https://example.org/t) _too_")
    assert render(reply) == "Bold then code and the toolkit (https://example.org/t) too"
    styled = render(reply, styled=True)
    assert "\x1b[1mBold\x1b[0m" in styled and "`" not in styled
    assert "\x1b[4mthe\x1b[0m \x1b[4mtoolkit\x1b[0m (https://example.org/t)" in styled


async def test_piped_input_is_echoed_before_its_replies(bot):
    out = io.StringIO()
    await run_console(bot, DTL, io.StringIO("help\n\nhow often does the forum meet\n"), out)
    shown = out.getvalue()
    assert shown.startswith("> help\n")
    assert shown.index("> how often does the forum meet") < shown.index("every two months")
    assert "> \n" not in shown


async def test_a_number_with_no_buttons_to_press_says_there_is_nothing_to_choose(bot):
    out = io.StringIO()
    console = Console(bot, DTL, out)
    await console.say("1")
    assert out.getvalue().strip() == NOTHING_TO_CHOOSE.replace("`", "")
    await console.say("how often does the forum meet")
    await console.say("99")
    assert "Choose a number from 1 to" in out.getvalue()
    assert "Step 1" not in out.getvalue()


async def test_in_a_terminal_a_form_is_asked_field_by_field_with_numbered_choices(bot):
    await say(bot, "poll start Spring 2027", ORGANISER)
    out = io.StringIO()
    console = Console(bot, DTL, out, ask_forms=True)
    await console.say("ballot")
    shown = out.getvalue()
    assert "== Rank your priorities ==" in shown
    # Each priority's name heads its three fields (rank, lead, progress).
    assert "* Cloud-based telephony (#1)\n(1 of 25) Rank" in shown
    assert "  1) 1 (most important)" in shown
    assert console.prompt() == "answer> "
    await console.say("")  # a rank is needed
    assert "This one is needed" in out.getvalue()
    # Two priorities ranked 1: the ballot comes back and only those two are asked again.
    ranks = ["1", "1", "3", "4", "5", "6", "7", "8"]
    for rank in ranks:
        await console.say(rank)
        await console.say("")  # who is leading it: skipped
        await console.say("")  # how far along: skipped
    await console.say("North PCN")
    again = out.getvalue()
    assert "rank 1 used more than once" in again
    assert "(1 of 2)" in again
    await console.say("1")
    await console.say("2")
    assert "is saved" in out.getvalue()
    assert console.filling is None and console.prompt() == "you> "
    [ballot] = await say(bot, "my ballot")
    assert "North PCN" in ballot.text


async def test_cancel_stops_a_form_without_sending_it(bot):
    await say(bot, "poll start Spring 2027", ORGANISER)
    out = io.StringIO()
    console = Console(bot, DTL, out, ask_forms=True)
    await console.say("ballot")
    await console.say("cancel")
    assert "Stopped: Rank your priorities was not sent." in out.getvalue()
    assert console.filling is None
