"""The parts of docs/ written from the code, so they cannot drift: commands and privacy notice."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import click

from bot.app import create_bot, load_config
from bot.kernel.markup import to_plain
from bot.kernel.model import Conversation, Incoming, User
from bot.kernel.registry import Registry

GENERATED = "<!-- Written by `dtlbot docs`: edit the code (or bot/docs.py), not this file. -->"
READER = User("docs", "reader", name="Reader", is_organiser=True)


def chat_commands(registry: Registry) -> str:
    """The chat commands, as a table: usage, who may use it, what it does."""
    rows = ["| command | who | what |", "| --- | --- | --- |",
            "| any question | everyone | an answer from the curated content, with its source |"]
    ordered = sorted(registry.commands, key=lambda c: (c.organiser, c.phrase))
    for command in ordered:
        who = "organisers" if command.organiser else "everyone"
        usage = command.usage.replace("|", "\\|")
        rows.append(f"| `{usage}` | {who} | {command.help.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def command_line(group: click.Group) -> str:
    """Every `dtlbot` command's --help text, depth first, as sqlite-utils' CLI reference does."""
    sections: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        # A fixed width, so the page is the same whatever terminal wrote it.
        ctx = click.Context(command, info_name=" ".join(path), terminal_width=100,
                            max_content_width=100)
        sections.append(f"### `{' '.join(path)}`\n\n```\n{command.get_help(ctx).rstrip()}\n```")
        if isinstance(command, click.Group):
            for name in sorted(command.list_commands(ctx)):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name])

    walk(group, ["dtlbot"])
    return "\n\n".join(sections)


def commands_page(registry: Registry, group: click.Group) -> str:
    return "\n\n".join([
        "# Commands",
        GENERATED,
        "The same words work on every platform: in a direct message, after a mention, after "
        "Slack's `/dtl`, in the web chat and in `dtlbot chat`. Buttons and forms are a "
        "convenience over these words, never the only way. Type `help` to the bot for this list.",
        "## In chat",
        chat_commands(registry),
        "## On the command line",
        "Every command takes `--config PATH` after its name (or `DTLBOT_CONFIG=PATH`); without "
        "either it reads `./config.toml` if there is one, otherwise the built-in defaults.",
        command_line(group),
    ]) + "\n"


def cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def privacy_page() -> str:
    """The notice exactly as DTLs get it from `privacy`, then the tables for deployers."""
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(None, env={})
        config.storage.path = str(Path(folder) / "docs.db")
        bot = create_bot(config, env={"DTLBOT_SECRET": "docs"})
        try:
            conversation = Conversation(READER.platform, READER.id)
            (reply, *_) = asyncio.run(bot.handle(Incoming(READER, conversation, text="privacy")))
            rows = ["| kind (as `my data` names it) | tables | what is stored | kept |",
                    "| --- | --- | --- | --- |"]
            rows += [f"| {k.name} | {', '.join(f'`{t}`' for t in k.tables) or '(memory only)'} "
                     f"| {cell(k.summary)} | {cell(k.retention_for(bot))} |"
                     for k in bot.registry.personal_data]
        finally:
            bot.close()
    return "\n\n".join([
        "# Privacy notice",
        GENERATED,
        "What DTLs see when they type `privacy` (with the default settings):",
        "\n".join(f"> {line}" if line else ">" for line in to_plain(reply.text).split("\n")),
        "## Where each kind is stored (for deployers)",
        "Every feature registers what it keeps about a person (`registry.holds_personal_data`), "
        "so `my data`, `forget me` and the notice above cover it; `tests/test_privacy.py` fails "
        "if a table is added without being named by a feature or declared free of personal data.",
        "\n".join(rows),
        "Tables holding nothing about a person: `settings` (the bot's settings and, when "
        "`DTLBOT_SECRET` is unset, the pseudonym key), `_sqlite_migrations` (schema history), "
        "`meetings` and `meeting_changes` (the forum's schedule), `seen_events` (ids of platform "
        "events already answered, kept a day so a retry is not answered twice).",
        "## Notes for deployers",
        "- A pseudonym is an HMAC-SHA256 of the person's platform id with `DTLBOT_SECRET`. Keep "
        "the key the same for the life of the database: a new key gives everyone new "
        "pseudonyms, so `my data` would no longer find what was stored before.\n"
        "- Someone who uses the bot on two platforms has two pseudonyms, so `my data` and "
        "`forget me` work per platform.\n"
        "- Server logs carry a pseudonymous tag for each conversation, never a message's text or "
        "a person's name; how long logs are kept is yours to set (e.g. journald's "
        "`MaxRetentionSec`).",
    ]) + "\n"


def pages(registry: Registry, group: click.Group) -> dict[str, str]:
    """Every generated page, by file name under docs/."""
    return {"commands.md": commands_page(registry, group), "privacy.md": privacy_page()}
