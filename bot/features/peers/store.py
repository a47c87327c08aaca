"""Peers' storage: consent, the latest ballots of people who opted in, and introductions.

The ballots are the polls feature's tables (`ballots`, `ballot_items`, `polls`), read here with
SQL only: a feature never imports another. Only the stage of each priority and the PCN are read,
never the ranking, except a person's own top three for their own introductions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.kernel.model import Mention

if TYPE_CHECKING:
    from bot.kernel.context import Bot

# How far along a priority is, as ballots store it (the polls feature's ids), furthest last.
STAGES: dict[str, int] = {"not-started": 0, "planning": 1, "in-progress": 2, "embedded": 3}
STAGE_NAMES: dict[str, str] = {"not-started": "not started", "planning": "planning",
                               "in-progress": "in progress", "embedded": "embedded"}
# Stages that count as "working on it" for `peers PRIORITY` and introductions.
SHOWN_STAGES = ("in-progress", "embedded")
# Nobody is suggested to the same person twice within this long.
REPEAT_AFTER = timedelta(days=91)


@dataclass(frozen=True)
class Consent:
    person: str
    mention: Mention
    consented_at: str


@dataclass(frozen=True)
class Peer:
    """An opted-in person as others see them: how to reach them, their PCN and one stage."""

    person: str
    mention: Mention
    pcn: str
    stage: str
    submitted_at: str


@dataclass(frozen=True)
class Ballot:
    """A person's latest ballot, as much of it as peers uses."""

    poll_id: int
    poll_title: str
    pcn: str
    submitted_at: str
    # priority id -> (rank or None, progress id or None)
    items: dict[str, tuple[int | None, str | None]]

    def top(self, count: int = 3) -> list[str]:
        """The person's own most important priorities, by their ranking."""
        ranked = sorted((rank, pid) for pid, (rank, _) in self.items.items() if rank is not None)
        return [pid for _, pid in ranked[:count]]

    def stage(self, priority_id: str) -> str | None:
        item = self.items.get(priority_id)
        return item[1] if item else None


def stored_mention(bot: Bot, platform: str, user_id: str, name: str | None,
                   link: str | None) -> Mention:
    """The mention kept with a person's consent, with their platform's name as people say it."""
    return Mention(platform, user_id, name or "", link or "", bot.platform(platform).name)


def consent(bot: Bot, person: str) -> Consent | None:
    row = bot.db.execute(
        "select platform, user_id, name, link, consented_at from peers where person = ?",
        [person],
    ).fetchone()
    if row is None:
        return None
    platform, user_id, name, link, at = row
    return Consent(person, stored_mention(bot, platform, user_id, name, link), at)


def opt_in(bot: Bot, person: str, mention: Mention) -> None:
    with bot.db.conn:
        bot.db.execute(
            "insert into peers (person, platform, user_id, name, link, consented_at) "
            "values (?, ?, ?, ?, ?, ?) on conflict(person) do update set "
            "platform = excluded.platform, user_id = excluded.user_id, name = excluded.name, "
            "link = excluded.link",
            [person, mention.platform, mention.id, mention.name or None, mention.link or None,
             bot.now_iso()],
        )


def opt_out(bot: Bot, person: str) -> int:
    """Remove the person from peers and every record of introductions to or of them."""
    with bot.db.conn:
        gone = bot.db.execute("delete from peers where person = ?", [person]).rowcount
        gone += bot.db.execute("delete from peer_introductions where person = ? or peer = ?",
                               [person, person]).rowcount
    return gone


def count(bot: Bot) -> int:
    return bot.db.execute("select count(*) from peers").fetchone()[0]


def latest_ballot(bot: Bot, person: str) -> Ballot | None:
    """The person's ballot in the newest poll they voted in (open or closed)."""
    row = bot.db.execute(
        "select b.id, b.poll_id, p.title, b.pcn, b.submitted_at from ballots b "
        "join polls p on p.id = b.poll_id where b.voter = ? order by b.poll_id desc limit 1",
        [person],
    ).fetchone()
    if row is None:
        return None
    ballot_id, poll_id, title, pcn, submitted_at = row
    items = {pid: (rank, progress) for pid, rank, progress in bot.db.execute(
        "select priority_id, rank, progress from ballot_items where ballot_id = ?", [ballot_id])}
    return Ballot(poll_id, title, pcn or "", submitted_at, items)


