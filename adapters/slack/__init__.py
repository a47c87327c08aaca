"""Slack: HTTP events at /slack/events and Socket Mode, through slack-bolt's AsyncApp."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from adapters.slack.cli import cli
from bot.config import Config

if TYPE_CHECKING:
    from bot.core import Bot

EVENTS_PATH = "/slack/events"
# The running SlackAdapter, for tests and tools.
ADAPTER_KEY: web.AppKey[object] = web.AppKey("slack_adapter", object)
SOCKET_KEY: web.AppKey[object] = web.AppKey("slack_socket", object)
__all__ = ["ADAPTER_KEY", "EVENTS_PATH", "SOCKET_KEY", "cli", "enabled", "setup"]


def enabled(config: Config) -> bool:
    """On when a bot token and a way to receive events (signing secret or app token) are set."""
    slack = config.slack
    return bool(slack.bot_token and (slack.signing_secret or slack.app_token))


def setup(app: web.Application, bot: Bot) -> None:
    """Mount /slack/events (HTTP mode), start Socket Mode if configured, register the sender."""
    # Imported here so that commands not serving Slack do not load slack-bolt.
    from adapters.slack import store
    from adapters.slack.adapter import SlackAdapter, web_client
    from adapters.slack.transport import SocketConnection, events_handler

    adapter = SlackAdapter(bot, bot.config.slack, web_client(bot.config.slack))
    app[ADAPTER_KEY] = adapter
    bot.senders["slack"] = adapter.send
    # One pruning task, for the adapter of the newest app (tests build several).
    bot.router.tasks[:] = [t for t in bot.router.tasks if t.name != store.PRUNE_TASK_NAME]
    bot.router.task(store.prune_task(adapter.events))

    async def start(app: web.Application) -> None:
        await adapter.start()

    # Stopped on shutdown, not at cleanup: aiohttp waits for running tasks before cleanup.
    async def stop(app: web.Application) -> None:
        await adapter.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    if bot.config.slack.signing_secret:
        app.router.add_post(EVENTS_PATH, events_handler(adapter), name="slack.events")
    if bot.config.slack.app_token:
        connection = SocketConnection(adapter)
        app[SOCKET_KEY] = connection
        app.on_startup.append(connection.start)
        # Closed before the workers stop, so no new events arrive while they finish.
        app.on_shutdown.insert(0, connection.stop)
