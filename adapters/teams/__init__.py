"""Microsoft Teams: every botbuilder import lives in this package (see the README)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.teams.commands import cli
from bot.config import Config

if TYPE_CHECKING:
    from bot.core import Bot

log = logging.getLogger("dtlbot.teams")

SERVICE_KEY = web.AppKey("teams", object)
__all__ = ["SERVICE_KEY", "cli", "enabled", "setup"]


def enabled(config: Config) -> bool:
    return config.teams.enabled


def setup(app: web.Application, bot: Bot) -> None:
    """Route /api/messages to botbuilder and register the proactive sender."""
    from adapters.teams.service import MEDIA_PATH, MESSAGES_PATH, TeamsService

    if not bot.config.teams.app_id:
        log.warning(
            "Teams authentication is OFF: [teams] app_id is empty, so anyone who can reach "
            "%s can talk as anyone. Use this only with the Bot Framework Emulator.",
            MESSAGES_PATH,
        )
    service = TeamsService(bot, bot.config.teams)
    app[SERVICE_KEY] = service
    app.router.add_post(MESSAGES_PATH, service.messages)
    app.router.add_get(MEDIA_PATH, service.serve_media)
    bot.senders["teams"] = service.send
