"""What the Slack adapter keeps: event ids already answered (a day) and who has been greeted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core import Bot
from bot.model import User
from bot.router import PersonalData
from bot.scheduler import Task

EVENT_RETENTION = timedelta(days=1)
# How often seen event ids are written to the database.
FLUSH_SECONDS = 0.2


@dataclass
class EventLog:
    """Event ids seen, written to the database in small batches (one commit per batch).

    An id counts as seen from the moment it arrives (the in-memory set covers ids not yet
    written); batches are written every FLUSH_SECONDS and when the server stops, so a
    restart never forgets an id it has acknowledged.
    """

    bot: Bot
    unwritten: dict[str, str] = field(default_factory=dict)

    def first_sighting(self, event_id: str) -> bool:
        """Record an event id; False when it was already seen (a retry: do not answer again)."""
        if event_id in self.unwritten:
            return False
        row = self.bot.db.conn.execute(
            "select 1 from slack_events where event_id = ?", [event_id]
        ).fetchone()
        if row is not None:
            return False
        self.unwritten[event_id] = self.bot.now_iso()
        return True

    def flush(self) -> None:
        """Write the ids not yet in the database, in one transaction."""
        if not self.unwritten:
            return
        batch = list(self.unwritten.items())
        with self.bot.db.conn:
            self.bot.db.conn.executemany(
                "insert or ignore into slack_events (event_id, seen_at) values (?, ?)", batch
            )
        for event_id, _ in batch:
            self.unwritten.pop(event_id, None)


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
