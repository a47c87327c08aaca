"""The bot's context object and its one entry point, `Bot.handle`, shared by every adapter."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.kernel import conversations, seen
from bot.kernel.answers import AnswerIndex
from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.content import Content, Problem, check_content
from bot.kernel.core import Busy, Core
from bot.kernel.identity import pseudonym
from bot.kernel.markup import literal
from bot.kernel.metrics import Metrics
from bot.kernel.model import Conversation, Incoming, Mention, Platform, Reply, User
from bot.kernel.registry import Registry, Turn
from bot.kernel.scheduler import Scheduler, Task
from bot.kernel.seen import EventLog
from bot.kernel.storage import storage_failure
from bot.kernel.text import with_examples

log = logging.getLogger("dtlbot")

# Posts replies to a stored conversation on one platform (used for proactive messages).
Sender = Callable[[Conversation, list[Reply]], Awaitable[None]]
# How an adapter makes a way to reach the person it is talking to now (see Bot.mention_of).
ContactLookup = Callable[[User], Awaitable["Mention | None"]]

APOLOGY = "Sorry, something went wrong on my side and I could not do that. Please try again."
SAVE_FAILED = ("Sorry, I could not save that: my storage is not available just now. "
               "Please try again in a minute.")
# The answer when more turns wait for the core than it may take (see bot.kernel.core).
BUSY = "I'm busy just now: please try again in a moment."
# How long /healthz reports a failed write (each new failure starts it again).
WRITE_FAILURE_SHOWN = timedelta(minutes=1)


SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable_text(text: str) -> str:
    return SURROGATE.sub("\ufffd", text) if text else text


def encodable(incoming: Incoming) -> Incoming:
    """The incoming with lone surrogates (valid in JSON, not in UTF-8) shown as U+FFFD, so
    that nothing fails later as it stores or hashes the text."""
    a = incoming.action
    parts = [incoming.text, incoming.user.id, incoming.user.name, incoming.conversation.id]
    if a is not None:
        parts += [a.id, a.value, *a.values.keys(), *(str(v) for v in a.values.values())]
    if not any(SURROGATE.search(p) for p in parts if p):
        return incoming
    clean = _encodable_text
    action = None if a is None else replace(
        a, id=clean(a.id), value=clean(a.value),
        values={clean(k): clean(v) if isinstance(v, str) else v for k, v in a.values.items()})
    return replace(
        incoming, text=clean(incoming.text),
        user=replace(incoming.user, id=clean(incoming.user.id), name=clean(incoming.user.name)),
        conversation=replace(incoming.conversation, id=clean(incoming.conversation.id)),
        action=action,
    )


@dataclass(frozen=True)
class WriteFailure:
    reason: str
    at: datetime


class NoSender(RuntimeError):
    """No adapter for this conversation's platform is running in this process."""


