"""The [forum] and [reminders] config sections: the schedule and when reminders go out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.features.meetings.rules import parse_rule
from bot.kernel.config import ConfigError, Section


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


SECTIONS = (Section("forum", ForumConfig), Section("reminders", RemindersConfig))
