"""Platform event ids already answered, so a redelivered event is never answered twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlite_utils import Database

# Platforms retry within minutes (Slack for up to an hour); a day is ample.
EVENT_RETENTION = timedelta(days=1)
# How often seen event ids are written to the database by a server that batches them.
FLUSH_SECONDS = 0.2
# Event ids kept in memory at most per platform (far more than a forum sends in a day).
MEMORY_MAX = 500_000
PRUNE_TASK_NAME = "seen event ids"


@dataclass
class EventLog:
    """One platform's event ids seen in the last day: in memory for a fast check, and stored.

    The ids are loaded from the database when the adapter starts, and new ones are written in
    batches (`flush`, every FLUSH_SECONDS, and when the server stops), so a restart never
    forgets an id it has acknowledged.
    """

    db: Database
    platform: str
    # The current time as stored (ISO 8601), from the bot's clock.
    now_iso: Callable[[], str]
    # id -> when first seen (ISO), oldest first.
    seen: dict[str, str] = field(default_factory=dict)
    unwritten: list[tuple[str, str]] = field(default_factory=list)
    # Sightings are checked on the server's loop, and written on the bot's core thread.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def load(self) -> None:
        rows = self.db.conn.execute(
            "select event_id, seen_at from seen_events where platform = ? order by seen_at",
            [self.platform],
        ).fetchall()
        with self.lock:
            self.seen = dict(rows) | self.seen

    def first_sighting(self, event_id: str) -> bool:
        """Record an event id; False when it was already seen (a retry: do not answer again)."""
        now = self.now_iso()
        with self.lock:
            if event_id in self.seen:
                return False
            self.seen[event_id] = now
            self.unwritten.append((event_id, now))
            while len(self.seen) > MEMORY_MAX:
                # Beyond any plausible day's traffic; the database still has the oldest ids.
                del self.seen[next(iter(self.seen))]
        return True

    def flush(self) -> None:
        """Write the ids not yet in the database, in one transaction."""
        with self.lock:
            if not self.unwritten:
                return
            batch, self.unwritten = self.unwritten, []
        try:
            with self.db.conn:
                self.db.conn.executemany(
                    "insert or ignore into seen_events (platform, event_id, seen_at) "
                    "values (?, ?, ?)", [(self.platform, *row) for row in batch]
                )
        except Exception:
            with self.lock:
                self.unwritten = batch + self.unwritten
            raise

    def forget_before(self, cutoff: str) -> None:
        with self.lock:
            while self.seen and next(iter(self.seen.values())) <= cutoff:
                del self.seen[next(iter(self.seen))]


def oldest(db: Database) -> str | None:
    """When the oldest stored event id was seen (ISO), if any."""
    row = db.execute("select min(seen_at) from seen_events").fetchone()
    return None if row is None else row[0]


def prune(db: Database, logs: list[EventLog], cutoff: str) -> None:
    """Forget event ids seen at or before `cutoff`, stored and in memory."""
    for log in logs:
        log.flush()
    with db.conn:
        db.conn.execute("delete from seen_events where seen_at <= ?", [cutoff])
    for log in logs:
        log.forget_before(cutoff)
