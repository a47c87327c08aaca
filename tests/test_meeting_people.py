"""Meetings people shape: RSVPs, the agenda, changes pushed at once, notes, and their privacy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from bot.app import create_bot
from bot.cli import cli
from bot.kernel.markup import to_plain
from bot.kernel.model import Action, Conversation, Incoming, Platform, User
from bot.kernel.scheduler import run_due
from tests.fakes.platform import RecordingSender
from tests.meetings_helpers import configure_forum, run_until
from tests.test_webchat import post as webchat_post

CHANNEL = "fake:C-forum"
MEETING = datetime(2027, 1, 14, 13, 0, tzinfo=UTC)  # Thursday 14 January 2027, 13:00 GMT
DANA = User("fake", "dana", name="Dana", is_organiser=False)
SAM = User("fake", "sam", name="Sam *Star*", is_organiser=False)
KIM = User("fake", "kim", name="Kim", is_organiser=False)
# A platform that takes files, as Slack and the web chat do.
FAKE_PLATFORM = Platform("a test platform")
OLU = User("fake", "olu", name="Olu", is_organiser=True)


@pytest.fixture
def config(config):
    return configure_forum(config, channels=(CHANNEL,))


@pytest.fixture(autouse=True)
def fake_platform(bot) -> None:
    bot.describe("fake", FAKE_PLATFORM)


@pytest.fixture
def sender(bot) -> RecordingSender:
    fake = RecordingSender()
    bot.attach("fake", fake, info=FAKE_PLATFORM)
    return fake


def dm(user: User) -> Conversation:
    return Conversation("fake", f"D-{user.id}", is_direct=True)


async def say(bot, text: str, user: User = DANA, where: Conversation | None = None):
    return await bot.handle(Incoming(user, where or dm(user), text=text))


async def press(bot, action: Action, user: User = DANA, where: Conversation | None = None):
    return await bot.handle(Incoming(user, where or dm(user), action=action))


def posts_to(sender: RecordingSender, key: str) -> list[str]:
    return sender.texts(key)


def button(reply, label: str):
    return next(b for b in reply.buttons if b.label == label)


# --- RSVP --------------------------------------------------------------------------------


async def test_the_7_day_and_1_day_reminders_carry_rsvp_buttons_and_the_1_hour_does_not(
        bot, clock, sender):
    await run_until(bot, clock, MEETING + timedelta(hours=2))
    reminders = [r for key, r in sender.posts if key == CHANNEL]
    assert len(reminders) == 3
    labels = [[b.label for b in r.buttons] for r in reminders]
    for early in labels[:2]:
        assert early[:3] == ["I'll be there", "Maybe", "Can't make it"]
        assert "Add this meeting" in early
    assert "I'll be there" not in labels[2]
    assert "rsvp yes" in reminders[0].text
    assert (button(reminders[0], "Add this meeting").url
            == "https://dtlbot.example.org/forum/2027-01-14.ics")


async def test_an_rsvp_from_the_button_is_replaced_by_a_later_typed_answer(bot, clock, sender):
    await run_until(bot, clock, MEETING - timedelta(days=7))
    (_, reminder) = sender.posts[0]
    channel = Conversation("fake", "C-forum", is_direct=False)
    (reply,) = await press(bot, button(reminder, "I'll be there").action, DANA, channel)
    assert "you're down as coming" in reply.text
    # Pressed in the channel, with no direct chat known: told how to get the join link.
    assert "Message me directly once" in reply.text
    (reply,) = await say(bot, "rsvp maybe")
    assert "maybe" in reply.text
    (reply,) = await say(bot, "rsvps", KIM)
    assert "0 coming, 1 maybe, 0 can't make it" in reply.text
    assert bot.db["meeting_rsvps"].count == 1


async def test_organisers_see_who_is_coming_and_everyone_else_only_the_counts(bot, sender):
    await say(bot, "rsvp yes", DANA)
    await say(bot, "rsvp yes 2027-01-14", SAM)
    await say(bot, "rsvp no", KIM)
    (everyone,) = await say(bot, "rsvps", KIM)
    assert "2 coming, 0 maybe, 1 can't make it" in everyone.text
    assert "Dana" not in everyone.text and "Sam" not in everyone.text
    (organiser,) = await say(bot, "rsvps 2027-01-14", OLU)
    assert "2 coming" in organiser.text
    assert "Coming: Dana, Sam \\*Star\\*." in organiser.text  # a name is literal text, not bold
    assert "Kim" not in organiser.text


async def test_organisers_asking_in_a_channel_see_only_the_counts(bot, sender):
    from tests.fakes.polls import in_channel

    await say(bot, "rsvp yes", DANA)
    (shown,) = await in_channel(bot, "rsvps", OLU)
    assert "1 coming, 0 maybe, 0 can't make it" in shown.text
    assert "Dana" not in shown.text and "direct chat" in shown.text


@pytest.mark.parametrize("text, expected", [
    ("rsvp perhaps", "“perhaps” is not an answer I know"),
    ("rsvp yes 31 Feb", "“31 Feb” is not a real date"),
    ("rsvp yes 2027-02-31", "“2027-02-31” is not a real date"),
    ("rsvp yes 2027-01-15", "There is no meeting on Friday 15 January 2027"),
    ("rsvp", "Usage: `rsvp yes`"),
])
async def test_bad_rsvps_get_a_clear_message_and_store_nothing(bot, text, expected, caplog):
    (reply,) = await say(bot, text)
    assert expected in reply.text
    assert bot.db["meeting_rsvps"].count == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_the_1_hour_reminder_goes_by_direct_message_only_to_those_coming(
        bot, clock, sender):
    await say(bot, "rsvp yes", DANA)
    await say(bot, "rsvp maybe", SAM)
    await say(bot, "rsvp no", KIM)
    await run_until(bot, clock, MEETING + timedelta(hours=2))
    assert len(posts_to(sender, CHANNEL)) == 3
    (direct,) = posts_to(sender, "fake:D-dana")
    assert "You said you'd be at" in direct and "13:00 GMT today" in direct
    assert "https://meet.example.org/dtl-forum" in direct
    assert posts_to(sender, "fake:D-sam") == [] and posts_to(sender, "fake:D-kim") == []
    sent_at = bot.db.execute("select sent_at from notice_deliveries").fetchone()[0]
    assert sent_at == (MEETING - timedelta(hours=1)).isoformat()


async def test_a_restart_at_the_1_hour_point_sends_the_direct_message_once(
        config, clock, sender):
    first = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    first.attach("fake", sender, info=FAKE_PLATFORM)
    await say(first, "rsvp yes", DANA)
    await run_until(first, clock, MEETING - timedelta(hours=1))
    first.close()
    assert len(posts_to(sender, "fake:D-dana")) == 1
    second = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    second.attach("fake", sender, info=FAKE_PLATFORM)
    try:
        await run_due(second)
        await run_until(second, clock, MEETING + timedelta(hours=1))
        assert len(posts_to(sender, "fake:D-dana")) == 1
        assert len(posts_to(sender, CHANNEL)) == 3
    finally:
        second.close()


async def test_a_move_keeps_rsvps_and_tells_the_channel_and_yes_and_maybe_people_once(
        bot, clock, sender):
    await say(bot, "rsvp yes", DANA)
    await say(bot, "rsvp maybe", SAM)
    await say(bot, "rsvp no", KIM)
    (reply,) = await say(bot, "meeting move 2027-01-14 to 2027-01-21 14:00", OLU)
    assert "Telling the 1 conversation(s)" in reply.text and "Telling 2 person" in reply.text
    clock.advance(seconds=30)
    await run_due(bot)
    await run_due(bot)
    expected = "The 14 January forum has moved to Thursday 21 January, 14:00 GMT"
    for key in (CHANNEL, "fake:D-dana", "fake:D-sam"):
        (text,) = posts_to(sender, key)
        assert expected in text
        assert "https://dtlbot.example.org/forum/2027-01-21.ics" in text
    assert posts_to(sender, "fake:D-kim") == []
    sent = bot.db.execute("select sent_at from notice_deliveries").fetchall()
    assert all(datetime.fromisoformat(s) - clock.now() <= timedelta(minutes=1) for (s,) in sent)
    (counts,) = await say(bot, "rsvps 2027-01-21", OLU)
    assert "1 coming, 1 maybe, 1 can't make it" in counts.text


async def test_a_skip_tells_those_coming_it_is_off(bot, clock, sender):
    await say(bot, "rsvp yes", DANA)
    await say(bot, "meeting skip 2027-01-14", OLU)
    await run_due(bot)
    (text,) = posts_to(sender, "fake:D-dana")
    assert "The 14 January forum is off" in text
    assert "The next meeting is on Thursday 11 March 2027" in text
    assert len(posts_to(sender, CHANNEL)) == 1


async def test_no_notice_for_a_change_more_than_90_days_ahead_unless_asked(bot, clock, sender):
    (reply,) = await say(bot, "meeting move 2027-05-13 to 2027-05-20 14:00", OLU)
    assert "more than 90 days ahead" in reply.text
    await run_due(bot)
    assert sender.posts == []
    (reply,) = await say(bot, "meeting move 2027-05-20 to 2027-05-27 14:00 notify", OLU)
    assert "Telling the 1 conversation(s)" in reply.text
    await run_due(bot)
    (text,) = posts_to(sender, CHANNEL)
    assert "The 20 May forum has moved to Thursday 27 May, 14:00 BST" in text


async def test_an_added_meeting_is_pushed_with_its_own_calendar_link(bot, clock, sender):
    await say(bot, 'meeting add 2026-12-10 10:00 "Winter **special**" "Leeds"', OLU)
    await run_due(bot)
    ((key, reply),) = sender.posts
    assert key == CHANNEL
    assert "A forum meeting has been added: **Winter \\*\\*special\\*\\***" in reply.text
    assert button(reply, "Add this meeting").url == (
        "https://dtlbot.example.org/forum/2026-12-10.ics")


async def test_a_notice_that_fails_is_retried_and_a_restart_mid_send_does_not_repeat_it(
        config, clock, sender):
    first = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    first.attach("fake", sender, info=FAKE_PLATFORM)
    sender.fail_next = 1
    await say(first, "meeting skip 2027-01-14", OLU)
    await run_due(first)
    assert sender.posts == []
    first.close()
    second = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    second.attach("fake", sender, info=FAKE_PLATFORM)
    try:
        await run_until(second, clock, clock.now() + timedelta(minutes=5))
        assert len(posts_to(sender, CHANNEL)) == 1
        await run_until(second, clock, clock.now() + timedelta(days=1))
        assert len(posts_to(sender, CHANNEL)) == 1
    finally:
        second.close()


async def test_rsvps_are_deleted_30_days_after_the_meeting_keeping_the_counts(
        bot, clock, sender):
    await say(bot, "rsvp yes", DANA)
    await say(bot, "rsvp no", SAM)
    await run_until(bot, clock, MEETING + timedelta(days=31))
    assert bot.db["meeting_rsvps"].count == 0
    (reply,) = await say(bot, "rsvps 2027-01-14", OLU)
    assert "1 coming, 0 maybe, 1 can't make it" in reply.text
    assert "Dana" not in reply.text


async def test_my_data_lists_rsvps_and_forget_me_deletes_them(bot, clock, sender):
    await say(bot, "rsvp yes", DANA)
    (reply,) = await say(bot, "my data")
    assert 'you answered "yes"' in reply.text
    replies = await say(bot, "forget me")
    for r in replies:
        for b in r.buttons:
            if "forget" in b.label.lower() or "yes" in b.label.lower():
                await press(bot, b.action)
    assert bot.db["meeting_rsvps"].count == 0
    (privacy,) = await say(bot, "privacy")
    # The notice for DTLs names kinds in plain words (docs/privacy.md names the tables).
    assert "meeting RSVPs" in privacy.text and "agenda topics and votes" in privacy.text


# --- the agenda --------------------------------------------------------------------------


async def test_topics_are_proposed_voted_once_each_and_listed_most_votes_first(bot):
    (reply,) = await say(bot, "agenda add Cloud telephony: who has moved?", DANA)
    assert "Added #1" in reply.text and "does not show your name" in reply.text
    await say(bot, "agenda add named Online consultation data", SAM)
    await say(bot, "agenda vote 2", DANA)
    (again,) = await say(bot, "agenda vote 2", DANA)
    assert "already voted" in again.text
    (listing,) = await say(bot, "agenda", KIM)
    lines = [line for line in listing.text.splitlines() if line.startswith("- #")]
    assert lines[0].startswith(
        "- #2: Online consultation data (1 vote, proposed by Sam \\*Star\\*)")
    assert lines[1] == "- #1: Cloud telephony: who has moved? (0 votes)"
    plus = [b for b in listing.buttons if b.label.startswith("+1")]
    await press(bot, plus[1].action, KIM)
    await press(bot, plus[1].action, DANA)
    (listing,) = await say(bot, "agenda", KIM)
    assert listing.text.splitlines()[1].startswith("- #1: Cloud telephony")
    (reply,) = await say(bot, "agenda unvote 1", KIM)
    assert "Took back" in reply.text
    assert bot.db["agenda_votes"].count == 2


async def test_the_name_button_shows_the_proposer_only_when_they_press_it(bot):
    (reply,) = await say(bot, "agenda add 2027-03-11: Cyber security", DANA)
    (other,) = await press(bot, reply.buttons[0].action, SAM)
    assert "Only the person who proposed" in other.text
    await press(bot, reply.buttons[0].action, DANA)
    (listing,) = await say(bot, "agenda 2027-03-11", KIM)
    assert "proposed by Dana" in listing.text


@pytest.mark.parametrize("text, expected", [
    ("agenda add " + "x" * 5000, "5,000 characters long"),
    ("agenda add \x01\x02\x03", "control or invisible formatting characters"),
    ("agenda add \u202eevil", "control or invisible formatting characters"),
    ("agenda add ...", "Usage: `agenda add TEXT`"),
    ("agenda add", "Usage: `agenda add TEXT`"),
    ("agenda add 31 Feb: topic", "“31 Feb” is not a real date"),
    ("agenda vote 7", "There is no topic #7"),
    ("agenda vote seven", "Usage: `agenda vote N`"),
    ("agenda unvote 7", "There is no topic #7"),
])
async def test_bad_agenda_input_gets_a_clear_message_and_stores_nothing(
        bot, text, expected, caplog):
    (reply,) = await say(bot, text)
    assert expected in reply.text
    assert bot.db["agenda_topics"].count == 0 and bot.db["agenda_votes"].count == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_only_organisers_remove_and_close_and_a_closed_agenda_takes_nothing_more(bot):
    await say(bot, "agenda add Topic one", DANA)
    await say(bot, "agenda add Topic two", SAM)
    await say(bot, "agenda vote 1", KIM)
    (refused,) = await say(bot, "agenda close", DANA)
    assert "Only forum organisers" in refused.text
    (refused,) = await say(bot, "agenda remove 2", DANA)
    assert "Only forum organisers" in refused.text
    assert bot.db["meeting_records"].count == 0
    (removed,) = await say(bot, "agenda remove 2", OLU)
    assert "Removed #2" in removed.text
    (closed,) = await say(bot, "agenda close", OLU)
    assert "(closed)" in closed.text and "Topic two" not in closed.text
    (late,) = await say(bot, "agenda add Topic three", DANA)
    assert "is closed" in late.text
    (late,) = await say(bot, "agenda vote 1", DANA)
    assert "is closed" in late.text
    assert bot.db["agenda_topics"].count == 2


async def test_the_1_day_reminder_carries_the_top_topics_and_the_7_day_invites_proposals(
        bot, clock, sender):
    await run_until(bot, clock, MEETING - timedelta(days=7))
    (week,) = posts_to(sender, CHANNEL)
    assert "Propose a topic with `agenda add TEXT`" in week
    await say(bot, "agenda add [click](https://evil.example) @here", DANA)
    await say(bot, "agenda add Second", DANA)
    await say(bot, "agenda vote 2", KIM)
    await run_until(bot, clock, MEETING - timedelta(days=1))
    day = posts_to(sender, CHANNEL)[1]
    assert "Top topics so far" in day
    assert day.index("- Second (1 vote)") < day.index("\\[click\\](https://evil")
    await say(bot, "agenda close", OLU)
    await run_until(bot, clock, MEETING - timedelta(hours=1))
    hour = posts_to(sender, CHANNEL)[2]
    assert "On the agenda:\n- Second" in hour and "Propose a topic" not in hour


async def test_a_forgotten_proposer_leaves_an_anonymous_topic(bot):
    await say(bot, "agenda add named Shared care records", DANA)
    await say(bot, "agenda vote 1", DANA)
    (data,) = await say(bot, "my data")
    assert 'you proposed "Shared care records"' in data.text
    from bot.features.meetings.agenda import forget

    forget(bot, DANA)
    row = bot.db.execute("select proposer, proposer_name, text from agenda_topics").fetchone()
    assert row == (None, None, "Shared care records")
    assert bot.db["agenda_votes"].count == 0


# --- notes, the past, the command line ---------------------------------------------------


async def test_notes_are_posted_to_reminder_conversations_and_listed_with_past_meetings(
        bot, clock, sender):
    await say(bot, "agenda add Digital inclusion", DANA)
    clock.set(MEETING + timedelta(days=2))
    (refused,) = await say(bot, "meeting notes Went well", DANA)
    assert "Only forum organisers" in refused.text
    (reply,) = await say(bot, "meeting notes https://example.org/notes/jan", OLU)
    assert "posting them to 1 reminder conversation(s)" in reply.text
    assert button(reply, "Open the notes").url == "https://example.org/notes/jan"
    await run_due(bot)
    (posted,) = [t for t in posts_to(sender, CHANNEL) if t.startswith("Notes")]
    assert "Notes from **DTL Forum**, Thu 14 Jan 2027" in posted
    (past,) = await say(bot, "meetings past", KIM)
    assert "Thu 14 Jan 2027" in past.text
    assert "Notes: https://example.org/notes/jan" in past.text
    assert "Agenda: Digital inclusion" in past.text
    (future,) = await say(bot, "meeting notes 2027-03-11 too soon", OLU)
    assert "has not happened yet" in future.text


async def test_meetings_json_adds_rsvps_and_agenda_and_keeps_every_field(bot, config, tmp_path):
    await say(bot, "rsvp yes", DANA)
    await say(bot, "rsvp maybe", SAM)
    await say(bot, "agenda add Alpha", DANA)
    await say(bot, "agenda add Beta", DANA)
    await say(bot, "agenda vote 2", SAM)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "{config.storage.path}"\n[forum]\nrrule = "{config.forum.rrule}"\n'
        "start = 2026-01-08T13:00:00\n")
    result = CliRunner().invoke(cli, ["meetings", "--json", "--count", "2", "--config",
                                      str(path), "--from", "2026-11-24"],
                                env={"DTLBOT_SECRET": "test-secret"})
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.output)
    assert set(first) >= {"start", "end", "title", "location", "join_url", "agenda_url", "kind",
                          "uid", "rsvps", "agenda"}
    assert first["rsvps"] == {"yes": 1, "maybe": 1, "no": 0}
    assert first["agenda"] == [{"text": "Beta", "votes": 1}, {"text": "Alpha", "votes": 0}]
    assert second["rsvps"] == {"yes": 0, "maybe": 0, "no": 0} and second["agenda"] == []


async def test_a_notice_interrupted_mid_send_is_not_sent_again_after_a_restart(
        config, clock, sender):
    first = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    await say(first, "rsvp yes", DANA)
    await say(first, "meeting skip 2027-01-14", OLU)
    # The process stops after claiming the deliveries, before the platform answered.
    first.db.execute("update notice_deliveries set status = 'sending', updated_at = ?",
                     [clock.now().isoformat()])
    first.db.conn.commit()
    first.close()
    second = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    second.attach("fake", sender, info=FAKE_PLATFORM)
    try:
        await run_until(second, clock, clock.now() + timedelta(hours=1))
        assert sender.posts == []
        statuses = {r["status"] for r in second.db["notice_deliveries"].rows}
        assert statuses == {"failed"}
    finally:
        second.close()


async def test_a_move_made_just_before_a_restart_is_announced_once_after_it(
        config, clock, sender):
    first = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    await say(first, "rsvp yes", DANA)
    await say(first, "meeting move 2027-01-14 to 2027-01-21 14:00", OLU)
    first.close()  # stopped before the scheduler woke
    second = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "s"})
    second.attach("fake", sender, info=FAKE_PLATFORM)
    try:
        await run_due(second)
        await run_until(second, clock, datetime(2027, 1, 21, 16, tzinfo=UTC))
        moved = [t for t in sender.texts() if "has moved to" in t]
        assert sorted(k for k, r in sender.posts if "has moved to" in r.text) == [
            CHANNEL, "fake:D-dana"]
        assert len(moved) == 2
        # The reminders and the direct message follow the new time, once each.
        assert len([t for t in posts_to(sender, CHANNEL) if t.startswith("Reminder")]) == 3
        assert len([t for t in posts_to(sender, "fake:D-dana") if "You said" in t]) == 1
    finally:
        second.close()


async def test_on_the_web_chat_the_buttons_answer_and_the_join_link_arrives_before_it(
        bot, clock, sender, aiohttp_client):
    from bot.server import create_app
    from tests.test_webchat import read_event, token_of

    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    person = {"id": "dana", "name": "Dana"}
    response = await webchat_post(client, {"user": person, "text": "next meeting"})
    text, attached = (await response.json())["replies"]
    assert attached["file"]["filename"] == "forum-2027-01-14.ics"
    yes = next(b for b in text["buttons"] if b["label"] == "I'll be there")
    response = await webchat_post(client, {"user": person, "action": yes["action"]})
    (answer,) = (await response.json())["replies"]
    assert "down as coming" in answer["text"]
    await run_until(bot, clock, MEETING - timedelta(hours=1))
    stream = await client.get("/chat/api/events",
                              params={"user": "dana", "token": token_of(client, "dana")})
    event = await read_event(stream)
    stream.close()
    assert "You said you'd be at" in event["replies"][0]["text"]


async def test_a_topic_cannot_format_link_or_broadcast_on_slack_or_teams(bot):
    from adapters.slack.blocks import to_mrkdwn

    await say(bot, "agenda add <!channel> *urgent* _now_ ~x~ `code` [go](https://x.example)", DANA)
    (listing,) = await say(bot, "agenda", KIM)
    line = next(line for line in listing.text.splitlines() if line.startswith("- #1"))
    slack = to_mrkdwn(line)
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    for marked in ("*urgent*", "_now_", "~x~", "`code`", "<https://x.example|go>"):
        assert marked not in slack and marked not in line
    assert "[go](https://x.example)" in to_plain(line)  # shown as typed


async def test_reminders_status_counts_the_change_notices(bot, clock, sender):
    sender.fail_next = 1
    await say(bot, "meeting skip 2027-01-14", OLU)
    await run_due(bot)
    (status,) = await say(bot, "reminders status", OLU)
    assert "Change notices and direct messages so far: 1 pending." in status.text


async def test_a_button_pressed_in_the_channel_is_confirmed_in_the_direct_chat(
        bot, clock, sender):
    await say(bot, "rsvp maybe", DANA)  # answered in her direct chat, so the bot knows it
    await run_until(bot, clock, MEETING - timedelta(days=7))
    (_, reminder) = sender.posts[0]
    channel = Conversation("fake", "C-forum", is_direct=False)
    replies = await press(bot, button(reminder, "I'll be there").action, DANA, channel)
    assert replies == []  # nothing more in the channel
    (confirmation,) = posts_to(sender, "fake:D-dana")
    assert "you're down as coming" in confirmation


async def test_next_meeting_invites_topics_then_counts_them(bot):
    (reply, _file) = await say(bot, "next meeting", KIM)
    assert "Propose a topic with `agenda add TEXT`" in reply.text
    await say(bot, "agenda add Alpha", DANA)
    (reply, _file) = await say(bot, "next meeting", KIM)
    assert "1 topic proposed for it so far" in reply.text
