"""Recurrence rules: the forum's RRULE read on its wall-clock times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

# The forum meets every few weeks: a rule may not meet more often than daily, and no window
# of the schedule is ever expanded past this many meetings.
MAX_EXPANSION = 5000
TOO_OFTEN = {"SECONDLY", "MINUTELY", "HOURLY"}
CLOSEST = timedelta(hours=20)


def check_rule(text: str, start: datetime, zone: ZoneInfo) -> rrule:
    """The rule, or ValueError when it is not one or meets more often than once a day."""
    freq = re.search(r"FREQ=(\w+)", text, re.IGNORECASE)
    if freq and freq.group(1).upper() in TOO_OFTEN:
        raise ValueError(f"FREQ={freq.group(1).upper()} meets more often than daily; "
                         "the forum's rule must be DAILY or less often")
    rule = parse_rule(text, start, zone)
    first = list(islice(rule, 50))
    if any(b - a < CLOSEST for a, b in zip(first, first[1:], strict=False)):
        raise ValueError("it gives meetings less than a day apart; use one time of day")
    return rule


def expand(rule: rrule, low: datetime, high: datetime) -> list[datetime]:
    """The rule's starts in [low, high], at most MAX_EXPANSION of them."""
    found = []
    for start in islice(rule.xafter(low, inc=True), MAX_EXPANSION):
        if start > high:
            break
        found.append(start)
    return found


def parse_rule(text: str, start: datetime, zone: ZoneInfo) -> rrule:
    """The rule on naive wall-clock times; an UNTIL in UTC ("...Z", as RFC 5545 has it with a
    TZID start) is turned into the forum's local time first."""

    def local(match: re.Match[str]) -> str:
        until = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return f"UNTIL={until.astimezone(zone):%Y%m%dT%H%M%S}"

    return rrulestr(re.sub(r"UNTIL=(\d{8}T\d{6})Z", local, text, flags=re.IGNORECASE),
                    dtstart=start)
