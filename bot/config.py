"""Configuration: typed dataclasses loaded from one TOML file plus environment overrides."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Confidence an answer needs, calibrated on tests/eval/questions.toml (see bench/qa.py).
DEFAULT_THRESHOLD = 0.28
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
CONFIG_ENV = "DTLBOT_CONFIG"
DEFAULT_CONFIG_FILE = "config.toml"


class ConfigError(ValueError):
    """A setting is missing, of the wrong type or out of range; names the key."""

    def __init__(self, key: str, reason: str):
        self.key = key
        self.reason = reason
        super().__init__(f"config: {key}: {reason}")


@dataclass
class StorageConfig:
    path: str = "dtlbot.db"


@dataclass
class ContentConfig:
    path: str = str(DEFAULT_CONTENT_DIR)


@dataclass
class AnswersConfig:
    # Answers scoring below this confidence (0 to 1) are refused as "I don't know".
    threshold: float = DEFAULT_THRESHOLD

    def validate(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError("answers.threshold", "must be between 0 and 1")


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 3978
    metrics: bool = False
    max_body_bytes: int = 1_048_576
    # The address people reach the server at (links such as the calendar feed);
    # empty means http://{host}:{port}.
    public_url: str = ""

    def validate(self) -> None:
        if not 0 < self.port < 65536:
            raise ConfigError("server.port", "must be between 1 and 65535")
        if self.max_body_bytes < 1024:
            raise ConfigError("server.max_body_bytes", "must be at least 1024")
        if self.public_url and not re.match(r"^https?://[^\s/]+", self.public_url):
            raise ConfigError("server.public_url", "must start with http:// or https://")

    @property
    def base_url(self) -> str:
        """The public base URL without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@dataclass
class WebchatConfig:
    # None means "on when the server listens on loopback only".
    enabled: bool | None = None
    open_admin: bool = True
    organisers: list[str] = field(default_factory=list)
    # Chat API rate limits: per person (name) and address, and per address for everyone on it.
    rate_per_minute: int = 60
    burst: int = 20
    address_rate_per_minute: int = 1200

    def validate(self) -> None:
        for key in ("rate_per_minute", "burst", "address_rate_per_minute"):
            if getattr(self, key) < 1:
                raise ConfigError(f"webchat.{key}", "must be 1 or more")


def _masked_repr(self: Any) -> str:
    """repr() that shows whether each secret is set, never its value."""
    parts = []
    for f in dataclasses.fields(self):
        value = getattr(self, f.name)
        shown = ("'***'" if value else "''") if f.name in SECRET_FIELDS else repr(value)
        parts.append(f"{f.name}={shown}")
    return f"{type(self).__name__}({', '.join(parts)})"


# Fields holding secrets: repr() shows only whether they are set.
SECRET_FIELDS = frozenset({"bot_token", "signing_secret", "app_token", "app_password"})


@dataclass
class SlackConfig:
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_base_url: str = ""
    organisers: list[str] = field(default_factory=list)
    # Socket Mode: seconds between keep-alive pings; a dead connection is replaced after a few.
    socket_ping_seconds: float = 10.0

    def validate(self) -> None:
        if self.api_base_url and not self.api_base_url.startswith(("https://", "http://")):
            raise ConfigError("slack.api_base_url", "must start with https:// (or http://)")
        if not 0.05 <= self.socket_ping_seconds <= 300:
            raise ConfigError("slack.socket_ping_seconds", "must be between 0.05 and 300")
        if self.bot_token and not (self.signing_secret or self.app_token):
            raise ConfigError(
                "slack.signing_secret",
                "set it (SLACK_SIGNING_SECRET) for HTTP events, or set slack.app_token "
                "(SLACK_APP_TOKEN) for Socket Mode",
            )

    __repr__ = _masked_repr


@dataclass
class TeamsConfig:
    enabled: bool = False
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    organisers: list[str] = field(default_factory=list)
    # The bot's public https address (the messaging endpoint's host); used for the app
    # package's valid domains and to host charts and exports too big for a message.
    public_url: str = ""
    # The app package's developer details (Teams shows them on the app's page).
    developer_name: str = ""
    website_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""

    def validate(self) -> None:
        """Checks that hold for every command; what serving needs is checked at start."""
        types = {"multitenant": "MultiTenant", "singletenant": "SingleTenant",
                 "userassignedmsi": "UserAssignedMSI"}
        if self.app_type.lower() not in types:
            raise ConfigError("teams.app_type", "must be MultiTenant, SingleTenant or "
                              "UserAssignedMSI")
        self.app_type = types[self.app_type.lower()]
        for key in ("public_url", "website_url", "privacy_url", "terms_url"):
            value = getattr(self, key)
            if value and not value.startswith("https://"):
                raise ConfigError(f"teams.{key}", "must start with https://")

    __repr__ = _masked_repr


@dataclass
class ForumConfig:
    title: str = "DTL Forum"
    rrule: str = ""
    start: datetime | None = None
    timezone: str = "Europe/London"
    duration_minutes: int = 90
    join_url: str = ""
    agenda_url: str = ""
    location: str = "Online"

    def validate(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                "forum.timezone", f"unknown time zone '{self.timezone}' (e.g. Europe/London)"
            ) from None
        if self.duration_minutes <= 0:
            raise ConfigError("forum.duration_minutes", "must be more than 0")
        if not self.rrule:
            return
        if self.start is None:
            raise ConfigError(
                "forum.start", "is needed with forum.rrule (e.g. 2026-01-08T13:00:00)"
            )
        if "DTSTART" in self.rrule.upper():
            raise ConfigError("forum.rrule", "give the first meeting in forum.start, not DTSTART")
        from bot.schedule import parse_rule

        try:
            rule = parse_rule(self.rrule, self.start, ZoneInfo(self.timezone))
            rule.after(self.start, inc=True)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                "forum.rrule",
                f"not a valid recurrence rule ({exc}); e.g. FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH",
            ) from None


