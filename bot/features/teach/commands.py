"""Chat commands for teaching the bot."""

from __future__ import annotations

from bot.kernel.model import Reply
from bot.kernel.registry import Registry, Turn


async def unanswered(turn: Turn) -> list[Reply]:
    rows = turn.bot.db.execute(
        """select lower(trim(text)) as q, count(*) as n, max(asked_at) as last
        from questions where answered = 0 group by q order by n desc, last desc limit 20"""
    ).fetchall()
    if not rows:
        return [Reply("No unanswered questions so far.")]
    lines = "\n".join(f"- {n}× {q}" for q, n, _ in rows)
    votes = turn.bot.db.execute(
        "select topic, count(*) from feedback where vote < 0 group by topic order by 2 desc limit 5"
    ).fetchall()
    text = f"Most frequent questions I could not answer:\n{lines}"
    if votes:
        text += "\nAnswers marked not helpful: " + ", ".join(f"{t} ({n})" for t, n in votes)
    return [Reply(text)]


def register(registry: Registry) -> None:
    registry.command("unanswered", organiser=True,
                     help="the questions I could not answer, most frequent first")(unanswered)
