"""Participation: who could vote, `poll status`, nudges (by hand and on time, once each, across a
restart), `poll reminders off`, results shared at close and seen by everyone afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.app import create_bot
from bot.features.polls import store as polls
from bot.kernel.model import Conversation, Reply, User
from bot.kernel.scheduler import run_due
from tests.conftest import DTL, ORGANISER, say
from tests.fakes.polls import CHANNEL, in_channel

ALI = User("console", "ali", name="Ali")
CAL = User("console", "cal", name="Cal")
CLOSES = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


@dataclass
class Channel:
    """A console 'platform' whose adapter lists a channel's members and records posts."""

    people: list[User]
    posts: list[tuple[Conversation, list[Reply]]] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)

    async def members(self, conversation: Conversation) -> list[User] | None:
        return list(self.people) if conversation == CHANNEL else None

    async def __call__(self, conversation: Conversation, replies: list[Reply]) -> None:
        if conversation.id in self.fail_for:
            raise ConnectionError("platform down")
        self.posts.append((conversation, replies))

    def to(self, user_id: str) -> list[list[Reply]]:
        return [r for c, r in self.posts if c.id == user_id]


def attach(bot, people=(DTL, ALI, CAL, ORGANISER)) -> Channel:
    channel = Channel(list(people))
    bot.attach("console", channel, channel)
    return channel


async def start(bot, closes="2026-11-30 17:00"):
    (reply,) = await in_channel(bot, f"poll start Spring 2027 closes {closes}", ORGANISER)
    return reply


async def test_poll_status_counts_who_could_vote_and_names_who_has_not(bot):
    attach(bot)
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    await say(bot, "rank 1 2 3", ALI)  # not fully ranked: does not count yet
    (reply,) = await say(bot, "poll status", ORGANISER)
    assert "1 of the 4 people who could vote have voted" in reply.text
    assert "Not voted yet (3): Ali, Cal, Olu." in reply.text
    assert "Dana" not in reply.text
    assert "rank" not in reply.text.split("Not voted")[0].lower().replace("ranked", "")
    assert bot.db["polls"].get(1)["eligible"] == 4


async def test_poll_status_in_a_channel_counts_but_names_no_one(bot):
    attach(bot)
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    (reply,) = await in_channel(bot, "poll status", ORGANISER)
    assert "1 of the 4 people who could vote have voted" in reply.text
    assert "Not voted yet: 3." in reply.text and "direct chat" in reply.text
    assert not any(name in reply.text for name in ("Ali", "Cal", "Olu"))


async def test_without_a_roster_status_says_it_cannot_tell_who_has_not_voted(bot):
    await start(bot)
    (reply,) = await say(bot, "poll status", ORGANISER)
    assert "can't list who could vote" in reply.text
    from bot.features.polls.results import as_json

    poll = polls.find_poll(bot, "")
    assert as_json(poll.as_dict(), polls.compute(bot, poll))["participation"] == {
        "voted": 0, "eligible": None}


async def test_poll_nudge_messages_only_those_who_have_not_voted_with_date_and_button(bot):
    channel = attach(bot)
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    (reply,) = await say(bot, "poll nudge", ORGANISER)
    assert "to 3 of the 3 people who have not voted" in reply.text
    assert channel.to("dana") == []
    (nudge,) = channel.to("ali")[0]
    assert "Mon 30 Nov 2026, 17:00" in nudge.text and "poll reminders off" in nudge.text
    assert nudge.buttons[0].action.id == "ballot.open"
    assert {c.is_direct for c, _ in channel.posts} == {True}


async def test_automatic_nudges_go_once_each_never_after_voting_or_reminders_off(bot, clock):
    channel = attach(bot)
    await start(bot)
    await say(bot, "poll reminders off", CAL)
    clock.set(CLOSES - timedelta(hours=72))
    await run_due(bot)
    assert len(channel.to("ali")) == 1 and len(channel.to("dana")) == 1
    assert channel.to("cal") == []
    await run_due(bot)  # nothing new is due
    assert len(channel.to("ali")) == 1
    await say(bot, "rank 1 2 3 4 5 6 7 8")  # Dana votes between the nudges
    clock.set(CLOSES - timedelta(hours=24))
    await run_due(bot)
    assert len(channel.to("ali")) == 2 and len(channel.to("dana")) == 1
    assert channel.to("cal") == []
    clock.set(CLOSES - timedelta(hours=1))
    await run_due(bot)
    assert len(channel.to("ali")) == 2


