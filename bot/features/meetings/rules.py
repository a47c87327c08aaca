"""Recurrence rules: the forum's RRULE read on its wall-clock times."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr


def parse_rule(text: str, start: datetime, zone: ZoneInfo) -> rrule:
    """The rule on naive wall-clock times; an UNTIL in UTC ("...Z", as RFC 5545 has it with a
    TZID start) is turned into the forum's local time first."""

    def local(match: re.Match[str]) -> str:
        until = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return f"UNTIL={until.astimezone(zone):%Y%m%dT%H%M%S}"

    return rrulestr(re.sub(r"UNTIL=(\d{8}T\d{6})Z", local, text, flags=re.IGNORECASE),
                    dtstart=start)
