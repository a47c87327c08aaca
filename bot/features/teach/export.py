"""Writing the merged content (files + what was taught in chat) in content/'s own format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bot.kernel.content import Content, Entry, Priority

PRIORITIES_NOTE = (
    "Exported from the bot: the priority list as set in chat (`priorities edit`). "
    "Polls keep their own copy."
)


def _quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: safe for any text.
    return json.dumps(text, ensure_ascii=False)


def entry_text(entry: Entry) -> str:
    """One entry as a Markdown file with front matter, as the shipped files are written."""
    lines = ["---", f"id: {entry.id}", f"title: {_quoted(entry.title)}"]
    if entry.phrasings:
        lines.append("phrasings:")
        lines += [f"  - {_quoted(p)}" for p in entry.phrasings]
    if entry.tags:
        lines.append(f"tags: {json.dumps(list(entry.tags), ensure_ascii=False)}")
    lines.append(f"source: {_quoted(entry.source)}")
    if entry.related:
        lines.append(f"related: {json.dumps(list(entry.related))}")
    if entry.reviewed:
        lines.append(f"reviewed: {entry.reviewed}")
    if entry.review_by:
        lines.append(f"review_by: {entry.review_by}")
    lines += ["---", entry.body.strip(), ""]
    return "\n".join(lines)


def priorities_text(priorities: list[Priority]) -> str:
    lines = [f"note = {_quoted(PRIORITIES_NOTE)}", ""]
    for p in priorities:
        lines += ["[[priority]]", f"id = {_quoted(p.id)}", f"title = {_quoted(p.title)}",
                  f"description = {_quoted(p.description)}"]
        if p.source:
            lines.append(f"source = {_quoted(p.source)}")
        lines.append("")
    return "\n".join(lines)


def file_name(entry: Entry, files: dict[str, Entry]) -> str:
    """A shipped entry keeps its file's name (so a diff shows the change); others: ID.md."""
    shipped = files.get(entry.id)
    if shipped is not None and shipped.path:
        return Path(shipped.path).name
    return f"{entry.id}.md"


def write_content(content: Content, source_dir: str | Path, target: str | Path) -> list[str]:
    """Write every live entry, the priorities, and the files' glossary and synonyms into
    `target` (entries/*.md, glossary.toml, synonyms.toml, priorities.toml); returns the
    names of the entry files written. Entry files there that are not written are removed
    (an entry retired in chat leaves the export)."""
    source, out = Path(source_dir), Path(target)
    entries_dir = out / "entries"
    entries_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in sorted(content.entries.values(), key=lambda e: e.id):
        name = file_name(entry, content.files)
        target_file = entries_dir / name
        shipped = content.files.get(entry.id)
        if entry == shipped and entry.path and Path(entry.path).is_file():
            # Unchanged (not even a link to a retired entry dropped): the file as it is, so a
            # diff shows only what chat changed.
            if Path(entry.path).resolve() != target_file.resolve():
                shutil.copyfile(entry.path, target_file)
        else:
            target_file.write_text(entry_text(entry), encoding="utf-8")
        written.append(name)
    for stale in entries_dir.glob("*.md"):
        if stale.name not in written:
            stale.unlink()
    for name in ("glossary.toml", "synonyms.toml"):
        if (source / name).resolve() != (out / name).resolve():
            shutil.copyfile(source / name, out / name)
    _write_asked(content, source / "asked.toml", out / "asked.toml")
    declined = source / "declined.toml"
    if declined.is_file() and declined.resolve() != (out / "declined.toml").resolve():
        shutil.copyfile(declined, out / "declined.toml")
    if content.priorities == content.file_priorities and (source / "priorities.toml").is_file():
        if (source / "priorities.toml").resolve() != (out / "priorities.toml").resolve():
            shutil.copyfile(source / "priorities.toml", out / "priorities.toml")
    else:
        (out / "priorities.toml").write_text(priorities_text(content.priorities),
                                             encoding="utf-8")
    return written


def _write_asked(content: Content, source: Path, target: Path) -> None:
    """The asked questions of the entries still live: the file as it is while every entry it
    names is, else written again without those retired in chat (the check would refuse them)."""
    if source.resolve() == target.resolve():
        if set(content.asked) <= set(content.entries):
            return
    elif not content.asked:
        target.unlink(missing_ok=True)
        return
    elif set(content.asked) <= set(content.entries) and source.is_file():
        shutil.copyfile(source, target)
        return
    lines = ["# Questions people asked in their own words, by the entry that answers them",
             f"# (exported from {source}, leaving out entries retired in chat)."]
    for entry_id, questions in sorted(content.asked.items()):
        if entry_id in content.entries:
            lines += [f"{entry_id} = [", *(f"  {json.dumps(q, ensure_ascii=False)},"
                                           for q in questions), "]"]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
