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


# Look-alikes for the characters that would format text in the subset or on a platform
# (Slack's *bold*, _italic_, ~strike~, `code`), so that typed text cannot format a reply.
_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "`": "\u02cb", "~": "\u223c"})
_ZWSP = "\u200b"
_AUTOLINK = re.compile(r"(?i)(\w)(://)|\b(www)(\.)|(\])(\()|(@)(\w)")


def literal(text: str) -> str:
    """Text a person typed, to show back as typed: it cannot format, link or mention.

    Markup characters become look-alikes; a zero-width space breaks what a platform would
    turn into a link or a mention ("https://", "www.", "](", "@name"). Slack's own <, > and &
    are escaped by its adapter.
    """

    def breaker(match: re.Match[str]) -> str:
        first, second = next((a, b) for a, b in zip(match.groups()[::2], match.groups()[1::2],
                                                      strict=True) if a)
        return f"{first}{_ZWSP}{second}"

    return _AUTOLINK.sub(breaker, text.translate(_LOOKALIKES))
