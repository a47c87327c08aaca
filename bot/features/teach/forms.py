"""The forms of teaching: an entry (answer, edit, review), a peer's answer, the priorities,
and what was wrong with an answer. Each has typed words that do the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.features.teach.entries import (
    MAX_BODY,
    MAX_PHRASING,
    MAX_SOURCE,
    MAX_TITLE,
    RELATED_FIELDS,
    Draft,
)
from bot.kernel.content import PRIORITY_COUNT, Priority
from bot.kernel.model import ChoiceField, Form, Option, TextField

if TYPE_CHECKING:
    from bot.kernel.context import Bot

PEER_MAX = MAX_BODY
NAME_MAX = 80
WHY_REASONS = (
    ("wrong-topic", "It answered a different question"),
    ("out-of-date", "It is out of date"),
    ("not-enough", "Not enough detail"),
    ("other", "Something else"),
)


def entry_form(
    bot: Bot,
    form_id: str,
    title: str,
    draft: Draft,
    *,
    intro: str = "",
    text_hint: str = "",
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Form:
    errors = errors or {}
    others = sorted((e for e in bot.content.entries.values() if e.id != draft.id),
                    key=lambda e: e.title.lower())
    options = tuple(Option(e.id, e.title[:75]) for e in others)
    fields: list[ChoiceField | TextField] = [
        TextField("title", "Title", initial=draft.title or None, required=True,
                  max_length=MAX_TITLE, error=errors.get("title")),
        TextField("body", "The answer (**bold**, _italic_, [text](https://...) links, "
                  "lines starting \"- \" for bullets)", initial=draft.body or None,
                  required=True, max_length=MAX_BODY, error=errors.get("body"),
                  multiline=True),
        TextField("source", "Source (required): e.g. \"DTL forum meeting, 12 November "
                  "2026\" or a link", initial=draft.source or None, required=True,
                  max_length=MAX_SOURCE, error=errors.get("source")),
        TextField("phrasings", "Other ways people ask it (separate with ;)",
                  initial="; ".join(draft.phrasings) or None,
                  max_length=MAX_PHRASING * 10, error=errors.get("phrasings")),
    ]
    if options:
        for n, fid in enumerate(RELATED_FIELDS):
            chosen = draft.related[n] if n < len(draft.related) else None
            fields.append(ChoiceField(
                fid, f"Related topic {n + 1}", options,
                initial=chosen if any(o.value == chosen for o in options) else None,
                required=False, error=errors.get(fid)))
    fields.append(TextField("review_by", "Review by (YYYY-MM-DD)",
                            initial=draft.review_by or None, max_length=10,
                            error=errors.get("review_by")))
    return Form(form_id, title, tuple(fields), submit_label="Publish", intro=intro,
                error=error, text_hint=text_hint)


def peer_form(post_id: int, question: str, values: dict[str, str] | None = None,
              errors: dict[str, str] | None = None) -> Form:
    values, errors = values or {}, errors or {}
    return Form(
        f"teach.reply:{post_id}",
        "Answer a forum question",
        (
            TextField("body", "Your answer", initial=values.get("body") or None,
                      required=True, max_length=PEER_MAX, error=errors.get("body"),
                      multiline=True),
            TextField("source", "Where it comes from (optional): a link, a document, "
                      "your own experience", initial=values.get("source") or None,
                      max_length=MAX_SOURCE, error=errors.get("source")),
            TextField("name", "Your name as it should appear on the answer (optional; "
                      "left empty, it says \"a DTL in the forum\")",
                      initial=values.get("name") or None, max_length=NAME_MAX,
                      error=errors.get("name")),
        ),
        submit_label="Send to the organisers",
        intro=f"The question: {question}\nThe organisers review answers before the bot uses them.",
        text_hint=f"Or type `reply {post_id}: YOUR ANSWER`.",
    )


def priorities_form(priorities: list[Priority], values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, error: str | None = None) -> Form:
    values, errors = values or {}, errors or {}
    fields: list[ChoiceField | TextField] = []
    for n in range(1, PRIORITY_COUNT + 1):
        current = priorities[n - 1] if n <= len(priorities) else None
        for key, label, limit in (("title", "title", 80), ("description", "description", 300)):
            fid = f"{key}{n}"
            initial = values.get(fid) if fid in values else (
                getattr(current, key) if current else None)
            fields.append(TextField(fid, f"{n}. {label}", initial=initial or None,
                                    required=True, max_length=limit, error=errors.get(fid)))
    return Form("teach.priorities", "The forum's eight priorities", tuple(fields),
                submit_label="Save", error=error,
                intro="The next poll uses this list; open and past polls keep their own.",
                text_hint="Or type `priorities set N TITLE: DESCRIPTION`.")


def why_form(feedback_id: int) -> Form:
    return Form(
        f"teach.why:{feedback_id}",
        "What was wrong with the answer?",
        (
            ChoiceField("reason", "What was wrong",
                        tuple(Option(k, label) for k, label in WHY_REASONS)),
            TextField("text", "Anything to add (optional)", max_length=500),
        ),
        submit_label="Send",
        text_hint="Or press one of the buttons.",
    )
