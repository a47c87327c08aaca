"""Who holds a web chat name: the first client to use a name gets a secret token for it.

The token is 256 random bits, given to the client once (in the answer to its first accepted
message) and kept here only as its SHA-256, under the person's pseudonym (no name is stored).
A message, the event stream and the organiser flag of a held name need the token; a name
that nobody holds is taken by the next client that sends a message with it. An organiser
frees a name with `webchat reset NAME`; `forget me` frees the person's own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import Enum

from bot.kernel.context import Bot
from bot.kernel.model import User

TABLE = "name_claims"
PLATFORM = "webchat"
MAX_TOKEN = 200


class Claim(Enum):
    FREE = "free"  # nobody holds the name
    YOURS = "yours"  # the token given is the name's token
    TAKEN = "taken"  # another client holds the name (no token, or a different one)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _person(bot: Bot, user_id: str) -> str:
    return bot.pseudonym(User(PLATFORM, user_id))


def _row(bot: Bot, user_id: str) -> tuple[str, str] | None:
    return bot.db.conn.execute(
        f"select token_hash, claimed_at from {TABLE} where platform = ? and person = ?",
        [PLATFORM, _person(bot, user_id)],
    ).fetchone()


def check(bot: Bot, user_id: str, token: str | None) -> Claim:
    """Whether `token` holds the name `user_id` (already normalised)."""
    row = _row(bot, user_id)
    if row is None:
        return Claim.FREE
    if token and hmac.compare_digest(row[0], _digest(token)):
        return Claim.YOURS
    return Claim.TAKEN


def claim(bot: Bot, user_id: str) -> str | None:
    """Take a free name: the new token, or None if another client took it first."""
    token = secrets.token_urlsafe(32)
    with bot.db.conn:
        cursor = bot.db.conn.execute(
            f"insert or ignore into {TABLE} (platform, person, token_hash, claimed_at) "
            "values (?, ?, ?, ?)",
            [PLATFORM, _person(bot, user_id), _digest(token), bot.now_iso()],
        )
    return token if cursor.rowcount == 1 else None


def release(bot: Bot, user_id: str) -> bool:
    """Free a name (its token stops working); whether anyone held it."""
    with bot.db.conn:
        cursor = bot.db.conn.execute(
            f"delete from {TABLE} where platform = ? and person = ?",
            [PLATFORM, _person(bot, user_id)],
        )
    return cursor.rowcount > 0


def claimed_at(bot: Bot, user_id: str) -> str | None:
    row = _row(bot, user_id)
    return row[1] if row else None
