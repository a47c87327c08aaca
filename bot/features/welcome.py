"""First contact: the short introduction the bot gives a person once, on every platform."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.kernel.model import Action, Button, Conversation, Reply, User
from bot.kernel.registry import PersonalData, Registry

if TYPE_CHECKING:
    from bot.kernel.context import Bot

EXAMPLES = (
    "How often does the DTL forum meet?",
    "What are the five steps in the toolkit?",
    "What is the ARRS?",
)


def welcome_reply() -> Reply:
    """Two lines of introduction and three example questions, as buttons."""
    return Reply(
        "Hello, I'm the DTL Forum Bot. I answer questions about the DFPC toolkit and the "
        "Digital and Transformation Lead role, and I keep track of the forum's meetings "
        "and polls. Once you have voted, `peers on` lets DTLs working on the same priorities "
        "find you (only if you agree).\n"
        "Ask me anything in your own words, or type `help`. For example:",
        buttons=tuple(Button(q, Action("ask", value=q)) for q in EXAMPLES),
    )


async def introduce(bot: Bot, user: User | None, conversation: Conversation) -> list[Reply]:
    return [welcome_reply()]


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


def register(registry: Registry) -> None:
    registry.on("first_contact", introduce)
    registry.holds_personal_data(INTRODUCTION)
