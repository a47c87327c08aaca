"""Chat commands for priority polls: the organisers' `poll ...`, voting, closing on time."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.features.polls import participation
from bot.features.polls import store as polls
from bot.features.polls.ballots import (
    LEAD_LABELS,
    PCN_FIELD,
    PROGRESS_LABELS,
    BallotError,
    Item,
    ballot_form,
    check_form,
    item_values,
    looks_like_rank,
    looks_like_status,
    parse_rank,
    parse_status,
    priority_listing,
)
from bot.features.polls.results import summary
from bot.kernel import audit, conversations
from bot.kernel.markup import literal
from bot.kernel.model import Action, Button, Conversation, File, Reply, User
from bot.kernel.registry import PersonalData, Registry, Turn
from bot.kernel.scheduler import Task

if TYPE_CHECKING:
    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.polls")

OPEN_BUTTON = "Rank your priorities"


async def results_for(bot: Bot, poll: polls.Poll, *, chart: bool = True) -> list[Reply]:
    """The results, with who could vote counted afresh where the platforms can list them."""
    await participation.refresh(bot, poll)
    return results_replies(bot, poll, chart=chart)


def results_replies(bot: Bot, poll: polls.Poll, *, chart: bool = True) -> list[Reply]:
    """The results summary, with the chart when there is anything to draw."""
    results = polls.compute(bot, poll)
    text = summary(poll.as_dict(), results, polls.status_line(bot, poll))
    image = None
    if chart and results.responses:
        from bot.features.polls.chart import draw

        image = draw(poll.title, results)
    return [Reply(text, image=image)]


def responses_text(count: int) -> str:
    return f"{count} response{'' if count == 1 else 's'}"


def open_button(poll: polls.Poll) -> Button:
    return Button(OPEN_BUTTON, Action("ballot.open", value=str(poll.id)), style="primary")


def announcement(bot: Bot, poll: polls.Poll) -> Reply:
    closing = f" It closes {polls.local(bot, poll.closes_at)}." if poll.closes_at else ""
    n = len(poll.priorities)
    return Reply(
        f"**Priority poll: {literal(poll.title)}**\nPlease rank the forum's {n} priorities "
        "for your PCN, most important first, and say who is leading each and how far along it is. "
        f"It takes a couple of minutes, and you can change your ballot until the poll "
        f"closes.{closing}\n{priority_listing(poll.priorities)}\n"
        f"Press the button, or type `rank` and the {n} numbers in your order "
        f"(e.g. `rank 2 4 6 8 1 3 5 7`).",
        buttons=(open_button(poll),),
    )


def closed_message(bot: Bot, poll: polls.Poll) -> str:
    when = f" on {polls.local(bot, poll.closed_at)}" if poll.closed_at else ""
    return f"The poll \"{literal(poll.title)}\" closed{when}, so it no longer takes ballots."


def no_open_poll(bot: Bot) -> str:
    latest = polls.newest_poll(bot)
    if latest is not None and not latest.is_open:
        return closed_message(bot, latest) + " There is no poll open now."
    return "There is no poll open right now."


def ballot_lines(poll: polls.Poll, items: dict[str, Item]) -> list[str]:
    """A ballot in the voter's order, unranked priorities last."""
    numbered = {p.id: p for p in poll.priorities}
    order = sorted(items.items(), key=lambda kv: (kv[1].rank is None, kv[1].rank or 0,
                                                  numbered[kv[0]].number))
    lines = []
    for pid, item in order:
        p = numbered.get(pid)
        if p is None:
            continue
        place = f"{item.rank}." if item.rank is not None else "not ranked:"
        extra = [f"lead: {LEAD_LABELS[item.lead]}" if item.lead else "",
                 f"progress: {PROGRESS_LABELS[item.progress]}" if item.progress else ""]
        detail = "; ".join(e for e in extra if e)
        lines.append(f"- {place} {p.title} (#{p.number})" + (f", {detail}" if detail else ""))
    return lines


