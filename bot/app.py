"""The composition root: the features and adapters in use, and the one way to build the bot."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType

from bot.kernel.answers import AnswerIndex
from bot.kernel.answers.semantic import embedder_for
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.config import Config
from bot.kernel.config import load_config as load_sections
from bot.kernel.content import load_content
from bot.kernel.context import PRUNE_EVENTS, Bot
from bot.kernel.identity import load_secret
from bot.kernel.registry import Registry
from bot.kernel.storage import open_database

# Each exposes register(registry). The order is the order of `help`, `my data` and the docs.
FEATURES: tuple[str, ...] = (
    # First: its introduction leads what first contact shows (other features add to it).
    "bot.features.welcome",
    "bot.features.help",
    "bot.features.qa",
    "bot.features.teach",
    "bot.features.meetings",
    "bot.features.polls",
    "bot.features.peers",
    "bot.features.privacy",
    "bot.features.ops",
)
# Each exposes register(registry), enabled(config) -> bool and setup(app, bot); routes are named
# "ADAPTER.what" (e.g. "webchat.messages") so requests are logged and counted per adapter.
ADAPTERS: tuple[str, ...] = ("adapters.webchat", "adapters.teams", "adapters.slack")


def adapter_modules() -> list[tuple[str, ModuleType]]:
    """(name, module) for every adapter, e.g. ("slack", adapters.slack)."""
    return [(name.rsplit(".", 1)[1], importlib.import_module(name)) for name in ADAPTERS]


def build_registry(features: Sequence[str] = FEATURES) -> Registry:
    """A registry with the kernel's own tasks, every feature and every adapter registered."""
    registry = Registry()
    registry.task(PRUNE_EVENTS)
    for name in features:
        importlib.import_module(name).register(registry)
    for _, module in adapter_modules():
        module.register(registry)
    return registry


@cache
def default_registry() -> Registry:
    """The registry of the features above, built once per process (it holds no state)."""
    return build_registry()


def load_config(path: str | Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file with every feature's and adapter's section."""
    return load_sections(path, env, default_registry().sections)


def create_bot(
    config: Config,
    *,
    clock: Clock | None = None,
    env: Mapping[str, str] | None = None,
    registry: Registry | None = None,
) -> Bot:
    """Open the database, load and index the content, and register every feature."""
    db = open_database(config.storage.path)
    registry = registry or build_registry()
    content = registry.layered(load_content(config.content.path), db)
    return Bot(
        config=config,
        db=db,
        content=content,
        answers=AnswerIndex(content, config.answers.threshold, semantic=embedder_for(config)),
        registry=registry,
        clock=clock or SystemClock(),
        secret=load_secret(db, dict(env) if env is not None else None),
    )
