"""The core thread: while the server runs, the bot's turns and all its database work run on it."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("dtlbot.core")

# How long stopping waits for the work in flight on the core (turns, scheduled runs).
STOP_SECONDS = 10.0


class Busy(RuntimeError):
    """The core has as much work waiting as it may take: this is refused at once."""


async def _run(work: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    result = work(*args)
    return await result if inspect.isawaitable(result) else result


class Core:
    """One thread with its own event loop, so that SQLite, which blocks while another process
    holds the database's lock, never blocks the server's loop (its acknowledgements, /healthz).

    The server's loop only awaits the core (`call`); the core's work awaits the server's loop
    for network I/O bound to it (`on_server`). Context variables travel both ways. At most
    `max_waiting` calls wait for the core at once; the next bounded one raises Busy.
    """

    def __init__(self, max_waiting: int, refused: Callable[[], None] | None = None):
        self.max_waiting = max_waiting
        self.refused = refused
        # Calls from the server's loop not yet answered (read and written on that loop only).
        self.waiting = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.loop is not None

    def here(self) -> bool:
        """Whether the caller runs on the core thread."""
        return self.thread is not None and threading.get_ident() == self.thread.ident

    def start(self) -> None:
        """Start the thread; the caller's running loop is the server's, which `on_server` uses."""
        self.server = asyncio.get_running_loop()
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def main() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()

        self.thread = threading.Thread(target=main, name="dtlbot-core", daemon=True)
        self.thread.start()
        started.wait()
        self.loop = loop

    async def call(self, work: Callable[..., Any], *args: Any, bounded: bool = True) -> Any:
        """`work(*args)` (a function or coroutine function) on the core; awaited here, on the
        server's loop. Raises Busy, at once, when `bounded` and `max_waiting` calls wait."""
        assert self.loop is not None
        if bounded and self.waiting >= self.max_waiting:
            if self.refused is not None:
                self.refused()
            raise Busy(f"{self.waiting} calls are waiting for the bot's core")
        self.waiting += 1
        try:
            future = asyncio.run_coroutine_threadsafe(_run(work, args), self.loop)
            return await asyncio.wrap_future(future)
        finally:
            self.waiting -= 1

    async def on_server(self, work: Callable[..., Any], *args: Any) -> Any:
        """`work(*args)` on the server's loop, awaited here on the core (network I/O whose
        clients belong to the server's loop: platform APIs, sessions)."""
        assert self.server is not None
        future = asyncio.run_coroutine_threadsafe(_run(work, args), self.server)
        return await asyncio.wrap_future(future)

    def soon_on_server(self, work: Callable[..., Any], *args: Any) -> None:
        """Call `work(*args)` soon on the server's loop (now, when not called on the core)."""
        if self.here() and self.server is not None:
            self.server.call_soon_threadsafe(work, *args)
        else:
            work(*args)

    async def stop(self, last: Callable[[], Any] | None = None) -> None:
        """Let the work in flight finish (STOP_SECONDS at most), run `last` on the core thread
        (closing the database), then end the thread. Called on the server's loop."""
        loop, thread = self.loop, self.thread
        if loop is None or thread is None:
            return
        try:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._finish(last), loop))
        finally:
            loop.call_soon_threadsafe(loop.stop)
            await asyncio.to_thread(thread.join)
            loop.close()
            self.loop = None

    async def _finish(self, last: Callable[[], Any] | None) -> None:
        me = asyncio.current_task()
        others = [t for t in asyncio.all_tasks() if t is not me]
        if others:
            _, late = await asyncio.wait(others, timeout=STOP_SECONDS)
            if late:
                log.warning("stopping: %d pieces of work did not finish in %.0f s; cancelled",
                            len(late), STOP_SECONDS)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
        if last is not None:
            last()
