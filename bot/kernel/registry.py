"""The registry: which words, actions, middleware, lifecycle hooks and timed tasks go where.

Features fill it through their `register(registry)`; the composition root (bot.app) builds it
once, and adapters add their own tasks, personal data and config sections at build time.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bot.kernel.content import Content, Overlay, apply_overlays
from bot.kernel.model import Conversation, Incoming, Reply, User
from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    import click
    from aiohttp import web
    from sqlite_utils import Database

    from bot.kernel.config import Section
    from bot.kernel.context import Bot


@dataclass
class Turn:
    """One message being handled: the bot (context), what came in, and the command's arguments."""

    bot: Bot
    incoming: Incoming
    args: str = ""
    # Set by the question handler: how answering went ("answered", "unknown", "suggest", ...),
    # so that dispatch offers commands only when answering failed too. None: a middleware
    # answered (or nothing said).
    outcome: str | None = None

    @property
    def user(self) -> User:
        return self.incoming.user

    @property
    def conversation(self) -> Conversation:
        return self.incoming.conversation


Handler = Callable[[Turn], Awaitable[list[Reply]]]
# Middleware around answering a question: call `next(turn)` to go on, or return replies instead
# (as slack-bolt's `async_process(req, resp, next)` does).
Next = Callable[[Turn], Awaitable[list[Reply]]]
Middleware = Callable[[Turn, Next], Awaitable[list[Reply]]]

# Neutral lifecycle events, raised by the core (first contact) or by adapters (installed, removed).
LifecycleEvent = Literal["first_contact", "installed", "removed"]
# A hook gets the bot, the event's person (None when the platform names none) and conversation;
# the replies it returns are shown there (a welcome, say).
Hook = Callable[["Bot", "User | None", Conversation], Awaitable[list[Reply]]]
# Adds routes to the server's application; and background work as a cleanup context factory.
WebSetup = Callable[["web.Application", "Bot"], None]
Background = Callable[["Bot"], Callable[["web.Application"], AsyncIterator[None]]]
# A layer over the shipped content files, read from the database (which may be opened
# read-only, as `dtlbot ask` does): given the files' content, what to add, replace or retire.
ContentLayer = Callable[["Database", Content], Overlay]
# How a layer says which state it is in (cheap: read on every message, so that a change made
# by another process sharing the database is picked up at once).
LayerRevision = Callable[["Database"], str]


@dataclass(frozen=True)
class PersonalData:
    """One kind of data a feature keeps about a person, for `my data` and `forget me`."""

    name: str
    # How long it is kept, in plain words (shown by `my data` and the privacy notice);
    # a function of the bot when it depends on the config.
    retention: str | Callable[[Bot], str]
    # Plain-language lines describing what is held about this person (empty: nothing).
    describe: Callable[[Bot, User], list[str]]
    # Erase (or unlink) it; returns one sentence saying what was done.
    forget: Callable[[Bot, User], str]
    # The database tables it lives in (the privacy notice names each one).
    tables: tuple[str, ...] = ()
    # What exactly is stored, in plain words, for the privacy notice.
    summary: str = ""
    # True for data `forget me` keeps on purpose (the organisers' audit trail): its
    # confirmation lists it as kept, not among what is erased.
    kept: bool = False

    def retention_for(self, bot: Bot) -> str:
        return self.retention(bot) if callable(self.retention) else self.retention


# How a command's arguments parse: "none" (the phrase alone), "any" (free text, e.g. a poll's
# title), or a function of the arguments saying whether they fit. A message whose arguments do
# not fit is a question, not that command.
ArgRule = Literal["none", "any"] | Callable[[str], bool]

# Politeness and punctuation allowed around a command's exact words ("help please", "My data?").
_LEADING = re.compile(r"^(?:[\s\"'`“”‘’(\[]+|(?:please|pls|plz)\b[\s,]*)", re.I)
_TRAILING = re.compile(r"(?:[\s\"'`“”‘’?!.,;:)\]]+|[\s,]*\b(?:please|pls|plz|thanks))$", re.I)


