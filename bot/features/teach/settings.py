"""The [teach] config section: where organisers get the monthly nudge about stale content."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.config import ConfigError, Section


@dataclass
class TeachConfig:
    # Conversation keys ("platform:conversation_id") that get the monthly list of entries
    # past their review-by date, e.g. the organisers' own channel.
    nudge_channels: list[str] = field(default_factory=list)
    # The day of the month the nudge is posted (1 to 28), at 09:00 UTC.
    nudge_day: int = 1
    # A new or edited entry is due a review this many months on (the form's default).
    review_months: int = 12

    def validate(self) -> None:
        if not 1 <= self.nudge_day <= 28:
            raise ConfigError("teach.nudge_day", "must be a day of the month from 1 to 28")
        if not 1 <= self.review_months <= 60:
            raise ConfigError("teach.review_months", "must be from 1 to 60")
        for key in self.nudge_channels:
            if ":" not in key:
                raise ConfigError("teach.nudge_channels",
                                  f"'{key}' is not a conversation key 'platform:id'")


SECTION = Section("teach", TeachConfig)
