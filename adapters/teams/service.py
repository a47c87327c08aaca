"""The Teams adapter proper: botbuilder's CloudAdapter on /api/messages, replies and sends."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import sqlite3
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import quote

import jwt
import requests
from aiohttp import ClientError, web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from botframework.connector.auth import jwt_token_extractor
from msrest.exceptions import ClientRequestError, DeserializationError, HttpOperationError

from adapters.teams import cards
from adapters.teams.settings import TeamsConfig
from bot.kernel import conversations
from bot.kernel.context import APOLOGY, BUSY, Bot
from bot.kernel.core import Busy
from bot.kernel.model import Action, Conversation, Incoming, Mention, Reply, User

log = logging.getLogger("dtlbot.teams")

PLATFORM = "teams"
# A chat with a person by their user principal name (Teams' documented deep link).
CHAT_LINK = "https://teams.microsoft.com/l/chat/0/0?users={upn}"
# The turn being handled, so a contact lookup (Bot.mention_of) can ask about its sender.
CURRENT_TURN: ContextVar[TurnContext | None] = ContextVar("teams_turn", default=None)
MESSAGES_PATH = "/api/messages"
MEDIA_PATH = "/teams/media/{token}"
# Retries for 429 and transient failures: delays double from `base_delay`, capped.
# Kept short: a reply is sent while Teams waits for the answer to its own request.
RETRIES = 4
TRANSIENT = {429, 500, 502, 503, 504}
MAX_DELAY = 10.0
# Stored with each channel's reference, so removing the bot from a team forgets every channel.
TEAM_KEY = "dtlbotTeamId"
MEDIA_KEEP = 200
MEDIA_LIFETIME = timedelta(days=7)
MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


# Fetching Bot Framework signing keys: bounded, and never on the event loop.
KEYS_TIMEOUT = 10.0


async def _refresh_keys_off_the_loop(self: Any) -> None:
    """botbuilder's _OpenIdMetadata._refresh, with its blocking requests.get in a thread."""

    def fetch() -> list[dict[str, Any]]:
        response = requests.get(self.url, timeout=KEYS_TIMEOUT)
        response.raise_for_status()
        keys = requests.get(response.json()["jwks_uri"], timeout=KEYS_TIMEOUT)
        keys.raise_for_status()
        return list(keys.json()["keys"])

    self.keys = await asyncio.to_thread(fetch)
    self.last_updated = datetime.now()


_find_key = jwt_token_extractor._OpenIdMetadata._find


def _find_key_or_none(self: Any, key_id: str | None) -> Any:
    """botbuilder's _find raises IndexError for a kid it does not know: None instead."""
    if not key_id or not any(k.get("kid") == key_id for k in self.keys):
        return None
    return _find_key(self, key_id)


jwt_token_extractor._OpenIdMetadata._refresh = _refresh_keys_off_the_loop
jwt_token_extractor._OpenIdMetadata._find = _find_key_or_none


class SendFailed(RuntimeError):
    """A post to Teams failed after every retry."""


@dataclass
class AuthSettings:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str = field(repr=False)
    APP_TYPE: str
    APP_TENANTID: str


@dataclass
class Media:
    data: bytes
    mime: str
    filename: str
    expires: datetime


