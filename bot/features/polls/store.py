"""Priority polls: storage, closing dates, tallying, export and personal data."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.features.polls.ballots import LEADS, PROGRESS, Item, PollPriority
from bot.features.polls.results import (
    Results,
    apply_consensus,
    apply_trend,
    tally_sums,
    to_csv,
)
from bot.kernel.markup import literal
from bot.kernel.model import User
from bot.kernel.text import example_date, local_time, plural

if TYPE_CHECKING:
    from bot.kernel.context import Bot

TITLE_MAX = 100


DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d/%m/%Y")


TIME_FORMATS = ("%H:%M", "%H.%M", "%Hh%M")


@dataclass(frozen=True)
class Poll:
    """One poll as stored."""

    id: int
    title: str
    status: str
    priorities: list[PollPriority]
    opened_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    conversation: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Poll:
        listed = json.loads(row["priorities"])
        return cls(
            id=row["id"],
            title=row["title"],
            status=row["status"],
            priorities=[PollPriority(n, p["id"], p["title"], p.get("description", ""))
                        for n, p in enumerate(listed, start=1)],
            opened_at=from_iso(row["opened_at"]),
            closes_at=from_iso(row["closes_at"]) if row["closes_at"] else None,
            closed_at=from_iso(row["closed_at"]) if row["closed_at"] else None,
            conversation=row["conversation"],
        )

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status}


class PollError(ValueError):
    """An organiser's poll command that cannot be carried out; the message says why."""


def from_iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def local(bot: Bot, moment: datetime) -> str:
    """A moment in the forum's time zone, e.g. 'Tue 1 Dec 2026, 17:00 UK time'."""
    return local_time(moment, bot.config.forum.timezone)


def parse_closing(bot: Bot, text: str) -> datetime:
    """A closing date typed by an organiser, in forum time; a date alone means its end."""
    words = re.sub(r"^(\d{4}-\d\d-\d\d)T", r"\1 ", " ".join(text.strip().rstrip(".").split()))
    zone = ZoneInfo(bot.config.forum.timezone)
    for date_format in DATE_FORMATS:
        for time_format in (None, *TIME_FORMATS):
            pattern = date_format if time_format is None else f"{date_format} {time_format}"
            try:
                parsed = datetime.strptime(words, pattern)
            except ValueError:
                continue
            if time_format is None:
                parsed = datetime.combine(parsed.date(), time(23, 59, 59))
            return parsed.replace(tzinfo=zone).astimezone(UTC)
    example = example_date(bot.clock.now().astimezone(zone))
    raise PollError(
        f"I couldn't read the closing date “{literal(text.strip())}”. Use a date such as "
        f"{example} (closes at the end of that day) or {example} 17:00, in forum time "
        f"({bot.config.forum.timezone})."
    )


def get_poll(bot: Bot, poll_id: int) -> Poll | None:
    if not 0 < poll_id < 2**63:  # beyond SQLite's integers: no such poll
        return None
    rows = list(bot.db["polls"].rows_where("id = ?", [poll_id]))
    return Poll.from_row(rows[0]) if rows else None


def open_poll(bot: Bot) -> Poll | None:
    """The poll open now; one past its closing time is closed first, scheduler or not."""
    close_overdue(bot)
    rows = list(bot.db["polls"].rows_where("status = 'open'", order_by="id desc", limit=1))
    return Poll.from_row(rows[0]) if rows else None


def newest_poll(bot: Bot) -> Poll | None:
    rows = list(bot.db["polls"].rows_where(order_by="id desc", limit=1))
    return Poll.from_row(rows[0]) if rows else None


