"""The Slack adapter: slack-bolt listeners that turn Slack events into neutral messages."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as kit
from adapters.slack.posting import PLATFORM, DeliveryError, SlackPoster, Target, reason_of
from adapters.slack.settings import SlackConfig
from adapters.slack.workers import AnswerWorkers
from bot.kernel.context import Bot
from bot.kernel.model import Action, Button, Conversation, Form, Incoming, Mention, Reply, User
from bot.kernel.seen import FLUSH_SECONDS, EventLog

log = logging.getLogger("dtlbot.slack")

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Ordinary messages a person typed; edits, joins, bot posts and the like are not questions.
ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")
# Sections of the Home tab: (title, command whose reply fills it), shown when the command exists.
HOME_SECTIONS = (("Next meeting", "next meeting"), ("Open poll", "my ballot"))
NAME_CACHE_MAX = 500
# At most this many members of a channel are counted for a poll's participation.
MEMBERS_MAX = 5000
# Beyond this many members not seen before, the user list is read instead of users.info each.
USERS_INFO_MAX = 20
# Forms posted in messages, kept (newest only, in memory) for their "Open" button.
FORM_ACTION = "slack-open-form"
FORMS_KEPT = 1000
SHUTDOWN_GRACE_SECONDS = 10
# A modal's submission is acknowledged with its answer if that comes within this long (from
# when the request arrived), else at once (Slack waits 3 s).
SUBMISSION_ACK_SECONDS = 2.0


class _QuietTokenWarning(logging.Filter):
    """slack-bolt warns that SLACK_BOT_TOKEN is unused when given a client: it is not."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def bolt_logger() -> logging.Logger:
    logger = logging.getLogger("dtlbot.slack.bolt")
    if not any(isinstance(f, _QuietTokenWarning) for f in logger.filters):
        logger.addFilter(_QuietTokenWarning())
    return logger


def from_a_bot(event: dict[str, Any]) -> bool:
    """Bots' posts (ours included) and non-typed messages are never answered: no loops."""
    return (
        bool(event.get("bot_id"))
        or "bot_profile" in event
        or event.get("subtype") not in ANSWERED_SUBTYPES
    )


def strip_mentions(text: str) -> str:
    return " ".join(MENTION.sub(" ", text or "").split())


class OncePerEvent(AsyncMiddleware):
    """Slack retries events it thinks were not acknowledged: answer each event id once."""

    def __init__(self, events: EventLog):
        self.events = events

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Any  # noqa: A002
    ) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id")
        retried = (
            body.get("type") == "event_callback"
            and event_id
            and not self.events.first_sighting(str(event_id))
        )
        if retried:
            log.info("slack event already handled event_id=%s", event_id)
            return BoltResponse(status=200, body="")
        return await next()


class SlackReachable(AsyncMiddleware):
    """Before bolt's own first auth.test: while Slack's Web API cannot be reached, a request
    gets a 503, which Slack sends again later, and a warning, not a 500 with a traceback."""

    # Requests bolt answers without authorizing (they need no Web API call).
    NO_AUTH = ("url_verification", "ssl_check")

    def __init__(self, client: AsyncWebClient):
        self.client = client
        self.reached = False

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Any  # noqa: A002
    ) -> BoltResponse:
        if self.reached or req.body.get("type") in self.NO_AUTH:
            return await next()
        try:
            await self.client.auth_test()
        except SlackApiError as exc:
            if exc.response.status_code < 500:
                return await next()  # a refused token: bolt's to report
            reason = reason_of(exc)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            reason = reason_of(exc)
        else:
            self.reached = True
            return await next()
        log.warning("slack web api unreachable, request refused for Slack to retry reason=%s",
                    reason)
        return BoltResponse(status=503, body="", headers={"Retry-After": "60"})


