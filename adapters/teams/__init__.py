"""Microsoft Teams: every botbuilder import lives in this package (see the README)."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.teams import settings
from adapters.teams.commands import cli
from adapters.teams.settings import TeamsConfig
from bot.kernel.config import Config, ConfigError
from bot.kernel.model import Platform
from bot.kernel.registry import Registry

if TYPE_CHECKING:
    from adapters.teams.service import TeamsService
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.teams")

SERVICE_KEY: web.AppKey[TeamsService] = web.AppKey("teams")
PLATFORM_INFO = Platform(
    "Teams",
    reach="a link that opens a Teams chat with you; it contains your sign-in address, which I "
          "ask Teams for only when you agree",
    # A file reply is shown as its text or a link (the adapter hosts what fits in no card).
    takes_files=False,
)
__all__ = ["SERVICE_KEY", "check_credentials", "check_emulator_mode", "enabled", "register",
           "setup"]


def register(registry: Registry) -> None:
    """The [teams] settings and `dtlbot teams ...`."""
    registry.settings(settings.SECTION)
    registry.cli(lambda group: group.add_command(cli))


def enabled(config: Config) -> bool:
    return config.teams.enabled


def check_credentials(teams: TeamsConfig) -> None:
    """With an app id, what botbuilder needs to sign its replies (named, before any request)."""
    if not teams.app_id:
        return
    if teams.app_type != "MultiTenant" and not teams.tenant_id:
        raise ConfigError("teams.tenant_id", f"is needed when app_type is {teams.app_type} "
                          "(or set MICROSOFT_APP_TENANT_ID)")
    if teams.app_type != "UserAssignedMSI" and not teams.app_password:
        raise ConfigError("teams.app_password", "is needed with an app_id: set "
                          "MICROSOFT_APP_PASSWORD (keep it out of the config file)")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_emulator_mode(config: Config) -> None:
    """Without an app id authentication is off: allowed only on loopback, never behind https."""
    if config.teams.app_id:
        return
    if not is_loopback(config.server.host):
        raise ConfigError("teams.app_id", f"is empty, which turns Teams authentication off; "
                          f"that is allowed only when server.host is loopback (it is "
                          f"{config.server.host}): set MICROSOFT_APP_ID")
    for key in ("server.public_url", "teams.public_url"):
        section, name = key.split(".")
        if getattr(getattr(config, section), name).lower().startswith("https://"):
            raise ConfigError("teams.app_id", f"is empty, which turns Teams authentication "
                              f"off; that is not allowed with an https {key}: "
                              "set MICROSOFT_APP_ID")


def setup(app: web.Application, bot: Bot) -> None:
    """Route /api/messages to botbuilder and register the proactive sender."""
    from adapters.teams.service import MEDIA_PATH, MESSAGES_PATH, TeamsService

    check_credentials(bot.config.teams)
    check_emulator_mode(bot.config)
    if not bot.config.teams.app_id:
        bot.notices["teams_authentication"] = "off (emulator mode: loopback only)"
        log.warning(
            "Teams authentication is OFF: [teams] app_id is empty, so anyone who can reach "
            "%s can talk as anyone. Use this only with the Bot Framework Emulator.",
            MESSAGES_PATH,
        )
    service = TeamsService(bot, bot.config.teams)
    app[SERVICE_KEY] = service
    app.router.add_post(MESSAGES_PATH, service.messages, name="teams.messages")
    app.router.add_get(MEDIA_PATH, service.serve_media, name="teams.media")
    bot.attach("teams", service.send, service, info=PLATFORM_INFO, contact=service.contact)
