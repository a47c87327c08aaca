"""Restart-safe delivery of proactive messages: claim, send, retry, give up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from bot.kernel.conversations import recall
from bot.kernel.model import Conversation, Reply

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.delivery")

MAX_ATTEMPTS = 5
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(minutes=30)
# A delivery claimed for sending this long ago was interrupted (the process stopped mid-send).
SENDING_STALE = timedelta(minutes=10)
INTERRUPTED = "interrupted while sending; not retried to avoid a duplicate"
# SQL for a delivery that will not be tried again (sent, failed, or ended by its feature).
FINISHED = "status not in ('pending', 'sending')"

# What to send for one delivery row: where, and the replies.
Message = tuple[Conversation, list[Reply]]


class Skip(NamedTuple):
    """A delivery ended without sending: the status to record and why (kept in last_error)."""

    status: str
    reason: str


def stamp(moment: datetime) -> str:
    """How delivery tables store a moment: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8... minutes, at most 30."""
    return min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MAX)


def retry_wait(exc: BaseException, attempts: int) -> timedelta:
    """Our backoff, or the platform's Retry-After (e.g. on a 429) when that is longer."""
    wait = backoff(attempts)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, (int, float)) and retry_after > wait.total_seconds():
        wait = timedelta(seconds=retry_after)
    return wait


def destination(bot: Bot, key: str, *, is_direct: bool = False) -> Conversation:
    """The stored conversation with this key ("platform:id"), else one named by it."""
    stored = recall(bot.db, key)
    if stored is not None:
        return stored
    platform, _, conversation_id = key.partition(":")
    return Conversation(platform, conversation_id, is_direct=is_direct)


@dataclass(frozen=True)
class Outbox:
    """A table of delivery records, each one message owed to one conversation.

    A row is inserted 'pending' (with `attempts` 0 and `next_attempt_at`) by its feature before
    anything is sent; `send_due` claims it ('sending') before sending, then records 'sent', or
    'pending' again with a later `next_attempt_at`, or 'failed' after `max_attempts` (at once
    for an error in `final_errors`). A row still 'sending' after SENDING_STALE was cut short by
    a stop mid-send: it may have reached the platform, so it is recorded 'failed', never sent
    twice. The table needs the columns id, status, attempts, next_attempt_at, last_error,
    sent_at and updated_at; a feature may add its own statuses for rows it ends (`Skip`).
    """

    table: str
    # How logs name one message: "reminder", "notice", "poll nudge".
    noun: str
    # The order rows due at once are sent in (SQL).
    order_by: str = "id"
    # Errors that end a delivery at the first attempt (e.g. NoSender where no other process
    # could send it).
    final_errors: tuple[type[BaseException], ...] = ()
    max_attempts: int = MAX_ATTEMPTS

    def retries_due(self, bot: Bot) -> list[datetime]:
        """When the next retry is due, and when a send cut short is to be recorded failed."""
        dues = []
        (first,) = bot.db.execute(
            f"select min(next_attempt_at) from {self.table} where status = 'pending'").fetchone()
        if first:
            dues.append(datetime.fromisoformat(first).astimezone(UTC))
        (oldest,) = bot.db.execute(
            f"select min(updated_at) from {self.table} where status = 'sending'").fetchone()
        if oldest:
            dues.append(datetime.fromisoformat(oldest).astimezone(UTC) + SENDING_STALE)
        return dues

    def next_due(self, bot: Bot) -> datetime | None:
        """For a scheduler Task: the earliest moment there is something to do here."""
        return min(self.retries_due(bot), default=None)

    def mark(self, bot: Bot, delivery_id: int, **values: object) -> None:
        """Record new values for one delivery (nothing, if `forget me` has deleted it)."""
        values["updated_at"] = stamp(bot.clock.now())
        columns = ", ".join(f'"{name}" = ?' for name in values)
        with bot.db.conn:
            bot.db.execute(f"update {self.table} set {columns} where id = ?",
                           [*values.values(), delivery_id])

    def end(self, bot: Bot, delivery_id: int, skip: Skip) -> bool:
        """End a pending delivery unsent, with the feature's status and reason."""
        with bot.db.conn:
            return bot.db.execute(
                f"update {self.table} set status = ?, last_error = ?, updated_at = ? "
                "where id = ? and status = 'pending'",
                [skip.status, skip.reason, stamp(bot.clock.now()), delivery_id]).rowcount == 1

    def fail_interrupted(self, bot: Bot) -> int:
        """Record every send cut short (still 'sending' after SENDING_STALE) as failed."""
        now = bot.clock.now()
        with bot.db.conn:
            return bot.db.execute(
                f"update {self.table} set status = 'failed', last_error = ?, updated_at = ? "
                "where status = 'sending' and updated_at <= ?",
                [INTERRUPTED, stamp(now), stamp(now - SENDING_STALE)]).rowcount

    def due(self, bot: Bot) -> list[dict]:
        """The pending deliveries whose next attempt is due now, in sending order."""
        return list(bot.db[self.table].rows_where(
            "status = 'pending' and next_attempt_at <= ?", [stamp(bot.clock.now())],
            order_by=self.order_by))

    def claim(self, bot: Bot, delivery_id: int) -> bool:
        """Take a pending delivery for sending; False when it is no longer pending (another
        run took it, or it was ended or deleted meanwhile): then it must not be sent."""
        with bot.db.conn:
            return bot.db.execute(
                f"update {self.table} set status = 'sending', updated_at = ? "
                "where id = ? and status = 'pending'",
                [stamp(bot.clock.now()), delivery_id]).rowcount == 1

    async def attempt(self, bot: Bot, row: dict, compose: Callable[[dict], Message]) -> str:
        """Send one claimed delivery and record how it went: "sent", "retrying" or "failed"."""
        attempts = row["attempts"] + 1
        try:
            conversation, replies = compose(row)
            await bot.send(conversation, replies)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
            log.warning("%s failed delivery=%d attempt=%d error=%s",
                        self.noun, row["id"], attempts, type(exc).__name__)
            if attempts >= self.max_attempts or isinstance(exc, self.final_errors):
                self.mark(bot, row["id"], status="failed", attempts=attempts, last_error=error)
                return "failed"
            self.mark(bot, row["id"], status="pending", attempts=attempts, last_error=error,
                      next_attempt_at=stamp(bot.clock.now() + retry_wait(exc, attempts)))
            return "retrying"
        self.mark(bot, row["id"], status="sent", attempts=attempts,
                  sent_at=stamp(bot.clock.now()))
        log.info("%s sent delivery=%d conversation=%s",
                 self.noun, row["id"], bot.log_tag(conversation))
        return "sent"

    async def send_due(self, bot: Bot, compose: Callable[[dict], Message],
                       skip: Callable[[dict], Skip | None] | None = None) -> dict[str, int]:
        """Send every delivery due now, one at a time: `skip(row)` may end one unsent first;
        `compose(row)` says where it goes and what it says (an error there counts as a failed
        attempt). Returns how many were "sent", "retrying", "failed" and "skipped"."""
        self.fail_interrupted(bot)
        tally: dict[str, int] = {}
        for row in self.due(bot):
            ended = skip(row) if skip is not None else None
            if ended is not None:
                if not self.end(bot, row["id"], ended):
                    continue
                outcome = "skipped"
            elif self.claim(bot, row["id"]):
                outcome = await self.attempt(bot, row, compose)
            else:
                continue
            tally[outcome] = tally.get(outcome, 0) + 1
        return tally
