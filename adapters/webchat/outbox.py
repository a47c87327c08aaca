"""Messages the bot sends on its own to web chat people, held in memory until a page reads them."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

# Kept this long for a page that is not open, then dropped (memory only, never stored).
RETENTION_SECONDS = 24 * 3600
PER_CONVERSATION = 50


@dataclass(frozen=True)
class Posted:
    id: int
    at: float
    replies: list[dict[str, Any]]


@dataclass
class Outbox:
    """Per-conversation queues of proactive replies, with wake-ups for the open event streams."""

    # Ids grow across restarts too (they start from the clock), so a page's last-seen id stays
    # meaningful after the server is restarted.
    next_id: int = field(default_factory=lambda: int(time.time() * 1000))
    queues: dict[str, deque[Posted]] = field(default_factory=dict)
    listeners: dict[str, set[asyncio.Event]] = field(default_factory=dict)
    # The queues are read and written on the server's loop, and by `my data` and `forget me`
    # on the bot's core thread; the listeners belong to the server's loop only.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def put(self, conversation: str, replies: list[dict[str, Any]], now: float) -> int:
        with self.lock:
            self.next_id += 1
            queue = self.queues.setdefault(conversation, deque(maxlen=PER_CONVERSATION))
            queue.append(Posted(self.next_id, now, replies))
            posted = self.next_id
        for wake in self.listeners.get(conversation, ()):
            wake.set()
        return posted

    def after(self, conversation: str, last_id: int, now: float) -> list[Posted]:
        """What this conversation has not seen yet (expired messages dropped first)."""
        with self.lock:
            queue = self.queues.get(conversation)
            if not queue:
                return []
            while queue and now - queue[0].at > RETENTION_SECONDS:
                queue.popleft()
            if not queue:
                del self.queues[conversation]
                return []
            return [p for p in queue if p.id > last_id]

    def count(self, conversation: str, now: float) -> int:
        return len(self.after(conversation, 0, now))

    def drop(self, conversation: str) -> int:
        """Forget every waiting message of this conversation; returns how many there were."""
        with self.lock:
            return len(self.queues.pop(conversation, ()))

    def listen(self, conversation: str, wake: asyncio.Event) -> None:
        self.listeners.setdefault(conversation, set()).add(wake)

    def unlisten(self, conversation: str, wake: asyncio.Event) -> None:
        waiting = self.listeners.get(conversation)
        if waiting is not None:
            waiting.discard(wake)
            if not waiting:
                del self.listeners[conversation]

    def streams(self, conversation: str) -> int:
        return len(self.listeners.get(conversation, ()))

    def wake(self, conversation: str) -> None:
        for wake in self.listeners.get(conversation, ()):
            wake.set()

    def wake_all(self) -> None:
        for waiting in self.listeners.values():
            for wake in waiting:
                wake.set()
