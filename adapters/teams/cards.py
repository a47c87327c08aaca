"""Neutral replies as Teams message activities: Markdown text and Adaptive Cards 1.4."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from adapters import render as shared
from bot.kernel.markup import CODE, literal, protect, restore, to_plain, with_mentions
from bot.kernel.model import Button, ChoiceField, File, Form, Image, Reply, TextField

# Some Teams clients still fail on 1.5 cards; 1.4 renders everywhere.
CARD_VERSION = "1.4"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Teams refuses messages over about 28 KB (its most conservative published limit);
# the budget leaves room for the envelope the SDK adds (ids, service URL, recipient).
MAX_ACTIVITY_BYTES = 28 * 1024
CONTENT_BUDGET = 24 * 1024
# Text is cut well below the budget so that escaping (\uXXXX) cannot push it over.
TEXT_BUDGET = 12 * 1024
# Teams shows at most six actions on a card; more go into rows inside the body.
MAX_CARD_ACTIONS = 6
ACTIONS_PER_ROW = 5
FIELD_PREFIX = "field:"

# Hosts bytes at a public URL and returns it, or None when the bot has no public URL.
Hoster = Callable[[bytes, str, str], str | None]


def json_size(value: Any) -> int:
    """Bytes of the value as the connector client will send it (ASCII-escaped JSON)."""
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def split_text(text: str, budget: int = TEXT_BUDGET) -> list[str]:
    """Cut text into pieces of at most `budget` JSON bytes, at line breaks where possible."""
    return shared.split_text(text, lambda piece: json_size(piece) <= budget)


def paragraphs(text: str) -> str:
    """Teams keeps a single line break only inside lists; elsewhere lines need a blank line."""
    lines = text.split("\n")
    out = lines[:1]
    for previous, line in zip(lines, lines[1:], strict=False):
        both_bullets = previous.startswith("- ") and line.startswith("- ")
        out.append(("\n" if both_bullets else "\n\n") + line)
    return "".join(out)


def card_markdown(text: str) -> str:
    """Adaptive Card TextBlocks lack code spans: show `code` as bold instead."""
    # Escaped characters (user text, see bot.kernel.markup.literal) stay escaped: Teams
    # renders a backslash escape as the character itself.
    return paragraphs(restore(CODE.sub(r"**\1**", protect(text)), lambda c: "\\" + c))


def text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text, "textFormat": "markdown"}


def card_activity(card: dict[str, Any], summary: str = "") -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}],
    }
    if summary:
        # Shown in notifications and the chat list, where cards have no preview.
        activity["summary"] = summary[:200]
    return activity


def new_card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return card


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": card_markdown(text), "wrap": True, **extra}


def button_action(button: Button) -> dict[str, Any]:
    if button.url:
        return {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": button.label,
        "data": {"action": button.action.id, "value": button.action.value},
    }
    if button.style == "primary":
        action["style"] = "positive"
    elif button.style == "danger":
        action["style"] = "destructive"
    return action


def place_buttons(
    buttons: tuple[Button, ...], body: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Card-level actions, or rows of action sets in the body when there are too many."""
    actions = [button_action(b) for b in buttons]
    if len(actions) <= MAX_CARD_ACTIONS:
        return actions
    for start in range(0, len(actions), ACTIONS_PER_ROW):
        body.append({"type": "ActionSet", "actions": actions[start:start + ACTIONS_PER_ROW]})
    return []


def form_elements(form: Form, submitted: dict[str, str]) -> list[dict[str, Any]]:
    """The form's inputs; a form with errors keeps the values the person had chosen."""
    elements: list[dict[str, Any]] = [text_block(form.title, weight="Bolder", size="Medium")]
    if form.intro:
        elements.append(text_block(form.intro))
    if form.error:
        elements.append(text_block(form.error, color="Attention", weight="Bolder"))
    group = ""
    for item in form.fields:
        if item.group and item.group != group:
            elements.append(text_block(item.group, weight="Bolder", separator=True))
        group = item.group
        initial = item.initial
        if initial is None and form.has_errors:
            initial = submitted.get(item.id) or None
        elements.append(_input(item, initial))
        if item.error:
            elements.append(text_block(item.error, color="Attention", spacing="None"))
    if form.text_hint:
        elements.append(text_block(form.text_hint, isSubtle=True, size="Small"))
    return elements


