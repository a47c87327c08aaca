"""Chat commands for the forum's meetings: next meeting, the list, and organisers' changes."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from bot.features.meetings import agenda, notices
from bot.features.meetings.schedule import Schedule, iso_utc
from bot.features.meetings.wording import (
    LINK_ACTION,
    ParseError,
    calendar_url,
    link_buttons,
    listing_line,
    meeting_text,
    parse_when,
    pick,
    rsvp_buttons,
    rsvp_hint,
    short_when,
    split_title,
    split_when,
    to_utc,
    when_text,
    zone_label,
)
from bot.kernel import audit
from bot.kernel.markup import literal
from bot.kernel.model import Button, File, Reply
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



# --- organisers' changes ------------------------------------------------------------------


def split_notify(args: str) -> tuple[str, bool]:
    """A last word `notify` (outside quotes): push the change even if it is far ahead."""
    words = args.rstrip().rsplit(maxsplit=1)
    if len(words) == 2 and words[1].lower() == "notify" and words[0].count('"') % 2 == 0:
        return words[0], True
    if len(words) == 1 and words[0].lower() == "notify":
        return "", True
    return args, False


async def meeting_add(turn: Turn) -> list[Reply]:
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
    start = to_utc(schedule, when)
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
    bot = turn.bot
    schedule = Schedule.load(bot)
    base = bot.clock.now().astimezone(schedule.zone)
    args, notify = split_notify(turn.args)
    if not args.strip():
        return [Reply("Usage: `meeting skip YYYY-MM-DD` (add HH:MM if two meetings share a day; "
                      "`notify` to tell everyone of a change more than 90 days ahead).")]
    picked = pick(schedule, args, base)
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
    bot = turn.bot
    schedule = Schedule.load(bot)
    base = bot.clock.now().astimezone(schedule.zone)
    args, notify = split_notify(turn.args)
    old_spec, sep, new_spec = args.partition(" to ")
    if not sep or not old_spec.strip() or not new_spec.strip():
        return [Reply("Usage: `meeting move YYYY-MM-DD to YYYY-MM-DD HH:MM [notify]`, e.g. "
                      f"`meeting move {example_date(base)} to {example_date(base, 5)} 13:00`.")]
    picked = pick(schedule, old_spec, base)
    if isinstance(picked, str):
        return [Reply(picked)]
    if picked.start <= bot.clock.now():
        return [Reply("That meeting has already started, so it cannot be moved.")]
    try:
        when = parse_when(new_spec, base)
    except ParseError as exc:
        return [Reply(str(exc))]
    new_start = to_utc(schedule, when)
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
