"""Helpers for poll tests: a forum channel, a recording sender, filled-in ballot forms."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.context import Bot
from bot.kernel.model import Action, Conversation, Form, Incoming, Reply, User

CHANNEL = Conversation("console", "forum-channel", is_direct=False)


@dataclass
class RecordingSender:
    """Stands in for an adapter's proactive sender: keeps what was posted where."""

    posts: list[tuple[Conversation, list[Reply]]] = field(default_factory=list)

    async def __call__(self, conversation: Conversation, replies: list[Reply]) -> None:
        self.posts.append((conversation, replies))


async def in_channel(bot: Bot, text: str, user: User) -> list[Reply]:
    """Type `text` in the forum channel as `user`."""
    return await bot.handle(Incoming(user, CHANNEL, text=text))


def form_values(form: Form, order: list[str], leads: dict[str, str] | None = None,
                progress: dict[str, str] | None = None, pcn: str = "") -> dict[str, str]:
    """Values for the ballot form ranking priority ids in `order` (most important first)."""
    values = {f"rank:{pid}": str(place) for place, pid in enumerate(order, start=1)}
    for pid, lead in (leads or {}).items():
        values[f"lead:{pid}"] = lead
    for pid, stage in (progress or {}).items():
        values[f"progress:{pid}"] = stage
    values["pcn"] = pcn
    assert set(values) <= {f.id for f in form.fields}
    return values


def submit(form: Form, values: dict[str, str]) -> Action:
    """What an adapter sends when the form is submitted."""
    return Action(form.id, values=values)
