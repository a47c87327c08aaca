"""Telling the people who asked: where they asked (kept only while their question is open),
and the notice once an answer covers it."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.features.teach.store import literal, long_date, month_year
from bot.kernel.content import Entry
from bot.kernel.context import NoSender
from bot.kernel.model import Action, Button, Conversation, Reply, User
from bot.kernel.registry import PersonalData, Turn
from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.teach")

# A notice that cannot be delivered (the platform is down, or served by another process)
# is tried again this long after, this many times, then dropped.
RETRY = timedelta(minutes=10)
MAX_ATTEMPTS = 6
BY = {
    "organisers": "The organisers have added an answer:",
    "forum": "A DTL in the forum answered it, and the organisers checked the answer:",
}


def keep_asker(bot: Bot, turn: Turn, question_id: int) -> None:
    """Keep where this open question was asked, so its asker can be told of an answer."""
    conversation = turn.conversation
    bot.db["teach_askers"].upsert(
        {
            "question_id": question_id,
            "person": bot.pseudonym(turn.user),
            "conversation": conversation.key,
            "platform": conversation.platform,
            "conversation_id": conversation.id,
            "is_direct": int(conversation.is_direct),
            "reference": json.dumps(conversation.reference, sort_keys=True),
            "asked_at": bot.now_iso(),
        },
        pk="question_id",
    )


def forget_askers(bot: Bot, question_ids: list[int]) -> None:
    """The questions were dismissed: nobody is to be told, so where they asked goes."""
    if question_ids:
        marks = ",".join("?" * len(question_ids))
        with bot.db.conn:
            bot.db.execute(f"delete from teach_askers where question_id in ({marks})",
                           question_ids)


def entry_text(entry: Entry) -> str:
    reviewed = f"\n_Reviewed {month_year(entry.reviewed)}_" if entry.reviewed else ""
    return f"**{entry.title}**\n{entry.body}\n_Source: {entry.source}_{reviewed}"


def notice(bot: Bot, row: dict, entry: Entry) -> Reply:
    asked = bot.db.execute("select text from questions where id = ?",
                           [row["question_id"]]).fetchone()
    question = literal(asked[0]) if asked and asked[0] else "a question"
    intro = f"On {long_date(row['asked_at'])} you asked {question}. {BY[row['answered_by']]}"
    return Reply(f"{intro}\n{entry_text(entry)}",
                 buttons=(Button("👎 Not helpful", Action("feedback", value=f"down:{entry.id}")),))


async def tell_askers(bot: Bot, question_ids: list[int], entry_id: str, by: str) -> int:
    """Queue a notice for everyone who asked these questions, and send them now; returns
    how many were sent at once (the rest are tried again by the `teach-notices` task)."""
    if not question_ids:
        return 0
    marks = ",".join("?" * len(question_ids))
    with bot.db.conn:
        bot.db.execute(
            f"update teach_askers set entry = ?, answered_by = ?, due_at = ?, attempts = 0 "
            f"where question_id in ({marks})",
            [entry_id, by, bot.now_iso(), *question_ids],
        )
    return await deliver(bot, f"question_id in ({marks})", question_ids)


async def deliver(bot: Bot, where: str = "due_at <= ?", params: list | None = None) -> int:
    params = params if params is not None else [bot.now_iso()]
    rows = list(bot.db["teach_askers"].rows_where(f"entry is not null and {where}", params))
    sent = 0
    seen: set[tuple[str, str]] = set()
    for row in rows:
        entry = bot.content.entries.get(row["entry"])
        # One notice per person and entry, even if they asked it three ways.
        key = (row["person"], row["entry"])
        if entry is None or key in seen:
            bot.db["teach_askers"].delete(row["question_id"])
            continue
        conversation = Conversation(row["platform"], row["conversation_id"],
                                    is_direct=bool(row["is_direct"]),
                                    reference=json.loads(row["reference"] or "{}"))
        try:
            await bot.send(conversation, [notice(bot, row, entry)])
        except NoSender:
            # Served by another process (the server, when this is `dtlbot chat`): it sends it.
            _later(bot, row, "no adapter for the platform in this process", timedelta(minutes=1))
            continue
        except Exception as exc:  # the platform refused or is down: try again later
            _later(bot, row, type(exc).__name__)
            continue
        seen.add(key)
        sent += 1
        bot.db["teach_askers"].delete(row["question_id"])
    return sent


def _later(bot: Bot, row: dict, why: str, delay: timedelta = RETRY) -> None:
    attempts = (row["attempts"] or 0) + 1
    if attempts >= MAX_ATTEMPTS:
        log.warning("asker notice dropped after %d attempts: %s", attempts, why)
        bot.db["teach_askers"].delete(row["question_id"])
        return
    due = (bot.clock.now() + delay).isoformat(timespec="seconds")
    bot.db["teach_askers"].update(row["question_id"], {"attempts": attempts, "due_at": due})
    log.info("asker notice deferred attempt=%d: %s", attempts, why)


def _due(bot: Bot) -> datetime | None:
    times = []
    pending = bot.db.execute(
        "select min(due_at) from teach_askers where entry is not null").fetchone()[0]
    if pending:
        times.append(datetime.fromisoformat(pending))
    oldest = bot.db.execute(
        "select min(asked_at) from teach_askers where entry is null").fetchone()[0]
    if oldest:
        days = bot.config.privacy.question_retention_days
        times.append(datetime.fromisoformat(oldest) + timedelta(days=days))
    return min(times, default=None)


async def _run(bot: Bot) -> None:
    # An answer published by another process must be known here before it is sent.
    bot.refresh_layers()
    await deliver(bot)
    # An open question's asker is kept no longer than the question is linked to them.
    days = bot.config.privacy.question_retention_days
    cutoff = (bot.clock.now() - timedelta(days=days)).isoformat(timespec="seconds")
    with bot.db.conn:
        bot.db.execute("delete from teach_askers where entry is null and asked_at <= ?",
                       [cutoff])


NOTICES_TASK = Task("teach-notices", next_due=_due, run=_run)


def _describe(bot: Bot, user: User) -> list[str]:
    rows = bot.db.execute(
        "select a.asked_at, q.text, a.platform, a.entry from teach_askers a "
        "left join questions q on q.id = a.question_id where a.person = ? order by a.asked_at",
        [bot.pseudonym(user)],
    ).fetchall()
    return [
        f"{at[:10]}: where you asked {literal(text or '')} (on {platform}), so I can tell you "
        + ("the answer (being sent)" if entry else "when it is answered")
        for at, text, platform, entry in rows
    ]


def _forget(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute("delete from teach_askers where person = ?",
                               [bot.pseudonym(user)]).rowcount
    return (f"Deleted where you asked {count} open question(s): you will not be told when "
            "they are answered.")


def _retention(bot: Bot) -> str:
    days = bot.config.privacy.question_retention_days
    return (f"Only while the question is open: deleted once it is answered (after telling you) "
            f"or dismissed, or {days} days after you asked.")


ASKERS_DATA = PersonalData(
    "Where you asked questions I could not answer yet",
    _retention,
    _describe,
    _forget,
    tables=("teach_askers",),
    summary="for each open question: the question's id, the conversation where it was asked "
    "(what the platform needs to post there), when, and your pseudonym",
)
