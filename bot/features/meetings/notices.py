"""Messages about a meeting pushed at once: a meeting added, moved or skipped, notes posted, and
the 1-hour direct message with the join link to those who said they are coming.

A notice is one row of `meeting_notices`; each conversation it goes to is one row of
`notice_deliveries`, inserted with it and claimed before sending, so a restart neither loses nor
repeats one (the kernel's `delivery.Outbox` sends them, as it does reminders). The scheduler
is woken when a notice is queued, so it goes out within moments, not at the next reminder.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.features.meetings import rsvp
from bot.features.meetings.reminders import offsets, targets
from bot.features.meetings.schedule import Meeting, Schedule, from_iso, iso_utc
from bot.features.meetings.wording import single_url, when_text, where_text
from bot.kernel import conversations
from bot.kernel.delivery import Message, Outbox, destination
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button, Conversation, Reply, User
from bot.kernel.registry import PersonalData, Registry
from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    from bot.kernel.context import Bot

OUTBOX = Outbox("notice_deliveries", "notice", order_by="notice_id, id")
# Changes to a meeting further ahead than this are not pushed unless the organiser asks.
NOTICE_HORIZON = timedelta(days=90)
# Finished notices (and their delivery records) are deleted this long after they were queued.
NOTICE_KEEP = timedelta(days=30)
LINK_ACTION = "meetings:link"


def _day_month(moment: datetime) -> str:
    return f"{moment.day} {moment:%B}"


def _short_day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B}, {moment:%H:%M %Z}"


def _direct_chats(bot: Bot, person: str) -> list[Conversation]:
    return conversations.of_person(bot.db, person)


def post(bot: Bot, *, kind: str, meeting: Meeting, text: str, to: Iterable[str] = (),
         people: Iterable[str] = (), key: str | None = None) -> tuple[int, int]:
    """Queue a notice about `meeting` for conversation keys `to` and the direct chats of
    `people` (pseudonyms); with `key`, only once ever. Returns (conversations, people) queued."""
    now = iso_utc(bot.clock.now())
    rows: dict[str, str | None] = {c: None for c in to}
    for person in people:
        for chat in _direct_chats(bot, person):
            rows.setdefault(chat.key, person)
    with bot.db.conn:
        cursor = bot.db.execute(
            "insert or ignore into meeting_notices (key, kind, meeting, day, text, created_at) "
            "values (?, ?, ?, ?, ?, ?)",
            [key, kind, meeting.ref, meeting.day, text, now],
        )
        notice_id = cursor.lastrowid if cursor.rowcount else None
        if notice_id is None:
            notice_id = bot.db.execute("select id from meeting_notices where key = ?",
                                       [key]).fetchone()[0]
        queued = [0, 0]
        for conversation, person in rows.items():
            added = bot.db.execute(
                "insert or ignore into notice_deliveries (notice_id, conversation, person, "
                "status, attempts, next_attempt_at, updated_at) "
                "values (?, ?, ?, 'pending', 0, ?, ?)",
                [notice_id, conversation, person, now, now],
            ).rowcount
            queued[person is not None] += added
    bot.replan()
    return queued[0], queued[1]


# --- sending ------------------------------------------------------------------------------


def notice_reply(bot: Bot, notice: dict) -> Reply:
    """The notice's words, with "Add this meeting" when the meeting is still on."""
    meeting = Schedule.load(bot).by_ref(notice["meeting"])
    buttons: list[Button] = []
    if meeting is not None and notice["kind"] != "skip":
        if meeting.join_url and notice["kind"] in ("rsvp-dm", "add", "move"):
            buttons.append(Button("Join", Action(LINK_ACTION, value=meeting.join_url),
                                  url=meeting.join_url))
        url = single_url(bot, meeting)
        buttons.append(Button("Add this meeting", Action(LINK_ACTION, value=url), url=url))
    return Reply(notice["text"], buttons=tuple(buttons))


async def run(bot: Bot) -> None:
    """Send every notice delivery due now, in the order the notices were queued."""
    notices: dict[int, dict] = {}

    def compose(row: dict) -> Message:
        if row["notice_id"] not in notices:
            notices[row["notice_id"]] = bot.db["meeting_notices"].get(row["notice_id"])
        return destination(bot, row["conversation"]), [notice_reply(bot, notices[row["notice_id"]])]

    await OUTBOX.send_due(bot, compose)


