"""Stored conversations: where the bot may post later (reminders, poll announcements)."""

from __future__ import annotations

import json

from sqlite_utils import Database

from bot.model import Conversation


def remember(db: Database, conversation: Conversation, now_iso: str) -> None:
    """Keep (or refresh) what an adapter needs to post to this conversation later."""
    db["conversations"].upsert(
        {
            "key": conversation.key,
            "platform": conversation.platform,
            "conversation_id": conversation.id,
            "is_direct": int(conversation.is_direct),
            "reference": json.dumps(conversation.reference, sort_keys=True),
            "updated_at": now_iso,
        },
        pk="key",
    )


def recall(db: Database, key: str) -> Conversation | None:
    """The stored conversation with this key ("platform:id"), if any."""
    rows = list(db["conversations"].rows_where("key = ?", [key]))
    if not rows:
        return None
    row = rows[0]
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
