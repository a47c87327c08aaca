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
