"""Reminders: each one on time, once, through restarts, outages and failures."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import create_bot
from bot.features.meetings.reminders import run
from bot.kernel.context import Bot
from bot.kernel.model import Conversation, Incoming
from bot.kernel.scheduler import run_due
from tests.conftest import DTL, ORGANISER, say
from tests.fakes.platform import RecordingSender
from tests.meetings_helpers import configure_forum, run_until

CHANNEL = "fake:C-forum"
MEETING = datetime(2027, 1, 14, 13, 0, tzinfo=UTC)  # Thursday 14 January 2027, 13:00 GMT


@pytest.fixture
def config(config):
    return configure_forum(config, channels=(CHANNEL,))


@pytest.fixture
def sender(bot) -> RecordingSender:
    fake = RecordingSender()
    bot.senders["fake"] = fake
    return fake


def deliveries(bot: Bot) -> list[dict]:
    return list(bot.db["reminder_deliveries"].rows_where(order_by="due_at, conversation"))


async def say_in(bot: Bot, text: str, conversation_id: str, user=ORGANISER):
    conversation = Conversation("fake", conversation_id, is_direct=False)
    return await bot.handle(Incoming(user, conversation, text=text))


async def test_a_reminder_goes_out_at_every_offset_once_and_on_time(bot, clock, sender):
    await run_until(bot, clock, MEETING + timedelta(hours=2))
    assert [r["offset"] for r in deliveries(bot)] == ["7d", "1d", "1h"]
    assert all(r["status"] == "sent" and r["sent_at"] == r["due_at"] for r in deliveries(bot))
    texts = sender.texts(CHANNEL)
    assert len(texts) == 3
    for text, when in zip(texts, ("in 7 days", "in 1 day", "in 1 hour"), strict=True):
        assert when in text
        assert "Thursday 14 January 2027, 13:00–14:30 GMT (UK time)" in text
        assert "https://meet.example.org/dtl-forum" in text
        assert "https://example.org/dtl-forum/agenda" in text
    (_, reply) = sender.posts[0]
    assert ("Add to calendar", "https://dtlbot.example.org/forum.ics") in [
        (b.label, b.url) for b in reply.buttons
    ]
    assert bot.metrics.reminders.labels("sent")._value.get() == 3


async def test_a_restart_between_two_reminders_loses_and_repeats_nothing(config, clock, sender):
    first = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    first.senders["fake"] = sender
    await run_until(first, clock, datetime(2027, 1, 10, tzinfo=UTC))
    first.close()
    assert len(sender.posts) == 1

    second = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    second.senders["fake"] = sender
    try:
        await run_due(second)  # the restart itself sends nothing again
        assert len(sender.posts) == 1
        await run_until(second, clock, MEETING + timedelta(days=1))
        assert [r["offset"] for r in deliveries(second)] == ["7d", "1d", "1h"]
        assert len(sender.posts) == 3
    finally:
        second.close()


async def test_a_reminder_missed_while_down_is_sent_late_before_the_start(bot, clock, sender):
    await run_until(bot, clock, datetime(2027, 1, 7, 12, tzinfo=UTC))
    assert sender.posts == []
    clock.set(datetime(2027, 1, 8, 9, tzinfo=UTC))  # down across the 7-day reminder
    await run_due(bot)
    assert len(sender.posts) == 1 and "in 6 days" in sender.texts()[0]
    await run_until(bot, clock, MEETING + timedelta(hours=1))
    assert len(sender.posts) == 3


async def test_nothing_is_sent_after_the_meeting_has_started(bot, clock, sender):
    await run_until(bot, clock, datetime(2027, 1, 14, 11, tzinfo=UTC))
    assert len(sender.posts) == 2
    clock.set(MEETING + timedelta(minutes=30))  # down across the 1-hour reminder and the start
    await run_due(bot)
    await run_until(bot, clock, MEETING + timedelta(days=1))
    assert len(sender.posts) == 2


async def test_after_a_long_outage_only_the_latest_reminder_is_sent(bot, clock, sender):
    await run_until(bot, clock, datetime(2027, 1, 7, tzinfo=UTC))
    clock.set(datetime(2027, 1, 13, 20, tzinfo=UTC))  # missed both 7d and 1d
    await run_due(bot)
    assert len(sender.posts) == 1 and "in 17 hours" in sender.texts()[0]
    assert {r["offset"]: r["status"] for r in deliveries(bot)} == {"7d": "superseded", "1d": "sent"}


async def test_a_failed_delivery_is_retried_with_backoff(bot, clock, sender):
    sender.fail_next = 2
    due = MEETING - timedelta(days=7)
    await run_until(bot, clock, due + timedelta(minutes=30))
    (row,) = deliveries(bot)
    assert row["status"] == "sent" and row["attempts"] == 3
    # First retry a minute later, the second two minutes after that.
    assert row["sent_at"] == (due + timedelta(minutes=3)).isoformat()
    assert len(sender.posts) == 1


async def test_a_platforms_retry_after_is_honoured(bot, clock, sender):
    sender.fail_next, sender.retry_after = 1, 600
    due = MEETING - timedelta(days=7)
    await run_until(bot, clock, due + timedelta(minutes=30))
    assert deliveries(bot)[0]["sent_at"] == (due + timedelta(minutes=10)).isoformat()


async def test_a_delivery_that_keeps_failing_is_recorded_failed_and_shown(bot, clock, sender):
    sender.fail_next = 1000
    await run_until(bot, clock, MEETING - timedelta(days=6))
    (row,) = deliveries(bot)
    assert row["status"] == "failed" and row["attempts"] == 5
    assert "429" in row["last_error"]
    (reply,) = await say(bot, "reminders status", ORGANISER)
    assert "1 failed" in reply.text
    assert "failed: 7d reminder" in reply.text and "5 attempts" in reply.text
    sender.fail_next = 0
    await run_until(bot, clock, MEETING)
    assert [r["status"] for r in deliveries(bot)] == ["failed", "sent", "sent"]


async def test_a_delivery_interrupted_mid_send_is_never_sent_twice(bot, clock, sender):
    await run_until(bot, clock, MEETING - timedelta(days=8))
    bot.db["reminder_deliveries"].insert({
        "occurrence": "forum/20270114T130000Z", "offset": "7d",
        "conversation": CHANNEL, "starts_at": MEETING.isoformat(),
        "due_at": (MEETING - timedelta(days=7)).isoformat(), "status": "sending",
        "attempts": 0, "next_attempt_at": clock.now().isoformat(),
        "updated_at": clock.now().isoformat(),
    })
    await run_until(bot, clock, MEETING - timedelta(days=2))
    assert sender.posts == []
    assert deliveries(bot)[0]["status"] == "failed"


async def test_reminders_here_on_and_off_per_conversation(bot, clock, sender):
    await say_in(bot, "reminders here on", "C-north")
    (reply,) = await say_in(bot, "reminders here on", "C-south")
    assert "will be posted here" in reply.text
    (reply,) = await say_in(bot, "reminders here on", "C-east", user=DTL)
    assert "Only forum organisers" in reply.text
    await run_until(bot, clock, MEETING - timedelta(days=6))
    (reply,) = await say_in(bot, "reminders here off", "C-south")
    assert "no longer" in reply.text
    await run_until(bot, clock, MEETING + timedelta(hours=1))
    assert len(sender.texts("fake:C-north")) == 3
    assert len(sender.texts("fake:C-south")) == 1
    assert sender.texts("fake:C-east") == []
    (reply,) = await say_in(bot, "reminders here off", "C-forum")
    assert "config file" in reply.text
    assert [r["action"] for r in bot.db["audit"].rows] == ["reminders here on"] * 2 + [
        "reminders here off"
    ]


async def test_a_conversation_subscribed_late_gets_only_the_reminders_still_ahead(
    bot, clock, sender
):
    clock.set(MEETING - timedelta(days=3))
    await say_in(bot, "reminders here on", "C-late")
    await run_until(bot, clock, MEETING)
    assert len(sender.texts("fake:C-late")) == 2


async def test_skipped_meetings_get_no_reminders_and_moved_ones_at_the_new_time(
    bot, clock, sender
):
    await say(bot, "meeting skip 2027-01-14", ORGANISER)
    await say(bot, "meeting move 2027-03-11 to 2027-03-18 14:00", ORGANISER)
    await run_until(bot, clock, datetime(2027, 3, 20, tzinfo=UTC))
    new_start = datetime(2027, 3, 18, 14, tzinfo=UTC)
    assert [r["sent_at"] for r in deliveries(bot)] == [
        (new_start - timedelta(days=7)).isoformat(),
        (new_start - timedelta(days=1)).isoformat(),
        (new_start - timedelta(hours=1)).isoformat(),
    ]
    reminders = [t for t in sender.texts() if t.startswith("Reminder:")]
    assert len(reminders) == 3
    assert all("Thursday 18 March 2027, 14:00" in t for t in reminders)
    # The channel was told at once of the skip (51 days ahead), not of the move (over 90 days).
    notices = [t for t in sender.texts() if not t.startswith("Reminder:")]
    assert len(notices) == 1 and "The 14 January forum is off" in notices[0]


async def test_a_retry_pending_when_the_meeting_is_skipped_is_cancelled(bot, clock, sender):
    sender.fail_next = 1
    await run_until(bot, clock, MEETING - timedelta(days=7))
    await say(bot, "meeting skip 2027-01-14", ORGANISER)
    await run(bot)
    clock.advance(minutes=5)
    await run(bot)
    assert deliveries(bot)[0]["status"] == "cancelled"
    assert sender.posts == []


async def test_status_lists_where_reminders_go_and_the_next_one(bot, sender):
    (reply,) = await say(bot, "reminders status", ORGANISER)
    assert "7 days, 1 day and 1 hour before each meeting" in reply.text
    assert "a fake channel (C-forum) (config file)" in reply.text
    assert "Next: 7d reminder for the meeting on Thu 14 Jan 2027 13:00 GMT" in reply.text


async def test_my_data_shows_and_forget_me_removes_a_direct_chat_subscription(bot, clock, sender):
    await say(bot, "reminders here on", ORGANISER)
    (kind,) = [k for k in bot.registry.personal_data if k.name == "reminder settings"]
    assert kind.describe(bot, ORGANISER) == ["You turned reminders on in your direct chat "
                                             "(2026-11-24)."]
    assert kind.describe(bot, DTL) == []
    assert "1 direct chat" in kind.forget(bot, ORGANISER)
    assert kind.describe(bot, ORGANISER) == []
    await run_until(bot, clock, MEETING)
    assert sender.texts("console:olu") == []


async def test_months_of_schedule_send_every_reminder_of_every_meeting(bot, clock, sender):
    seen: list[dict] = []
    for month in (2, 4, 6, 8, 10, 12):  # look before records are pruned, 30 days on
        await run_until(bot, clock, datetime(2027, month, 1, tzinfo=UTC))
        seen += [r for r in deliveries(bot) if r["status"] == "sent" and r not in seen]
    # January to November 2027: six meetings, three reminders each, each on time.
    assert len(seen) == 18 and len(sender.posts) == 18
    assert all(r["sent_at"] == r["due_at"] for r in seen)
    assert {r["starts_at"][:7] for r in seen} == {
        "2027-01", "2027-03", "2027-05", "2027-07", "2027-09", "2027-11",
    }
    # Finished records are deleted 30 days after their meeting: only November's remain.
    assert {r["starts_at"][:7] for r in deliveries(bot)} == {"2027-11"}
