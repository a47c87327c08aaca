"""The forum's meetings: the schedule, chat commands, the calendar feed, reminders, RSVPs, the
agenda DTLs propose and vote on, changes pushed at once, and notes after a meeting."""

from __future__ import annotations

from bot.features.meetings import (
    agenda,
    calendar,
    cli,
    commands,
    notes,
    notices,
    reminders,
    rsvp,
    settings,
)
from bot.kernel.registry import Registry


def register(registry: Registry) -> None:
    for section in settings.SECTIONS:
        registry.settings(section)
    commands.register(registry)
    reminders.register(registry)
    rsvp.register(registry)
    agenda.register(registry)
    notices.register(registry)
    notes.register(registry)
    registry.http(calendar.add_routes)
    registry.cli(cli.add_commands)
