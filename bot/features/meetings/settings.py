"""The [forum] and [reminders] config sections: the schedule and when reminders go out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.features.meetings.rules import check_rule
from bot.kernel.config import ConfigError, Section, distinct_durations, parse_duration


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
        if not 0 < self.duration_minutes <= MAX_DURATION_MINUTES:
            raise ConfigError("forum.duration_minutes",
                              f"must be from 1 to {MAX_DURATION_MINUTES} (a day)")
        if not self.rrule:
            return
        if self.start is None:
            raise ConfigError(
                "forum.start", "is needed with forum.rrule (e.g. 2026-01-08T13:00:00)"
            )
        if "DTSTART" in self.rrule.upper():
            raise ConfigError("forum.rrule", "give the first meeting in forum.start, not DTSTART")
        try:
            check_rule(self.rrule, self.start, ZoneInfo(self.timezone))
        except (ValueError, TypeError, OverflowError) as exc:
            raise ConfigError(
                "forum.rrule",
                f"not a valid recurrence rule ({exc}); e.g. FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH",
            ) from None


MAX_DURATION_MINUTES = 24 * 60


def parse_offset(text: object) -> timedelta:
    """A reminder offset such as "7d", "1h", "30m" or "2w" as a timedelta; ValueError if bad."""
    return parse_duration(text, "an offset such as 7d, 1d, 1h or 30m")


@dataclass
class RemindersConfig:
    # How long before each meeting a reminder goes out: a number and m, h, d or w.
    offsets: list[str] = field(default_factory=lambda: ["7d", "1d", "1h"])
    # Conversation keys "platform:conversation_id" that always get reminders.
    channels: list[str] = field(default_factory=list)

    def validate(self) -> None:
        distinct_durations("reminders.offsets", self.offsets, parse_offset)
        for i, key in enumerate(self.channels):
            platform, _, conversation = key.partition(":")
            if not platform.strip() or not conversation.strip():
                raise ConfigError(
                    f"reminders.channels[{i}]",
                    f"'{key}' is not a conversation key \"platform:conversation_id\" "
                    "(e.g. \"slack:C0123ABCD\")",
                )


SECTIONS = (Section("forum", ForumConfig), Section("reminders", RemindersConfig))