def find_poll(bot: Bot, ref: str) -> Poll | None:
    """A poll by number ('3' or '#3'), by title (the newest of that title) or by a part of its
    title that only one poll has, in any case; '' is the newest poll. PollError when a part
    matches several polls."""
    ref = " ".join(ref.strip().strip("\"'“”").split())
    if not ref:
        return newest_poll(bot)
    if re.fullmatch(r"#?\d+", ref):
        numbered = get_poll(bot, int(ref.lstrip("#")))
        if numbered is not None or ref.startswith("#"):
            return numbered
    rows = list(bot.db["polls"].rows_where("lower(title) = lower(?)", [ref],
                                           order_by="id desc", limit=1))
    if rows:
        return Poll.from_row(rows[0])
    rows = list(bot.db["polls"].rows_where("instr(lower(title), ?) > 0", [ref.lower()],
                                           order_by="id desc", limit=6))
    if len(rows) > 1:
        listed = ", ".join(f"#{r['id']} {r['title']}" for r in rows[:5])
        raise PollError(f"`{ref}` is part of the title of more than one poll ({listed}). "
                        "Give more of the title, or the poll's number.")
    return Poll.from_row(rows[0]) if rows else None


def close_overdue(bot: Bot) -> None:
    """Close open polls whose closing time has passed (the timed task posts their results)."""
    with bot.db.conn:
        bot.db.execute(
            "update polls set status = 'closed', closed_at = closes_at "
            "where status = 'open' and closes_at is not null and closes_at <= ?",
            [bot.now_iso()],
        )
    update_gauge(bot)


def update_gauge(bot: Bot) -> None:
    count = bot.db.execute("select count(*) from polls where status = 'open'").fetchone()[0]
    bot.metrics.open_polls.set(count)


def responses(bot: Bot, poll_id: int) -> int:
    return bot.db.execute(
        "select count(*) from ballots where poll_id = ? and ranked = 1", [poll_id]
    ).fetchone()[0]


def load_ballot(bot: Bot, poll: Poll, person: str) -> tuple[dict[str, Any], dict[str, Item]] | None:
    rows = list(bot.db["ballots"].rows_where("poll_id = ? and voter = ?", [poll.id, person]))
    if not rows:
        return None
    items = {p.id: Item() for p in poll.priorities}
    for pid, rank, lead, progress in bot.db.execute(
        "select priority_id, rank, lead, progress from ballot_items where ballot_id = ?",
        [rows[0]["id"]],
    ):
        items[pid] = Item(rank, lead, progress)
    return rows[0], items


def remembered_pcn(bot: Bot, person: str) -> str:
    row = bot.db.execute("select pcn from pcn_names where person = ?", [person]).fetchone()
    return row[0] if row else ""


def save_ballot(bot: Bot, poll: Poll, user: User, items: dict[str, Item],
                pcn: str | None = None) -> bool:
    """Store (or replace) this person's ballot; returns whether it is fully ranked."""
    person = bot.pseudonym(user)
    ranked = all(items.get(p.id) and items[p.id].rank is not None for p in poll.priorities)
    name = (user.name or user.id) if bot.config.polls.named_export else None
    now = bot.now_iso()
    conn = bot.db.conn
    with conn:
        if pcn is not None:
            if pcn:
                conn.execute(
                    "insert into pcn_names (person, pcn, updated_at) values (?, ?, ?) "
                    "on conflict(person) do update set pcn = excluded.pcn, "
                    "updated_at = excluded.updated_at", [person, pcn, now])
            else:
                conn.execute("delete from pcn_names where person = ?", [person])
        else:
            pcn = remembered_pcn(bot, person)
        conn.execute(
            "insert into ballots (poll_id, voter, submitted_at, ranked) values (?, ?, ?, 0) "
            "on conflict(poll_id, voter) do nothing", [poll.id, person, now])
        ballot_id = conn.execute("select id from ballots where poll_id = ? and voter = ?",
                                 [poll.id, person]).fetchone()[0]
        conn.execute(
            "update ballots set voter_name = ?, pcn = ?, ranked = ?, submitted_at = ? "
            "where id = ?", [name, pcn or None, int(ranked), now, ballot_id])
        conn.execute("delete from ballot_items where ballot_id = ?", [ballot_id])
        conn.executemany(
            "insert into ballot_items (ballot_id, priority_id, rank, lead, progress) "
            "values (?, ?, ?, ?, ?)",
            [(ballot_id, pid, i.rank, i.lead, i.progress) for pid, i in items.items()],
        )
    return ranked


