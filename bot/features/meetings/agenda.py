"""The forum's agenda, proposed and voted on by DTLs: `agenda add [DATE:] TEXT`, `agenda`,
`agenda vote N`, `agenda unvote N`, and for organisers `agenda remove N` and `agenda close`.

Topics belong to a meeting's ref (a moved meeting keeps them) and are numbered within it. A
proposer is named only if they chose to be (`agenda add named ...`, or the button after
proposing); forgetting a person leaves their topics, anonymous, and deletes their votes (a
closed agenda keeps its counts).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.features.meetings.rsvp import pick_meeting
from bot.features.meetings.schedule import Meeting
from bot.features.meetings.wording import DATE_RE, short_when
from bot.kernel import audit
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button, Reply, User
from bot.kernel.registry import PersonalData, Registry, Turn

if TYPE_CHECKING:
    from bot.kernel.context import Bot

MAX_TEXT = 300
MAX_TOPICS = 50
MAX_PER_PERSON = 5
# How many topics get a "+1" button, and how many a reminder carries.
MAX_BUTTONS = 10
TOP_IN_REMINDER = 3
VOTE_ACTION = "meetings:agenda-vote"
NAME_ACTION = "meetings:agenda-name"
DATE_PREFIX = re.compile(
    rf"^\s*({DATE_RE}|\d{{1,2}}(?:st|nd|rd|th)?\s+[A-Za-z]{{3,9}}\.?(?:\s+\d{{4}})?)\s*:\s*(.*)$",
    re.DOTALL,
)
ADD_USAGE = ("Usage: `agenda add TEXT` proposes a topic for the next meeting, "
             "`agenda add 2027-03-11: TEXT` for a later one; start with `named` to show your "
             "name on it, e.g. `agenda add named Cloud telephony: who has moved?`.")


@dataclass(frozen=True)
class Topic:
    id: int
    number: int
    text: str
    proposer: str | None
    proposer_name: str | None
    votes: int


def is_closed(bot: Bot, ref: str) -> bool:
    row = bot.db.execute("select agenda_closed_at from meeting_records where meeting = ?",
                         [ref]).fetchone()
    return bool(row and row[0])


def topics(bot: Bot, ref: str) -> list[Topic]:
    """The meeting's topics, most votes first (a closed agenda: its votes at closing)."""
    closed = is_closed(bot, ref)
    rows = bot.db.execute(
        "select t.id, t.number, t.text, t.proposer, t.proposer_name, t.closed_votes, "
        "(select count(*) from agenda_votes v where v.topic_id = t.id) "
        "from agenda_topics t where t.meeting = ? and t.removed_at is null", [ref]).fetchall()
    found = [Topic(i, n, text, who, name, (kept if closed and kept is not None else live))
             for i, n, text, who, name, kept, live in rows]
    return sorted(found, key=lambda t: (-t.votes, t.number))


def top_lines(bot: Bot, meeting: Meeting, count: int = TOP_IN_REMINDER) -> list[str]:
    """For the 1-day reminder: the closed agenda, or the topics with most votes so far."""
    found = topics(bot, meeting.ref)
    if not found:
        return []
    if is_closed(bot, meeting.ref):
        return ["On the agenda:", *(f"- {literal(t.text)}" for t in found)]
    return ["Top topics so far (`agenda` to vote):",
            *(f"- {literal(t.text)} ({_votes(t.votes)})" for t in found[:count])]


def _votes(n: int) -> str:
    return f"{n} vote{'' if n == 1 else 's'}"


def problem_with(text: str) -> str | None:
    """Why a topic cannot be kept as written, or None."""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") and c not in "\u200d"
           for c in text):
        return ("That topic has control or invisible formatting characters in it: "
                "please type it as plain text.")
    if not text.strip():
        return "The topic is empty. " + ADD_USAGE
    if len(text) > MAX_TEXT:
        return (f"That topic is {len(text):,} characters long: keep it to {MAX_TEXT} or fewer "
                "(put the detail in the discussion).")
    if not any(c.isalnum() for c in text):
        return "That topic has no words in it. " + ADD_USAGE
    return None


