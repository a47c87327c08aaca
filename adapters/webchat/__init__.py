"""The embedded web chat adapter: a page at `/`, a JSON API and live events for proactive posts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.webchat import settings, tokens
from adapters.webchat.cli import cli
from adapters.webchat.identity import display_name, normalise_name, web_chat_enabled
from adapters.webchat.outbox import RETENTION_SECONDS
from adapters.webchat.routes import PLATFORM, WEBCHAT_KEY, WebChat, add_routes
from bot.kernel import audit
from bot.kernel.config import Config
from bot.kernel.context import Bot
from bot.kernel.model import Platform, Reply, User
from bot.kernel.registry import PersonalData, Registry, Turn
from bot.kernel.text import plural

UK = ZoneInfo("Europe/London")

__all__ = ["PLATFORM", "WEBCHAT_KEY", "WebChat", "enabled", "register", "setup"]


def register(registry: Registry) -> None:
    """The [webchat] settings, who holds which name, the messages a page has not yet read
    (personal data), and the organisers' `webchat reset NAME`."""
    registry.settings(settings.SECTION)
    registry.cli(lambda group: group.add_command(cli))
    registry.holds_personal_data(NAME_HELD)
    registry.holds_personal_data(WAITING)
    registry.command(
        "webchat reset", organiser=True, usage="webchat reset NAME",
        help="free a web chat name held by another browser, so its owner can use it again",
    )(reset_name)


async def reset_name(turn: Turn) -> list[Reply]:
    """Free a web chat name: its browser's token stops working; the next browser takes it."""
    name = display_name(turn.args)
    user_id = normalise_name(turn.args)
    if not user_id:
        return [Reply("Say which name to free, as it was typed in the web chat: "
                      "`webchat reset NAME`.")]
    bot = turn.bot
    shown = f"`{name}`" if "`" not in name else "that name"
    if not tokens.release(bot, user_id):
        return [Reply(f"No browser holds the web chat name {shown}, so there is nothing to "
                      "free: anyone typing it can use it now.")]
    chat = _running(bot)
    if chat is not None:
        chat.released(user_id)
    audit.record(bot, turn.user, "webchat reset")
    return [Reply(
        f"Freed the web chat name {shown}: the browser that held it can no longer use it. "
        "The next browser to send a message with this name takes it, with what the bot holds "
        "under it (ballot, questions); if that is a different person, they can say "
        "`forget me` to start afresh."
    )]


def enabled(config: Config) -> bool:
    """On by default when the server listens on loopback; see identity.web_chat_enabled."""
    return web_chat_enabled(config)


def setup(app: web.Application, bot: Bot) -> None:
    """Add the page, the API and the event stream; post proactive replies to open pages."""
    chat = WebChat.for_bot(bot)
    app[WEBCHAT_KEY] = chat
    add_routes(app)
    bot.attach(PLATFORM, chat.send, chat, info=Platform("the web chat"))

    async def close_streams(app: web.Application) -> None:
        # Open event streams would otherwise hold the shutdown until its timeout.
        chat.closing = True
        chat.outbox.wake_all()

    app.on_shutdown.append(close_streams)


def _running(bot: Bot) -> WebChat | None:
    chat = bot.adapters.get(PLATFORM)
    return chat if isinstance(chat, WebChat) else None


def _describe(bot: Bot, user: User) -> list[str]:
    chat = _running(bot)
    if user.platform != PLATFORM or chat is None:
        return []
    waiting = chat.outbox.count(normalise_name(user.id), chat.now())
    if not waiting:
        return []
    return [f"{plural(waiting, 'message')} the bot sent to your web chat page on its own "
            "(reminders, announcements), kept so that a page opened later still shows them"]


def _forget(bot: Bot, user: User) -> str:
    chat = _running(bot)
    if user.platform != PLATFORM or chat is None:
        return "No web chat messages were waiting for you."
    dropped = chat.outbox.drop(normalise_name(user.id))
    waited = "was" if dropped == 1 else "were"
    return f"Deleted {plural(dropped, 'web chat message')} that {waited} waiting for you."


def _describe_name(bot: Bot, user: User) -> list[str]:
    if user.platform != PLATFORM:
        return []
    since = tokens.claimed_at(bot, user.id)
    if since is None:
        return []
    day = datetime.fromisoformat(since).astimezone(UK)
    return [f"that one browser holds your web chat name, since {day.day} {day:%B %Y} "
            "(only a fingerprint of that browser's secret key is kept, not the key)"]


def _forget_name(bot: Bot, user: User) -> str:
    if user.platform != PLATFORM or not tokens.release(bot, user.id):
        return "No browser held your web chat name."
    chat = _running(bot)
    if chat is not None:
        chat.released(user.id)
    return "Freed your web chat name: the next browser to use it takes it."


NAME_HELD = PersonalData(
    name="web chat name",
    retention="until you use `forget me` or a forum organiser frees the name",
    describe=_describe_name,
    forget=_forget_name,
    tables=(tokens.TABLE,),
    summary="that a browser holds your web chat name: a fingerprint (hash) of the secret key "
            "that browser was given, and the day it first used the name; no name is stored",
)


WAITING = PersonalData(
    name="web chat messages waiting",
    retention=f"in memory only, until your page reads them or for at most "
              f"{RETENTION_SECONDS // 3600} hours",
    describe=_describe,
    forget=_forget,
)
