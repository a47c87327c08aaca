"""The [polls] config section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from bot.kernel.config import ConfigError, Section

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
RESULTS_WHILE_OPEN = ("organisers", "hidden")


def parse_nudge(text: str) -> timedelta:
    """How long before a poll closes a nudge goes out ("72h", "1d", "30m", "1w")."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", str(text).lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"'{text}' is not a time before closing such as 72h, 24h, 1d or 30m")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


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
        seen: dict[timedelta, str] = {}
        for i, nudge in enumerate(self.nudges):
            try:
                delta = parse_nudge(nudge)
            except ValueError as exc:
                raise ConfigError(f"polls.nudges[{i}]", str(exc)) from None
            if delta in seen:
                raise ConfigError(f"polls.nudges[{i}]",
                                  f"'{nudge}' is the same time as '{seen[delta]}'")
            seen[delta] = nudge
        if self.results_while_open not in RESULTS_WHILE_OPEN:
            raise ConfigError("polls.results_while_open",
                              f"'{self.results_while_open}' is not one of "
                              + " or ".join(f'"{v}"' for v in RESULTS_WHILE_OPEN))

    def nudge_offsets(self) -> list[tuple[str, timedelta]]:
        """The nudges, earliest (furthest from closing) first."""
        return sorted(((n, parse_nudge(n)) for n in self.nudges), key=lambda x: -x[1])


SECTION = Section("polls", PollsConfig)
