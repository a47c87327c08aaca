"""The forum's schedule: the configured series plus one-offs, skips and moves from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule
from sqlite_utils import Database

from bot.features.meetings.rules import expand, parse_rule
from bot.features.meetings.settings import ForumConfig

if TYPE_CHECKING:
    from bot.kernel.context import Bot

Kind = Literal["series", "moved", "one-off"]
# How far ahead `upcoming` looks, widening only while it has found too few meetings.
HORIZONS = (timedelta(days=100), timedelta(days=400), timedelta(days=3700))


def iso_utc(moment: datetime) -> str:
    """How times are stored: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True)
class Meeting:
    """One meeting as it will happen: start and end in the forum's zone, where, and what kind."""

    uid: str
    start: datetime
    end: datetime
    title: str
    location: str
    join_url: str
    agenda_url: str
    kind: Kind
    # For series and moved meetings: the start the rule gives (the iCalendar RECURRENCE-ID).
    original_start: datetime | None = None
    # For one-offs: the row id in the meetings table.
    meeting_id: int | None = None
    # When an organiser last added or moved it (None: as the configured rule has it).
    changed_at: datetime | None = None
    # The iCalendar SEQUENCE: raised each time an organiser moves it.
    sequence: int = 0

    @property
    def key(self) -> str:
        """Identifies this meeting at this time, for reminder records: a moved meeting gets a
        new key (so new reminders), and a series meeting keeps its key if only the rule's
        first meeting (and so the UID) is edited in the config."""
        owner = self.uid if self.kind == "one-off" else "forum"
        return f"{owner}/{self.start.astimezone(UTC):%Y%m%dT%H%M%SZ}"

    @property
    def ref(self) -> str:
        """Identifies this meeting whatever its time: a moved meeting keeps its ref (so its
        RSVPs, agenda and notes), as the iCalendar RECURRENCE-ID does for a series meeting."""
        if self.kind == "one-off":
            return f"meeting-{self.meeting_id}"
        assert self.original_start is not None
        return f"forum/{self.original_start.astimezone(UTC):%Y%m%dT%H%M%SZ}"

    @property
    def day(self) -> str:
        """Its date in the forum's zone, YYYY-MM-DD (as in /forum/YYYY-MM-DD.ics)."""
        return f"{self.start:%Y-%m-%d}"


