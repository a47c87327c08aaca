"""The web chat's HTTP side: the page, the JSON API and the live event stream."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.webchat import tokens
from adapters.webchat.identity import (
    MAX_NAME,
    display_name,
    is_organiser,
    normalise_name,
)
from adapters.webchat.outbox import Outbox
from adapters.webchat.ratelimit import TokenBuckets, retry_after_seconds
from adapters.webchat.tokens import MAX_TOKEN, Claim
from bot.kernel import conversations
from bot.kernel.config import Config
from bot.kernel.context import Bot
from bot.kernel.core import Busy
from bot.kernel.markup import with_mentions
from bot.kernel.model import Action, Conversation, Incoming, Reply, User

log = logging.getLogger("dtlbot.webchat")

PLATFORM = "webchat"
STATIC = Path(__file__).resolve().parent / "static"
# A chat message is small: anything bigger than this is not a person typing.
MAX_BODY = 16 * 1024
MAX_TEXT = 2000
MAX_ACTION_ID = 200
MAX_VALUES = 50
MAX_STREAMS_PER_PERSON = 5
MAX_STREAMS_PER_ADDRESS = 20
MAX_STREAMS = 1000
# `/chat/api/info` per address: a page asks once when it opens and once per name typed.
INFO_PER_MINUTE = 120
INFO_BURST = 60
TOKEN_HEADER = "X-Chat-Token"
KEEPALIVE_SECONDS = 15.0
# An event stream whose check of its token was refused as busy tries again after this long.
BUSY_RETRY_SECONDS = 1.0

# The page loads nothing from elsewhere and runs no inline script.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class BadMessage(ValueError):
    """A chat API request that is valid JSON but not a message; the text says what is wrong."""


@dataclass
class WebChat:
    """The web chat's state in this process: waiting messages and rate-limit buckets."""

    bot: Bot
    people: TokenBuckets
    addresses: TokenBuckets
    lookups: TokenBuckets = field(
        default_factory=lambda: TokenBuckets(INFO_PER_MINUTE, INFO_BURST))
    outbox: Outbox = field(default_factory=Outbox)
    monotonic: Callable[[], float] = time.monotonic
    closing: bool = False
    open_streams: int = 0
    streams_by_address: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_bot(cls, bot: Bot) -> WebChat:
        chat = bot.config.webchat
        return cls(
            bot=bot,
            people=TokenBuckets(chat.rate_per_minute, chat.burst),
            addresses=TokenBuckets(chat.address_rate_per_minute, chat.address_rate_per_minute),
        )

    def now(self) -> float:
        return self.bot.clock.now().timestamp()

    def audience(self) -> list[User]:
        """Everyone who has used the web chat (see `Bot.audiences`)."""
        return [User(PLATFORM, c.id, name=c.id)
                for c in conversations.stored(self.bot.db, PLATFORM) if c.is_direct]

    async def send(self, conversation: Conversation, replies: list[Reply]) -> None:
        """Queue proactive replies for this person's page (delivered live if it is open)."""
        key = normalise_name(conversation.id)
        self.outbox.put(key, [as_json(r) for r in replies], self.now())
        log.info(
            "proactive platform=%s conversation=%s replies=%d open_pages=%d",
            PLATFORM, self.bot.log_tag(conversation), len(replies), self.outbox.streams(key),
        )


    def released(self, user_id: str) -> None:
        """A name was reset or forgotten: drop what waits for it and end its open streams."""
        self.outbox.drop(user_id)
        # Called by handlers on the bot's core thread; the streams wait on the server's loop.
        self.bot.call_on_server(self.outbox.wake, user_id)


WEBCHAT_KEY: web.AppKey[WebChat] = web.AppKey("webchat")


def in_use_message(name: str) -> str:
    """Plain text (the page shows it as it is): what to do when a name is held elsewhere."""
    return (
        f"The name \u201c{name}\u201d is in use in another browser. Use that browser, choose "
        f"another name, or ask a forum organiser to free it: they type "
        f"\u201cwebchat reset {name}\u201d."
    )


def error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


def too_many(wait: float) -> web.Response:
    seconds = retry_after_seconds(wait)
    response = error(
        429,
        f"Too many messages at once: please wait {seconds} second"
        f"{'' if seconds == 1 else 's'} and try again.",
        retry_after=seconds,
    )
    response.headers["Retry-After"] = str(seconds)
    return response


