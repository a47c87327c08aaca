"""After a meeting: `meeting notes [DATE] TEXT-OR-LINK` (organisers) posts the notes to the
reminder conversations and keeps them with the meeting; `meetings past` lists past meetings
with their notes and agenda."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from bot.features.meetings import agenda, notices
from bot.features.meetings.schedule import Meeting, Schedule
from bot.features.meetings.wording import pick, short_when
from bot.kernel import audit
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button, Reply
from bot.kernel.registry import Registry, Turn

if TYPE_CHECKING:
    from bot.kernel.context import Bot

MAX_NOTES = 3000
PAST_COUNT = 6
LINK = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
DATE_START = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?(?:\s+\d{4})?)"
    r"(?:\s*:\s*|\s+)(.*)$", re.DOTALL)
USAGE = ("Usage: `meeting notes [DATE] TEXT-OR-LINK`, e.g. `meeting notes 2027-01-14 "
         "https://example.org/notes` (without a date: the last meeting held).")


def notes_of(bot: Bot, ref: str) -> str | None:
    row = bot.db.execute("select notes from meeting_records where meeting = ?",
                         [ref]).fetchone()
    return row[0] if row and row[0] else None


def _link_of(text: str) -> str | None:
    found = LINK.fullmatch(text.strip())
    return found.group(0) if found else None


def notes_text(meeting: Meeting, notes: str) -> str:
    return f"Notes from **{literal(meeting.title)}**, {short_when(meeting)}:\n{literal(notes)}"


def _buttons(notes: str) -> tuple[Button, ...]:
    link = _link_of(notes)
    return (Button("Open the notes", Action(notices.LINK_ACTION, value=link), url=link),) \
        if link else ()


async def meeting_notes(turn: Turn) -> list[Reply]:
    bot = turn.bot
    schedule = Schedule.load(bot)
    now = bot.clock.now()
    text = turn.args.strip()
    match = DATE_START.match(text)
    picked: Meeting | str
    if match:
        picked = pick(schedule, match.group(1), now.astimezone(schedule.zone))
        text = match.group(2).strip()
    else:
        held = schedule.past(now, 1)
        picked = held[0] if held else "No meeting has been held yet."
    if isinstance(picked, str):
        return [Reply(f"{picked}\n{USAGE}")]
    if not text:
        return [Reply(USAGE)]
    if len(text) > MAX_NOTES:
        return [Reply(f"Those notes are {len(text):,} characters long: keep them to "
                      f"{MAX_NOTES:,}, or post a link to them.")]
    if any(unicodedata.category(c) in ("Cc", "Cf") and c != "\u200d" for c in text):
        return [Reply("The notes have control characters in them: please type them as plain "
                      "text.")]
    if picked.start > now:
        return [Reply(f"The meeting on {short_when(picked)} has not happened yet: post its "
                      "notes after it.")]
    with bot.db.conn:
        bot.db.execute("insert or ignore into meeting_records (meeting) values (?)",
                       [picked.ref])
        bot.db.execute("update meeting_records set notes = ?, notes_at = ? where meeting = ?",
                       [text, bot.now_iso(), picked.ref])
    audit.record(bot, turn.user, "meeting notes", picked.ref)
    posted = notices.notes_posted(bot, picked, notes_text(picked, text))
    return [Reply(f"Kept the notes with the meeting of {short_when(picked)}, and posting them "
                  f"to {posted} reminder conversation(s).\n" + notes_text(picked, text),
                  buttons=_buttons(text))]


async def meetings_past(turn: Turn) -> list[Reply]:
    bot = turn.bot
    held = Schedule.load(bot).past(bot.clock.now(), PAST_COUNT)
    if not held:
        return [Reply("No forum meeting has been held yet.")]
    lines = ["Past meetings, most recent first:"]
    buttons: list[Button] = []
    for meeting in held:
        lines.append(f"- **{short_when(meeting)}**: {literal(meeting.title)}")
        notes = notes_of(bot, meeting.ref)
        if notes:
            lines.append(f"  Notes: {literal(notes[:500])}" + ("…" if len(notes) > 500 else ""))
            buttons += _buttons(notes)
        found = agenda.topics(bot, meeting.ref)
        if found:
            lines.append("  Agenda: " + "; ".join(literal(t.text) for t in found[:5]))
        if not notes and not found:
            lines.append("  (no notes or agenda)")
    return [Reply("\n".join(lines), buttons=tuple(buttons[:5]))]


def register(registry: Registry) -> None:
    registry.command("meeting notes", organiser=True, usage="meeting notes [DATE] TEXT-OR-LINK",
                     help="post a meeting's notes (or their link) and keep them with it")(
        meeting_notes)
    registry.command("meetings past", takes="none",
                     help="past meetings with their notes and agenda")(
        meetings_past)
