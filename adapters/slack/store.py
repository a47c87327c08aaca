"""What the Slack adapter keeps: event ids already answered (a day) and who has been greeted."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.core import Bot
from bot.model import User
from bot.router import PersonalData
from bot.scheduler import Task

EVENT_RETENTION = timedelta(days=1)


def first_sighting(bot: Bot, event_id: str) -> bool:
    """Record an event id; False when it was already recorded (a retry: do not answer again)."""
    try:
        with bot.db.conn:
            bot.db.conn.execute(
                "insert into slack_events (event_id, seen_at) values (?, ?)",
                [event_id, bot.now_iso()],
            )
    except sqlite3.IntegrityError:
        return False
    return True


def _oldest_event(bot: Bot) -> datetime | None:
    row = bot.db.execute("select min(seen_at) from slack_events").fetchone()
    if row is None or row[0] is None:
        return None
    return datetime.fromisoformat(row[0]) + EVENT_RETENTION


async def prune_events(bot: Bot) -> None:
    """Forget event ids older than a day (Slack retries within minutes)."""
    cutoff = (bot.clock.now() - EVENT_RETENTION).isoformat(timespec="seconds")
    with bot.db.conn:
        bot.db.conn.execute("delete from slack_events where seen_at <= ?", [cutoff])


PRUNE_TASK = Task("slack event ids", next_due=_oldest_event, run=prune_events)


def greet_once(bot: Bot, user: User) -> bool:
    """True the first time this person is seen (they get the introduction), then False."""
    with bot.db.conn:
        cursor = bot.db.conn.execute(
            "insert or ignore into slack_welcomed (person, at) values (?, ?)",
            [bot.pseudonym(user), bot.now_iso()],
        )
    return cursor.rowcount == 1


def _describe(bot: Bot, user: User) -> list[str]:
    if user.platform != "slack":
        return []
    row = bot.db.execute(
        "select at from slack_welcomed where person = ?", [bot.pseudonym(user)]
    ).fetchone()
    return [f"That I introduced myself to you in Slack on {row[0][:10]}."] if row else []


def _forget(bot: Bot, user: User) -> str:
    with bot.db.conn:
        bot.db.conn.execute("delete from slack_welcomed where person = ?", [bot.pseudonym(user)])
    return "Forgot that I had introduced myself to you in Slack."


WELCOMED = PersonalData(
    name="Slack introduction",
    retention="until you ask me to forget you",
    describe=_describe,
    forget=_forget,
)