def working_on(bot: Bot, priority_id: str, *, exclude: str | None = None) -> list[Peer]:
    """Opted-in people whose latest ballot has this priority in progress or embedded,
    furthest along first, then the most recently updated ballot."""
    rows = bot.db.execute(
        "select p.person, p.platform, p.user_id, p.name, p.link, b.pcn, i.progress, "
        "b.submitted_at from peers p "
        "join ballots b on b.voter = p.person and b.poll_id = "
        "  (select max(b2.poll_id) from ballots b2 where b2.voter = p.person) "
        "join ballot_items i on i.ballot_id = b.id and i.priority_id = ? "
        "where i.progress in (?, ?)",
        [priority_id, *SHOWN_STAGES],
    ).fetchall()
    peers = [
        Peer(person, stored_mention(bot, platform, user_id, name, link), pcn or "", progress,
             submitted_at)
        for person, platform, user_id, name, link, pcn, progress, submitted_at in rows
        if person != exclude
    ]
    peers.sort(key=lambda p: (-STAGES[p.stage], _desc(p.submitted_at), p.mention.name.lower()))
    return peers


def _desc(iso: str) -> float:
    return -datetime.fromisoformat(iso).timestamp()


def recently_suggested(bot: Bot, person: str) -> set[str]:
    """Whom this person was suggested within the last three months."""
    since = (bot.clock.now() - REPEAT_AFTER).isoformat(timespec="seconds")
    return {row[0] for row in bot.db.execute(
        "select peer from peer_introductions where person = ? and at > ?", [person, since])}


def record_suggestions(bot: Bot, person: str, peers: list[str], poll_id: int | None) -> None:
    now = bot.now_iso()
    with bot.db.conn:
        bot.db.conn.executemany(
            "insert into peer_introductions (person, peer, at, poll_id) values (?, ?, ?, ?)",
            [(person, peer, now, poll_id) for peer in peers],
        )


def oldest_introduction(bot: Bot) -> datetime | None:
    row = bot.db.execute("select min(at) from peer_introductions").fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def prune_introductions(bot: Bot) -> int:
    """Delete introductions older than three months: they no longer stop a repeat."""
    cutoff = (bot.clock.now() - REPEAT_AFTER).isoformat(timespec="seconds")
    with bot.db.conn:
        return bot.db.execute("delete from peer_introductions where at <= ?", [cutoff]).rowcount


def introductions_of(bot: Bot, person: str) -> tuple[int, str | None]:
    """How many people were suggested to this person, and when last."""
    row = bot.db.execute(
        "select count(*), max(at) from peer_introductions where person = ?", [person]
    ).fetchone()
    return row[0], row[1]


def times_suggested(bot: Bot, person: str) -> int:
    return bot.db.execute(
        "select count(*) from peer_introductions where peer = ?", [person]).fetchone()[0]


# Which closed polls have had their introductions sent: the newest poll id done, kept in the
# core `settings` table (no person in it).
DONE_KEY = "peers.introductions_through_poll"


def introductions_done_through(bot: Bot) -> int | None:
    row = bot.db.execute("select value from settings where key = ?", [DONE_KEY]).fetchone()
    return int(row[0]) if row else None


def mark_introductions_done(bot: Bot, poll_id: int) -> None:
    with bot.db.conn:
        bot.db.execute(
            "insert into settings (key, value) values (?, ?) "
            "on conflict(key) do update set value = excluded.value", [DONE_KEY, str(poll_id)])


def closed_polls_after(bot: Bot, poll_id: int | None, since: datetime) -> list[tuple[int, str]]:
    """(id, closed at) of polls closed (or past their closing time) after `poll_id`, that
    closed no earlier than `since`, oldest first."""
    now = bot.now_iso()
    rows = bot.db.execute(
        "select id, coalesce(closed_at, closes_at) from polls where id > ? and "
        "(status = 'closed' or (closes_at is not null and closes_at <= ?))",
        [poll_id or 0, now],
    ).fetchall()
    cutoff = since.isoformat(timespec="seconds")
    return [(pid, at) for pid, at in sorted(rows) if at and at >= cutoff]


def next_closing(bot: Bot, after_poll: int | None) -> str | None:
    row = bot.db.execute(
        "select min(closes_at) from polls where id > ? and status = 'open' "
        "and closes_at is not null", [after_poll or 0]).fetchone()
    return row[0] if row and row[0] else None


def opted_in(bot: Bot) -> list[Consent]:
    rows = bot.db.execute(
        "select person, platform, user_id, name, link, consented_at from peers "
        "order by consented_at").fetchall()
    return [Consent(person, stored_mention(bot, platform, user_id, name, link), at)
            for person, platform, user_id, name, link, at in rows]

