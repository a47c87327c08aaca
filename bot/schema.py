"""The schema, as named migrations applied in order (append new ones; never edit old ones)."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("dtlbot")


@migrations(name="0001_core")
def _core(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    # A logged question keeps its text, time and a pseudonymous asker key, never a name.
    db["questions"].create(
        {
            "id": int,
            "asked_at": str,
            "text": str,
            "asker": str,
            "platform": str,
            "answered": int,
            "topic": str,
            "score": float,
        },
        pk="id",
    )
    db["questions"].create_index(["answered", "asked_at"])
    db["questions"].create_index(["asker"])
    db["feedback"].create(
        {"id": int, "at": str, "topic": str, "vote": int, "asker": str},
        pk="id",
    )
    db["feedback"].create_index(["asker"])
    # Where the bot can post later: adapter-specific reference data, kept per conversation.
    db["conversations"].create(
        {
            "key": str,
            "platform": str,
            "conversation_id": str,
            "is_direct": int,
            "reference": str,
            "updated_at": str,
        },
        pk="key",
    )


@migrations(name="0002_audit")
def _audit(db: Database) -> None:
    # Organisers act in their forum role, so their display name is kept with their actions.
    db["audit"].create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "actor_name": str,
            "platform": str,
            "action": str,
            "detail": str,
        },
        pk="id",
    )


@migrations(name="0030_privacy")
def _privacy(db: Database) -> None:
    # Whose direct chat a stored conversation is (a pseudonym), so `forget me` can remove it.
    db["conversations"].add_column("person", str)
    db["conversations"].create_index(["person"])
    # Retention pruning looks for the oldest row still linked to someone.
    db.execute(
        "create index questions_linked_asked_at on questions(asked_at) where asker is not null"
    )
    db.execute("create index feedback_linked_at on feedback(at) where asker is not null")
