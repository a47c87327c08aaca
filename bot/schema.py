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


@migrations(name="0010_meetings")
def _meetings(db: Database) -> None:
    # One-off meetings added from chat; times in UTC.
    db["meetings"].create(
        {
            "id": int,
            "starts_at": str,
            "duration_minutes": int,
            "title": str,
            "location": str,
            "changed_at": str,
            "cancelled_at": str,
        },
        pk="id",
    )
    # Changes to single occurrences of the configured series, keyed by the rule's own start.
    db["meeting_changes"].create(
        {
            "original_start": str,
            "action": str,
            "new_start": str,
            "changed_at": str,
        },
        pk="original_start",
    )
    # Conversations that get reminders. set_by is the pseudonym of whoever set it.
    db["reminder_subscriptions"].create(
        {
            "conversation": str,
            "is_direct": int,
            "enabled": int,
            "source": str,
            "set_by": str,
            "since": str,
        },
        pk="conversation",
    )
    # One row per (occurrence, offset, conversation): the database knows what was sent.
    db["reminder_deliveries"].create(
        {
            "id": int,
            "occurrence": str,
            "starts_at": str,
            "offset": str,
            "conversation": str,
            "due_at": str,
            "status": str,
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "sent_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["reminder_deliveries"].create_index(
        ["occurrence", "offset", "conversation"], unique=True
    )
    db["reminder_deliveries"].create_index(["status", "next_attempt_at"])
