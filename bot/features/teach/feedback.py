"""Feedback that says what was wrong: 👍/👎 on an answer, what was wrong with a 👎, and the
organisers' `feedback` list."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from bot.features.teach import store
from bot.features.teach.forms import WHY_REASONS, why_form
from bot.features.teach.store import literal
from bot.kernel.model import Action, Button, Reply, User
from bot.kernel.registry import PersonalData, Registry, Turn

if TYPE_CHECKING:
    from bot.kernel.context import Bot

REASONS = dict(WHY_REASONS)
MAX_WHY = 500


async def vote(turn: Turn) -> list[Reply]:
    """The 👍/👎 buttons under an answer."""
    assert turn.incoming.action is not None
    bot = turn.bot
    store.sync(bot)
    direction, _, topic = turn.incoming.action.value.partition(":")
    if direction not in ("up", "down") or topic not in bot.content.entries:
        return [Reply("I could not record that feedback.")]
    feedback_id = bot.db["feedback"].insert({
        "at": bot.now_iso(), "topic": topic, "vote": 1 if direction == "up" else -1,
        "asker": bot.pseudonym(turn.user),
    }).last_pk
    if direction == "up":
        return [Reply("Thanks, glad that helped.")]
    buttons = tuple(Button(label, Action("teach.why", value=f"{feedback_id}:{key}"))
                    for key, label in WHY_REASONS)
    buttons += (Button("Tell us more", Action("teach.why-form", value=str(feedback_id))),)
    return [Reply(
        "Thanks for telling me. The organisers will see that this answer needs work. What was "
        "wrong with it? Press one, or type `not helpful WHAT WAS WRONG`.", buttons=buttons)]


def _own_feedback(bot: Bot, user: User, feedback_id: int) -> bool:
    return bool(bot.db.execute(
        "select 1 from feedback where id = ? and vote < 0 and asker = ?",
        [feedback_id, bot.pseudonym(user)]).fetchone())


def _save_reason(bot: Bot, feedback_id: int, reason: str, text: str) -> Reply:
    text = " ".join(text.split())
    if len(text) > MAX_WHY:
        return Reply(f"Please keep it to {MAX_WHY} characters (that was {len(text):,}); "
                     "nothing was saved.")
    bot.db["feedback_reasons"].upsert(
        {"feedback_id": feedback_id, "reason": reason, "text": text or None,
         "at": bot.now_iso()}, pk="feedback_id")
    return Reply("Thank you: the organisers will see what was wrong.")


async def why_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    n, _, reason = turn.incoming.action.value.partition(":")
    if not n.isdigit() or reason not in REASONS or not _own_feedback(turn.bot, turn.user, int(n)):
        return [Reply("I could not record that.")]
    return [_save_reason(turn.bot, int(n), reason, "")]


async def why_form_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    n = turn.incoming.action.value
    if not n.isdigit() or not _own_feedback(turn.bot, turn.user, int(n)):
        return [Reply("I could not record that.")]
    return [Reply(form=why_form(int(n)))]


async def why_submitted(turn: Turn) -> list[Reply]:
    action = turn.incoming.action
    assert action is not None
    n = action.id.partition(":")[2]
    if not n.isdigit() or not _own_feedback(turn.bot, turn.user, int(n)):
        return [Reply("I could not record that.")]
    reason = action.values.get("reason") or "other"
    if reason not in REASONS:
        return [Reply("I could not record that.")]
    return [_save_reason(turn.bot, int(n), reason, action.values.get("text") or "")]


async def not_helpful(turn: Turn) -> list[Reply]:
    """Typed words for what was wrong with the last answer this person marked not helpful."""
    bot = turn.bot
    text = turn.args.lstrip(":").strip()
    row = bot.db.execute(
        "select id from feedback where asker = ? and vote < 0 order by id desc limit 1",
        [bot.pseudonym(turn.user)]).fetchone()
    if row is None:
        return [Reply("Press 👎 under an answer first, then say what was wrong.")]
    if not text:
        return [Reply("Type `not helpful WHAT WAS WRONG`.")]
    return [_save_reason(bot, row[0], "other", text)]


async def feedback_list(turn: Turn) -> list[Reply]:
    bot = turn.bot
    store.sync(bot)
    rows = bot.db.execute(
        "select f.topic, f.vote, r.reason, r.text from feedback f "
        "left join feedback_reasons r on r.feedback_id = f.id order by f.id desc").fetchall()
    downs: Counter[str] = Counter()
    ups: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = {}
    words: dict[str, list[str]] = {}
    for topic, value, reason, text in rows:
        if value > 0:
            ups[topic] += 1
            continue
        downs[topic] += 1
        if reason:
            reasons.setdefault(topic, Counter())[reason] += 1
        if text and len(words.setdefault(topic, [])) < 3:
            words[topic].append(text)
    if not downs:
        return [Reply("No answer has been marked not helpful so far.")]
    lines, buttons = [], []
    for n, (topic, count) in enumerate(downs.most_common(15), start=1):
        entry = bot.content.entries.get(topic)
        title = entry.title if entry else f"{topic} (no longer live)"
        line = f"{n}. `{topic}` {title}: 👎 {count}, 👍 {ups[topic]}"
        if topic in reasons:
            line += " (" + ", ".join(f"{REASONS[r].lower()} {c}" for r, c in
                                     reasons[topic].most_common()) + ")"
        for said in words.get(topic, []):
            line += f"\n    {literal(said)}"
        lines.append(line)
        if entry is not None and len(buttons) < 10:
            buttons.append(Button(f"Edit {n}", Action("teach.edit", value=topic)))
    return [Reply("Answers marked not helpful, most first:\n" + "\n".join(lines)
                  + "\nType `content edit ID` to improve one.", buttons=tuple(buttons))]


def _describe(bot: Bot, user: User) -> list[str]:
    rows = bot.db.execute(
        "select r.at, f.topic, r.reason, r.text from feedback_reasons r join feedback f "
        "on f.id = r.feedback_id where f.asker = ? order by r.at", [bot.pseudonym(user)]
    ).fetchall()
    return [f"{at[:10]}: on `{topic}`, {REASONS.get(reason, reason).lower()}"
            + (f": {literal(text)}" if text else "") for at, topic, reason, text in rows]


def _forget(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute(
            "update feedback_reasons set text = null where text is not null and feedback_id in "
            "(select id from feedback where asker = ?)", [bot.pseudonym(user)]).rowcount
    return (f"Deleted the words of {count} reason(s) you gave for a 👎; what kind of problem "
            "it was stays with the vote, unlinked.")


REASONS_DATA = PersonalData(
    "What you said was wrong with answers",
    lambda bot: (f"With your vote: the link to you is removed after "
                 f"{bot.config.privacy.question_retention_days} days; `forget me` deletes "
                 "your words."),
    _describe, _forget, tables=("feedback_reasons",),
    summary="for a 👎: what kind of problem it was, the words you added (if any), and when, "
    "linked to you through the vote",
)


def register(registry: Registry) -> None:
    registry.action("feedback")(vote)
    registry.action("teach.why")(why_pressed)
    registry.action("teach.why-form")(why_form_pressed)
    registry.action("teach.why:")(why_submitted)
    registry.command("not helpful", usage="not helpful WHAT WAS WRONG",
                     help="say what was wrong with the last answer you marked 👎")(not_helpful)
    registry.command("feedback", takes="none", organiser=True, usage="feedback",
                     help="answers marked not helpful, with what was wrong")(feedback_list)
    registry.holds_personal_data(REASONS_DATA)
