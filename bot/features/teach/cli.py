"""`dtlbot content export DIR`: the merged content (files + chat) as content/'s own files."""

from __future__ import annotations

from pathlib import Path

import click

from bot.features.teach.export import write_content
from bot.kernel.commandline import command_line, config_option
from bot.kernel.content import ContentError, load_content
from bot.kernel.storage import open_read_only


def add(group: click.Group) -> None:
    content = group.commands.get("content")
    if not isinstance(content, click.Group):
        return

    @content.command("export")
    @config_option
    @click.option("--force", is_flag=True, help="Write into DIR even if it is not empty.")
    @click.argument("directory", metavar="DIR", type=click.Path(file_okay=False))
    def export(config_path: str | None, force: bool, directory: str) -> None:
        """Write the content as the bot uses it (files and what was taught in chat) to DIR, as
        Markdown files in content/'s format, for a maintainer to review and commit."""
        config = command_line().config(config_path)
        try:
            files = load_content(config.content.path)
        except ContentError as exc:
            raise click.ClickException(f"content is invalid:\n{exc}") from None
        db = open_read_only(config.storage.path)
        try:
            merged = command_line().registry.layered(files, db)
        finally:
            if db is not None:
                db.conn.close()
        target = Path(directory)
        if target.is_dir() and any(target.iterdir()) and not force:
            raise click.ClickException(
                f"{target} is not empty: use --force to write into it (entry files there "
                "that are not in the export are removed)")
        try:
            written = write_content(merged, config.content.path, target)
        except OSError as exc:
            raise click.ClickException(f"could not write to {target}: {exc}") from None
        chat = sum(1 for e in merged.entries.values() if e.origin != "file")
        retired = len(set(files.entries) - set(merged.entries))
        click.echo(f"exported {len(written)} entries ({chat} taught or edited in chat, "
                   f"{retired} retired left out) to {target}")
        for note in merged.notes:
            click.echo(f"note: {note}", err=True)