def _listing(bot: Bot, meeting: Meeting, user: User) -> Reply:
    found = topics(bot, meeting.ref)
    closed = is_closed(bot, meeting.ref)
    head = f"Agenda for **{literal(meeting.title)}**, {short_when(meeting)}"
    if not found:
        return Reply(f"{head}: no topics yet. Propose one with `agenda add TEXT`.")
    me = bot.pseudonym(user)
    voted = {r[0] for r in bot.db.execute(
        "select topic_id from agenda_votes where voter = ?", [me]).fetchall()}
    lines = [head + (" (closed):" if closed else ", most votes first:")]
    for t in found:
        by = f", proposed by {literal(t.proposer_name)}" if t.proposer_name else ""
        mine = ", your vote" if t.id in voted and not closed else ""
        lines.append(f"- #{t.number}: {literal(t.text)} ({_votes(t.votes)}{mine}{by})")
    if closed:
        return Reply("\n".join(lines))
    lines.append("Vote with `agenda vote N` (take it back with `agenda unvote N`), or propose "
                 "with `agenda add TEXT`.")
    buttons = tuple(Button(f"+1 #{t.number}", Action(VOTE_ACTION, value=str(t.id)))
                    for t in found[:MAX_BUTTONS] if t.id not in voted)
    return Reply("\n".join(lines), buttons=buttons)


async def agenda_list(turn: Turn) -> list[Reply]:
    picked = pick_meeting(turn.bot, turn.args)
    if isinstance(picked, str):
        return [Reply(f"{picked}\nUsage: `agenda` (the next meeting's) or `agenda DATE`.")]
    return [_listing(turn.bot, picked, turn.user)]


async def agenda_add(turn: Turn) -> list[Reply]:
    bot = turn.bot
    text = turn.args.strip()
    named = False
    if text.lower().startswith("named ") or text.lower() == "named":
        named, text = True, text[6:].strip()
    spec = ""
    match = DATE_PREFIX.match(text)
    if match:
        spec, text = match.group(1), match.group(2).strip()
    if not text:
        return [Reply(ADD_USAGE)]
    problem = problem_with(text)
    if problem:
        return [Reply(problem)]
    picked = pick_meeting(bot, spec)
    if isinstance(picked, str):
        return [Reply(f"{picked}\n{ADD_USAGE}")]
    if picked.start <= bot.clock.now():
        return [Reply("That meeting has already started, so its agenda is fixed.")]
    if is_closed(bot, picked.ref):
        return [Reply(f"The agenda for {short_when(picked)} is closed. Propose the topic for a "
                      "later meeting with `agenda add DATE: TEXT`.")]
    me = bot.pseudonym(turn.user)
    live = bot.db.execute("select count(*), sum(proposer = ?) from agenda_topics where "
                          "meeting = ? and removed_at is null", [me, picked.ref]).fetchone()
    if live[0] >= MAX_TOPICS:
        return [Reply(f"That meeting has {MAX_TOPICS} topics already: vote for one of them "
                      "(`agenda`).")]
    if (live[1] or 0) >= MAX_PER_PERSON:
        return [Reply(f"You have proposed {MAX_PER_PERSON} topics for that meeting already.")]
    same = [t for t in topics(bot, picked.ref) if t.text.casefold() == text.casefold()]
    if same:
        return [Reply(f"That topic is already on the agenda as #{same[0].number}: vote for it "
                      f"with `agenda vote {same[0].number}`.")]
    with bot.db.conn:
        number = bot.db.execute("select coalesce(max(number), 0) + 1 from agenda_topics "
                                "where meeting = ?", [picked.ref]).fetchone()[0]
        cursor = bot.db.execute(
            "insert into agenda_topics (meeting, number, text, proposer, proposer_name, "
            "proposed_at) values (?, ?, ?, ?, ?, ?)",
            [picked.ref, number, text, me, turn.user.name[:100] if named else None,
             bot.now_iso()])
    reply = (f"Added #{number} to the agenda for {short_when(picked)}: {literal(text)}\n"
             f"Others can vote for it with `agenda vote {number}`.")
    if named:
        return [Reply(reply + " It shows your name.")]
    return [Reply(reply + " It does not show your name; to show it, press the button or "
                  "propose with `agenda add named TEXT`.",
                  buttons=(Button("Show my name on it",
                                  Action(NAME_ACTION, value=str(cursor.lastrowid))),))]