# Said once, when a ballot first counts: the peers feature, by its words only.
PEERS_HINT = ("\nWho else is working on your priorities? `peers` and a priority shows DTLs "
              "further along; `peers on` lets others find you (only if you agree).")


def counted_before(bot: Bot, poll: polls.Poll, user: User) -> bool:
    row = bot.db.execute("select ranked from ballots where poll_id = ? and voter = ?",
                         [poll.id, bot.pseudonym(user)]).fetchone()
    return bool(row and row[0])


def saved_reply(bot: Bot, poll: polls.Poll, items: dict[str, Item], ranked: bool,
                first_counted: bool = False, shared: bool = False) -> Reply:
    if shared:
        # In a channel or group chat everyone would see the choices: say only that it is saved.
        done = "saved" if ranked else "saved so far (it counts once every priority is ranked)"
        return Reply(f"Thanks, your ballot for \"{literal(poll.title)}\" is {done}. "
                     "Type `my ballot` in a direct chat with me to see it.",
                     buttons=(open_button(poll),))
    lines = "\n".join(ballot_lines(poll, items))
    if ranked:
        text = (f"Thanks, your ballot for \"{literal(poll.title)}\" is saved:\n{lines}\n"
                "You can change it until the poll closes (`my ballot` shows it).")
        if first_counted:
            text += PEERS_HINT
    else:
        text = (f"Saved. Your ballot for \"{literal(poll.title)}\" so far:\n{lines}\n"
                f"It counts once all {len(poll.priorities)} are ranked: type `rank` and the "
                "numbers in your order, most important first, or press the button.")
    return Reply(text, buttons=(open_button(poll),))


def form_reply(bot: Bot, poll: polls.Poll, user: User) -> Reply:
    person = bot.pseudonym(user)
    stored = polls.load_ballot(bot, poll, person)
    values = item_values(stored[1]) if stored else {}
    pcn = polls.remembered_pcn(bot, person)
    if pcn:
        values[PCN_FIELD] = pcn
    form = ballot_form(poll.id, poll.title, poll.priorities, values)
    # Posted where others can press it, it opens each presser's own ballot, never this one.
    return Reply(form=replace(form, reopen=Action("ballot.open", value=str(poll.id))))


async def post_to(bot: Bot, key: str | None, replies: list[Reply]) -> bool:
    """Post where a poll was announced; False (logged) when that cannot be done here."""
    from bot.kernel.context import NoSender

    target = conversations.recall(bot.db, key) if key else None
    if target is None:
        log.warning("poll conversation not stored conversation=%s", bot.key_tag(key))
        return False
    try:
        await bot.send(target, replies)
    except NoSender as exc:
        log.warning("could not post to poll conversation=%s: %s", bot.key_tag(key), exc)
        return False
    except Exception:
        log.exception("posting to poll conversation failed conversation=%s", bot.key_tag(key))
        return False
    return True


async def broadcast(bot: Bot, poll: polls.Poll, replies: list[Reply],
                    here: str | None = None) -> tuple[bool, int]:
    """Post where the poll was announced and to every person a platform lets the bot message on
    its own (each web chat person who has used the bot), except the conversation `here` (the
    caller shows the replies there). Returns (posted where announced, people reached)."""
    announced = False
    if poll.conversation and poll.conversation != here:
        announced = await post_to(bot, poll.conversation, replies)
    reached = 0
    done = {here, poll.conversation}
    for people in bot.audiences().values():
        for user in people:
            target = participation.direct(bot, user)
            if target.key in done:
                continue
            done.add(target.key)
            try:
                await bot.send(target, replies)
            except Exception as exc:
                log.warning("poll post to a person failed platform=%s error=%s",
                            target.platform, type(exc).__name__)
                continue
            reached += 1
    return announced, reached


