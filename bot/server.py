"""The one aiohttp application every adapter and feature plugs into, with health checks and the
scheduler."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from bot.app import adapter_modules
from bot.kernel.context import BUSY, Bot
from bot.kernel.core import Busy
from bot.kernel.scheduler import Scheduler
from bot.kernel.storage import storage_failure

log = logging.getLogger("dtlbot.server")

BOT_KEY = web.AppKey("bot", Bot)
ADAPTERS_KEY = web.AppKey("adapters", list[str])
# Set by `serve`: the database is closed (on the core thread) when the server stops.
CLOSE_DATABASE_KEY = web.AppKey("close_database", bool)


# How long requests in flight may take to finish once a shutdown has begun.
SHUTDOWN_SECONDS = 10.0


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def route_owner(request: web.Request) -> str:
    """Which adapter a request went to, from its route name ("server" for the rest)."""
    resource = request.match_info.route.resource
    name = resource.name if resource is not None else None
    return name.split(".")[0] if name and "." in name else "server"


@web.middleware
async def log_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """One log line and one metrics count per request (the path only: queries may name people)."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = 499  # the client went away (or shutdown ran out of time) before an answer
        raise
    finally:
        adapter = route_owner(request)
        request.app[BOT_KEY].metrics.requests.labels(adapter, str(status)).inc()
        log.info(
            "request method=%s path=%s status=%d adapter=%s latency_ms=%.1f",
            request.method, request.rel_url.raw_path[:200], status, adapter,
            (time.perf_counter() - started) * 1000,
        )


@web.middleware
async def errors_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Bad requests get a short JSON message and status; never a stack trace."""
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return json_error(413, "request body too large")
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        # RecursionError: JSON nested thousands deep, which Python's parser refuses.
        return json_error(400, "malformed JSON")
    except web.HTTPException:
        raise
    except Busy:
        log.warning("request refused as busy path=%s", request.path)
        response = json_error(503, BUSY)
        response.headers["Retry-After"] = "1"
        return response
    except Exception as exc:
        if storage_failure(exc):
            request.app[BOT_KEY].storage_failed(exc)
            log.warning("request could not save path=%s reason=%s", request.path, exc)
            return json_error(503, "could not save, please try again")
        log.exception("request failed path=%s", request.path)
        return json_error(500, "internal error")


async def metrics(request: web.Request) -> web.Response:
    # Negotiated like prometheus-client's own exporter: plain text 0.0.4 unless asked otherwise.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    body = encode(request.app[BOT_KEY].metrics.registry)
    return web.Response(body=body, headers={"Content-Type": content_type})


# How long /healthz's probe may wait for the write lock, and for the core to run the probe:
# a core that has not answered by then is stuck (on a lock another process holds).
PROBE_LOCK_MS = 200
PROBE_SECONDS = 0.5


def database_problem(bot: Bot) -> str | None:
    """Why the database cannot be written now, or None: a write failed in the last minute
    (disk full, read-only, locked past the timeout), or a write lock cannot be taken."""
    failed = bot.recent_write_failure()
    if failed is not None:
        return f"a write failed: {failed}"
    conn = bot.db.conn
    try:
        if conn.in_transaction:
            return None
        (timeout,) = conn.execute("PRAGMA busy_timeout").fetchone()
    except sqlite3.Error as exc:
        return f"no write lock: {exc}"
    # A short wait only: a health check must not hang while another writer holds the lock.
    conn.execute(f"PRAGMA busy_timeout = {min(timeout, PROBE_LOCK_MS)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return None
    except sqlite3.Error as exc:
        return f"no write lock: {exc}"
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout}")


@dataclass
class HealthProbe:
    """/healthz's database probe, run on the core; at most one waits there at a time."""

    pending: asyncio.Future | None = None

    async def problem(self, bot: Bot) -> str | None:
        failed = bot.recent_write_failure()
        if failed is not None:
            return f"a write failed: {failed}"
        if self.pending is None or self.pending.done():
            self.pending = asyncio.ensure_future(bot.run(database_problem, bot, bounded=False))
        try:
            return await asyncio.wait_for(asyncio.shield(self.pending), PROBE_SECONDS)
        except TimeoutError:
            return (f"database busy: its work has not answered within {PROBE_SECONDS:g} s "
                    "(another process may hold the database's lock)")


