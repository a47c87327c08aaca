"""The Teams app package: manifest.json and two icons, zipped for upload to Teams."""

from __future__ import annotations

import io
import json
import re
import zipfile
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any
from urllib.parse import urlsplit

from adapters.teams.icons import color_icon, outline_icon
from adapters.teams.settings import TeamsConfig
from bot.kernel.config import ConfigError
from bot.kernel.markup import to_plain
from bot.kernel.registry import Command

MANIFEST_VERSION = "1.17"
SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/"
    f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
SCOPES = ["personal", "team", "groupChat"]
# The manifest schema allows ten commands a list, titles of 32 and descriptions of 128 chars.
MAX_COMMANDS = 10
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
SHORT_DESCRIPTION = "Answers DTLs' questions and keeps the DTL forum's meetings and polls."
FULL_DESCRIPTION = (
    "The DTL Forum Bot is for Digital and Transformation Leads in NHS primary care networks. "
    "Ask it questions in your own words about the DFPC toolkit, the DTL role and the DTL "
    "forum; it answers from curated content and names its source, and says so when it does "
    "not know. It also posts reminders of the forum's meetings and runs the forum's priority "
    "polls. Type help to see everything it can do."
)


def app_version() -> str:
    try:
        return package_version("dtlbot")
    except PackageNotFoundError:
        return "0.1.0"


# The commands people most need first, when there are more than Teams' ten.
PROMPT_ORDER = ("help", "next meeting", "meetings", "toolkit", "glossary", "my ballot",
                "my data", "privacy", "forget me", "rank")


def command_list(commands: list[Command]) -> list[dict[str, str]]:
    """Everyone's commands (most needed first), as Teams offers them as compose-box prompts."""

    def order(command: Command) -> tuple[int, str]:
        if command.phrase in PROMPT_ORDER:
            return PROMPT_ORDER.index(command.phrase), command.phrase
        return len(PROMPT_ORDER), command.phrase

    public = sorted((c for c in commands if not c.organiser), key=order)
    return [
        {"title": c.phrase[:32], "description": to_plain(c.help[:1].upper() + c.help[1:])[:128]}
        for c in public[:MAX_COMMANDS]
    ]


def check_ready(config: TeamsConfig) -> None:
    """The settings a package cannot do without, each named with what to set."""
    if not config.app_id:
        raise ConfigError("teams.app_id", "is needed for the package: the Microsoft App ID of "
                          "your Azure Bot (or set MICROSOFT_APP_ID)")
    if not GUID.match(config.app_id):
        raise ConfigError("teams.app_id", "must be the Azure Bot's Microsoft App ID, a GUID "
                          "such as 00000000-0000-0000-0000-000000000000")
    if not config.public_url:
        raise ConfigError("teams.public_url", "is needed for the package: the https address "
                          "the bot is reached at, e.g. https://dtlbot.example.nhs.uk")
    if not config.website_url:
        raise ConfigError("teams.website_url", "is needed for the package: an https page "
                          "about the bot or your organisation (Teams shows it)")


def build_manifest(config: TeamsConfig, commands: list[Command], version: str) -> dict[str, Any]:
    check_ready(config)
    if not SEMVER.match(version):
        raise ConfigError("--app-version", "must look like 1.2.3")
    domain = urlsplit(config.public_url).hostname or ""
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": config.app_id,
        "developer": {
            "name": config.developer_name or "DTL Forum",
            "websiteUrl": config.website_url,
            "privacyUrl": config.privacy_url or config.website_url,
            "termsOfUseUrl": config.terms_url or config.website_url,
        },
        "name": {"short": "DTL Forum Bot", "full": "DTL Forum Bot"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#005EB8",
        "bots": [
            {
                "botId": config.app_id,
                "scopes": SCOPES,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": SCOPES, "commands": command_list(commands)}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain] if domain else [],
    }


def build_package(config: TeamsConfig, commands: list[Command], version: str) -> bytes:
    """The zip Teams (or the Teams admin centre) accepts: manifest and icons at its root."""
    manifest = build_manifest(config, commands, version)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()
