"""The Slack adapter's answer workers: acknowledgements first, one channel's answers in order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("dtlbot.slack")

# Answers to events are worked by a few workers, so that under a burst acknowledging new
# events (which Slack needs within 3 s) comes first and answers queue up behind.
ANSWER_WORKERS = 4
ANSWER_QUEUE_MAX = 100_000
# Acknowledgements come first: during a burst of requests a worker starts its next answer only
# once acknowledging has been quiet this long, or it has waited the maximum.
ACK_QUIET_SECONDS = 0.01
ACK_PRIORITY_MAX_WAIT = 1.0

Work = Callable[..., Awaitable[None]]


@dataclass
class AnswerWorkers:
    """A queue of answers and the workers that run them."""

    jobs: asyncio.Queue | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)
    # One lock per channel with answers in flight, so one person's messages are answered in the
    # order they were sent even though several workers answer at once.
    in_order: dict[str, tuple[asyncio.Lock, list[int]]] = field(default_factory=dict)
    last_ack: float = 0.0

    def start(self) -> None:
        self.jobs = asyncio.Queue(maxsize=ANSWER_QUEUE_MAX)
        self.tasks = [asyncio.ensure_future(self._work()) for _ in range(ANSWER_WORKERS)]

    def drained(self) -> asyncio.Future | None:
        """A future done when every queued answer has run (None when not running)."""
        return asyncio.ensure_future(self.jobs.join()) if self.jobs is not None else None

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks, self.jobs = [], None

    async def queue(self, work: Work, *args: Any) -> None:
        """Run `work(*args)` on a worker (or now, if the workers are not running)."""
        if self.jobs is None:
            await work(*args)
        else:
            try:
                self.jobs.put_nowait((work, args))
            except asyncio.QueueFull:
                await self.jobs.put((work, args))

    def acknowledged(self) -> None:
        """Note that a request was just acknowledged (answers yield to acknowledgements)."""
        self.last_ack = time.monotonic()

    async def _after_acks(self) -> None:
        waited = 0.0
        while waited < ACK_PRIORITY_MAX_WAIT:
            quiet = time.monotonic() - self.last_ack
            if quiet >= ACK_QUIET_SECONDS:
                return
            pause = ACK_QUIET_SECONDS - quiet
            await asyncio.sleep(pause)
            waited += pause

    async def _work(self) -> None:
        assert self.jobs is not None
        while True:
            work, args = await self.jobs.get()
            channel = str(args[0].get("channel") or "") if args else ""
            # Queued for before any await, so one channel's jobs take the lock in queue order.
            lock, users = self.in_order.setdefault(channel, (asyncio.Lock(), [0]))
            users[0] += 1
            try:
                async with lock:
                    await self._after_acks()
                    await work(*args)
            except Exception:
                log.exception("slack answer failed")
            finally:
                users[0] -= 1
                if not users[0]:
                    del self.in_order[channel]
                self.jobs.task_done()
