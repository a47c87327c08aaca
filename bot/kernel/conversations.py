"""Stored conversations: where the bot may post later (reminders, poll announcements)."""

from __future__ import annotations

import json

from sqlite_utils import Database

from bot.kernel.model import Conversation


def reference_json(conversation: Conversation) -> str:
    """The conversation's adapter reference as stored (stable key order)."""
    return json.dumps(conversation.reference, sort_keys=True)


def remember(
    db: Database, conversation: Conversation, now_iso: str, person: str | None = None
) -> None:
    """Keep (or refresh) what an adapter needs to post to this conversation later.

    For a direct chat, pass `person` (the pseudonym, `bot.pseudonym(user)`) so that
    `my data` and `forget me` find it from any platform.
    """
    row = {
        "key": conversation.key,
        "platform": conversation.platform,
        "conversation_id": conversation.id,
        "is_direct": int(conversation.is_direct),
        "reference": reference_json(conversation),
        "updated_at": now_iso,
    }
    if person is not None and conversation.is_direct:
        row["person"] = person
    db["conversations"].upsert(row, pk="key")


def claim(db: Database, conversation: Conversation, person: str) -> None:
    """Mark a stored direct chat as this person's (it is theirs: only they talk in it)."""
    if conversation.is_direct:
        with db.conn:
            db.execute(
                "update conversations set person = ? where key = ? and is_direct = 1 "
                "and person is not ?",
                [person, conversation.key, person],
            )


def of_person(db: Database, person: str) -> list[Conversation]:
    """The direct chats stored for this person."""
    rows = db["conversations"].rows_where("person = ? and is_direct = 1", [person])
    return [_conversation(row) for row in rows]


def recall(db: Database, key: str) -> Conversation | None:
    """The stored conversation with this key ("platform:id"), if any."""
    rows = list(db["conversations"].rows_where("key = ?", [key]))
    if not rows:
        return None
    return _conversation(rows[0])


def _conversation(row: dict) -> Conversation:
    return Conversation(
        platform=row["platform"],
        id=row["conversation_id"],
        is_direct=bool(row["is_direct"]),
        reference=json.loads(row["reference"] or "{}"),
    )


def forget(db: Database, key: str) -> None:
    db["conversations"].delete_where("key = ?", [key])


def stored(db: Database, platform: str) -> list[Conversation]:
    """Every stored conversation on one platform."""
    rows = db["conversations"].rows_where("platform = ?", [platform], order_by="key")
    return [c for c in (recall(db, row["key"]) for row in rows) if c is not None]
