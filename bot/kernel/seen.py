"""Platform event ids already answered, so a redelivered event is never answered twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    from bot.kernel.context import Bot

# Platforms retry within minutes (Slack for up to an hour); a day is ample.
EVENT_RETENTION = timedelta(days=1)
# How often seen event ids are written to the database by a server that batches them.
FLUSH_SECONDS = 0.2
# Event ids kept in memory at most per platform (far more than a forum sends in a day).
MEMORY_MAX = 500_000


@dataclass
class EventLog:
    """One platform's event ids seen in the last day: in memory for a fast check, and stored.

    The ids are loaded from the database when the adapter starts, and new ones are written in
    batches (`flush`, every FLUSH_SECONDS, and when the server stops), so a restart never
    forgets an id it has acknowledged.
    """

    bot: Bot
    platform: str
    # id -> when first seen (ISO), oldest first.
    seen: dict[str, str] = field(default_factory=dict)
    unwritten: list[tuple[str, str]] = field(default_factory=list)

    def load(self) -> None:
        rows = self.bot.db.conn.execute(
            "select event_id, seen_at from seen_events where platform = ? order by seen_at",
            [self.platform],
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
                    "values (?, ?, ?)", [(self.platform, *row) for row in batch]
                )
        except Exception:
            self.unwritten = batch + self.unwritten
            raise

    def forget_before(self, cutoff: str) -> None:
        while self.seen and next(iter(self.seen.values())) <= cutoff:
            del self.seen[next(iter(self.seen))]


def _oldest_event(bot: Bot) -> datetime | None:
    row = bot.db.execute("select min(seen_at) from seen_events").fetchone()
    if row is None or row[0] is None:
        return None
    return datetime.fromisoformat(row[0]) + EVENT_RETENTION


async def _prune(bot: Bot) -> None:
    cutoff = (bot.clock.now() - EVENT_RETENTION).isoformat(timespec="seconds")
    for log in bot.event_logs.values():
        log.flush()
    with bot.db.conn:
        bot.db.conn.execute("delete from seen_events where seen_at <= ?", [cutoff])
    for log in bot.event_logs.values():
        log.forget_before(cutoff)


PRUNE_TASK_NAME = "seen event ids"
# Timed work: forget event ids older than a day, on every platform.
PRUNE_TASK = Task(PRUNE_TASK_NAME, next_due=_oldest_event, run=_prune)
