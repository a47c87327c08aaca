"""Priority polls: storage, the organisers' `poll ...` commands, voting, closing on time."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot import audit, conversations
from bot.ballots import (
    LEAD_LABELS,
    PCN_FIELD,
    PROGRESS_LABELS,
    BallotError,
    Item,
    PollPriority,
    ballot_form,
    check_form,
    item_values,
    parse_rank,
    parse_status,
    priority_listing,
)
from bot.model import Action, Button, File, Reply, User
from bot.results import Results, apply_trend, summary, tally, to_csv
from bot.router import PersonalData, Router, Turn
from bot.scheduler import Task

if TYPE_CHECKING:
    from bot.core import Bot

log = logging.getLogger("dtlbot.polls")

OPEN_BUTTON = "Rank your priorities"
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
            opened_at=_parse(row["opened_at"]),
            closes_at=_parse(row["closes_at"]) if row["closes_at"] else None,
            closed_at=_parse(row["closed_at"]) if row["closed_at"] else None,
            conversation=row["conversation"],
        )

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status}


class PollError(ValueError):
    """An organiser's poll command that cannot be carried out; the message says why."""


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def local(bot: Bot, moment: datetime) -> str:
    """A moment in the forum's time zone, e.g. 'Tue 1 Dec 2026, 17:00'."""
    shown = moment.astimezone(ZoneInfo(bot.config.forum.timezone))
    return f"{shown:%a} {shown.day} {shown:%b %Y, %H:%M}"


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
    raise PollError(
        f"I couldn't read the closing date `{text.strip()}`. Use a date such as 2026-12-01 "
        f"(closes at the end of that day) or 2026-12-01 17:00, in forum time "
        f"({bot.config.forum.timezone})."
    )


# Storage


def get_poll(bot: Bot, poll_id: int) -> Poll | None:
    rows = list(bot.db["polls"].rows_where("id = ?", [poll_id]))
    return Poll.from_row(rows[0]) if rows else None


def open_poll(bot: Bot) -> Poll | None:
    rows = list(bot.db["polls"].rows_where("status = 'open'", order_by="id desc", limit=1))
    return Poll.from_row(rows[0]) if rows else None


def newest_poll(bot: Bot) -> Poll | None:
    rows = list(bot.db["polls"].rows_where(order_by="id desc", limit=1))
    return Poll.from_row(rows[0]) if rows else None


def find_poll(bot: Bot, ref: str) -> Poll | None:
    """A poll by number ('3' or '#3') or title (newest match); '' is the newest poll."""
    ref = ref.strip().strip("\"'")
    if not ref:
        return newest_poll(bot)
    if re.fullmatch(r"#?\d+", ref):
        return get_poll(bot, int(ref.lstrip("#")))
    rows = list(bot.db["polls"].rows_where("lower(title) = lower(?)", [ref],
                                           order_by="id desc", limit=1))
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


def compute(bot: Bot, poll: Poll, *, trend: bool = True) -> Results:
    """The poll's results, with movement since the previous closed poll that had responses."""
    count = responses(bot, poll.id)
    items = bot.db.execute(
        "select i.priority_id, i.rank, i.lead, i.progress from ballot_items i "
        "join ballots b on b.id = i.ballot_id where b.poll_id = ? and b.ranked = 1",
        [poll.id],
    )
    results = tally(poll.priorities, items, count)
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
                order = [line.priority.id for line in compute(bot, previous, trend=False).lines]
            if order:
                apply_trend(results, order, previous.title)
                break
    return results


def status_line(bot: Bot, poll: Poll) -> str:
    if poll.is_open:
        return f"open, closes {local(bot, poll.closes_at)}" if poll.closes_at else "open"
    return f"closed on {local(bot, poll.closed_at)}" if poll.closed_at else "closed"


def results_replies(bot: Bot, poll: Poll, *, chart: bool = True) -> list[Reply]:
    """The results summary, with the chart when there is anything to draw."""
    results = compute(bot, poll)
    text = summary(poll.as_dict(), results, status_line(bot, poll))
    image = None
    if chart and results.responses:
        from bot.chart import draw

        image = draw(poll.title, results)
    return [Reply(text, image=image)]


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


# Replies


def open_button(poll: Poll) -> Button:
    return Button(OPEN_BUTTON, Action("ballot.open", value=str(poll.id)), style="primary")


