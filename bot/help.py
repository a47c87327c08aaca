"""The `help` command and the short welcome the bot gives on first contact."""

from __future__ import annotations

from bot.model import Action, Button, Reply
from bot.router import Router, Turn

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
        "and polls.\n"
        "Ask me anything in your own words, or type `help`. For example:",
        buttons=tuple(Button(q, Action("ask", value=q)) for q in EXAMPLES),
    )


async def help_command(turn: Turn) -> list[Reply]:
    router = turn.bot.router
    everyone = [c for c in router.commands if not c.organiser]
    lines = ["Ask me a question in your own words, or use one of these commands:"]
    lines += [f"- `{c.usage}`: {c.help}" for c in sorted(everyone, key=lambda c: c.phrase)]
    if turn.user.is_organiser:
        organiser = [c for c in router.commands if c.organiser]
        lines.append("For organisers:")
        lines += [f"- `{c.usage}`: {c.help}" for c in sorted(organiser, key=lambda c: c.phrase)]
    return [Reply("\n".join(lines))]


async def ask_example(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    assert turn.bot.router.fallback is not None
    return await turn.bot.router.fallback(Turn(turn.bot, turn.incoming, turn.incoming.action.value))


def register(router: Router) -> None:
    router.command("help", help="what I can do")(help_command)
    router.action("ask")(ask_example)
