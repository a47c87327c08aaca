"""The Slack app manifest, with the deployer's public URL (or Socket Mode) filled in."""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from urllib.parse import urlparse

import yaml

PLACEHOLDER = "https://YOUR-BOT-HOST"
EVENTS_PATH = "/slack/events"


def load_manifest() -> dict[str, Any]:
    """The manifest as shipped (with the placeholder URL)."""
    return yaml.safe_load(files("adapters.slack").joinpath("manifest.yaml").read_text("utf-8"))


def check_url(url: str) -> str:
    """The base URL without a trailing slash; ValueError unless it is an https:// URL."""
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc:
        raise ValueError("Slack only sends events to https:// URLs, e.g. https://bot.example.org")
    return url.rstrip("/")


def render_manifest(url: str | None, socket_mode: bool = False) -> str:
    """The manifest as YAML: request URLs pointing at `url`, or Socket Mode with no URLs."""
    manifest = load_manifest()
    settings = manifest["settings"]
    command = manifest["features"]["slash_commands"][0]
    if socket_mode:
        settings["socket_mode_enabled"] = True
        del settings["event_subscriptions"]["request_url"]
        del settings["interactivity"]["request_url"]
        del command["url"]
    else:
        if url is None:
            raise ValueError("give the bot's public https:// URL (--url), or use --socket-mode")
        endpoint = check_url(url) + EVENTS_PATH
        settings["event_subscriptions"]["request_url"] = endpoint
        settings["interactivity"]["request_url"] = endpoint
        command["url"] = endpoint
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
