"""Privacy: `my data`, `forget me`, the `privacy` notice, and retention pruning."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.kernel import conversations
from bot.kernel.model import Action, Button, Reply, User
from bot.kernel.registry import PersonalData, Registry, Turn
from bot.kernel.scheduler import Task
from bot.kernel.storage import storage_failure
from bot.kernel.text import plural

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.privacy")

FORGET_ACTION = "forget-me"
# Lines shown per kind of data in `my data`; the rest are counted.
MAX_LINES = 10

# Tables that hold nothing about a person, and why (every other table must be named in the
# privacy notice; tests/test_privacy.py checks this against the live schema).
NO_PERSONAL_DATA: dict[str, str] = {
    "settings": "the bot's own settings, including the secret key for pseudonyms",
    "_sqlite_migrations": "which schema changes have been applied",
    "meetings": "one-off forum meetings: time, title and place",
    "meeting_changes": "skipped or moved occurrences of the forum's regular meeting",
    "seen_events": "ids of platform events already answered (no person), kept a day",
    "taught_entries": "entries taught or edited in chat: forum content, linked to no one "
                      "(an approved peer answer's source names them only as they chose)",
    "taught_priorities": "the forum's priority list as set in chat",
    "poll_nudge_rounds": "which of a poll's reminder rounds have been planned (no person)",
}


def question_retention(bot: Bot) -> str:
    days = bot.config.privacy.question_retention_days
    return (
        f"The link to you is removed {days} days after you asked; the question's text stays, "
        "unlinked, so organisers can add answers."
    )


def feedback_retention(bot: Bot) -> str:
    days = bot.config.privacy.question_retention_days
    return f"The link to you is removed after {days} days; the vote stays, unlinked."


def _date(iso: str) -> str:
    return iso[:10]


def _capped(lines: list[str], total: int) -> list[str]:
    if total > len(lines):
        lines = [*lines, f"and {total - len(lines)} more"]
    return lines


def describe_questions(bot: Bot, user: User) -> list[str]:
    key = bot.pseudonym(user)
    total = bot.db.execute("select count(*) from questions where asker = ?", [key]).fetchone()[0]
    rows = bot.db.execute(
        "select asked_at, text from questions where asker = ? order by asked_at desc, id desc "
        "limit ?",
        [key, MAX_LINES],
    ).fetchall()
    return _capped([f'{_date(at)}: "{text}"' for at, text in rows], total)


def forget_questions(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute(
            "update questions set asker = null where asker = ?", [bot.pseudonym(user)]
        ).rowcount
    return (
        f"Unlinked {plural(count, 'question')} from you: their text stays, with no link to anyone, "
        "so organisers can still add answers."
    )


def describe_feedback(bot: Bot, user: User) -> list[str]:
    key = bot.pseudonym(user)
    total = bot.db.execute("select count(*) from feedback where asker = ?", [key]).fetchone()[0]
    rows = bot.db.execute(
        "select at, topic, vote from feedback where asker = ? order by at desc, id desc limit ?",
        [key, MAX_LINES],
    ).fetchall()
    lines = []
    for at, topic, vote in rows:
        entry = bot.content.entries.get(topic)
        title = entry.title if entry is not None else topic
        lines.append(f'{_date(at)}: {"helpful" if vote > 0 else "not helpful"} on "{title}"')
    return _capped(lines, total)


def forget_feedback(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute(
            "update feedback set asker = null where asker = ?", [bot.pseudonym(user)]
        ).rowcount
    return (f"Unlinked {plural(count, 'feedback vote')} from you: the votes stay, with no link "
            "to anyone.")


def describe_conversations(bot: Bot, user: User) -> list[str]:
    return [
        f"your direct chat with me on {c.platform} (so I can send you what you asked for, "
        "such as reminders)"
        for c in conversations.of_person(bot.db, bot.pseudonym(user))
    ]


def forget_conversations(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute(
            "delete from conversations where person = ? and is_direct = 1", [bot.pseudonym(user)]
        ).rowcount
    return (f"Deleted {plural(count, 'stored direct chat')}: I will not message you unless you "
            "write first.")


def describe_audit(bot: Bot, user: User) -> list[str]:
    key = bot.pseudonym(user)
    rows = bot.db.execute(
        "select at, action, actor_name from audit where actor = ? order by id desc limit ?",
        [key, MAX_LINES],
    ).fetchall()
    total = bot.db.execute("select count(*) from audit where actor = ?", [key]).fetchone()[0]
    lines = _capped([f'{_date(at)}: {action} (as "{name}")' for at, action, name in rows], total)
    if "polls" in bot.db.table_names():
        opened = bot.db.execute(
            "select count(*) from polls where opened_by = ?", [key]
        ).fetchone()[0]
        if opened:
            lines.append(f"{plural(opened, 'poll')} you opened record you as the organiser "
                         "who opened them")
    return lines


def forget_audit(bot: Bot, user: User) -> str:
    return (
        "Your organiser actions stay in the audit trail under your name (and polls you opened "
        "keep you as their opener): they are the forum's record of what was done in its name. "
        "Ask the bot's deployer if they must be removed."
    )


CORE_DATA = (
    PersonalData(
        "Questions you asked",
        question_retention,
        describe_questions,
        forget_questions,
        tables=("questions",),
        summary="the text of each question, when it was asked, on which platform, whether and "
        "how it was answered (and, when I offered topics, which one you chose), and your "
        "pseudonym; your last question, for 10 minutes, also helps me read a follow-up to it",
    ),
    PersonalData(
        "Feedback you gave on answers",
        feedback_retention,
        describe_feedback,
        forget_feedback,
        tables=("feedback",),
        summary="which answer you marked helpful or not helpful, when, and your pseudonym",
    ),
    PersonalData(
        "Your direct chat with the bot",
        "Until you use `forget me`.",
        describe_conversations,
        forget_conversations,
        tables=("conversations",),
        summary="what the platform needs to message you later in your direct chat (its "
        "conversation id and address), with your pseudonym; group channels are stored too "
        "but are not linked to anyone",
    ),
    PersonalData(
        "Your actions as a forum organiser",
        "Kept as the forum's audit trail (organisers only).",
        describe_audit,
        forget_audit,
        tables=("audit", "polls"),
        summary="for organisers only: each organiser action (such as starting a poll or "
        "reloading content), when, and the organiser's display name; each poll also records "
        "the pseudonym of the organiser who opened it",
        kept=True,
    ),
)


def _title(name: str) -> str:
    return name[:1].upper() + name[1:]


def held(bot: Bot, user: User) -> list[tuple[PersonalData, list[str]]]:
    """Every kind of personal data registered, with what is held about this person."""
    return [(kind, kind.describe(bot, user)) for kind in bot.registry.personal_data]


def _claim_current_chat(turn: Turn) -> None:
    # A direct chat is the person's own: link it, so that it is listed and forgotten.
    stored = conversations.recall(turn.bot.db, turn.conversation.key)
    if stored is not None and stored.is_direct:
        conversations.claim(turn.bot.db, turn.conversation, turn.bot.pseudonym(turn.user))


async def my_data(turn: Turn) -> list[Reply]:
    bot, user = turn.bot, turn.user
    if not turn.conversation.is_direct:
        # What the bot holds about a person is theirs: never posted where others read.
        return [Reply("What I hold about you is only shown in a direct chat with me: send me "
                      "`my data` there.")]
    _claim_current_chat(turn)
    lines = [
        "Here is everything I hold about you.",
        f"**Who you are to me**: the pseudonym `{bot.pseudonym(user)}`, a code made from your "
        f"{user.platform} user id with a secret key. I do not store your name or your user id.",
    ]
    empty = []
    for kind, items in held(bot, user):
        if not items:
            empty.append(kind.name.lower())
            continue
        lines.append(f"**{_title(kind.name)}**: {kind.retention_for(bot)}")
        lines += [f"- {item}" for item in items]
    if empty:
        lines.append("Nothing held: " + "; ".join(empty) + ".")
    lines.append("Type `forget me` to erase this, or `privacy` for the full privacy notice.")
    return [Reply("\n".join(lines))]


def _forget_everything(bot: Bot, user: User) -> Reply:
    found = [(kind, items) for kind, items in held(bot, user) if items]
    if not found:
        return Reply("I hold nothing about you, so there is nothing to forget.")
    done = []
    for kind, _ in found:
        try:
            done.append(kind.forget(bot, user))
        except Exception as exc:
            if storage_failure(exc):
                bot.storage_failed(exc)
                log.warning("forget could not save kind=%s reason=%s", kind.name, exc)
            else:
                log.exception("forget failed kind=%s", kind.name)
            done.append(f"I could not erase {kind.name.lower()} just now; please try "
                        "`forget me` again later. Nothing else was affected.")
    try:
        # Move what was just erased out of the write-ahead log into the (securely deleted)
        # database file now, rather than whenever SQLite next checkpoints.
        bot.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        log.warning("could not checkpoint after forget me: %s", exc)
    log.info("forget me done kinds=%d", len(found))
    return Reply("Done.\n" + "\n".join(f"- {sentence}" for sentence in done))


async def forget_me(turn: Turn) -> list[Reply]:
    _claim_current_chat(turn)
    if turn.args.lower() == "confirm":
        return [_forget_everything(turn.bot, turn.user)]
    if turn.args:
        return [Reply("Type `forget me` to see what I would erase, then `forget me confirm`.")]
    found = [(kind, items) for kind, items in held(turn.bot, turn.user) if items]
    if not found:
        return [Reply("I hold nothing about you, so there is nothing to forget.")]
    erased = [(kind, items) for kind, items in found if not kind.kept]
    kept = [kind for kind, _ in found if kind.kept]
    listing = "\n".join(f"- {_title(kind.name)} ({len(items)})" for kind, items in erased)
    text = (f"This erases what links this data to you, and cannot be undone:\n{listing}\n"
            if erased else "")
    if kept:
        text += ("Kept, because they are the forum's audit trail of what was done in its "
                 "name: " + "; ".join(kind.name.lower() for kind in kept) + ".\n")
    return [
        Reply(
            text + "Press **Forget me** or type `forget me confirm` to go ahead.",
            buttons=(
                Button("Forget me", Action(FORGET_ACTION, value="confirm"), style="danger"),
                Button("Cancel", Action(FORGET_ACTION, value="cancel")),
            ),
        )
    ]


async def forget_me_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    if turn.incoming.action.value != "confirm":
        return [Reply("Cancelled: nothing was erased.")]
    return [_forget_everything(turn.bot, turn.user)]


def notice(bot: Bot) -> str:
    """The privacy notice, written from the kinds of personal data the features register."""
    if bot.config.polls.named_export:
        names = (
            "It never stores your platform user id. It stores your display name only with a "
            "ballot, because this forum has turned on named poll exports: organisers' CSV "
            "exports show who voted and their PCN. Your name and user id are also kept if you "
            "choose to be found by other DTLs (`peers on`, below)."
        )
    else:
        names = (
            "It never stores your name or your platform user id, unless you choose to be "
            "found by other DTLs (`peers on`, below). Poll results and exports show "
            "respondents only by pseudonym."
        )
    lines = [
        "**Privacy notice: what the DTL Forum Bot keeps about you**",
        "The bot is run for the DTL forum by its organisers and keeps as little as it can. "
        f"{names} What it keeps about you is filed under a pseudonym: a code computed from "
        "your platform id with a secret key that only the bot's deployer holds, which cannot "
        "be turned back into your id.",
        "**What it keeps**:",
    ]
    # In plain words: the database tables are for the deployer (docs/privacy.md names them).
    for kind in bot.registry.personal_data:
        what = f": {kind.summary}" if kind.summary else ""
        retention = _title(kind.retention_for(bot)).rstrip(".")
        lines.append(f"- **{_title(kind.name)}**{what}. {retention}.")
    lines += [
        "**What it does not keep**: the text of your messages other than questions, your "
        "email address, or your platform user id; nor your name, except organisers' display "
        "names in the audit trail (and voters' names if named poll exports are on), and what "
        "you choose to share with other DTLs through `peers on`: your name, your user id and, on "
        "Teams, a chat link containing your sign-in address.",
        "**Server logs** record each message's platform, a coded tag for the conversation and "
        "timing, never its text (events such as the bot being added to a chat log the "
        "platform's conversation id); how long logs are kept is set by the deployer.",
        "**Your choices**: `my data` shows everything held about you, from any platform. "
        "`forget me` erases what links it to you; `peers off` stops sharing your progress with "
        "other DTLs at once. Ballots in polls that have closed stay in the "
        "published results, with no link to you. If you use the bot on more than one platform, "
        "each is a separate identity: ask on each. For anything else, ask the forum organisers.",
    ]
    return "\n".join(lines)


async def privacy(turn: Turn) -> list[Reply]:
    return [Reply(notice(turn.bot))]


def _oldest_linked(bot: Bot) -> datetime | None:
    oldest = []
    for sql in (
        "select min(asked_at) from questions where asker is not null",
        "select min(at) from feedback where asker is not null",
    ):
        value = bot.db.execute(sql).fetchone()[0]
        if value:
            oldest.append(datetime.fromisoformat(value))
    return min(oldest, default=None)


def retention_due(bot: Bot) -> datetime | None:
    """When the oldest question or vote still linked to someone passes the retention period."""
    oldest = _oldest_linked(bot)
    if oldest is None:
        return None
    return oldest + timedelta(days=bot.config.privacy.question_retention_days)


async def prune(bot: Bot) -> None:
    """Unlink questions and feedback older than `[privacy] question_retention_days`."""
    cutoff = bot.clock.now() - timedelta(days=bot.config.privacy.question_retention_days)
    cutoff_iso = cutoff.isoformat(timespec="seconds")
    with bot.db.conn:
        questions = bot.db.execute(
            "update questions set asker = null where asker is not null and asked_at <= ?",
            [cutoff_iso],
        ).rowcount
        feedback = bot.db.execute(
            "update feedback set asker = null where asker is not null and at <= ?", [cutoff_iso]
        ).rowcount
    log.info("retention unlinked questions=%d feedback=%d", questions, feedback)


def register(registry: Registry) -> None:
    registry.command("privacy", help="what I keep about you, and for how long",
                     takes="none")(privacy)
    registry.command("my data", help="everything I hold about you", takes="none")(my_data)
    registry.command("forget me", help="erase what links my data to you (asks first)",
                   usage="forget me [confirm]")(forget_me)
    registry.action(FORGET_ACTION)(forget_me_pressed)
    for kind in CORE_DATA:
        registry.holds_personal_data(kind)
    registry.task(Task("privacy-retention", next_due=retention_due, run=prune))
