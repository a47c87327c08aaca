"""The Markdown subset replies use (**bold**, _italic_, `code`, [text](url), "- " bullets).

Whatever a person typed is put into a reply through `literal()`, which backslash-escapes every
character the subset (or a platform's own markup) gives meaning to; each renderer shows an
escaped character as itself, never as markup. Links therefore come only from content, config
and the bot's own text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from bot.kernel.model import Mention, Reply

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![\w*])_(.+?)_(?!\w)")
CODE = re.compile(r"`([^`]+)`")

# Characters with a meaning in the subset, in Slack mrkdwn or in Teams' Markdown (a link
# needs "[" and "]", so parentheses alone are harmless); the last four only at a line's start.
SPECIAL = "\\`*_[]~<->#+"
ESCAPE = re.compile(r"\\([" + re.escape(SPECIAL) + r"])")
_NEEDS = re.compile(r"[\\`*_\[\]~<]")
_LINE_START = re.compile(r"(?m)^([ \t]*)([->#+])")
# While a renderer's patterns run, an escaped character stands in as a private-use character
# (which none of the patterns match); `restore` then puts in the platform's literal form.
_BASE = 0xF0000
_STAND_IN = re.compile(f"[{chr(_BASE)}-{chr(_BASE + len(SPECIAL) - 1)}]")


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_controls(text: str, *, keep_lines: bool = False) -> str:
    """Text with control characters (NUL, ESC, backspace, C1...) removed, for files other
    programs read (calendar feeds, CSV); tabs become spaces; line breaks only if kept."""
    text = text.replace("\t", " ")
    return (_CONTROLS if keep_lines else _CONTROLS_AND_BREAKS).sub("", text)


def literal(text: object) -> str:
    """`text` (anything a person typed) escaped so that no renderer shows it as markup."""
    escaped = _NEEDS.sub(lambda m: "\\" + m.group(0), _STAND_IN.sub("", str(text)))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def protect(text: str) -> str:
    """Escaped characters as stand-ins, so that the subset's patterns cannot match them."""
    return ESCAPE.sub(lambda m: chr(_BASE + SPECIAL.index(m.group(1))), text)


def restore(text: str, shown: Callable[[str], str] | Mapping[str, str] | None = None) -> str:
    """Stand-ins back as literal characters; `shown` maps a character to its platform form."""
    def one(match: re.Match[str]) -> str:
        char = SPECIAL[ord(match.group(0)) - _BASE]
        if shown is None:
            return char
        if callable(shown):
            return shown(char)
        return shown.get(char, char)

    return _STAND_IN.sub(one, text)


def to_plain(text: str) -> str:
    """The text with markup removed, links shown as 'text (url)': for terminals and logs."""
    text = protect(text)
    text = LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = BOLD.sub(r"\1", text)
    text = ITALIC.sub(r"\1", text)
    return restore(CODE.sub(r"\1", text))




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
