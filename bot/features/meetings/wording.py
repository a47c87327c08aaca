"""How the forum's meetings are written and read: dates, times, places, links and buttons."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bot.features.meetings.schedule import Meeting, Schedule
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button
from bot.kernel.text import example_date

if TYPE_CHECKING:
    from bot.kernel.context import Bot

DATE_RE = r"\d{4}-\d{1,2}-\d{1,2}"
TIME_RE = r"\d{1,2}:\d{2}"

LINK_ACTION = "meetings:link"
RSVP_ACTION = "meetings:rsvp"
# Each answer to `rsvp`, with the label of its button.
RSVP_LABELS = {"yes": "I'll be there", "maybe": "Maybe", "no": "Can't make it"}
CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def zone_label(bot: Bot) -> str:
    zone = bot.config.forum.timezone
    return "UK time" if zone == "Europe/London" else zone


def when_text(bot: Bot, meeting: Meeting) -> str:
    """E.g. "Thursday 8 January 2026, 13:00–14:30 GMT (UK time)"."""
    start, end = meeting.start, meeting.end
    day = f"{start:%A} {start.day} {start:%B %Y}"
    return f"{day}, {start:%H:%M}–{end:%H:%M} {start:%Z} ({zone_label(bot)})"


def short_when(meeting: Meeting) -> str:
    start = meeting.start
    return f"{start:%a} {start.day} {start:%b %Y} {start:%H:%M} {start:%Z}"


def where_text(meeting: Meeting) -> str:
    if meeting.join_url:
        return f"Join online: {meeting.join_url}"
    return f"Where: {literal(meeting.location)}" if meeting.location else ""


def calendar_url(bot: Bot) -> str:
    return f"{bot.config.server.base_url}/forum.ics"


def single_url(bot: Bot, meeting: Meeting) -> str:
    """This one meeting as a calendar file (the same UID as in the feed)."""
    return f"{bot.config.server.base_url}/forum/{meeting.day}.ics"


def link_buttons(bot: Bot, meeting: Meeting) -> tuple[Button, ...]:
    """Join, agenda, "Add this meeting" and "Add to calendar" (the whole feed) as link buttons
    (the words carry the links too)."""
    links = []
    if meeting.join_url:
        links.append(("Join", meeting.join_url))
    if meeting.agenda_url:
        links.append(("Agenda", meeting.agenda_url))
    links.append(("Add this meeting", single_url(bot, meeting)))
    links.append(("Add to calendar", calendar_url(bot)))
    return tuple(Button(label, Action(LINK_ACTION, value=url), url=url) for label, url in links)


def rsvp_buttons(meeting: Meeting) -> tuple[Button, ...]:
    """"I'll be there", "Maybe" and "Can't make it" (the same as `rsvp yes|maybe|no DATE`)."""
    return tuple(
        Button(label, Action(RSVP_ACTION, value=f"{answer} {meeting.ref}"),
               style="primary" if answer == "yes" else None)
        for answer, label in RSVP_LABELS.items()
    )


def rsvp_hint(meeting: Meeting) -> str:
    return (f"Coming? Type `rsvp yes`, `rsvp maybe` or `rsvp no` (for this meeting: "
            f"`rsvp yes {meeting.day}`).")


def meeting_text(bot: Bot, meeting: Meeting) -> str:
    """The title, the date and time, where, and the agenda, one line each."""
    lines = [f"**{literal(meeting.title)}**", when_text(bot, meeting)]
    if meeting.kind == "moved" and meeting.original_start is not None:
        was = meeting.original_start
        lines[0] += f" (moved from {was:%a} {was.day} {was:%b})"
    where = where_text(meeting)
    if where:
        lines.append(where)
    if meeting.agenda_url:
        lines.append(f"Agenda: {meeting.agenda_url}")
    lines.append(f"Add this meeting to your calendar: {single_url(bot, meeting)}")
    lines.append(f"Add to your calendar (every meeting): {calendar_url(bot)}")
    return "\n".join(lines)


def listing_line(meeting: Meeting) -> str:
    extra = {"series": "", "moved": " (moved)", "one-off": " (one-off)"}[meeting.kind]
    place = f", {literal(meeting.location)}" if meeting.location and not meeting.join_url else ""
    return f"- {short_when(meeting)}: {literal(meeting.title)}{extra}{place}"


def nearest_text(schedule: Schedule, day: date) -> str:
    near = schedule.nearest(day)
    if not near:
        return "There are no meetings in the schedule."
    return "The nearest meetings are:\n" + "\n".join(listing_line(m) for m in near)



# --- parsing dates and times --------------------------------------------------------------


class ParseError(ValueError):
    """A date or time the bot could not read; the message says what it expects."""


def _friendly(text: str, base: datetime, want_time: bool) -> datetime | None:
    """Friendlier forms ("18 Nov", "next Thursday 2pm") through dateparser, future preferred."""
    from dateparser.date import DateDataParser

    parser = DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base.replace(tzinfo=None),
            "DATE_ORDER": "DMY",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    data = parser.get_date_data(text)
    if data.date_obj is None or (want_time and data.period != "time"):
        return None
    return data.date_obj.replace(tzinfo=None)


MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _check_day_month(text: str) -> None:
    """"31 Feb" (or "31 February 2027") is no date: say so rather than guess another."""
    match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?(?:\s+(\d{4}))?", text)
    if not match or match.group(2)[:3].lower() not in MONTHS:
        return
    year = int(match.group(3)) if match.group(3) else 2028  # a leap year: 29 Feb is real
    try:
        date(year, MONTHS[match.group(2)[:3].lower()], int(match.group(1)))
    except ValueError:
        raise ParseError(f"“{literal(text)}” is not a real date.") from None


def parse_day(text: str, base: datetime) -> date:
    text = text.strip()
    if re.fullmatch(DATE_RE, text):
        try:
            return date(*map(int, text.split("-")))
        except ValueError:
            raise ParseError(f"“{literal(text)}” is not a real date.") from None
    _check_day_month(text)
    found = _friendly(text, base, want_time=False) if text else None
    if found is None:
        raise ParseError(f"I could not read “{literal(text)}” as a date: use YYYY-MM-DD, e.g. "
                         f"{example_date(base)}.")
    return found.date()


def parse_when(text: str, base: datetime) -> datetime:
    """A date and a time of day (naive, forum time)."""
    text = text.strip()
    strict = re.fullmatch(rf"({DATE_RE})\s+({TIME_RE})", text)
    if strict:
        day = parse_day(strict.group(1), base)
        hour, minute = map(int, strict.group(2).split(":"))
        if hour > 23 or minute > 59:
            raise ParseError(f"“{literal(strict.group(2))}” is not a time: use HH:MM, e.g. 13:00.")
        return datetime(day.year, day.month, day.day, hour, minute)
    found = _friendly(text, base, want_time=True) if text else None
    if found is None:
        raise ParseError(
            f"I could not read “{literal(text)}” as a date and time: use YYYY-MM-DD HH:MM "
            f"(forum time), e.g. {example_date(base)} 10:00."
        )
    return found


def straight_quotes(text: str) -> str:
    """Chat apps often turn "quotes" into curly ones; read both the same."""
    return text.translate(CURLY_QUOTES)


def split_when(args: str, base: datetime) -> tuple[datetime, str]:
    """The date and time at the start of `args`, and the rest (title and location)."""
    args = straight_quotes(args)
    strict = re.match(rf"\s*({DATE_RE})\s+({TIME_RE})(?:\s+|$)(.*)", args)
    if strict:
        return parse_when(f"{strict.group(1)} {strict.group(2)}", base), strict.group(3)
    cut = min((i for i in (args.find('"'), args.find("|")) if i >= 0), default=-1)
    if cut >= 0:
        return parse_when(args[:cut], base), args[cut:]
    words = args.split()
    # The longest run of leading words that reads as a date and time.
    for n in range(min(len(words), 6), 0, -1):
        found = _friendly(" ".join(words[:n]), base, want_time=True)
        if found is not None:
            return found, " ".join(words[n:])
    return parse_when(args, base), ""


def split_title(rest: str) -> tuple[str, str]:
    """Title and location: quoted ("Face to face" "Manchester") or split by "|"."""
    rest = rest.strip()
    if not rest:
        return "", ""
    if '"' in rest:
        if rest.count('"') % 2:
            raise ParseError('A quote is not closed: put the title and the location each in '
                             '"double quotes".')
        parts = [quoted or word for quoted, word in re.findall(r'"([^"]*)"|(\S+)', rest)]
        return (parts[0] if parts else ""), " ".join(parts[1:])
    title, _, location = rest.lstrip("|").partition("|")
    return title.strip(" |"), location.strip(" |")



def to_utc(schedule: Schedule, naive: datetime) -> datetime:
    return schedule.localize(naive).astimezone(UTC)


def pick(schedule: Schedule, spec: str, base: datetime) -> Meeting | str:
    """The one meeting a DATE [TIME] names, or a message saying why there is none."""
    parts = spec.split()
    time_part = parts[-1] if len(parts) > 1 and re.fullmatch(TIME_RE, parts[-1]) else None
    day_text = " ".join(parts[:-1]) if time_part else spec
    try:
        day = parse_day(day_text, base)
    except ParseError as exc:
        return str(exc)
    found = schedule.on_date(day)
    if time_part:
        found = [m for m in found if f"{m.start:%H:%M}" == time_part.zfill(5)]
    if not found:
        return f"There is no meeting on {day:%A} {day.day} {day:%B %Y}. " + nearest_text(
            schedule, day
        )
    if len(found) > 1:
        listing = "\n".join(listing_line(m) for m in found)
        return f"There is more than one meeting that day; add the time:\n{listing}"
    return found[0]