def _numbered(bot: Bot, args: str, usage: str) -> tuple[Meeting, Topic] | str:
    """The next meeting's topic numbered N (or `N DATE`), or why there is none."""
    words = args.split(maxsplit=1)
    number = words[0].lstrip("#") if words else ""
    if not number.isdigit():
        return usage
    picked = pick_meeting(bot, words[1] if len(words) > 1 else "")
    if isinstance(picked, str):
        return picked
    found = [t for t in topics(bot, picked.ref) if t.number == int(number)]
    if not found:
        return (f"There is no topic #{int(number)} on the agenda for {short_when(picked)}. "
                "Type `agenda` to see the topics and their numbers.")
    return picked, found[0]


def _vote(bot: Bot, user: User, meeting: Meeting, topic: Topic) -> list[Reply]:
    if is_closed(bot, meeting.ref) or meeting.start <= bot.clock.now():
        return [Reply(f"The agenda for {short_when(meeting)} is closed, so it takes no votes.")]
    with bot.db.conn:
        added = bot.db.execute(
            "insert or ignore into agenda_votes (topic_id, voter, voted_at) values (?, ?, ?)",
            [topic.id, bot.pseudonym(user), bot.now_iso()]).rowcount
    if not added:
        return [Reply(f"You have already voted for #{topic.number} (one vote per topic; "
                      f"`agenda unvote {topic.number}` takes it back).")]
    return [Reply(f"Voted for #{topic.number}: {literal(topic.text)} "
                  f"({_votes(topic.votes + 1)}).")]


async def agenda_vote(turn: Turn) -> list[Reply]:
    found = _numbered(turn.bot, turn.args, "Usage: `agenda vote N`, N being the topic's number "
                      "in `agenda`.")
    if isinstance(found, str):
        return [Reply(found)]
    return _vote(turn.bot, turn.user, *found)


async def vote_pressed(turn: Turn) -> list[Reply]:
    bot = turn.bot
    assert turn.incoming.action is not None
    value = turn.incoming.action.value
    row = bot.db.execute("select meeting from agenda_topics where id = ? and removed_at is null",
                         [int(value) if value.isdigit() else -1]).fetchone()
    from bot.features.meetings.schedule import Schedule

    meeting = Schedule.load(bot).by_ref(row[0]) if row else None
    topic = next((t for t in topics(bot, row[0]) if str(t.id) == value), None) if row else None
    if meeting is None or topic is None:
        return [Reply("That topic is no longer on the agenda. Type `agenda` to see the topics.")]
    return _vote(bot, turn.user, meeting, topic)


async def agenda_unvote(turn: Turn) -> list[Reply]:
    bot = turn.bot
    found = _numbered(bot, turn.args, "Usage: `agenda unvote N`, N being the topic's number "
                      "in `agenda`.")
    if isinstance(found, str):
        return [Reply(found)]
    meeting, topic = found
    if is_closed(bot, meeting.ref):
        return [Reply(f"The agenda for {short_when(meeting)} is closed, so votes stay as they "
                      "were.")]
    with bot.db.conn:
        gone = bot.db.execute("delete from agenda_votes where topic_id = ? and voter = ?",
                              [topic.id, bot.pseudonym(turn.user)]).rowcount
    if not gone:
        return [Reply(f"You had not voted for #{topic.number}.")]
    return [Reply(f"Took back your vote for #{topic.number} ({_votes(topic.votes - 1)}).")]


async def agenda_remove(turn: Turn) -> list[Reply]:
    bot = turn.bot
    found = _numbered(bot, turn.args, "Usage: `agenda remove N [DATE]`.")
    if isinstance(found, str):
        return [Reply(found)]
    meeting, topic = found
    with bot.db.conn:
        bot.db.execute("update agenda_topics set removed_at = ? where id = ?",
                       [bot.now_iso(), topic.id])
    audit.record(bot, turn.user, "agenda remove", f"{meeting.ref} #{topic.number}")
    return [Reply(f"Removed #{topic.number} from the agenda for {short_when(meeting)}: "
                  f"{literal(topic.text)}")]