def announcement(bot: Bot, poll: Poll) -> Reply:
    closing = f" It closes {local(bot, poll.closes_at)}." if poll.closes_at else ""
    n = len(poll.priorities)
    return Reply(
        f"**Priority poll: {poll.title}**\nPlease rank the forum's {n} priorities for your "
        "PCN, most important first, and say who is leading each and how far along it is. "
        f"It takes a couple of minutes, and you can change your ballot until the poll "
        f"closes.{closing}\n{priority_listing(poll.priorities)}\n"
        f"Press the button, or type `rank` and the {n} numbers in your order "
        f"(e.g. `rank 2 4 6 8 1 3 5 7`).",
        buttons=(open_button(poll),),
    )


def closed_message(bot: Bot, poll: Poll) -> str:
    when = f" on {local(bot, poll.closed_at)}" if poll.closed_at else ""
    return f"The poll \"{poll.title}\" closed{when}, so it no longer takes ballots."


def no_open_poll(bot: Bot) -> str:
    latest = newest_poll(bot)
    if latest is not None and not latest.is_open:
        return closed_message(bot, latest) + " There is no poll open now."
    return "There is no poll open right now."


def ballot_lines(poll: Poll, items: dict[str, Item]) -> list[str]:
    """A ballot in the voter's order, unranked priorities last."""
    numbered = {p.id: p for p in poll.priorities}
    order = sorted(items.items(), key=lambda kv: (kv[1].rank is None, kv[1].rank or 0,
                                                  numbered[kv[0]].number))
    lines = []
    for pid, item in order:
        p = numbered.get(pid)
        if p is None:
            continue
        place = f"{item.rank}." if item.rank is not None else "not ranked:"
        extra = [f"lead: {LEAD_LABELS[item.lead]}" if item.lead else "",
                 f"progress: {PROGRESS_LABELS[item.progress]}" if item.progress else ""]
        detail = "; ".join(e for e in extra if e)
        lines.append(f"- {place} {p.title} (#{p.number})" + (f", {detail}" if detail else ""))
    return lines


def saved_reply(bot: Bot, poll: Poll, items: dict[str, Item], ranked: bool) -> Reply:
    lines = "\n".join(ballot_lines(poll, items))
    if ranked:
        text = (f"Thanks, your ballot for \"{poll.title}\" is saved:\n{lines}\n"
                "You can change it until the poll closes (`my ballot` shows it).")
    else:
        text = (f"Saved. Your ballot for \"{poll.title}\" so far:\n{lines}\n"
                f"It counts once all {len(poll.priorities)} are ranked: type `rank` and the "
                "numbers in your order, most important first, or press the button.")
    return Reply(text, buttons=(open_button(poll),))


def form_reply(bot: Bot, poll: Poll, user: User) -> Reply:
    person = bot.pseudonym(user)
    stored = load_ballot(bot, poll, person)
    values = item_values(stored[1]) if stored else {}
    pcn = remembered_pcn(bot, person)
    if pcn:
        values[PCN_FIELD] = pcn
    return Reply(form=ballot_form(poll.id, poll.title, poll.priorities, values))


async def post_to(bot: Bot, key: str | None, replies: list[Reply]) -> bool:
    """Post where a poll was announced; False (logged) when that cannot be done here."""
    from bot.core import NoSender

    target = conversations.recall(bot.db, key) if key else None
    if target is None:
        log.warning("poll conversation not stored key=%s", key)
        return False
    try:
        await bot.send(target, replies)
    except NoSender as exc:
        log.warning("could not post to poll conversation key=%s: %s", key, exc)
        return False
    except Exception:
        log.exception("posting to poll conversation failed key=%s", key)
        return False
    return True


# Organiser commands


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


def insert_poll(bot: Bot, turn: Turn, title: str, closes_at: datetime | None,
                priorities: list[dict[str, str]]) -> int:
    """Store a new open poll; IntegrityError if another poll is open."""
    with bot.db.conn:
        return bot.db["polls"].insert({
            "title": title,
            "status": "open",
            "priorities": json.dumps(priorities),
            "opened_at": bot.now_iso(),
            "opened_by": bot.pseudonym(turn.user),
            "closes_at": _iso(closes_at) if closes_at else None,
            "closed_at": None,
            "conversation": turn.conversation.key,
            "results_posted": 0,
        }).last_pk