async def read_json(request: web.Request, limit: int) -> Any:
    """The request body as JSON, refusing more than `limit` bytes (413) before reading it all."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    body = bytearray()
    while chunk := await request.content.read(65536):
        body.extend(chunk)
        if len(body) > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))
    return json.loads(bytes(body))


def _string(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BadMessage(f'"{what}" must be a string')
    if len(value) > limit:
        raise BadMessage(f'"{what}" must be at most {limit} characters')
    return value


def parse_user(config: Config, raw: Any) -> User:
    if not isinstance(raw, dict):
        raise BadMessage('"user" must be an object such as {"id": "dana", "name": "Dana"}')
    typed = raw.get("id") or raw.get("name")
    typed = _string(typed, "user.id", MAX_NAME) if typed is not None else ""
    user_id = normalise_name(typed)
    if not user_id:
        raise BadMessage('"user.id" (or "user.name") must be a non-empty name')
    name = raw.get("name") or typed
    name = display_name(_string(name, "user.name", MAX_NAME))
    return User(PLATFORM, user_id, name=name, is_organiser=is_organiser(config, user_id))


def parse_token(raw: Any) -> str | None:
    """The `user.token` of a message body (None when absent or empty)."""
    token = raw.get("token") if isinstance(raw, dict) else None
    if token is None or token == "":
        return None
    return _string(token, "user.token", MAX_TOKEN)


def request_token(request: web.Request) -> str | None:
    """The token of a GET request: `&token=...` or the X-Chat-Token header."""
    token = request.headers.get(TOKEN_HEADER) or request.query.get("token") or ""
    return token[:MAX_TOKEN] or None


def parse_action(raw: Any) -> Action:
    if not isinstance(raw, dict):
        raise BadMessage('"action" must be an object such as {"id": "topic", "value": "forum"}')
    action_id = _string(raw.get("id"), "action.id", MAX_ACTION_ID)
    if not action_id:
        raise BadMessage('"action.id" must not be empty')
    value = _string(raw.get("value", ""), "action.value", MAX_TEXT)
    values = raw.get("values", {})
    if not isinstance(values, dict) or len(values) > MAX_VALUES:
        raise BadMessage(f'"action.values" must be an object of at most {MAX_VALUES} strings')
    checked = {}
    for key, item in values.items():
        checked[key] = _string(item, f"action.values.{key}", MAX_TEXT)
    return Action(action_id, value=value, values=checked)


def parse_message(config: Config, body: Any) -> Incoming:
    """A chat API request body as the core's Incoming; BadMessage says what is wrong."""
    if not isinstance(body, dict):
        raise BadMessage('expected a JSON object with "user" and "text" (or "action")')
    user = parse_user(config, body.get("user"))
    # Kept (with its person), so that announcements reach everyone who has used the web chat.
    conversation = Conversation(PLATFORM, user.id, is_direct=True, keep_reference=True)
    if body.get("action") is not None:
        return Incoming(user, conversation, action=parse_action(body["action"]))
    if "text" not in body:
        raise BadMessage('send "text" (what the person typed) or "action" (a button or form)')
    return Incoming(user, conversation, text=_string(body["text"], "text", MAX_TEXT))


async def post_message(request: web.Request) -> web.Response:
    chat = request.app[WEBCHAT_KEY]
    address = request.remote or "unknown"
    now = chat.monotonic()
    wait = chat.addresses.take(address, now)
    if wait:
        return too_many(wait)
    try:
        body = await read_json(request, MAX_BODY)
        incoming = parse_message(chat.bot.config, body)
        token = parse_token(body.get("user"))
    except BadMessage as exc:
        return error(400, str(exc))
    user = incoming.user
    bot = chat.bot
    # The database is used on the bot's core thread (Bot.run), never on this loop.
    held = await bot.run(tokens.check, bot, user.id, token)
    if held is Claim.TAKEN:
        return error(403, in_use_message(user.name or user.id), reason="name_in_use")
    wait = chat.people.take(f"{address} {user.id}", now)
    if wait:
        return too_many(wait)
    answer: dict[str, Any] = {}
    if held is Claim.FREE:
        token = await bot.run(tokens.claim, bot, user.id)
        if token is None:  # another client took the name a moment ago
            return error(403, in_use_message(user.name or user.id), reason="name_in_use")
        answer["token"] = token
    replies = await bot.handle(incoming)
    answer["replies"] = [as_json(r) for r in replies]
    if await bot.run(tokens.check, bot, user.id, token) is not Claim.YOURS:
        # `forget me` (or an organiser's reset) freed the name while answering: the page
        # drops its token and what it kept for this name.
        answer["released"] = True
    return web.json_response(answer)


