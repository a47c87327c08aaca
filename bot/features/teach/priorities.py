"""The forum's eight priorities, from chat: `priorities`, `priorities edit` (a form) and
`priorities set N TITLE: DESCRIPTION`. The next poll uses the list; polls keep their own copy."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.features.teach import store
from bot.features.teach.commands import organiser_only
from bot.features.teach.export import write_content
from bot.features.teach.forms import priorities_form
from bot.features.teach.store import long_date
from bot.kernel import audit
from bot.kernel.content import ID_PATTERN, PRIORITY_COUNT, Priority, check_content, unsafe_links
from bot.kernel.model import Reply
from bot.kernel.registry import Registry, Turn

if TYPE_CHECKING:
    from bot.kernel.context import Bot

TITLE_MAX, DESCRIPTION_MAX = 80, 300
SET_WORDS = re.compile(r"^(?P<n>\d+)\s+(?P<title>[^:]+?)\s*:\s*(?P<description>.*)$", re.DOTALL)


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words[:5])[:40].strip("-") or "priority"


def build(bot: Bot, pairs: list[tuple[str, str]]) -> tuple[list[Priority], dict[str, str]]:
    """Eight (title, description) pairs as priorities, keeping the id (and source) of a
    priority whose title is unchanged, so polls' trends still compare; and field errors."""
    current = bot.content.priorities
    by_title = {p.title.lower(): p for p in current}
    errors: dict[str, str] = {}
    result: list[Priority] = []
    used: set[str] = set()
    titles: set[str] = set()
    for n, (title, description) in enumerate(pairs, start=1):
        title, description = " ".join(title.split()), " ".join(description.split())
        if not title:
            errors[f"title{n}"] = f"Priority {n} needs a title."
        elif len(title) > TITLE_MAX:
            errors[f"title{n}"] = f"Keep priority {n}'s title to {TITLE_MAX} characters."
        elif title.lower() in titles:
            errors[f"title{n}"] = f"Priority {n} has the same title as another."
        if not description:
            errors[f"description{n}"] = f"Priority {n} needs a description."
        elif len(description) > DESCRIPTION_MAX:
            errors[f"description{n}"] = (f"Keep priority {n}'s description to "
                                         f"{DESCRIPTION_MAX} characters.")
        elif unsafe_links(description):
            errors[f"description{n}"] = "Links may only go to https://, http:// or mailto:."
        titles.add(title.lower())
        before = by_title.get(title.lower())
        pid = before.id if before is not None and before.id not in used else _slug(title)
        base, k = pid, 1
        while pid in used or not ID_PATTERN.match(pid):
            k += 1
            pid = f"{base}-{k}"
        used.add(pid)
        unchanged = before is not None and before.description == description
        source = before.source if unchanged else (
            f"DTL forum organisers, {long_date(bot.now_iso())}")
        result.append(Priority(pid, title, description, source))
    if len(pairs) != PRIORITY_COUNT:
        errors["count"] = f"There must be exactly {PRIORITY_COUNT} priorities."
    if not errors:
        # The same check as `dtlbot content check`, on the list written out as priorities.toml.
        merged = replace(bot.content, priorities=result)
        with tempfile.TemporaryDirectory(prefix="dtlbot-check-") as folder:
            write_content(merged, bot.content.path, folder)
            _, found = check_content(folder)
        for problem in found:
            if problem.path.endswith("priorities.toml"):
                errors.setdefault("count", problem.message)
    return result, errors


def listing(bot: Bot) -> str:
    lines = [f"{n}. **{p.title}**: {p.description}"
             for n, p in enumerate(bot.content.priorities, start=1)]
    chat = bot.content.priorities != bot.content.file_priorities
    origin = ("Set by the organisers in chat." if chat else
              "The article says the forum agreed eight priorities but does not list them: "
              "this default list is a reconstruction, built from the work areas it names and "
              "the toolkit's digital inclusion step. Organisers can change it "
              "(`priorities edit`).")
    return "The forum's eight priorities:\n" + "\n".join(lines) + "\n" + origin


async def show(turn: Turn) -> list[Reply]:
    if turn.args.strip():
        # "priorities for a new DTL?" is a question, not the command.
        return await turn.bot.ask(Turn(turn.bot, turn.incoming,
                                       " ".join(turn.incoming.text.split())))
    return [Reply(listing(turn.bot))]


def _save(turn: Turn, priorities: list[Priority], what: str) -> Reply:
    before = [p.title for p in turn.bot.content.priorities]
    store.save_priorities(turn.bot, priorities)
    changed = [f"{n}. {p.title}" for n, p in enumerate(priorities, start=1)
               if n > len(before) or before[n - 1] != p.title]
    audit.record(turn.bot, turn.user, what, "; ".join(changed) or "descriptions")
    return Reply("Saved: the next poll uses this list (open and past polls keep their own).\n"
                 + listing(turn.bot))


async def edit(turn: Turn) -> list[Reply]:
    return [Reply(form=priorities_form(turn.bot.content.priorities))]


async def submitted(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    action = turn.incoming.action
    assert action is not None
    values = {k: v or "" for k, v in action.values.items()}
    pairs = [(values.get(f"title{n}", ""), values.get(f"description{n}", ""))
             for n in range(1, PRIORITY_COUNT + 1)]
    priorities, errors = build(turn.bot, pairs)
    if errors:
        return [Reply(form=priorities_form(
            turn.bot.content.priorities, values, errors,
            errors.get("count") or "Please correct the fields marked below."))]
    return [_save(turn, priorities, "priorities edit")]


async def set_one(turn: Turn) -> list[Reply]:
    match = SET_WORDS.match(turn.args.strip())
    if match is None:
        return [Reply("Type `priorities set N TITLE: DESCRIPTION`, e.g. `priorities set 3 "
                      "Websites: Practice and PCN websites.`")]
    n = int(match["n"])
    if not 1 <= n <= PRIORITY_COUNT:
        return [Reply(f"N is a priority's number, 1 to {PRIORITY_COUNT}.")]
    pairs = [(p.title, p.description) for p in turn.bot.content.priorities]
    pairs[n - 1] = (match["title"], match["description"])
    priorities, errors = build(turn.bot, pairs)
    if errors:
        return [Reply("Nothing was changed: " + " ".join(dict.fromkeys(errors.values())))]
    return [_save(turn, priorities, "priorities set")]


def register(registry: Registry) -> None:
    registry.command("priorities", takes="none", help="the forum's eight priorities")(show)
    registry.command("priorities edit", organiser=True, usage="priorities edit",
                     help="change the eight priorities the next poll uses (a form)")(edit)
    registry.command("priorities set", organiser=True,
                     usage="priorities set N TITLE: DESCRIPTION",
                     help="change one of the eight priorities")(set_one)
    registry.action("teach.priorities")(submitted)
