"""The organisers' audit trail: who did what, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.kernel.model import User

if TYPE_CHECKING:
    from bot.kernel.context import Bot


def record(bot: Bot, user: User, action: str, detail: str = "") -> None:
    """Record one organiser action (e.g. action="poll start", detail="Spring 2027")."""
    bot.db["audit"].insert(
        {
            "at": bot.now_iso(),
            "actor": bot.pseudonym(user),
            "actor_name": user.name or user.id,
            "platform": user.platform,
            "action": action,
            "detail": detail[:500],
        }
    )


def recent(bot: Bot, limit: int = 20) -> list[dict]:
    """The latest audit records, newest first."""
    return list(bot.db["audit"].rows_where(order_by="id desc", limit=limit))
