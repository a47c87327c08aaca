"""Neutral replies rendered as Block Kit (messages and modals), within Slack's size limits."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from adapters import render as shared
from bot.kernel.markup import BOLD, LINK, fill_mentions, protect, restore, to_plain
from bot.kernel.model import Button, ChoiceField, Form, Mention, Reply, TextField

log = logging.getLogger("dtlbot.slack")

# Slack's documented limits, and the undocumented total at which chat.postMessage answers
# `msg_blocks_too_long` (about 13,000 characters of blocks); we stay well below it.
SECTION_TEXT_MAX = 3000
BLOCKS_PER_MESSAGE = 50
MESSAGE_BLOCK_CHARS = 11_000
BUTTONS_PER_ACTIONS = 25
# A row of buttons with long values is split so that no single block nears the total.
ROW_CHARS = 4000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255
OPTIONS_PER_SELECT = 100
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
VIEW_TITLE_MAX = 24
VIEW_BLOCKS_MAX = 100
PRIVATE_METADATA_MAX = 3000
FALLBACK_TEXT_MAX = 300

# Action ids must be unique within a message, so each button's id gets "|n" appended.
ACTION_SEPARATOR = "|"
FIELD_ACTION_ID = "value"


@dataclass
class Message:
    """One chat.postMessage worth of blocks (as JSON-ready dicts), with its fallback text."""

    text: str
    blocks: list[dict] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for its own markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack mrkdwn has no escape character: a zero-width space either side of a formatting
# character stops Slack reading it as bold, italic, strike, code or (">") a quote.
ZWSP = "\u200b"
_SLACK_FORMATTING = "*_~`>"


def _literal_char(char: str) -> str:
    shown = escape(char)
    return f"{ZWSP}{shown}{ZWSP}" if char in _SLACK_FORMATTING else shown


def link_url(url: str) -> str:
    """A link's address made safe inside <url|text>: no mention, broadcast or second link."""
    return escape(url).replace("|", "%7C")


def to_mrkdwn(text: str) -> str:
    """The reply Markdown subset as Slack mrkdwn (links <url|text>, *bold*, • bullets).

    &, < and > are escaped everywhere (link addresses too), so no text can become a mention
    (<@U..>), a broadcast (<!channel>, <!here>, <!everyone>) or a link Slack did not get from
    the subset; characters escaped by `literal` are shown as themselves.
    """
    text = protect(text)
    parts: list[str] = []
    last = 0
    for match in LINK.finditer(text):
        parts.append(_inline(text[last:match.start()]))
        label = restore(escape(match.group(1)), _literal_char)
        parts.append(f"<{link_url(restore(match.group(2)))}|{label}>")
        last = match.end()
    parts.append(_inline(text[last:]))
    joined = "".join(parts)
    return restore(re.sub(r"(?m)^- ", "• ", joined), _literal_char)


def _inline(text: str) -> str:
    return BOLD.sub(r"*\1*", escape(text))


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Cut text into pieces of at most `limit` characters, at line or word breaks if possible."""
    pieces = shared.split_text(text.strip("\n"), lambda piece: len(piece) <= limit)
    return [p.strip() for p in pieces if p.strip()]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def action_id(base: str, index: int) -> str:
    return f"{base}{ACTION_SEPARATOR}{index}"[:ACTION_ID_MAX]


def neutral_action_id(slack_action_id: str) -> str:
    """The neutral action id inside a Block Kit action id ("topic|2" -> "topic")."""
    base, sep, _ = slack_action_id.rpartition(ACTION_SEPARATOR)
    return base if sep else slack_action_id


def button_element(button: Button, index: int) -> ButtonElement:
    if button.url:
        return ButtonElement(
            text=_clip(button.label, BUTTON_TEXT_MAX), action_id=action_id("link", index),
            url=button.url,
        )
    return ButtonElement(
        text=_clip(button.label, BUTTON_TEXT_MAX),
        action_id=action_id(button.action.id, index),
        value=button.action.value[:BUTTON_VALUE_MAX] or None,
        style=button.style,
    )


def button_blocks(buttons: tuple[Button, ...]) -> list[Block]:
    """Rows of buttons: at most 25 a row, and rows small enough to fit in one message."""
    rows: list[list[ButtonElement]] = [[]]
    size = 0
    for index, button in enumerate(buttons):
        element = button_element(button, index)
        chars = len(json.dumps(element.to_dict(), ensure_ascii=False))
        if rows[-1] and (len(rows[-1]) >= BUTTONS_PER_ACTIONS or size + chars > ROW_CHARS):
            rows.append([])
            size = 0
        rows[-1].append(element)
        size += chars
    return [ActionsBlock(elements=row) for row in rows if row]


def form_hint_blocks(form: Form) -> list[Block]:
    """A form shown in a message (no modal is possible without a button press): its words."""
    text = to_mrkdwn("\n".join(shared.form_text(form)))
    return [SectionBlock(text=MarkdownTextObject(text=t)) for t in split_text(text)]


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def _slack_mention(mention: Mention) -> str:
    """A person on Slack as a mention (`<@U…>`), which opens a direct message with them."""
    if SLACK_USER_ID.fullmatch(mention.id):
        return f"<@{mention.id}>"
    return escape(mention.name) or "a DTL"


def reply_mrkdwn(reply: Reply) -> str:
    """The reply's text as mrkdwn; people on Slack as mentions, anyone else by name or link."""
    text = fill_mentions(reply.text, reply.mentions, "slack", own=lambda _: None)
    return fill_mentions(to_mrkdwn(text), reply.mentions, "slack", own=_slack_mention)


