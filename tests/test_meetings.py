"""The forum's schedule: the series, one-offs, skips and moves, and answering from it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from bot.app import load_config
from bot.features.meetings.calendar import build_calendar
from bot.features.meetings.schedule import Schedule
from bot.kernel.config import ConfigError
from tests.conftest import ORGANISER, say
from tests.meetings_helpers import SERIES, configure_forum


@pytest.fixture
def config(config):
    return configure_forum(config)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_series_is_every_second_month_on_the_second_thursday_across_the_year_end(bot):
    starts = [m.start for m in Schedule.load(bot).between(utc(2026, 1, 1), utc(2028, 1, 1))]
    assert [(s.year, s.month, s.day) for s in starts] == [
        (2026, 1, 8), (2026, 3, 12), (2026, 5, 14), (2026, 7, 9), (2026, 9, 10), (2026, 11, 12),
        (2027, 1, 14), (2027, 3, 11), (2027, 5, 13), (2027, 7, 8), (2027, 9, 9), (2027, 11, 11),
    ]
    assert all(s.weekday() == 3 and 8 <= s.day <= 14 for s in starts)


def test_meetings_stay_at_13_00_uk_time_across_both_clock_changes(bot):
    meetings = Schedule.load(bot).between(utc(2026, 1, 1), utc(2027, 1, 1))
    assert {f"{m.start:%H:%M}" for m in meetings} == {"13:00"}
    by_month = {m.start.month: m.start.astimezone(UTC).hour for m in meetings}
    # GMT in winter (13:00 UTC), BST in summer (12:00 UTC).
    assert by_month == {1: 13, 3: 13, 5: 12, 7: 12, 9: 12, 11: 13}
    assert [f"{m.start:%Z}" for m in meetings] == ["GMT", "GMT", "BST", "BST", "BST", "GMT"]


def test_weekly_rule_keeps_wall_time_over_the_weekend_the_clocks_change(bot):
    bot.config.forum.rrule = "FREQ=WEEKLY;BYDAY=SU"
    bot.config.forum.start = datetime(2026, 3, 22, 13, 0)
    spring = Schedule.load(bot).between(utc(2026, 3, 20), utc(2026, 4, 1))
    assert [m.start.astimezone(UTC).hour for m in spring] == [13, 12]
    bot.config.forum.start = datetime(2026, 10, 18, 13, 0)
    autumn = Schedule.load(bot).between(utc(2026, 10, 17), utc(2026, 10, 27))
    assert [m.start.astimezone(UTC).hour for m in autumn] == [12, 13]
    assert all(m.end - m.start == timedelta(minutes=90) for m in spring + autumn)


async def test_next_meeting_shows_date_uk_time_join_agenda_and_calendar_link(bot):
    (reply,) = await say(bot, "next meeting")
    assert "Thursday 14 January 2027, 13:00–14:30 GMT (UK time)" in reply.text
    assert "https://meet.example.org/dtl-forum" in reply.text
    assert "https://example.org/dtl-forum/agenda" in reply.text
    assert "https://dtlbot.example.org/forum.ics" in [b.url for b in reply.buttons]


async def test_questions_about_the_next_forum_are_answered_from_the_schedule(bot):
    for question in ("when is the next forum?", "What date is the next DTL forum meeting",
                     "upcoming meetings?", "How often does the DTL forum meet?"):
        (reply,) = await say(bot, question)
        assert "14 January 2027" in reply.text, question
    for question in ("When was the first forum?",
                     "When should I meet my clinical director?"):
        (reply,) = await say(bot, question)
        assert "14 January 2027" not in reply.text, question  # content questions, not dates
    bot.clock.set(utc(2027, 1, 20, 9))
    (reply,) = await say(bot, "when is the next forum?")
    assert "11 March 2027" in reply.text


async def test_without_a_schedule_next_meeting_says_how_an_organiser_sets_one(bot):
    bot.config.forum.rrule = ""
    (reply,) = await say(bot, "next meeting")
    assert "no forum schedule" in reply.text
    assert "[forum]" in reply.text and "meeting add" in reply.text
    (reply,) = await say(bot, "when is the next forum?")
    assert "no forum schedule" in reply.text


async def test_organiser_adds_a_one_off_with_title_and_location(bot):
    (reply,) = await say(
        bot, 'meeting add 2026-11-26 10:30 "Face-to-face get-together" "Manchester Central"',
        ORGANISER,
    )
    assert "Added" in reply.text and "Thursday 26 November 2026, 10:30" in reply.text
    (reply,) = await say(bot, "meetings")
    lines = reply.text.splitlines()
    assert "Face-to-face get-together (one-off), Manchester Central" in lines[1]
    assert "14 Jan 2027 13:00" in lines[2]
    assert bot.db["audit"].count == 1


async def test_friendlier_dates_work_for_adding(bot):
    (reply,) = await say(bot, "meeting add 18 Dec 2pm | Winter catch-up | Leeds", ORGANISER)
    assert "Friday 18 December 2026, 14:00" in reply.text
    assert "Winter catch-up" in reply.text and "Where: Leeds" in reply.text
    (reply,) = await say(bot, "meeting add next Thursday 14:00 Extra session", ORGANISER)
    assert "Thursday 26 November 2026, 14:00" in reply.text and "Extra session" in reply.text
    (reply,) = await say(bot, "meeting add 2027-02-04 10:00 “Nina's workshop” “Leeds”", ORGANISER)
    assert "Nina's workshop" in reply.text and "Where: Leeds" in reply.text
    (reply,) = await say(bot, "meeting add 2027-01-14 13:00 Duplicate", ORGANISER)
    assert "already a meeting then" in reply.text
    assert bot.db["meetings"].count == 3


async def test_bad_or_past_dates_are_refused_and_nothing_is_stored(bot):
    for text in ("meeting add 2026-02-30 10:00", "meeting add soonish",
                 "meeting add 2026-11-01 10:00", "meeting add 2026-12-01 25:00"):
        (reply,) = await say(bot, text, ORGANISER)
        assert "Added" not in reply.text, text
    assert bot.db["meetings"].count == 0


async def test_only_organisers_change_the_schedule(bot):
    (reply,) = await say(bot, "meeting skip 2027-01-14")
    assert "Only forum organisers" in reply.text
    assert bot.db["meeting_changes"].count == 0


async def test_skip_removes_one_occurrence(bot):
    (reply,) = await say(bot, "meeting skip 2027-01-14", ORGANISER)
    assert "Skipped" in reply.text
    (reply,) = await say(bot, "next meeting")
    assert "Thursday 11 March 2027" in reply.text


async def test_skip_of_a_day_without_a_meeting_lists_the_nearest_meetings(bot):
    (reply,) = await say(bot, "meeting skip 2027-01-15", ORGANISER)
    assert "There is no meeting on Friday 15 January 2027" in reply.text
    assert "14 Jan 2027 13:00" in reply.text and "11 Mar 2027 13:00" in reply.text
    assert bot.db["meeting_changes"].count == 0


async def test_move_puts_the_meeting_at_the_new_time_and_back_again(bot):
    (reply,) = await say(bot, "meeting move 2027-01-14 to 2027-01-21 14:00", ORGANISER)
    assert "Thursday 21 January 2027, 14:00–15:30 GMT" in reply.text
    meetings = Schedule.load(bot).upcoming(bot.clock.now(), 2)
    assert [(m.kind, m.start.day) for m in meetings] == [("moved", 21), ("series", 11)]
    (reply,) = await say(bot, "meeting move 2027-01-21 to 2027-01-14 13:00", ORGANISER)
    assert Schedule.load(bot).upcoming(bot.clock.now(), 1)[0].kind == "series"
    (reply,) = await say(bot, "meeting move 2027-02-02 to 2027-02-03 13:00", ORGANISER)
    assert "There is no meeting" in reply.text and "nearest" in reply.text


async def test_one_off_can_be_moved_and_skipped(bot):
    await say(bot, "meeting add 2026-12-03 10:00 Extra", ORGANISER)
    await say(bot, "meeting move 2026-12-03 to 2026-12-04 11:00", ORGANISER)
    first = Schedule.load(bot).upcoming(bot.clock.now(), 1)[0]
    assert (first.kind, first.start.day, first.start.hour) == ("one-off", 4, 11)
    await say(bot, "meeting skip 2026-12-04", ORGANISER)
    assert Schedule.load(bot).upcoming(bot.clock.now(), 1)[0].kind == "series"


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("forum", "rrule", '"FREQ=SOMETIMES"'),
        ("forum", "timezone", '"Mars/Olympus"'),
        ("reminders", "offsets", '["7d", "soon"]'),
        ("reminders", "offsets", '["1d", "24h"]'),
        ("reminders", "channels", '["C0123"]'),
        ("server", "public_url", '"dtlbot.example.org"'),
    ],
)
def test_bad_schedule_settings_stop_the_bot_naming_the_key(tmp_path, section, key, value):
    settings = {}
    if section == "forum":
        settings = {"start": "2026-01-08T13:00:00", "rrule": '"FREQ=MONTHLY"'}
    settings[key] = value
    path = tmp_path / "config.toml"
    path.write_text(f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    with pytest.raises(ConfigError) as raised:
        load_config(path, env={})
    assert raised.value.key.startswith(f"{section}.{key}")


def test_rrule_without_start_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[forum]\nrrule = "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path, env={})
    assert raised.value.key == "forum.start"


def test_the_documented_example_config_gives_the_bimonthly_schedule(tmp_path):
    example = (Path(__file__).resolve().parent.parent / "config.example.toml").read_text()
    assert "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH" in example
    for key in ("rrule", "start", "join_url", "agenda_url"):
        example = example.replace(f"# {key} = ", f"{key} = ")
    path = tmp_path / "config.toml"
    path.write_text(example)
    config = load_config(path, env={})
    meetings = Schedule(config.forum, ZoneInfo(config.forum.timezone)).between(
        utc(2026, 1, 1), utc(2026, 6, 1)
    )
    assert [f"{m.start:%d %b %H:%M %Z}" for m in meetings] == [
        "08 Jan 13:00 GMT", "12 Mar 13:00 GMT", "14 May 13:00 BST",
    ]


def test_an_until_in_utc_ends_the_series_in_the_feed_and_the_schedule(bot):
    bot.config.forum.rrule = SERIES + ";UNTIL=20270311T130000Z"
    meetings = Schedule.load(bot).between(utc(2026, 11, 1), utc(2028, 1, 1))
    assert [m.start.month for m in meetings] == [11, 1, 3]
    bot.config.forum.validate()
    feed = icalendar.Calendar.from_ical(build_calendar(bot))
    events = recurring_ical_events.of(feed).between(utc(2026, 11, 1), utc(2028, 1, 1))
    assert sorted(e["DTSTART"].dt for e in events) == [m.start for m in meetings]
