"""Organisers answer what the bot could not: `unanswered`, `answer N`, `answer N: TEXT`,
`dismiss N`, and the entry form."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.features.teach import store
from bot.features.teach.entries import Draft, from_values, problems, today
from bot.features.teach.forms import entry_form
from bot.features.teach.notices import forget_askers, tell_askers
from bot.features.teach.store import Item, literal, long_date
from bot.kernel import audit
from bot.kernel.model import Action, Button, Reply
from bot.kernel.registry import Registry, Turn

if TYPE_CHECKING:
    from bot.kernel.context import Bot

ONLY_ORGANISERS = "Only forum organisers can do that."
ITEM_BUTTONS = 10
NUMBERED = re.compile(r"^(?P<n>\d+)\s*(?::\s*(?P<text>.*))?$", re.DOTALL)


def organiser_only(turn: Turn) -> list[Reply] | None:
    return None if turn.user.is_organiser else [Reply(ONLY_ORGANISERS)]


def item_notes(bot: Bot, item: Item) -> list[str]:
    """What answering made of an item's questions: a near miss, the topic a DTL chose from
    "did you mean" (a phrasing to add there), an answer in part."""
    marks = ",".join("?" * len(item.question_ids))
    rows = bot.db.execute(f"select reason, chosen from questions where id in ({marks})",
                          item.question_ids).fetchall()
    reasons = {reason for reason, _ in rows}
    chosen = sorted({c for _, c in rows if c})
    notes = []
    if "partial" in reasons:
        notes.append("answered in part: the sources lack the fact asked for")
    if "suggest" in reasons:
        notes.append("near miss")
    if chosen:
        entries = bot.content.entries
        titles = [entries[t].title if t in entries else t for t in chosen]
        notes.append("chose " + "; ".join(f"“{t}”" for t in titles)
                     + ": a phrasing to add there")
    return notes


def item_line(number: int, item: Item, notes: list[str] | None = None) -> str:
    times = "once" if item.count == 1 else f"{item.count} times"
    line = f"{number}. {literal(item.text)} (asked {times})"
    if notes:
        line += f" ({', '.join(notes)})"
    if len(item.texts) > 1:
        others = "; ".join(literal(t) for t in item.texts[1:4])
        more = f" and {len(item.texts) - 4} more" if len(item.texts) > 4 else ""
        line += f"\n    also asked as {others}{more}"
    return line


async def unanswered(turn: Turn) -> list[Reply]:
    bot = turn.bot
    items = store.open_items(bot.db)[: store.MAX_ITEMS]
    store.save_listing(bot, bot.pseudonym(turn.user), items)
    if not items:
        return [Reply("No unanswered questions so far.")]
    lines: str = "\n".join(item_line(n, item, item_notes(bot, item))
                            for n, item in enumerate(items, start=1))
    buttons = []
    for n, item in enumerate(items[:ITEM_BUTTONS], start=1):
        qid = str(item.question_ids[0])
        buttons += [Button(f"Answer {n}", Action("teach.answer-item", value=qid),
                           style="primary"),
                    Button(f"Dismiss {n}", Action("teach.dismiss-item", value=qid))]
    text = (
        f"Questions I could not answer, most asked first:\n{lines}\n"
        "Type `answer N` for the answer form, `answer N: TEXT` to publish TEXT as the answer "
        "at once, or `dismiss N` for one that is not a real question."
    )
    return [Reply(text, buttons=tuple(buttons))]


def _item_of(turn: Turn, number: int) -> tuple[dict | None, str | None]:
    """The item numbered `number` in this organiser's last `unanswered` list, still open."""
    listed = store.listing(turn.bot, turn.bot.pseudonym(turn.user))
    if listed is None:
        return None, "Type `unanswered` first to see the numbered list."
    if not 1 <= number <= len(listed):
        size = f"has {len(listed)} item(s)" if listed else "is empty"
        return None, (f"There is no item {number}: your last `unanswered` list {size}. "
                      "Type `unanswered` to see it again.")
    item = listed[number - 1]
    open_ids = store.still_open(turn.bot.db, item["ids"])
    if not open_ids:
        return None, (f"Item {number} has been answered or dismissed since. "
                      "Type `unanswered` for the current list.")
    return {"ids": open_ids, "texts": item["texts"]}, None


def _item_by_question(turn: Turn, qid: int) -> dict | None:
    listed = store.listing(turn.bot, turn.bot.pseudonym(turn.user)) or []
    ids = next((i["ids"] for i in listed if qid in i["ids"]), [qid])
    texts = next((i["texts"] for i in listed if qid in i["ids"]), None)
    open_ids = store.still_open(turn.bot.db, ids)
    if not open_ids:
        return None
    if texts is None:
        texts = [store.normal(r["text"]) for r in store.question_rows(turn.bot.db, open_ids)]
    return {"ids": open_ids, "texts": texts}


def question_title(text: str) -> str:
    """A title from what someone asked: their words, with no markup, link or mention in it."""
    text = re.sub(r"[*_`\[\]<>|]", " ", text)
    text = re.sub(r"\b(?:javascript|data|vbscript):", " ", text, flags=re.IGNORECASE)
    text = " ".join(text.split()).rstrip(" ?!.")
    return (text[:1].upper() + text[1:])[:120]


