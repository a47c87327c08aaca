"""Chat commands for questions: answers, the glossary and the toolkit."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.kernel.answers import Answer
from bot.kernel.content import Content, Entry, GlossaryTerm
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button, Reply
from bot.kernel.registry import Next, Registry, Turn

MAX_RELATED = 3
STEP_IDS = (
    "step-agree-intent",
    "step-funding",
    "step-motivations",
    "step-digital-inclusion",
    "step-understanding-people",
)
SCOPE = (
    "I can help with the DFPC toolkit and its five steps, the DTL role, the DTL forum "
    "and its meetings, and the forum's eight priorities. Type `help` to see everything I can do."
)
CLINICAL_REPLY = (
    "I can't help with clinical questions: please use your usual clinical guidance and "
    "colleagues for those. " + SCOPE
)


def topic_button(entry: Entry) -> Button:
    return Button(entry.title, Action("topic", value=entry.id))


def lead_with(body: str, passage: str | None) -> str:
    """The body with the sentence that answers the question moved first (bullets stay put)."""
    if not passage or passage not in body or f"- {passage}" in body:
        return body
    rest = " ".join(body.replace(passage, "", 1).split(" ")).replace("  ", " ").strip()
    return f"{passage}\n{rest}"


def entry_reply(content: Content, entry: Entry, *, feedback: bool = True,
                passage: str | None = None, alternatives: tuple[Entry, ...] = ()) -> Reply:
    """An entry as a short answer: title, body (led by the passage that answers the question,
    when given), source, the other entries the bot was nearly as sure of, related topics and
    feedback buttons."""
    # The source links to the document where the content names where it can be read.
    source = f"[{entry.source}]({entry.source_url})" if entry.source_url else entry.source
    text = f"**{entry.title}**\n{lead_with(entry.body, passage)}\n_Source: {source}_"
    if entry.reviewed:
        text += f"\n_Reviewed {date.fromisoformat(entry.reviewed):%B %Y}_"
    if alternatives:
        text += "\nNot what you asked? Perhaps: " + "; ".join(e.title for e in alternatives) + "."
    offered = {e.id for e in alternatives}
    related = [content.entries[r] for r in entry.related
               if r in content.entries and r not in offered]
    buttons = [topic_button(e) for e in (*alternatives, *related[:MAX_RELATED])]
    if feedback:
        buttons += [
            Button("👍 Helpful", Action("feedback", value=f"up:{entry.id}")),
            Button("👎 Not helpful", Action("feedback", value=f"down:{entry.id}")),
        ]
    return Reply(text, buttons=tuple(buttons))


def partial_reply(content: Content, answer: Answer) -> Reply:
    """The entry is related but lacks the fact asked for: say so first, then what it says."""
    assert answer.entry is not None
    full = entry_reply(content, answer.entry, feedback=False)
    missing = answer.missing or "that detail"
    text = f"The sources don't give {missing}. What they do say:\n{full.text}"
    return Reply(text, buttons=full.buttons)


def glossary_related(content: Content, term: GlossaryTerm) -> list[Entry]:
    """The entries that speak of a term: those tagged with it or naming it in their title
    first, then those whose text uses it (or its expansion), in content order."""
    names = [re.escape(n) for n in (term.term, *term.aliases, term.expansion) if n]
    pattern = re.compile(r"\b(?:" + "|".join(names) + r")\b", re.IGNORECASE)
    tag = term.term.lower()
    titled, tagged, mentioned = [], [], []
    for entry in content.entries.values():
        if pattern.search(entry.title):
            titled.append(entry)
        elif tag in (t.lower() for t in entry.tags):
            tagged.append(entry)
        elif pattern.search(entry.body):
            mentioned.append(entry)
    return (titled + tagged + mentioned)[:MAX_RELATED]


def glossary_reply(term: GlossaryTerm, content: Content | None = None) -> Reply:
    aliases = f" (also written {', '.join(term.aliases)})" if term.aliases else ""
    related = glossary_related(content, term) if content is not None else []
    return Reply(
        f"**{term.term}**{aliases}: {term.expansion}.\n{term.definition}\n_Source: {term.source}_",
        buttons=tuple(topic_button(e) for e in related),
    )


SMALLTALK_REPLIES = {
    "greeting": "Hello! Ask me a question in your own words. " + SCOPE,
    "thanks": "You're welcome. Ask me anything else about the toolkit, the DTL role or the forum.",
    "who": (
        "I'm the DTL Forum Bot, a program (not a person) for Digital and Transformation Leads. "
        "I answer from two sources only: the Greater Manchester DFPC toolkit summary and the "
        "article on the DTL role one year on, and I keep the forum's meetings and polls. "
        "The forum's organisers look after me."
    ),
    "abilities": (
        "I answer questions about the DFPC toolkit and its five steps, the DTL role, the DTL "
        "forum and its meetings, and the forum's eight priorities, from the two sources I was "
        "given (I never guess, and I don't give clinical advice). I also show the meeting "
        "schedule and run the forum's priority polls. Type `help` for the commands."
    ),
    "ack": "OK. Ask me anything else about the toolkit, the DTL role or the forum.",
    "goodbye": "Bye for now. Ask me again any time.",
}


def smalltalk_reply(kind: str) -> Reply:
    return Reply(SMALLTALK_REPLIES.get(kind, SMALLTALK_REPLIES["greeting"]))


# How long a "did you mean" offer can be taken up by typing its number.
SUGGESTION_TTL = timedelta(hours=1)
SUGGEST_ACTION = "suggestion"
_PICK = re.compile(r"^\s*(?:#|no\.?\s*|number\s+|option\s+)?([1-9])\s*[.)!]?\s*$", re.I)


def suggestion_reply(answer: Answer, question_id: int | None = None) -> Reply:
    """ "Did you mean ...?" with the near topics as buttons and as numbers to type."""
    lines = "\n".join(f"{n}. {e.title}" for n, e in enumerate(answer.near, start=1))
    numbers = [str(n) for n in range(1, len(answer.near) + 1)]
    choices = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " or " + numbers[-1]
    text = (
        "I'm not sure I have the answer to that. Did you mean one of these?\n"
        f"{lines}\nType {choices} to see it, or ask again in other words. "
        "I've noted the question for the organisers."
    )
    ref = "" if question_id is None else str(question_id)
    buttons = tuple(
        Button(e.title, Action(SUGGEST_ACTION, value=f"{ref}:{e.id}")) for e in answer.near
    )
    return Reply(text, buttons=buttons)


def refusal_reply(answer: Answer) -> Reply:
    if answer.reason == "clinical":
        return Reply(CLINICAL_REPLY)
    if answer.reason == "suggest" and answer.near:
        return suggestion_reply(answer)
    text = "Sorry, I don't know the answer to that, and I'd rather not guess. "
    text += "I've noted the question so the organisers can add an answer. " + SCOPE
    # No topic buttons: what scored too low to answer is not related enough to offer.
    return Reply(text)


def log_question(turn: Turn, answer: Answer) -> int:
    """Log a question for organisers (unanswered ones show in `unanswered`); returns its id."""
    table = turn.bot.db["questions"]
    table.insert(
        {
            "asked_at": turn.bot.now_iso(),
            "text": answer.question[:500],
            "asker": turn.bot.pseudonym(turn.user),
            "platform": turn.user.platform,
            "answered": int(answer.answered),
            "topic": answer.topic,
            "score": answer.score,
            "reason": answer.reason,
            "offered": json.dumps([e.id for e in answer.near])
            if answer.reason == "suggest" else None,
        }
    )
    return int(table.last_pk)


def offered(turn: Turn) -> tuple[int, list[str]] | None:
    """The topics offered to this person with their last question, if it was a near miss
    in the last hour and nothing was chosen yet: (question id, topic ids)."""
    bot = turn.bot
    row = bot.db.execute(
        "select id, reason, offered, chosen, asked_at from questions where asker = ? "
        "order by id desc limit 1",
        [bot.pseudonym(turn.user)],
    ).fetchone()
    if row is None or row[1] != "suggest" or not row[2] or row[3]:
        return None
    if datetime.fromisoformat(row[4]) < bot.clock.now() - SUGGESTION_TTL:
        return None
    return int(row[0]), json.loads(row[2])


def choose(turn: Turn, question_id: int | None, topic: str) -> list[Reply]:
    """A suggested topic was chosen: record it against the question, and show it."""
    bot = turn.bot
    entry = bot.content.entries.get(topic)
    if entry is None:
        return [Reply("That topic is no longer available. Type `toolkit` or ask a question.")]
    if question_id is not None:
        with bot.db.conn:
            bot.db.execute(
                "update questions set chosen = ? where id = ? and reason = 'suggest'",
                [topic, question_id],
            )
    return [entry_reply(bot.content, entry)]


async def picked_by_number(turn: Turn, next: Next) -> list[Reply]:
    """Middleware: "2" after a "did you mean" shows the second topic offered."""
    match = _PICK.match(turn.args)
    if match is not None:
        last = offered(turn)
        if last is not None:
            question_id, topics = last
            number = int(match.group(1))
            if number <= len(topics):
                return choose(turn, question_id, topics[number - 1])
            return [Reply(f"Type a number from 1 to {len(topics)}, or ask a question.")]
    return await next(turn)


async def suggestion_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    ref, _, topic = turn.incoming.action.value.partition(":")
    return choose(turn, int(ref) if ref.isdigit() else None, topic)


def answer_reply(content: Content, answer: Answer) -> Reply:
    """The reply for an answer: the entry, the glossary term, or a polite refusal."""
    if answer.glossary is not None:
        return glossary_reply(answer.glossary, content)
    if answer.entry is not None and answer.reason == "partial":
        return partial_reply(content, answer)
    if answer.entry is not None:
        reply = entry_reply(content, answer.entry, passage=answer.passage,
                            alternatives=answer.alternatives)
        for other in answer.also:  # the other part of a question in several parts
            reply = replace(reply, text=f"{reply.text}\n\n**{other.title}**\n{other.body}\n"
                                        f"_Source: {other.source}_")
        return reply
    if answer.reason == "smalltalk" and answer.smalltalk is not None:
        return smalltalk_reply(answer.smalltalk)
    return refusal_reply(answer)


# A question that leans on the one before ("and what about the money side?", "so what made her
# a good fit?") is read with that one as its context, if asked this soon after it.
FOLLOW_UP_WINDOW = timedelta(minutes=10)
FOLLOW_UP_WORDS = 12
# "And ...", "so ...", "what about ...": a follow-up; read with the question before it.
_CONTINUES = re.compile(r"^\s*(?:and|so|but|also|then|ok(?:ay)?|what about|how about)\b", re.I)
# "she", "it", "that": perhaps a follow-up; read so only if it does not stand on its own
# (answered at least STANDS_ALONE sure).
_REFERS_BACK = re.compile(r"\b(?:she|her|he|him|his|they|them|their|it|that|this|those|these)\b",
                          re.I)
STANDS_ALONE = 0.5


def previous_question(turn: Turn) -> str | None:
    """What this person asked last, if within FOLLOW_UP_WINDOW (from the questions log)."""
    bot = turn.bot
    row = bot.db.execute(
        "select text, asked_at from questions where asker = ? order by id desc limit 1",
        [bot.pseudonym(turn.user)],
    ).fetchone()
    if row is None or datetime.fromisoformat(row[1]) < bot.clock.now() - FOLLOW_UP_WINDOW:
        return None
    return row[0]


def answer_in_context(turn: Turn) -> Answer:
    """The answer to the question, read with the one before it when it looks like a follow-up
    to it and does not stand on its own."""
    answer = turn.bot.answers.ask(turn.args)
    if answer.reason in ("smalltalk", "clinical") or answer.glossary is not None or \
            len(turn.args.split()) > FOLLOW_UP_WORDS:
        return answer
    alone = answer.answered and answer.score >= STANDS_ALONE
    if not _CONTINUES.search(turn.args) and (alone or not _REFERS_BACK.search(turn.args)):
        return answer
    before = previous_question(turn)
    if before is None:
        return answer
    joined = turn.bot.answers.ask(f"{before.rstrip(' ?!.')}. {turn.args}")
    if not joined.answered:
        return answer
    return replace(joined, question=answer.question)


async def question(turn: Turn) -> list[Reply]:
    answer = answer_in_context(turn)
    turn.outcome = answer.reason
    if answer.reason == "smalltalk":
        # Not a question: never logged, so it does not clutter `unanswered`.
        turn.bot.metrics.answers.labels("smalltalk").inc()
        if answer.smalltalk == "greeting" and turn.bot.first_contact(turn.user):
            # Someone's first words: the introduction, with its example questions.
            return await turn.bot.registry.emit(
                "first_contact", turn.bot, turn.user, turn.conversation)
        return [smalltalk_reply(answer.smalltalk or "greeting")]
    question_id = log_question(turn, answer)
    turn.bot.metrics.answers.labels("answered" if answer.answered else "unanswered").inc()
    if answer.reason == "suggest" and answer.near:
        return [suggestion_reply(answer, question_id)]
    return [answer_reply(turn.bot.content, answer)]


async def glossary(turn: Turn) -> list[Reply]:
    content = turn.bot.content
    if not turn.args:
        terms = sorted({t.term for t in content.glossary.values()}, key=str.lower)
        return [Reply("Glossary terms: " + ", ".join(terms) + ". Type `glossary TERM`.")]
    term = content.glossary_lookup(turn.args.strip(" ?!.\"'`"))
    if term is None:
        return [Reply(f"“{literal(turn.args)}” is not in the glossary. "
                      "Type `glossary` to list the terms.")]
    return [glossary_reply(term, content)]


async def toolkit(turn: Turn) -> list[Reply]:
    entries = turn.bot.content.entries
    steps = [entries[s] for s in STEP_IDS if s in entries]
    overview = entries.get("toolkit-steps")
    if overview is None:
        text = "The toolkit's five steps:\n" + "\n".join(f"- {e.title}" for e in steps)
    else:
        text = f"{overview.body}\n_Source: {overview.source}_"
    return [Reply(text, buttons=tuple(topic_button(e) for e in steps))]


async def show_topic(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    entry = turn.bot.content.entries.get(turn.incoming.action.value)
    if entry is None:
        return [Reply("That topic is no longer available. Type `toolkit` or ask a question.")]
    return [entry_reply(turn.bot.content, entry)]


def register(registry: Registry) -> None:
    registry.questions(question)
    registry.use(picked_by_number)
    registry.action(SUGGEST_ACTION)(suggestion_pressed)
    registry.command("glossary", help="explain an acronym, e.g. `glossary ARRS`",
                   usage="glossary TERM")(glossary)
    registry.command("toolkit", help="browse the DFPC toolkit's five steps", takes="none")(toolkit)
    registry.action("topic")(show_topic)
