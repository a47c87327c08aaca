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
    """Print the Slack app manifest to paste into "Create New App > From an app manifest".

    Without --url it takes [server] public_url; with neither, and a Slack app-level token
    configured ([slack] app_token), it prints the Socket Mode manifest, which needs no URL.
    """
    if not url and not socket_mode:
        config = command_line().config(config_path)
        url = config.server.public_url or None
        if url is None and config.slack.app_token:
            socket_mode = True
        if url is None and not socket_mode:
            raise click.ClickException(
                "the manifest needs the bot's public https:// address, which Slack calls: "
                "give it with --url https://bot.example.org or set [server] public_url "
                "in the config file; or print a Socket Mode manifest, "
                "which needs no URL, with --socket-mode (and set [slack] app_token)"
            )
    try:
        click.echo(render_manifest(url, socket_mode=socket_mode), nl=False)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
