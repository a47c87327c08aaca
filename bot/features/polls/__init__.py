"""Priority polls: the store, ballots, results, chart and chat commands."""

from __future__ import annotations

from bot.features.polls import cli, commands, settings
from bot.kernel.registry import Registry


def register(registry: Registry) -> None:
    registry.settings(settings.SECTION)
    commands.register(registry)
    registry.cli(cli.add_commands)
