"""Configuration: typed dataclasses loaded from one TOML file plus environment overrides."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# Confidence an answer needs, calibrated on tests/eval/questions.toml (see bench/qa.py).
DEFAULT_THRESHOLD = 0.28
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
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
    # Fuse a semantic signal (wordllama's bundled static embeddings, never downloaded) with
    # the lexical ones; needs the optional package (pip install 'dtlbot[semantic]').
    semantic: bool = False

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
    # At most this many turns wait for the bot's core at once; the next is told it is busy.
    max_waiting_turns: int = 500

    def validate(self) -> None:
        if self.max_waiting_turns < 1:
            raise ConfigError("server.max_waiting_turns", "must be at least 1")
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
class PrivacyConfig:
    question_retention_days: int = 90

    def validate(self) -> None:
        if self.question_retention_days < 0:
            raise ConfigError("privacy.question_retention_days", "must be 0 or more")


@dataclass(frozen=True)
class Section:
    """A [table] of the config file owned by a feature or an adapter.

    `env` maps environment variables to the fields they override (secrets belong there, not in
    files); `secrets` names the fields whose values must never be shown or logged; `resolve`
    fills defaults that depend on other sections, before every section is validated.
    """

    name: str
    type: type
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    resolve: Callable[[Config], None] | None = None


def masked_repr(self: Any) -> str:
    """repr() that shows whether each secret field is set, never its value."""
    secrets = getattr(self, "SECRETS", ())
    parts = []
    for f in dataclasses.fields(self):
        value = getattr(self, f.name)
        shown = ("'***'" if value else "''") if f.name in secrets else repr(value)
        parts.append(f"{f.name}={shown}")
    return f"{type(self).__name__}({', '.join(parts)})"


@dataclass
class Config:
    """The core's own settings, plus one object per registered section (`config.slack`...)."""

    storage: StorageConfig = field(default_factory=StorageConfig)
    content: ContentConfig = field(default_factory=ContentConfig)
    answers: AnswersConfig = field(default_factory=AnswersConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    # Registered sections by name, with the Section that describes each.
    sections: dict[str, Any] = field(default_factory=dict, repr=False)
    section_specs: tuple[Section, ...] = field(default=(), repr=False)
    # Where the file came from, for messages; None for built-in defaults.
    source: str | None = None

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: a registered section such as `config.forum`.
        sections = self.__dict__.get("sections")
        if sections is not None and name in sections:
            return sections[name]
        raise AttributeError(f"config has no section '{name}'")

    def secret_values(self) -> list[str]:
        """Every secret value set in any section (so the log handler can blank them out)."""
        values = []
        for spec in self.section_specs:
            section = self.sections[spec.name]
            values += [getattr(section, key) for key in spec.secrets if getattr(section, key)]
        return values


DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_DURATION = timedelta(days=366)


def parse_duration(text: object, what: str) -> timedelta:
    """A time such as "7d", "72h", "30m" or "2w" (at most a year) as a timedelta; ValueError
    naming `what` it should be (e.g. "an offset such as 7d, 1d, 1h or 30m") if not."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", str(text).lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"'{text}' is not {what}")
    number, unit = int(match.group(1)), DURATION_UNITS[match.group(2)]
    if number > MAX_DURATION / timedelta(**{unit: 1}):
        raise ValueError(f"'{text}' is more than a year")
    return timedelta(**{unit: number})


def distinct_durations(key: str, values: typing.Sequence[object],
                       parse: typing.Callable[[object], timedelta]) -> None:
    """Each of a list setting's times parses, and no two are the same time (named errors)."""
    seen: dict[timedelta, object] = {}
    for i, value in enumerate(values):
        try:
            delta = parse(value)
        except ValueError as exc:
            raise ConfigError(f"{key}[{i}]", str(exc)) from None
        if delta in seen:
            raise ConfigError(f"{key}[{i}]", f"'{value}' is the same time as '{seen[delta]}'")
        seen[delta] = value


CORE_SECTIONS = ("storage", "content", "answers", "server", "privacy")


def find_config_path(explicit: str | None) -> Path | None:
    """The config file to use: --config, then $DTLBOT_CONFIG, then ./config.toml if present."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_config(
    path: str | Path | None,
    env: typing.Mapping[str, str] | None = None,
    sections: typing.Sequence[Section] = (),
) -> Config:
    """Read and validate a config file (None: built-in defaults), then apply env overrides.

    `sections` are the tables that features and adapters registered (bot.app passes them all).
    """
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
    known = set(CORE_SECTIONS) | {s.name for s in sections}
    for key in raw:
        if key not in known:
            raise ConfigError(key, f"unknown setting (known: {', '.join(sorted(known))})")
    core = {name: raw[name] for name in CORE_SECTIONS if name in raw}
    config = _build(Config, core, prefix="")
    config.section_specs = tuple(sections)
    for spec in sections:
        value = raw.get(spec.name, {})
        if not isinstance(value, dict):
            raise ConfigError(spec.name, "must be a table ([" + spec.name + "])")
        config.sections[spec.name] = _build(spec.type, value, prefix=f"{spec.name}.")
    config.source = str(path) if path is not None else None
    for spec in sections:
        for var, key in spec.env.items():
            if env.get(var):
                setattr(config.sections[spec.name], key, env[var])
    for spec in sections:
        if spec.resolve is not None:
            spec.resolve(config)
    for name in CORE_SECTIONS:
        _validate(getattr(config, name))
    for spec in sections:
        _validate(config.sections[spec.name])
    return config


def _validate(section: Any) -> None:
    if hasattr(section, "validate"):
        section.validate()


def _build(cls: type, raw: dict[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)} - {"source", "sections", "section_specs"}
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