async def agenda_close(turn: Turn) -> list[Reply]:
    bot = turn.bot
    picked = pick_meeting(bot, turn.args)
    if isinstance(picked, str):
        return [Reply(f"{picked}\nUsage: `agenda close [DATE]`.")]
    if is_closed(bot, picked.ref):
        return [Reply(f"The agenda for {short_when(picked)} is already closed.")]
    now = bot.now_iso()
    with bot.db.conn:
        bot.db.execute(
            "update agenda_topics set closed_votes = (select count(*) from agenda_votes v "
            "where v.topic_id = agenda_topics.id) where meeting = ?", [picked.ref])
        bot.db.execute("insert or ignore into meeting_records (meeting) values (?)",
                       [picked.ref])
        bot.db.execute("update meeting_records set agenda_closed_at = ? where meeting = ?",
                       [now, picked.ref])
    audit.record(bot, turn.user, "agenda close", picked.ref)
    return [Reply("Closed. " + _listing(bot, picked, turn.user).text
                  + "\nThe 1-day reminder carries it.")]


async def name_pressed(turn: Turn) -> list[Reply]:
    bot = turn.bot
    assert turn.incoming.action is not None
    value = turn.incoming.action.value
    with bot.db.conn:
        changed = bot.db.execute(
            "update agenda_topics set proposer_name = ? where id = ? and proposer = ? "
            "and removed_at is null",
            [turn.user.name[:100] or None, int(value) if value.isdigit() else -1,
             bot.pseudonym(turn.user)]).rowcount
    if not changed:
        return [Reply("Only the person who proposed that topic can put their name on it.")]
    return [Reply("Done: the topic shows your name.")]


def for_json(bot: Bot, meeting: Meeting) -> list[dict]:
    return [{"text": t.text, "votes": t.votes} for t in topics(bot, meeting.ref)]


def describe(bot: Bot, user: User) -> list[str]:
    me = bot.pseudonym(user)
    lines = [f'you proposed "{text}" ({proposed[:10]}'
             + (", shown with your name)" if name else ", not shown with your name)")
             for text, proposed, name in bot.db.execute(
                 "select text, proposed_at, proposer_name from agenda_topics where proposer = ? "
                 "order by id", [me]).fetchall()]
    votes = bot.db.execute("select count(*) from agenda_votes where voter = ?",
                           [me]).fetchone()[0]
    if votes:
        lines.append(f"{votes} vote(s) for agenda topics")
    return lines


def forget(bot: Bot, user: User) -> str:
    me = bot.pseudonym(user)
    with bot.db.conn:
        proposed = bot.db.execute("update agenda_topics set proposer = null, "
                                  "proposer_name = null where proposer = ?", [me]).rowcount
        votes = bot.db.execute("delete from agenda_votes where voter = ?", [me]).rowcount
    return (f"Made {proposed} agenda topic(s) you proposed anonymous (the topics stay) and "
            f"deleted {votes} vote(s) of yours.")


def register(registry: Registry) -> None:
    registry.command("agenda", usage="agenda [DATE]",
                     help="the topics proposed for the next meeting, most votes first")(
        agenda_list)
    registry.command("agenda add", usage="agenda add [DATE:] TEXT",
                     help="propose a topic for the next meeting (or that date's)")(agenda_add)
    registry.command("agenda vote", usage="agenda vote N",
                     help="vote for topic N of the next meeting's agenda")(agenda_vote)
    registry.command("agenda unvote", usage="agenda unvote N",
                     help="take back your vote for topic N")(agenda_unvote)
    registry.command("agenda remove", organiser=True, usage="agenda remove N",
                     help="take topic N off the next meeting's agenda")(agenda_remove)
    registry.command("agenda close", organiser=True, usage="agenda close [DATE]",
                     help="fix the next meeting's agenda (the 1-day reminder carries it)")(
        agenda_close)
    registry.action(VOTE_ACTION)(vote_pressed)
    registry.action(NAME_ACTION)(name_pressed)
    registry.holds_personal_data(PersonalData(
        name="your agenda topics and votes",
        retention="kept with the meeting's agenda; after `forget me` your topics stay with no "
                  "link to you and your votes are deleted",
        describe=describe,
        forget=forget,
        tables=("agenda_topics", "agenda_votes", "meeting_records"),
        summary="the topics you proposed for a meeting's agenda (their text, when, your "
                "pseudonym, and your display name only if you chose to show it) and which "
                "topics you voted for; each meeting's record keeps when its agenda was closed "
                "and the notes organisers posted, with no person",
    ))
