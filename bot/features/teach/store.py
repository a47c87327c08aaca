"""What teaching keeps in the database: open questions and their grouping, taught entries
(a layer over content/'s files), the priority list set in chat, and the content revision."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.kernel import markup
from bot.kernel.answers import STOPWORDS, AnswerIndex, content_words
from bot.kernel.content import ID_PATTERN, Content, Entry, Overlay, Priority

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.teach")

REVISION_KEY = "teach_revision"
# Questions whose content words overlap this much (Jaccard) are one item of `unanswered`.
SIMILAR = 0.5
MAX_ITEMS = 20
# The newest open questions grouped for `unanswered` (older ones wait until these are done).
MAX_OPEN = 5000
ORIGIN_CHAT = "chat"
ORIGIN_EDITED = "file, edited in chat"


# --- text shown back -------------------------------------------------------------------------


def literal(text: str) -> str:
    """Text a person typed, quoted, on one line, and escaped so that no platform reads markup,
    a link or a mention into it (bot.kernel.markup.literal)."""
    return f'"{markup.literal(" ".join(text.split()))}"'


def long_date(iso: str) -> str:
    """2026-12-03 as "3 December 2026"."""
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {day:%B %Y}"


def month_year(iso: str) -> str:
    return f"{date.fromisoformat(iso[:10]):%B %Y}"


def months_on(iso: str, months: int = 12) -> str:
    """The same day `months` later (the month's last day when it has no such day)."""
    day = date.fromisoformat(iso[:10])
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last)).isoformat()
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- the content revision --------------------------------------------------------------------

def revision(db: Database) -> str:
    row = db.execute("select value from settings where key = ?", [REVISION_KEY]).fetchone()
    return row[0] if row else ""


def bump(db: Database) -> None:
    db.execute(
        "insert into settings (key, value) values (?, ?) "
        "on conflict(key) do update set value = excluded.value",
        [REVISION_KEY, uuid.uuid4().hex[:12]],
    )


def publish(bot: Bot) -> None:
    """Make the database's layer live in this process now (other processes follow on their
    next question, see `sync`)."""
    content = bot.registry.layered(bot.content, bot.db)
    bot.content = content
    bot.answers = AnswerIndex(content, bot.config.answers.threshold)


def sync(bot: Bot) -> None:
    """Pick up a change made by another process (a `dtlbot chat` next to the server); the
    kernel does this before every message, timed work calls it itself."""
    bot.refresh_layers()


def layer_revision(db: Database) -> str:
    try:
        return revision(db) or "0"
    except sqlite3.Error:
        return ""


# --- the layer over the files ----------------------------------------------------------------

def entry_hash(entry: Entry) -> str:
    data = [entry.title, entry.body, entry.source, list(entry.phrasings), list(entry.tags),
            list(entry.related), entry.reviewed, entry.review_by]
    return hashlib.sha256(json.dumps(data).encode("utf-8")).hexdigest()[:16]


def _entry(row: dict, origin: str) -> Entry:
    return Entry(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        source=row["source"],
        phrasings=tuple(json.loads(row["phrasings"] or "[]")),
        tags=tuple(json.loads(row["tags"] or "[]")),
        related=tuple(json.loads(row["related"] or "[]")),
        reviewed=row["reviewed"] or "",
        review_by=row["review_by"] or "",
        origin=origin,
    )


def layer(db: Database, content: Content) -> Overlay:
    """The content layer: entries and priorities taught in chat (read-only)."""
    files = content.files or content.entries
    overlay = Overlay()
    try:
        overlay.revision = revision(db) or "0"
        rows = list(db.execute("select * from taught_entries order by id").fetchall())
        columns = [c.name for c in db["taught_entries"].columns]
        priorities = db.execute(
            "select id, title, description, source from taught_priorities order by position"
        ).fetchall()
    except sqlite3.Error as exc:
        # An older database (not yet migrated by a server): no taught entries in it yet.
        log.info("no taught content read: %s", exc)
        return Overlay()
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        base = files.get(row["id"])
        if row["retired"]:
            overlay.retired.add(row["id"])
            continue
        overlay.entries[row["id"]] = _entry(row, ORIGIN_CHAT if base is None else ORIGIN_EDITED)
        if base is not None and row["base_hash"] and entry_hash(base) != row["base_hash"]:
            overlay.notes.append(
                f"The file for `{row['id']}` changed since it was edited in chat: the chat "
                f"edit is still in use. Compare them with `content show {row['id']}`; "
                f"`content restore {row['id']}` goes back to the file."
            )
    if priorities:
        overlay.priorities = [Priority(*p) for p in priorities]
    return overlay


def taught_row(db: Database, entry_id: str) -> dict | None:
    rows = list(db["taught_entries"].rows_where("id = ?", [entry_id]))
    return rows[0] if rows else None


def save_entry(bot: Bot, entry: Entry, *, retired: bool = False) -> None:
    """Store an entry in the layer (replacing any earlier chat version) and publish it."""
    base = bot.content.files.get(entry.id)
    existing = taught_row(bot.db, entry.id)
    now = bot.now_iso()
    row = {
        "id": entry.id,
        "title": entry.title,
        "body": entry.body,
        "source": entry.source,
        "phrasings": json.dumps(list(entry.phrasings)),
        "tags": json.dumps(list(entry.tags)),
        "related": json.dumps(list(entry.related)),
        "reviewed": entry.reviewed,
        "review_by": entry.review_by,
        "retired": int(retired),
        "base_hash": entry_hash(base) if base is not None else "",
        "created_at": existing["created_at"] if existing else now,
        "updated_at": now,
    }
    with bot.db.conn:
        bot.db["taught_entries"].upsert(row, pk="id")
        bump(bot.db)
    publish(bot)


