"""The forum's meetings: the schedule, chat commands, the calendar feed and reminders."""

from __future__ import annotations

from bot.features.meetings import calendar, cli, commands, reminders, settings
from bot.kernel.registry import Registry


def register(registry: Registry) -> None:
    for section in settings.SECTIONS:
        registry.settings(section)
    commands.register(registry)
    reminders.register(registry)
    registry.http(calendar.add_routes)
    registry.cli(cli.add_commands)
