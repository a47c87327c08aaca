"""Who is typing in the web chat: a self-declared name, and when that is safe to allow."""

from __future__ import annotations

import ipaddress
import unicodedata

from bot.kernel.config import Config, ConfigError

MAX_NAME = 64


def is_loopback(host: str) -> bool:
    """Whether the server only listens on this machine (127.0.0.0/8, ::1 or localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def display_name(name: str) -> str:
    """The name as typed, tidied for showing back: single spaces, printable characters only.

    Any run of whitespace (tab, no-break space, line break...) is one space, and compatibility
    forms (full-width letters, composed and decomposed accents) are folded together (NFKC),
    so what looks like the same name is the same name. The page asks the server for this
    (`/chat/api/info` answers with `user.id` and `user.name`) rather than folding it itself.
    """
    spaced = " ".join(unicodedata.normalize("NFKC", name).split())
    printable = "".join(ch for ch in spaced if ch.isprintable())
    return " ".join(printable.split())[:MAX_NAME]


def normalise_name(name: str) -> str:
    """The user id for a typed name: the display name, case-folded."""
    return " ".join(display_name(name).casefold().split())[:MAX_NAME]


def web_chat_enabled(config: Config) -> bool:
    """On by default on loopback only; refuses `open_admin` on any other address.

    Names typed in the web chat are not checked, so on a reachable address anyone could
    claim to be an organiser: that combination stops the server at start.
    """
    chat = config.webchat
    local = is_loopback(config.server.host)
    if chat.enabled is None:
        return local
    if chat.enabled and not local and chat.open_admin:
        raise ConfigError(
            "webchat.open_admin",
            f"must be set to false when the web chat is enabled on a non-loopback address "
            f"(server.host = {config.server.host!r}): names typed in the web chat are not "
            f"checked, so anyone who can reach the server could act as an organiser",
        )
    return chat.enabled


def is_organiser(config: Config, user_id: str) -> bool:
    """Organiser rights: everyone under `open_admin`, else the names in `[webchat] organisers`."""
    if config.webchat.open_admin:
        return True
    return user_id in {normalise_name(n) for n in config.webchat.organisers}
