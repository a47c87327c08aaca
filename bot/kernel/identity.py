"""Pseudonyms: a stable HMAC of a person's platform id, so stored data never names them."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from sqlite_utils import Database

from bot.kernel.model import User

SECRET_ENV = "DTLBOT_SECRET"


def load_secret(db: Database, env: dict[str, str] | None = None) -> bytes:
    """$DTLBOT_SECRET, or a random secret generated once and kept in the database."""
    env = dict(os.environ) if env is None else env
    if env.get(SECRET_ENV):
        return env[SECRET_ENV].encode("utf-8")
    table = db["settings"]
    rows = list(table.rows_where("key = ?", ["pseudonym_secret"]))
    if rows:
        return bytes.fromhex(rows[0]["value"])
    value = secrets.token_bytes(32)
    # insert-or-ignore then re-read, so two processes starting together agree.
    table.insert({"key": "pseudonym_secret", "value": value.hex()}, ignore=True)
    return bytes.fromhex(table.get("pseudonym_secret")["value"])


def pseudonym(secret: bytes, user: User) -> str:
    """A stable, non-reversible key for this person: the same on every call, never their id."""
    digest = hmac.new(secret, user.key.encode("utf-8"), hashlib.sha256).hexdigest()
    return "p-" + digest[:16]
