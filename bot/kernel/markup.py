"""The Markdown subset replies use (**bold**, _italic_, `code`, [text](url), "- " bullets)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.kernel.model import Mention, Reply

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


# A mention of a person in a reply's text: "{@0}" is the reply's first Mention.
MENTION = re.compile(r"\{@(\d+)\}")


def mention_token(index: int) -> str:
    """The token that places `Reply.mentions[index]` in a reply's text."""
    return f"{{@{index}}}"


def fill_mentions(text: str, mentions: Sequence[Mention], platform: str,
                  own: Callable[[Mention], str | None] | None = None) -> str:
    """Put each mention in place of its token, for showing on `platform`.

    A person on this platform is rendered by `own` (an adapter's own mention; None leaves the
    token for a later pass, e.g. after escaping); anyone else by their name, with their link if
    they have one and where they are when that is another platform.
    """

    def one(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= len(mentions):
            return match.group(0) if own is not None else ""
        mention = mentions[index]
        if mention.platform == platform and own is not None:
            rendered = own(mention)
            if rendered is not None:
                return rendered
            return match.group(0)
        return plain_mention(mention, platform)

    return MENTION.sub(one, text)


def plain_mention(mention: Mention, platform: str) -> str:
    """A mention in the Markdown subset: the name, linked if there is a link, and the platform."""
    name = literal(mention.name) or "a DTL"
    shown = f"[{name}]({mention.link})" if mention.link else name
    if mention.platform != platform:
        shown += f" (on {literal(mention.where or mention.platform)})"
    return shown


def with_mentions(reply: Reply, platform: str,
                  own: Callable[[Mention], str | None] | None = None) -> Reply:
    """The reply with its mentions filled in for `platform` (and no longer carried)."""
    if not reply.mentions:
        return reply
    return replace(reply, text=fill_mentions(reply.text, reply.mentions, platform, own),
                   mentions=())
