"""The one aiohttp application every adapter plugs into, with health checks and the scheduler."""

from __future__ import annotations

import importlib
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from bot.core import Bot
from bot.scheduler import Scheduler
from bot.storage import BUSY_TIMEOUT_MS

log = logging.getLogger("dtlbot.server")

BOT_KEY = web.AppKey("bot", Bot)
ADAPTERS_KEY = web.AppKey("adapters", list)

# Adapter modules, each with enabled(config) -> bool and setup(app, bot) -> None.
ADAPTERS: tuple[str, ...] = ("slack",)


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def errors_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Bad requests get a short JSON message and status; never a stack trace."""
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return json_error(413, "request body too large")
    except json.JSONDecodeError:
        return json_error(400, "malformed JSON")
    except web.HTTPException:
        raise
    except Exception:
        log.exception("request failed path=%s", request.path)
        return json_error(500, "internal error")


def database_writable(bot: Bot) -> bool:
    """Whether a write lock can be taken right now (the database is not read-only or stuck)."""
    conn = bot.db.conn
    if conn.in_transaction:
        return True
    # A short wait only: a health check must not hang while another writer holds the lock.
    conn.execute("PRAGMA busy_timeout = 200")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


async def healthz(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    ok = database_writable(bot)
    body = {
        "status": "ok" if ok else "unavailable",
        "adapters": request.app[ADAPTERS_KEY],
        "database": "ok" if ok else "not writable",
    }
    return web.json_response(body, status=200 if ok else 503)


def enabled_adapters(bot: Bot) -> list[tuple[str, object]]:
    modules = [(name, importlib.import_module(f"adapters.{name}")) for name in ADAPTERS]
    return [(name, module) for name, module in modules if module.enabled(bot.config)]


def create_app(bot: Bot, *, start_scheduler: bool = True) -> web.Application:
    """The application: /healthz, every enabled adapter's routes, and the scheduler."""
    app = web.Application(
        client_max_size=bot.config.server.max_body_bytes, middlewares=[errors_middleware]
    )
    app[BOT_KEY] = bot
    app[ADAPTERS_KEY] = []
    app.router.add_get("/healthz", healthz)
    for name, module in enabled_adapters(bot):
        module.setup(app, bot)
        app[ADAPTERS_KEY].append(name)

    async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
        scheduler = Scheduler(bot)
        bot.scheduler = scheduler
        scheduler.start()
        yield
        scheduler.shutdown()
        bot.scheduler = None

    if start_scheduler:
        app.cleanup_ctx.append(scheduler_context)
    return app


def serve(bot: Bot) -> None:
    """Run until SIGINT/SIGTERM: stop accepting, finish in-flight requests, close the database."""
    app = create_app(bot)

    async def close_database(app: web.Application) -> None:
        bot.close()

    app.on_cleanup.append(close_database)
    host, port = bot.config.server.host, bot.config.server.port
    log.info("serving host=%s port=%d adapters=%s", host, port, ",".join(app[ADAPTERS_KEY]))
    web.run_app(app, host=host, port=port, shutdown_timeout=10, print=None,
                access_log=None, handle_signals=True)
