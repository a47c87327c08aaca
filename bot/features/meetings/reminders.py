"""Reminders before each meeting: planned from the schedule, each delivery recorded in the database.

Every (meeting, offset, conversation) delivery is one row of `reminder_deliveries`, inserted
once (a unique index) and claimed before sending, so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.features.meetings import agenda
from bot.features.meetings.schedule import Meeting, Schedule, from_iso, iso_utc
from bot.features.meetings.settings import parse_offset
from bot.features.meetings.wording import (
    link_buttons,
    meeting_text,
    rsvp_buttons,
    rsvp_hint,
    short_when,
)
from bot.kernel import audit
from bot.kernel.conversations import remember
from bot.kernel.delivery import FINISHED, Message, Outbox, Skip, destination
from bot.kernel.model import Reply, User
from bot.kernel.registry import PersonalData, Registry, Turn
from bot.kernel.scheduler import Task
from bot.kernel.text import plural

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.reminders")

EPOCH_KEY = "reminders_since"
# A delivery record is needed until its meeting starts (so nothing is sent twice); it is kept
# this much longer so that `reminders status` still shows recent failures, then deleted.
DELIVERY_KEEP = timedelta(days=30)
OUTBOX = Outbox("reminder_deliveries", "reminder", order_by="due_at")


@dataclass(frozen=True)
class Candidate:
    """A reminder the schedule calls for: this meeting, this offset, this conversation."""

    meeting: Meeting
    offset: str
    conversation: str
    due: datetime

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.meeting.key, self.offset, self.conversation)


def offsets(bot: Bot) -> list[tuple[str, timedelta]]:
    """The configured offsets, largest first."""
    parsed = {label: parse_offset(label) for label in bot.config.reminders.offsets}
    return sorted(parsed.items(), key=lambda item: item[1], reverse=True)


def offsets_text(bot: Bot) -> str:
    """The offsets in words, largest first: "7 days, 1 day and 1 hour"."""
    units = {"m": "minute", "h": "hour", "d": "day", "w": "week"}
    words = []
    for label, _ in offsets(bot):
        n, unit = int(label.strip()[:-1]), units[label.strip()[-1].lower()]
        words.append(f"{n} {unit}{'' if n == 1 else 's'}")
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _epoch(bot: Bot) -> datetime:
    """When this database first planned reminders: nothing due before then is sent late."""
    table = bot.db["settings"]
    table.insert({"key": EPOCH_KEY, "value": bot.now_iso()}, pk="key", ignore=True)
    return from_iso(table.get(EPOCH_KEY)["value"])


def targets(bot: Bot) -> dict[str, datetime]:
    """Conversation keys that get reminders, each with the time it started getting them."""
    table = bot.db["reminder_subscriptions"]
    for key in bot.config.reminders.channels:
        table.insert(
            {"conversation": key, "is_direct": 0, "enabled": 1, "source": "config",
             "set_by": None, "since": bot.now_iso()},
            pk="conversation", ignore=True,
        )
    configured = set(bot.config.reminders.channels)
    found: dict[str, datetime] = {}
    for row in table.rows_where("enabled = 1"):
        if row["source"] == "chat" or row["conversation"] in configured:
            found[row["conversation"]] = from_iso(row["since"])
    return found


def candidates(bot: Bot, now: datetime, *, ahead: bool = False) -> list[Candidate]:
    """Reminders owed for meetings that have not started: those due by the largest offset
    from now, or with `ahead`, also those of the next few meetings however far off."""
    planned = offsets(bot)
    if not planned:
        return []
    conversations = targets(bot)
    if not conversations:
        return []
    epoch = _epoch(bot)
    schedule = Schedule.load(bot)
    horizon = now + planned[0][1] + timedelta(minutes=1)
    if ahead:
        following = [m for m in schedule.upcoming(now, 3) if m.start > now]
        if following:
            horizon = max(horizon, following[-1].start + timedelta(minutes=1))
    found = []
    for meeting in schedule.between(now, horizon):
        if meeting.start <= now:
            continue
        for label, offset in planned:
            due = meeting.start - offset
            for conversation, since in conversations.items():
                # Reminders due before the meeting, the subscription or the bot itself existed
                # were never owed; only ones missed while the bot was down are sent late.
                starts = max(epoch, since, meeting.changed_at or epoch)
                if due >= starts:
                    found.append(Candidate(meeting, label, conversation, due))
    return found


def _recorded(bot: Bot, now: datetime) -> set[tuple[str, str, str]]:
    rows = bot.db.execute(
        'select occurrence, "offset", conversation from reminder_deliveries where starts_at > ?',
        [iso_utc(now)],
    ).fetchall()
    return {tuple(row) for row in rows}


def next_due(bot: Bot) -> datetime | None:
    """The earliest moment a reminder (new, or a retry) is due."""
    now = bot.clock.now()
    recorded = _recorded(bot, now)
    dues = [c.due for c in candidates(bot, now, ahead=True) if c.key not in recorded]
    return min(dues + OUTBOX.retries_due(bot), default=None)


def _record_due(bot: Bot, now: datetime) -> None:
    """Insert a pending row for each reminder now due; a catch-up sends only the latest offset."""
    due = [c for c in candidates(bot, now) if c.due <= now]
    stamp = iso_utc(now)
    bot.db["reminder_deliveries"].insert_all(
        (
            {
                "occurrence": c.meeting.key, "starts_at": iso_utc(c.meeting.start),
                "offset": c.offset, "conversation": c.conversation, "due_at": iso_utc(c.due),
                "status": "pending", "attempts": 0, "next_attempt_at": stamp,
                "last_error": None, "sent_at": None, "updated_at": stamp,
            }
            for c in due
        ),
        ignore=True,
    )
    # After downtime several offsets of one meeting may be due at once: one reminder is enough.
    with bot.db.conn:
        bot.db.execute(
            """update reminder_deliveries set status = 'superseded', updated_at = ?
            where status = 'pending' and exists (
                select 1 from reminder_deliveries later
                where later.occurrence = reminder_deliveries.occurrence
                and later.conversation = reminder_deliveries.conversation
                and later.status in ('pending', 'sending', 'sent')
                and later.due_at > reminder_deliveries.due_at)""",
            [stamp],
        )


def remaining_text(delta: timedelta) -> str:
    """How long until the meeting, rounded as people say it ("in 7 days", "in 1 hour")."""
    seconds = delta.total_seconds()
    if seconds >= 23.5 * 3600:
        n, unit = round(seconds / 86400), "day"
    elif seconds >= 59.5 * 60:
        n, unit = round(seconds / 3600), "hour"
    else:
        n, unit = max(1, round(seconds / 60)), "minute"
    return f"in {n} {unit}{'' if n == 1 else 's'}"


# Reminders this long or more before a meeting ask who is coming (7 days and 1 day by default).
RSVP_FROM = timedelta(days=1)
# Reminders this close to a meeting or closer invite agenda proposals, and from ...
PROPOSALS_FROM = timedelta(days=7)
# ... this close, carry the top topics (or the closed agenda).
TOPICS_FROM = timedelta(days=1)


def reminder_reply(bot: Bot, meeting: Meeting, now: datetime, offset: str = "") -> Reply:
    """The reminder: what, when (forum time), where, the agenda and "Add to calendar" links;
    early ones ask who is coming, and from a week before they invite agenda topics."""
    ahead = parse_offset(offset) if offset else meeting.start - now
    lines = [f"Reminder: the next meeting starts {remaining_text(meeting.start - now)}.",
             meeting_text(bot, meeting)]
    if ahead <= TOPICS_FROM:
        lines += agenda.top_lines(bot, meeting)
    if ahead <= PROPOSALS_FROM and ahead >= RSVP_FROM and not agenda.is_closed(bot, meeting.ref):
        lines.append("What should we talk about? Propose a topic with `agenda add TEXT`, or "
                     "vote for one with `agenda`.")
    buttons = link_buttons(bot, meeting)
    if ahead >= RSVP_FROM:
        lines.append(rsvp_hint(meeting))
        buttons = rsvp_buttons(meeting) + buttons
    return Reply("\n".join(lines), buttons=buttons)


async def run(bot: Bot) -> None:
    """Send every reminder due now, retrying failures with backoff; the database records all."""
    now = bot.clock.now()
    # Before recording what is due: a send cut short must not supersede an earlier reminder.
    OUTBOX.fail_interrupted(bot)
    _record_due(bot, now)
    planned = offsets(bot)
    horizon = now + (planned[0][1] if planned else timedelta(0)) + timedelta(days=1)
    meetings = {m.key: m for m in Schedule.load(bot).between(now, horizon)}
    conversations = targets(bot)

    def skip(row: dict) -> Skip | None:
        if from_iso(row["starts_at"]) <= now:
            return Skip("failed" if row["attempts"] else "expired", "the meeting had started")
        if row["occurrence"] not in meetings:
            return Skip("cancelled", "meeting skipped or moved")
        if row["conversation"] not in conversations:
            return Skip("cancelled", "reminders turned off here")
        return None

    def compose(row: dict) -> Message:
        return (destination(bot, row["conversation"]),
                [reminder_reply(bot, meetings[row["occurrence"]], now, row["offset"])])

    tally = await OUTBOX.send_due(bot, compose, skip)
    for outcome in ("sent", "failed"):
        if tally.get(outcome):
            bot.metrics.reminders.labels(outcome).inc(tally[outcome])


# --- chat commands ------------------------------------------------------------------------


async def reminders_here(turn: Turn) -> list[Reply]:
    bot = turn.bot
    choice = turn.args.strip().lower()
    if choice not in ("on", "off"):
        return [Reply("Usage: `reminders here on` or `reminders here off`.")]
    conversation = turn.conversation
    key = conversation.key
    table = bot.db["reminder_subscriptions"]
    configured = key in bot.config.reminders.channels
    if choice == "on":
        remember(bot.db, conversation, bot.now_iso(), person=bot.pseudonym(turn.user))
        existing = table.get(key) if table.count_where("conversation = ?", [key]) else None
        since = existing["since"] if existing and existing["enabled"] else bot.now_iso()
        table.upsert(
            {"conversation": key, "is_direct": int(conversation.is_direct), "enabled": 1,
             "source": "chat", "set_by": bot.pseudonym(turn.user), "since": since},
            pk="conversation",
        )
        text = (f"Reminders for forum meetings will be posted here, "
                f"{offsets_text(bot)} before each meeting.")
    else:
        if configured:
            return [Reply("This conversation is listed in the config file's `[reminders] "
                          "channels`, so reminders keep coming here. Remove it there to stop "
                          "them.")]
        table.upsert(
            {"conversation": key, "is_direct": int(conversation.is_direct), "enabled": 0,
             "source": "chat", "set_by": bot.pseudonym(turn.user), "since": bot.now_iso()},
            pk="conversation",
        )
        text = "Reminders will no longer be posted here."
    audit.record(bot, turn.user, f"reminders here {choice}", key)
    bot.replan()
    return [Reply(text)]


# How a person names each place the bot talks in.
PLACES = {"slack": "Slack", "teams": "Microsoft Teams", "webchat": "the web chat",
          "console": "the terminal"}


def _describe_conversation(bot: Bot, key: str) -> str:
    """E.g. "one person's direct chat in Slack", "a Microsoft Teams channel (19:abc...)"."""
    table = bot.db["reminder_subscriptions"]
    row = table.get(key) if table.count_where("conversation = ?", [key]) else None
    platform, _, conversation_id = key.partition(":")
    place = PLACES.get(platform, platform)
    if row and row["is_direct"]:
        return f"one person's direct chat in {place}"
    where = place.removeprefix("the ")
    return f"a {where} channel ({conversation_id})" if conversation_id else key


async def reminders_status(turn: Turn) -> list[Reply]:
    bot = turn.bot
    now = bot.clock.now()
    conversations = targets(bot)
    configured = set(bot.config.reminders.channels)
    if bot.config.reminders.offsets:
        lines = [f"Reminders go out {offsets_text(bot)} before each meeting."]
    else:
        lines = ["No reminder offsets are configured, so no reminders go out."]
    if conversations:
        lines.append(f"Posted to {plural(len(conversations), 'conversation')}:")
        lines += [
            f"- {_describe_conversation(bot, key)}"
            + (" (config file)" if key in configured else "")
            for key in sorted(conversations)
        ]
    else:
        lines.append("No conversation gets reminders yet: type `reminders here on` in a "
                     "channel or chat, or list channels in the config's `[reminders] channels`.")
    recorded = _recorded(bot, now)
    upcoming = sorted((c for c in candidates(bot, now, ahead=True) if c.key not in recorded),
                      key=lambda c: c.due)
    if upcoming:
        first = upcoming[0]
        same = [c for c in upcoming if c.due == first.due]
        lines.append(f"Next: {first.offset} reminder for the meeting on "
                     f"{short_when(first.meeting)}, due {short_when_at(bot, first.due)}, "
                     f"to {plural(len(same), 'conversation')}.")
    counts = dict(bot.db.execute(
        "select status, count(*) from reminder_deliveries group by status"
    ).fetchall())
    if counts:
        lines.append("Deliveries so far: " + ", ".join(
            f"{counts[s]} {s}" for s in
            ("sent", "pending", "sending", "failed", "expired", "superseded", "cancelled")
            if counts.get(s)
        ) + ".")
    notices = dict(bot.db.execute(
        "select status, count(*) from notice_deliveries group by status"
    ).fetchall())
    if notices:
        lines.append("Change notices and direct messages so far: " + ", ".join(
            f"{notices[s]} {s}" for s in ("sent", "pending", "sending", "failed")
            if notices.get(s)
        ) + ".")
    failed = list(bot.db["reminder_deliveries"].rows_where(
        "status = 'failed' or (status = 'pending' and attempts > 0)",
        order_by="updated_at desc", limit=10,
    ))
    if failed:
        lines.append("Failed or being retried:")
        lines += [
            f"- {row['status']}: {row['offset']} reminder for {row['starts_at'][:16]} UTC to "
            f"{_describe_conversation(bot, row['conversation'])}, "
            f"{plural(row['attempts'], 'attempt')}, "
            f"last error: {row['last_error']}"
            for row in failed
        ]
    return [Reply("\n".join(lines))]


def short_when_at(bot: Bot, moment: datetime) -> str:
    local = moment.astimezone(Schedule.load(bot).zone)
    return f"{local:%a} {local.day} {local:%b %H:%M %Z}"


def prune_due(bot: Bot) -> datetime | None:
    """When the oldest finished delivery record is no longer needed."""
    row = bot.db.execute(
        f"select min(starts_at) from reminder_deliveries where {FINISHED}"
    ).fetchone()
    return from_iso(row[0]) + DELIVERY_KEEP if row and row[0] else None


async def prune(bot: Bot) -> None:
    """Delete finished delivery records of meetings that started over DELIVERY_KEEP ago."""
    cutoff = iso_utc(bot.clock.now() - DELIVERY_KEEP)
    with bot.db.conn:
        pruned = bot.db.execute(
            f"delete from reminder_deliveries where starts_at <= ? and {FINISHED}", [cutoff]
        ).rowcount
    log.info("reminder deliveries pruned=%d", pruned)


# --- personal data ------------------------------------------------------------------------


def describe(bot: Bot, user: User) -> list[str]:
    rows = bot.db["reminder_subscriptions"].rows_where("set_by = ?", [bot.pseudonym(user)])
    return [
        f"You turned reminders {'on' if row['enabled'] else 'off'} in "
        f"{'your direct chat' if row['is_direct'] else row['conversation']} "
        f"({row['since'][:10]})."
        for row in rows
    ]


def forget(bot: Bot, user: User) -> str:
    who = bot.pseudonym(user)
    table = bot.db["reminder_subscriptions"]
    direct = [row["conversation"] for row in table.rows_where("set_by = ? and is_direct = 1",
                                                               [who])]
    with bot.db.conn:
        for key in direct:
            bot.db.execute("delete from reminder_deliveries where conversation = ?", [key])
        bot.db.execute("delete from reminder_subscriptions where set_by = ? and is_direct = 1",
                       [who])
        unlinked = bot.db.execute(
            "update reminder_subscriptions set set_by = null where set_by = ?", [who]
        ).rowcount
    bot.replan()
    return (f"Stopped reminders in {plural(len(direct), 'direct chat')} and removed your name "
            f"from {plural(unlinked, 'channel reminder setting')} (the channels keep getting "
            "reminders).")


def register(registry: Registry) -> None:
    registry.command("reminders here", organiser=True, usage="reminders here on|off",
                   takes=lambda args: args.lower() in ("on", "off"),
                   help="post meeting reminders in this channel or chat, or stop")(reminders_here)
    registry.command("reminders status", organiser=True, takes="none",
                   help="where reminders go, the next one due, and any that failed")(
        reminders_status)
    registry.task(Task("reminders", next_due, run))
    registry.task(Task("reminders-prune", prune_due, prune))
    registry.holds_personal_data(PersonalData(
        name="reminder settings",
        retention="until you or an organiser turn reminders off, or you type `forget me`",
        describe=describe,
        forget=forget,
        tables=("reminder_subscriptions", "reminder_deliveries"),
        summary="where you turned meeting reminders on or off (your direct chat, or a channel), "
                "since when, with your pseudonym; and which reminders were delivered there",
    ))

