"""What peers keeps about a person, for `my data`, `forget me` and the privacy notice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.features.peers import store
from bot.kernel.markup import literal
from bot.kernel.model import User
from bot.kernel.registry import PersonalData

if TYPE_CHECKING:
    from bot.kernel.context import Bot


def describe(bot: Bot, user: User) -> list[str]:
    person = bot.pseudonym(user)
    lines = []
    mine = store.consent(bot, person)
    if mine is not None:
        mention = mine.mention
        where = bot.platform(mention.platform).name
        lines.append(f"You agreed on {mine.consented_at[:10]} to share your progress with "
                     "other DTLs (`peers off` withdraws it).")
        lines.append(f"Shared with other DTLs: your name ({literal(mention.name) or 'none'}), "
                     f"your {where} user id {literal(mention.id)} so they can reach you"
                     + (f", and a chat link ({mention.link})" if mention.link else "")
                     + "; your PCN and how far along each priority is, read from your latest "
                     "ballot (never your ranking).")
    suggested, last = store.introductions_of(bot, person)
    if suggested:
        lines.append(f"{suggested} DTL(s) I suggested you talk to, last on {last[:10]} (kept "
                     "three months, so I do not suggest the same people again in that time).")
    times = store.times_suggested(bot, person)
    if times:
        lines.append(f"That I suggested you to other DTLs {times} time(s).")
    return lines


def forget(bot: Bot, user: User) -> str:
    store.opt_out(bot, bot.pseudonym(user))
    return ("Deleted your consent to share your progress, your name and how to reach you, and "
            "the record of introductions: no DTL will see you in an answer from now on.")


PEERS_DATA = PersonalData(
    "Sharing your progress with other DTLs (peers)",
    retention="Only while you agree: `peers off` or `forget me` deletes it at once. Each "
              "introduction is kept three months, so nobody is suggested to you twice in that "
              "time, then deleted.",
    describe=describe,
    forget=forget,
    tables=("peers", "peer_introductions"),
    summary="only if you type `peers on` and confirm: the date you agreed, your display name, "
            "your platform user id and (on Teams) a chat link containing your sign-in address, "
            "so other DTLs can reach you; then other DTLs asking who works on a priority see "
            "your name, your PCN and how far along you said each priority is in your latest "
            "ballot, never your ranking; organisers see only how many DTLs share. Also who was "
            "suggested to whom, and when (pseudonyms), for three months",
)
