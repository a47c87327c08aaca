"""The calendar feed: every forum meeting as one iCalendar file that calendar apps subscribe to."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from icalendar import Calendar, Event, vRecur

from bot.features.meetings.schedule import Meeting, Schedule
from bot.kernel.markup import without_controls

if TYPE_CHECKING:
    from bot.kernel.context import Bot

PRODID = "-//DTL Forum Bot//dtlbot//EN"
# Calendar apps that honour it refresh the subscription this often.
REFRESH = timedelta(hours=6)  # keep X-PUBLISHED-TTL below in step


def _describe(meeting: Meeting) -> str:
    lines = []
    if meeting.join_url:
        lines.append(f"Join online: {meeting.join_url}")
    if meeting.agenda_url:
        lines.append(f"Agenda: {meeting.agenda_url}")
    return "\n".join(lines)


def _event(meeting: Meeting, stamp: datetime, sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp)
    # Aware datetimes in the forum's zone: written as DTSTART;TZID=..., never as UTC.
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    # Titles and places may be typed by organisers: no control characters reach calendars.
    event.add("summary", without_controls(meeting.title))
    event.add("location", without_controls(meeting.join_url or meeting.location))
    if meeting.join_url:
        event.add("url", without_controls(meeting.join_url))
    description = without_controls(_describe(meeting), keep_lines=True)
    if description:
        event.add("description", description)
    event.add("sequence", sequence)
    return event


def _rule(schedule: Schedule) -> vRecur:
    rule = vRecur.from_ical(schedule.forum.rrule)
    # RFC 5545: with a TZID start, UNTIL must be in UTC.
    if "UNTIL" in rule:
        rule["UNTIL"] = [
            schedule.localize(u).astimezone(UTC)
            if isinstance(u, datetime) and u.tzinfo is None
            else u
            for u in rule["UNTIL"]
        ]
    return rule


def build_calendar(bot: Bot) -> bytes:
    """The feed: the series (RRULE, skips as EXDATE, moves as RECURRENCE-ID) and the one-offs."""
    schedule = Schedule.load(bot)
    forum = bot.config.forum
    stamp = bot.clock.now().astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", forum.title)
    cal.add("x-wr-timezone", forum.timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    first: date = stamp.date()
    if schedule.has_series:
        assert forum.start is not None
        start = schedule.localize(forum.start)
        first = min(first, start.date())
        series = _event(schedule.series_meeting(start, start, "series"), stamp)
        series.add("rrule", _rule(schedule))
        for original, (action, _, _) in sorted(schedule.changes.items()):
            if action == "skip":
                series.add("exdate", original.astimezone(schedule.zone))
        cal.add_component(series)
        for original, (action, new_start, _) in sorted(schedule.changes.items()):
            if action != "move" or new_start is None:
                continue
            moved = schedule.series_meeting(new_start, original, "moved")
            override = _event(moved, stamp, sequence=moved.sequence)
            override.add("recurrence-id", original.astimezone(schedule.zone))
            cal.add_component(override)
    for row in schedule.one_offs:
        meeting = schedule.one_off(row)
        first = min(first, meeting.start.date())
        cal.add_component(_event(meeting, stamp, sequence=meeting.sequence))
    # The VTIMEZONE block: without it Outlook shows the times an hour off half the year.
    cal.add_missing_timezones(first_date=first - timedelta(days=366),
                              last_date=first + timedelta(days=366 * 15))
    return cal.to_ical()


def single_file(bot: Bot, day: date) -> bytes | None:
    """The meetings on one day (in the forum's zone) as a calendar file to add, each with the
    same UID as in the feed (a series meeting with its RECURRENCE-ID), so a calendar that also
    subscribes to the feed shows it once; None if there is no meeting that day."""
    schedule = Schedule.load(bot)
    found = schedule.on_date(day)
    if not found:
        return None
    stamp = bot.clock.now().astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for meeting in found:
        event = _event(meeting, stamp, sequence=meeting.sequence)
        if meeting.kind != "one-off" and meeting.original_start is not None:
            event.add("recurrence-id", meeting.original_start.astimezone(schedule.zone))
        cal.add_component(event)
    cal.add_missing_timezones(first_date=day - timedelta(days=366),
                              last_date=day + timedelta(days=366))
    return cal.to_ical()


def add_routes(app: web.Application, bot: Bot) -> None:
    """Serve the feed at GET /forum.ics, and one day's meetings at GET /forum/YYYY-MM-DD.ics."""

    async def feed(request: web.Request) -> web.Response:
        return web.Response(
            body=await bot.run(build_calendar, bot),  # read on the core (bot.kernel.core)
            content_type="text/calendar",
            charset="utf-8",
            headers={
                "Content-Disposition": 'inline; filename="forum.ics"',
                "Cache-Control": "public, max-age=300",
            },
        )

    async def single(request: web.Request) -> web.Response:
        try:
            day = date.fromisoformat(request.match_info["day"])
        except ValueError:
            raise web.HTTPNotFound(text="Not a date: use /forum/YYYY-MM-DD.ics.") from None
        data = await bot.run(single_file, bot, day)
        if data is None:
            raise web.HTTPNotFound(text=f"There is no forum meeting on {day:%Y-%m-%d}.")
        return web.Response(
            body=data,
            content_type="text/calendar",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="forum-{day:%Y-%m-%d}.ics"',
                "Cache-Control": "public, max-age=300",
            },
        )

    app.router.add_get("/forum.ics", feed, name="calendar.feed")
    app.router.add_get(r"/forum/{day:\d{4}-\d{2}-\d{2}}.ics", single, name="calendar.single")
