"""Timed work (reminders, poll closing, pruning): the database says what is due."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.kernel.storage import storage_failure

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.scheduler")

# Even with nothing due, look again this often (covers edits made by another process).
MAX_SLEEP = timedelta(minutes=5)
# After a run, wait at least this long before the next: a task that stays due cannot spin, and
# the next wake-up is not dropped by APScheduler as an overlapping instance of the running one.
MIN_GAP = timedelta(seconds=1)


@dataclass(frozen=True)
class Task:
    """Timed work of one feature: when it is next due, and a run that does all that is due now."""

    name: str
    next_due: Callable[[Bot], datetime | None]
    run: Callable[[Bot], Awaitable[None]]


async def run_due(bot: Bot) -> None:
    """Run every task that is due at the bot's clock; one failing task does not stop the rest."""
    now = bot.clock.now()
    for task in bot.registry.tasks:
        try:
            due = task.next_due(bot)
            if due is not None and due <= now:
                await task.run(bot)
        except Exception as exc:
            if not storage_failure(exc):
                log.exception("scheduled task failed task=%s", task.name)
                continue
            bot.storage_failed(exc)
            log.warning("scheduled task could not save task=%s reason=%s", task.name, exc)


def next_wake(bot: Bot) -> datetime:
    """The earliest moment any task is due, but no later than MAX_SLEEP from now."""
    now = bot.clock.now()
    wake = now + MAX_SLEEP
    for task in bot.registry.tasks:
        try:
            due = task.next_due(bot)
        except Exception as exc:
            if storage_failure(exc):
                log.warning("could not plan task=%s reason=%s", task.name, exc)
            else:
                log.exception("could not plan task=%s", task.name)
            continue
        if due is not None and due < wake:
            wake = max(due, now)
    return wake


class Scheduler:
    """Keeps one APScheduler job that wakes the bot when the next task is due."""

    def __init__(self, bot: Bot):
        self.bot = bot
        self.aps = AsyncIOScheduler(timezone=UTC)
        self.waking = False

    def start(self) -> None:
        """Start on the loop that runs the bot's work (the core's, while the server runs)."""
        self.aps.start()
        self.replan()

    def replan(self) -> None:
        """Plan the next wake-up again (call after anything that changes what is due)."""
        self._plan(timedelta(0))

    def _plan(self, gap: timedelta) -> None:
        if not self.aps.running:
            return
        # The bot's clock may be injected: wait as long, by the real clock, as it says is left.
        wait = max(next_wake(self.bot) - self.bot.clock.now(), gap)
        self.aps.add_job(
            self._wake,
            "date",
            run_date=datetime.now(UTC) + wait,
            id="wake",
            replace_existing=True,
            misfire_grace_time=None,
            # A re-plan just as a wake-up ends (APScheduler still counts it as running) must
            # not be skipped as an overlapping instance: `waking` keeps runs from overlapping.
            max_instances=2,
        )

    async def _wake(self) -> None:
        if self.waking:
            return  # the running wake-up plans the next when it ends
        self.waking = True
        try:
            await run_due(self.bot)
        finally:
            self.waking = False
        self._plan(MIN_GAP)

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
