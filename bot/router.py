"""The feature registry: which words, actions and timed tasks go to which handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.model import Incoming, Reply, User
from bot.scheduler import Task

if TYPE_CHECKING:
    from bot.core import Bot


@dataclass
class Turn:
    """One message being handled: the bot (context), what came in, and the command's arguments."""

    bot: Bot
    incoming: Incoming
    args: str = ""

    @property
    def user(self):
        return self.incoming.user

    @property
    def conversation(self):
        return self.incoming.conversation


Handler = Callable[[Turn], Awaitable[list[Reply]]]


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

    def retention_for(self, bot: Bot) -> str:
        return self.retention(bot) if callable(self.retention) else self.retention


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    handler: Handler
    help: str
    usage: str = ""
    organiser: bool = False

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


@dataclass
class Router:
    """Maps the first words of a message to a command, and action ids to handlers."""

    commands: list[Command] = field(default_factory=list)
    actions: dict[str, Handler] = field(default_factory=dict)
    fallback: Handler | None = None
    tasks: list[Task] = field(default_factory=list)
    personal_data: list[PersonalData] = field(default_factory=list)

    def command(self, phrase: str, *, help: str, usage: str = "", organiser: bool = False):
        """Register a handler for messages starting with `phrase` (case-insensitive)."""

        def register(handler: Handler) -> Handler:
            words = tuple(phrase.lower().split())
            if any(c.words == words for c in self.commands):
                raise ValueError(f"command '{phrase}' registered twice")
            self.commands.append(Command(words, handler, help, usage or phrase, organiser))
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

    def task(self, task: Task) -> None:
        """Register timed work (see bot.scheduler)."""
        self.tasks.append(task)

    def holds_personal_data(self, kind: PersonalData) -> None:
        """Register a kind of personal data (see bot.privacy)."""
        self.personal_data.append(kind)

    def match(self, text: str) -> tuple[Command, str] | None:
        """The longest command whose words start the text, with the rest as arguments."""
        words = text.split()
        lowered = [w.lower() for w in words]
        best: Command | None = None
        for command in self.commands:
            n = len(command.words)
            if tuple(lowered[:n]) == command.words and (best is None or n > len(best.words)):
                best = command
        if best is None:
            return None
        return best, " ".join(words[len(best.words):])

    def family(self, first_word: str) -> list[Command]:
        """Commands of two or more words that start with this word (e.g. every 'poll ...')."""
        first = first_word.lower()
        return [c for c in self.commands if len(c.words) > 1 and c.words[0] == first]

    def find_action(self, action_id: str) -> Handler | None:
        if action_id in self.actions:
            return self.actions[action_id]
        for key, handler in self.actions.items():
            if key.endswith(":") and action_id.startswith(key):
                return handler
        return None
