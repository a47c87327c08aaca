"""`dtlbot poll`: read priority poll results and export ballots."""

from __future__ import annotations

import csv
import io
import json

import click

from bot.kernel.commandline import command_line, config_option, write_output
from bot.kernel.markup import to_plain


@click.group()
def poll() -> None:
    """Read priority poll results and export ballots."""


def find_poll(bot, poll_ref: str):
    """The poll a command names (closing any that are overdue first), or a clear error."""
    from bot.features.polls import store as polls

    polls.close_overdue(bot)
    try:
        found = polls.find_poll(bot, poll_ref)
    except polls.PollError as exc:
        raise click.ClickException(str(exc)) from None
    if found is None:
        raise click.ClickException(to_plain(polls.unknown_poll(poll_ref)))
    if found.is_open and bot.config.polls.results_while_open == "hidden":
        raise click.ClickException(
            f"“{found.title}” is open and [polls] results_while_open is \"hidden\": its "
            "results and ballots are shown once it closes.")
    return found


@poll.command("results")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts).")
@click.argument("poll_ref", metavar="[POLL]", required=False, default="")
def poll_results(config_path: str | None, as_json: bool, poll_ref: str) -> None:
    """A poll's results (POLL: its number, its title or a part of it that only one poll has;
    default: the newest poll)."""
    from bot.features.polls import store as polls
    from bot.features.polls.results import as_json as results_json

    cli = command_line()
    bot = cli.bot(cli.config(config_path))
    found = find_poll(bot, poll_ref)
    results = polls.compute(bot, found)
    if as_json:
        click.echo(json.dumps(results_json(found.as_dict(), results), ensure_ascii=False))
    else:
        from bot.features.polls.results import summary

        click.echo(to_plain(summary(found.as_dict(), results, polls.status_line(bot, found))))


@poll.command("export")
@config_option
@click.option("--csv", "as_csv", is_flag=True, default=True,
              help="CSV, one row per priority per ballot (the only format, so the default).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@click.argument("poll_ref", metavar="[POLL]", required=False, default="")
def poll_export(config_path: str | None, as_csv: bool, output: str | None, poll_ref: str) -> None:
    """A poll's ballots as CSV (POLL as for `results`; default: the newest poll). Respondents
    are pseudonymous unless [polls] named_export."""
    from bot.features.polls import store as polls

    cli = command_line()
    bot = cli.bot(cli.config(config_path))
    found = find_poll(bot, poll_ref)
    data = polls.export_csv(bot, found)
    rows = max(0, sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig")))) - 1)
    what = f"the ballots of poll {found.id}: {rows} row{'' if rows == 1 else 's'}"
    write_output(data, output, what)


@poll.command("list")
@config_option
def poll_list(config_path: str | None) -> None:
    """Every poll, newest first: number, title, status, responses and when it opened."""
    from bot.features.polls import store as polls

    cli = command_line()
    bot = cli.bot(cli.config(config_path))
    polls.close_overdue(bot)
    lines = polls.list_lines(bot, limit=1000)
    if not lines:
        click.echo("No polls yet. An organiser starts one in chat with `poll start TITLE`.")
        return
    click.echo("\n".join(to_plain(line) for line in lines))


def add_commands(group: click.Group) -> None:
    group.add_command(poll)