OFFSET_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_offset(text: str) -> timedelta:
    """A reminder offset such as "7d", "1h", "30m" or "2w" as a timedelta; ValueError if bad."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"'{text}' is not an offset such as 7d, 1d, 1h or 30m")
    return timedelta(**{OFFSET_UNITS[match.group(2)]: int(match.group(1))})


@dataclass
class RemindersConfig:
    # How long before each meeting a reminder goes out: a number and m, h, d or w.
    offsets: list[str] = field(default_factory=lambda: ["7d", "1d", "1h"])
    # Conversation keys "platform:conversation_id" that always get reminders.
    channels: list[str] = field(default_factory=list)

    def validate(self) -> None:
        seen: dict[timedelta, str] = {}
        for i, offset in enumerate(self.offsets):
            try:
                delta = parse_offset(offset)
            except ValueError as exc:
                raise ConfigError(f"reminders.offsets[{i}]", str(exc)) from None
            if delta in seen:
                raise ConfigError(f"reminders.offsets[{i}]",
                                  f"'{offset}' is the same time as '{seen[delta]}'")
            seen[delta] = offset
        for i, key in enumerate(self.channels):
            platform, _, conversation = key.partition(":")
            if not platform.strip() or not conversation.strip():
                raise ConfigError(
                    f"reminders.channels[{i}]",
                    f"'{key}' is not a conversation key \"platform:conversation_id\" "
                    "(e.g. \"slack:C0123ABCD\")",
                )


@dataclass
class PollsConfig:
    named_export: bool = False


@dataclass
class PrivacyConfig:
    question_retention_days: int = 90

    def validate(self) -> None:
        if self.question_retention_days < 0:
            raise ConfigError("privacy.question_retention_days", "must be 0 or more")


@dataclass
class Config:
    storage: StorageConfig = field(default_factory=StorageConfig)
    content: ContentConfig = field(default_factory=ContentConfig)
    answers: AnswersConfig = field(default_factory=AnswersConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    webchat: WebchatConfig = field(default_factory=WebchatConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    teams: TeamsConfig = field(default_factory=TeamsConfig)
    forum: ForumConfig = field(default_factory=ForumConfig)
    reminders: RemindersConfig = field(default_factory=RemindersConfig)
    polls: PollsConfig = field(default_factory=PollsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    # Where the file came from, for messages; None for built-in defaults.
    source: str | None = None


# Environment variables that override a config key (secrets belong here, not in files).
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "SLACK_BOT_TOKEN": ("slack", "bot_token"),
    "SLACK_SIGNING_SECRET": ("slack", "signing_secret"),
    "SLACK_APP_TOKEN": ("slack", "app_token"),
    "MICROSOFT_APP_ID": ("teams", "app_id"),
    "MICROSOFT_APP_PASSWORD": ("teams", "app_password"),
    "MICROSOFT_APP_TENANT_ID": ("teams", "tenant_id"),
    "MICROSOFT_APP_TYPE": ("teams", "app_type"),
}


def find_config_path(explicit: str | None) -> Path | None:
    """The config file to use: --config, then $DTLBOT_CONFIG, then ./config.toml if present."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_config(path: str | Path | None, env: typing.Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file (None: built-in defaults), then apply env overrides."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("--config", f"no such file: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("--config", f"{path} is not valid TOML: {exc}") from None
    config = _build(Config, raw, prefix="")
    config.source = str(path) if path is not None else None
    for var, (section, key) in ENV_OVERRIDES.items():
        if env.get(var):
            setattr(getattr(config, section), key, env[var])
    # One public address serves every adapter unless Teams is given its own.
    config.teams.public_url = config.teams.public_url or config.server.public_url
    for f in dataclasses.fields(Config):
        section = getattr(config, f.name)
        if dataclasses.is_dataclass(section) and hasattr(section, "validate"):
            section.validate()
    return config


def _build(cls: type, raw: dict[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.name != "source"}
    for key in raw:
        if key not in known:
            raise ConfigError(prefix + key, f"unknown setting (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = {}
    for name in known:
        if name not in raw:
            continue
        hint = hints[name]
        value = raw[name]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(prefix + name, "must be a table ([" + name + "])")
            values[name] = _build(hint, value, prefix=f"{prefix}{name}.")
        else:
            values[name] = _coerce(prefix + name, hint, value)
    return cls(**values)


def _coerce(key: str, hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _coerce(key, options[0], value)
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(key, f"must be a list of {item.__name__}")
        return [_coerce(f"{key}[{i}]", item, v) for i, v in enumerate(value)]
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "must be a whole number")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(key, "must be a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, "must be a string (in quotes)")
        return value
    if hint is datetime:
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise ConfigError(key, "must be a local date-time such as 2026-01-08T13:00:00")
        return value
    if hint is date:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ConfigError(key, "must be a date such as 2026-01-08")
        return value
    raise ConfigError(key, f"unsupported setting type {hint!r}")