def prune_due(bot: Bot) -> datetime | None:
    row = bot.db.execute("select min(created_at) from meeting_notices").fetchone()
    return from_iso(row[0]) + NOTICE_KEEP if row and row[0] else None


async def prune(bot: Bot) -> None:
    """Delete notices queued over NOTICE_KEEP ago whose deliveries are all finished."""
    cutoff = iso_utc(bot.clock.now() - NOTICE_KEEP)
    with bot.db.conn:
        old = [r[0] for r in bot.db.execute(
            "select id from meeting_notices n where created_at <= ? and not exists (select 1 "
            "from notice_deliveries d where d.notice_id = n.id and d.status in "
            "('pending', 'sending'))", [cutoff]).fetchall()]
        for notice_id in old:
            bot.db.execute("delete from notice_deliveries where notice_id = ?", [notice_id])
            bot.db.execute("delete from meeting_notices where id = ?", [notice_id])
        # A notice still being retried after so long is given up.
        bot.db.execute(
            "update notice_deliveries set status = 'failed', last_error = 'gave up', "
            "updated_at = ? where status = 'pending' and notice_id in (select id from "
            "meeting_notices where created_at <= ?)", [iso_utc(bot.clock.now()), cutoff])


# --- changes an organiser makes -----------------------------------------------------------


def _place_lines(bot: Bot, meeting: Meeting) -> list[str]:
    lines = [when_text(bot, meeting)]
    where = where_text(meeting)
    if where:
        lines.append(where)
    lines.append(f"Add this meeting to your calendar: {single_url(bot, meeting)}")
    return lines


def _far(bot: Bot, *moments: datetime) -> bool:
    return all(m - bot.clock.now() > NOTICE_HORIZON for m in moments)


def _outcome(bot: Bot, told: tuple[int, int], far: bool) -> str:
    channels, people = told
    parts = []
    if far:
        parts.append("No notice went to the reminder conversations: the meeting is more than "
                     f"{NOTICE_HORIZON.days} days ahead (add `notify` to the command to tell "
                     "them).")
    elif channels:
        parts.append(f"Telling the {channels} conversation(s) that get reminders now.")
    if people:
        parts.append(f"Telling {people} person(s) who said yes or maybe, in their direct "
                     "chat.")
    return " ".join(parts)


def meeting_added(bot: Bot, meeting: Meeting, notify: bool = False) -> str:
    """Tell the reminder conversations about a new meeting; the sentence for the organiser."""
    far = _far(bot, meeting.start) and not notify
    text = "\n".join([f"A forum meeting has been added: **{literal(meeting.title)}**",
                      *_place_lines(bot, meeting),
                      f"Coming? Type `rsvp yes {meeting.day}` (or maybe, or no)."])
    told = (0, 0) if far else post(bot, kind="add", meeting=meeting, text=text,
                                   to=targets(bot))
    return _outcome(bot, told, far)


def meeting_moved(bot: Bot, before: Meeting, after: Meeting, notify: bool = False) -> str:
    """Tell the reminder conversations, and those who said yes or maybe, of a move."""
    rsvp.moved(bot, after)
    far = _far(bot, before.start, after.start) and not notify
    title = "forum" if before.title == bot.config.forum.title else literal(before.title)
    text = "\n".join([
        f"**The {_day_month(before.start)} {title} has moved to {_short_day(after.start)}**",
        *_place_lines(bot, after),
        "If you answered `rsvp` for it, your answer stands; change it with "
        f"`rsvp yes|maybe|no {after.day}`.",
    ])
    told = post(bot, kind="move", meeting=after, text=text, to=() if far else targets(bot),
                people=rsvp.coming(bot, after.ref, ("yes", "maybe")))
    return _outcome(bot, told, far)


def meeting_skipped(bot: Bot, meeting: Meeting, notify: bool = False) -> str:
    """Tell the reminder conversations, and those who said yes or maybe, it is off."""
    far = _far(bot, meeting.start) and not notify
    title = "forum" if meeting.title == bot.config.forum.title else literal(meeting.title)
    lines = [f"**The {_day_month(meeting.start)} {title} is off**: the meeting on "
             f"{when_text(bot, meeting)} will not take place."]
    after = [m for m in Schedule.load(bot).upcoming(bot.clock.now(), 2) if m.ref != meeting.ref]
    if after:
        lines.append(f"The next meeting is on {when_text(bot, after[0])}.")
    told = post(bot, kind="skip", meeting=meeting, text="\n".join(lines),
                to=() if far else targets(bot),
                people=rsvp.coming(bot, meeting.ref, ("yes", "maybe")))
    return _outcome(bot, told, far)