def draft_for(bot: Bot, item: dict) -> Draft:
    rows = store.question_rows(bot.db, item["ids"])
    asked = next((r["text"] for r in rows if store.normal(r["text"]) == item["texts"][0]),
                 item["texts"][0])
    title = question_title(asked)
    return Draft(
        id=store.new_id(bot, title),
        title=title,
        phrasings=list(dict.fromkeys(item["texts"])),
        review_by=store.months_on(today(bot), bot.config.teach.review_months),
        reviewed=today(bot),
    )


def answer_form(bot: Bot, item: dict, draft: Draft | None = None,
                errors: dict[str, str] | None = None, error: str | None = None) -> Reply:
    draft = draft or draft_for(bot, item)
    qid = item["ids"][0]
    asked = "; ".join(literal(t) for t in item["texts"][:3])
    form = entry_form(
        bot, f"teach.answer:{qid}", "Answer a question", draft,
        intro=f"Asked {len(item['ids'])} time(s): {asked}. Published at once, for everyone.",
        text_hint="Or type `answer N: TEXT` (source: the forum organisers and today's date).",
        errors=errors, error=error,
    )
    return Reply(form=form)


async def publish_answer(turn: Turn, item: dict, draft: Draft, *, by: str = "organisers",
                         what: str = "answer") -> list[Reply]:
    bot = turn.bot
    entry = draft.entry()
    store.save_entry(bot, entry)
    store.resolve(bot, item["ids"], "answered", entry.id)
    audit.record(bot, turn.user, what, f"{entry.id}: {entry.title}")
    told = await tell_askers(bot, item["ids"], entry.id, by)
    waiting = bot.db.execute("select count(*) from teach_askers where entry = ?",
                             [entry.id]).fetchone()[0]
    tells = f" I told {told} person(s) who asked." if told else ""
    if waiting:
        tells += (f" I will tell {waiting} more who asked as soon as I can reach them where "
                  "they asked.")
    return [Reply(
        f"Published **{entry.title}** (`{entry.id}`): I use it from now on, on every "
        f"platform.{tells} Type `content show {entry.id}` to see it, "
        f"`content edit {entry.id}` to change it."
    )]


async def answer(turn: Turn) -> list[Reply]:
    bot = turn.bot
    match = NUMBERED.match(turn.args.strip())
    if match is None:
        return [Reply("Type `answer N` (N from `unanswered`) for the form, or "
                      "`answer N: TEXT` to publish TEXT as the answer.")]
    item, error = _item_of(turn, int(match["n"]))
    if item is None:
        return [Reply(error or "")]
    text = match["text"]
    if text is None:
        return [answer_form(bot, item)]
    draft = draft_for(bot, item)
    draft.body = text
    draft.source = f"DTL forum organisers, {long_date(bot.now_iso())}"
    errors, general = problems(bot, draft)
    if errors or general:
        shown = "\n".join(f"- {message}" for message in [*errors.values(), general] if message)
        return [Reply(f"Nothing was published:\n{shown}")]
    return await publish_answer(turn, item, draft)


async def answer_item(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    assert turn.incoming.action is not None
    value = turn.incoming.action.value
    item = _item_by_question(turn, int(value)) if value.isdigit() else None
    if item is None:
        return [Reply("That question has been answered or dismissed since. "
                      "Type `unanswered` for the current list.")]
    return [answer_form(turn.bot, item)]


async def submit_answer(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    action = turn.incoming.action
    assert action is not None
    qid = action.id.partition(":")[2]
    item = _item_by_question(turn, int(qid)) if qid.isdigit() else None
    if item is None:
        return [Reply("That question has been answered or dismissed since, so nothing was "
                      "published. Type `unanswered` for the current list.")]
    draft = from_values(draft_for(turn.bot, item), dict(action.values))
    errors, general = problems(turn.bot, draft)
    if errors or general:
        return [answer_form(turn.bot, item, draft, errors,
                            general or "Please correct the fields marked below.")]
    return await publish_answer(turn, item, draft)


async def dismiss_item(bot: Bot, turn: Turn, item: dict) -> list[Reply]:
    store.resolve(bot, item["ids"], "dismissed")
    forget_askers(bot, item["ids"])
    audit.record(bot, turn.user, "dismiss", item["texts"][0])
    return [Reply(f"Dismissed {literal(item['texts'][0])} ({len(item['ids'])} question(s)): "
                  "it leaves `unanswered`, and nobody is waiting on it any more.")]


async def dismiss(turn: Turn) -> list[Reply]:
    if not turn.args.strip().isdigit():
        return [Reply("Type `dismiss N`, with N from `unanswered`.")]
    item, error = _item_of(turn, int(turn.args.strip()))
    if item is None:
        return [Reply(error or "")]
    return await dismiss_item(turn.bot, turn, item)


async def dismiss_pressed(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    assert turn.incoming.action is not None
    value = turn.incoming.action.value
    item = _item_by_question(turn, int(value)) if value.isdigit() else None
    if item is None:
        return [Reply("That question has been answered or dismissed already.")]
    return await dismiss_item(turn.bot, turn, item)


def register(registry: Registry) -> None:
    registry.command("unanswered", takes="none", organiser=True,
                     help="the questions I could not answer, numbered, most asked first")(
        unanswered)
    registry.command("answer", organiser=True, usage="answer N[: TEXT]",
                     help="answer question N of `unanswered` (a form, or TEXT at once)")(answer)
    registry.command("dismiss", organiser=True, usage="dismiss N",
                     help="remove item N of `unanswered` (not a real question)")(dismiss)
    registry.action("teach.answer-item")(answer_item)
    registry.action("teach.dismiss-item")(dismiss_pressed)
    registry.action("teach.answer:")(submit_answer)