@dataclass
class Bot:
    """Everything a handler needs: config, database, content, clock, and ways to post.

    Built by the composition root (bot.app.create_bot), which lists the features.
    """

    config: Config
    db: Database
    content: Content
    answers: AnswerIndex
    registry: Registry
    clock: Clock
    # The pseudonym key: never shown, not even in repr() (which tracebacks and debuggers print).
    secret: bytes = field(repr=False)
    senders: dict[str, Sender] = field(default_factory=dict)
    # The running adapter objects by platform (an adapter's personal data may live there).
    adapters: dict[str, object] = field(default_factory=dict)
    # Per platform, how its adapter makes a mention of the person in the current turn.
    contacts: dict[str, ContactLookup] = field(default_factory=dict)
    # What each platform's adapter says of it (see `platform`).
    platforms: dict[str, Platform] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    # Set by the server while it runs, so that changes can re-plan the next wake-up.
    scheduler: Scheduler | None = None
    # Redelivery logs by platform (see bot.kernel.seen), made by `events_of`.
    event_logs: dict[str, EventLog] = field(default_factory=dict, repr=False)
    # What /healthz and the start banner must say about how the bot runs (e.g. Teams
    # authentication off for the emulator), set by adapters as they start.
    notices: dict[str, str] = field(default_factory=dict)
    # The last time the database refused work (for /healthz).
    write_failure: WriteFailure | None = None
    # While the server runs, the thread where turns and database work run (bot.kernel.core).
    core: Core | None = None
    # Conversations already stored, with what was stored, so a message writes only on change.
    _remembered: dict[str, tuple[str, str | None]] = field(default_factory=dict, repr=False)

    def storage_failed(self, exc: BaseException) -> None:
        """Remember that the database refused work (shown by /healthz), and undo the rest."""
        self.write_failure = WriteFailure(str(exc)[:200] or type(exc).__name__, self.clock.now())
        core = self.core
        if core is not None and core.running and not core.here():
            return  # the connection is the core's; the work that failed there rolled back
        try:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
        except sqlite3.Error:
            pass

    def recent_write_failure(self) -> str | None:
        """Why the last write failed, if it failed within WRITE_FAILURE_SHOWN."""
        failure = self.write_failure
        if failure is None or self.clock.now() - failure.at > WRITE_FAILURE_SHOWN:
            return None
        return failure.reason

    def pseudonym(self, user: User) -> str:
        """The stable pseudonym under which this person's data is stored."""
        return pseudonym(self.secret, user)

    def log_tag(self, conversation: Conversation) -> str:
        """How logs name a conversation: a short stable pseudonym, never a platform id or name."""
        return self.key_tag(conversation.key)

    def key_tag(self, key: str | None) -> str:
        """`log_tag` for a stored conversation key ("platform:id"), or any platform id so
        prefixed (e.g. "slack:U0123"); "-" for none."""
        if not key:
            return "-"
        digest = hmac.new(self.secret, key.encode("utf-8"), hashlib.sha256)
        return "c-" + digest.hexdigest()[:10]

    def now_iso(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    def reload_content(self) -> list[Problem]:
        """Re-read content; on problems keep the old index and return them."""
        content, problems = check_content(self.config.content.path)
        if problems:
            return problems
        content = self.registry.layered(content, self.db)
        self.content = content
        self.answers = AnswerIndex(content, self.config.answers.threshold,
                                   semantic=self.answers.semantic)
        return []

    async def run(self, work: Callable[..., object], *args: object, bounded: bool = True
                  ) -> Any:
        """`work(*args)` (a function or coroutine function) where the bot's database is used:
        on the core thread while the server runs (bot.kernel.core), else right here. Raises
        Busy when `bounded` and as many calls wait for the core as it may take."""
        core = self.core
        if core is None or not core.running or core.here():
            result = work(*args)
            return await result if inspect.isawaitable(result) else result
        return await core.call(work, *args, bounded=bounded)

    async def _outside(self, work: Callable[..., Awaitable[Any]], *args: object) -> Any:
        """Await `work(*args)` on the server's loop, whose network clients the adapters use
        (a hop back from the core thread; right here when not on it)."""
        core = self.core
        if core is not None and core.running and core.here():
            return await core.on_server(work, *args)
        return await work(*args)

    def call_on_server(self, work: Callable[..., object], *args: object) -> None:
        """Call `work(*args)` soon on the server's loop (now, when not on the core thread):
        for adapters' state that belongs to that loop, such as the asyncio events of streams."""
        core = self.core
        if core is not None and core.running:
            core.soon_on_server(work, *args)
        else:
            work(*args)

    def _busy(self, what: str) -> None:
        log.warning("busy: refused %s, %d calls already wait for the core", what,
                    self.core.waiting if self.core is not None else 0)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one incoming message or action; never raises (on the core thread while the
        server runs; a quick BUSY reply when too many turns wait for it)."""
        try:
            return await self.run(self._handle, incoming)
        except Busy:
            self._busy(f"a turn platform={incoming.user.platform}")
            return [Reply(BUSY)]

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        started = time.perf_counter()
        incoming = encodable(incoming)
        try:
            replies = await self._dispatch(incoming)
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            if not storage_failure(exc):
                log.exception("handler failed platform=%s conversation=%s",
                              incoming.user.platform, self.log_tag(incoming.conversation))
                replies = [Reply(APOLOGY)]
            else:
                # Not a bug: the disk is full, the file read-only or locked. No traceback.
                self.storage_failed(exc)
                log.warning("could not save platform=%s conversation=%s reason=%s",
                            incoming.user.platform, self.log_tag(incoming.conversation), exc)
                replies = [Reply(SAVE_FAILED)]
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

    async def start_core(self, max_waiting: int) -> None:
        """Run turns and database work on a core thread from now on (bot.kernel.core)."""
        core = Core(max_waiting, refused=self.metrics.busy.inc)
        core.start()
        self.core = core

    async def stop_core(self, *, close: bool = False) -> None:
        """Let the core's work in flight finish, close the database there if `close`, and run
        everything on the caller's thread again."""
        core = self.core
        if core is None:
            return
        try:
            await core.stop(self.close if close else None)
        finally:
            self.core = None

    def refresh_layers(self) -> None:
        """Apply the content layers again if they changed (e.g. in another process)."""
        if self.registry.layer_revisions and \
                self.registry.layers_revision(self.db) != self.content.revision:
            self.content = self.registry.layered(self.content, self.db)
            self.answers = AnswerIndex(self.content, self.config.answers.threshold)

    async def _dispatch(self, incoming: Incoming) -> list[Reply]:
        self.refresh_layers()
        if incoming.conversation.keep_reference:
            self.remember(incoming.conversation, incoming.user)
        if incoming.action is not None:
            handler = self.registry.find_action(incoming.action.id)
            if handler is None:
                return [Reply("That button is no longer in use. Type `help` to see what I can do.")]
            return await handler(Turn(self, incoming))
        text = " ".join(incoming.text.split())
        # Recorded before handling, so that a first message of "forget me" forgets this too.
        first = (
            incoming.conversation.is_direct
            and self.platform(incoming.user.platform).introduce_on_first_message
            and self.first_contact(incoming.user)
        )
        replies = await self._answer_text(incoming, text)
        if first:
            replies = [*await self.registry.emit(
                "first_contact", self, incoming.user, incoming.conversation), *replies]
        return replies

    async def _answer_text(self, incoming: Incoming, text: str) -> list[Reply]:
        if not text:
            return [Reply("Type a question, or `help` to see what I can do.")]
        matched = self.registry.match(text)
        if matched is not None:
            command, args = matched
            if command.organiser and not incoming.user.is_organiser:
                return [Reply(f"Only forum organisers can use `{command.phrase}`.")]
            return await command.handler(Turn(self, incoming, args))
        turn = Turn(self, incoming, text)
        replies = await self.ask(turn)
        if turn.outcome in ("unknown", "empty", "suggest"):
            # Not a question the content answers: perhaps a command whose words did not fit.
            near = [c for c in self.registry.near(text)
                    if incoming.user.is_organiser or not c.organiser]
            if near:
                now = self.clock.now()
                listing = "\n".join(f"- `{c.usage}`: {with_examples(c.help, now)}"
                                     for c in near)
                if turn.outcome == "suggest" and replies:
                    # Keep the topics offered (typed numbers pick them), commands after.
                    *rest, last = replies
                    return [*rest, replace(
                        last, text=f"{last.text}\nOr one of these commands?\n{listing}")]
                return [Reply(f"I don't know “{literal(text)}”. "
                              f"Did you mean one of these?\n{listing}\n"
                              "If it was a question, I've noted it for the organisers.")]
        return replies

    async def ask(self, turn: Turn) -> list[Reply]:
        """Answer `turn.args` as a question (middleware first, then the question handler)."""
        return await self.registry.ask(turn)

    def first_contact(self, user: User) -> bool:
        """True the first time this person is seen (they get the introduction), then False."""
        with self.db.conn:
            cursor = self.db.conn.execute(
                "insert or ignore into welcomed (person, at) values (?, ?)",
                [self.pseudonym(user), self.now_iso()],
            )
        return cursor.rowcount == 1

    def remember(self, conversation: Conversation, user: User | None = None) -> None:
        """Keep where to post later; a direct chat is its person's own (for `my data`)."""
        person = self.pseudonym(user) if user is not None and conversation.is_direct else None
        state = (conversations.reference_json(conversation), person)
        if self._remembered.get(conversation.key) == state:
            return
        conversations.remember(self.db, conversation, self.now_iso(), person=person)
        self._remembered[conversation.key] = state

    def forget_conversation(self, key: str) -> None:
        """Forget a stored conversation (the bot was removed from it, or its person left)."""
        conversations.forget(self.db, key)
        self._remembered.pop(key, None)

    async def opened(self, user: User, conversation: Conversation) -> list[Reply]:
        """A person opened their direct chat with the bot: the introduction, the first time
        (none when the core is busy: it comes the next time)."""
        try:
            return await self.run(self._opened, user, conversation)
        except Busy:
            self._busy(f"an opened chat platform={user.platform}")
            return []

    async def _opened(self, user: User, conversation: Conversation) -> list[Reply]:
        if conversation.keep_reference:
            self.remember(conversation, user)
        if self.first_contact(user):
            return await self.registry.emit("first_contact", self, user, conversation)
        return []

    async def introduction(self, user: User | None, conversation: Conversation) -> list[Reply]:
        """The introduction itself, whether or not it was given before (a page shows it)."""
        try:
            return await self.run(self._introduction, user, conversation)
        except Busy:
            self._busy(f"an introduction platform={conversation.platform}")
            return [Reply(BUSY)]

    async def _introduction(self, user: User | None, conversation: Conversation
                            ) -> list[Reply]:
        if user is not None:
            self.first_contact(user)
        return await self.registry.emit("first_contact", self, user, conversation)

    async def installed(self, conversation: Conversation, user: User | None = None) -> list[Reply]:
        """The bot was added to a conversation: keep it; the replies to post there, once.
        Never refused as busy (that would lose the conversation)."""
        return await self.run(self._installed, conversation, user, bounded=False)

    async def _installed(self, conversation: Conversation, user: User | None) -> list[Reply]:
        known = conversations.recall(self.db, conversation.key) is not None
        self.remember(conversation, user)
        if user is not None and conversation.is_direct:
            self.first_contact(user)
        replies = await self.registry.emit("installed", self, user, conversation)
        if not known:
            replies += await self.registry.emit("first_contact", self, user, conversation)
        return replies

    async def removed(self, conversation: Conversation) -> None:
        """The bot was removed from a conversation: forget it and tell the features."""
        await self.run(self._removed, conversation, bounded=False)

    async def _removed(self, conversation: Conversation) -> None:
        self.forget_conversation(conversation.key)
        await self.registry.emit("removed", self, None, conversation)

    def events_of(self, platform: str) -> EventLog:
        """The platform's log of event ids already answered, loaded from the database once."""
        if platform not in self.event_logs:
            log = EventLog(self.db, platform, self.now_iso)
            log.load()
            self.event_logs[platform] = log
        return self.event_logs[platform]

    def attach(
        self,
        platform: str,
        sender: Sender,
        adapter: object | None = None,
        *,
        info: Platform | None = None,
        contact: ContactLookup | None = None,
    ) -> None:
        """An adapter starts serving: how to post to its conversations, its running state, what
        it says of its platform (`info`), and how to make a mention of one of its people."""
        self.senders[platform] = sender
        if adapter is not None:
            self.adapters[platform] = adapter
        if info is not None:
            self.describe(platform, info)
        if contact is not None:
            self.contacts[platform] = contact

    def describe(self, platform: str, info: Platform) -> None:
        """Record what an adapter says of its platform (a console that sends nothing, too)."""
        self.platforms[platform] = info

    def platform(self, platform: str) -> Platform:
        """What is known of a platform: what its adapter said, else its id as its name (and,
        unsaid, that it takes no files).

        A platform that says where a person's first direct message gets the introduction
        (`introduce_on_first_message`) is one with no surface of its own for it; the others
        call `opened`, `introduction` or `installed` instead.
        """
        return self.platforms.get(platform, Platform(name=platform, takes_files=False))

    async def mention_of(self, user: User) -> Mention:
        """A way to reach this person (called while handling their message): what their
        adapter makes of them (a display name looked up, a Teams chat link), else their id
        and name as the message gave them. Store it only with the person's consent."""
        lookup = self.contacts.get(user.platform)
        if lookup is not None:
            try:
                found = await self._outside(lookup, user)
            except Exception as exc:
                log.warning("contact lookup failed platform=%s reason=%s",
                            user.platform, type(exc).__name__)
                found = None
            if found is not None:
                return found
        return Mention(user.platform, user.id, user.name)

    async def send(self, conversation: Conversation, replies: list[Reply]) -> None:
        """Post to a stored conversation through its platform's adapter (proactive)."""
        sender = self.senders.get(conversation.platform)
        if sender is None:
            raise NoSender(f"no adapter running for platform '{conversation.platform}'")
        await self._outside(sender, conversation, replies)

    async def members(self, conversation: Conversation) -> list[User] | None:
        """The people in a conversation, bots excluded, from its adapter's `members(conversation)`
        if it has one; None when the platform cannot list them from this process."""
        finder = getattr(self.adapters.get(conversation.platform), "members", None)
        if finder is None:
            return None
        try:
            return await self._outside(finder, conversation)
        except Exception as exc:
            log.warning("listing members failed platform=%s conversation=%s error=%s",
                        conversation.platform, self.log_tag(conversation), type(exc).__name__)
            return None

    def audiences(self) -> dict[str, list[User]]:
        """By platform, everyone its adapter's `audience()` says the bot may message on its own
        (the web chat: each person who has used it); platforms without one are left out."""
        found = {}
        for platform, adapter in self.adapters.items():
            audience = getattr(adapter, "audience", None)
            if audience is not None:
                found[platform] = list(audience())
        return found

    def replan(self) -> None:
        """Tell the scheduler (if running) that what is due may have changed."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        core = self.core
        if core is not None and core.loop is not None and not core.here():
            # The scheduler plans on the core, where it reads what is due.
            core.loop.call_soon_threadsafe(scheduler.replan)
        else:
            scheduler.replan()

    def close(self) -> None:
        """Close the database. While the core thread runs and this is another thread, the close
        waits its turn on the core (after the work already there), so the connection is never
        closed while the core is using it; `stop_core(close=True)` also waits for that."""
        core = self.core
        if core is not None and core.loop is not None and not core.here():
            core.loop.call_soon_threadsafe(self.db.close)
            return
        self.db.close()


def _events_due(bot: Bot) -> datetime | None:
    oldest = seen.oldest(bot.db)
    return None if oldest is None else datetime.fromisoformat(oldest) + seen.EVENT_RETENTION


async def _prune_events(bot: Bot) -> None:
    cutoff = (bot.clock.now() - seen.EVENT_RETENTION).isoformat(timespec="seconds")
    seen.prune(bot.db, list(bot.event_logs.values()), cutoff)


# The kernel's own timed work: forget redelivery ids older than a day, on every platform.
PRUNE_EVENTS = Task(seen.PRUNE_TASK_NAME, next_due=_events_due, run=_prune_events)
