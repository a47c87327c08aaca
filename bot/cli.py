"""The `dtlbot` command line (click): ask, chat, content checks and more."""

from __future__ import annotations

import asyncio
import errno
import getpass
import json
import os
import sqlite3
import sys
from pathlib import Path

import click

from bot.app import create_bot, default_registry, load_config
from bot.features.qa import answer_reply
from bot.kernel.answers import AnswerIndex
from bot.kernel.answers.semantic import embedder_for
from bot.kernel.commandline import CommandLine, command_line, config_option
from bot.kernel.config import Config, ConfigError
from bot.kernel.content import ContentError, check_content, load_content
from bot.kernel.markup import to_plain
from bot.kernel.model import User
from bot.kernel.storage import open_read_only
from bot.kernel.text import plural


@click.group()
@click.version_option(package_name="dtlbot")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """DTL Forum Bot: answers DTLs' questions, keeps the forum's meetings and runs its polls."""
    ctx.obj = CommandLine(registry=default_registry(), load=load_config, build=create_bot)


# What `ask --json -` prints for an empty input line: the same fields as an answer.
EMPTY_ANSWER = {
    "answered": False, "text": "", "title": None, "topic": None, "score": 0.0,
    "source": None, "source_url": None, "reason": "empty", "related": [], "suggestions": [],
    "alternatives": [],
}


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@click.argument("question")
def ask(config_path: str | None, as_json: bool, question: str) -> None:
    """Answer one question (or, with '-', one question a line from stdin)."""
    config = command_line().config(config_path)
    try:
        content = load_content(config.content.path)
    except ContentError as exc:
        raise click.ClickException(f"content is invalid:\n{exc}") from None
    # Entries taught in chat live in the database: read them too, without writing to it.
    db = open_read_only(config.storage.path)
    try:
        content = command_line().registry.layered(content, db)
    finally:
        if db is not None:
            db.conn.close()
    index = AnswerIndex(content, config.answers.threshold, semantic=embedder_for(config))
    questions = (line.strip() for line in sys.stdin) if question == "-" else iter([question])
    for text in questions:
        if not text:
            # One output line per input line, so scripts can zip questions with answers.
            if as_json:
                click.echo(json.dumps(EMPTY_ANSWER))
                sys.stdout.flush()
            continue
        answer = index.ask(text)
        reply = answer_reply(content, answer)
        if not as_json:
            click.echo(to_plain(reply.text))
            continue
        source = None
        title = None
        source_url = None
        if answer.entry is not None:
            source, title = answer.entry.source, answer.entry.title
            source_url = answer.entry.source_url or None
        elif answer.glossary is not None:
            source, title = answer.glossary.source, answer.glossary.term
        click.echo(json.dumps({
            "answered": answer.answered,
            "text": reply.text,
            "title": title,
            "topic": answer.topic,
            "score": answer.score,
            "source": source,
            "source_url": source_url,
            "reason": answer.reason,
            "related": [b.action.value for b in reply.buttons if b.action.id == "topic"
                        and b.action.value not in {e.id for e in answer.alternatives}],
            "suggestions": [{"topic": e.id, "title": e.title} for e in answer.near]
            if answer.reason == "suggest" else [],
            "alternatives": [{"topic": e.id, "title": e.title} for e in answer.alternatives],
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

    config = command_line().config(config_path)
    bot = command_line().bot(config)
    name = as_user or getpass.getuser()
    asyncio.run(run_console(bot, User("console", name, name=name, is_organiser=organiser)))


@cli.command()
@config_option
def serve(config_path: str | None) -> None:
    """Run the bot's web server: every configured adapter, health checks and the scheduler.

    Stops cleanly on Ctrl-C or SIGTERM: requests in flight finish, the database is closed.
    """
    from bot.kernel.logs import configure_logging
    from bot.server import ADAPTERS_KEY, create_app
    from bot.server import serve as run_server

    config = command_line().config(config_path)
    configure_logging(secrets=secret_values(config))
    bot = command_line().bot(config)
    try:
        app = create_app(bot)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    url = base_url(config.server.host, config.server.port)
    adapters = ", ".join(app[ADAPTERS_KEY]) or "none"

    def announce() -> None:
        click.echo(f"DTL Forum Bot serving on {url} (adapters: {adapters}; health: {url}healthz)")
        if "webchat" in app[ADAPTERS_KEY]:
            click.echo(f"Web chat: {url}")
        for key, notice in bot.notices.items():
            click.echo(f"WARNING: {key.replace('_', ' ')} is {notice}")
        click.echo("Press Ctrl-C to stop.")

    try:
        run_server(bot, app, on_ready=announce)
    except ConfigError as exc:  # an adapter found a setting missing as it started
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        reason = "the address is already in use" if exc.errno == errno.EADDRINUSE else str(exc)
        raise click.ClickException(
            f"cannot listen on {config.server.host}:{config.server.port}: {reason} "
            f"(change [server] host or port)"
        ) from None


def base_url(host: str, port: int) -> str:
    """The address to type in a browser: IPv6 in brackets, "all addresses" as this machine."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def secret_values(config: Config) -> list[str]:
    """Every secret the process knows, so the log handler can blank them out if ever logged."""
    values = [*config.secret_values(), os.environ.get("DTLBOT_SECRET", "")]
    return [v for v in values if v]


@cli.group()
def content() -> None:
    """Check or reload the curated content."""


@content.command("check")
@config_option
def content_check(config_path: str | None) -> None:
    """Validate the content: front matter, ids, related links, glossary, priorities."""
    config = command_line().config(config_path)
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


@content.command("reload")
@config_option
@click.option("--timeout", default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for the running server to answer.")
def content_reload(config_path: str | None, timeout: float) -> None:
    """Make the running server re-read content/ (validated first; kept as is if invalid)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from bot.features import ops

    config = command_line().config(config_path)
    _, problems = check_content(config.content.path)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"content not reloaded: {plural(len(problems), 'problem')}; "
            "the server keeps its content"
        )
    db_path = Path(config.storage.path)
    if not db_path.is_file():
        click.echo(f"content ok; no database at {db_path} yet, so no server is running: "
                   "the content is loaded when the bot starts")
        return
    try:
        request_id = ops.request_reload(db_path, datetime.now(UTC).isoformat(timespec="seconds"))
        result = asyncio.run(ops.wait_for_reload(db_path, request_id, timeout))
    except sqlite3.Error as exc:
        raise click.ClickException(f"could not reach the database {db_path}: {exc}") from None
    if result is None:
        ops.cancel_reload(db_path, request_id)
        click.echo(f"content ok, but no running server answered within {timeout:g} s; "
                   "it is loaded when the bot next starts", err=True)
        raise SystemExit(2)
    click.echo(to_plain(result["text"]))
    if not result["ok"]:
        raise SystemExit(1)


@cli.command()
@config_option
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.argument("path", type=click.Path(dir_okay=True, file_okay=True))
def backup(config_path: str | None, force: bool, path: str) -> None:
    """Copy the live database to PATH (a file, or a folder for a dated file); safe while serving."""
    from bot.features import ops

    config = command_line().config(config_path)
    try:
        written = ops.backup(config.storage.path, path, force=force)
    except (ops.OpsError, sqlite3.Error) as exc:
        raise click.ClickException(f"backup failed: {exc}") from None
    click.echo(f"backup ok: {written} ({written.stat().st_size:,} bytes, integrity checked)")


@cli.group()
def db() -> None:
    """Check the database."""


@db.command("check")
@config_option
@click.argument("path", required=False)
def db_check(config_path: str | None, path: str | None) -> None:
    """Integrity check and migrations' status of the database (or of a backup at PATH)."""
    from bot.features import ops

    target = path or command_line().config(config_path).storage.path
    try:
        report = ops.check_database(target)
    except ops.OpsError as exc:
        raise click.ClickException(f"cannot check {target}: {exc}") from None
    except sqlite3.Error as exc:
        raise click.ClickException(
            f"cannot check {target}: {exc} (see 'Backups and restoring' in the README)"
        ) from None
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise SystemExit(1)


@cli.command("docs")
@click.option("--check", is_flag=True,
              help="Only say whether the files are current (exit 1 if not).")
@click.argument("folder", default="docs", type=click.Path(file_okay=False))
def docs_command(check: bool, folder: str) -> None:
    """Write the generated pages of the docs (commands, privacy notice) into FOLDER."""
    from bot.docs import pages

    stale = []
    for name, text in pages(default_registry(), cli).items():
        path = Path(folder) / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(str(path))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        raise click.ClickException(f"out of date: {', '.join(stale)} (run `dtlbot docs`)")
    click.echo(f"{'checked' if check else 'wrote'}: " + (", ".join(stale) or "all current"))


def add_registered_commands(group: click.Group) -> None:
    """Features and adapters may bring commands of their own (e.g. `dtlbot teams package`)."""
    for add in default_registry().cli_commands:
        add(group)


add_registered_commands(cli)


def main() -> None:
    cli()
