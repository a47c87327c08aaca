"""Configuration: typed dataclasses loaded from one TOML file plus environment overrides."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

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
    threshold: float = 0.0

    def validate(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError("answers.threshold", "must be between 0 and 1")


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 3978
    metrics: bool = False
    max_body_bytes: int = 1_048_576

    def validate(self) -> None:
        if not 0 < self.port < 65536:
            raise ConfigError("server.port", "must be between 1 and 65535")
        if self.max_body_bytes < 1024:
            raise ConfigError("server.max_body_bytes", "must be at least 1024")


@dataclass
class WebchatConfig:
    # None means "on when the server listens on loopback only".
    enabled: bool | None = None
    open_admin: bool = True
    organisers: list[str] = field(default_factory=list)


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


@dataclass
class TeamsConfig:
    enabled: bool = False
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    organisers: list[str] = field(default_factory=list)


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


@dataclass
class RemindersConfig:
    offsets: list[str] = field(default_factory=lambda: ["7d", "1d", "1h"])
    channels: list[str] = field(default_factory=list)


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
