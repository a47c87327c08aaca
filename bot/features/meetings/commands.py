"""Chat commands for the forum's meetings: next meeting, the list, and organisers' changes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.features.meetings.schedule import Meeting, Schedule, iso_utc
from bot.kernel import audit
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button, File, Reply
from bot.kernel.registry import Next, Registry, Turn
from bot.kernel.text import example_date

if TYPE_CHECKING:
    from bot.kernel.context import Bot

LIST_COUNT = 6
NO_SCHEDULE = (
    "There is no forum schedule yet. An organiser can set the regular meetings in the config "
    "file's `[forum]` section (`rrule` and `start`, e.g. "
    "`rrule = \"FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH\"`), or add a single meeting here with "
    "`meeting add YYYY-MM-DD HH:MM [title] [location]`."
)
DATE_RE = r"\d{4}-\d{1,2}-\d{1,2}"
TIME_RE = r"\d{1,2}:\d{2}"
# Questions about when the forum meets, answered from the schedule rather than from content.
SCHEDULE_QUESTION = re.compile(
    r"\b(when|what time|what date|what day|which day|date of|time of)\b.*"
    r"\b(forum|forums|meetup|get-together)\b"
    r"|\b(next|upcoming)\s+(dtl\s+)?(forum|meeting|meetings|meetup|get-together)\b",
    re.IGNORECASE,
)
# "How often does the forum meet?": answered from the configured series, when there is one.
FREQUENCY_QUESTION = re.compile(
    r"\bhow\s+(?:often|frequently|regularly)\b.*\b(?:forum|meet|meets|meeting|meetings|"
    r"get[\s-]+together|gather)\b"
    r"|\b(?:frequency|regularity)\b.*\b(?:forum|meetings?)\b"
    r"|\b(?:forum|meeting)\s+(?:schedule|frequency)\b"
    r"|\bwhen\s+(?:does|do)\s+(?:the\s+)?(?:dtl\s+)?(?:forum|dtls|we)\s+(?:meet|get together)\b",
    re.IGNORECASE,
)
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
         "SA": "Saturday", "SU": "Sunday"}
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
PAST_WORDS = re.compile(r"\b(was|were|did|first|last|previous|founded|started)\b", re.IGNORECASE)
LINK_ACTION = "meetings:link"
RSVP_ACTION = "meetings:rsvp"
# Each answer to `rsvp`, with the label of its button.
RSVP_LABELS = {"yes": "I'll be there", "maybe": "Maybe", "no": "Can't make it"}
# Platforms that do not take a file as a file to open: the console prints it as text, and a Teams
# bot cannot attach one (the adapter shows a text file's content unless the server hosts it).
# There the "Add this meeting" link does the same.
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


def next_meeting_replies(bot: Bot, platform: str = "console", direct: bool = False) -> list[Reply]:
    """The next meeting with its buttons; in a direct chat on a platform that shows files, the
    meeting's calendar file as well (in a channel the link is enough: no file each time)."""
    schedule = Schedule.load(bot)
    if schedule.is_empty:
        return [Reply(NO_SCHEDULE)]
    now = bot.clock.now()
    upcoming = schedule.upcoming(now, 1)
    if not upcoming:
        return [Reply("There are no more forum meetings in the schedule.")]
    meeting = upcoming[0]
    lead = "On now" if meeting.start <= now else "The next forum meeting"
    text = f"{lead}:\n{meeting_text(bot, meeting)}"
    if meeting.start <= now:
        return [Reply(text, buttons=link_buttons(bot, meeting))]
    from bot.features.meetings import agenda

    proposed = len(agenda.topics(bot, meeting.ref))
    if proposed:
        text += (f"\n{proposed} topic{'' if proposed == 1 else 's'} proposed for it so far: "
                 "type `agenda` to see them and vote.")
    else:
        text += "\nWhat should we talk about? Propose a topic with `agenda add TEXT`."
    text += "\n" + rsvp_hint(meeting)
    replies = [Reply(text, buttons=rsvp_buttons(meeting) + link_buttons(bot, meeting))]
    if direct and bot.platform(platform).takes_files:
        from bot.features.meetings.calendar import single_file

        data = single_file(bot, meeting.start.date())
        if data is not None:
            replies.append(Reply(file=File(data, f"forum-{meeting.day}.ics", mime="text/calendar",
                                           title=f"{meeting.title}, {short_when(meeting)}")))
    return replies


async def next_meeting(turn: Turn) -> list[Reply]:
    return next_meeting_replies(turn.bot, turn.user.platform, turn.conversation.is_direct)


async def list_meetings(turn: Turn) -> list[Reply]:
    bot = turn.bot
    schedule = Schedule.load(bot)
    if schedule.is_empty:
        return [Reply(NO_SCHEDULE)]
    upcoming = schedule.upcoming(bot.clock.now(), LIST_COUNT)
    if not upcoming:
        return [Reply("There are no more forum meetings in the schedule.")]
    text = (
        f"Upcoming meetings ({zone_label(bot)}):\n"
        + "\n".join(listing_line(m) for m in upcoming)
        + f"\nAdd them all to your calendar: {calendar_url(bot)}"
    )
    return [Reply(text)]