def notes_posted(bot: Bot, meeting: Meeting, text: str) -> int:
    channels, _ = post(bot, kind="notes", meeting=meeting, text=text, to=targets(bot))
    return channels


# --- the 1-hour direct message to those coming ---------------------------------------------


def _dm_offset(bot: Bot) -> timedelta | None:
    """The last reminder before a meeting (1 hour by default) also goes to those coming."""
    planned = offsets(bot)
    return planned[-1][1] if planned else None


def _dm_owed(bot: Bot, now: datetime) -> list[tuple[Meeting, datetime, list[str]]]:
    """Per meeting whose last reminder is due by now (or, for `next_due`, soon): when it is
    due and who said yes with no direct message queued yet."""
    offset = _dm_offset(bot)
    if offset is None:
        return []
    schedule = Schedule.load(bot)
    found = []
    for meeting in schedule.between(now, now + offset + timedelta(days=1)):
        if meeting.start <= now:
            continue
        people = rsvp.coming(bot, meeting.ref, ("yes",))
        if not people:
            continue
        done = {r[0] for r in bot.db.execute(
            "select d.person from notice_deliveries d join meeting_notices n on "
            "n.id = d.notice_id where n.key = ? and d.person is not null",
            [f"rsvp-dm/{meeting.key}"]).fetchall()}
        # A direct chat that gets reminders anyway gets the 1-hour reminder itself.
        subscribed = set(targets(bot))
        owed = [p for p in people if p not in done and any(
            c.key not in subscribed for c in _direct_chats(bot, p))]
        if owed:
            found.append((meeting, meeting.start - offset, owed))
    return found


def dm_due(bot: Bot) -> datetime | None:
    return min((due for _, due, _ in _dm_owed(bot, bot.clock.now())), default=None)


async def dm_run(bot: Bot) -> None:
    now = bot.clock.now()
    for meeting, due, people in _dm_owed(bot, now):
        if due > now:
            continue
        start = meeting.start
        lines = [f"You said you'd be at **{literal(meeting.title)}**, which starts at "
                 f"{start:%H:%M %Z} today ({when_text(bot, meeting)})."]
        where = where_text(meeting)
        if where:
            lines.append(where)
        lines.append("Can't make it after all? Type `rsvp no`.")
        post(bot, kind="rsvp-dm", meeting=meeting, text="\n".join(lines), people=people,
             key=f"rsvp-dm/{meeting.key}")


# --- personal data ------------------------------------------------------------------------


def describe(bot: Bot, user: User) -> list[str]:
    rows = bot.db.execute(
        "select n.kind, n.day, d.status from notice_deliveries d join meeting_notices n on "
        "n.id = d.notice_id where d.person = ? order by d.id", [bot.pseudonym(user)]).fetchall()
    kinds = {"rsvp-dm": "the join link before", "move": "the move of", "skip": "the skipping of",
             "add": "the new", "notes": "the notes of"}
    return [f"a direct message about {kinds.get(kind, kind)} the {day} meeting ({status})"
            for kind, day, status in rows]


def forget(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute("delete from notice_deliveries where person = ?",
                               [bot.pseudonym(user)]).rowcount
    return f"Deleted {count} record(s) of meeting messages to your direct chat."


def register(registry: Registry) -> None:
    registry.task(Task("meeting-notices", OUTBOX.next_due, run))
    registry.task(Task("meeting-notices-prune", prune_due, prune))
    registry.task(Task("rsvp-direct-messages", dm_due, dm_run))
    registry.holds_personal_data(PersonalData(
        name="meeting messages to you",
        retention=f"{NOTICE_KEEP.days} days after the message",
        describe=describe,
        forget=forget,
        tables=("meeting_notices", "notice_deliveries"),
        summary="which meeting messages (a move, a skip, the join link an hour before a meeting "
                "you said you would come to) were sent to your direct chat, and whether they "
                "arrived; the messages to channels are kept the same time, with no person",
    ))
