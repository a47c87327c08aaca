"""First contact: whether the bot has introduced itself to a person yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.model import User
from bot.router import PersonalData, Router

if TYPE_CHECKING:
    from bot.core import Bot


def greet_once(bot: Bot, user: User) -> bool:
    """True the first time this person is seen (they get the introduction), then False."""
    with bot.db.conn:
        cursor = bot.db.conn.execute(
            "insert or ignore into welcomed (person, at) values (?, ?)",
            [bot.pseudonym(user), bot.now_iso()],
        )
    return cursor.rowcount == 1


def _describe(bot: Bot, user: User) -> list[str]:
    row = bot.db.execute(
        "select at from welcomed where person = ?", [bot.pseudonym(user)]
    ).fetchone()
    return [f"That I introduced myself to you on {row[0][:10]}."] if row else []


def _forget(bot: Bot, user: User) -> str:
    with bot.db.conn:
        bot.db.conn.execute("delete from welcomed where person = ?", [bot.pseudonym(user)])
    return "Forgot that I had introduced myself to you."


INTRODUCTION = PersonalData(
    name="Introduction",
    retention="until you ask me to forget you",
    describe=_describe,
    forget=_forget,
    tables=("welcomed",),
    summary="that the bot has introduced itself to you (your pseudonym and the date)",
)


def register(router: Router) -> None:
    router.holds_personal_data(INTRODUCTION)
