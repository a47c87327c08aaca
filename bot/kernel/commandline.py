"""What a command that a feature or adapter adds to `dtlbot` may use: config, the bot, options."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.kernel.config import Config, ConfigError, find_config_path
from bot.kernel.content import ContentError

if TYPE_CHECKING:
    from bot.kernel.context import Bot
    from bot.kernel.registry import Registry


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The --config option every command accepts after its name."""
    return click.option(
        "--config", "config_path", metavar="PATH", envvar="DTLBOT_CONFIG",
        help="Config file (default: $DTLBOT_CONFIG, else ./config.toml if present, "
             "else built-in defaults).",
    )(func)


@dataclass(frozen=True)
class CommandLine:
    """The composition root's services, handed to every command as click's context object."""

    registry: Registry
    load: Callable[[Path | None], Config]
    build: Callable[..., Bot]

    def config(self, config_path: str | None) -> Config:
        """The config named by --config (or found), as a clear error when it is bad."""
        try:
            return self.load(find_config_path(config_path))
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None

    def bot(self, config: Config, **kwargs: Any) -> Bot:
        """A bot for this config, closed when the command ends (click's `with_resource`)."""
        try:
            bot = self.build(config, **kwargs)
        except ContentError as exc:
            raise click.ClickException(f"content is invalid:\n{exc}") from None
        except ConfigError as exc:  # e.g. storage.path names a folder or a read-only file
            raise click.ClickException(str(exc)) from None
        click.get_current_context().call_on_close(bot.close)
        return bot


def command_line() -> CommandLine:
    """The CommandLine of the running `dtlbot` command."""
    return click.get_current_context().find_object(CommandLine)


def write_output(data: bytes, output: str | None, what: str = "") -> None:
    """Write a command's file (calendar, CSV) to OUTPUT, saying what was written (on standard
    error, e.g. "Wrote the forum calendar (6 meetings, 2,310 bytes) to forum.ics."), or as it
    is to standard output."""
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
        size = f"{len(data):,} byte{'' if len(data) == 1 else 's'}"
        detail = f"{what} ({size})" if what else size
        click.echo(f"Wrote {detail} to {output}.", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
