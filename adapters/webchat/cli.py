"""`dtlbot webchat ...`: the deployer's side of web chat names."""

from __future__ import annotations

import click

from adapters.webchat import tokens
from adapters.webchat.identity import display_name, normalise_name
from bot.kernel.commandline import command_line, config_option


@click.group("webchat")
def cli() -> None:
    """Look after the web chat."""


@cli.command("reset")
@config_option
@click.argument("name")
def reset(config_path: str | None, name: str) -> None:
    """Free the web chat name NAME: the browser holding it can no longer use it, and the next
    browser to send a message with it takes it (the same as an organiser's `webchat reset`)."""
    user_id = normalise_name(name)
    if not user_id:
        raise click.UsageError("give the name as it was typed in the web chat")
    cli_ = command_line()
    bot = cli_.bot(cli_.config(config_path))
    if not tokens.release(bot, user_id):
        click.echo(f"No browser holds the web chat name \u201c{display_name(name)}\u201d: "
                   "anyone typing it can use it now.")
        return
    click.echo(f"Freed the web chat name \u201c{display_name(name)}\u201d. A running server ends "
               "that browser's open page within 15 seconds.")
