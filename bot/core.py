"""The bot's context object and its one entry point, `Bot.handle`, shared by every adapter."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from sqlite_utils import Database

from bot import help as help_feature
from bot import meetings, ops, poll_commands, privacy, qa, reminders, welcome
from bot.answers import AnswerIndex
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.content import Content, Problem, check_content, load_content
from bot.identity import load_secret, pseudonym
from bot.metrics import Metrics
from bot.model import Conversation, Incoming, Reply, User
from bot.router import Router, Turn
from bot.scheduler import Scheduler
from bot.storage import open_database

log = logging.getLogger("dtlbot")

# Posts replies to a stored conversation on one platform (used for proactive messages).
Sender = Callable[[Conversation, list[Reply]], Awaitable[None]]

# Each feature module exposes register(router); order matters only for help listings,
# and meetings comes after qa because it wraps the question handler qa sets.
FEATURES = (help_feature, qa, meetings, reminders, poll_commands, privacy, ops, welcome)

APOLOGY = "Sorry, something went wrong on my side and I could not do that. Please try again."


class NoSender(RuntimeError):
    """No adapter for this conversation's platform is running in this process."""


@dataclass
class Bot:
    """Everything a handler needs: config, database, content, clock, and ways to post."""

    config: Config
    db: Database
    content: Content
    answers: AnswerIndex
    router: Router
    clock: Clock
    # The pseudonym key: never shown, not even in repr() (which tracebacks and debuggers print).
    secret: bytes = field(repr=False)
    senders: dict[str, Sender] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    # Set by the server while it runs, so that changes can re-plan the next wake-up.
    scheduler: Scheduler | None = None

    @classmethod
    def create(
        cls,
        config: Config,
        *,
        clock: Clock | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Bot:
        """Open the database, load and index the content, and register every feature."""
        db = open_database(config.storage.path)
        content = load_content(config.content.path)
        router = Router()
        for feature in FEATURES:
            feature.register(router)
        return cls(
            config=config,
            db=db,
            content=content,
            answers=AnswerIndex(content, config.answers.threshold),
            router=router,
            clock=clock or SystemClock(),
            secret=load_secret(db, dict(env) if env is not None else None),
        )

    def pseudonym(self, user: User) -> str:
        """The stable pseudonym under which this person's data is stored."""
        return pseudonym(self.secret, user)

    def log_tag(self, conversation: Conversation) -> str:
        """How logs name a conversation: a short stable pseudonym, never a platform id or name."""
        digest = hmac.new(self.secret, conversation.key.encode("utf-8"), hashlib.sha256)
        return "c-" + digest.hexdigest()[:10]

    def now_iso(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    def reload_content(self) -> list[Problem]:
        """Re-read content; on problems keep the old index and return them."""
        content, problems = check_content(self.config.content.path)
        if problems:
            return problems
        self.content = content
        self.answers = AnswerIndex(content, self.config.answers.threshold)
        return []

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one incoming message or action; never raises."""
        started = time.perf_counter()
        try:
            replies = await self._dispatch(incoming)
        except Exception:
            log.exception(
                "handler failed platform=%s conversation=%s",
                incoming.user.platform,
                self.log_tag(incoming.conversation),
            )
            replies = [Reply(APOLOGY)]
        elapsed = time.perf_counter() - started
        self.metrics.reply_seconds.labels(incoming.user.platform).observe(elapsed)
        log.info(
            "handled platform=%s conversation=%s kind=%s latency_ms=%.1f",
            incoming.user.platform,
            self.log_tag(incoming.conversation),
            "action" if incoming.action else "text",
            elapsed * 1000,
        )
        return replies

    async def _dispatch(self, incoming: Incoming) -> list[Reply]:
        if incoming.action is not None:
            handler = self.router.find_action(incoming.action.id)
            if handler is None:
                return [Reply("That button is no longer in use. Type `help` to see what I can do.")]
            return await handler(Turn(self, incoming))
        text = " ".join(incoming.text.split())
        if not text:
            return [Reply("Type a question, or `help` to see what I can do.")]
        matched = self.router.match(text)
        if matched is not None:
            command, args = matched
            if command.organiser and not incoming.user.is_organiser:
                return [Reply(f"Only forum organisers can use `{command.phrase}`.")]
            return await command.handler(Turn(self, incoming, args))
        family = self.router.family(text.split()[0])
        if family:
            visible = [c for c in family if incoming.user.is_organiser or not c.organiser]
            if visible:
                listing = "\n".join(f"- `{c.usage}`: {c.help}" for c in visible)
                return [Reply(f"I don't know `{text}`. Did you mean one of these?\n{listing}")]
        assert self.router.fallback is not None
        return await self.router.fallback(Turn(self, incoming, text))

    async def send(self, conversation: Conversation, replies: list[Reply]) -> None:
        """Post to a stored conversation through its platform's adapter (proactive)."""
        sender = self.senders.get(conversation.platform)
        if sender is None:
            raise NoSender(f"no adapter running for platform '{conversation.platform}'")
        await sender(conversation, replies)

    def replan(self) -> None:
        """Tell the scheduler (if running) that what is due may have changed."""
        if self.scheduler is not None:
            self.scheduler.replan()

    def close(self) -> None:
        self.db.close()