async def mention_open_poll(bot: Bot, user: User | None, conversation: Conversation
                            ) -> list[Reply]:
    """With the introduction: the poll open now, if any, with its ballot button."""
    poll = polls.open_poll(bot)
    if poll is None:
        return []
    closing = f", open until {polls.local(bot, poll.closes_at)}" if poll.closes_at else ""
    return [Reply(f"A priority poll is open now: \"{literal(poll.title)}\"{closing}. Ranking the "
                  "forum's priorities for your PCN takes a couple of minutes: press the button, "
                  "or type `ballot`.", buttons=(open_button(poll),))]


async def poll_start(turn: Turn) -> list[Reply]:
    bot = turn.bot
    current = polls.open_poll(bot)
    if current is not None:
        return [Reply(f"The poll \"{literal(current.title)}\" (#{current.id}) is still open. "
                      "Close it with `poll close` before starting another.")]
    try:
        title, closing = polls.split_start_args(turn.args)
    except polls.PollError as exc:
        return [Reply(str(exc))]
    closes_at = None
    if closing is not None:
        try:
            closes_at = polls.parse_closing(bot, closing)
        except polls.PollError as exc:
            return [Reply(str(exc))]
        if closes_at <= bot.clock.now():
            return [Reply(f"That closing time ({polls.local(bot, closes_at)}) has already passed. "
                          "Give a time in the future.")]
    if not title:
        return [Reply("Give the poll a title, e.g. `poll start Spring 2027 closes 2027-03-31`.")]
    if len(title) > polls.TITLE_MAX:
        return [Reply(f"Keep the poll's title to {polls.TITLE_MAX} characters.")]
    priorities = [{"id": p.id, "title": p.title, "description": p.description}
                  for p in bot.content.priorities]
    conversations.remember(bot.db, turn.conversation, bot.now_iso(),
                           person=bot.pseudonym(turn.user))
    try:
        poll_id = polls.insert_poll(bot, turn.user, turn.conversation.key, title, closes_at,
                                    priorities)
    except sqlite3.IntegrityError:
        return [Reply("Another poll was opened a moment ago. Type `poll list` to see it.")]
    closing = f" closes {polls.local(bot, closes_at)}" if closes_at else ""
    audit.record(bot, turn.user, "poll start", f"#{poll_id} {title}{closing}")
    polls.update_gauge(bot)
    bot.replan()
    poll = polls.get_poll(bot, poll_id)
    assert poll is not None
    reply = announcement(bot, poll)
    await broadcast(bot, poll, [reply], here=turn.conversation.key)
    return [reply]


