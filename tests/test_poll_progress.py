"""Progress over the year: `poll progress [POLL] [since POLL]` and the private `my progress`."""

from __future__ import annotations

from bot.kernel.model import User
from tests.conftest import DTL, ORGANISER, say
from tests.fakes.polls import in_channel

ALI = User("console", "ali", name="Ali")


async def round_of(bot, clock, title, dana, ali, days_later=0):
    clock.advance(days=days_later)
    await in_channel(bot, f"poll start {title}", ORGANISER)
    await say(bot, f"rank {dana}")
    await say(bot, "status 1 icb planning" if "Spring 2026" in title else
              "status 1 pcn embedded")
    await say(bot, f"rank {ali}", ALI)
    await in_channel(bot, "poll close", ORGANISER)


async def test_progress_compares_the_newest_closed_poll_with_one_a_year_before(bot, clock):
    await round_of(bot, clock, "Spring 2026", "1 2 3 4 5 6 7 8", "1 2 3 4 5 6 7 8")
    await round_of(bot, clock, "Autumn 2026", "2 1 3 4 5 6 7 8", "2 1 3 4 5 6 7 8", 180)
    await round_of(bot, clock, "Spring 2027", "2 1 3 4 5 6 7 8", "2 3 1 4 5 6 7 8", 190)
    (reply,) = await say(bot, "poll progress")
    assert "**Progress: Spring 2027** (2 responses) since **Spring 2026**" in reply.text
    telephony = next(ln for ln in reply.text.splitlines() if "Cloud-based telephony" in ln)
    assert "place 1 → 2" in telephony
    assert "led by The ICB or another system partner → Someone else in the PCN" in telephony
    assert "Planning 100% → 0%" in telephony and "Embedded 0% → 100%" in telephony
    assert reply.image is not None and "Autumn 2026" in reply.image.alt
    (reply,) = await say(bot, "poll progress spring 2027 since autumn")
    assert "since **Autumn 2026**" in reply.text


async def test_without_a_poll_a_year_before_progress_uses_the_previous_one(bot, clock):
    await round_of(bot, clock, "Spring 2026", "1 2 3 4 5 6 7 8", "1 2 3 4 5 6 7 8")
    await round_of(bot, clock, "Autumn 2026", "2 1 3 4 5 6 7 8", "2 1 3 4 5 6 7 8", 30)
    (reply,) = await say(bot, "poll progress")
    assert "Autumn 2026** (2 responses) since **Spring 2026**" in reply.text


async def test_progress_explains_when_there_is_nothing_to_compare(bot, clock):
    (reply,) = await say(bot, "poll progress")
    assert "No poll has closed" in reply.text
    await round_of(bot, clock, "Spring 2026", "1 2 3 4 5 6 7 8", "1 2 3 4 5 6 7 8")
    (reply,) = await say(bot, "poll progress")
    assert "first closed poll" in reply.text
    (reply,) = await say(bot, "poll progress since nothing-like-this")
    assert "can't find a poll" in reply.text


async def test_my_progress_shows_only_my_own_ballots_and_only_in_a_direct_chat(bot, clock):
    await round_of(bot, clock, "Spring 2026", "1 2 3 4 5 6 7 8", "8 7 6 5 4 3 2 1")
    await round_of(bot, clock, "Spring 2027", "2 1 3 4 5 6 7 8", "8 7 6 5 4 3 2 1", 365)
    (reply,) = await say(bot, "my progress", DTL)
    assert "Cloud-based telephony: #1, Planning → #2, Embedded" in reply.text
    assert "#8" in reply.text and "Spring 2026" in reply.text
    (reply,) = await in_channel(bot, "my progress", DTL)
    assert "only shown in a direct chat" in reply.text
    (reply,) = await say(bot, "my progress", User("console", "zed"))
    assert "haven't voted" in reply.text
