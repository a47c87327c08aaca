"""The `help` command, and the example-question buttons of the introduction."""

from __future__ import annotations

from bot.kernel.model import Reply
from bot.kernel.registry import Registry, Turn
from bot.kernel.text import with_examples


async def help_command(turn: Turn) -> list[Reply]:
    registry = turn.bot.registry
    if turn.args:
        return [command_help(turn)]
    now = turn.bot.clock.now()

    def line(command) -> str:
        # Example dates in help are computed from today, so they are never in the past.
        return f"- `{command.usage}`: {with_examples(command.help, now)}"

    everyone = [c for c in registry.commands if not c.organiser]
    lines = ["Ask me a question in your own words, or use one of these commands:"]
    lines += [line(c) for c in sorted(everyone, key=lambda c: c.phrase)]
    if turn.user.is_organiser:
        organiser = [c for c in registry.commands if c.organiser]
        lines.append("For organisers:")
        lines += [line(c) for c in sorted(organiser, key=lambda c: c.phrase)]
    return [Reply("\n".join(lines))]


def command_help(turn: Turn) -> Reply:
    """`help COMMAND`: that command (and any others starting with its words)."""
    registry = turn.bot.registry
    named = registry.find(turn.args)
    words = named.words if named is not None else tuple(turn.args.lower().split())
    shown = [c for c in registry.commands if c.words[:len(words)] == words
             and (turn.user.is_organiser or not c.organiser)]
    if not shown:
        return Reply(f"`{turn.args}` is not one of the commands you can use. "
                     "Type `help` to list them.")
    shown.sort(key=lambda c: c.phrase)
    return Reply("\n".join(f"- `{c.usage}`: {c.help}" for c in shown))


async def ask_example(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    return await turn.bot.ask(Turn(turn.bot, turn.incoming, turn.incoming.action.value))


def register(registry: Registry) -> None:
    def names_a_command(args: str) -> bool:
        words = tuple(args.lower().split())
        return any(c.words[:len(words)] == words for c in registry.commands)

    registry.command("help", usage="help [COMMAND]", help="what I can do",
                     takes=names_a_command)(help_command)
    registry.action("ask")(ask_example)