def drop_entry(bot: Bot, entry_id: str) -> None:
    """Remove the layer's row: a file entry goes back to its file."""
    with bot.db.conn:
        bot.db["taught_entries"].delete_where("id = ?", [entry_id])
        bump(bot.db)
    publish(bot)


def save_priorities(bot: Bot, priorities: list[Priority]) -> None:
    now = bot.now_iso()
    with bot.db.conn:
        bot.db["taught_priorities"].delete_where()
        bot.db["taught_priorities"].insert_all(
            {"position": n, "id": p.id, "title": p.title, "description": p.description,
             "source": p.source, "updated_at": now}
            for n, p in enumerate(priorities, start=1)
        )
        bump(bot.db)
    publish(bot)


def every_entry(bot: Bot) -> dict[str, tuple[Entry, bool]]:
    """Every entry, live or retired, with whether it is retired."""
    found = {key: (entry, False) for key, entry in bot.content.entries.items()}
    for row in bot.db["taught_entries"].rows_where("retired = 1"):
        base = bot.content.files.get(row["id"])
        entry = _entry(row, ORIGIN_CHAT if base is None else ORIGIN_EDITED)
        if base is not None and entry_hash(entry) == entry_hash(base):
            entry = replace(entry, origin="file", path=base.path)
        found[row["id"]] = (entry, True)
    return found


def new_id(bot: Bot, title: str) -> str:
    """A fresh lowercase-with-hyphens id from the title, unused by any entry."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    words = [w for w in words if w not in STOPWORDS] or words
    base = "-".join(w for w in words[:6]) or "entry"
    base = base[:60].strip("-") or "entry"
    taken = set(every_entry(bot)) | set(bot.content.files)
    candidate, n = base, 1
    while candidate in taken or not ID_PATTERN.match(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- open questions --------------------------------------------------------------------------

@dataclass
class Item:
    """One item of `unanswered`: similar open questions grouped, most asked text first."""

    question_ids: list[int]
    texts: list[str] = field(default_factory=list)
    last: str = ""

    @property
    def count(self) -> int:
        return len(self.question_ids)

    @property
    def text(self) -> str:
        return self.texts[0]


def normal(text: str) -> str:
    return " ".join(text.lower().split()).strip(" ?!.")


def open_items(db: Database) -> list[Item]:
    """The open questions (not answered by the bot, nor resolved since), grouped."""
    rows = db.execute(
        "select id, text, asked_at from questions where answered = 0 and resolved is null "
        "order by id desc limit ?", [MAX_OPEN]
    ).fetchall()
    by_text: dict[str, list[tuple[int, str]]] = {}
    for qid, text, asked_at in reversed(rows):
        key = normal(text or "")
        if key:
            by_text.setdefault(key, []).append((qid, asked_at))
    counts = Counter({k: len(v) for k, v in by_text.items()})
    # Most asked first, then the first asked: a group is named by its commonest wording.
    ordered = sorted(by_text, key=lambda k: (-counts[k], min(q for q, _ in by_text[k])))
    groups: list[tuple[set[str], Item]] = []
    for key in ordered:
        words = set(content_words(key))
        home = None
        for group_words, item in groups:
            shared = len(words & group_words) / max(len(words | group_words), 1)
            if words and group_words and shared >= SIMILAR:
                home = item
                break
        asked = by_text[key]
        if home is None:
            home = Item([])
            groups.append((words, home))
        home.question_ids += [qid for qid, _ in asked]
        home.texts.append(key)
        home.last = max([home.last, *(a for _, a in asked)])
    items = [item for _, item in groups]
    items.sort(key=lambda i: (-i.count, _negated(i.last), -max(i.question_ids)))
    return items


def _negated(iso: str) -> str:
    # Newer first among equal counts, in a key that sorts ascending.
    return "".join(chr(0x10FFFF - ord(c)) for c in iso)


def save_listing(bot: Bot, person: str, items: list[Item]) -> None:
    data = [{"ids": i.question_ids, "texts": i.texts} for i in items]
    bot.db["teach_listings"].upsert(
        {"person": person, "items": json.dumps(data), "at": bot.now_iso()}, pk="person"
    )


def listing(bot: Bot, person: str) -> list[dict] | None:
    rows = list(bot.db["teach_listings"].rows_where("person = ?", [person]))
    return json.loads(rows[0]["items"]) if rows else None


def still_open(db: Database, ids: list[int]) -> list[int]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return [r[0] for r in db.execute(
        f"select id from questions where id in ({marks}) and resolved is null order by id", ids
    ).fetchall()]


def question_rows(db: Database, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return list(db["questions"].rows_where(f"id in ({marks})", ids, order_by="id"))


def resolve(bot: Bot, ids: list[int], how: str, entry_id: str | None = None) -> None:
    """Mark questions answered (by an entry) or dismissed."""
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    with bot.db.conn:
        bot.db.execute(
            f"update questions set resolved = ?, resolved_at = ?, entry = ? "
            f"where id in ({marks}) and resolved is null",
            [how, bot.now_iso(), entry_id, *ids],
        )
