"""The Markdown subset replies use (**bold**, _italic_, `code`, [text](url), "- " bullets)."""

from __future__ import annotations

import re

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![\w*])_(.+?)_(?!\w)")
CODE = re.compile(r"`([^`]+)`")


def to_plain(text: str) -> str:
    """The text with markup removed, links shown as 'text (url)': for terminals and logs."""
    text = LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = BOLD.sub(r"\1", text)
    text = ITALIC.sub(r"\1", text)
    return CODE.sub(r"\1", text)


# Typed text shown back: markup characters become look-alikes, and a zero-width space breaks
# what a platform would turn into a link or a mention.
_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "`": "\u02cb", "~": "\u223c"})
_BREAKS = re.compile(r"(?i)(?<=\w)(?=://)|(?<=\bwww)(?=\.)|(?<=\])(?=\()|(?<=@)(?=\w)")


def literal(text: str) -> str:
    """Text a person typed, to show back as typed: it cannot format, link or mention
    ("https://", "www.", "](" and "@name" get a zero-width space; Slack's own <, > and & are
    escaped by its adapter)."""
    return _BREAKS.sub("\u200b", text.translate(_LOOKALIKES))
