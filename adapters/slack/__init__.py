"""Slack: HTTP events at /slack/events and Socket Mode, through slack-bolt's AsyncApp."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from adapters.slack import settings
from adapters.slack.cli import cli
from bot.kernel.config import Config
from bot.kernel.model import Platform
from bot.kernel.registry import Registry

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter
    from adapters.slack.transport import SocketConnection
    from bot.kernel.context import Bot

EVENTS_PATH = "/slack/events"
# The running SlackAdapter, for tests and tools.
ADAPTER_KEY: web.AppKey[SlackAdapter] = web.AppKey("slack_adapter")
SOCKET_KEY: web.AppKey[SocketConnection] = web.AppKey("slack_socket")
PLATFORM_INFO = Platform(
    "Slack",
    reach="a Slack mention of you, which opens a direct message with you",
    # A Slack DM has no surface of its own for the introduction.
    introduce_on_first_message=True,
)
__all__ = ["ADAPTER_KEY", "EVENTS_PATH", "SOCKET_KEY", "enabled", "register", "setup"]


def register(registry: Registry) -> None:
    """The [slack] settings and `dtlbot slack ...`."""
    registry.settings(settings.SECTION)
    registry.cli(lambda group: group.add_command(cli))


def enabled(config: Config) -> bool:
    """On when a bot token and a way to receive events (signing secret or app token) are set."""
    slack = config.slack
    return bool(slack.bot_token and (slack.signing_secret or slack.app_token))


def setup(app: web.Application, bot: Bot) -> None:
    """Mount /slack/events (HTTP mode), start Socket Mode if configured, register the sender."""
    # Imported here so that commands not serving Slack do not load slack-bolt.
    from adapters.slack.adapter import SlackAdapter
    from adapters.slack.posting import web_client
    from adapters.slack.transport import SocketConnection, events_handler

    adapter = SlackAdapter(bot, bot.config.slack, web_client(bot.config.slack))
    app[ADAPTER_KEY] = adapter
    bot.attach("slack", adapter.send, adapter, info=PLATFORM_INFO, contact=adapter.contact)

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
