"""The forum teaches the bot: organisers answer what it could not, from chat."""

from __future__ import annotations

from bot.features.teach import commands
from bot.kernel.registry import Registry


def register(registry: Registry) -> None:
    commands.register(registry)