@dataclass
class TeamsService:
    """One bot's Teams connection: inbound turns, replies, proactive sends, hosted media."""

    bot: Bot
    config: TeamsConfig
    base_delay: float = 0.5
    media: OrderedDict[str, Media] = field(default_factory=OrderedDict)
    # Member id -> user principal name, looked up once per process when organisers use UPNs.
    principal_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        local = not self.config.app_id
        settings = AuthSettings(
            APP_ID=self.config.app_id,
            APP_PASSWORD=self.config.app_password,
            # Without an app id only MultiTenant leaves authentication off (emulator testing).
            APP_TYPE="MultiTenant" if local else self.config.app_type,
            APP_TENANTID=self.config.tenant_id,
        )
        # Named when the Bot Connector refuses a send with 401 (the type and tenant, no secret).
        self.auth_in_use = f"app_type={settings.APP_TYPE} tenant={settings.APP_TENANTID or '-'}"
        self.adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(settings))
        self.adapter.on_turn_error = self.on_turn_error

    # Inbound

    async def messages(self, request: web.Request) -> web.Response:
        """POST /api/messages: authenticate, then run one turn; bad requests get 400.

        Requests are counted per status by the server's log middleware (route "teams.*").
        """
        if request.content_type != "application/json":
            return bad_request("expected application/json")
        try:
            body = await request.json()
        except ValueError:
            return bad_request("malformed JSON")
        if not isinstance(body, dict):
            return bad_request("expected an activity object")
        try:
            activity = Activity().deserialize(body)
        except (DeserializationError, ValueError, TypeError, AttributeError):
            return bad_request("not a valid activity")
        if not activity.type or not activity.conversation or not activity.service_url:
            return bad_request("activity lacks type, conversation or serviceUrl")
        auth_header = request.headers.get("Authorization", "")
        try:
            invoke = await self.adapter.process_activity(auth_header, activity, self.on_turn)
        except (PermissionError, jwt.PyJWTError):
            return web.json_response({"error": "unauthorized"}, status=401)
        except requests.RequestException as exc:
            log.warning("teams signing keys could not be fetched: %s", type(exc).__name__)
            return web.json_response({"error": "cannot check the sender just now"}, status=503)
        except Exception as exc:
            # The turn's own errors go to on_turn_error: what reaches here is botbuilder
            # refusing a token (an unknown or missing key id, a failed endorsement...).
            log.warning("teams request refused: token not accepted (%s)", type(exc).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=200)

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.message:
            try:
                # Recorded on the core, where the database is used, before any answer.
                first = await self.bot.run(self.first_delivery, activity)
            except Busy:
                await self.reply(context, [Reply(BUSY)], {})
                return
            except sqlite3.Error as exc:
                # Not stored yet (tried again with the next); the answer says if it cannot save.
                log.warning("could not record a teams message id: %s", exc)
                first = True
            if first:
                await self.on_message(context)
        elif activity.type == ActivityTypes.conversation_update:
            await self.on_conversation_update(context)
        elif activity.type == ActivityTypes.installation_update:
            await self.on_installation_update(context)
        elif activity.type == ActivityTypes.invoke:
            # Action.Submit never invokes; answer other invokes so Teams shows no error.
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200))
            )

    def first_delivery(self, activity: Activity) -> bool:
        """False for a message already handled (checked after authentication); the id is
        stored before the message is answered. Uses the database: call it through Bot.run."""
        if not activity.id:
            return True
        # Teams redelivers a message when the bot was slow to acknowledge it; answer each once.
        events = self.bot.events_of(PLATFORM)
        if not events.first_sighting(f"{activity.conversation.id}|{activity.id}"):
            log.info("duplicate delivery ignored conversation=%s",
                     self.bot.log_tag(self.conversation_of(activity)))
            return False
        events.flush()
        return True

    async def on_message(self, context: TurnContext) -> None:
        conversation = self.conversation_of(context.activity)
        user = await self.user_of(context)
        incoming = Incoming(
            user=user,
            conversation=conversation,
            text=self.text_of(context.activity),
            action=action_of(context.activity.value),
        )
        token = CURRENT_TURN.set(context)
        try:
            replies = await self.bot.handle(incoming)
        finally:
            CURRENT_TURN.reset(token)
        submitted = incoming.action.values if incoming.action else {}
        await self.reply(context, replies, submitted)

    async def on_conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        me = activity.recipient.id if activity.recipient else None
        if any(m.id == me for m in activity.members_added or []):
            await self.installed(context)
        elif any(m.id == me for m in activity.members_removed or []):
            await self.removed(activity)

    async def on_installation_update(self, context: TurnContext) -> None:
        action = (context.activity.action or "").lower()
        if action.startswith("add"):
            await self.installed(context)
        elif action.startswith("remove"):
            await self.removed(context.activity)

    async def installed(self, context: TurnContext) -> None:
        """Tell the core; it welcomes once (Teams sends two install events)."""
        conversation = self.conversation_of(context.activity)
        installer = await self.user_of(context) if conversation.is_direct else None
        replies = await self.bot.installed(conversation, installer)
        log.info("installed conversation=%s direct=%s",
                 self.bot.log_tag(conversation), conversation.is_direct)
        if replies:
            await self.reply(context, replies, {})

    async def removed(self, activity: Activity) -> None:
        """Tell the core; removed from a team, every one of that team's channels is gone too."""
        conversation = self.conversation_of(activity)
        gone = {conversation.key: conversation}
        team = conversation.reference.get(TEAM_KEY)
        if team:
            stored = await self.bot.run(conversations.stored, self.bot.db, PLATFORM,
                                        bounded=False)
            gone |= {c.key: c for c in stored if c.reference.get(TEAM_KEY) == team}
        for each in gone.values():
            await self.bot.removed(each)
        log.info("removed conversation=%s forgotten=%d",
                 self.bot.log_tag(conversation), len(gone))

    def conversation_of(self, activity: Activity) -> Conversation:
        """The neutral conversation; a channel thread maps to its channel, where posts go."""
        reference = TurnContext.get_conversation_reference(activity)
        conversation_id = channel_id(activity.conversation.id)
        reference.conversation.id = conversation_id
        # Proactive posts start a new message, and need no one's name or id.
        reference.activity_id = None
        reference.user = None
        stored = reference.serialize()
        team = team_of(activity)
        if team:
            stored[TEAM_KEY] = team
        return Conversation(
            platform=PLATFORM,
            id=conversation_id,
            is_direct=(activity.conversation.conversation_type or "personal") == "personal",
            reference=stored,
            keep_reference=True,
        )

    async def user_of(self, context: TurnContext) -> User:
        sender = context.activity.from_property
        person_id = sender.aad_object_id or sender.id
        organisers = {o.lower() for o in self.config.organisers}
        is_organiser = person_id.lower() in organisers
        if not is_organiser and any("@" in o for o in organisers):
            upn = await self.principal_name(context, sender.id)
            is_organiser = bool(upn) and upn.lower() in organisers
        return User(PLATFORM, person_id, name=sender.name or "", is_organiser=is_organiser)

    async def principal_name(self, context: TurnContext, member_id: str) -> str:
        """The sender's user principal name (Teams does not put it on activities)."""
        if member_id not in self.principal_names:
            try:
                member = await TeamsInfo.get_member(context, member_id)
            except (HttpOperationError, ClientRequestError, ClientError, TypeError) as exc:
                log.warning("could not look up a member's principal name: %s", type(exc).__name__)
                return ""
            self.principal_names[member_id] = member.user_principal_name or ""
        return self.principal_names[member_id]

    async def contact(self, user: User) -> Mention | None:
        """A chat link to the sender of the current turn, by their user principal name
        (looked up only when asked: it is kept only with the person's consent)."""
        context = CURRENT_TURN.get()
        sender = context.activity.from_property if context is not None else None
        if sender is None or (sender.aad_object_id or sender.id) != user.id:
            return None
        upn = await self.principal_name(context, sender.id)
        link = CHAT_LINK.format(upn=quote(upn, safe="@")) if upn else ""
        return Mention(PLATFORM, user.id, user.name, link=link)

    def text_of(self, activity: Activity) -> str:
        """The typed text without the @mention of the bot (channels and group chats)."""
        text = activity.text or ""
        me = activity.recipient.id if activity.recipient else None
        for entity in activity.entities or []:
            props = entity.additional_properties or {}
            mentioned = props.get("mentioned") or {}
            if entity.type == "mention" and mentioned.get("id") == me and props.get("text"):
                text = text.replace(props["text"], " ")
        text = MENTION.sub(" ", text) if me and "<at>" in text.lower() else text
        return " ".join(text.replace("&nbsp;", " ").split())

    # Outbound

    async def reply(self, context: TurnContext, replies: list[Reply],
                    submitted: dict[str, str]) -> None:
        """Answer in the turn's conversation; a send that finally fails is logged, not raised.

        A card posted in a channel or group chat is seen by everyone there, so its form carries
        nobody's values (neither the stored ones nor those just submitted).
        """
        if (context.activity.conversation.conversation_type or "personal") != "personal":
            replies, submitted = shared(replies), {}
        try:
            for activity in self.activities(replies, submitted):
                await self.with_retries(
                    context.activity.conversation.id, lambda a=activity: context.send_activity(a)
                )
        except SendFailed:
            return

    async def send(self, conversation: Conversation, replies: list[Reply]) -> None:
        """Post proactively to a stored conversation (reminders, poll announcements)."""
        if not conversation.reference:
            raise SendFailed(f"no conversation reference stored for {conversation.id}")
        reference = ConversationReference().deserialize(
            {k: v for k, v in conversation.reference.items() if k != TEAM_KEY}
        )
        activities = self.activities(replies if conversation.is_direct else shared(replies), {})

        failures: list[Exception] = []

        async def post(context: TurnContext) -> None:
            # A fresh post, not a reply to the made-up id of the continuation activity.
            context.activity.id = None
            try:
                for activity in activities:
                    await self.with_retries(
                        conversation.id, lambda a=activity: context.send_activity(a)
                    )
            except Exception as exc:  # botbuilder's pipeline would swallow it: re-raised below
                failures.append(exc)

        await self.adapter.continue_conversation(reference, post, bot_app_id=self.config.app_id)
        if failures:
            raise failures[0]

    async def members(self, conversation: Conversation) -> list[User] | None:
        """The people of a channel (its team) or of a chat, bots left out (for `Bot.members`); None
        when Teams will not say (no stored reference, or the roster call failed)."""
        if not conversation.reference:
            return None
        reference = ConversationReference().deserialize(
            {k: v for k, v in conversation.reference.items() if k != TEAM_KEY})
        found: list[Any] = []
        failures: list[Exception] = []

        async def roster(context: TurnContext) -> None:
            # A continuation carries no channel data; botbuilder needs at least an empty one.
            context.activity.channel_data = context.activity.channel_data or {}
            try:
                # A channel's members are its team's (the Bot Connector answers either).
                found.extend(await TeamsInfo.get_members(context))
            except Exception as exc:  # botbuilder's pipeline would swallow it: handled below
                failures.append(exc)

        await self.adapter.continue_conversation(reference, roster, bot_app_id=self.config.app_id)
        if failures:
            log.warning("teams roster failed conversation=%s reason=%s",
                        self.bot.log_tag(conversation), type(failures[0]).__name__)
            return None
        # Bots' ids start "28:"; people have an Entra (AAD) object id, their key here.
        return [User(PLATFORM, m.aad_object_id or m.id, name=m.name or "")
                for m in found if m.id and not m.id.startswith("28:")]

    def activities(self, replies: list[Reply], submitted: dict[str, str]) -> list[Activity]:
        rendered = [a for r in replies for a in cards.render(r, self.host, submitted)]
        for activity in rendered:
            if cards.json_size(activity) > cards.CONTENT_BUDGET:
                # Only a form far bigger than any the bot makes gets here; Teams may refuse it.
                log.warning("teams activity of %d bytes is over the size budget",
                            cards.json_size(activity))
        return [Activity().deserialize(a) for a in rendered]

    async def with_retries(
        self, conversation_id: str, attempt: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Run one send, retrying on 429 and transient errors with backoff (Retry-After wins)."""
        delay = self.base_delay
        for number in range(RETRIES + 1):
            try:
                return await attempt()
            except HttpOperationError as exc:
                status = getattr(exc.response, "status_code", None)
                reason = f"HTTP {status}"
                if status == 401:  # the connector refused the bot's own credentials
                    reason += f" {self.auth_in_use}"
                if status not in TRANSIENT or number == RETRIES:
                    self.failed(conversation_id, reason)
                wait = retry_after(exc.response) if status == 429 else None
            except (TimeoutError, ClientRequestError, ClientError) as exc:
                reason = type(exc).__name__
                if number == RETRIES:
                    self.failed(conversation_id, reason)
                wait = None
            log.info("teams send retry conversation=%s reason=%s", self.tag(conversation_id),
                     reason)
            await asyncio.sleep(min(MAX_DELAY, wait if wait is not None else delay))
            delay *= 2
        return None

    def tag(self, conversation_id: str) -> str:
        """The log tag of a Teams conversation id (a channel thread logs as its channel)."""
        return self.bot.key_tag(f"{PLATFORM}:{channel_id(conversation_id)}")

    def failed(self, conversation_id: str, reason: str) -> NoReturn:
        log.error("teams send failed conversation=%s reason=%s", self.tag(conversation_id),
                  reason)
        raise SendFailed(f"send to {conversation_id} failed: {reason}")

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.error(
            "teams turn failed conversation=%s error=%s",
            self.tag(context.activity.conversation.id) if context.activity.conversation else "-",
            type(error).__name__,
            exc_info=error,
        )
        if context.activity.type == ActivityTypes.message:
            try:
                await context.send_activity(APOLOGY)
            except Exception:  # the apology is best effort: the connector may be what failed
                log.warning("could not send the apology after a failed turn")

    # Hosted media (charts and exports too big to inline), when the bot has a public URL.

    def host(self, data: bytes, mime: str, filename: str) -> str | None:
        if not self.config.public_url:
            return None
        now = self.bot.clock.now()
        for token in [t for t, m in self.media.items() if m.expires <= now]:
            del self.media[token]
        while len(self.media) >= MEDIA_KEEP:
            self.media.popitem(last=False)
        token = secrets.token_urlsafe(24)
        self.media[token] = Media(data, mime, filename, now + MEDIA_LIFETIME)
        return f"{self.config.public_url.rstrip('/')}/teams/media/{token}"

    async def serve_media(self, request: web.Request) -> web.Response:
        item = self.media.get(request.match_info["token"])
        if item is None or item.expires <= self.bot.clock.now():
            return web.json_response({"error": "no such file (links expire)"}, status=404)
        disposition = "inline" if item.mime.startswith("image/") else "attachment"
        return web.Response(
            body=item.data,
            content_type=item.mime,
            headers={"Content-Disposition": f'{disposition}; filename="{item.filename}"'},
        )


def shared(replies: list[Reply]) -> list[Reply]:
    """Replies for a conversation others can read: forms without anyone's values."""
    return [replace(r, form=r.form.blank()) if r.form is not None else r for r in replies]


def bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


def team_of(activity: Activity) -> str:
    """The team a channel activity belongs to (Teams puts it in channelData), or ''."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team") if isinstance(data.get("team"), dict) else {}
    return str(team.get("id") or "")


def channel_id(conversation_id: str) -> str:
    """A channel thread's conversation id ends ';messageid=...'; the channel is the rest."""
    return conversation_id.split(";messageid=", 1)[0]


def action_of(value: Any) -> Action | None:
    """An Action.Submit's data (plus the card's inputs) as a neutral action."""
    if not isinstance(value, dict) or not isinstance(value.get("action"), str):
        return None
    values = {
        key[len(cards.FIELD_PREFIX):]: "" if item is None else str(item)
        for key, item in value.items()
        if key.startswith(cards.FIELD_PREFIX)
    }
    raw = value.get("value")
    return Action(id=value["action"], value="" if raw is None else str(raw), values=values)


def retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except ValueError:
        return None