def _input(item: ChoiceField | TextField, initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "id": FIELD_PREFIX + item.id,
        "label": item.label,
        "isRequired": item.required,
    }
    if isinstance(item, ChoiceField):
        element.update(
            type="Input.ChoiceSet",
            style="compact",
            choices=[{"title": o.label, "value": o.value} for o in item.options],
            errorMessage=f"Choose one for {item.label}",
        )
    else:
        element.update(type="Input.Text", maxLength=item.max_length,
                       errorMessage=f"Fill in {item.label}")
        if item.multiline:
            element["isMultiline"] = True
    if initial is not None:
        element["value"] = initial
    return element


def submit_action(form: Form) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": form.submit_label,
        "style": "positive",
        "data": {"action": form.id, "form": form.id},
    }


def image_element(image: Image, host: Hoster) -> dict[str, Any] | None:
    """An Image element: inline as a data URL when small, else hosted; None if neither fits."""
    data_url = f"data:{image.mime};base64," + base64.b64encode(image.data).decode("ascii")
    if len(data_url) <= CONTENT_BUDGET // 2:
        url: str | None = data_url
    else:
        url = host(image.data, image.mime, image.filename)
    if url is None:
        return None
    return {"type": "Image", "url": url, "altText": image.alt, "size": "Stretch"}


def file_activities(file: File, host: Hoster) -> list[dict[str, Any]]:
    """A download link when hosted; otherwise a text file's content in a code block."""
    title = file.title or file.filename
    url = host(file.data, file.mime, file.filename)
    if url is not None:
        card = new_card(
            [text_block(f"**{title}** ({file.filename}, {len(file.data):,} bytes)")],
            [{"type": "Action.OpenUrl", "title": f"Download {file.filename}", "url": url}],
        )
        return [card_activity(card, summary=title)]
    if not file.mime.startswith("text/"):
        return [text_activity(
            f"I made **{file.filename}**, but I can't send files in Teams from this server. "
            "Ask the person who runs the bot to set `[teams] public_url`, or use the web chat."
        )]
    body = file.data.decode("utf-8", errors="replace").rstrip("\n")
    pieces = split_text(body, TEXT_BUDGET - 64)
    activities = []
    for number, piece in enumerate(pieces, start=1):
        part = f" (part {number} of {len(pieces)})" if len(pieces) > 1 else ""
        activities.append(text_activity(f"**{file.filename}**{part}\n```\n{piece}\n```"))
    return activities


def render(reply: Reply, host: Hoster, submitted: dict[str, str] | None = None
           ) -> list[dict[str, Any]]:
    """One reply as message activities, each under Teams' size limit.

    Text alone goes as a Markdown message (Teams renders code spans there, cards do not);
    buttons, forms and images go on an Adaptive Card, after any text that would not fit on it.
    """
    submitted = submitted or {}
    # People named in the text: a chat link where they gave one (see Mention), else the name.
    reply = with_mentions(reply, "teams")
    pieces = split_text(reply.text) if reply.text else []
    has_card = bool(reply.buttons or reply.form or reply.image)
    if not has_card:
        activities = [text_activity(paragraphs(p)) for p in pieces]
    else:
        activities = [text_activity(paragraphs(p)) for p in pieces[:-1]]
        activities.extend(_card_for(reply, pieces[-1] if pieces else "", host, submitted))
    if reply.file is not None:
        activities.extend(file_activities(reply.file, host))
    return activities


def _card_for(reply: Reply, text: str, host: Hoster, submitted: dict[str, str]
              ) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [text_block(text)] if text else []
    if reply.image is not None:
        element = image_element(reply.image, host)
        if element is not None:
            body.append(element)
        else:
            body.append(text_block(literal(shared.image_text(reply.image))))
    actions = place_buttons(reply.buttons, body)
    if reply.form is not None:
        body.extend(form_elements(reply.form, submitted))
        actions.append(submit_action(reply.form))
    card = new_card(body, actions)
    activity = card_activity(card, summary=_summary(reply))
    if json_size(activity) > CONTENT_BUDGET and text:
        # The text and the interactive parts together are too big: send the text first.
        rest = _card_for(replace(reply, text=""), "", host, submitted)
        return [text_activity(paragraphs(text)), *rest]
    return [activity]


def _summary(reply: Reply) -> str:
    if reply.form is not None:
        return reply.form.title
    return to_plain(reply.text.split("\n", 1)[0])
