"""`dtlbot teams ...`: the Teams command group (the app package)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.kernel.commandline import command_line
from bot.kernel.config import ConfigError


@click.group("teams")
def cli() -> None:
    """Microsoft Teams: build the app package to upload."""


@cli.command("package")
@click.option("--config", "config_path", metavar="PATH", envvar="DTLBOT_CONFIG",
              help="Config file (default: $DTLBOT_CONFIG, else ./config.toml if present).")
@click.option("--output", "-o", "output", metavar="FILE", default="dtlbot-teams.zip",
              show_default=True, help="Where to write the zip.")
@click.option("--app-version", metavar="X.Y.Z", default=None,
              help="The app's version (default: the bot's); raise it for every re-upload.")
def package(config_path: str | None, output: str, app_version: str | None) -> None:
    """Write the Teams app package (manifest.json and two icons) as a zip to upload."""
    from adapters.teams.package import app_version as default_version
    from adapters.teams.package import build_package

    cli = command_line()
    config = cli.config(config_path)
    try:
        data = build_package(config.teams, cli.registry.commands,
                             app_version or default_version())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    path = Path(output)
    path.write_bytes(data)
    click.echo(f"wrote {path} ({len(data):,} bytes): upload it in Teams (Apps > Manage your "
               "apps > Upload an app) or in the Teams admin centre.")
