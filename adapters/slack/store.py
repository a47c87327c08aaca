"""What the Slack adapter keeps: event ids already answered, for a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core import Bot
from bot.scheduler import Task

EVENT_RETENTION = timedelta(days=1)
# How often seen event ids are written to the database.
FLUSH_SECONDS = 0.2
# Event ids kept in memory at most (Slack sends this bot far fewer in a day).
MEMORY_MAX = 500_000


@dataclass
class EventLog:
    """Event ids seen in the last day: in memory for a fast check, and in the database.

    The ids are loaded from the database when the adapter starts, and new ones are written in
    batches (every FLUSH_SECONDS, and when the server stops), so a restart never forgets an id
    it has acknowledged.
    """

    bot: Bot
    # id -> when first seen (ISO), oldest first.
    seen: dict[str, str] = field(default_factory=dict)
    unwritten: list[tuple[str, str]] = field(default_factory=list)

    def load(self) -> None:
        rows = self.bot.db.conn.execute(
            "select event_id, seen_at from seen_events where platform = 'slack' order by seen_at"
        ).fetchall()
        self.seen = dict(rows)

    def first_sighting(self, event_id: str) -> bool:
        """Record an event id; False when it was already seen (a retry: do not answer again)."""
        if event_id in self.seen:
            return False
        now = self.bot.now_iso()
        self.seen[event_id] = now
        self.unwritten.append((event_id, now))
        while len(self.seen) > MEMORY_MAX:
            # Beyond any plausible day's traffic; the database still has the oldest ids.
            del self.seen[next(iter(self.seen))]
        return True

    def flush(self) -> None:
        """Write the ids not yet in the database, in one transaction."""
        if not self.unwritten:
            return
        batch, self.unwritten = self.unwritten, []
        try:
            with self.bot.db.conn:
                self.bot.db.conn.executemany(
                    "insert or ignore into seen_events (platform, event_id, seen_at) "
                    "values ('slack', ?, ?)", batch
                )
        except Exception:
            self.unwritten = batch + self.unwritten
            raise

    def forget_before(self, cutoff: str) -> None:
        while self.seen and next(iter(self.seen.values())) <= cutoff:
            del self.seen[next(iter(self.seen))]


def _oldest_event(bot: Bot) -> datetime | None:
    row = bot.db.execute("select min(seen_at) from seen_events where platform = 'slack'").fetchone()
    if row is None or row[0] is None:
        return None
    return datetime.fromisoformat(row[0]) + EVENT_RETENTION


PRUNE_TASK_NAME = "slack event ids"


def prune_task(events: EventLog) -> Task:
    """Timed work: forget event ids older than a day (Slack retries within minutes)."""

    async def prune(bot: Bot) -> None:
        cutoff = (bot.clock.now() - EVENT_RETENTION).isoformat(timespec="seconds")
        events.flush()
        with bot.db.conn:
            bot.db.conn.execute(
                "delete from seen_events where platform = 'slack' and seen_at <= ?", [cutoff]
            )
        events.forget_before(cutoff)

    return Task(PRUNE_TASK_NAME, next_due=_oldest_event, run=prune)
