"""The `dtlbot` command line (click): ask, chat, content checks and more."""

from __future__ import annotations

import asyncio
import errno
import getpass
import importlib
import json
import os
import sqlite3
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
    """Run the bot's web server: every configured adapter, health checks and the scheduler.

    Stops cleanly on Ctrl-C or SIGTERM: requests in flight finish, the database is closed.
    """
    from bot.logs import configure_logging
    from bot.server import ADAPTERS_KEY, create_app
    from bot.server import serve as run_server

    config = get_config(config_path)
    configure_logging(secrets=secret_values(config))
    bot = get_bot(config)
    try:
        app = create_app(bot)
    except ConfigError as exc:
        bot.close()
        raise click.ClickException(str(exc)) from None
    url = base_url(config.server.host, config.server.port)
    adapters = ", ".join(app[ADAPTERS_KEY]) or "none"

    def announce() -> None:
        click.echo(f"DTL Forum Bot serving on {url} (adapters: {adapters}; health: {url}healthz)")
        if "webchat" in app[ADAPTERS_KEY]:
            click.echo(f"Web chat: {url}")
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
    values = [config.slack.bot_token, config.slack.signing_secret, config.slack.app_token,
              config.teams.app_password, os.environ.get("DTLBOT_SECRET", "")]
    return [v for v in values if v]


@cli.group()
def content() -> None:
    """Check or reload the curated content."""


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


@content.command("reload")
@config_option
@click.option("--timeout", default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for the running server to answer.")
def content_reload(config_path: str | None, timeout: float) -> None:
    """Make the running server re-read content/ (validated first; kept as is if invalid)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from bot import ops

    config = get_config(config_path)
    _, problems = check_content(config.content.path)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"content not reloaded: {len(problems)} problem(s); the server keeps its content"
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
    from bot import ops

    config = get_config(config_path)
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
    from bot import ops

    target = path or get_config(config_path).storage.path
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


def add_adapter_commands(group: click.Group) -> None:
    """Adapters may bring a command group of their own (e.g. `dtlbot teams package`)."""
    from bot.server import ADAPTERS

    for name in ADAPTERS:
        commands = getattr(importlib.import_module(f"adapters.{name}"), "cli", None)
        if isinstance(commands, click.Group):
            group.add_command(commands)


def meeting_json(meeting) -> dict[str, Any]:
    """One meeting for `dtlbot meetings --json`: ISO 8601 times with the forum zone's offset."""
    return {
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "title": meeting.title,
        "location": meeting.location or None,
        "join_url": meeting.join_url or None,
        "agenda_url": meeting.agenda_url or None,
        "kind": meeting.kind,
        "uid": meeting.uid,
    }


@cli.group(invoke_without_command=True)
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, soonest first.")
@click.option("--count", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many meetings.")
@click.option("--from", "from_day", metavar="YYYY-MM-DD", default=None,
              help="List meetings from the start of this day in the forum's zone (default: now).")
@click.pass_context
def meetings(ctx: click.Context, config_path: str | None, as_json: bool, count: int,
             from_day: str | None) -> None:
    """The next forum meetings (skipped ones left out); `meetings ics` prints the calendar."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import date, datetime

    from bot.schedule import Schedule

    config = get_config(config_path)
    bot = get_bot(config)
    try:
        schedule = Schedule.load(bot)
        now = bot.clock.now()
        if from_day is not None:
            try:
                day = date.fromisoformat(from_day)
            except ValueError:
                raise click.BadParameter("use YYYY-MM-DD, e.g. 2027-01-01",
                                         param_hint="--from") from None
            now = datetime(day.year, day.month, day.day, tzinfo=schedule.zone)
        found = schedule.upcoming(now, count)
        if as_json:
            click.echo(json.dumps([meeting_json(m) for m in found], indent=2))
            return
        if schedule.is_empty:
            from bot.meetings import NO_SCHEDULE

            click.echo(to_plain(NO_SCHEDULE))
            return
        if not found:
            click.echo("No more meetings in the schedule.")
        for meeting in found:
            click.echo(f"{meeting.start:%a %d %b %Y %H:%M %Z}  {meeting.title}"
                       f"  ({meeting.kind})  {meeting.join_url or meeting.location}")
    finally:
        bot.close()


@meetings.command("ics")
@config_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def meetings_ics(config_path: str | None, output: str | None) -> None:
    """Print the forum's calendar (iCalendar), the same as GET /forum.ics."""
    from bot.calendar import build_calendar

    config = get_config(config_path)
    bot = get_bot(config)
    try:
        data = build_calendar(bot)
    finally:
        bot.close()
    write_output(data, output)


@cli.group()
def poll() -> None:
    """Read priority poll results and export ballots."""


def find_poll(bot, poll_ref: str):
    """The poll a command names (closing any that are overdue first), or a clear error."""
    from bot import polls

    polls.close_overdue(bot)
    found = polls.find_poll(bot, poll_ref)
    if found is None:
        raise click.ClickException(polls.unknown_poll(poll_ref))
    return found


@poll.command("results")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts).")
@click.argument("poll_ref", metavar="[POLL]", required=False, default="")
def poll_results(config_path: str | None, as_json: bool, poll_ref: str) -> None:
    """A poll's results (POLL: its number or title; default: the newest poll)."""
    from bot import polls
    from bot.results import as_json as results_json

    bot = get_bot(get_config(config_path))
    try:
        found = find_poll(bot, poll_ref)
        results = polls.compute(bot, found)
        if as_json:
            click.echo(json.dumps(results_json(found.as_dict(), results), ensure_ascii=False))
        else:
            from bot.results import summary

            click.echo(to_plain(summary(found.as_dict(), results, polls.status_line(bot, found))))
    finally:
        bot.close()


@poll.command("export")
@config_option
@click.option("--csv", "as_csv", is_flag=True, default=True,
              help="CSV, one row per priority per ballot (the only format, so the default).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@click.argument("poll_ref", metavar="POLL")
def poll_export(config_path: str | None, as_csv: bool, output: str | None, poll_ref: str) -> None:
    """A poll's ballots as CSV (respondents pseudonymous unless [polls] named_export)."""
    from bot import polls

    bot = get_bot(get_config(config_path))
    try:
        data = polls.export_csv(bot, find_poll(bot, poll_ref))
    finally:
        bot.close()
    write_output(data, output)


def write_output(data: bytes, output: str | None) -> None:
    """Write a command's file (calendar, CSV) to OUTPUT, or as it is to standard output."""
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def main() -> None:
    add_adapter_commands(cli)
    cli()
