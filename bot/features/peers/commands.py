"""Chat for peers: `peers on|off`, `peers PRIORITY`, `peers suggest`, `peers count`, and the
natural questions "who else is working on X?" / "has anyone done X?"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.features.peers import store
from bot.features.peers.suggest import suggestion_lines, suggestions
from bot.features.peers.words import asks_about_others, find, question_topic
from bot.kernel import conversations
from bot.kernel.content import Priority
from bot.kernel.markup import literal, mention_token
from bot.kernel.model import Action, Button, Reply, User
from bot.kernel.registry import Next, Turn

if TYPE_CHECKING:
    from bot.kernel.context import Bot

CONSENT_ACTION = "peers.consent"
ASK_FORUM = "`ask forum`"


def priority_list(bot: Bot) -> str:
    return "\n".join(f"- {n}. {p.title} (`{p.id}`)"
                     for n, p in enumerate(bot.content.priorities, start=1))


def reach_line(bot: Bot, platform: str) -> str:
    """How other DTLs will be able to reach a person on this platform, in plain words."""
    info = bot.platform(platform)
    return info.reach or f"your name, as {info.name} gives it"


def preview(bot: Bot, user: User) -> list[str]:
    """What `peers on` would share, for the person to check before agreeing (nothing is
    looked up about them before they agree)."""
    where = bot.platform(user.platform).name
    name = literal(user.name) or f"your display name on {where}"
    lines = [f"- your name: {name}", f"- how to reach you: {reach_line(bot, user.platform)}"]
    ballot = store.latest_ballot(bot, bot.pseudonym(user))
    if ballot is None:
        lines.append("- your PCN and how far along each priority is, from your latest ballot: "
                     "you have not voted in a poll yet, so nobody will find you until you do. "
                     "Once you vote, your PCN and the stage you give each priority will show.")
        return lines
    pcn = literal(ballot.pcn) or "(not given on your ballot)"
    lines.append(f"- your PCN: {pcn}")
    lines.append(f"- how far along each priority is, from your latest ballot "
                 f"(\"{literal(ballot.poll_title)}\"):")
    for p in bot.content.priorities:
        stage = ballot.stage(p.id)
        lines.append(f"  - {p.title}: {store.STAGE_NAMES.get(stage or '', 'not given')}")
    return lines


async def peers_on(turn: Turn) -> list[Reply]:
    bot = turn.bot
    args = turn.args.strip().lower()
    if args == "confirm":
        return [await confirm(turn)]
    if args:
        return [Reply("Type `peers on` to see what would be shared, then `peers on confirm`.")]
    existing = store.consent(bot, bot.pseudonym(turn.user))
    if existing is not None:
        return [Reply(f"You already share your progress with other DTLs (since "
                      f"{existing.consented_at[:10]}). Type `peers off` to stop at once, or "
                      "`my data` to see what is shared.")]
    text = (
        "**Let other DTLs find you by what you are working on**\n"
        "When another DTL asks who is working on a priority that your latest ballot has in "
        "progress or embedded (or after a poll closes, in a short list of DTLs to talk to), "
        "they would see:\n" + "\n".join(preview(bot, turn.user)) + "\n"
        "Never your ranking of the priorities. Organisers see only how many DTLs share, not "
        "who. `peers off` stops it at once.\n"
        "Press **Share my progress** or type `peers on confirm` to agree."
    )
    return [Reply(text, buttons=(
        Button("Share my progress", Action(CONSENT_ACTION, value="confirm"), style="primary"),
        Button("Not now", Action(CONSENT_ACTION, value="cancel")),
    ))]


async def confirm(turn: Turn) -> Reply:
    bot = turn.bot
    person = bot.pseudonym(turn.user)
    existing = store.consent(bot, person)
    mention = await bot.mention_of(turn.user)
    store.opt_in(bot, person, mention)
    if turn.conversation.is_direct:
        # Where introductions go after a poll closes (listed in `my data`, gone with forget me).
        bot.remember(turn.conversation, turn.user)
    if existing is not None:
        return Reply(f"You already share your progress with other DTLs (since "
                     f"{existing.consented_at[:10]}); I have refreshed how to reach you. "
                     "`peers off` stops it at once.")
    ballot = store.latest_ballot(bot, person)
    later = ("" if ballot is not None else
             " You have no ballot yet: once you vote in a poll, DTLs will see your PCN and "
             "how far along each priority is.")
    if not any(c.platform == turn.user.platform
               for c in conversations.of_person(bot.db, person)):
        later += (" Introductions come in a direct chat with me: type `peers on confirm` there "
                  "to get them.")
    return Reply("Done: other DTLs can now find you by the priorities you have in progress or "
                 f"embedded, and I may suggest DTLs for you to talk to after a poll closes.{later}"
                 " `peers off` stops it at once; `my data` shows what is shared.")


async def consent_pressed(turn: Turn) -> list[Reply]:
    assert turn.incoming.action is not None
    if turn.incoming.action.value != "confirm":
        return [Reply("Fine: nothing is shared. Type `peers on` if you change your mind.")]
    return [await confirm(turn)]


async def peers_off(turn: Turn) -> list[Reply]:
    bot = turn.bot
    if turn.args.strip():
        return [Reply("Type `peers off` to stop sharing your progress with other DTLs.")]
    person = bot.pseudonym(turn.user)
    if store.consent(bot, person) is None:
        store.opt_out(bot, person)
        return [Reply("You were not sharing your progress, so nothing changed. "
                      "(`peers on` shows what sharing would mean.)")]
    store.opt_out(bot, person)
    return [Reply("Done: you no longer appear to other DTLs, and I deleted your name, how to "
                  "reach you and the record of introductions. Type `peers on` to share again.")]


def unknown_priority(bot: Bot, words: str, candidates: tuple[Priority, ...] = ()) -> Reply:
    shown = literal(words)
    if candidates:
        listing = "\n".join(f"- {p.title} (`{p.id}`)" for p in candidates)
        return Reply(f"“{shown}” could be more than one priority:\n{listing}\n"
                     "Type `peers` and the one you mean, e.g. "
                     f"`peers {candidates[0].id}`.")
    return Reply(f"I don't know which priority “{shown}” is. The priorities are:\n"
                 f"{priority_list(bot)}\nType `peers` and a number, an id or a few words, "
                 "e.g. `peers 1` or `peers cloud phones`.")


def who_reply(bot: Bot, user: User, priority: Priority) -> Reply:
    """Opted-in DTLs further along on this priority, furthest first, with a way to reach them."""
    peers = store.working_on(bot, priority.id, exclude=bot.pseudonym(user))
    if not peers:
        return Reply(f"Nobody who shares their progress has **{priority.title}** in progress or "
                     f"embedded yet. Try {ASK_FORUM} to ask the whole forum, or `peers` to see "
                     "another priority. (Only DTLs who chose `peers on` are listed.)")
    lines = []
    for index, peer in enumerate(peers):
        pcn = literal(peer.pcn) or "PCN not given"
        lines.append(f"- {mention_token(index)}, {pcn}: {store.STAGE_NAMES[peer.stage]}")
    count = len(peers)
    return Reply(
        f"**Who is working on {priority.title}** ({count} DTL"
        f"{' who shares' if count == 1 else 's who share'} their progress, furthest along "
        "first):\n" + "\n".join(lines) + "\n"
        "Message them directly. Only DTLs who chose `peers on` are listed.",
        mentions=tuple(p.mention for p in peers),
    )


def answer(bot: Bot, user: User, words: str) -> Reply:
    found = find(bot.content, words)
    if found.priority is None:
        return unknown_priority(bot, words, found.candidates)
    return who_reply(bot, user, found.priority)


def overview(bot: Bot, user: User) -> Reply:
    mine = store.consent(bot, bot.pseudonym(user))
    status = (f"You share your progress (since {mine.consented_at[:10]}); `peers off` stops it."
              if mine is not None else
              "You do not share your progress: `peers on` shows what would be shared.")
    text = (
        "**Who else is working on this?** Type `peers` and a priority (a number, an id or a "
        "few words, e.g. `peers 1` or `peers cloud phones`) to see DTLs who have it in progress "
        "or embedded, or ask \"who else is working on cloud telephony?\". `peers suggest` "
        "suggests DTLs further along on your own top three priorities.\n"
        f"{status}\nThe priorities:\n{priority_list(bot)}"
    )
    if user.is_organiser:
        text += "\n" + count_text(bot)
    return Reply(text)


def count_text(bot: Bot) -> str:
    n = store.count(bot)
    return (f"For organisers: {n} DTL{' shares' if n == 1 else 's share'} their progress "
            "with other DTLs (who they are is not shown to organisers).")


async def peers(turn: Turn) -> list[Reply]:
    if not turn.args.strip():
        return [overview(turn.bot, turn.user)]
    return [answer(turn.bot, turn.user, turn.args)]


async def peers_count(turn: Turn) -> list[Reply]:
    return [Reply(count_text(turn.bot))]


async def peers_suggest(turn: Turn) -> list[Reply]:
    bot = turn.bot
    person = bot.pseudonym(turn.user)
    ballot = store.latest_ballot(bot, person)
    if ballot is None:
        return [Reply("I suggest DTLs further along on your own top three priorities, so I "
                      "need your ballot first: vote in the next poll (`ballot`), then ask "
                      "again. Meanwhile `peers PRIORITY` lists who is working on any priority.")]
    found = suggestions(bot, person, ballot)
    if not found:
        return [Reply("I have no one new to suggest: nobody who shares their progress is "
                      "further along than you on your top three priorities, or I suggested "
                      "them in the last three months. `peers PRIORITY` lists everyone on a "
                      f"priority, and {ASK_FORUM} asks the whole forum.")]
    store.record_suggestions(bot, person, [s.peer.person for s in found], None)
    lines, mentions = suggestion_lines(bot, found)
    return [Reply("**DTLs further along on your top priorities**\n" + "\n".join(lines) +
                  "\nMessage them directly. I won't suggest the same people again for three "
                  "months.", mentions=mentions)]


async def natural_question(turn: Turn, next: Next) -> list[Reply]:
    """ "who else is working on X?" / "has anyone done X?" answer as `peers X` does."""
    topic = question_topic(turn.args)
    if topic is None:
        return await next(turn)
    # "who is working on the toolkit?" is a question for the answerer, not about peers.
    if find(turn.bot.content, topic).priority is None and not asks_about_others(turn.args):
        return await next(turn)
    return [answer(turn.bot, turn.user, topic)]
