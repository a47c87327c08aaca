"""Introductions: DTLs further along on a person's own top three priorities, on demand
(`peers suggest`) and once after each poll closes (a timed task)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.features.peers import store
from bot.kernel import conversations
from bot.kernel.markup import literal, mention_token
from bot.kernel.model import Mention, Reply
from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.peers")

MAX_SUGGESTIONS = 3
TOP = 3
# Polls that closed longer ago than this when peers first runs get no introductions.
FIRST_ROUND_WINDOW = timedelta(days=14)


@dataclass
class Suggestion:
    peer: store.Peer
    # (the priority's place in the person's own ranking, priority id, the peer's stage)
    reasons: list[tuple[int, str, str]] = field(default_factory=list)


def suggestions(bot: Bot, person: str, ballot: store.Ballot) -> list[Suggestion]:
    """Up to three opted-in DTLs further along than this person on their top three
    priorities (in progress or embedded), none suggested to them in the last three months."""
    skip = store.recently_suggested(bot, person) | {person}
    found: dict[str, Suggestion] = {}
    for place, pid in enumerate(ballot.top(TOP)):
        mine = store.STAGES.get(ballot.stage(pid) or "", 0)
        for peer in store.working_on(bot, pid, exclude=person):
            if peer.person in skip or store.STAGES[peer.stage] <= mine:
                continue
            entry = found.setdefault(peer.person, Suggestion(peer))
            entry.reasons.append((place, pid, peer.stage))
    ranked = sorted(
        found.values(),
        key=lambda s: (-len(s.reasons), min(r[0] for r in s.reasons),
                       -max(store.STAGES[r[2]] for r in s.reasons)),
    )
    return ranked[:MAX_SUGGESTIONS]


def _title(bot: Bot, priority_id: str) -> str:
    for p in bot.content.priorities:
        if p.id == priority_id:
            return p.title
    return priority_id


def suggestion_lines(bot: Bot, found: list[Suggestion]) -> tuple[list[str], tuple[Mention, ...]]:
    lines = []
    for index, suggestion in enumerate(found):
        reasons = "; ".join(f"{store.STAGE_NAMES[stage]}: {_title(bot, pid)}"
                            for _, pid, stage in sorted(suggestion.reasons))
        pcn = literal(suggestion.peer.pcn) or "PCN not given"
        lines.append(f"- {mention_token(index)}, {pcn} ({reasons})")
    return lines, tuple(s.peer.mention for s in found)


def introductions_due(bot: Bot) -> datetime | None:
    """Now if a poll has closed since the last round; else the earlier of when the next open
    poll closes and when the oldest introduction is three months old (it is then deleted)."""
    done = store.introductions_done_through(bot)
    now = bot.clock.now()
    if store.closed_polls_after(bot, done, now - FIRST_ROUND_WINDOW):
        return now
    upcoming = store.next_closing(bot, done)
    oldest = store.oldest_introduction(bot)
    due = [datetime.fromisoformat(upcoming)] if upcoming else []
    if oldest is not None:
        due.append(oldest + store.REPEAT_AFTER)
    return min(due, default=None)


async def send_introductions(bot: Bot) -> None:
    """One direct message to each opted-in DTL with someone to suggest, per closed poll."""
    from bot.kernel.context import NoSender

    now = bot.clock.now()
    store.prune_introductions(bot)
    due = store.closed_polls_after(bot, store.introductions_done_through(bot),
                                   now - FIRST_ROUND_WINDOW)
    if not due:
        return
    newest = max(poll_id for poll_id, _ in due)
    # Marked first: a message that fails is not retried, so nobody gets two.
    store.mark_introductions_done(bot, newest)
    title = bot.db.execute("select title from polls where id = ?", [newest]).fetchone()[0]
    sent = failed = 0
    for consent in store.opted_in(bot):
        ballot = store.latest_ballot(bot, consent.person)
        if ballot is None:
            continue
        found = suggestions(bot, consent.person, ballot)
        chats = [c for c in conversations.of_person(bot.db, consent.person)
                 if c.platform == consent.mention.platform]
        if not found or not chats:
            continue
        lines, mentions = suggestion_lines(bot, found)
        reply = Reply(
            f"**DTLs to talk to, now the poll \"{literal(title)}\" has closed**\n"
            "These DTLs share their progress and are further along than you on your own "
            "top three priorities:\n" + "\n".join(lines) + "\n"
            "Message them directly. `peers suggest` finds more later; `peers off` if you would "
            "rather not take part.",
            mentions=mentions,
        )
        try:
            await bot.send(chats[0], [reply])
        except NoSender:
            failed += 1
            continue
        except Exception as exc:
            log.warning("peer introduction not sent reason=%s", type(exc).__name__)
            failed += 1
            continue
        store.record_suggestions(bot, consent.person, [s.peer.person for s in found], newest)
        sent += 1
    log.info("peer introductions poll=%d sent=%d failed=%d", newest, sent, failed)


INTRODUCTIONS = Task("peers.introductions", next_due=introductions_due, run=send_introductions)