async def info(request: web.Request) -> web.Response:
    """What the page needs to start: the demo-mode flag, the name as the server folds it,
    whether it is held by another client, whether it organises (to its holder only), a welcome.
    """
    chat = request.app[WEBCHAT_KEY]
    wait = chat.lookups.take(request.remote or "unknown", chat.monotonic())
    if wait:
        return too_many(wait)
    config = chat.bot.config
    typed = request.query.get("user", "")[:4 * MAX_NAME]
    user_id = normalise_name(typed)
    held = (await chat.bot.run(tokens.check, chat.bot, user_id, request_token(request))
            if user_id else Claim.FREE)
    # The page shows the introduction, so the person counts as introduced from here on
    # (not when the name belongs to someone else).
    user = User(PLATFORM, user_id) if user_id and held is not Claim.TAKEN else None
    conversation = Conversation(PLATFORM, user_id or "-", is_direct=True)
    (welcome, *notes) = await chat.bot.introduction(user, conversation)
    answer: dict[str, Any] = {
        "platform": PLATFORM,
        "open_admin": config.webchat.open_admin,
        "organiser": held is Claim.YOURS and is_organiser(config, user_id),
        "welcome": welcome.to_json(),
        # What features add to the introduction (e.g. a poll open now), shown after it.
        "notes": [note.to_json() for note in notes],
        "max_text": MAX_TEXT,
        "max_name": MAX_NAME,
    }
    if user_id:
        answer["user"] = {"id": user_id, "name": display_name(typed)}
        answer["name_in_use"] = held is Claim.TAKEN
        if held is Claim.TAKEN:
            answer["in_use_message"] = in_use_message(display_name(typed))
    return web.json_response(answer)


def _claimed_since(bot: Bot, user_id: str) -> float:
    claimed = tokens.claimed_at(bot, user_id)
    return datetime.fromisoformat(claimed).timestamp() if claimed else 0.0


def _last_seen(request: web.Request) -> int:
    for raw in (request.headers.get("Last-Event-ID", ""), request.query.get("after", "")):
        if raw.strip().isdecimal() and len(raw.strip()) < 19:
            return int(raw.strip())
    return 0


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: the bot's own messages to this person, as they are sent."""
    chat = request.app[WEBCHAT_KEY]
    address = request.remote or "unknown"
    typed = request.query.get("user", "")[:4 * MAX_NAME]
    user_id = normalise_name(typed)
    if not user_id:
        return error(400, 'the "user" query parameter (your name) is required')
    token = request_token(request)
    held = await chat.bot.run(tokens.check, chat.bot, user_id, token)
    if held is Claim.TAKEN:
        return error(403, in_use_message(display_name(typed)), reason="name_in_use")
    if held is Claim.FREE:
        return error(403, "Send a message first: its answer carries the token that opens "
                     "this stream (as &token= or the X-Chat-Token header).",
                     reason="token_required")
    if chat.closing:
        return error(503, "the server is shutting down")
    if chat.outbox.streams(user_id) >= MAX_STREAMS_PER_PERSON:
        return error(429, f"at most {MAX_STREAMS_PER_PERSON} open chat pages per name")
    if chat.streams_by_address.get(address, 0) >= MAX_STREAMS_PER_ADDRESS:
        return error(429, f"at most {MAX_STREAMS_PER_ADDRESS} open chat pages per address")
    if chat.open_streams >= MAX_STREAMS:
        return error(503, "too many open chat pages; try again later")
    last = _last_seen(request)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
    })
    # Only what was sent since this token took the name: not what waited for an earlier holder.
    since = await chat.bot.run(_claimed_since, chat.bot, user_id)
    wake = asyncio.Event()
    chat.outbox.listen(user_id, wake)
    chat.open_streams += 1
    chat.streams_by_address[address] = chat.streams_by_address.get(address, 0) + 1
    try:
        await response.prepare(request)
        await response.write(b"retry: 3000\n\n")
        while not chat.closing:
            wake.clear()
            try:
                held = await chat.bot.run(tokens.check, chat.bot, user_id, token)
            except Busy:  # nothing is sent until the token is checked again
                await asyncio.sleep(BUSY_RETRY_SECONDS)
                continue
            if held is not Claim.YOURS:
                break  # the name was reset or forgotten: this token no longer opens it
            for posted in chat.outbox.after(user_id, last, chat.now()):
                if posted.at < since:
                    continue
                data = json.dumps({"id": posted.id, "replies": posted.replies})
                await response.write(f"id: {posted.id}\ndata: {data}\n\n".encode())
                last = posted.id
            try:
                await asyncio.wait_for(wake.wait(), KEEPALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
    except ConnectionError:
        pass  # the page was closed
    finally:
        chat.outbox.unlisten(user_id, wake)
        chat.open_streams -= 1
        left = chat.streams_by_address.get(address, 1) - 1
        if left > 0:
            chat.streams_by_address[address] = left
        else:
            chat.streams_by_address.pop(address, None)
    return response


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", index, name="webchat.page")
    app.router.add_post("/chat/api/messages", post_message, name="webchat.messages")
    app.router.add_get("/chat/api/info", info, name="webchat.info")
    app.router.add_get("/chat/api/events", events, name="webchat.events")
    app.router.add_static("/chat/static", STATIC, name="webchat.static")


def as_json(reply: Reply) -> dict[str, Any]:
    """A reply for the page: people it names shown by name (with a chat link if they have one)."""
    return with_mentions(reply, PLATFORM).to_json()
