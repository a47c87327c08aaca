"""Progress over the year: how each priority moved between two closed polls, and a DTL's own
ballots over time (`poll progress`, `my progress`)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.features.polls import store as polls
from bot.features.polls.ballots import LEAD_LABELS, PROGRESS, PROGRESS_LABELS
from bot.features.polls.results import Line, Results
from bot.kernel.model import Image, Reply, User

if TYPE_CHECKING:
    from bot.kernel.context import Bot

YEAR = timedelta(days=365)


class ProgressError(ValueError):
    """The polls to compare cannot be found; the message says why."""


def closed_polls(bot: Bot) -> list[polls.Poll]:
    """Closed polls with at least one counted ballot, oldest first."""
    rows = bot.db["polls"].rows_where("status = 'closed'", order_by="id")
    return [p for p in (polls.Poll.from_row(r) for r in rows) if polls.responses(bot, p.id)]


def _named(bot: Bot, ref: str) -> polls.Poll:
    try:
        found = polls.find_poll(bot, ref)
    except polls.PollError as exc:
        raise ProgressError(str(exc)) from None
    if found is None:
        raise ProgressError(polls.unknown_poll(ref))
    if found.is_open:
        raise ProgressError(f"\"{found.title}\" is still open: progress compares closed polls.")
    return found


def choose(bot: Bot, args: str) -> tuple[polls.Poll, polls.Poll]:
    """`[POLL] [since POLL]`: by default the newest closed poll against the one a year or more
    before it, else the one before it."""
    parts = re.split(r"(?i)(?:^|\s)since(?:\s|$)", args.strip(), maxsplit=1)
    now_ref = parts[0].strip()
    then_ref = parts[1].strip() if len(parts) > 1 else ""
    if len(parts) > 1 and not then_ref:
        raise ProgressError("Say which poll to compare with, e.g. `poll progress since Spring "
                            "2026`.")
    closed = closed_polls(bot)
    if now_ref:
        now = _named(bot, now_ref)
    elif closed:
        now = closed[-1]
    else:
        raise ProgressError("No poll has closed with ballots yet, so there is no progress to "
                            "show.")
    if then_ref:
        then = _named(bot, then_ref)
    else:
        earlier = [p for p in closed if p.id != now.id and p.opened_at < now.opened_at]
        if not earlier:
            raise ProgressError(f"\"{now.title}\" is the first closed poll with ballots, so "
                                "there is nothing to compare it with yet.")
        year_before = [p for p in earlier if p.opened_at <= now.opened_at - YEAR]
        then = year_before[-1] if year_before else earlier[-1]
    if then.id == now.id:
        raise ProgressError("Give two different polls to compare.")
    return now, then


def _shares(line: Line) -> dict[str, float]:
    given = sum(line.progress.values())
    return {k: (line.progress[k] / given if given else 0.0) for k, _, _ in PROGRESS}


def _leader(line: Line) -> str:
    if not any(line.leads.values()):
        return "not said"
    key = max(line.leads, key=lambda k: line.leads[k])
    return LEAD_LABELS[key]


def _percent(x: float) -> str:
    return f"{round(x * 100)}%"


def progress_text(now: polls.Poll, then: polls.Poll, now_results: Results,
                  then_results: Results) -> str:
    places_now = {ln.priority.id: p for p, ln in enumerate(now_results.lines, start=1)}
    places_then = {ln.priority.id: p for p, ln in enumerate(then_results.lines, start=1)}
    lines_then = {ln.priority.id: ln for ln in then_results.lines}
    out = [f"**Progress: {now.title}** ({now_results.responses} responses) since "
           f"**{then.title}** ({then_results.responses} responses)",
           "For each priority: its place, who leads it, and the share of those who said how far "
           "along it is at each stage (then → now)."]
    for line in now_results.lines:
        pid = line.priority.id
        before = lines_then.get(pid)
        if before is None:
            out.append(f"- **{line.priority.title}**: place {places_now[pid]} now; "
                       f"not in \"{then.title}\"")
            continue
        stages = "; ".join(
            f"{PROGRESS_LABELS[k]} {_percent(_shares(before)[k])} → {_percent(_shares(line)[k])}"
            for k, _, _ in PROGRESS)
        out.append(f"- **{line.priority.title}**: place {places_then[pid]} → {places_now[pid]}; "
                   f"led by {_leader(before)} → {_leader(line)}; {stages}")
    return "\n".join(out)


def chart(polls_shown: list[tuple[polls.Poll, Results]]) -> Image | None:
    """Each priority's place, and the share at 'in progress' or 'embedded', in every closed poll."""
    if len(polls_shown) < 1:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    titles = [p.title for p, _ in polls_shown]
    priorities = {ln.priority.id: ln.priority.title
                  for _, r in polls_shown for ln in r.lines}
    figure = Figure(figsize=(8, 9), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    place_ax, share_ax = figure.subplots(2, 1, sharex=True)
    xs = list(range(len(titles)))
    described = []
    for pid, title in priorities.items():
        places, shares = [], []
        for _, results in polls_shown:
            found = [(p, ln) for p, ln in enumerate(results.lines, start=1)
                     if ln.priority.id == pid]
            places.append(found[0][0] if found else None)
            if found:
                share = _shares(found[0][1])
                shares.append(100 * (share["in-progress"] + share["embedded"]))
            else:
                shares.append(None)
        place_ax.plot(xs, places, marker="o", label=title)
        share_ax.plot(xs, shares, marker="o", label=title)
        described.append(f"{title}: places " + ", ".join(str(p) for p in places))
    place_ax.invert_yaxis()
    place_ax.set_yticks(range(1, len(priorities) + 1))
    place_ax.set_ylabel("Place (1 is first)")
    place_ax.set_title("Place by Borda score")
    share_ax.set_ylim(0, 100)
    share_ax.set_ylabel("% in progress or embedded")
    share_ax.set_xticks(xs, titles, rotation=20, ha="right")
    share_ax.set_title("How far along")
    figure.legend(*place_ax.get_legend_handles_labels(), loc="outside lower center", ncols=2,
                  fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    alt = ("Line charts over the closed polls " + ", ".join(titles) + ": each priority's place "
           "and the share of respondents who said it is in progress or embedded. "
           + "; ".join(described) + ".")
    return Image(buffer.getvalue(), alt, filename="poll-progress.png")


def progress_replies(bot: Bot, args: str) -> list[Reply]:
    try:
        now, then = choose(bot, args)
    except ProgressError as exc:
        return [Reply(str(exc))]
    now_results = polls.compute(bot, now, trend=False, consensus=False)
    then_results = polls.compute(bot, then, trend=False, consensus=False)
    text = progress_text(now, then, now_results, then_results)
    shown = [(p, polls.compute(bot, p, trend=False, consensus=False)) for p in closed_polls(bot)]
    return [Reply(text, image=chart(shown))]


def my_progress_text(bot: Bot, user: User) -> str:
    person = bot.pseudonym(user)
    rows = list(bot.db["ballots"].rows_where("voter = ?", [person], order_by="poll_id"))
    if not rows:
        return "You haven't voted in any poll yet, so there is no progress of yours to show."
    ballots = []
    for row in rows:
        poll = polls.get_poll(bot, row["poll_id"])
        stored = polls.load_ballot(bot, poll, person) if poll else None
        if poll and stored:
            ballots.append((poll, stored[1]))
    out = ["**Your ballots over time** (only you see this)",
           "Poll by poll: " + " → ".join(f"\"{p.title}\"" for p, _ in ballots)]
    titles: dict[str, str] = {}
    for poll, _ in ballots:
        for p in poll.priorities:
            titles.setdefault(p.id, p.title)
    for pid, title in titles.items():
        steps = []
        for _poll, items in ballots:
            item = items.get(pid)
            if item is None:
                steps.append("not asked")
                continue
            place = f"#{item.rank}" if item.rank is not None else "not ranked"
            stage = PROGRESS_LABELS[item.progress] if item.progress else "stage not given"
            steps.append(f"{place}, {stage}")
        out.append(f"- {title}: " + " → ".join(steps))
    return "\n".join(out)
