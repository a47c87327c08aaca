"""The neutral conversation model that every adapter translates to and from."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal


@dataclass(frozen=True)
class User:
    """Who is speaking: a platform's user id, as the adapter saw it."""

    platform: str
    id: str
    name: str = ""
    is_organiser: bool = False

    @property
    def key(self) -> str:
        """A stable key for this person on this platform (never shown to others)."""
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True)
class Conversation:
    """Where a message came from, with what an adapter needs to post there later."""

    platform: str
    id: str
    is_direct: bool = True
    # Adapter-specific, JSON-serialisable data (a Teams conversation reference,
    # a Slack thread timestamp...). The core stores it but never reads inside it.
    reference: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # True where the reference changes and must be kept current for later posts (Teams' service
    # URL): the core then stores it on every message, not only when a feature asks.
    keep_reference: bool = field(default=False, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True)
class Action:
    """A button press or a form submission: which action, and the values chosen."""

    id: str
    value: str = ""
    values: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Incoming:
    """One message to the bot: typed text, or an action from a button or form."""

    user: User
    conversation: Conversation
    text: str = ""
    action: Action | None = None


@dataclass(frozen=True)
class Button:
    """A button. Pressing it sends `action`; a `url` button opens a link instead."""

    label: str
    action: Action
    style: Literal["primary", "danger"] | None = None
    url: str | None = None


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class ChoiceField:
    """One choice input of a form (a select or radio group)."""

    id: str
    label: str
    options: tuple[Option, ...]
    initial: str | None = None
    required: bool = True
    error: str | None = None
    # A heading shared by consecutive fields (e.g. one item's several questions): adapters
    # show it once, above the first of them.
    group: str = ""


@dataclass(frozen=True)
class TextField:
    """One free-text input of a form."""

    id: str
    label: str
    initial: str | None = None
    required: bool = False
    max_length: int = 200
    error: str | None = None
    group: str = ""
    # Several lines (an answer's text), where the platform offers it.
    multiline: bool = False


@dataclass(frozen=True)
class Form:
    """A form. Submitting it sends Action(id=form.id, values={field id: value}).

    A form returned with `error` or field errors in reply to its own submission
    means "not accepted": adapters keep it open (or re-show it) with the errors
    and the values the person chose.
    """

    id: str
    title: str
    fields: tuple[ChoiceField | TextField, ...]
    submit_label: str = "Submit"
    intro: str = ""
    error: str | None = None
    # The words that do the same as the form, for platforms without forms.
    text_hint: str = ""
    # Ids of choice fields that together put items in order (each a place 1..n, used once): an
    # adapter that can may let people order the items (the fields' groups) by moving them, and
    # fills these fields with the places. Others show the fields as they are.
    orders: tuple[str, ...] = ()
    # For a form filled in with one person's values (a ballot): the action that asks for it
    # afresh, so that anyone else who opens it from a shared place gets their own.
    reopen: Action | None = None

    @property
    def has_errors(self) -> bool:
        return bool(self.error) or any(f.error for f in self.fields)

    def blank(self) -> Form:
        """The same form with nobody's values in it (for a shared conversation)."""
        return replace(self, fields=tuple(replace(f, initial=None) for f in self.fields))


@dataclass(frozen=True)
class Image:
    """An image (PNG bytes) with the alt text that describes it."""

    data: bytes
    alt: str
    filename: str = "image.png"
    mime: str = "image/png"


@dataclass(frozen=True)
class File:
    """A file to send (a CSV export, an .ics calendar)."""

    data: bytes
    filename: str
    mime: str = "text/plain"
    title: str = ""


@dataclass(frozen=True)
class Mention:
    """A way to reach a person, which each adapter renders its own way.

    Reply text names mention i of `Reply.mentions` with the token from
    bot.kernel.markup.mention_token(i). Slack renders a person on Slack as `<@U…>`; every
    platform can show `link` (a Teams chat deep link); elsewhere the name is shown, as text.
    Made by the person's own adapter (Bot.mention_of); kept only with their consent.
    """

    platform: str
    id: str
    name: str = ""
    # A URL that opens a chat with the person from any platform, if theirs has one.
    link: str = ""
    # Their platform as people call it ("Slack", "the web chat"), shown beside the name
    # elsewhere (bot.platform(id).name).
    where: str = ""


@dataclass(frozen=True)
class Platform:
    """What the core may know of a platform, as its adapter describes it (never its API)."""

    # As people call it: "Slack", "Teams", "the web chat".
    name: str
    # How other DTLs can reach a person there, in plain words (shown before they agree).
    reach: str = ""
    # Whether a File reply arrives as a file (else the adapter shows its text or a link).
    takes_files: bool = True
    # No surface of its own for the introduction (no page, no install event): a person's first
    # direct message gets it.
    introduce_on_first_message: bool = False


@dataclass(frozen=True)
class Reply:
    """What the bot says: text in the Markdown subset, plus optional extras.

    The Markdown subset is **bold**, _italic_, `code`, [text](url) and lines
    starting with "- " for bullets; see bot.markup.
    """

    text: str = ""
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    image: Image | None = None
    file: File | None = None
    # People named in the text by mention tokens (see Mention).
    mentions: tuple[Mention, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (bytes as base64), used by the web chat and `--json` output."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