async def poll_start(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    current = open_poll(bot)
    if current is not None:
        return [Reply(f"The poll \"{current.title}\" (#{current.id}) is still open. Close it "
                      "with `poll close` before starting another.")]
    try:
        title, closing = split_start_args(turn.args)
    except PollError as exc:
        return [Reply(str(exc))]
    closes_at = None
    if closing is not None:
        try:
            closes_at = parse_closing(bot, closing)
        except PollError as exc:
            return [Reply(str(exc))]
        if closes_at <= bot.clock.now():
            return [Reply(f"That closing time ({local(bot, closes_at)}) has already passed. "
                          "Give a time in the future.")]
    if not title:
        return [Reply("Give the poll a title, e.g. `poll start Spring 2027 closes 2027-03-31`.")]
    if len(title) > TITLE_MAX:
        return [Reply(f"Keep the poll's title to {TITLE_MAX} characters.")]
    priorities = [{"id": p.id, "title": p.title, "description": p.description}
                  for p in bot.content.priorities]
    conversations.remember(bot.db, turn.conversation, bot.now_iso())
    try:
        poll_id = insert_poll(bot, turn, title, closes_at, priorities)
    except sqlite3.IntegrityError:
        return [Reply("Another poll was opened a moment ago. Type `poll list` to see it.")]
    audit.record(bot, turn.user, "poll start",
                 f"#{poll_id} {title}" + (f" closes {_iso(closes_at)}" if closes_at else ""))
    update_gauge(bot)
    bot.replan()
    poll = get_poll(bot, poll_id)
    assert poll is not None
    return [announcement(bot, poll)]


async def poll_close(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    poll = open_poll(bot)
    if poll is None:
        return [Reply("There is no poll open to close.")]
    with bot.db.conn:
        bot.db.execute("update polls set status = 'closed', closed_at = ?, results_posted = 1 "
                       "where id = ?", [bot.now_iso(), poll.id])
    audit.record(bot, turn.user, "poll close", f"#{poll.id} {poll.title}")
    update_gauge(bot)
    bot.replan()
    closed = get_poll(bot, poll.id)
    assert closed is not None
    replies = results_replies(bot, closed)
    if closed.conversation and closed.conversation != turn.conversation.key:
        await post_to(bot, closed.conversation, replies)
    return replies


async def poll_list(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    polls = [Poll.from_row(r) for r in bot.db["polls"].rows_where(order_by="id desc", limit=20)]
    if not polls:
        return [Reply("No polls yet. Start one with `poll start TITLE [closes DATE]`.")]
    lines = [
        f"- #{p.id} **{p.title}**: {status_line(bot, p)}; {responses(bot, p.id)} responses; "
        f"opened {local(bot, p.opened_at)}"
        for p in polls
    ]
    return [Reply("Polls, newest first:\n" + "\n".join(lines))]


async def poll_remind(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    poll = open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    count = responses(bot, poll.id)
    closing = f" It closes {local(bot, poll.closes_at)}." if poll.closes_at else ""
    reminder = Reply(
        f"**Reminder: priority poll \"{poll.title}\"**\n{count} "
        f"{'DTL has' if count == 1 else 'DTLs have'} ranked the priorities so far.{closing} "
        "If you haven't yet, it takes a couple of minutes: press the button, or type `rank` "
        "and the numbers in your order.",
        buttons=(open_button(poll),),
    )
    audit.record(bot, turn.user, "poll remind", f"#{poll.id} {poll.title}: {count} responses")
    if poll.conversation in (None, turn.conversation.key):
        return [reminder]
    if await post_to(bot, poll.conversation, [reminder]):
        return [Reply(f"Reminder posted where the poll was announced ({count} responses so "
                      "far).")]
    return [Reply("I couldn't post where the poll was announced from here, so here is the "
                  "reminder to share:"), reminder]


async def poll_results(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    poll = find_poll(bot, turn.args)
    if poll is None:
        return [Reply(unknown_poll(turn.args))]
    return results_replies(bot, poll)


async def poll_export(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    poll = find_poll(bot, turn.args)
    if poll is None:
        return [Reply(unknown_poll(turn.args))]
    named = bot.config.polls.named_export
    audit.record(bot, turn.user, "poll export", f"#{poll.id} {poll.title}"
                 + (" (named)" if named else ""))
    kind = "with names (named_export is on)" if named else "with pseudonymous respondents"
    data = export_csv(bot, poll)
    return [Reply(f"The ballots of \"{poll.title}\", one row per priority per ballot, {kind}.",
                  file=File(data, csv_filename(poll), mime="text/csv",
                            title=f"{poll.title} ballots"))]


def unknown_poll(ref: str) -> str:
    if not ref.strip():
        return "There are no polls yet."
    return f"I can't find a poll called `{ref.strip()}`. Type `poll list` to see them."


# Voting


async def show_form(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    poll = open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    return [form_reply(bot, poll, turn.user)]


async def open_form(turn: Turn) -> list[Reply]:
    bot = turn.bot
    assert turn.incoming.action is not None
    close_overdue(bot)
    value = turn.incoming.action.value
    poll = get_poll(bot, int(value)) if value.isdigit() else None
    if poll is None:
        return [Reply("That poll no longer exists.")]
    if not poll.is_open:
        return [Reply(closed_message(bot, poll))]
    return [form_reply(bot, poll, turn.user)]


async def submit_form(turn: Turn) -> list[Reply]:
    bot = turn.bot
    action = turn.incoming.action
    assert action is not None
    close_overdue(bot)
    value = action.id.partition(":")[2]
    poll = get_poll(bot, int(value)) if value.isdigit() else None
    if poll is None:
        return [Reply("That poll no longer exists, so your ballot was not saved.")]
    # Adapters may send an unanswered optional select as None.
    values = {k: str(v) for k, v in action.values.items() if v is not None}
    if not poll.is_open:
        return [Reply(form=ballot_form(poll.id, poll.title, poll.priorities, values,
                                       error=closed_message(bot, poll)))]
    checked = check_form(poll.priorities, values)
    if not checked.ok:
        return [Reply(form=ballot_form(poll.id, poll.title, poll.priorities, values,
                                       error=checked.error,
                                       field_errors=checked.field_errors))]
    ranked = save_ballot(bot, poll, turn.user, checked.items, pcn=checked.pcn)
    bot.metrics.ballots.inc()
    return [saved_reply(bot, poll, checked.items, ranked)]


async def rank(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    poll = open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    try:
        ranks = parse_rank(poll.priorities, turn.args)
    except BallotError as exc:
        return [Reply(f"{exc} Your ballot was not changed.")]
    stored = load_ballot(bot, poll, bot.pseudonym(turn.user))
    items = stored[1] if stored else {p.id: Item() for p in poll.priorities}
    for pid, place in ranks.items():
        items[pid].rank = place
    ranked = save_ballot(bot, poll, turn.user, items)
    bot.metrics.ballots.inc()
    return [saved_reply(bot, poll, items, ranked)]


async def status(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    poll = open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    try:
        priority, lead, progress = parse_status(poll.priorities, turn.args)
    except BallotError as exc:
        return [Reply(f"{exc} Your ballot was not changed.")]
    stored = load_ballot(bot, poll, bot.pseudonym(turn.user))
    items = stored[1] if stored else {p.id: Item() for p in poll.priorities}
    items[priority.id].lead = lead
    items[priority.id].progress = progress
    ranked = save_ballot(bot, poll, turn.user, items)
    return [saved_reply(bot, poll, items, ranked)]


async def my_ballot(turn: Turn) -> list[Reply]:
    bot = turn.bot
    close_overdue(bot)
    person = bot.pseudonym(turn.user)
    row = bot.db.execute(
        "select poll_id from ballots where voter = ? order by poll_id desc limit 1", [person]
    ).fetchone()
    current = open_poll(bot)
    if current is not None and load_ballot(bot, current, person) is None:
        return [Reply(f"You haven't voted in \"{current.title}\" yet.",
                      buttons=(open_button(current),))]
    poll = current or (get_poll(bot, row[0]) if row else None)
    if poll is None:
        return [Reply("You have no ballot in any poll.")]
    stored = load_ballot(bot, poll, person)
    assert stored is not None
    ballot, items = stored
    when = local(bot, _parse(ballot["submitted_at"]))
    pcn = f"\nPCN: {ballot['pcn']}" if ballot["pcn"] else ""
    counted = "" if ballot["ranked"] else "\nIt does not count yet: not every priority is ranked."
    text = (f"Your ballot in \"{poll.title}\" ({status_line(bot, poll)}), last changed "
            f"{when}:\n" + "\n".join(ballot_lines(poll, items)) + pcn + counted)
    buttons = (open_button(poll),) if poll.is_open else ()
    return [Reply(text, buttons=buttons)]


# Timed closing


def next_close(bot: Bot) -> datetime | None:
    # The scheduler asks this at start and after every change: a good moment to refresh
    # the gauge, which polls started or closed by another process would otherwise leave stale.
    update_gauge(bot)
    row = bot.db.execute(
        "select min(closes_at) from polls where closes_at is not null and results_posted = 0"
    ).fetchone()
    return _parse(row[0]) if row and row[0] else None


async def close_due(bot: Bot) -> None:
    """Close polls whose time has come and post each one's results where it was announced."""
    close_overdue(bot)
    due = [Poll.from_row(r) for r in bot.db["polls"].rows_where(
        "status = 'closed' and results_posted = 0 and closes_at is not null")]
    for poll in due:
        # Marked first: a post that fails must not be retried in a tight loop.
        with bot.db.conn:
            bot.db.execute("update polls set results_posted = 1 where id = ?", [poll.id])
        log.info("poll closed on time poll=%d", poll.id)
        await post_to(bot, poll.conversation, results_replies(bot, poll))


# Personal data


def describe_ballots(bot: Bot, user: User) -> list[str]:
    person = bot.pseudonym(user)
    lines = []
    for row in bot.db["ballots"].rows_where("voter = ?", [person], order_by="poll_id"):
        poll = get_poll(bot, row["poll_id"])
        if poll is None:
            continue
        stored = load_ballot(bot, poll, person)
        items = stored[1] if stored else {}
        ranks = ", ".join(f"{i.rank}. {p.title}" for p in poll.priorities
                          if (i := items.get(p.id)) and i.rank is not None)
        pcn = f"; PCN: {row['pcn']}" if row["pcn"] else ""
        name = f"; your name: {row['voter_name']}" if row["voter_name"] else ""
        lines.append(f"Your ballot in the poll \"{poll.title}\" ({row['submitted_at'][:10]}): "
                     f"{ranks or 'no ranks yet'}{pcn}{name}")
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
    return (f"Deleted your ballot in {len(open_ids)} open poll(s) and unlinked {unlinked} "
            "ballot(s) in closed polls from you: those still count in their results, "
            "but nothing links them to you any more.")


def describe_pcn(bot: Bot, user: User) -> list[str]:
    pcn = remembered_pcn(bot, bot.pseudonym(user))
    return [f"Your PCN's name, offered again on your next ballot: {pcn}"] if pcn else []


def forget_pcn(bot: Bot, user: User) -> str:
    with bot.db.conn:
        gone = bot.db.conn.execute("delete from pcn_names where person = ?",
                                   [bot.pseudonym(user)]).rowcount
    return "Deleted your remembered PCN name." if gone else "No PCN name was remembered."


def register(router: Router) -> None:
    organiser = {"organiser": True}
    router.command("poll start", usage="poll start TITLE [closes DATE]",
                   help="open a priority poll here and announce it", **organiser)(poll_start)
    router.command("poll close", help="close the open poll and show its results",
                   **organiser)(poll_close)
    router.command("poll list", help="every poll, newest first", **organiser)(poll_list)
    router.command("poll remind", help="remind DTLs where the poll was announced",
                   **organiser)(poll_remind)
    router.command("poll results", usage="poll results [POLL]",
                   help="results of a poll (default: the newest), with a chart",
                   **organiser)(poll_results)
    router.command("poll export", usage="poll export [POLL]",
                   help="the ballots of a poll as a CSV file", **organiser)(poll_export)
    router.command("rank", usage="rank A B C D E F G H",
                   help="rank the priorities, most important first (numbers or ids)")(rank)
    router.command("status", usage="status N LEAD PROGRESS",
                   help="who leads priority N and how far along it is, "
                        "e.g. `status 3 icb in-progress`")(status)
    router.command("ballot", help="open the ballot of the current poll")(show_form)
    router.command("my ballot", help="your ballot in the current poll")(my_ballot)
    router.action("ballot.open")(open_form)
    router.action("ballot:")(submit_form)
    router.task(Task("polls.close", next_due=next_close, run=close_due))
    router.holds_personal_data(PersonalData(
        "poll ballots",
        retention="Kept with the poll. `forget me` deletes your ballot in an open poll and "
                  "unlinks it from you in closed polls, so published results stay the same.",
        describe=describe_ballots, forget=forget_ballots))
    router.holds_personal_data(PersonalData(
        "PCN name", retention="Kept until you clear it on a ballot or ask me to forget you.",
        describe=describe_pcn, forget=forget_pcn))

