"""Who could vote in a poll, who has, and the nudges to those who have not.

The people who could vote are the members of the conversation where the poll was announced (as
its adapter lists them: `Bot.members`) and everyone a platform lets the bot message on its own
(`Bot.audiences`: the web chat's people who have used the bot). Nobody's ballot is read here,
only whether they have cast a counted one.

Every nudge round (a configured time before closing, or an organiser's `poll nudge`) is planned
once: one `poll_nudges` row per person is inserted (a unique index) before any is sent, and each
is claimed before sending, so a restart neither loses nor repeats a nudge (the kernel's
`delivery.Outbox` sends them, as it does meeting reminders and notices).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.features.polls import store as polls
from bot.kernel import conversations
from bot.kernel.context import NoSender
from bot.kernel.delivery import Message, Outbox, Skip, destination
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button, Conversation, Reply, User

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.polls")

NAMES_SHOWN = 40
# A nudge no adapter in this process can send fails at once (it is not worth five tries).
OUTBOX = Outbox("poll_nudges", "poll nudge", final_errors=(NoSender,))


@dataclass
class Group:
    """One place the poll reaches: its label, and its people (None: the platform can't say)."""

    label: str
    people: list[User] | None


def voters(bot: Bot, poll: polls.Poll) -> set[str]:
    """Pseudonyms of the people whose ballot counts (every priority ranked)."""
    return {r[0] for r in bot.db.execute(
        "select voter from ballots where poll_id = ? and ranked = 1 and voter is not null",
        [poll.id])}


def opted_out(bot: Bot) -> set[str]:
    return {r[0] for r in bot.db.execute("select person from poll_reminders_off")}


def _label(conversation: Conversation) -> str:
    kind = "direct chat" if conversation.is_direct else f"conversation {conversation.id}"
    return f"where it was announced ({conversation.platform} {kind})"


async def groups(bot: Bot, poll: polls.Poll) -> list[Group]:
    """The announced conversation's members, then each platform's audience."""
    found = []
    audiences = bot.audiences()
    announced = conversations.recall(bot.db, poll.conversation) if poll.conversation else None
    # A direct chat on a platform whose whole audience is counted adds nobody to it.
    if announced is not None and not (announced.is_direct and announced.platform in audiences):
        found.append(Group(_label(announced), await bot.members(announced)))
    for platform, people in sorted(audiences.items()):
        if not people:
            continue  # nobody has used it yet: it adds no one, and no count
        found.append(Group(f"everyone who has used the bot on {platform}", people))
    return found


def everyone(bot: Bot, found: list[Group]) -> dict[str, User] | None:
    """Each person who could vote once, by pseudonym; None when no group could be listed."""
    known = [g for g in found if g.people is not None]
    if not known:
        return None
    people: dict[str, User] = {}
    for group in known:
        for user in group.people or ():
            people.setdefault(bot.pseudonym(user), user)
    return people


async def refresh(bot: Bot, poll: polls.Poll) -> tuple[list[Group], dict[str, User] | None]:
    """Count who could vote now and keep the count with the poll (the command line reads it)."""
    found = await groups(bot, poll)
    people = everyone(bot, found)
    if people is not None:
        with bot.db.conn:
            bot.db.execute("update polls set eligible = ?, eligible_at = ? where id = ?",
                           [len(people), bot.now_iso(), poll.id])
    return found, people


def _name(user: User) -> str:
    return user.name or "someone whose name the platform did not give"


def status_text(bot: Bot, poll: polls.Poll, found: list[Group],
                people: dict[str, User] | None, *, names: bool = True) -> str:
    """How many have voted of those who could; with `names`, who has not (only ever shown in
    a direct chat: a channel is not told who has not voted)."""
    voted = voters(bot, poll)
    lines = [f"**Participation: {literal(poll.title)}** ({polls.status_line(bot, poll)})"]
    if people is None:
        lines.append(f"{len(voted)} {'person has' if len(voted) == 1 else 'people have'} voted. "
                     "I can't list who could vote from here (no running platform lists its "
                     "members), so I can't say who has not.")
        return "\n".join(lines)
    lines.append(f"{len(voted & set(people))} of the {len(people)} people who could vote "
                 "have voted" + (f" ({len(voted - set(people))} more voted from elsewhere)."
                                 if voted - set(people) else "."))
    for group in found:
        if group.people is None:
            lines.append(f"- {literal(group.label)}: its members can't be listed from here")
            continue
        keys = {bot.pseudonym(u) for u in group.people}
        lines.append(f"- {literal(group.label)}: {len(keys & voted)} of {len(keys)} voted")
    missing = sorted((_name(u) for key, u in people.items() if key not in voted), key=str.lower)
    if missing and not names:
        lines.append(f"Not voted yet: {len(missing)}. Who they are is shown only in a direct "
                     "chat with me: send me `poll status` there.")
    elif missing:
        shown = ", ".join(literal(name) for name in missing[:NAMES_SHOWN])
        more = f" and {len(missing) - NAMES_SHOWN} more" if len(missing) > NAMES_SHOWN else ""
        lines.append(f"Not voted yet ({len(missing)}): {shown}{more}.")
    else:
        lines.append("Everyone who could vote has voted.")
    lines.append(rounds_text(bot, poll))
    return "\n".join(lines)


# --- nudges ---------------------------------------------------------------------------------


def nudge_reply(bot: Bot, poll: polls.Poll) -> Reply:
    closing = (f"closes {polls.local(bot, poll.closes_at)}" if poll.closes_at
               else "is open now")
    return Reply(
        f"**Reminder: the priority poll \"{literal(poll.title)}\" {closing}.**\nYou haven't "
        "ranked the forum's priorities for your PCN yet: it takes a couple of minutes. Press the "
        "button, or type `rank` and the numbers in your order (e.g. `rank 2 4 6 8 1 3 5 7`).\n"
        "_Type `poll reminders off` to stop these reminders._",
        buttons=(Button("Rank your priorities", Action("ballot.open", value=str(poll.id)),
                        style="primary"),),
    )


def direct(bot: Bot, user: User) -> Conversation:
    """Where a direct message to this person goes: their stored direct chat on this platform,
    or one named by their id (Slack, the web chat and the console post to a person's id)."""
    for stored in conversations.of_person(bot.db, bot.pseudonym(user)):
        if stored.platform == user.platform:
            return stored
    return Conversation(user.platform, user.id, is_direct=True)


def due_rounds(bot: Bot, poll: polls.Poll) -> list[tuple[str, datetime]]:
    """The configured nudges of this poll with when each is due, earliest first; one due before
    the poll opened was never owed."""
    if not poll.is_open or poll.closes_at is None:
        return []
    found = []
    for label, offset in bot.config.polls.nudge_offsets():
        due = poll.closes_at - offset
        if due >= poll.opened_at:
            found.append((label, due))
    return found


def _planned(bot: Bot, poll_id: int) -> set[str]:
    return {r[0] for r in bot.db.execute(
        "select nudge from poll_nudge_rounds where poll_id = ?", [poll_id])}


def next_due(bot: Bot) -> datetime | None:
    poll = polls.open_poll(bot)
    dues = []
    if poll is not None:
        planned = _planned(bot, poll.id)
        dues = [due for label, due in due_rounds(bot, poll) if label not in planned]
    return min(dues + OUTBOX.retries_due(bot), default=None)


async def plan(bot: Bot, poll: polls.Poll, nudge: str) -> int:
    """Record one delivery per person who could vote and has not (and has not turned nudges
    off), then the round itself; returns how many were recorded now."""
    _, people = await refresh(bot, poll)
    skip = voters(bot, poll) | opted_out(bot)
    stamp = bot.now_iso()
    rows = [
        {"poll_id": poll.id, "nudge": nudge, "person": key,
         "target": direct(bot, user).key, "status": "pending", "attempts": 0,
         "next_attempt_at": stamp, "last_error": None, "sent_at": None, "updated_at": stamp}
        for key, user in (people or {}).items() if key not in skip
    ]
    before = bot.db["poll_nudges"].count
    with bot.db.conn:
        bot.db["poll_nudges"].insert_all(rows, ignore=True)
        bot.db["poll_nudge_rounds"].insert(
            {"poll_id": poll.id, "nudge": nudge, "planned_at": stamp}, ignore=True)
    return bot.db["poll_nudges"].count - before


async def send_pending(bot: Bot) -> dict[str, int]:
    """Send every nudge due now; one for a person who has voted since, or turned nudges off,
    or for a poll now closed, is not sent. Returns how many ended in each status."""
    off = opted_out(bot)
    cache: dict[int, tuple[polls.Poll | None, set[str]]] = {}

    def poll_of(row: dict) -> tuple[polls.Poll | None, set[str]]:
        if row["poll_id"] not in cache:
            poll = polls.get_poll(bot, row["poll_id"])
            cache[row["poll_id"]] = (poll, voters(bot, poll) if poll else set())
        return cache[row["poll_id"]]

    def skip(row: dict) -> Skip | None:
        poll, voted = poll_of(row)
        reason = ("the poll has closed" if poll is None or not poll.is_open
                  else "voted before the nudge went out" if row["person"] in voted
                  else "turned poll reminders off" if row["person"] in off else None)
        return Skip("skipped", reason) if reason else None

    def compose(row: dict) -> Message:
        poll, _ = poll_of(row)
        assert poll is not None
        return (destination(bot, row["target"], is_direct=True), [nudge_reply(bot, poll)])

    return await OUTBOX.send_due(bot, compose, skip)


async def run(bot: Bot) -> None:
    """Plan the nudge rounds now due (after downtime, only the latest of several) and send."""
    poll = polls.open_poll(bot)
    if poll is not None:
        now = bot.clock.now()
        planned = _planned(bot, poll.id)
        due = [label for label, when in due_rounds(bot, poll)
               if when <= now and label not in planned]
        if due:
            with bot.db.conn:
                for label in due[:-1]:
                    # One nudge is enough when several came due while the bot was down.
                    bot.db["poll_nudge_rounds"].insert(
                        {"poll_id": poll.id, "nudge": label, "planned_at": bot.now_iso()},
                        ignore=True)
            count = await plan(bot, poll, due[-1])
            log.info("poll nudge planned poll=%d nudge=%s people=%d", poll.id, due[-1], count)
    await send_pending(bot)


async def nudge_now(bot: Bot, poll: polls.Poll) -> tuple[int, dict[str, int]]:
    """An organiser's `poll nudge`: a round of its own, sent at once."""
    count = await plan(bot, poll, f"on request {bot.now_iso()}")
    return count, await send_pending(bot)


def rounds_text(bot: Bot, poll: polls.Poll) -> str:
    counts = dict(bot.db.execute(
        "select status, count(*) from poll_nudges where poll_id = ? group by status",
        [poll.id]).fetchall())
    planned = _planned(bot, poll.id)
    upcoming = [(label, due) for label, due in due_rounds(bot, poll) if label not in planned]
    parts = []
    if counts:
        parts.append("Nudges so far: " + ", ".join(
            f"{counts[s]} {s}" for s in ("sent", "pending", "sending", "failed", "skipped")
            if counts.get(s)) + ".")
    if upcoming:
        label, due = upcoming[0]
        parts.append(f"Next automatic nudge: {label} before closing, {polls.local(bot, due)}.")
    elif not bot.config.polls.nudges:
        parts.append("Automatic nudges are off (`[polls] nudges = []`).")
    elif poll.is_open and poll.closes_at is None:
        parts.append("The poll has no closing date, so no automatic nudges go out "
                     "(`poll nudge` sends one now).")
    return " ".join(parts) or "No automatic nudges are left before closing."


# --- personal data --------------------------------------------------------------------------


def reminders_choice(bot: Bot, user: User, choice: str) -> str:
    person = bot.pseudonym(user)
    with bot.db.conn:
        if choice == "off":
            bot.db.execute("insert or ignore into poll_reminders_off (person, at) values (?, ?)",
                           [person, bot.now_iso()])
            return ("I won't send you poll reminders any more. Announcements where polls are "
                    "posted still reach you. `poll reminders on` turns reminders back on.")
        bot.db.execute("delete from poll_reminders_off where person = ?", [person])
    return ("I'll remind you, by direct message, before a poll you haven't voted in closes. "
            "`poll reminders off` stops them.")


def describe(bot: Bot, user: User) -> list[str]:
    person = bot.pseudonym(user)
    lines = []
    row = bot.db.execute("select at from poll_reminders_off where person = ?",
                         [person]).fetchone()
    if row:
        lines.append(f"You turned poll reminders off on {row[0][:10]}.")
    rows = bot.db.execute(
        "select p.title, n.status, n.sent_at, n.updated_at from poll_nudges n "
        "join polls p on p.id = n.poll_id where n.person = ? order by n.id", [person]).fetchall()
    for title, status, sent_at, updated_at in rows:
        when = (sent_at or updated_at)[:10]
        lines.append(f"A reminder to vote in the poll \"{literal(title)}\": {status} ({when}).")
    return lines


def forget(bot: Bot, user: User) -> str:
    person = bot.pseudonym(user)
    with bot.db.conn:
        nudges = bot.db.execute("delete from poll_nudges where person = ?", [person]).rowcount
        off = bot.db.execute("delete from poll_reminders_off where person = ?",
                             [person]).rowcount
    if not nudges and not off:
        return "No poll reminders were recorded for you."
    return (f"Deleted {nudges} record(s) of poll reminders to you"
            + (" and your choice to turn them off." if off else "."))
