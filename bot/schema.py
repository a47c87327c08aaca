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


@migrations(name="0040_slack")
def _slack(db: Database) -> None:
    # Event ids already answered, so a retried delivery is never answered twice (kept a day).
    db["slack_events"].create({"event_id": str, "seen_at": str}, pk="event_id")
    db["slack_events"].create_index(["seen_at"])
    # People already greeted, by pseudonym, so the introduction is given once.
    db["slack_welcomed"].create({"person": str, "at": str}, pk="person")