def _strip(pattern: re.Pattern[str], text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, pattern.sub("", text)
    return text


def tidy_command_text(text: str) -> str:
    """The message without surrounding punctuation and a leading or trailing "please"."""
    return _strip(_TRAILING, _strip(_LEADING, text))


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    handler: Handler
    help: str
    usage: str = ""
    organiser: bool = False
    takes: ArgRule = "any"

    @property
    def phrase(self) -> str:
        return " ".join(self.words)

    def fits(self, args: str) -> bool:
        """Whether these arguments parse for this command (the exact phrase always does)."""
        if not args or self.takes == "any":
            return True
        if self.takes == "none":
            return False
        return bool(self.takes(args))


@dataclass
class Registry:
    """Maps the first words of a message to a command, action ids to handlers, and more."""

    commands: list[Command] = field(default_factory=list)
    actions: dict[str, Handler] = field(default_factory=dict)
    fallback: Handler | None = None
    middleware: list[Middleware] = field(default_factory=list)
    hooks: dict[str, list[Hook]] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    personal_data: list[PersonalData] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    cli_commands: list[Callable[[click.Group], None]] = field(default_factory=list)
    web_setups: list[WebSetup] = field(default_factory=list)
    background_work: list[Background] = field(default_factory=list)
    content_layers: list[ContentLayer] = field(default_factory=list)
    layer_revisions: list[LayerRevision] = field(default_factory=list)

    def command(self, phrase: str, *, help: str, usage: str = "", organiser: bool = False,
                takes: ArgRule = "any"):
        """Register a handler for messages starting with `phrase` (case-insensitive) whose
        remaining words fit `takes` (see ArgRule); any other message is a question."""

        def register(handler: Handler) -> Handler:
            words = tuple(phrase.lower().split())
            if any(c.words == words for c in self.commands):
                raise ValueError(f"command '{phrase}' registered twice")
            self.commands.append(
                Command(words, handler, help, usage or phrase, organiser, takes))
            return handler

        return register

    def action(self, action_id: str):
        """Register a handler for a button or form action; ids may end in ':' as a prefix."""

        def register(handler: Handler) -> Handler:
            if action_id in self.actions:
                raise ValueError(f"action '{action_id}' registered twice")
            self.actions[action_id] = handler
            return handler

        return register

    def questions(self, handler: Handler) -> Handler:
        """Register the one handler for messages that are not commands (the question answerer)."""
        if self.fallback is not None:
            raise ValueError("a question handler is registered already")
        self.fallback = handler
        return handler

    def use(self, middleware: Middleware) -> Middleware:
        """Add middleware around answering questions; each decides whether to call `next`."""
        self.middleware.append(middleware)
        return middleware

    def on(self, event: LifecycleEvent, hook: Hook) -> None:
        """Run `hook` on a lifecycle event (first contact, installed in or removed from a chat)."""
        self.hooks.setdefault(event, []).append(hook)

    def task(self, task: Task) -> None:
        """Register timed work (see bot.kernel.scheduler); a name is registered once."""
        if any(t.name == task.name for t in self.tasks):
            raise ValueError(f"task '{task.name}' registered twice")
        self.tasks.append(task)

    def holds_personal_data(self, kind: PersonalData) -> None:
        """Register a kind of personal data (see bot.features.privacy)."""
        self.personal_data.append(kind)

    def settings(self, section: Section) -> None:
        """Register a config file section (a [table] with its dataclass and env overrides)."""
        if any(s.name == section.name for s in self.sections):
            raise ValueError(f"config section '{section.name}' registered twice")
        self.sections.append(section)

    def cli(self, add: Callable[[click.Group], None]) -> None:
        """Register a function that adds commands to the `dtlbot` command line."""
        self.cli_commands.append(add)

    def http(self, setup: WebSetup) -> None:
        """Register a function that adds HTTP routes to the server (e.g. the calendar feed)."""
        self.web_setups.append(setup)

    def background(self, work: Background) -> None:
        """Register background work for a running server, as an aiohttp cleanup context."""
        self.background_work.append(work)

    def content_layer(self, layer: ContentLayer, revision: LayerRevision | None = None
                      ) -> ContentLayer:
        """Register a layer over the content files (applied, in order, whenever content loads);
        `revision` returns the revision its Overlay carries, so changes are picked up live."""
        self.content_layers.append(layer)
        if revision is not None:
            self.layer_revisions.append(revision)
        return layer

    def layers_revision(self, db: Database) -> str:
        """The revision of every layer that tells one, as `Content.revision` records it."""
        return "/".join(r for r in (revision(db) for revision in self.layer_revisions) if r)

    def layered(self, content: Content, db: Database | None) -> Content:
        """The files' content with every registered layer applied (none without a database)."""
        if db is None:
            return apply_overlays(content, [])
        return apply_overlays(content, [layer(db, content) for layer in self.content_layers])

    async def ask(self, turn: Turn) -> list[Reply]:
        """Answer a question: through every middleware in order, then the question handler."""
        if self.fallback is None:
            raise LookupError("no question handler is registered")

        async def step(index: int, turn: Turn) -> list[Reply]:
            if index == len(self.middleware):
                assert self.fallback is not None
                return await self.fallback(turn)
            return await self.middleware[index](turn, lambda t: step(index + 1, t))

        return await step(0, turn)

    async def emit(
        self, event: LifecycleEvent, bot: Bot, user: User | None, conversation: Conversation
    ) -> list[Reply]:
        """Run every hook for this event and gather the replies they return."""
        replies: list[Reply] = []
        for hook in self.hooks.get(event, []):
            replies += await hook(bot, user, conversation)
        return replies

    def _starting(self, text: str) -> list[tuple[Command, str]]:
        """Commands whose words start the (tidied) text, longest first, with their arguments."""
        # Command words are compared tidied; arguments are kept as typed (a poll title may
        # end in "?", a meeting's title is quoted), unless they are only punctuation or please.
        words = _strip(_LEADING, text).split()
        lowered = [w.lower() for w in tidy_command_text(text).split()]
        found = []
        for command in self.commands:
            n = len(command.words)
            if tuple(lowered[:n]) == command.words:
                args = " ".join(words[n:])
                found.append((command, args if tidy_command_text(args) else ""))
        return sorted(found, key=lambda item: -len(item[0].words))

    def match(self, text: str) -> tuple[Command, str] | None:
        """The longest command whose words start the text and whose arguments fit, with the
        arguments; None when the message is a question (e.g. "help me understand ARRS")."""
        for command, args in self._starting(text):
            if command.fits(args):
                return command, args
        return None

    def family(self, first_word: str) -> list[Command]:
        """Commands of two or more words that start with this word (e.g. every 'poll ...')."""
        first = first_word.lower()
        return [c for c in self.commands if len(c.words) > 1 and c.words[0] == first]

    def near(self, text: str) -> list[Command]:
        """Commands the text may have meant: those it starts with (arguments that did not
        fit) and the family of its first word; offered only when answering failed too."""
        words = tidy_command_text(text).split()
        if not words:
            return []
        found = [c for c, _ in self._starting(text)]
        found += [c for c in self.family(words[0]) if c not in found]
        return found

    def find(self, phrase: str) -> Command | None:
        """The command with exactly this phrase (any case, tidied), if any."""
        words = tuple(tidy_command_text(phrase).lower().split())
        return next((c for c in self.commands if c.words == words), None)

    def find_action(self, action_id: str) -> Handler | None:
        if action_id in self.actions:
            return self.actions[action_id]
        for key, handler in self.actions.items():
            if key.endswith(":") and action_id.startswith(key):
                return handler
        return None

