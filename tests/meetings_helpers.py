"""Helpers shared by the meetings, reminders and calendar tests."""

from __future__ import annotations

from datetime import datetime

from bot.kernel.config import Config
from bot.kernel.context import Bot
from bot.kernel.scheduler import run_due
from tests.fakes.clock import FakeClock

SERIES = "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH"


def configure_forum(config: Config, *, channels: tuple[str, ...] = ()) -> Config:
    """The forum as the issue describes it: every second month, second Thursday, 13:00 UK."""
    config.forum.rrule = SERIES
    config.forum.start = datetime(2026, 1, 8, 13, 0)
    config.forum.join_url = "https://meet.example.org/dtl-forum"
    config.forum.agenda_url = "https://example.org/dtl-forum/agenda"
    config.reminders.channels = list(channels)
    config.server.public_url = "https://dtlbot.example.org"
    return config


def next_task_due(bot: Bot) -> datetime | None:
    """The earliest moment any of the bot's timed work is due (reminders, notices, pruning)."""
    dues = [d for d in (t.next_due(bot) for t in bot.registry.tasks) if d is not None]
    return min(dues, default=None)


async def run_until(bot: Bot, clock: FakeClock, until: datetime) -> None:
    """Let the bot's timed work run, jumping the clock from one due moment to the next."""
    for _ in range(10_000):
        due = next_task_due(bot)
        if due is None or due > until:
            break
        if due > clock.now():
            clock.set(due)
        await run_due(bot)
    clock.set(max(clock.now(), until))