@dataclass
class Schedule:
    """Every meeting of the forum: evaluate with `between`, `upcoming` and `on_date`."""

    forum: ForumConfig
    zone: ZoneInfo
    # Series changes keyed by the rule's start (UTC): (action, new start, changed at),
    # action "skip" (new start None) or "move".
    changes: dict[datetime, tuple[str, datetime | None, datetime]] = field(default_factory=dict)
    one_offs: list[dict] = field(default_factory=list)
    # The SEQUENCE of each changed series meeting, keyed as `changes`.
    sequences: dict[datetime, int] = field(default_factory=dict)

    @classmethod
    def load(cls, bot: Bot) -> Schedule:
        return cls.from_db(bot.config.forum, bot.db)

    @classmethod
    def from_db(cls, forum: ForumConfig, db: Database) -> Schedule:
        changes = {
            from_iso(row["original_start"]): (
                row["action"],
                from_iso(row["new_start"]) if row["new_start"] else None,
                from_iso(row["changed_at"]),
            )
            for row in db["meeting_changes"].rows
        }
        sequences = {from_iso(row["original_start"]): row.get("sequence") or 0
                     for row in db["meeting_changes"].rows}
        one_offs = list(db["meetings"].rows_where("cancelled_at is null", order_by="starts_at"))
        return cls(forum, ZoneInfo(forum.timezone), changes, one_offs, sequences)

    @property
    def has_series(self) -> bool:
        return bool(self.forum.rrule and self.forum.start)

    @property
    def is_empty(self) -> bool:
        """No rule in the config and no one-off meetings: nothing to show."""
        return not self.has_series and not self.one_offs

    @property
    def series_uid(self) -> str:
        # Depends only on the first meeting, so calendar apps update the series in place.
        assert self.forum.start is not None
        return f"forum-{self.forum.start:%Y%m%dT%H%M%S}@dtlbot"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.forum.duration_minutes)

    def rule(self) -> rrule:
        assert self.forum.start is not None
        return parse_rule(self.forum.rrule, self.forum.start, self.zone)

    def localize(self, naive: datetime) -> datetime:
        """A wall-clock time in the forum's zone as an aware datetime (normalised in a DST gap)."""
        return naive.replace(tzinfo=self.zone).astimezone(UTC).astimezone(self.zone)

    def series_starts(self, after: datetime, before: datetime) -> list[datetime]:
        """The rule's own starts in [after, before), evaluated on the forum's wall clock."""
        if not self.has_series:
            return []
        # The rule runs on naive local times, so 13:00 stays 13:00 across clock changes.
        low = after.astimezone(self.zone).replace(tzinfo=None) - timedelta(days=1)
        high = before.astimezone(self.zone).replace(tzinfo=None) + timedelta(days=1)
        starts = [self.localize(n) for n in expand(self.rule(), low, high)]
        return [s for s in starts if after <= s < before]

    def series_meeting(
        self, start: datetime, original: datetime, kind: Kind, changed_at: datetime | None = None
    ) -> Meeting:
        forum = self.forum
        local = start.astimezone(self.zone)
        sequence = 0
        if kind == "moved":
            sequence = max(1, self.sequences.get(original.astimezone(UTC), 1))
        return Meeting(
            uid=self.series_uid,
            start=local,
            end=local + self.duration,
            title=forum.title,
            location=forum.location,
            join_url=forum.join_url,
            agenda_url=forum.agenda_url,
            kind=kind,
            original_start=original.astimezone(self.zone),
            changed_at=changed_at,
            sequence=sequence,
        )

    def one_off(self, row: dict) -> Meeting:
        forum = self.forum
        start = from_iso(row["starts_at"]).astimezone(self.zone)
        location = row["location"] or ""
        return Meeting(
            uid=f"meeting-{row['id']}@dtlbot",
            start=start,
            end=start + timedelta(minutes=row["duration_minutes"] or forum.duration_minutes),
            title=row["title"] or forum.title,
            location=location or forum.location,
            # A one-off with its own place is in person; otherwise it uses the usual link.
            join_url="" if location else forum.join_url,
            agenda_url=forum.agenda_url,
            kind="one-off",
            meeting_id=row["id"],
            changed_at=from_iso(row["changed_at"]),
            sequence=row.get("sequence") or 0,
        )

    def between(self, after: datetime, before: datetime) -> list[Meeting]:
        """Meetings starting in [after, before), soonest first; skipped ones left out."""
        meetings: list[Meeting] = []
        for start in self.series_starts(after, before):
            if start.astimezone(UTC) not in self.changes:
                meetings.append(self.series_meeting(start, start, "series"))
        for original, (action, new_start, changed_at) in self.changes.items():
            if action == "move" and new_start is not None and after <= new_start < before:
                meetings.append(self.series_meeting(new_start, original, "moved", changed_at))
        for row in self.one_offs:
            meeting = self.one_off(row)
            if after <= meeting.start < before:
                meetings.append(meeting)
        return sorted(meetings, key=lambda m: (m.start, m.uid))

    def upcoming(self, now: datetime, count: int) -> list[Meeting]:
        """The next `count` meetings that have not ended by `now`, soonest first."""
        # Start a little earlier so that a meeting in progress is included.
        since = now - timedelta(days=1)
        found: list[Meeting] = []
        for horizon in HORIZONS:
            found = [m for m in self.between(since, now + horizon) if m.end > now]
            if len(found) >= count:
                break
        return found[:count]

    def on_date(self, day: date) -> list[Meeting]:
        """The meetings on this calendar day in the forum's zone."""
        start = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        window = self.between(start - timedelta(hours=2), start + timedelta(days=1, hours=2))
        return [m for m in window if m.start.date() == day]

    def by_ref(self, ref: str) -> Meeting | None:
        """The meeting with this ref as it now stands; None if it was skipped or cancelled."""
        if ref.startswith("meeting-"):
            try:
                wanted = int(ref.removeprefix("meeting-"))
            except ValueError:
                return None
            rows = [r for r in self.one_offs if r["id"] == wanted]
            return self.one_off(rows[0]) if rows else None
        if not ref.startswith("forum/") or not self.has_series:
            return None
        try:
            original = datetime.strptime(ref.removeprefix("forum/"), "%Y%m%dT%H%M%SZ")
        except ValueError:
            return None
        original = original.replace(tzinfo=UTC)
        change = self.changes.get(original)
        if change is not None:
            action, new_start, changed_at = change
            if action != "move" or new_start is None:
                return None
            return self.series_meeting(new_start, original, "moved", changed_at)
        near = timedelta(minutes=1)
        starts = self.series_starts(original - near, original + near)
        if original not in [s.astimezone(UTC) for s in starts]:
            return None
        return self.series_meeting(original, original, "series")

    def past(self, now: datetime, count: int) -> list[Meeting]:
        """The last `count` meetings that have started by `now`, most recent first."""
        found: list[Meeting] = []
        for horizon in HORIZONS:
            found = [m for m in self.between(now - horizon, now) if m.start <= now]
            if len(found) >= count:
                break
        return list(reversed(found))[:count]

    def nearest(self, day: date, count: int = 3) -> list[Meeting]:
        """The meetings closest to a day (before or after), for "no meeting that day" messages."""
        middle = datetime(day.year, day.month, day.day, 12, tzinfo=self.zone)
        around = self.between(middle - timedelta(days=400), middle + timedelta(days=400))
        around.sort(key=lambda m: abs(m.start - middle))
        return sorted(around[:count], key=lambda m: m.start)