def reply_blocks(reply: Reply) -> list[Block]:
    """The blocks for one reply's text, buttons and (in a message) form hint."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=piece))
        for piece in split_text(reply_mrkdwn(reply))
    ]
    if reply.form is not None:
        blocks += form_hint_blocks(reply.form)
    blocks += button_blocks(reply.buttons)
    return blocks


def messages_for(replies: list[Reply]) -> list[Message]:
    """Pack the replies' blocks into as few messages as Slack's per-message limits allow."""
    messages: list[Message] = []
    current: list[dict] = []
    size = 0
    for reply in replies:
        for block in reply_blocks(reply):
            # Serialised once here (slack-sdk validates as it goes), both to measure and to send.
            as_dict = block.to_dict()
            chars = len(json.dumps(as_dict, ensure_ascii=False))
            full = len(current) >= BLOCKS_PER_MESSAGE or size + chars > MESSAGE_BLOCK_CHARS
            if current and full:
                messages.append(Message(_fallback(current), current))
                current, size = [], 0
            current.append(as_dict)
            size += chars
    if current:
        messages.append(Message(_fallback(current), current))
    return messages


def _fallback(blocks: list[dict]) -> str:
    for block in blocks:
        if block.get("type") == "section" and block.get("text"):
            return _clip(to_plain(block["text"]["text"]), FALLBACK_TEXT_MAX)
    return "A message from the DTL Forum Bot"


def _options(field: ChoiceField) -> tuple[list[Option], Option | None]:
    if len(field.options) > OPTIONS_PER_SELECT:
        log.warning("slack select trimmed field=%s options=%d limit=%d",
                    field.id, len(field.options), OPTIONS_PER_SELECT)
    options = [
        Option(value=o.value[:OPTION_VALUE_MAX], text=_clip(o.label, OPTION_TEXT_MAX))
        for o in field.options[:OPTIONS_PER_SELECT]
    ]
    initial = next((o for o in options if o.value == field.initial), None)
    return options, initial


def input_block(item: ChoiceField | TextField) -> InputBlock:
    """One form field as an input block whose block id is the field id."""
    hint = PlainTextObject(text=f"⚠️ {_clip(item.error, 140)}") if item.error else None
    if isinstance(item, ChoiceField):
        options, initial = _options(item)
        element = StaticSelectElement(
            action_id=FIELD_ACTION_ID, placeholder="Choose…", options=options,
            initial_option=initial,
        )
    else:
        element = PlainTextInputElement(
            action_id=FIELD_ACTION_ID, initial_value=item.initial or None,
            max_length=item.max_length, multiline=item.multiline or None,
        )
    return InputBlock(
        block_id=item.id, label=_clip(item.label, 2000), element=element,
        optional=not item.required, hint=hint,
    )


def modal(form: Form, metadata: dict[str, str]) -> View:
    """The form as a modal; `metadata` (where to answer) travels in private_metadata."""
    blocks: list[Block] = []
    if form.error:
        warning = MarkdownTextObject(text=f":warning: {escape(form.error)}")
        blocks.append(ContextBlock(elements=[warning]))
    if form.intro:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=p)) for p in split_text(to_mrkdwn(form.intro))
        ]
    group = ""
    for item in form.fields:
        if item.group and item.group != group:
            blocks.append(HeaderBlock(text=PlainTextObject(text=_clip(item.group, 150))))
        group = item.group
        blocks.append(input_block(item))
    return View(
        type="modal",
        callback_id=form.id,
        title=PlainTextObject(text=_clip(form.title, VIEW_TITLE_MAX)),
        submit=PlainTextObject(text=_clip(form.submit_label, VIEW_TITLE_MAX)),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks[:VIEW_BLOCKS_MAX],
        private_metadata=json.dumps(metadata)[:PRIVATE_METADATA_MAX],
    )


def submitted_values(state_values: dict) -> dict[str, str]:
    """{field id: chosen value} from a view_submission's view.state.values."""
    values: dict[str, str] = {}
    for block_id, elements in state_values.items():
        element = elements.get(FIELD_ACTION_ID) or {}
        selected = element.get("selected_option")
        if selected:
            values[block_id] = selected.get("value", "")
        elif element.get("value") is not None:
            values[block_id] = element["value"]
    return values


def field_errors(form: Form) -> dict[str, str]:
    """response_action "errors": block id (the field id) -> that field's message."""
    return {f.id: _clip(f.error, 150) for f in form.fields if f.error}


def home_view(sections: list[tuple[str, list[Reply]]]) -> View:
    """The App Home tab: titled sections of replies (help, next meeting, open poll)."""
    blocks: list[Block] = []
    for title, replies in sections:
        if blocks:
            blocks.append(DividerBlock())
        blocks.append(HeaderBlock(text=_clip(title, 150)))
        for reply in replies:
            blocks += reply_blocks(reply)
    return View(type="home", blocks=blocks[:VIEW_BLOCKS_MAX])
