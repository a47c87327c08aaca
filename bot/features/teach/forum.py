"""Ask the forum: a question the bot could not answer goes (without the asker's name unless
they give it) to the conversations organisers chose; a peer's answer goes to the organisers'
review queue; approved, it becomes an entry and the asker is told."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.features.teach import store
from bot.features.teach.commands import organiser_only, publish_answer, question_title
from bot.features.teach.entries import MAX_SOURCE, Draft, from_values, problems, today
from bot.features.teach.forms import NAME_MAX, PEER_MAX, entry_form, peer_form
from bot.features.teach.notices import keep_asker
from bot.features.teach.store import literal, long_date
from bot.kernel import audit, conversations
from bot.kernel.content import unsafe_links
from bot.kernel.model import Action, Button, Reply, User
from bot.kernel.registry import Next, PersonalData, Registry, Turn

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.teach")

ASK_BUTTON = "Ask the forum"
REPLY_WORDS = re.compile(
    r"^(?P<n>\d+)(?:\s+as\s+(?P<name>[^:]{1,80}))?\s*:\s*(?P<text>.*)$", re.DOTALL)
ANONYMOUS = "a DTL in the forum"


def channels(bot: Bot) -> list[str]:
    return [r["conversation"] for r in bot.db["forum_channels"].rows_where(order_by="since")]


def offer(bot: Bot, replies: list[Reply], question_id: int) -> list[Reply]:
    """Promise the asker a notice, and add "Ask the forum" to the bot's refusal when a forum
    conversation is set up."""
    if not replies:
        return replies
    last = replies[-1]
    text = last.text + "\nIf the organisers add an answer, I'll tell you here."
    if not channels(bot):
        return [*replies[:-1], replace(last, text=text)]
    button = Button(ASK_BUTTON, Action("teach.ask-forum", value=str(question_id)))
    text += " Or ask the forum's DTLs: press **Ask the forum** or type `ask forum`."
    return [*replies[:-1], replace(last, text=text, buttons=(button, *last.buttons))]


def _latest_open(bot: Bot, user: User) -> dict | None:
    rows = list(bot.db["questions"].rows_where(
        "asker = ? and answered = 0 and resolved is null", [bot.pseudonym(user)],
        order_by="id desc", limit=1))
    return rows[0] if rows else None


def _question(bot: Bot, user: User, qid: int) -> dict | None:
    rows = list(bot.db["questions"].rows_where(
        "id = ? and asker = ? and answered = 0 and resolved is null",
        [qid, bot.pseudonym(user)]))
    return rows[0] if rows else None


def _confirmation(question: dict) -> Reply:
    qid = question["id"]
    return Reply(
        f"Post your question {literal(question['text'])} to the forum? It goes without your "
        "name, unless you choose to give it. I'll tell you here when an answer is approved.\n"
        "Type `ask forum confirm` (without your name) or `ask forum named` (with it).",
        buttons=(
            Button("Post it", Action("teach.forum-post", value=f"{qid}:anonymous"),
                   style="primary"),
            Button("Post it with my name", Action("teach.forum-post", value=f"{qid}:named")),
            Button("Cancel", Action("teach.forum-post", value=f"{qid}:cancel")),
        ),
    )


async def ask_forum(turn: Turn) -> list[Reply]:
    bot = turn.bot
    choice = turn.args.strip().lower()
    if choice not in ("", "confirm", "named"):
        return [Reply("Type `ask forum` to post your last unanswered question to the forum.")]
    question = _latest_open(bot, turn.user)
    if question is None:
        return [Reply("You have no unanswered question to ask the forum. Ask me something "
                      "first; if I can't answer it, you can ask the forum.")]
    if not channels(bot):
        return [Reply("No forum conversation takes questions yet (organisers turn it on with "
                      "`questions here on`). The organisers can see your question.")]
    if not choice:
        return [_confirmation(question)]
    return [await post(turn, question, named=choice == "named")]


async def ask_forum_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    value = turn.incoming.action.value
    question = _question(turn.bot, turn.user, int(value)) if value.isdigit() else None
    if question is None:
        return [Reply("That question has been answered or dismissed since.")]
    return [_confirmation(question)]


async def post_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    qid, _, how = turn.incoming.action.value.partition(":")
    if how == "cancel":
        return [Reply("Not posted.")]
    question = _question(turn.bot, turn.user, int(qid)) if qid.isdigit() else None
    if question is None or how not in ("anonymous", "named"):
        return [Reply("That question has been answered or dismissed since.")]
    return [await post(turn, question, named=how == "named")]


def post_reply(post_id: int, text: str, asker_name: str | None) -> Reply:
    who = f"{literal(asker_name)} asks" if asker_name else "A DTL asks"
    return Reply(
        f"**A question for the forum (#{post_id})**\n{who}: {literal(text)}\n"
        f"Can you answer it? Press **I can answer** or type `reply {post_id}: YOUR ANSWER`. "
        "The organisers check answers before the bot uses them.",
        buttons=(Button("I can answer", Action("teach.can-answer", value=str(post_id)),
                        style="primary"),),
    )


async def post(turn: Turn, question: dict, *, named: bool) -> Reply:
    bot = turn.bot
    existing = list(bot.db["forum_posts"].rows_where("question_id = ?", [question["id"]]))
    if existing:
        return Reply(f"Your question is already with the forum (#{existing[0]['id']}).")
    name = (turn.user.name or "").strip()[:NAME_MAX] if named else ""
    post_id = bot.db["forum_posts"].insert({
        "question_id": question["id"], "text": question["text"],
        "asker": bot.pseudonym(turn.user), "asker_name": name or None,
        "posted_at": bot.now_iso(), "status": "open",
    }).last_pk
    reached = 0
    for key in channels(bot):
        conversation = conversations.recall(bot.db, key)
        if conversation is None:
            continue
        try:
            await bot.send(conversation, [post_reply(post_id, question["text"], name or None)])
            reached += 1
        except Exception as exc:
            log.warning("forum question not posted conversation=%s: %s",
                        bot.log_tag(conversation), type(exc).__name__)
    if not reached:
        return Reply(f"I could not reach the forum's conversations just now; your question "
                     f"is kept (#{post_id}) and the organisers can see it.")
    return Reply(f"Posted to the forum (#{post_id}), {'with' if name else 'without'} your "
                 "name. I'll tell you here when an answer is approved.")


async def questions_here(turn: Turn) -> list[Reply]:
    bot = turn.bot
    choice = turn.args.strip().lower()
    key = turn.conversation.key
    if choice not in ("on", "off"):
        state = "on" if key in channels(bot) else "off"
        return [Reply(f"Forum questions here are {state}. Usage: `questions here on` or "
                      "`questions here off`.")]
    if choice == "on":
        conversations.remember(bot.db, turn.conversation, bot.now_iso(),
                               person=bot.pseudonym(turn.user))
        bot.db["forum_channels"].upsert(
            {"conversation": key, "set_by": bot.pseudonym(turn.user), "since": bot.now_iso()},
            pk="conversation")
        text = ("Questions DTLs ask the forum will be posted here, with an **I can answer** "
                "button.")
    else:
        bot.db["forum_channels"].delete_where("conversation = ?", [key])
        text = "Forum questions will no longer be posted here."
    audit.record(bot, turn.user, f"questions here {choice}", key)
    return [Reply(text)]


def _open_post(bot: Bot, post_id: int) -> dict | None:
    rows = list(bot.db["forum_posts"].rows_where("id = ? and status = 'open'", [post_id]))
    return rows[0] if rows else None


async def can_answer(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    value = turn.incoming.action.value
    found = _open_post(turn.bot, int(value)) if value.isdigit() else None
    if found is None:
        return [Reply("That forum question has been answered or closed. Thank you anyway!")]
    return [Reply(form=peer_form(found["id"], literal(found["text"])))]


def _peer_errors(body: str, source: str, name: str) -> dict[str, str]:
    errors = {}
    if not body.strip():
        errors["body"] = "Write your answer: it cannot be empty."
    elif len(body) > PEER_MAX:
        errors["body"] = f"Keep the answer to {PEER_MAX:,} characters (it has {len(body):,})."
    elif unsafe_links(body):
        errors["body"] = "Links may only go to https://, http:// or mailto: addresses."
    if len(source) > MAX_SOURCE:
        errors["source"] = f"Keep the source to {MAX_SOURCE} characters."
    elif unsafe_links(source) or source.lower().startswith(("javascript:", "data:")):
        errors["source"] = "A link may only go to an https://, http:// or mailto: address."
    if len(name) > NAME_MAX:
        errors["name"] = f"Keep the name to {NAME_MAX} characters."
    return errors


def _take_answer(turn: Turn, post_id: int, body: str, source: str, name: str) -> Reply:
    bot = turn.bot
    bot.db["peer_answers"].insert({
        "post_id": post_id, "text": body.strip(), "source": " ".join(source.split()) or None,
        "name": " ".join(name.split()) or None, "answerer": bot.pseudonym(turn.user),
        "at": bot.now_iso(), "status": "pending",
    })
    return Reply("Thank you! Your answer goes to the organisers for review; once approved, the "
                 "bot uses it and the person who asked is told.")


async def reply_words(turn: Turn) -> list[Reply]:
    match = REPLY_WORDS.match(turn.args.strip())
    if match is None:
        return [Reply("Type `reply N: YOUR ANSWER` (N is the forum question's number), or "
                      "`reply N as YOUR NAME: YOUR ANSWER` to be named on it.")]
    found = _open_post(turn.bot, int(match["n"]))
    if found is None:
        return [Reply(f"There is no open forum question #{match['n']}.")]
    body, name = match["text"], (match["name"] or "").strip()
    errors = _peer_errors(body, "", name)
    if errors:
        return [Reply("Not sent: " + " ".join(errors.values()))]
    return [_take_answer(turn, found["id"], body, "", name)]


async def reply_submitted(turn: Turn) -> list[Reply]:
    action = turn.incoming.action
    assert action is not None
    post_id = action.id.partition(":")[2]
    found = _open_post(turn.bot, int(post_id)) if post_id.isdigit() else None
    if found is None:
        return [Reply("That forum question has been answered or closed. Thank you anyway!")]
    values = {k: (v or "") for k, v in action.values.items()}
    body, source, name = values.get("body", ""), values.get("source", ""), values.get("name", "")
    errors = _peer_errors(body, source, name)
    if errors:
        return [Reply(form=peer_form(found["id"], literal(found["text"]), values, errors))]
    return [_take_answer(turn, found["id"], body, source, name)]


async def around_questions(turn: Turn, next: Next) -> list[Reply]:
    """Answers use what was taught in any process; an unanswered asker is kept to be told."""
    bot = turn.bot
    store.sync(bot)
    before = bot.db.execute("select coalesce(max(id), 0) from questions").fetchone()[0]
    replies = await next(turn)
    row = bot.db.execute(
        "select id from questions where id > ? and asker = ? and answered = 0 "
        "order by id desc limit 1",
        [before, bot.pseudonym(turn.user)],
    ).fetchone()
    if row is None:
        return replies
    reason = bot.answers.ask(turn.args).reason
    if reason == "clinical":
        # Never offered to organisers or the forum to answer: the bot gives no clinical advice.
        store.resolve(bot, [row[0]], "clinical")
        return replies
    if reason == "empty":
        # Nothing to answer ("thanks", "ok"): listed for organisers to dismiss, no promise.
        return replies
    keep_asker(bot, turn, row[0])
    return offer(bot, replies, row[0])


# --- the organisers' review ----------------------------------------------------------------

def _pending(bot: Bot, answer_id: int) -> tuple[dict, dict] | None:
    rows = list(bot.db["peer_answers"].rows_where("id = ? and status = 'pending'", [answer_id]))
    if not rows:
        return None
    posts = list(bot.db["forum_posts"].rows_where("id = ?", [rows[0]["post_id"]]))
    return (rows[0], posts[0]) if posts else None


def peer_draft(bot: Bot, answer: dict, forum_post: dict) -> Draft:
    who = answer["name"] or ANONYMOUS
    source = f"{who}, DTL forum, {long_date(answer['at'])}"
    if answer["source"]:
        source += f" ({answer['source']})"
    title = question_title(forum_post["text"])
    return Draft(id=store.new_id(bot, title), title=title, body=answer["text"], source=source,
                 phrasings=[store.normal(forum_post["text"])],
                 review_by=store.months_on(today(bot), bot.config.teach.review_months),
                 reviewed=today(bot))


async def review(turn: Turn) -> list[Reply]:
    bot = turn.bot
    words = turn.args.strip().lower().split()
    if len(words) == 2 and words[0] in ("approve", "reject", "edit") and words[1].isdigit():
        return await decide(turn, words[0], int(words[1]))
    if words:
        return [Reply("Type `review` to list answers waiting, then `review approve N`, "
                      "`review edit N` or `review reject N`.")]
    rows = list(bot.db["peer_answers"].rows_where("status = 'pending'", order_by="id"))
    if not rows:
        return [Reply("No answers from the forum are waiting for review.")]
    lines, buttons = [], []
    for row in rows[:10]:
        found = list(bot.db["forum_posts"].rows_where("id = ?", [row["post_id"]]))
        question = literal(found[0]["text"]) if found else "(question gone)"
        who = literal(row["name"]) if row["name"] else ANONYMOUS
        source = f" (source: {literal(row['source'])})" if row["source"] else ""
        lines.append(f"{row['id']}. To {question}, {who} answered: {literal(row['text'])}"
                     f"{source}")
        n = row["id"]
        buttons += [Button(f"Approve {n}", Action("teach.review", value=f"approve:{n}"),
                           style="primary"),
                    Button(f"Edit {n}", Action("teach.review", value=f"edit:{n}")),
                    Button(f"Reject {n}", Action("teach.review", value=f"reject:{n}"),
                           style="danger")]
    more = f"\nand {len(rows) - 10} more" if len(rows) > 10 else ""
    return [Reply("Answers from the forum waiting for review:\n" + "\n".join(lines) + more
                  + "\nType `review approve N`, `review edit N` or `review reject N`.",
                  buttons=tuple(buttons))]


async def review_pressed(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    assert turn.incoming.action is not None
    how, _, n = turn.incoming.action.value.partition(":")
    if how not in ("approve", "reject", "edit") or not n.isdigit():
        return [Reply("That button is no longer in use.")]
    return await decide(turn, how, int(n))


def _item_for(bot: Bot, question_id: int) -> dict:
    """The open group of questions this one belongs to (all are answered together)."""
    for item in store.open_items(bot.db):
        if question_id in item.question_ids:
            return {"ids": item.question_ids, "texts": item.texts}
    return {"ids": store.still_open(bot.db, [question_id]), "texts": []}


async def decide(turn: Turn, how: str, answer_id: int, draft: Draft | None = None
                 ) -> list[Reply]:
    bot = turn.bot
    found = _pending(bot, answer_id)
    if found is None:
        return [Reply(f"There is no answer {answer_id} waiting for review. Type `review`.")]
    answer, forum_post = found
    if how == "reject":
        bot.db["peer_answers"].update(answer_id, {"status": "rejected",
                                                  "decided_at": bot.now_iso()})
        audit.record(bot, turn.user, "review reject", f"answer {answer_id}")
        return [Reply(f"Rejected answer {answer_id}: the bot does not use it.")]
    draft = draft or peer_draft(bot, answer, forum_post)
    if how == "edit":
        return [Reply(form=entry_form(
            bot, f"teach.review-edit:{answer_id}", "Edit an answer from the forum", draft,
            intro=f"The question: {literal(forum_post['text'])}",
            text_hint=f"Or type `review approve {answer_id}` to publish it as it is, then "
            "`content edit ID: TEXT` to change it."))]
    errors, general = problems(bot, draft)
    if errors or general:
        if turn.incoming.action is not None and turn.incoming.action.id.startswith(
                "teach.review-edit:"):
            return [Reply(form=entry_form(
                bot, f"teach.review-edit:{answer_id}", "Edit an answer from the forum", draft,
                errors=errors, error=general or "Please correct the fields marked below."))]
        shown = "; ".join(m for m in [*errors.values(), general] if m)
        return [Reply(f"Not published: {shown}. Type `review edit {answer_id}` to correct it.")]
    item = _item_for(bot, forum_post["question_id"])
    replies = await publish_answer(turn, item, draft, by="forum", what="review approve")
    bot.db["peer_answers"].update(answer_id, {"status": "approved", "entry": draft.id,
                                              "decided_at": bot.now_iso()})
    bot.db["forum_posts"].update(forum_post["id"], {"status": "answered"})
    return replies


async def review_edit_submitted(turn: Turn) -> list[Reply]:
    refused = organiser_only(turn)
    if refused:
        return refused
    action = turn.incoming.action
    assert action is not None
    n = action.id.partition(":")[2]
    found = _pending(turn.bot, int(n)) if n.isdigit() else None
    if found is None:
        return [Reply("That answer has been reviewed already.")]
    draft = from_values(peer_draft(turn.bot, *found), dict(action.values))
    return await decide(turn, "approve", int(n), draft)


# --- personal data -------------------------------------------------------------------------

def _describe_posts(bot: Bot, user: User) -> list[str]:
    rows = bot.db["forum_posts"].rows_where("asker = ?", [bot.pseudonym(user)], order_by="id")
    return [f"{r['posted_at'][:10]}: you asked the forum {literal(r['text'])} (#{r['id']}, "
            + ("with your name" if r["asker_name"] else "without your name") + ")"
            for r in rows]


def _forget_posts(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute(
            "update forum_posts set asker = null, asker_name = null where asker = ?",
            [bot.pseudonym(user)]).rowcount
    return (f"Unlinked {count} question(s) you asked the forum: their text stays, as posted, "
            "with no link to you or your name.")


def _describe_answers(bot: Bot, user: User) -> list[str]:
    rows = bot.db["peer_answers"].rows_where("answerer = ?", [bot.pseudonym(user)],
                                             order_by="id")
    return [f"{r['at'][:10]}: your answer to forum question #{r['post_id']} ({r['status']}"
            + (f", named as {literal(r['name'])}" if r["name"] else "") + ")" for r in rows]


def _forget_answers(bot: Bot, user: User) -> str:
    key = bot.pseudonym(user)
    with bot.db.conn:
        pending = bot.db.execute(
            "delete from peer_answers where answerer = ? and status = 'pending'", [key]).rowcount
        done = bot.db.execute(
            "update peer_answers set answerer = null, name = null where answerer = ?",
            [key]).rowcount
    return (f"Deleted {pending} answer(s) of yours waiting for review and unlinked {done} "
            "reviewed one(s). Approved answers stay in the bot's content with the source they "
            "were published with; ask the organisers to edit one (`content edit`).")


def _describe_channels(bot: Bot, user: User) -> list[str]:
    rows = bot.db["forum_channels"].rows_where("set_by = ?", [bot.pseudonym(user)])
    return [f"{r['since'][:10]}: you turned forum questions on in a conversation" for r in rows]


def _forget_channels(bot: Bot, user: User) -> str:
    with bot.db.conn:
        count = bot.db.execute("update forum_channels set set_by = null where set_by = ?",
                               [bot.pseudonym(user)]).rowcount
    return (f"Unlinked you from {count} conversation(s) where you turned forum questions on "
            "(they keep getting them).")


FORUM_DATA = (
    PersonalData(
        "Questions you asked the forum",
        "With the question; `forget me` removes the link to you and your name.",
        _describe_posts, _forget_posts, tables=("forum_posts",),
        summary="the question's text, when, your pseudonym, and your display name only if you "
        "chose to give it",
    ),
    PersonalData(
        "Answers you gave to forum questions",
        "Until reviewed and after (approved answers become content, with the name you gave); "
        "`forget me` deletes those waiting and unlinks the rest.",
        _describe_answers, _forget_answers, tables=("peer_answers",),
        summary="your answer, its source, the name you chose to give (if any), when, whether "
        "it was approved, and your pseudonym",
    ),
    PersonalData(
        "Conversations you turned forum questions on in (organisers)",
        "Until turned off there; `forget me` removes the link to you.",
        _describe_channels, _forget_channels, tables=("forum_channels",),
        summary="which conversation, since when, and the pseudonym of whoever turned it on",
    ),
)


def review_args(args: str) -> bool:
    """`review` takes nothing, or `approve|reject|edit N`."""
    words = args.lower().split()
    return len(words) == 2 and words[0] in ("approve", "reject", "edit") and words[1].isdigit()


def register(registry: Registry) -> None:
    registry.use(around_questions)
    registry.command("ask forum", usage="ask forum",
                     help="post the last question I could not answer to the forum's DTLs",
                     )(ask_forum)
    registry.command("questions here", organiser=True, usage="questions here on|off",
                     help="post forum questions to this conversation, or stop")(questions_here)
    registry.command("reply", usage="reply N: TEXT",
                     help="answer forum question N (the organisers review it)")(reply_words)
    registry.command("review", takes=review_args, organiser=True, usage="review",
                     help="answers from the forum waiting for approval")(review)
    registry.action("teach.ask-forum")(ask_forum_pressed)
    registry.action("teach.forum-post")(post_pressed)
    registry.action("teach.can-answer")(can_answer)
    registry.action("teach.reply:")(reply_submitted)
    registry.action("teach.review")(review_pressed)
    registry.action("teach.review-edit:")(review_edit_submitted)
    for kind in FORUM_DATA:
        registry.holds_personal_data(kind)
