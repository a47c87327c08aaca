"""The `dtlbot` command line (click): ask, chat, content checks and more."""

from __future__ import annotations

import asyncio
import getpass
import importlib
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from bot.answers import AnswerIndex
from bot.config import Config, ConfigError, find_config_path, load_config
from bot.content import ContentError, check_content, load_content
from bot.markup import to_plain
from bot.model import User
from bot.qa import answer_reply


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The --config option every command accepts after its name."""
    return click.option(
        "--config", "config_path", metavar="PATH", envvar="DTLBOT_CONFIG",
        help="Config file (default: $DTLBOT_CONFIG, else ./config.toml if present, "
             "else built-in defaults).",
    )(func)


def get_config(config_path: str | None) -> Config:
    try:
        return load_config(find_config_path(config_path))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def get_bot(config: Config, **kwargs: Any):
    from bot.core import Bot

    try:
        return Bot.create(config, **kwargs)
    except ContentError as exc:
        raise click.ClickException(f"content is invalid:\n{exc}") from None


@click.group()
@click.version_option(package_name="dtlbot")
def cli() -> None:
    """DTL Forum Bot: answers DTLs' questions, keeps the forum's meetings and runs its polls."""


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@click.argument("question")
def ask(config_path: str | None, as_json: bool, question: str) -> None:
    """Answer one question (or, with '-', one question a line from stdin)."""
    config = get_config(config_path)
    try:
        content = load_content(config.content.path)
    except ContentError as exc:
        raise click.ClickException(f"content is invalid:\n{exc}") from None
    index = AnswerIndex(content, config.answers.threshold)
    questions = (line.strip() for line in sys.stdin) if question == "-" else iter([question])
    for text in questions:
        if not text:
            continue
        answer = index.ask(text)
        reply = answer_reply(content, answer)
        if not as_json:
            click.echo(to_plain(reply.text))
            continue
        source = None
        title = None
        if answer.entry is not None:
            source, title = answer.entry.source, answer.entry.title
        elif answer.glossary is not None:
            source, title = answer.glossary.source, answer.glossary.term
        click.echo(json.dumps({
            "answered": answer.answered,
            "text": reply.text,
            "title": title,
            "topic": answer.topic,
            "score": answer.score,
            "source": source,
            "reason": answer.reason,
            "related": [b.action.value for b in reply.buttons if b.action.id == "topic"],
        }))
        sys.stdout.flush()


@cli.command()
@config_option
@click.option("--as", "as_user", metavar="NAME", default=None,
              help="Who is speaking: a stable id (default: your OS user name).")
@click.option("--organiser", is_flag=True, help="Speak as a forum organiser.")
def chat(config_path: str | None, as_user: str | None, organiser: bool) -> None:
    """Talk to the bot in the terminal; reads one message a line when piped."""
    from adapters.console import run_console

    config = get_config(config_path)
    bot = get_bot(config)
    name = as_user or getpass.getuser()
    try:
        asyncio.run(run_console(bot, User("console", name, name=name, is_organiser=organiser)))
    finally:
        bot.close()


@cli.command()
@config_option
def serve(config_path: str | None) -> None:
    """Run the bot's web server: every configured adapter, health checks and the scheduler."""
    from bot.logs import configure_logging
    from bot.server import serve as run_server

    configure_logging()
    config = get_config(config_path)
    bot = get_bot(config)
    click.echo(f"DTL Forum Bot listening on http://{config.server.host}:{config.server.port}/")
    run_server(bot)


@cli.group()
def content() -> None:
    """Check the curated content."""


@content.command("check")
@config_option
def content_check(config_path: str | None) -> None:
    """Validate the content: front matter, ids, related links, glossary, priorities."""
    config = get_config(config_path)
    loaded, problems = check_content(config.content.path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    click.echo(
        f"content ok: {len(loaded.entries)} entries, "
        f"{len({t.term for t in loaded.glossary.values()})} glossary terms, "
        f"{len(loaded.synonyms)} synonym groups, {len(loaded.priorities)} priorities"
    )


def add_adapter_commands(group: click.Group) -> None:
    """Adapters may bring a command group of their own (e.g. `dtlbot slack manifest`)."""
    from bot.server import ADAPTERS

    for name in ADAPTERS:
        commands = getattr(importlib.import_module(f"adapters.{name}"), "cli", None)
        if isinstance(commands, click.Group):
            group.add_command(commands)


def main() -> None:
    add_adapter_commands(cli)
    cli()
