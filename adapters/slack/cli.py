"""`dtlbot slack ...`: deployment helpers for the Slack app."""

from __future__ import annotations

import click

from adapters.slack.manifest import render_manifest
from bot.kernel.commandline import command_line


@click.group("slack")
def cli() -> None:
    """Set up the Slack app."""


@cli.command("manifest")
@click.option("--config", "config_path", metavar="PATH", envvar="DTLBOT_CONFIG",
              help="Config file (default: $DTLBOT_CONFIG, else ./config.toml if present).")
@click.option("--url", metavar="URL",
              help="The bot's public base URL, e.g. https://bot.example.org "
                   "(Slack will call URL/slack/events; default: [server] public_url).")
@click.option("--socket-mode", is_flag=True,
              help="Use Socket Mode (no public URL; needs an app-level token).")
def manifest(config_path: str | None, url: str | None, socket_mode: bool) -> None:
    """Print the Slack app manifest to paste into "Create New App > From an app manifest"."""
    if not url and not socket_mode:
        url = command_line().config(config_path).server.public_url or None
    try:
        click.echo(render_manifest(url, socket_mode=socket_mode), nl=False)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
