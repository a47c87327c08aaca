"""Words a new user reads: UK times, examples from today, plurals, places named as people do."""

import re
from datetime import datetime

from bot.kernel.model import Conversation, Incoming, User
from tests.conftest import DTL, ORGANISER, say


async def test_audit_shows_uk_time_and_a_poll_closing_time_says_uk_time(bot):
    [opened] = await say(bot, "poll start Spring 2027 closes 2027-03-31", ORGANISER)
    assert "Wed 31 Mar 2027, 23:59 UK time" in opened.text
    [audit] = await say(bot, "audit", ORGANISER)
    assert "UK time, Olu (console): poll start" in audit.text
    assert "closes Wed 31 Mar 2027, 23:59 UK time" in audit.text
    assert "+00:00" not in audit.text and "UTC" not in audit.text


async def test_help_examples_are_dated_after_today(bot, clock):
    [shown] = await say(bot, "help", ORGANISER)
    [example] = re.findall(r"meeting add (\d{4}-\d\d-\d\d)", shown.text)
    assert datetime.fromisoformat(example).date() > clock.now().date()
    [refused] = await say(bot, "meeting add someday", ORGANISER)
    [day] = re.findall(r"e\.g\. (\d{4}-\d\d-\d\d)", refused.text)
    assert datetime.fromisoformat(day).date() > clock.now().date()


async def test_counts_read_as_words_not_with_brackets(bot):
    await say(bot, "what is ARRS")
    [data] = await say(bot, "my data")
    [done] = await say(bot, "forget me confirm")
    for text in (data.text, done.text):
        assert "(s)" not in text
    assert "Unlinked 1 question from you" in done.text


async def test_results_name_the_dtl_as_organisers_read_it(bot):
    await say(bot, "poll start Spring 2027", ORGANISER)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    await say(bot, "status 1 dtl planning")
    [results, *_] = await say(bot, "poll results", ORGANISER)
    assert "The DTL 1" in results.text and "You (the DTL)" not in results.text
    assert "1 response" in results.text and "1 responses" not in results.text
    if results.image is not None:
        assert "(1 response)" in results.image.alt


async def test_reminders_status_names_a_direct_chat_as_a_person_would(bot):
    person = User("webchat", "dana", name="Dana", is_organiser=True)
    here = Conversation("webchat", "dana", is_direct=True)
    await bot.handle(Incoming(person, here, text="reminders here on"))
    [status] = await say(bot, "reminders status", ORGANISER)
    assert "one person's direct chat in the web chat" in status.text
    assert "on webchat" not in status.text
    assert DTL.id not in status.text


def copy_content(tmp_path, source_url_line):
    import shutil
    from pathlib import Path

    target = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", target)
    entry = target / "entries" / "forum-meetings.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace(
        "id: forum-meetings\n", f"id: forum-meetings\n{source_url_line}\n", 1), encoding="utf-8")
    return target


def test_an_entry_may_name_its_source_url_and_a_bad_one_is_a_content_problem(tmp_path):
    from bot.kernel.content import ContentError, load_content

    good = load_content(copy_content(tmp_path / "a", "source_url: https://example.org/dtl"))
    assert good.entries["forum-meetings"].source_url == "https://example.org/dtl"
    assert good.entries["forum-join"].source_url == ""
    try:
        load_content(copy_content(tmp_path / "b", "source_url: javascript:alert(1)"))
    except ContentError as exc:
        assert "'source_url' must be a link starting with https://" in str(exc)
    else:
        raise AssertionError("a javascript: source_url was accepted")
