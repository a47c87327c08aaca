"""Small helpers for the words in replies: counted nouns without "(s)", times in UK time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def plural(count: int, singular: str, many: str | None = None) -> str:
    """"1 question", "2 questions", "0 questions"; `many` for irregular plurals."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def zone_label(zone: str) -> str:
    """How a time zone is named to people: "UK time" for Europe/London, else its name."""
    return "UK time" if zone == "Europe/London" else zone


def local_time(moment: datetime, zone: str = "Europe/London") -> str:
    """A moment as people read it, in `zone`: e.g. "Tue 1 Dec 2026, 17:00 UK time"."""
    shown = moment.astimezone(ZoneInfo(zone))
    return f"{shown:%a} {shown.day} {shown:%b %Y, %H:%M} {zone_label(zone)}"


def example_date(now: datetime, weeks: int = 4) -> str:
    """A date for an example in help text, a few weeks from `now` (never in the past)."""
    return f"{(now + timedelta(weeks=weeks)).date():%Y-%m-%d}"


def with_examples(text: str, now: datetime) -> str:
    """Help text with its example dates filled in from today: `{date}` (four weeks ahead)
    and `{later_date}` (five weeks ahead), so an example never names a day gone by."""
    return (text.replace("{date}", example_date(now, 4))
            .replace("{later_date}", example_date(now, 5)))