@dataclass
class SlackAdapter:
    """One workspace's bolt app, Web API client and the bot it talks for."""

    bot: Bot
    settings: SlackConfig
    client: AsyncWebClient
    app: AsyncApp = field(init=False)
    names: dict[str, str] = field(default_factory=dict)
    # Channel members seen so far: their name and whether they are a person (not a bot).
    people: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # Forms behind "Open" buttons, with the Slack user each was made for.
    forms: OrderedDict[str, tuple[Form, str]] = field(default_factory=OrderedDict)
    # Work started after an ack (posts, uploads): kept so it is not garbage-collected mid-way.
    pending: set[asyncio.Task] = field(default_factory=set)
    events: EventLog = field(init=False)
    flusher: asyncio.Task | None = None
    workers: AnswerWorkers = field(default_factory=AnswerWorkers)
    poster: SlackPoster = field(init=False)

    def __post_init__(self) -> None:
        self.events = self.bot.events_of("slack")
        self.poster = SlackPoster(self.bot, self.client)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=self.settings.signing_secret or None,
            # /slack/events checks the signature before any parsing (see adapters.slack.transport)
            # with the same slack-sdk verifier; checking twice would only slow every ack.
            request_verification_enabled=False,
            process_before_response=False,
            before_authorize=SlackReachable(self.client),
            logger=bolt_logger(),
        )
        self.app.use(OncePerEvent(self.events))
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.event("app_home_opened")(self._on_home_opened)
        self.app.command("/dtl")(self._on_command)
        self.app.action(re.compile(".+"))(self._on_action)
        self.app.view(re.compile(".+"))(self._on_submission)

    # People and conversations

    async def user(self, user_id: str) -> User:
        """The neutral user; only organisers' names are looked up (audit records keep them)."""
        organiser = user_id in self.settings.organisers
        name = ""
        if organiser:
            name = self.names.get(user_id, "")
            if not name:
                # Bounded, because some callers have yet to acknowledge Slack's request.
                try:
                    name = await asyncio.wait_for(self._lookup_name(user_id), timeout=1)
                except TimeoutError:
                    name = ""
        return User(PLATFORM, user_id, name=name, is_organiser=organiser)

    async def contact(self, user: User) -> Mention:
        """How other DTLs reach this person: a mention, and their name for other platforms
        (looked up only here, when they agree to share it)."""
        name = user.name
        if not name:
            try:
                name = await asyncio.wait_for(self._lookup_name(user.id), timeout=1)
            except TimeoutError:
                name = ""
        return Mention(PLATFORM, user.id, name)

    async def _lookup_name(self, user_id: str) -> str:
        try:
            response = await self.client.users_info(user=user_id)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("slack name lookup failed user=%s reason=%s",
                        self.bot.key_tag(f"{PLATFORM}:{user_id}"), reason_of(exc))
            return ""
        profile = response["user"].get("profile", {})
        name = profile.get("real_name") or response["user"].get("name", "")
        if len(self.names) >= NAME_CACHE_MAX:
            self.names.clear()
        self.names[user_id] = name
        return name

    async def members(self, conversation: Conversation) -> list[User] | None:
        """The people in a channel (bots and deactivated accounts left out), for `Bot.members`;
        None when Slack will not say (the app is not in the channel, or the API failed)."""
        channel = conversation.reference.get("channel") or conversation.id
        ids: list[str] = []
        cursor = None
        try:
            while True:
                response = await self.client.conversations_members(
                    channel=channel, limit=200, **({"cursor": cursor} if cursor else {}))
                ids += response.get("members", [])
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor or len(ids) >= MEMBERS_MAX:
                    break
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("slack members failed channel=%s reason=%s", channel, reason_of(exc))
            return None
        ids = ids[:MEMBERS_MAX]
        if sum(1 for u in ids if u not in self.people) > USERS_INFO_MAX:
            # Many unknown members: the workspace's user list, 200 a call, beats one call each.
            await self._load_people()
        people = []
        for user_id in ids:
            if user_id not in self.people:
                try:
                    info = (await self.client.users_info(user=user_id))["user"]
                except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError):
                    info = {}
                profile = info.get("profile", {})
                human = not (info.get("is_bot") or info.get("deleted")
                             or user_id == "USLACKBOT")
                self.people[user_id] = (profile.get("real_name") or info.get("name", ""), human)
            name, human = self.people[user_id]
            if human:
                people.append(User(PLATFORM, user_id, name=name))
        return people

    async def _load_people(self) -> None:
        cursor = None
        try:
            while True:
                response = await self.client.users_list(
                    limit=200, **({"cursor": cursor} if cursor else {}))
                for info in response.get("members", []):
                    profile = info.get("profile", {})
                    human = not (info.get("is_bot") or info.get("deleted")
                                 or info.get("id") == "USLACKBOT")
                    self.people[info["id"]] = (profile.get("real_name") or info.get("name", ""),
                                               human)
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("slack users.list failed reason=%s", reason_of(exc))

    @staticmethod
    def conversation(channel: str, thread_ts: str | None) -> Conversation:
        return Conversation(
            PLATFORM, channel, is_direct=channel.startswith("D"),
            reference={"channel": channel, "thread_ts": thread_ts},
        )

    # Listeners

    async def _on_mention(self, event: dict) -> None:
        # In a DM the same message also arrives as message.im, which answers it.
        in_dm = event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")
        if not from_a_bot(event) and not in_dm:
            await self.workers.queue(self._answer_mention, event)

    async def _answer_mention(self, event: dict) -> None:
        thread = event.get("thread_ts") or event.get("ts")
        conversation = self.conversation(event["channel"], thread)
        user = await self.user(event["user"])
        replies = await self.bot.handle(
            Incoming(user, conversation, text=strip_mentions(event.get("text", "")))
        )
        await self.post(Target(user.id, event["channel"], thread), replies)

    async def _on_message(self, event: dict) -> None:
        # Only direct messages: in channels the bot answers when mentioned (app_mention).
        if event.get("channel_type") == "im" and not from_a_bot(event) and event.get("user"):
            await self.workers.queue(self._answer_message, event)

    async def _answer_message(self, event: dict) -> None:
        thread = event.get("thread_ts")
        conversation = self.conversation(event["channel"], thread)
        user = await self.user(event["user"])
        replies = await self.bot.handle(
            Incoming(user, conversation, text=strip_mentions(event.get("text", "")))
        )
        await self.post(Target(user.id, event["channel"], thread), replies)

    async def _on_home_opened(self, event: dict) -> None:
        await self.workers.queue(self._show_home, event)

    async def _show_home(self, event: dict) -> None:
        user = await self.user(event["user"])
        channel = event.get("channel")
        if event.get("tab") == "messages":
            if channel:
                opened = await self.bot.opened(user, self.conversation(channel, None))
                await self.post(Target(user.id, channel), opened)
            return
        view = kit.home_view(await self.home_sections(user, event.get("channel")))
        await self.poster.call("views.publish", user.id, self.client.views_publish,
                         user_id=user.id, view=view)

    async def home_sections(self, user: User, channel: str | None) -> list[tuple[str, list[Reply]]]:
        """The welcome, help, and the next meeting and open poll where those features exist."""
        conversation = self.conversation(channel or user.id, None)
        sections = [("DTL Forum Bot", await self.bot.introduction(user, conversation))]
        sections.append(("What I can do", await self.bot.handle(
            Incoming(user, conversation, text="help"))))
        for title, phrase in HOME_SECTIONS:
            matched = self.bot.registry.match(phrase)
            if matched is not None and matched[0].phrase == phrase:
                sections.append((title, await self.bot.handle(
                    Incoming(user, conversation, text=phrase))))
        return sections

    async def _on_command(self, ack: Any, command: dict) -> None:
        await ack()
        channel = command.get("channel_id", "")
        user = await self.user(command["user_id"])
        replies = await self.bot.handle(
            Incoming(user, self.conversation(channel, None), text=command.get("text", ""))
        )
        target = Target(user.id, channel or None, response_url=command.get("response_url"))
        replies = await self._open_first_form(command.get("trigger_id"), replies, target)
        await self.post(target, replies)

    async def _on_action(self, ack: Any, body: dict, action: dict) -> None:
        await ack()
        if action.get("type") != "button" or action.get("url"):
            return  # link buttons open in the browser; selects inside modals submit with the form
        channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
            "channel_id"
        )
        thread = (body.get("message") or {}).get("thread_ts")
        user = await self.user(body["user"]["id"])
        # A press on the Home tab has no channel: answer in the person's DM with the bot.
        channel = channel or await self.poster.direct_channel(user.id)
        if channel is None:
            return
        neutral = Action(kit.neutral_action_id(action["action_id"]), value=action.get("value", ""))
        target = Target(user.id, channel, thread)
        conversation = self.conversation(channel, thread)
        if neutral.id == FORM_ACTION:
            replies = await self._kept_form(neutral.value, user, conversation)
        else:
            replies = await self.bot.handle(Incoming(user, conversation, action=neutral))
        replies = await self._open_first_form(body.get("trigger_id"), replies, target)
        await self.post(target, replies)

    async def _kept_form(self, key: str, user: User, conversation: Conversation) -> list[Reply]:
        """The form behind an "Open" button, for whoever pressed it: a form that can be asked
        for afresh (a ballot) is, so each presser gets their own; anyone but the person it
        was made for gets it without their values."""
        kept = self.forms.get(key)
        if kept is None:
            return [Reply("That form has expired. Please ask me for it again.")]
        form, owner = kept
        if form.reopen is not None:
            return await self.bot.handle(Incoming(user, conversation, action=form.reopen))
        return [Reply(form=form if user.id == owner else form.blank())]

    def _with_form_button(self, reply: Reply, owner: str) -> Reply:
        """A form in a message cannot open itself: add a button that opens it as a modal."""
        if reply.form is None:
            return reply
        key = secrets.token_urlsafe(9)
        self.forms[key] = (reply.form, owner)
        while len(self.forms) > FORMS_KEPT:
            self.forms.popitem(last=False)
        button = Button(f"Open: {reply.form.title}", Action(FORM_ACTION, value=key),
                        style="primary")
        return replace(reply, buttons=(button, *reply.buttons))

    async def _open_first_form(
        self, trigger_id: str | None, replies: list[Reply], target: Target
    ) -> list[Reply]:
        """Open the first form as a modal (a button press allows it); the rest are posted."""
        index = next((i for i, r in enumerate(replies) if r.form is not None), None)
        if index is None or not trigger_id:
            return replies
        form = replies[index].form
        assert form is not None
        metadata = {"channel": target.channel or "", "thread_ts": target.thread_ts or ""}
        opened = await self.poster.call("views.open", target.channel or target.user_id,
                                  self.client.views_open, trigger_id=trigger_id,
                                  view=kit.modal(form, metadata))
        if not opened:
            return replies
        rest = replace(replies[index], form=None)
        kept = [*replies[:index], rest, *replies[index + 1:]]
        return [r for r in kept if r.text or r.buttons or r.form or r.image or r.file]

    async def _on_submission(self, ack: Any, body: dict, view: dict) -> None:
        started = asyncio.get_running_loop().time()
        form_id = view.get("callback_id", "")
        metadata = _metadata(view.get("private_metadata"))
        channel = metadata.get("channel") or None
        thread = metadata.get("thread_ts") or None
        user = await self.user(body["user"]["id"])
        values = kit.submitted_values((view.get("state") or {}).get("values") or {})
        answer = asyncio.ensure_future(self.bot.handle(Incoming(
            user, self.conversation(channel or user.id, thread),
            action=Action(form_id, values=values),
        )))
        # The answer decides how the modal is acknowledged, but Slack waits only 3 s: when the
        # bot's database is slow (another process holds its lock), the modal closes and the
        # answer, a rejected form included (behind its "Open" button), is posted when ready.
        waited = SUBMISSION_ACK_SECONDS - (asyncio.get_running_loop().time() - started)
        done, _ = await asyncio.wait({answer}, timeout=max(waited, 0.1))
        if not done:
            await ack()
            self._later(self._post_when_answered(Target(user.id, channel, thread), answer))
            return
        replies = answer.result()
        rejected = next((r.form for r in replies if r.form and r.form.has_errors), None)
        if rejected is not None and any(f.error for f in rejected.fields):
            # Not accepted: the modal stays open, with each message beside its field.
            await ack(response_action="errors", errors=kit.field_errors(rejected))
            return
        if rejected is not None:
            # Not accepted as a whole: shown again, the reason on top, the choices kept.
            await ack(response_action="update", view=kit.modal(rejected, metadata))
            return
        follow_up = next((r.form for r in replies if r.form is not None), None)
        if follow_up is not None:
            await ack(response_action="update", view=kit.modal(follow_up, metadata))
            replies = [replace(r, form=None) for r in replies]
        else:
            await ack()
        replies = [r for r in replies if r.text or r.buttons or r.image or r.file]
        if replies:
            self._later(self.post(Target(user.id, channel, thread), replies))

    async def _post_when_answered(self, target: Target, answer: asyncio.Future) -> None:
        await self.post(target, await answer)

    def _later(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    # Posting

    async def post(self, target: Target, replies: list[Reply]) -> bool:
        """Post replies in order (text, buttons, images, files); False if any post failed."""
        # The event ids answered so far are stored before any answer goes out, so an event
        # redelivered after a crash right after the post is never answered twice.
        try:
            await self.bot.run(self.events.flush, bounded=False)
        except sqlite3.Error as exc:
            log.warning("could not record slack event ids before posting: %s", exc)
        return await self.poster.post(
            target, [self._with_form_button(r, target.user_id) for r in replies])

    async def send(self, conversation: Conversation, replies: list[Reply]) -> None:
        """Proactive posts (reminders, announcements): top level in the stored channel."""
        channel = conversation.reference.get("channel") or conversation.id
        if not await self.post(Target("", channel), replies):
            raise DeliveryError(f"could not post to Slack channel {channel}")

    async def start(self) -> None:
        """Open one keep-alive HTTP session for the Web API and start the answer workers."""
        # trust_env: honour HTTPS_PROXY / NO_PROXY, as NHS networks often require a proxy.
        # The client's own timeout applies only to sessions it makes: give this one the same,
        # or aiohttp's 5-minute default would hold an answer worker on a stuck call.
        self.client.session = aiohttp.ClientSession(
            trust_env=True, timeout=aiohttp.ClientTimeout(total=self.client.timeout))
        await self.bot.run(self.events.load, bounded=False)
        self.workers.start()
        self.flusher = asyncio.ensure_future(self._flush_events())

    async def stop(self) -> None:
        """Finish queued answers and posts (for a few seconds at most), then close."""
        waiting = list(self.pending)
        drained = self.workers.drained()
        if drained is not None:
            waiting.append(drained)
        if waiting:
            await asyncio.wait(waiting, timeout=SHUTDOWN_GRACE_SECONDS)
        await self.workers.stop()
        if self.flusher is not None:
            self.flusher.cancel()
            await asyncio.gather(self.flusher, return_exceptions=True)
        try:
            await self.bot.run(self.events.flush, bounded=False)
        except sqlite3.Error as exc:
            log.warning("could not record slack event ids at shutdown: %s", exc)
        self.flusher = None
        for task in waiting:
            task.cancel()
        if self.client.session is not None:
            await self.client.session.close()
            self.client.session = None

    async def _flush_events(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.bot.run(self.events.flush, bounded=False)
            except sqlite3.Error as exc:
                log.warning("could not record slack event ids; will retry: %s", exc)

    def acknowledged(self) -> None:
        """Note that a request was just acknowledged (answers yield to acknowledgements)."""
        self.workers.acknowledged()


def _metadata(raw: str | None) -> dict[str, str]:
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