def is_schedule_question(text: str) -> bool:
    """Whether a question asks when the forum next meets (not about its history)."""
    return bool(SCHEDULE_QUESTION.search(text)) and not PAST_WORDS.search(text)


def rule_in_words(rule: str) -> str:
    """An RRULE in plain words: "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH" -> "every two months,
    on the second Thursday" (the common forms; otherwise just how often)."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    unit = _UNITS.get(parts.get("FREQ", ""), "")
    if not unit:
        return "regularly"
    interval = int(parts.get("INTERVAL", "1") or 1)
    words = f"every {unit}" if interval == 1 else f"every {_COUNTS.get(interval, interval)} {unit}s"
    days = []
    for day in filter(None, parts.get("BYDAY", "").split(",")):
        match = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", day)
        if match is None or match.group(2) not in _DAYS:
            continue
        nth = _ORDINALS.get(int(match.group(1))) if match.group(1) else None
        days.append(f"the {nth} {_DAYS[match.group(2)]}" if nth else f"{_DAYS[match.group(2)]}s")
    return words + (f", on {' and '.join(days)}" if days else "")


def frequency_replies(bot: Bot, schedule: Schedule) -> list[Reply]:
    """How often the forum meets, from the configured series, and its next meeting."""
    forum = bot.config.forum
    where = "online" if forum.join_url or forum.location.lower() == "online" else (
        f"at {forum.location}" if forum.location else "")
    text = f"The forum meets {rule_in_words(forum.rrule)}" + (f", {where}" if where else "")
    upcoming = schedule.upcoming(bot.clock.now(), 1)
    buttons: tuple[Button, ...] = ()
    if upcoming:
        meeting = upcoming[0]
        start = meeting.start
        text += (f"; the next meeting is {start:%A} {start.day} {start:%B %Y}, "
                 f"{start:%H:%M} {start:%Z}.")
        buttons = link_buttons(bot, meeting)
    else:
        text += "; there are no more meetings in the schedule."
    return [Reply(text + "\nType `meetings` for the full list.", buttons=buttons)]


async def schedule_questions(turn: Turn, next: Next) -> list[Reply]:
    """Middleware: "when is the next forum?" (and, with a series configured, "how often does
    the forum meet?") is answered from the schedule, not from content."""
    if is_schedule_question(turn.args):
        return next_meeting_replies(turn.bot, turn.user.platform, turn.conversation.is_direct)
    if FREQUENCY_QUESTION.search(turn.args) and not PAST_WORDS.search(turn.args):
        schedule = Schedule.load(turn.bot)
        if schedule.has_series:
            return frequency_replies(turn.bot, schedule)
    return await next(turn)


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


# --- organisers' changes ------------------------------------------------------------------


def _to_utc(schedule: Schedule, naive: datetime) -> datetime:
    return schedule.localize(naive).astimezone(UTC)


def _pick(schedule: Schedule, spec: str, base: datetime) -> Meeting | str:
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


def split_notify(args: str) -> tuple[str, bool]:
    """A last word `notify` (outside quotes): push the change even if it is far ahead."""
    words = args.rstrip().rsplit(maxsplit=1)
    if len(words) == 2 and words[1].lower() == "notify" and words[0].count('"') % 2 == 0:
        return words[0], True
    if len(words) == 1 and words[0].lower() == "notify":
        return "", True
    return args, False


async def meeting_add(turn: Turn) -> list[Reply]:
    from bot.features.meetings import notices

    bot = turn.bot
    schedule = Schedule.load(bot)
    base = bot.clock.now().astimezone(schedule.zone)
    args, notify = split_notify(turn.args)
    try:
        when, rest = split_when(args, base)
        title, location = split_title(rest)
    except ParseError as exc:
        return [Reply(f"{exc}\nUsage: `meeting add YYYY-MM-DD HH:MM [title] [location]`, e.g. "
                      f'`meeting add {example_date(base)} 10:00 "Face-to-face get-together" '
                      '"Manchester"`.')]
    start = _to_utc(schedule, when)
    if start <= bot.clock.now():
        return [Reply(f"{when:%Y-%m-%d %H:%M} is in the past: give a future date and time.")]
    clash = schedule.between(start, start + timedelta(seconds=1))
    if clash:
        return [Reply(f"There is already a meeting then: {literal(clash[0].title)}, "
                      f"{when_text(bot, clash[0])}.")]
    table = bot.db["meetings"]
    table.insert(
        {
            "starts_at": iso_utc(start),
            "duration_minutes": bot.config.forum.duration_minutes,
            "title": title[:200],
            "location": location[:200],
            "changed_at": bot.now_iso(),
            "cancelled_at": None,
        }
    )
    audit.record(bot, turn.user, "meeting add", f"{iso_utc(start)} {title} {location}".strip())
    bot.replan()
    added = schedule.one_off(table.get(table.last_pk))
    told = notices.meeting_added(bot, added, notify)
    return [Reply("Added:\n" + meeting_text(bot, added) + ("\n" + told if told else ""),
                  buttons=link_buttons(bot, added))]


async def meeting_skip(turn: Turn) -> list[Reply]:
    from bot.features.meetings import notices

    bot = turn.bot
    schedule = Schedule.load(bot)
    base = bot.clock.now().astimezone(schedule.zone)
    args, notify = split_notify(turn.args)
    if not args.strip():
        return [Reply("Usage: `meeting skip YYYY-MM-DD` (add HH:MM if two meetings share a day; "
                      "`notify` to tell everyone of a change more than 90 days ahead).")]
    picked = _pick(schedule, args, base)
    if isinstance(picked, str):
        return [Reply(picked)]
    if picked.start <= bot.clock.now():
        return [Reply("That meeting has already started, so it cannot be skipped.")]
    if picked.kind == "one-off":
        bot.db["meetings"].update(picked.meeting_id, {"cancelled_at": bot.now_iso()})
    else:
        assert picked.original_start is not None
        bot.db["meeting_changes"].upsert(
            {"original_start": iso_utc(picked.original_start), "action": "skip",
             "new_start": None, "changed_at": bot.now_iso()},
            pk="original_start",
        )
    audit.record(bot, turn.user, "meeting skip", f"{picked.kind} {iso_utc(picked.start)}")
    bot.replan()
    told = notices.meeting_skipped(bot, picked, notify)
    return [Reply(f"Skipped: {literal(picked.title)}, {when_text(bot, picked)}. "
                  "No reminders will be sent for it." + (" " + told if told else ""))]


async def meeting_move(turn: Turn) -> list[Reply]:
    from bot.features.meetings import notices

    bot = turn.bot
    schedule = Schedule.load(bot)
    base = bot.clock.now().astimezone(schedule.zone)
    args, notify = split_notify(turn.args)
    old_spec, sep, new_spec = args.partition(" to ")
    if not sep or not old_spec.strip() or not new_spec.strip():
        return [Reply("Usage: `meeting move YYYY-MM-DD to YYYY-MM-DD HH:MM [notify]`, e.g. "
                      f"`meeting move {example_date(base)} to {example_date(base, 5)} 13:00`.")]
    picked = _pick(schedule, old_spec, base)
    if isinstance(picked, str):
        return [Reply(picked)]
    if picked.start <= bot.clock.now():
        return [Reply("That meeting has already started, so it cannot be moved.")]
    try:
        when = parse_when(new_spec, base)
    except ParseError as exc:
        return [Reply(str(exc))]
    new_start = _to_utc(schedule, when)
    if new_start <= bot.clock.now():
        return [Reply(f"{when:%Y-%m-%d %H:%M} is in the past: give a future date and time.")]
    if picked.kind == "one-off":
        bot.db["meetings"].update(
            picked.meeting_id, {"starts_at": iso_utc(new_start), "changed_at": bot.now_iso(),
                                "sequence": picked.sequence + 1}
        )
    else:
        assert picked.original_start is not None
        original = iso_utc(picked.original_start)
        if new_start == picked.original_start.astimezone(UTC):
            bot.db["meeting_changes"].delete_where("original_start = ?", [original])
        else:
            bot.db["meeting_changes"].upsert(
                {"original_start": original, "action": "move",
                 "new_start": iso_utc(new_start), "changed_at": bot.now_iso(),
                 "sequence": picked.sequence + 1},
                pk="original_start",
            )
    audit.record(bot, turn.user, "meeting move",
                 f"{picked.kind} {iso_utc(picked.start)} to {iso_utc(new_start)}")
    bot.replan()
    moved = [m for m in Schedule.load(bot).between(new_start, new_start + timedelta(seconds=1))
             if m.uid == picked.uid]
    shown = moved[0] if moved else picked
    told = notices.meeting_moved(bot, picked, shown, notify) if moved else ""
    return [Reply(f"Moved from {short_when(picked)} to:\n" + meeting_text(bot, shown)
                  + ("\n" + told if told else ""), buttons=link_buttons(bot, shown))]


async def open_link(turn: Turn) -> list[Reply]:
    """For platforms that send link buttons back as actions: give the link as text."""
    assert turn.incoming.action is not None
    return [Reply(turn.incoming.action.value)]


def register(registry: Registry) -> None:
    registry.use(schedule_questions)
    registry.command("next meeting", help="when and where the next forum meeting is",
                     takes="none")(next_meeting)
    registry.command("meetings", help="the upcoming forum meetings", takes="none")(list_meetings)
    registry.command("meeting add", organiser=True,
                     usage="meeting add DATE TIME [title] [location]",
                     help="add a one-off meeting, e.g. `meeting add {date} 10:00 "
                        '"Face-to-face" "Manchester"`')(meeting_add)
    registry.command("meeting skip", organiser=True, usage="meeting skip DATE",
                   help="cancel one meeting (no reminders are sent for it)")(meeting_skip)
    registry.command("meeting move", organiser=True,
                     usage="meeting move DATE to DATE TIME [notify]",
                   help="move one meeting to another date and time")(meeting_move)
    registry.action(LINK_ACTION)(open_link)
