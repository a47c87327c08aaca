"""`dtlbot meetings`: the next forum meetings, and the calendar as a file."""

from __future__ import annotations

import json
from typing import Any

import click

from bot.kernel.commandline import command_line, config_option, write_output
from bot.kernel.markup import to_plain


def meeting_json(meeting, bot=None) -> dict[str, Any]:
    """One meeting for `dtlbot meetings --json`: ISO 8601 times with the forum zone's offset;
    with the bot, also its RSVP counts and its agenda (most votes first)."""
    found: dict[str, Any] = {
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "title": meeting.title,
        "location": meeting.location or None,
        "join_url": meeting.join_url or None,
        "agenda_url": meeting.agenda_url or None,
        "kind": meeting.kind,
        "uid": meeting.uid,
    }
    if bot is not None:
        from bot.features.meetings import agenda, rsvp

        found["rsvps"] = rsvp.counts(bot, meeting.ref)
        found["agenda"] = agenda.for_json(bot, meeting)
    return found


@click.group(invoke_without_command=True)
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, soonest first.")
@click.option("--count", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many meetings.")
@click.option("--from", "from_day", metavar="YYYY-MM-DD", default=None,
              help="List meetings from the start of this day in the forum's zone (default: now).")
@click.pass_context
def meetings(ctx: click.Context, config_path: str | None, as_json: bool, count: int,
             from_day: str | None) -> None:
    """The next forum meetings (skipped ones left out); `meetings ics` prints the calendar."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import date, datetime

    from bot.features.meetings.schedule import Schedule

    config = command_line().config(config_path)
    bot = command_line().bot(config)
    schedule = Schedule.load(bot)
    now = bot.clock.now()
    if from_day is not None:
        try:
            day = date.fromisoformat(from_day)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD, e.g. 2027-01-01",
                                     param_hint="--from") from None
        now = datetime(day.year, day.month, day.day, tzinfo=schedule.zone)
    found = schedule.upcoming(now, count)
    if as_json:
        click.echo(json.dumps([meeting_json(m, bot) for m in found], indent=2))
        return
    if schedule.is_empty:
        from bot.features.meetings.commands import NO_SCHEDULE

        click.echo(to_plain(NO_SCHEDULE))
        return
    if not found:
        click.echo("No more meetings in the schedule.")
    for meeting in found:
        click.echo(f"{meeting.start:%a %d %b %Y %H:%M %Z}  {meeting.title}"
                   f"  ({meeting.kind})  {meeting.join_url or meeting.location}")


@meetings.command("ics")
@config_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def meetings_ics(config_path: str | None, output: str | None) -> None:
    """Print the forum's calendar (iCalendar), the same as GET /forum.ics."""
    from bot.features.meetings.calendar import build_calendar

    config = command_line().config(config_path)
    bot = command_line().bot(config)
    data = build_calendar(bot)
    events = data.count(b"BEGIN:VEVENT")
    what = f"the forum calendar: {events} event{'' if events == 1 else 's'}"
    write_output(data, output, what)


def add_commands(group: click.Group) -> None:
    group.add_command(meetings)