async def test_a_restart_neither_loses_nor_repeats_a_nudge(bot, config, clock):
    channel = attach(bot)
    await start(bot)
    clock.set(CLOSES - timedelta(hours=72))
    poll = polls.open_poll(bot)
    from bot.features.polls import participation

    await participation.plan(bot, poll, "72h")  # planned, then the process stops before sending
    assert channel.posts == []
    bot.close()
    again = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        channel = attach(again)
        await run_due(again)
        assert sorted(c.id for c, _ in channel.posts) == ["ali", "cal", "dana", "olu"]
        channel.posts.clear()
        again.close()
        third = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
        channel = attach(third)
        await run_due(third)
        assert channel.posts == []
        third.close()
    finally:
        again.close()


async def test_a_nudge_that_fails_is_retried_later_and_sent_once(bot, clock):
    channel = attach(bot)
    channel.fail_for = {"ali"}
    await start(bot)
    clock.set(CLOSES - timedelta(hours=72))
    await run_due(bot)
    assert channel.to("ali") == []
    channel.fail_for = set()
    clock.advance(minutes=2)
    await run_due(bot)
    await run_due(bot)
    assert len(channel.to("ali")) == 1 and len(channel.to("dana")) == 1


async def test_empty_nudges_setting_turns_automatic_nudges_off(bot, clock):
    bot.config.polls.nudges = []
    channel = attach(bot)
    await start(bot)
    (reply,) = await say(bot, "poll status", ORGANISER)
    assert "Automatic nudges are off" in reply.text
    clock.set(CLOSES - timedelta(hours=1))
    await run_due(bot)
    assert channel.posts == []


async def test_reminder_choices_are_personal_data(bot):
    (reply,) = await say(bot, "poll reminders off")
    assert "won't send you poll reminders" in reply.text
    (reply,) = await say(bot, "my data")
    assert "turned poll reminders off" in reply.text
    await say(bot, "forget me confirm")
    assert bot.db["poll_reminders_off"].count == 0
    (reply,) = await say(bot, "poll reminders")
    assert "Usage" in reply.text
    # Other words after it are a question, not the command.
    (reply,) = await say(bot, "poll reminders sometimes")
    assert "Usage" not in reply.text and "poll reminders" not in reply.text


async def test_at_close_results_are_posted_where_announced_and_everyone_may_read_them(bot, clock):
    channel = attach(bot)
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    channel.posts.clear()
    clock.set(CLOSES)
    await run_due(bot)
    (posted,) = [r for c, r in channel.posts if c == CHANNEL]
    assert "Results: Spring 2027" in posted[0].text
    assert "1 of the 4 people who could vote has voted" in posted[0].text
    assert posted[0].image is not None
    (reply,) = await say(bot, "poll results")  # a DTL, now that it has closed
    assert "Results: Spring 2027" in reply.text
    channel.posts.clear()
    (reply,) = await say(bot, "poll share", ORGANISER)
    assert "Results shared where the poll was announced" in reply.text
    assert [c for c, _ in channel.posts] == [CHANNEL]


async def test_hidden_results_are_shown_to_nobody_until_the_poll_closes(bot):
    bot.config.polls.results_while_open = "hidden"
    await start(bot)
    (reply,) = await say(bot, "poll results", ORGANISER)
    assert "hidden until it closes" in reply.text
    (reply,) = await say(bot, "poll share", ORGANISER)
    assert "still open" in reply.text
    (reply,) = await say(bot, "poll export", ORGANISER)
    assert "ballots of \"Spring 2027\" are hidden until it closes" in reply.text
    assert reply.file is None
    await say(bot, "poll close", ORGANISER)
    (reply,) = await say(bot, "poll results", ORGANISER)
    assert "Results: Spring 2027" in reply.text


def test_bad_polls_settings_are_refused_with_the_key():
    import pytest

    from bot.features.polls.settings import PollsConfig
    from bot.kernel.config import ConfigError

    for bad, key in ((PollsConfig(nudges=["soon"]), "polls.nudges[0]"),
                     (PollsConfig(nudges=["24h", "1d"]), "polls.nudges[1]"),
                     # Too large for a timedelta: a named error, never an OverflowError.
                     (PollsConfig(nudges=["999999999999w"]), "polls.nudges[0]"),
                     (PollsConfig(results_while_open="everyone"), "polls.results_while_open")):
        with pytest.raises(ConfigError) as error:
            bad.validate()
        assert key in str(error.value)


async def test_the_introduction_mentions_an_open_poll_with_its_button(bot):
    newcomer = User("console", "newcomer")
    conversation = Conversation("console", "newcomer")
    (welcome,) = await bot.introduction(newcomer, conversation)
    await start(bot)
    welcome, note = await bot.introduction(newcomer, conversation)
    assert "Hello, I'm the DTL Forum Bot" in welcome.text
    assert "A priority poll is open now: \"Spring 2027\", open until Mon 30 Nov 2026, 17:00" in (
        note.text)
    assert note.buttons[0].action.id == "ballot.open"
