"""The kernel's delivery outbox: each proactive message sent once, through crashes, failing
platforms, a missing adapter and `forget me` in between."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.app import create_bot
from bot.kernel.context import Bot, NoSender
from bot.kernel.delivery import INTERRUPTED, SENDING_STALE, Outbox, Skip, stamp
from bot.kernel.model import Conversation, Reply, User
from bot.kernel.scheduler import run_due
from tests.conftest import DTL, ORGANISER, say
from tests.fakes.platform import RecordingSender
from tests.fakes.polls import CHANNEL, in_channel

TABLE = "test_outbox"
OUTBOX = Outbox(TABLE, "test message")


@pytest.fixture
def sender(bot: Bot) -> RecordingSender:
    fake = RecordingSender()
    bot.senders["fake"] = fake
    return fake


def make_table(bot: Bot) -> None:
    bot.db[TABLE].create(
        {"id": int, "person": str, "status": str, "attempts": int, "next_attempt_at": str,
         "last_error": str, "sent_at": str, "updated_at": str},
        pk="id", if_not_exists=True)


def queue(bot: Bot, *people: str) -> None:
    """What a feature does first: one pending row per message owed, before any is sent."""
    make_table(bot)
    now = stamp(bot.clock.now())
    bot.db[TABLE].insert_all(
        {"person": person, "status": "pending", "attempts": 0, "next_attempt_at": now,
         "last_error": None, "sent_at": None, "updated_at": now} for person in people)


def compose(row: dict) -> tuple[Conversation, list[Reply]]:
    return Conversation("fake", row["person"]), [Reply(f"Hello {row['person']}")]


def rows(bot: Bot) -> dict[str, dict]:
    return {row["person"]: row for row in bot.db[TABLE].rows}


async def test_a_delivery_left_sending_by_a_crash_is_never_sent_again_and_ends_failed(
        bot, config, clock):
    queue(bot, "ali")

    async def dies_mid_send(conversation: Conversation, replies: list[Reply]) -> None:
        raise asyncio.CancelledError  # the process stops before the platform answers

    bot.senders["fake"] = dies_mid_send
    crashed_at = clock.now()
    with pytest.raises(asyncio.CancelledError):
        await OUTBOX.send_due(bot, compose)
    assert rows(bot)["ali"]["status"] == "sending"
    bot.close()

    again = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        sender = RecordingSender()
        again.senders["fake"] = sender
        clock.advance(minutes=5)
        assert await OUTBOX.send_due(again, compose) == {}
        assert rows(again)["ali"]["status"] == "sending"
        # The scheduler wakes when the window is over, and the message is given up, unsent:
        # it may have reached the platform before the crash.
        assert OUTBOX.next_due(again) == crashed_at + SENDING_STALE
        clock.set(crashed_at + SENDING_STALE)
        await OUTBOX.send_due(again, compose)
        row = rows(again)["ali"]
        assert (row["status"], row["last_error"]) == ("failed", INTERRUPTED)
        assert sender.posts == []
        assert OUTBOX.next_due(again) is None
    finally:
        again.close()


async def test_retries_back_off_and_give_up_after_the_limit(bot, clock, sender):
    queue(bot, "ali")
    sender.fail_next = 1000
    start = clock.now()
    tried_at, outcomes = [], []
    while (due := OUTBOX.next_due(bot)) is not None:
        clock.set(max(due, clock.now()))
        tried_at.append(clock.now() - start)
        outcomes.append(await OUTBOX.send_due(bot, compose))
    assert tried_at == [timedelta(minutes=m) for m in (0, 1, 3, 7, 15)]
    assert outcomes == [{"retrying": 1}] * 4 + [{"failed": 1}]
    row = rows(bot)["ali"]
    assert (row["status"], row["attempts"]) == ("failed", 5)
    assert "429" in row["last_error"]
    assert sender.posts == []


async def test_a_platforms_retry_after_is_waited_for_when_longer_than_the_backoff(
        bot, clock, sender):
    queue(bot, "ali")
    sender.fail_next, sender.retry_after = 1, 600
    start = clock.now()
    await OUTBOX.send_due(bot, compose)
    assert OUTBOX.next_due(bot) == start + timedelta(minutes=10)
    clock.advance(minutes=5)
    await OUTBOX.send_due(bot, compose)
    assert sender.posts == []
    clock.advance(minutes=5)
    await OUTBOX.send_due(bot, compose)
    assert len(sender.posts) == 1


async def test_a_send_with_no_adapter_running_is_retried_and_then_sent_once(bot, clock):
    queue(bot, "ali")
    assert "fake" not in bot.senders
    assert await OUTBOX.send_due(bot, compose) == {"retrying": 1}
    row = rows(bot)["ali"]
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "NoSender" in row["last_error"]
    sender = RecordingSender()
    bot.senders["fake"] = sender
    clock.advance(minutes=1)
    assert await OUTBOX.send_due(bot, compose) == {"sent": 1}
    assert rows(bot)["ali"]["attempts"] == 2
    assert sender.texts() == ["Hello ali"]


async def test_an_error_named_final_ends_the_delivery_at_the_first_attempt(bot):
    queue(bot, "ali")
    final = Outbox(TABLE, "test message", final_errors=(NoSender,))
    assert await final.send_due(bot, compose) == {"failed": 1}
    assert rows(bot)["ali"]["status"] == "failed"
    assert final.next_due(bot) is None


async def test_a_failed_send_is_retried_and_the_message_arrives_once(bot, clock, sender):
    queue(bot, "ali", "bea")
    sender.fail_next = 1
    assert await OUTBOX.send_due(bot, compose) == {"retrying": 1, "sent": 1}
    clock.advance(minutes=1)
    assert await OUTBOX.send_due(bot, compose) == {"sent": 1}
    assert sorted(sender.texts()) == ["Hello ali", "Hello bea"]


async def test_an_error_composing_the_message_counts_as_a_failed_attempt(bot, sender):
    queue(bot, "ali", "bea")

    def fragile(row: dict) -> tuple[Conversation, list[Reply]]:
        if row["person"] == "ali":
            raise KeyError("gone")
        return compose(row)

    assert await OUTBOX.send_due(bot, fragile) == {"retrying": 1, "sent": 1}
    assert rows(bot)["ali"]["last_error"] == "KeyError: 'gone'"
    assert sender.texts() == ["Hello bea"]


async def test_a_sent_delivery_is_never_sent_twice(bot, config, clock, sender):
    queue(bot, "ali")
    assert await OUTBOX.send_due(bot, compose) == {"sent": 1}
    row = rows(bot)["ali"]
    assert (row["status"], row["attempts"], row["sent_at"]) == ("sent", 1, stamp(clock.now()))
    assert OUTBOX.next_due(bot) is None
    clock.advance(hours=1)
    assert await OUTBOX.send_due(bot, compose) == {}
    assert not OUTBOX.claim(bot, row["id"])
    bot.close()
    again = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        again.senders["fake"] = sender
        assert await OUTBOX.send_due(again, compose) == {}
    finally:
        again.close()
    assert len(sender.posts) == 1


async def test_a_delivery_claimed_elsewhere_or_ended_by_its_feature_is_not_sent(bot, sender):
    queue(bot, "ali", "bea", "cal")
    assert OUTBOX.claim(bot, rows(bot)["ali"]["id"])  # another process is sending it

    def skip(row: dict) -> Skip | None:
        return Skip("cancelled", "turned off") if row["person"] == "bea" else None

    assert await OUTBOX.send_due(bot, compose, skip) == {"skipped": 1, "sent": 1}
    assert sender.texts() == ["Hello cal"]
    found = rows(bot)
    assert [found[p]["status"] for p in ("ali", "bea", "cal")] == ["sending", "cancelled", "sent"]
    assert found["bea"]["last_error"] == "turned off"


async def test_a_person_forgotten_in_between_is_not_sent_to(bot, sender):
    queue(bot, "ali", "bea")
    sent_to = []

    async def forgets_bea(conversation: Conversation, replies: list[Reply]) -> None:
        # While Ali's message is on its way, Bea types `forget me`: her record goes.
        sent_to.append(conversation.id)
        bot.db[TABLE].delete_where("person = ?", ["bea"])

    bot.senders["fake"] = forgets_bea
    assert await OUTBOX.send_due(bot, compose) == {"sent": 1}
    assert sent_to == ["ali"]
    assert list(rows(bot)) == ["ali"]


async def test_a_person_forgotten_while_their_message_is_sent_leaves_no_record(bot, caplog):
    queue(bot, "ali")

    async def forgets_ali(conversation: Conversation, replies: list[Reply]) -> None:
        bot.db[TABLE].delete_where("person = ?", ["ali"])

    bot.senders["fake"] = forgets_ali
    assert await OUTBOX.send_due(bot, compose) == {"sent": 1}
    assert rows(bot) == {}
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


# --- through a feature: poll nudges ---------------------------------------------------------

ALI = User("console", "ali", name="Ali")


@dataclass
class Channel:
    """A console platform that lists the forum channel's members and records direct posts."""

    people: list[User]
    posts: list[Conversation] = field(default_factory=list)

    async def members(self, conversation: Conversation) -> list[User] | None:
        return list(self.people) if conversation == CHANNEL else None

    async def __call__(self, conversation: Conversation, replies: list[Reply]) -> None:
        self.posts.append(conversation)


async def test_a_nudge_planned_before_forget_me_is_not_sent_to_that_person(bot, clock):
    from bot.features.polls import participation
    from bot.features.polls import store as polls

    channel = Channel([DTL, ALI, ORGANISER])
    bot.attach("console", channel, channel)
    await in_channel(bot, "poll start Spring 2027 closes 2026-11-30 17:00", ORGANISER)
    assert await participation.plan(bot, polls.open_poll(bot), "on request") == 3
    await say(bot, "forget me confirm", ALI)
    channel.posts.clear()
    await run_due(bot)
    assert sorted(c.id for c in channel.posts) == ["dana", "olu"]
    assert bot.db["poll_nudges"].count_where("person = ?", [bot.pseudonym(ALI)]) == 0
