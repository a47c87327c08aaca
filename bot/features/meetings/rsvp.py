"""RSVPs: who is coming to a meeting, from the reminder's buttons or `rsvp yes|maybe|no [DATE]`.

One answer per person per meeting (a later one replaces it), kept under the meeting's ref, so a
moved meeting keeps its answers. Names are shown to organisers only; 30 days after the meeting
the answers are deleted and only the counts stay.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.features.meetings.schedule import Meeting, Schedule, from_iso, iso_utc
from bot.features.meetings.wording import RSVP_ACTION, RSVP_LABELS, pick, short_when, when_text
from bot.kernel import conversations
from bot.kernel.markup import literal
from bot.kernel.model import Reply, User
from bot.kernel.registry import PersonalData, Registry, Turn
from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.rsvp")

# RSVPs are deleted this long after their meeting starts; the counts stay.
RSVP_KEEP = timedelta(days=30)
ANSWERS = tuple(RSVP_LABELS)
USAGE = ("Usage: `rsvp yes`, `rsvp maybe` or `rsvp no` for the next meeting, or add its date "
         "for a later one, e.g. `rsvp yes 2027-03-11`.")
THANKS = {
    "yes": "Thanks: you're down as coming to",
    "maybe": "Thanks: you're down as a maybe for",
    "no": "Thanks for letting us know you can't make",
}


def next_meeting(bot: Bot) -> Meeting | None:
    """The next meeting that has not started."""
    now = bot.clock.now()
    return next((m for m in Schedule.load(bot).upcoming(now, 2) if m.start > now), None)


def pick_meeting(bot: Bot, spec: str) -> Meeting | str:
    """The meeting a DATE names (default: the next one), or why there is none."""
    schedule = Schedule.load(bot)
    if not spec.strip():
        found = next_meeting(bot)
        return found if found is not None else "There are no more forum meetings in the schedule."
    return pick(schedule, spec, bot.clock.now().astimezone(schedule.zone))


def counts(bot: Bot, ref: str) -> dict[str, int]:
    """How many said yes, maybe and no (the live answers plus the counts kept after pruning)."""
    found = dict.fromkeys(ANSWERS, 0)
    for answer, n in bot.db.execute(
            "select answer, count(*) from meeting_rsvps where meeting = ? group by answer",
            [ref]).fetchall():
        found[answer] = found.get(answer, 0) + n
    kept = bot.db.execute("select yes, maybe, no from meeting_rsvp_counts where meeting = ?",
                          [ref]).fetchone()
    if kept:
        for answer, n in zip(ANSWERS, kept, strict=True):
            found[answer] += n or 0
    return found


def coming(bot: Bot, ref: str, answers: Iterable[str]) -> list[str]:
    """The pseudonyms of those who gave one of these answers."""
    answers = list(answers)
    marks = ", ".join("?" for _ in answers)
    return [r[0] for r in bot.db.execute(
        f"select person from meeting_rsvps where meeting = ? and answer in ({marks}) "
        "order by answered_at", [ref, *answers]).fetchall()]


def counts_text(found: dict[str, int]) -> str:
    return f"{found['yes']} coming, {found['maybe']} maybe, {found['no']} can't make it"


async def save(bot: Bot, turn: Turn, meeting: Meeting, answer: str) -> list[Reply]:
    """Keep the person's answer (replacing an earlier one) and say what happens next: in their
    direct chat when they pressed a button in a channel, so the channel is not filled with
    confirmations (in the channel only if no direct chat is known)."""
    if meeting.start <= bot.clock.now():
        return [Reply("That meeting has already started, so it no longer takes answers.")]
    person = bot.pseudonym(turn.user)
    if turn.conversation.is_direct:
        # Their direct chat, so the join link can be sent there an hour before.
        bot.remember(turn.conversation, turn.user)
    bot.db["meeting_rsvps"].upsert(
        {"meeting": meeting.ref, "person": person, "name": turn.user.name[:100],
         "answer": answer, "answered_at": bot.now_iso(), "starts_at": iso_utc(meeting.start)},
        pk=("meeting", "person"),
    )
    bot.replan()
    text = f"{THANKS[answer]} **{literal(meeting.title)}**, {when_text(bot, meeting)}."
    if answer == "yes":
        if conversations.of_person(bot.db, person):
            text += " I'll send you the join link in your direct chat before it starts."
        else:
            text += (" Message me directly once, and I'll send you the join link there before "
                     "it starts.")
    text += f"\nChanged your mind? Type `rsvp yes|maybe|no {meeting.day}` again."
    chats = conversations.of_person(bot.db, person)
    if not turn.conversation.is_direct and chats:
        try:
            await bot.send(chats[0], [Reply(text)])
            return []
        except Exception as exc:  # the direct chat is unreachable: confirm where they pressed
            log.warning("rsvp confirmation not sent to the direct chat error=%s",
                        type(exc).__name__)
    return [Reply(text)]


async def rsvp_command(turn: Turn) -> list[Reply]:
    words = turn.args.split(maxsplit=1)
    if not words:
        return [Reply(USAGE)]
    answer = words[0].lower()
    if answer not in ANSWERS:
        return [Reply(f"“{literal(words[0][:40])}” is not an answer I know. {USAGE}")]
    picked = pick_meeting(turn.bot, words[1] if len(words) > 1 else "")
    if isinstance(picked, str):
        return [Reply(f"{picked}\n{USAGE}")]
    return await save(turn.bot, turn, picked, answer)


async def rsvp_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    answer, _, ref = turn.incoming.action.value.partition(" ")
    if answer not in ANSWERS:
        return [Reply(USAGE)]
    meeting = Schedule.load(turn.bot).by_ref(ref)
    if meeting is None:
        return [Reply("That meeting is no longer in the schedule (it was skipped or cancelled). "
                      "Type `next meeting` to see the next one.")]
    return await save(turn.bot, turn, meeting, answer)


async def rsvps_command(turn: Turn) -> list[Reply]:
    bot = turn.bot
    picked = pick_meeting(bot, turn.args)
    if isinstance(picked, str):
        return [Reply(f"{picked}\nUsage: `rsvps [DATE]`.")]
    found = counts(bot, picked.ref)
    lines = [f"**{literal(picked.title)}**, {short_when(picked)}: {counts_text(found)}."]
    if turn.user.is_organiser and not turn.conversation.is_direct:
        # Who answered is the organisers' to see, not the channel's.
        lines.append("Who is coming is shown only in a direct chat with me: send me `rsvps` "
                     "there.")
    elif turn.user.is_organiser:
        names = [r[0] or "someone unnamed" for r in bot.db.execute(
            "select name from meeting_rsvps where meeting = ? and answer = 'yes' "
            "order by lower(name)", [picked.ref]).fetchall()]
        if names:
            lines.append("Coming: " + ", ".join(literal(n) for n in names) + ".")
        elif found["yes"]:
            lines.append("Their names were deleted after the meeting; the counts stay.")
    return [Reply("\n".join(lines))]


def moved(bot: Bot, meeting: Meeting) -> None:
    """A meeting moved: its answers stand, and are deleted 30 days after the new time."""
    with bot.db.conn:
        bot.db.execute("update meeting_rsvps set starts_at = ? where meeting = ?",
                       [iso_utc(meeting.start), meeting.ref])


def _fold(bot: Bot, where: str, params: list) -> int:
    """Move answers into the kept counts and delete them; how many were deleted."""
    rows = bot.db.execute(
        f"select meeting, answer, count(*) from meeting_rsvps where {where} "
        "group by meeting, answer", params).fetchall()
    for meeting, answer, n in rows:
        bot.db.execute("insert or ignore into meeting_rsvp_counts (meeting, yes, maybe, no) "
                       "values (?, 0, 0, 0)", [meeting])
        bot.db.execute(f"update meeting_rsvp_counts set {answer} = {answer} + ? "
                       "where meeting = ?", [n, meeting])
    return bot.db.execute(f"delete from meeting_rsvps where {where}", params).rowcount


def prune_due(bot: Bot) -> datetime | None:
    row = bot.db.execute("select min(starts_at) from meeting_rsvps").fetchone()
    return from_iso(row[0]) + RSVP_KEEP if row and row[0] else None


async def prune(bot: Bot) -> None:
    """Delete the answers to meetings that started over 30 days ago, keeping the counts."""
    with bot.db.conn:
        _fold(bot, "starts_at <= ?", [iso_utc(bot.clock.now() - RSVP_KEEP)])


def describe(bot: Bot, user: User) -> list[str]:
    zone = Schedule.load(bot).zone
    rows = bot.db.execute(
        "select starts_at, answer, answered_at from meeting_rsvps where person = ? "
        "order by starts_at", [bot.pseudonym(user)]).fetchall()
    return [f"the meeting of {from_iso(starts).astimezone(zone):%d %b %Y}: you answered "
            f"\"{answer}\" on {answered[:10]}, with your name (shown to organisers)"
            for starts, answer, answered in rows]


def forget(bot: Bot, user: User) -> str:
    person = bot.pseudonym(user)
    with bot.db.conn:
        # Answers to meetings that have happened count on, with no one behind them.
        past = _fold(bot, "person = ? and starts_at <= ?", [person, iso_utc(bot.clock.now())])
        future = bot.db.execute("delete from meeting_rsvps where person = ?", [person]).rowcount
    return (f"Deleted your {past + future} meeting answer(s) (for meetings already held, only "
            "the counts stay).")


def register(registry: Registry) -> None:
    registry.command("rsvp", usage="rsvp yes|maybe|no [DATE]",
                     help="say whether you are coming to the next meeting (or that date's)")(
        rsvp_command)
    registry.command("rsvps", usage="rsvps [DATE]",
                     help="how many are coming to the next meeting (organisers also see who, in a "
                          "direct chat)")(
        rsvps_command)
    registry.action(RSVP_ACTION)(rsvp_pressed)
    registry.task(Task("rsvp-prune", prune_due, prune))
    registry.holds_personal_data(PersonalData(
        name="your meeting RSVPs",
        retention=f"deleted {RSVP_KEEP.days} days after the meeting; only the counts stay",
        describe=describe,
        forget=forget,
        tables=("meeting_rsvps", "meeting_rsvp_counts"),
        summary="for each meeting you answered: yes, maybe or no, when, your display name "
                "(organisers see who is coming) and your pseudonym; after deletion only the "
                "number of each answer per meeting is kept, with no person",
    ))