HEALTH_KEY = web.AppKey("health_probe", HealthProbe)


async def healthz(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    problem = await request.app[HEALTH_KEY].problem(bot)
    ok = problem is None
    body = {
        "status": "ok" if ok else "unavailable",
        "adapters": request.app[ADAPTERS_KEY],
        "database": "ok" if ok else "not writable",
        **({} if ok else {"reason": problem}),
        **bot.notices,
    }
    return web.json_response(body, status=200 if ok else 503)


def enabled_adapters(bot: Bot) -> list[tuple[str, object]]:
    return [(name, module) for name, module in adapter_modules() if module.enabled(bot.config)]


def create_app(bot: Bot, *, start_scheduler: bool = True) -> web.Application:
    """The application: /healthz, /forum.ics, every enabled adapter's routes, the scheduler."""
    app = web.Application(
        client_max_size=bot.config.server.max_body_bytes,
        middlewares=[log_middleware, errors_middleware],
    )
    app[BOT_KEY] = bot
    app[ADAPTERS_KEY] = []
    app[HEALTH_KEY] = HealthProbe()

    async def core_context(app: web.Application) -> AsyncIterator[None]:
        # First in, last out: started before the scheduler and adapters' background work,
        # stopped after them, once their work in flight has finished.
        await bot.start_core(bot.config.server.max_waiting_turns)
        try:
            yield
        finally:
            await bot.stop_core(close=app.get(CLOSE_DATABASE_KEY, False))

    app.cleanup_ctx.append(core_context)
    app.router.add_get("/healthz", healthz)
    if bot.config.server.metrics:
        app.router.add_get("/metrics", metrics)
    for add_routes in bot.registry.web_setups:
        add_routes(app, bot)
    for name, module in enabled_adapters(bot):
        module.setup(app, bot)
        app[ADAPTERS_KEY].append(name)

    async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
        scheduler = Scheduler(bot)
        bot.scheduler = scheduler
        # On the core: its wake-ups run there, and plan from the database there.
        await bot.run(scheduler.start, bounded=False)
        yield
        await bot.run(scheduler.shutdown, bounded=False)
        bot.scheduler = None

    if start_scheduler:
        app.cleanup_ctx.append(scheduler_context)
        for work in bot.registry.background_work:
            app.cleanup_ctx.append(work(bot))
    return app


def serve(
    bot: Bot, app: web.Application | None = None, on_ready: Callable[[], None] | None = None
) -> None:
    """Run until SIGINT/SIGTERM: stop accepting, finish in-flight requests, close the database.

    `on_ready` is called once the server is listening.
    """
    app = app if app is not None else create_app(bot)
    host, port = bot.config.server.host, bot.config.server.port
    # Only a server that got as far as listening says it serves and stops: one that could not
    # listen (the port is in use) reports just that error.
    listening = False

    def ready(_message: str) -> None:
        nonlocal listening
        listening = True
        log.info("serving host=%s port=%d adapters=%s", host, port, ",".join(app[ADAPTERS_KEY]))
        if on_ready is not None:
            on_ready()

    async def announce_shutdown(app: web.Application) -> None:
        if listening:
            log.info("stopping: no new connections; finishing requests in flight")

    async def close_database(app: web.Application) -> None:
        bot.close()  # closed already by the core as it stopped (see create_app)
        if listening:
            log.info("stopped database=closed")

    app[CLOSE_DATABASE_KEY] = True
    app.on_shutdown.insert(0, announce_shutdown)
    app.on_cleanup.append(close_database)
    web.run_app(app, host=host, port=port, shutdown_timeout=SHUTDOWN_SECONDS, print=ready,
                access_log=None, handle_signals=True)