def counted_items(bot: Bot, poll: Poll) -> list[tuple[Any, ...]]:
    """The counted ballots' items, summed in SQL per priority, as `results.tally_sums` takes
    them."""
    leads = [k for k, _, _ in LEADS]
    stages = [k for k, _, _ in PROGRESS]
    # One pass, grouped by priority only: sums of conditions, not a group per combination.
    sums = ", ".join(["count(i.rank)", "sum(i.rank)", "sum(i.rank = 1)", "sum(i.rank <= 3)"]
                     + ["sum(i.lead = ?)"] * len(leads) + ["sum(i.progress = ?)"] * len(stages))
    rows = bot.db.execute(
        f"select i.priority_id, {sums} from ballot_items i join ballots b "
        "on b.id = i.ballot_id where b.poll_id = ? and b.ranked = 1 group by i.priority_id",
        [*leads, *stages, poll.id],
    ).fetchall()
    return [(pid, *values) for pid, *values in rows]


# Each ballot's ranking is folded into one integer in SQL (rank times a power of n + 1 per
# priority), so SQLite hands back one number per distinct ranking with its count.
CODE_MAX_PRIORITIES = 15


def rank_matrix(bot: Bot, poll: Poll) -> Any:
    """The counted ballots as a numpy matrix: one row per ballot, one column per priority
    (poll order), each cell its place."""
    import numpy as np

    n = len(poll.priorities)
    where = "b.poll_id = ? and b.ranked = 1"
    if n > CODE_MAX_PRIORITIES:
        rows = bot.db.execute(
            "select i.ballot_id, i.priority_id, i.rank from ballot_items i join ballots b "
            f"on b.id = i.ballot_id where {where} order by i.ballot_id", [poll.id]).fetchall()
        column = {p.id: k for k, p in enumerate(poll.priorities)}
        ballots: dict[int, list[int]] = {}
        for ballot_id, pid, place in rows:
            ballots.setdefault(ballot_id, [0] * n)[column[pid]] = place
        return np.array(list(ballots.values()), dtype=np.int64).reshape(-1, n)
    base = n + 1
    weights = " ".join(f"when ? then {base ** k}" for k in range(n))
    rows = bot.db.execute(
        f"select code, count(*) from (select sum(i.rank * case i.priority_id {weights} end) "
        f"as code from ballot_items i join ballots b on b.id = i.ballot_id where {where} "
        "group by i.ballot_id) group by code",
        [*(p.id for p in poll.priorities), poll.id]).fetchall()
    if not rows:
        return np.zeros((0, n), dtype=np.int64)
    codes = np.array([r[0] for r in rows], dtype=np.int64)
    times = np.array([r[1] for r in rows], dtype=np.int64)
    distinct = (codes[:, None] // base ** np.arange(n, dtype=np.int64)[None, :]) % base
    return np.repeat(distinct, times, axis=0)


def compute(bot: Bot, poll: Poll, *, trend: bool = True, consensus: bool = True) -> Results:
    """The poll's results, with movement since the previous closed poll that had responses."""
    count = responses(bot, poll.id)
    results = tally_sums(poll.priorities, counted_items(bot, poll), count)
    row = bot.db.execute("select eligible from polls where id = ?", [poll.id]).fetchone()
    results.eligible = row[0] if row else None
    if consensus and count:
        apply_consensus(results, poll.priorities, rank_matrix(bot, poll))
    if not poll.is_open and count:
        # A closed poll's ballots no longer change, so its order can be kept for trends.
        with bot.db.conn:
            bot.db.execute("update polls set final_order = ? where id = ?",
                           [json.dumps([line.priority.id for line in results.lines]), poll.id])
    if trend:
        for row in bot.db["polls"].rows_where("status = 'closed' and id < ?", [poll.id],
                                              order_by="id desc"):
            order = json.loads(row["final_order"]) if row["final_order"] else None
            previous = Poll.from_row(row)
            if order is None and responses(bot, previous.id):
                order = [line.priority.id for line in
                         compute(bot, previous, trend=False, consensus=False).lines]
            if order:
                apply_trend(results, order, previous.title)
                break
    return results


def status_line(bot: Bot, poll: Poll) -> str:
    if poll.is_open:
        return f"open, closes {local(bot, poll.closes_at)}" if poll.closes_at else "open"
    return f"closed on {local(bot, poll.closed_at)}" if poll.closed_at else "closed"


def respondent_label(bot: Bot, row: dict[str, Any]) -> str:
    """How a ballot's author appears in an export: a stable hash, or the name if allowed."""
    if bot.config.polls.named_export and row["voter_name"]:
        return row["voter_name"]
    if not row["voter"]:
        return f"unlinked-{row['ballot_id']}"
    # A separate hash from the storage key, so an export cannot be joined to other tables.
    digest = hmac.new(bot.secret, b"export:" + row["voter"].encode(), hashlib.sha256)
    return "r-" + digest.hexdigest()[:12]


def export_csv(bot: Bot, poll: Poll) -> bytes:
    """One row per ballot item of every counted ballot."""
    named = bot.config.polls.named_export
    cursor = bot.db.execute(
        "select b.id as ballot_id, b.voter, b.voter_name, b.pcn, b.submitted_at, "
        "i.priority_id, i.rank, i.lead, i.progress from ballots b "
        "join ballot_items i on i.ballot_id = b.id where b.poll_id = ? and b.ranked = 1 "
        "order by b.id, i.rank", [poll.id])
    columns = [c[0] for c in cursor.description]
    rows = []
    for values in cursor:
        row = dict(zip(columns, values, strict=True))
        row["respondent"] = respondent_label(bot, row)
        if not named:
            row["pcn"] = ""  # a PCN name identifies its DTL, so it is only in named exports
        rows.append(row)
    return to_csv(poll.as_dict(), poll.priorities, rows)


def csv_filename(poll: Poll) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", poll.title.lower()).strip("-") or "poll"
    return f"poll-{poll.id}-{slug}.csv"


def split_start_args(args: str) -> tuple[str, str | None]:
    """`TITLE [closes DATE]` as (title, date text or None); a title may be quoted."""
    args = args.strip()
    quoted = re.match(r'^["“](?P<title>[^"”]*)["”]\s*(?P<rest>.*)$', args)
    if quoted:
        title, rest = quoted["title"], quoted["rest"]
        closing = re.match(r"^closes\s+(?P<date>.+)$", rest, re.IGNORECASE)
        if rest and not closing:
            raise PollError("After a quoted title, only `closes DATE` may follow.")
        date = closing["date"] if closing else None
    else:
        match = re.match(r"^(?P<title>.+?)\s+closes\s+(?P<date>.+)$", args, re.IGNORECASE)
        title, date = (match["title"], match["date"]) if match else (args, None)
    return " ".join(title.split()), date


def insert_poll(bot: Bot, user: User, conversation_key: str, title: str,
                closes_at: datetime | None, priorities: list[dict[str, str]]) -> int:
    """Store a new open poll; IntegrityError if another poll is open."""
    with bot.db.conn:
        return bot.db["polls"].insert({
            "title": title,
            "status": "open",
            "priorities": json.dumps(priorities),
            "opened_at": bot.now_iso(),
            "opened_by": bot.pseudonym(user),
            "closes_at": to_iso(closes_at) if closes_at else None,
            "closed_at": None,
            "conversation": conversation_key,
            "results_posted": 0,
        }).last_pk


def list_lines(bot: Bot, limit: int = 20) -> list[str]:
    """Every poll (newest first) as one line each: number, title, status, responses, opened."""
    listed = [Poll.from_row(r) for r in bot.db["polls"].rows_where(order_by="id desc",
                                                                     limit=limit)]
    return [
        f"- #{p.id} **{literal(p.title)}**: {status_line(bot, p)}; {responses(bot, p.id)} "
        f"response{'' if responses(bot, p.id) == 1 else 's'}; opened {local(bot, p.opened_at)}"
        for p in listed
    ]


def unknown_poll(ref: str) -> str:
    if not ref.strip():
        return "There are no polls yet."
    return f"I can't find a poll called “{literal(ref.strip())}”. Type `poll list` to see them."


def next_close(bot: Bot) -> datetime | None:
    # The scheduler asks this at start and after every change: a good moment to refresh
    # the gauge, which polls started or closed by another process would otherwise leave stale.
    update_gauge(bot)
    row = bot.db.execute(
        "select min(closes_at) from polls where closes_at is not null and results_posted = 0"
    ).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def describe_ballots(bot: Bot, user: User) -> list[str]:
    person = bot.pseudonym(user)
    lines = []
    for row in bot.db["ballots"].rows_where("voter = ?", [person], order_by="poll_id"):
        poll = get_poll(bot, row["poll_id"])
        if poll is None:
            continue
        stored = load_ballot(bot, poll, person)
        items = stored[1] if stored else {}
        ranked = sorted((i.rank, p.title) for p in poll.priorities
                        if (i := items.get(p.id)) and i.rank is not None)
        ranks = ", ".join(f"{rank}. {title}" for rank, title in ranked)
        pcn = f"; PCN: {literal(row['pcn'])}" if row["pcn"] else ""
        name = f"; your name: {literal(row['voter_name'])}" if row["voter_name"] else ""
        lines.append(f"Your ballot in the poll \"{literal(poll.title)}\" "
                     f"({row['submitted_at'][:10]}): {ranks or 'no ranks yet'}{pcn}{name}")
    return lines


def forget_ballots(bot: Bot, user: User) -> str:
    person = bot.pseudonym(user)
    conn = bot.db.conn
    with conn:
        open_ids = [r[0] for r in conn.execute(
            "select b.id from ballots b join polls p on p.id = b.poll_id "
            "where b.voter = ? and p.status = 'open'", [person])]
        for ballot_id in open_ids:
            conn.execute("delete from ballot_items where ballot_id = ?", [ballot_id])
            conn.execute("delete from ballots where id = ?", [ballot_id])
        unlinked = conn.execute(
            "update ballots set voter = null, voter_name = null, pcn = null where voter = ?",
            [person]).rowcount
    if not open_ids and not unlinked:
        return "You had no poll ballots."
    return (f"Deleted your ballot in {plural(len(open_ids), 'open poll')} and unlinked "
            f"{plural(unlinked, 'ballot')} in closed polls from you: those still count in their "
            "results, but nothing links them to you any more.")


def describe_pcn(bot: Bot, user: User) -> list[str]:
    pcn = remembered_pcn(bot, bot.pseudonym(user))
    return [f"Your PCN's name, offered again on your next ballot: {literal(pcn)}"] if pcn else []


def _own_chat_keys(bot: Bot, user: User) -> list[str]:
    """The person's direct chats as stored conversation keys (their name may be in them)."""
    rows = bot.db.execute("select key from conversations where person = ?",
                          [bot.pseudonym(user)]).fetchall()
    return sorted({user.key, *(r[0] for r in rows)})


def _announced_in_own_chat(bot: Bot, user: User) -> list[dict]:
    keys = _own_chat_keys(bot, user)
    marks = ", ".join("?" for _ in keys)
    return [{"id": r[0], "title": r[1]} for r in bot.db.execute(
        f"select id, title from polls where conversation in ({marks}) order by id", keys)]


def describe_poll_places(bot: Bot, user: User) -> list[str]:
    return [f"Poll #{p['id']} \"{literal(p['title'])}\" was started in your direct chat, "
            "where its reminders and results go" for p in _announced_in_own_chat(bot, user)]


def forget_poll_places(bot: Bot, user: User) -> str:
    keys = _own_chat_keys(bot, user)
    marks = ", ".join("?" for _ in keys)
    with bot.db.conn:
        gone = bot.db.conn.execute(
            f"update polls set conversation = null where conversation in ({marks})", keys
        ).rowcount
    return (f"Unlinked your direct chat from {gone} poll(s): their results are no longer "
            "posted there." if gone else "No poll was started in your direct chat.")


def forget_pcn(bot: Bot, user: User) -> str:
    with bot.db.conn:
        gone = bot.db.conn.execute("delete from pcn_names where person = ?",
                                   [bot.pseudonym(user)]).rowcount
    return "Deleted your remembered PCN name." if gone else "No PCN name was remembered."
