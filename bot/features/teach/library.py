"""Content kept current from chat: `content list|show|edit|retire|restore|stale`, and the
monthly nudge to organisers about entries past their review-by date."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from bot.features.teach import store
from bot.features.teach.commands import organiser_only
from bot.features.teach.entries import from_entry, from_values, problems, split_phrasings, today
from bot.features.teach.forms import entry_form
from bot.features.teach.notices import entry_text
from bot.features.teach.store import entry_hash, long_date
from bot.kernel import audit, conversations
from bot.kernel.content import Entry
from bot.kernel.model import Action, Button, Conversation, Reply
from bot.kernel.registry import Registry, Turn
from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.teach")

NUDGE_KEY = "teach_nudged"
EDIT_WORDS = re.compile(
    r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)(?:\s+(?P<field>title|source|phrasings|review[_-]by))?"
    r"\s*:\s*(?P<text>.*)$", re.DOTALL | re.IGNORECASE)


def votes(bot: Bot) -> dict[str, tuple[int, int]]:
    rows = bot.db.execute(
        "select topic, sum(vote > 0), sum(vote < 0) from feedback group by topic").fetchall()
    return {topic: (up or 0, down or 0) for topic, up, down in rows}


def review_text(entry: Entry) -> str:
    return f"review by {entry.review_by}" if entry.review_by else "no review-by date"


def origin_text(entry: Entry, retired: bool) -> str:
    origin = {"file": "shipped file"}.get(entry.origin, entry.origin)
    if entry.origin == store.ORIGIN_CHAT:
        origin = "taught in chat"
    return origin + (", retired" if retired else "")


async def content_list(turn: Turn) -> list[Reply]:
    bot = turn.bot
    store.sync(bot)
    every = store.every_entry(bot)
    counts = votes(bot)
    lines = []
    for entry_id in sorted(every):
        entry, retired = every[entry_id]
        up, down = counts.get(entry_id, (0, 0))
        feedback = f"; 👍 {up} 👎 {down}" if up or down else ""
        lines.append(f"- `{entry_id}` {entry.title} ({origin_text(entry, retired)}; "
                     f"{review_text(entry)}{feedback})")
    return [Reply(f"{len(every)} entries:\n" + "\n".join(lines)
                  + "\nType `content show ID`, `content edit ID`, `content retire ID` or "
                  "`content restore ID`.")]


def _find(bot: Bot, entry_id: str) -> tuple[Entry, bool] | None:
    return store.every_entry(bot).get(entry_id.strip().lower())


async def content_show(turn: Turn) -> list[Reply]:
    bot = turn.bot
    store.sync(bot)
    if not turn.args.strip():
        return [Reply("Type `content show ID` (`content list` shows the ids).")]
    found = _find(bot, turn.args)
    if found is None:
        return [Reply(f"There is no entry `{turn.args.strip()[:60]}`. Type `content list`.")]
    entry, retired = found
    up, down = votes(bot).get(entry.id, (0, 0))
    lines = [
        entry_text(entry),
        f"Id `{entry.id}`; {origin_text(entry, retired)}; reviewed "
        f"{entry.reviewed or 'date not recorded'}; {review_text(entry)}; 👍 {up} 👎 {down}.",
    ]
    if entry.phrasings:
        lines.append("Phrasings: " + "; ".join(f"`{p}`" for p in entry.phrasings))
    if entry.related:
        lines.append("Related: " + ", ".join(f"`{r}`" for r in entry.related))
    shipped = bot.content.files.get(entry.id)
    if shipped is not None and entry.origin != "file":
        row = store.taught_row(bot.db, entry.id)
        changed = row is not None and row["base_hash"] and row["base_hash"] != entry_hash(shipped)
        lines.append(("The file has changed since this chat edit. " if changed else "")
                     + f"The shipped file's version:\n{entry_text(shipped)}")
    buttons = (Button("Edit", Action("teach.edit", value=entry.id)),)
    return [Reply("\n".join(lines), buttons=buttons)]


def edit_form(bot: Bot, entry: Entry, draft=None, errors=None, error=None) -> Reply:
    return Reply(form=entry_form(
        bot, f"teach.edit:{entry.id}", f"Edit {entry.id}", draft or from_entry(entry),
        intro="Saving marks the entry reviewed today. The shipped file is not changed: the "
        "edit is kept as a layer over it (`content restore ID` goes back to the file).",
        text_hint=f"Or type `content edit {entry.id}: NEW ANSWER TEXT` (or `content edit "
        f"{entry.id} source: ...`, `title: ...`, `phrasings: ...`, `review_by: ...`).",
        errors=errors, error=error))


async def save_edit(turn: Turn, entry: Entry, draft) -> list[Reply]:
    bot = turn.bot
    draft.reviewed = today(bot)
    if not draft.review_by or draft.review_by <= today(bot):
        draft.review_by = store.months_on(today(bot), bot.config.teach.review_months)
    errors, general = problems(bot, draft)
    if errors or general:
        return [edit_form(bot, entry, draft, errors, general or "Please correct the fields.")]
    store.save_entry(bot, draft.entry())
    audit.record(bot, turn.user, "content edit", f"{entry.id}: {draft.title}")
    return [Reply(f"Saved `{entry.id}`, live at once on every platform (reviewed today, "
                  f"review by {draft.review_by}).")]


async def content_edit(turn: Turn) -> list[Reply]:
    bot = turn.bot
    store.sync(bot)
    args = turn.args.strip()
    match = EDIT_WORDS.match(args)
    entry_id = match["id"] if match else args
    if not entry_id:
        return [Reply("Type `content edit ID` (`content list` shows the ids).")]
    found = _find(bot, entry_id)
    if found is None:
        return [Reply(f"There is no entry `{entry_id[:60]}`. Type `content list`.")]
    entry, retired = found
    if retired:
        return [Reply(f"`{entry.id}` is retired: type `content restore {entry.id}` first.")]
    if match is None:
        return [edit_form(bot, entry)]
    field = (match["field"] or "body").lower().replace("-", "_")
    draft = from_entry(entry)
    text = match["text"]
    if field == "phrasings":
        draft.phrasings = split_phrasings(text)
    else:
        setattr(draft, field, text)
    errors, general = problems(bot, replace(draft, reviewed=today(bot)))
    if errors or general:
        shown = "\n".join(f"- {m}" for m in [*errors.values(), general] if m)
        return [Reply(f"Nothing was saved:\n{shown}")]
    return await save_edit(turn, entry, draft)


async def edit_pressed(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    assert turn.incoming.action is not None
    found = _find(turn.bot, turn.incoming.action.value)
    if found is None or found[1]:
        return [Reply("That entry is no longer live. Type `content list`.")]
    return [edit_form(turn.bot, found[0])]


async def edit_submitted(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    action = turn.incoming.action
    assert action is not None
    found = _find(turn.bot, action.id.partition(":")[2])
    if found is None or found[1]:
        return [Reply("That entry is no longer live, so nothing was saved.")]
    entry = found[0]
    return await save_edit(turn, entry, from_values(from_entry(entry), dict(action.values)))


async def content_retire(turn: Turn) -> list[Reply]:
    bot = turn.bot
    store.sync(bot)
    found = _find(bot, turn.args) if turn.args.strip() else None
    if found is None:
        return [Reply("Type `content retire ID` with an id from `content list`.")]
    entry, retired = found
    if retired:
        return [Reply(f"`{entry.id}` is retired already.")]
    users = [e.id for e in bot.content.entries.values() if entry.id in e.related]
    store.save_entry(bot, entry, retired=True)
    audit.record(bot, turn.user, "content retire", entry.id)
    note = (f" It is no longer offered as related to: {', '.join(users)}." if users else "")
    return [Reply(f"Retired `{entry.id}` ({entry.title}): I no longer use it.{note} "
                  f"`content restore {entry.id}` brings it back.")]


async def content_restore(turn: Turn) -> list[Reply]:
    bot = turn.bot
    store.sync(bot)
    found = _find(bot, turn.args) if turn.args.strip() else None
    if found is None:
        return [Reply("Type `content restore ID` with an id from `content list`.")]
    entry, retired = found
    shipped = bot.content.files.get(entry.id)
    row = store.taught_row(bot.db, entry.id)
    if retired:
        same_as_file = shipped is not None and entry_hash(replace(entry, origin="file")) == \
            entry_hash(shipped)
        if same_as_file:
            store.drop_entry(bot, entry.id)
        else:
            store.save_entry(bot, entry)
        audit.record(bot, turn.user, "content restore", entry.id)
        return [Reply(f"Restored `{entry.id}` ({entry.title}): live again on every platform.")]
    if shipped is not None and row is not None:
        store.drop_entry(bot, entry.id)
        audit.record(bot, turn.user, "content restore", f"{entry.id}: back to the file")
        return [Reply(f"`{entry.id}` is back to its shipped file's version; the chat edit is "
                      "gone (it stays in `audit`).")]
    return [Reply(f"`{entry.id}` is live and unchanged from its source: nothing to restore.")]


def stale_entries(bot: Bot) -> tuple[list[Entry], int]:
    now = today(bot)
    entries = list(bot.content.entries.values())
    stale = sorted((e for e in entries if e.review_by and e.review_by < now),
                   key=lambda e: e.review_by)
    return stale, sum(1 for e in entries if not e.review_by)


def stale_text(bot: Bot) -> str:
    stale, undated = stale_entries(bot)
    lines = [f"- `{e.id}` {e.title} (review by {e.review_by})" for e in stale]
    text = (f"{len(stale)} entr{'y is' if len(stale) == 1 else 'ies are'} past the review-by "
            "date:\n" + "\n".join(lines) if stale else "No entry is past its review-by date.")
    if undated:
        text += (f"\n{undated} entries have no review-by date (shipped files without "
                 "`review_by:`); `content edit ID` sets one.")
    return text


async def content_stale(turn: Turn) -> list[Reply]:
    store.sync(turn.bot)
    return [Reply(stale_text(turn.bot) + "\nType `content edit ID` to review one.")]


# --- the monthly nudge -----------------------------------------------------------------------

def _month(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def nudge_due(bot: Bot) -> datetime | None:
    if not bot.config.teach.nudge_channels:
        return None
    now = bot.clock.now().astimezone(UTC)
    row = bot.db.execute("select value from settings where key = ?", [NUDGE_KEY]).fetchone()
    day = bot.config.teach.nudge_day
    this_month = datetime.combine(now.date().replace(day=day), time(9, 0), tzinfo=UTC)
    if row is None or row[0] < _month(now):
        return this_month
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


async def nudge(bot: Bot) -> None:
    now = bot.clock.now().astimezone(UTC)
    store.sync(bot)
    stale, _ = stale_entries(bot)
    if stale:
        text = (f"**Content to review ({long_date(now.isoformat())})**\n" + stale_text(bot)
                + "\nType `content stale` for the list, `content edit ID` to review one.")
        for key in bot.config.teach.nudge_channels:
            conversation = conversations.recall(bot.db, key)
            if conversation is None:
                platform, _, cid = key.partition(":")
                conversation = Conversation(platform, cid, is_direct=False)
            try:
                await bot.send(conversation, [Reply(text)])
            except Exception as exc:
                log.warning("content nudge not sent conversation=%s: %s",
                            bot.log_tag(conversation), type(exc).__name__)
    bot.db.execute(
        "insert into settings (key, value) values (?, ?) "
        "on conflict(key) do update set value = excluded.value", [NUDGE_KEY, _month(now)])
    bot.db.conn.commit()


NUDGE_TASK = Task("teach-nudge", next_due=nudge_due, run=nudge)


def register(registry: Registry) -> None:
    for words, handler, usage, text in (
        ("content list", content_list, "content list",
         "every entry, where it comes from, its review-by date and feedback"),
        ("content show", content_show, "content show ID", "one entry in full"),
        ("content edit", content_edit, "content edit ID[: TEXT]", "change an entry"),
        ("content retire", content_retire, "content retire ID", "stop using an entry"),
        ("content restore", content_restore, "content restore ID",
         "bring a retired entry back, or a chat-edited file entry back to its file"),
        ("content stale", content_stale, "content stale", "entries past their review-by date"),
    ):
        registry.command(words, organiser=True, usage=usage, help=text)(handler)
    registry.action("teach.edit")(edit_pressed)
    registry.action("teach.edit:")(edit_submitted)
    registry.task(NUDGE_TASK)