async def poll_close(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = polls.open_poll(bot)
    if poll is None:
        return [Reply("There is no poll open to close.")]
    with bot.db.conn:
        bot.db.execute("update polls set status = 'closed', closed_at = ?, results_posted = 1 "
                       "where id = ?", [bot.now_iso(), poll.id])
    audit.record(bot, turn.user, "poll close", f"#{poll.id} {poll.title}")
    polls.update_gauge(bot)
    bot.replan()
    closed = polls.get_poll(bot, poll.id)
    assert closed is not None
    replies = await results_for(bot, closed)
    await broadcast(bot, closed, replies, here=turn.conversation.key)
    return replies


async def poll_list(turn: Turn) -> list[Reply]:
    bot = turn.bot
    polls.close_overdue(bot)
    lines = polls.list_lines(bot)
    if not lines:
        return [Reply("No polls yet. Start one with `poll start TITLE [closes DATE]`.")]
    return [Reply("Polls, newest first:\n" + "\n".join(lines))]


async def poll_remind(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = polls.open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    count = polls.responses(bot, poll.id)
    closing = f" It closes {polls.local(bot, poll.closes_at)}." if poll.closes_at else ""
    reminder = Reply(
        f"**Reminder: priority poll \"{literal(poll.title)}\"**\n{count} "
        f"{'DTL has' if count == 1 else 'DTLs have'} ranked the priorities so far.{closing} "
        "If you haven't yet, it takes a couple of minutes: press the button, or type `rank` "
        "and the numbers in your order.",
        buttons=(open_button(poll),),
    )
    audit.record(bot, turn.user, "poll remind",
                 f"#{poll.id} {poll.title}: {responses_text(count)}")
    announced, _ = await broadcast(bot, poll, [reminder], here=turn.conversation.key)
    if poll.conversation in (None, turn.conversation.key):
        return [reminder]
    if announced:
        return [Reply("Reminder posted where the poll was announced "
                      f"({responses_text(count)} so far).")]
    return [Reply("I couldn't post where the poll was announced from here, so here is the "
                  "reminder to share:"), reminder]


def hidden_while_open(bot: Bot, poll: polls.Poll, user: User) -> str | None:
    """Why this person may not see this open poll's results yet (None: they may)."""
    if not poll.is_open:
        return None
    closing = f" on {polls.local(bot, poll.closes_at)}" if poll.closes_at else ""
    if bot.config.polls.results_while_open == "hidden":
        return (f"The results of \"{literal(poll.title)}\" are hidden until it closes{closing} "
                "(`[polls] results_while_open = \"hidden\"`); then everyone can see them.")
    if not user.is_organiser:
        return (f"The results of \"{literal(poll.title)}\" are shared when it closes{closing}. "
                "`my ballot` shows your own ballot.")
    return None


def named_poll(turn: Turn) -> polls.Poll | Reply:
    """The poll the command's words name (default: the newest), overdue ones closed first;
    else the reply saying why there is none."""
    polls.close_overdue(turn.bot)
    try:
        poll = polls.find_poll(turn.bot, turn.args)
    except polls.PollError as exc:
        return Reply(str(exc))
    return poll if poll is not None else Reply(polls.unknown_poll(turn.args))


async def poll_results(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = named_poll(turn)
    if isinstance(poll, Reply):
        return [poll]
    refused = hidden_while_open(bot, poll, turn.user)
    if refused:
        return [Reply(refused)]
    return await results_for(bot, poll)


async def poll_share(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = named_poll(turn)
    if isinstance(poll, Reply):
        return [poll]
    if poll.is_open:
        return [Reply(f"\"{literal(poll.title)}\" is still open: its results are shared when it "
                      "closes (`poll close` closes it now).")]
    replies = await results_for(bot, poll)
    announced, reached = await broadcast(bot, poll, replies, here=turn.conversation.key)
    audit.record(bot, turn.user, "poll share", f"#{poll.id} {poll.title}")
    where = []
    if announced:
        where.append("where the poll was announced")
    if reached:
        where.append(f"to {reached} {'person' if reached == 1 else 'people'} directly")
    if not where:
        if poll.conversation == turn.conversation.key:
            return replies
        return [Reply("I couldn't post the results anywhere from here, so here they are to "
                      "share:"), *replies]
    return [Reply("Results shared " + " and ".join(where) + ".")]


async def poll_status(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = named_poll(turn)
    if isinstance(poll, Reply):
        return [poll]
    found, people = await participation.refresh(bot, poll)
    return [Reply(participation.status_text(bot, poll, found, people,
                                            names=turn.conversation.is_direct))]


async def poll_nudge(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = polls.open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    planned, outcome = await participation.nudge_now(bot, poll)
    audit.record(bot, turn.user, "poll nudge", f"#{poll.id} {poll.title}: {planned} people")
    if not planned:
        _, people = await participation.refresh(bot, poll)
        if people is None:
            return [Reply("I can't list who could vote from here, so I couldn't nudge anyone. "
                          "`poll remind` posts a reminder where the poll was announced.")]
        return [Reply("Nobody to nudge: everyone who could vote has voted (or turned poll "
                      "reminders off).")]
    sent = outcome.get("sent", 0)
    text = f"Sent a reminder, with the ballot button, to {sent} of the {planned} " \
           f"{'person' if planned == 1 else 'people'} who have not voted."
    failed = planned - sent - outcome.get("skipped", 0)
    if failed:
        text += f" {failed} could not be reached (`poll status` shows the nudges)."
    return [Reply(text)]


async def poll_progress(turn: Turn) -> list[Reply]:
    from bot.features.polls.progress import progress_replies

    polls.close_overdue(turn.bot)
    return progress_replies(turn.bot, turn.args)


async def my_progress(turn: Turn) -> list[Reply]:
    from bot.features.polls.progress import my_progress_text

    if not turn.conversation.is_direct:
        return [Reply("Your own ballots are only shown in a direct chat with me: send me "
                      "`my progress` there.")]
    return [Reply(my_progress_text(turn.bot, turn.user))]


async def poll_reminders(turn: Turn) -> list[Reply]:
    choice = turn.args.strip().lower()
    if choice not in ("on", "off"):
        return [Reply("Usage: `poll reminders off` (no more reminders to vote) or "
                      "`poll reminders on`.")]
    return [Reply(participation.reminders_choice(turn.bot, turn.user, choice))]


async def poll_export(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = named_poll(turn)
    if isinstance(poll, Reply):
        return [poll]
    refused = hidden_while_open(bot, poll, turn.user)
    if refused:
        return [Reply(refused.replace("results", "ballots", 1))]
    if not turn.conversation.is_direct:
        # Every ballot, PCNs included: for the organiser alone, never a channel.
        return [Reply("Poll exports are only sent in a direct chat with me: send me "
                      "`poll export` there (or use `dtlbot poll export` on the server).")]
    named = bot.config.polls.named_export
    audit.record(bot, turn.user, "poll export", f"#{poll.id} {poll.title}"
                 + (" (named)" if named else ""))
    kind = "with names (named_export is on)" if named else "with pseudonymous respondents"
    data = polls.export_csv(bot, poll)
    return [Reply(f"The ballots of \"{literal(poll.title)}\", one row per priority per "
                  f"ballot, {kind}.",
                  file=File(data, polls.csv_filename(poll), mime="text/csv",
                            title=f"{poll.title} ballots"))]


async def show_form(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = polls.open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    return [form_reply(bot, poll, turn.user)]


async def open_form(turn: Turn) -> list[Reply]:
    bot = turn.bot
    assert turn.incoming.action is not None
    polls.close_overdue(bot)
    value = turn.incoming.action.value
    poll = polls.get_poll(bot, int(value)) if value.isdecimal() else None
    if poll is None:
        return [Reply("That poll no longer exists.")]
    if not poll.is_open:
        return [Reply(closed_message(bot, poll))]
    return [form_reply(bot, poll, turn.user)]


async def submit_form(turn: Turn) -> list[Reply]:
    bot = turn.bot
    action = turn.incoming.action
    assert action is not None
    polls.close_overdue(bot)
    value = action.id.partition(":")[2]
    poll = polls.get_poll(bot, int(value)) if value.isdecimal() else None
    if poll is None:
        return [Reply("That poll no longer exists, so your ballot was not saved.")]
    # Adapters may send an unanswered optional select as None.
    values = {k: str(v) for k, v in action.values.items() if v is not None}
    if not poll.is_open:
        return [Reply(form=ballot_form(poll.id, poll.title, poll.priorities, values,
                                       error=closed_message(bot, poll)))]
    checked = check_form(poll.priorities, values)
    if not checked.ok:
        return [Reply(form=ballot_form(poll.id, poll.title, poll.priorities, values,
                                       error=checked.error,
                                       field_errors=checked.field_errors))]
    before = counted_before(bot, poll, turn.user)
    ranked = polls.save_ballot(bot, poll, turn.user, checked.items, pcn=checked.pcn)
    bot.metrics.ballots.inc()
    return [saved_reply(bot, poll, checked.items, ranked, first_counted=not before,
                        shared=not turn.conversation.is_direct)]


def current_items(bot: Bot, poll: polls.Poll, user: User) -> dict[str, Item]:
    """This person's ballot so far (a text ballot changes it part by part), or a blank one."""
    stored = polls.load_ballot(bot, poll, bot.pseudonym(user))
    return stored[1] if stored else {p.id: Item() for p in poll.priorities}


async def rank(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = polls.open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    try:
        ranks = parse_rank(poll.priorities, turn.args)
    except BallotError as exc:
        return [Reply(f"{exc} Your ballot was not changed.")]
    items = current_items(bot, poll, turn.user)
    for pid, place in ranks.items():
        items[pid].rank = place
    before = counted_before(bot, poll, turn.user)
    ranked = polls.save_ballot(bot, poll, turn.user, items)
    bot.metrics.ballots.inc()
    return [saved_reply(bot, poll, items, ranked, first_counted=not before,
                        shared=not turn.conversation.is_direct)]


async def status(turn: Turn) -> list[Reply]:
    bot = turn.bot
    poll = polls.open_poll(bot)
    if poll is None:
        return [Reply(no_open_poll(bot))]
    try:
        priority, lead, progress = parse_status(poll.priorities, turn.args)
    except BallotError as exc:
        return [Reply(f"{exc} Your ballot was not changed.")]
    items = current_items(bot, poll, turn.user)
    items[priority.id].lead = lead
    items[priority.id].progress = progress
    before = counted_before(bot, poll, turn.user)
    ranked = polls.save_ballot(bot, poll, turn.user, items)
    return [saved_reply(bot, poll, items, ranked, first_counted=not before,
                        shared=not turn.conversation.is_direct)]


async def my_ballot(turn: Turn) -> list[Reply]:
    bot = turn.bot
    if not turn.conversation.is_direct:
        # A ballot's ranks and PCN are the voter's own: never posted where others read.
        return [Reply("Your ballot is only shown in a direct chat with me: send me "
                      "`my ballot` there.")]
    person = bot.pseudonym(turn.user)
    row = bot.db.execute(
        "select poll_id from ballots where voter = ? order by poll_id desc limit 1", [person]
    ).fetchone()
    current = polls.open_poll(bot)
    if current is not None and polls.load_ballot(bot, current, person) is None:
        return [Reply(f"You haven't voted in \"{literal(current.title)}\" yet.",
                      buttons=(open_button(current),))]
    poll = current or (polls.get_poll(bot, row[0]) if row else None)
    if poll is None:
        return [Reply("You have no ballot in any poll.")]
    stored = polls.load_ballot(bot, poll, person)
    assert stored is not None
    ballot, items = stored
    when = polls.local(bot, polls.from_iso(ballot["submitted_at"]))
    pcn = f"\nPCN: {literal(ballot['pcn'])}" if ballot["pcn"] else ""
    counted = "" if ballot["ranked"] else "\nIt does not count yet: not every priority is ranked."
    text = (f"Your ballot in \"{literal(poll.title)}\" ({polls.status_line(bot, poll)}), "
            f"last changed {when}:\n" + "\n".join(ballot_lines(poll, items)) + pcn + counted)
    buttons = (open_button(poll),) if poll.is_open else ()
    return [Reply(text, buttons=buttons)]


async def close_due(bot: Bot) -> None:
    """Close polls whose time has come and post each one's results where it was announced."""
    polls.close_overdue(bot)
    due = [polls.Poll.from_row(r) for r in bot.db["polls"].rows_where(
        "status = 'closed' and results_posted = 0 and closes_at is not null")]
    for poll in due:
        # Marked first: a post that fails must not be retried in a tight loop.
        with bot.db.conn:
            bot.db.execute("update polls set results_posted = 1 where id = ?", [poll.id])
        log.info("poll closed on time poll=%d", poll.id)
        await broadcast(bot, poll, await results_for(bot, poll))


def register(registry: Registry) -> None:
    organiser = {"organiser": True}
    registry.command("poll start", usage="poll start TITLE [closes DATE]",
                   help="open a priority poll here and announce it", **organiser)(poll_start)
    registry.command("poll close", help="close the open poll and show its results", takes="none",
                   **organiser)(poll_close)
    registry.command("poll list", help="every poll, newest first", takes="none",
                     **organiser)(poll_list)
    registry.command("poll remind", help="remind DTLs where the poll was announced",
                   takes="none", **organiser)(poll_remind)
    registry.command("poll results", usage="poll results [POLL]",
                   help="results of a poll (default: the newest), with a chart; everyone "
                        "can see a closed poll's")(poll_results)
    registry.command("poll share", usage="poll share [POLL]",
                   help="post a closed poll's results where it was announced again",
                   **organiser)(poll_share)
    registry.command("poll status", usage="poll status [POLL]",
                   help="how many have voted of those who could, and who has not (names in "
                   "a direct chat only)",
                   **organiser)(poll_status)
    registry.command("poll nudge", help="send everyone who has not voted a direct reminder",
                   takes="none", **organiser)(poll_nudge)
    registry.command("poll progress", usage="poll progress [POLL] [since POLL]",
                   help="how each priority moved between two closed polls (default: the "
                        "newest against a year before), with a chart")(poll_progress)
    registry.command("my progress", help="your own ballots over time (only you see "
                                          "them)", takes="none")(my_progress)
    registry.command("poll reminders", usage="poll reminders off|on",
                   help="stop (or restart) my direct reminders to vote",
                   takes=lambda args: args.strip().lower() in ("on", "off"))(poll_reminders)
    registry.command("poll export", usage="poll export [POLL]",
                   help="the ballots of a poll as a CSV file", **organiser)(poll_export)
    registry.command("rank", usage="rank A B C D E F G H",
                   help="rank the priorities, most important first (numbers or ids)",
                     takes=looks_like_rank)(rank)
    registry.command("status", usage="status N LEAD PROGRESS",
                   help="who leads priority N and how far along it is, "
                        "e.g. `status 3 icb in-progress`", takes=looks_like_status)(status)
    registry.command("ballot", help="open the ballot of the current poll", takes="none")(show_form)
    registry.command("my ballot", help="your ballot in the current poll", takes="none")(my_ballot)
    registry.action("ballot.open")(open_form)
    registry.action("ballot:")(submit_form)
    registry.on("first_contact", mention_open_poll)
    registry.task(Task("polls.close", next_due=polls.next_close, run=close_due))
    registry.task(Task("polls.nudges", next_due=participation.next_due, run=participation.run))
    registry.holds_personal_data(PersonalData(
        "poll ballots",
        retention="Kept with the poll. `forget me` deletes your ballot in an open poll and "
                  "unlinks it from you in closed polls, so published results stay the same.",
        describe=polls.describe_ballots, forget=polls.forget_ballots,
        tables=("ballots", "ballot_items"),
        summary="your ranking of the priorities, who leads each and how far along it is, your "
                "PCN's name if you gave it, when you voted, and your pseudonym (your display "
                "name too, only while `[polls] named_export` is on)"))
    registry.holds_personal_data(PersonalData(
        "poll reminders",
        retention="Kept with the poll; `forget me` deletes them.",
        describe=participation.describe, forget=participation.forget,
        tables=("poll_nudges", "poll_reminders_off"),
        summary="the reminders to vote sent to you by direct message (when, and whether they "
                "arrived), and whether you turned them off with `poll reminders off`"))
    registry.holds_personal_data(PersonalData(
        "where your polls were announced",
        retention="Kept with the poll until you ask me to forget you.",
        describe=polls.describe_poll_places, forget=polls.forget_poll_places,
        tables=("polls",),
        summary="for organisers: the conversation a poll was started in (for its reminders "
        "and results), which may be your direct chat"))
    registry.holds_personal_data(PersonalData(
        "PCN name", retention="Kept until you clear it on a ballot or ask me to forget you.",
        describe=polls.describe_pcn, forget=polls.forget_pcn, tables=("pcn_names",),
        summary="the PCN name you gave on your last ballot, to offer it again"))
