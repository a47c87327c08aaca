"""An entry as an organiser writes it in chat: its fields, their limits, and the checks
(the same as `dtlbot content check`, run on the entry written out as a file)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.features.teach.export import file_name, write_content
from bot.kernel.content import Entry, check_content, iso_date, unsafe_links

if TYPE_CHECKING:
    from bot.kernel.context import Bot

MAX_TITLE = 120
MAX_BODY = 3000
MAX_SOURCE = 300
MAX_PHRASING = 200
MAX_PHRASINGS = 20
RELATED_FIELDS = ("related1", "related2", "related3")


@dataclass
class Draft:
    id: str
    title: str = ""
    body: str = ""
    source: str = ""
    phrasings: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    review_by: str = ""
    reviewed: str = ""
    tags: tuple[str, ...] = ()

    def entry(self) -> Entry:
        return Entry(
            id=self.id,
            title=" ".join(self.title.split()),
            body=self.body.strip(),
            source=" ".join(self.source.split()),
            phrasings=tuple(dict.fromkeys(p for p in self.phrasings if p)),
            tags=self.tags,
            related=tuple(dict.fromkeys(r for r in self.related if r and r != self.id)),
            reviewed=self.reviewed,
            review_by=self.review_by,
        )


def from_entry(entry: Entry) -> Draft:
    return Draft(entry.id, entry.title, entry.body, entry.source, list(entry.phrasings),
                 list(entry.related), entry.review_by, entry.reviewed, entry.tags)


def split_phrasings(text: str) -> list[str]:
    """Extra phrasings, one a line or separated by ";"."""
    parts = [p.strip() for line in text.splitlines() for p in line.split(";")]
    return [" ".join(p.split()) for p in parts if p.strip()]


def from_values(base: Draft, values: dict[str, str | None]) -> Draft:
    """A draft from a submitted form (fields not in the form keep the base's values)."""

    def get(key: str, default: str) -> str:
        value = values.get(key)
        return default if value is None and key not in values else (value or "")

    related = [values.get(f) or "" for f in RELATED_FIELDS] if any(
        f in values for f in RELATED_FIELDS) else base.related
    return replace(
        base,
        title=get("title", base.title),
        body=get("body", base.body),
        source=get("source", base.source),
        phrasings=split_phrasings(get("phrasings", "; ".join(base.phrasings))),
        related=[r for r in related if r],
        review_by=get("review_by", base.review_by).strip(),
    )


def problems(bot: Bot, draft: Draft) -> tuple[dict[str, str], str | None]:
    """Field errors and a general error; none of either means the entry can be published."""
    errors: dict[str, str] = {}
    title = " ".join(draft.title.split())
    if not title:
        errors["title"] = "Give the entry a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title to {MAX_TITLE} characters (it has {len(title)})."
    body = draft.body.strip()
    if not body:
        errors["body"] = "Write the answer: it cannot be empty."
    elif len(body) > MAX_BODY:
        errors["body"] = (f"Keep the answer to {MAX_BODY:,} characters (it has {len(body):,}): "
                          "answers are short, with a source for more.")
    elif unsafe_links(body):
        errors["body"] = ("Links may only go to https://, http:// or mailto: addresses; "
                          f"this one does not: {unsafe_links(body)[0][:60]}")
    source = " ".join(draft.source.split())
    if not source:
        errors["source"] = ("Say where the answer comes from (required), e.g. \"DTL forum "
                            "meeting, 12 November 2026\" or a link.")
    elif len(source) > MAX_SOURCE:
        errors["source"] = f"Keep the source to {MAX_SOURCE} characters."
    elif unsafe_links(source) or source.lower().startswith(("javascript:", "data:", "vbscript:")):
        errors["source"] = ("A link in the source may only go to an https://, http:// or "
                            "mailto: address.")
    if len(draft.phrasings) > MAX_PHRASINGS:
        errors["phrasings"] = f"Give at most {MAX_PHRASINGS} extra phrasings."
    elif any(len(p) > MAX_PHRASING for p in draft.phrasings):
        errors["phrasings"] = f"Keep each phrasing to {MAX_PHRASING} characters."
    if draft.review_by:
        day = iso_date(draft.review_by)
        if day is None:
            errors["review_by"] = "Write the review-by date as YYYY-MM-DD, e.g. 2027-12-01."
        elif day <= bot.clock.now().date().isoformat():
            errors["review_by"] = "The review-by date must be in the future."
    for fid, target in zip(RELATED_FIELDS, draft.related, strict=False):
        if target not in bot.content.entries:
            errors[fid] = f"There is no entry `{target[:60]}` to relate to."
    if errors:
        return errors, None
    return _checked_as_file(bot, draft)


def _checked_as_file(bot: Bot, draft: Draft) -> tuple[dict[str, str], str | None]:
    """Write the content with this entry as files and run the content check on them."""
    entry = draft.entry()
    content = bot.content
    merged = replace(content, entries={**content.entries, entry.id: entry})
    with tempfile.TemporaryDirectory(prefix="dtlbot-check-") as folder:
        write_content(merged, content.path, folder)
        _, found = check_content(folder)
        mine = str(Path(folder) / "entries" / file_name(entry, content.files))
    errors: dict[str, str] = {}
    general = []
    for problem in found:
        if problem.path != mine:
            general.append(problem.message)
            continue
        message = problem.message
        key = ("source" if "'source'" in message else "title" if "'title'" in message
               else "body" if "body" in message or "link" in message
               else "related1" if "related" in message else None)
        if key is None:
            general.append(message)
        else:
            errors.setdefault(key, message)
    return errors, ("; ".join(general) if general else None)


def today(bot: Bot) -> str:
    return bot.clock.now().date().isoformat()


def is_future(bot: Bot, iso: str) -> bool:
    return bool(iso) and date.fromisoformat(iso) > bot.clock.now().date()
