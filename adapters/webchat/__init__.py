"""The embedded web chat adapter: a page at `/`, a JSON API and live events for proactive posts."""

from __future__ import annotations

from aiohttp import web

from adapters.webchat import settings
from adapters.webchat.identity import normalise_name, web_chat_enabled
from adapters.webchat.outbox import RETENTION_SECONDS
from adapters.webchat.routes import PLATFORM, WEBCHAT_KEY, WebChat, add_routes
from bot.kernel.config import Config
from bot.kernel.context import Bot
from bot.kernel.model import Platform, User
from bot.kernel.registry import PersonalData, Registry

__all__ = ["PLATFORM", "WEBCHAT_KEY", "WebChat", "enabled", "register", "setup"]


def register(registry: Registry) -> None:
    """The [webchat] settings, and the messages a page has not yet read (personal data)."""
    registry.settings(settings.SECTION)
    registry.holds_personal_data(WAITING)


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
    return [f"{waiting} message(s) the bot sent to your web chat page on its own (reminders, "
            "announcements), kept so that a page opened later still shows them"]


def _forget(bot: Bot, user: User) -> str:
    chat = _running(bot)
    if user.platform != PLATFORM or chat is None:
        return "No web chat messages were waiting for you."
    dropped = chat.outbox.drop(normalise_name(user.id))
    return f"Deleted {dropped} web chat message(s) that were waiting for you."


WAITING = PersonalData(
    name="web chat messages waiting",
    retention=f"in memory only, until your page reads them or for at most "
              f"{RETENTION_SECONDS // 3600} hours",
    describe=_describe,
    forget=_forget,
)
