"""The [polls] config section."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.kernel.config import ConfigError, Section, distinct_durations, parse_duration

RESULTS_WHILE_OPEN = ("organisers", "hidden")


def parse_nudge(text: object) -> timedelta:
    """How long before a poll closes a nudge goes out ("72h", "1d", "30m", "1w")."""
    return parse_duration(text, "a time before closing such as 72h, 24h, 1d or 30m")


@dataclass
class PollsConfig:
    named_export: bool = False
    # How long before a poll closes the people who have not voted get a direct message.
    nudges: list[str] = field(default_factory=lambda: ["72h", "24h"])
    # Who sees the results of an open poll: "organisers", or nobody ("hidden") until it closes.
    results_while_open: str = "organisers"

    def validate(self) -> None:
        if not isinstance(self.nudges, list):
            raise ConfigError("polls.nudges", 'must be a list such as ["72h", "24h"] ([] for none)')
        distinct_durations("polls.nudges", self.nudges, parse_nudge)
        if self.results_while_open not in RESULTS_WHILE_OPEN:
            raise ConfigError("polls.results_while_open",
                              f"'{self.results_while_open}' is not one of "
                              + " or ".join(f'"{v}"' for v in RESULTS_WHILE_OPEN))

    def nudge_offsets(self) -> list[tuple[str, timedelta]]:
        """The nudges, earliest (furthest from closing) first."""
        return sorted(((n, parse_nudge(n)) for n in self.nudges), key=lambda x: -x[1])


SECTION = Section("polls", PollsConfig)
