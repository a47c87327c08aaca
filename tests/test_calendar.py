"""The calendar feed: valid iCalendar that an independent library expands to the same meetings."""

import json
from datetime import date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
from click.testing import CliRunner

from bot.cli import cli
from bot.server import create_app
from tests.conftest import ORGANISER, say
from tests.meetings_helpers import configure_forum


@pytest.fixture
def config(config):
    return configure_forum(config)


@pytest.fixture
def config_file(config, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "{config.storage.path}"\n'
        "[forum]\n"
        f'rrule = "{config.forum.rrule}"\n'
        "start = 2026-01-08T13:00:00\n"
        f'join_url = "{config.forum.join_url}"\n'
    )
    return str(path)


async def change_schedule(bot):
    """A skip, a move and a one-off, as organisers make them."""
    await say(bot, "meeting skip 2027-01-14", ORGANISER)
    await say(bot, "meeting move 2027-03-11 to 2027-03-18 14:00", ORGANISER)
    await say(bot, 'meeting add 2027-11-25 10:00 "Face-to-face" "Manchester"', ORGANISER)


def cli_json(config_file: str, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["meetings", "--config", config_file, "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


async def test_feed_expands_to_exactly_the_meetings_the_json_lists(bot, config_file):
    await change_schedule(bot)
    listed = cli_json(config_file, "--count", "8", "--from", "2027-01-01")
    result = CliRunner().invoke(cli, ["meetings", "ics", "--config", config_file])
    assert result.exit_code == 0
    calendar = icalendar.Calendar.from_ical(result.stdout_bytes)
    last = datetime.fromisoformat(listed[-1]["start"])
    events = recurring_ical_events.of(calendar).between(
        date(2027, 1, 1), last + timedelta(minutes=1)
    )
    expanded = sorted(
        (e["DTSTART"].dt.isoformat(), e["DTEND"].dt.isoformat(), str(e["SUMMARY"]))
        for e in events
    )
    assert expanded == [(m["start"], m["end"], m["title"]) for m in listed]
    assert [m["kind"] for m in listed[:2]] == ["moved", "series"]
    assert "2027-01-14" not in json.dumps(listed)
    assert {"kind": "one-off", "title": "Face-to-face", "location": "Manchester"}.items() <= next(
        m for m in listed if m["kind"] == "one-off").items()


async def test_json_times_carry_the_uk_offset_in_force(bot, config_file):
    listed = cli_json(config_file, "--count", "3", "--from", "2027-03-01")
    assert [m["start"] for m in listed] == [
        "2027-03-11T13:00:00+00:00", "2027-05-13T13:00:00+01:00", "2027-07-08T13:00:00+01:00",
    ]
    assert listed[0]["end"] == "2027-03-11T14:30:00+00:00"
    assert listed[0]["join_url"] == "https://meet.example.org/dtl-forum"


def test_json_refuses_a_bad_from_date(config_file):
    result = CliRunner().invoke(cli, ["meetings", "--config", config_file, "--json",
                                      "--from", "14/01/2027"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


async def test_feed_has_a_zone_block_local_times_exdate_recurrence_id_and_stable_uids(
    bot, aiohttp_client
):
    await change_schedule(bot)
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    response = await client.get("/forum.ics")
    assert response.status == 200
    assert response.content_type == "text/calendar"
    body = await response.text()
    assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/London" in body
    assert "DTSTART;TZID=Europe/London:20260108T130000" in body
    assert "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH" in body
    assert "EXDATE;TZID=Europe/London:20270114T130000" in body
    assert "RECURRENCE-ID;TZID=Europe/London:20270311T130000" in body
    uids = [line for line in body.splitlines() if line.startswith("UID:")]
    assert uids.count("UID:forum-20260108T130000@dtlbot") == 2  # the series and its override
    again = await (await client.get("/forum.ics")).text()
    assert [line for line in again.splitlines() if line.startswith("UID:")] == uids


async def test_feed_with_no_schedule_is_an_empty_valid_calendar(bot, aiohttp_client):
    bot.config.forum.rrule = ""
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    calendar = icalendar.Calendar.from_ical(await (await client.get("/forum.ics")).read())
    assert calendar.walk("VEVENT") == []


# --- one meeting to add ---------------------------------------------------------------------


def expand(data: bytes, day: date) -> list:
    return recurring_ical_events.of(icalendar.Calendar.from_ical(data)).at(day)


@pytest.mark.parametrize("day", [
    date(2027, 3, 18),   # moved (GMT)
    date(2027, 5, 13),   # a series meeting after the spring clock change (BST)
    date(2027, 11, 11),  # after the autumn change (GMT again)
    date(2027, 11, 25),  # a one-off
])
async def test_a_single_meeting_file_matches_the_feed_uid_time_and_sequence(
        bot, aiohttp_client, day):
    await change_schedule(bot)
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    feed = await (await client.get("/forum.ics")).read()
    response = await client.get(f"/forum/{day:%Y-%m-%d}.ics")
    assert response.status == 200 and response.content_type == "text/calendar"
    assert f'filename="forum-{day:%Y-%m-%d}.ics"' in response.headers["Content-Disposition"]
    single = await response.read()
    (from_feed,) = expand(feed, day)
    (alone,) = expand(single, day)
    for field in ("UID", "SUMMARY", "LOCATION"):
        assert str(alone[field]) == str(from_feed[field])
    assert alone["DTSTART"].dt == from_feed["DTSTART"].dt
    assert alone["DTEND"].dt == from_feed["DTEND"].dt
    assert alone["DTSTART"].dt.utcoffset() == from_feed["DTSTART"].dt.utcoffset()
    if day in (date(2027, 3, 18), date(2027, 11, 25)):  # the moved one and the one-off
        assert alone.get("SEQUENCE", 0) == from_feed.get("SEQUENCE", 0)
    assert b"BEGIN:VTIMEZONE" in single
    (event,) = icalendar.Calendar.from_ical(single).walk("VEVENT")
    # A series meeting is one instance of the series (never a second copy of it).
    assert ("RECURRENCE-ID" in event) == (day != date(2027, 11, 25))
    assert "RRULE" not in event


@pytest.mark.parametrize("path", ["/forum/2027-01-14.ics", "/forum/2027-01-15.ics",
                                  "/forum/2027-02-31.ics", "/forum/2027-1-5.ics"])
async def test_a_single_meeting_file_is_404_for_a_day_with_no_meeting(bot, aiohttp_client, path):
    await change_schedule(bot)  # 14 January is skipped
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    response = await client.get(path)
    assert response.status == 404


async def test_next_meeting_offers_the_single_meeting_as_a_link_and_a_file(bot):
    web = ORGANISER.__class__("web", "w1", name="W")
    from bot.kernel.model import Conversation, Incoming, Platform

    bot.describe("web", Platform("a web page"))  # a platform that takes files

    replies = await bot.handle(Incoming(web, Conversation("web", "w1"), text="next meeting"))
    text, attached = replies
    assert "https://dtlbot.example.org/forum/2027-01-14.ics" in text.text
    assert "Add this meeting" in [b.label for b in text.buttons]
    assert attached.file is not None and attached.file.mime == "text/calendar"
    assert attached.file.filename == "forum-2027-01-14.ics"
    (event,) = icalendar.Calendar.from_ical(attached.file.data).walk("VEVENT")
    assert str(event["UID"]) == "forum-20260108T130000@dtlbot"
    # The console prints files as text, so there it gets the link only.
    (console,) = await say(bot, "next meeting")
    assert console.file is None and "forum/2027-01-14.ics" in console.text


async def test_in_a_channel_next_meeting_gives_the_link_without_a_file_each_time(bot):
    from bot.kernel.model import Conversation, Incoming, User

    web = User("web", "w1", name="W")
    (reply,) = await bot.handle(Incoming(web, Conversation("web", "room", is_direct=False),
                                         text="when is the next forum?"))
    assert reply.file is None and "forum/2027-01-14.ics" in reply.text


async def test_each_move_raises_the_sequence_in_the_feed_and_the_single_file(bot):
    from bot.features.meetings.calendar import build_calendar, single_file

    def sequence(data: bytes, day: date) -> int:
        (event,) = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).at(day)
        return int(event.get("SEQUENCE", 0))

    await say(bot, 'meeting add 2027-02-04 10:00 "Extra" "Leeds"', ORGANISER)
    assert sequence(build_calendar(bot), date(2027, 2, 4)) == 0
    await say(bot, "meeting move 2027-02-04 to 2027-02-05 10:00", ORGANISER)
    assert sequence(build_calendar(bot), date(2027, 2, 5)) == 1
    await say(bot, "meeting move 2027-01-14 to 2027-01-21 13:00", ORGANISER)
    await say(bot, "meeting move 2027-01-21 to 2027-01-28 13:00", ORGANISER)
    day = date(2027, 1, 28)
    assert sequence(build_calendar(bot), day) == 2 == sequence(single_file(bot, day), day)
