"""Poll results: the Borda tally, spreads of leads and progress, trend, summary text and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.features.polls.ballots import LEAD_LABELS, LEADS, PROGRESS, PROGRESS_LABELS, PollPriority
from bot.kernel.markup import literal, without_controls

TIE_BREAK = (
    "Priorities are ordered by Borda score (for eight priorities, 8 points for a first place "
    "down to 1 for last); ties go to more first places, then more top-three places, then the "
    "order of the poll's list."
)
METHODS_TEXT = (
    "Borda adds points for each place (8 for first down to 1 for last, for eight priorities); "
    "Schulze (Debian's method) and Kemeny-Young compare every pair of priorities head to head, "
    "Schulze following the strongest chains of pairwise wins and Kemeny-Young taking the order "
    "the fewest ballot pairs disagree with, so a priority that beats every other one head to "
    "head is first by both. Each place's 95% interval holds the places a priority took in "
    "1,000 recounts of resampled ballots, and neighbours whose intervals overlap are too close "
    "to call."
)
CSV_COLUMNS = (
    "poll_id", "poll_title", "respondent", "pcn", "submitted_at",
    "number", "priority_id", "priority_title", "rank", "lead", "progress",
)


@dataclass
class Line:
    """One priority's results."""

    priority: PollPriority
    score: int = 0
    rank_total: int = 0
    first_places: int = 0
    top_three: int = 0
    leads: dict[str, int] = field(default_factory=lambda: {k: 0 for k, _, _ in LEADS})
    progress: dict[str, int] = field(default_factory=lambda: {k: 0 for k, _, _ in PROGRESS})
    # Places moved since the previous closed poll (up is positive), None when not comparable.
    change: int | None = None

    def mean_rank(self, responses: int) -> float | None:
        return round(self.rank_total / responses, 2) if responses else None


METHODS = ("borda", "schulze", "kemeny")
METHOD_NAMES = {"borda": "Borda", "schulze": "Schulze", "kemeny": "Kemeny-Young"}


@dataclass
class Results:
    """A poll's results: the lines in results order (see TIE_BREAK)."""

    responses: int
    lines: list[Line]
    previous_title: str | None = None
    # Priority ids in order by each method (see consensus); Kemeny is None when not computed.
    methods: dict[str, list[str] | None] = field(default_factory=dict)
    # Each priority's 95% bootstrap interval on its Borda place, (best, worst), by id.
    intervals: dict[str, tuple[int, int]] = field(default_factory=dict)
    # How many people could have voted where the poll was announced; None when not known.
    eligible: int | None = None

    @property
    def agree_top3(self) -> bool:
        orders = [order[:3] for order in self.methods.values() if order is not None]
        return bool(orders) and all(order == orders[0] for order in orders)

    def close_calls(self) -> list[tuple[Line, Line]]:
        """Neighbouring priorities (in results order) whose place intervals overlap."""
        pairs = []
        for above, below in zip(self.lines, self.lines[1:], strict=False):
            a = self.intervals.get(above.priority.id)
            b = self.intervals.get(below.priority.id)
            if a and b and a[1] >= b[0] and b[1] >= a[0]:
                pairs.append((above, below))
        return pairs


def tally(
    priorities: list[PollPriority],
    items: Iterable[tuple[str, int | None, str | None, str | None]],
    responses: int,
) -> Results:
    """Count ranked ballot items (priority id, rank, lead, progress) of `responses` ballots."""
    return tally_counts(priorities, ((*item, 1) for item in items), responses)


def tally_counts(
    priorities: list[PollPriority],
    counted: Iterable[tuple[str, int | None, str | None, str | None, int]],
    responses: int,
) -> Results:
    """Like `tally`, from counts of identical items (priority id, rank, lead, progress, how
    many), as SQL's `group by` gives them."""
    n = len(priorities)
    lines = {p.id: Line(p) for p in priorities}
    for pid, rank, lead, progress, times in counted:
        line = lines.get(pid)
        if line is None:
            continue
        if rank is not None:
            line.score += (n + 1 - rank) * times
            line.rank_total += rank * times
            if rank == 1:
                line.first_places += times
            if rank <= 3:
                line.top_three += times
        if lead in line.leads:
            line.leads[lead] += times
        if progress in line.progress:
            line.progress[progress] += times
    ordered = sorted(
        lines.values(),
        key=lambda ln: (-ln.score, -ln.first_places, -ln.top_three, ln.priority.number),
    )
    return Results(responses, ordered)


def tally_sums(priorities: list[PollPriority], sums: Iterable[tuple[Any, ...]],
               responses: int) -> Results:
    """Like `tally`, from per-priority sums as SQL gives them in one pass: (priority id, ranked
    items, sum of ranks, first places, top-three places, a count per lead in LEADS order, a
    count per stage in PROGRESS order)."""
    n = len(priorities)
    lines = {p.id: Line(p) for p in priorities}
    leads = [k for k, _, _ in LEADS]
    stages = [k for k, _, _ in PROGRESS]
    for pid, ranked, rank_total, first, top, *counts in sums:
        line = lines.get(pid)
        if line is None:
            continue
        line.rank_total = rank_total or 0
        line.score = (n + 1) * (ranked or 0) - line.rank_total
        line.first_places, line.top_three = first or 0, top or 0
        line.leads = {k: c or 0 for k, c in zip(leads, counts[:len(leads)], strict=True)}
        line.progress = {k: c or 0 for k, c in zip(stages, counts[len(leads):], strict=True)}
    ordered = sorted(
        lines.values(),
        key=lambda ln: (-ln.score, -ln.first_places, -ln.top_three, ln.priority.number),
    )
    return Results(responses, ordered)


def apply_consensus(results: Results, priorities: list[PollPriority], ranks: Any) -> None:
    """Add the Schulze and Kemeny-Young orders and the bootstrap intervals, from the rank
    matrix of the counted ballots (rows: ballots; columns: `priorities` in poll order)."""
    from bot.features.polls import consensus

    index = {p.id: i for i, p in enumerate(priorities)}
    borda = [index[line.priority.id] for line in results.lines]
    ids = [p.id for p in priorities]
    d = consensus.pairwise(ranks)
    kemeny = consensus.kemeny(d, borda)
    results.methods = {
        "borda": [ids[i] for i in borda],
        "schulze": [ids[i] for i in consensus.schulze(d, borda)],
        "kemeny": None if kemeny is None else [ids[i] for i in kemeny],
    }
    results.intervals = dict(zip(ids, consensus.bootstrap(ranks), strict=True))


def apply_trend(results: Results, previous_order: list[str], previous_title: str) -> None:
    """Set each line's movement in places since a poll whose results order was
    `previous_order` (priority ids, matched by id)."""
    before = {pid: place for place, pid in enumerate(previous_order, start=1)}
    for place, line in enumerate(results.lines, start=1):
        old = before.get(line.priority.id)
        line.change = None if old is None else old - place
    results.previous_title = previous_title


def as_json(poll: dict[str, Any], results: Results) -> dict[str, Any]:
    """The `dtlbot poll results --json` object."""
    return {
        "poll": {"id": poll["id"], "title": poll["title"], "status": poll["status"]},
        "responses": results.responses,
        "methods": {m: results.methods.get(m) for m in METHODS},
        "methods_agree_top3": results.agree_top3,
        "participation": {"voted": results.responses, "eligible": results.eligible},
        "priorities": [
            {
                "number": line.priority.number,
                "id": line.priority.id,
                "title": line.priority.title,
                "score": line.score,
                "mean_rank": line.mean_rank(results.responses),
                "first_places": line.first_places,
                "top_three": line.top_three,
                "leads": dict(line.leads),
                "progress": dict(line.progress),
                "change": line.change,
                "rank_interval": list(results.intervals[line.priority.id])
                if line.priority.id in results.intervals else None,
            }
            for line in results.lines
        ],
    }


# The ballot asks the DTL ("You (the DTL)"); results are read by organisers.
RESULT_LEADS = LEAD_LABELS | {"dtl": "The DTL"}


def _movement(change: int | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return ", no change"
    return f", up {change}" if change > 0 else f", down {-change}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _spread(counts: dict[str, int], labels: dict[str, str]) -> str:
    parts = [f"{labels[k]} {v}" for k, v in counts.items() if v]
    return ", ".join(parts) if parts else "not given"


ORDINALS = ("first", "second", "third")


def _interval(results: Results, line: Line) -> str:
    bounds = results.intervals.get(line.priority.id)
    if bounds is None:
        return ""
    best, worst = bounds
    return f", place {best}" if best == worst else f", place {best} to {worst} (95%)"


def _names(methods: list[str]) -> str:
    words = [METHOD_NAMES[m] for m in methods]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def agreement_text(results: Results) -> list[str]:
    """Where the methods agree and where not, in plain words."""
    orders = {m: o for m, o in results.methods.items() if o is not None}
    if len(orders) < 2:
        return []
    titles = {line.priority.id: line.priority.title for line in results.lines}
    every = "by every method" if len(orders) == len(METHODS) else f"by {_names(list(orders))}"
    if len({tuple(o) for o in orders.values()}) == 1:
        return [f"{titles[next(iter(orders.values()))[0]]} is first {every}, and the methods "
                "agree on the whole order."]
    said = []
    for place, ordinal in enumerate(ORDINALS[:len(results.lines)]):
        picks: dict[str, list[str]] = {}
        for method, order in orders.items():
            picks.setdefault(order[place], []).append(method)
        if len(picks) == 1:
            said.append(f"{titles[next(iter(picks))]} is {ordinal} {every}.")
        else:
            said.append(f"{ordinal.capitalize()} place differs: " + "; ".join(
                f"{_names(methods)} put{'s' if len(methods) == 1 else ''} {titles[pid]} there"
                for pid, methods in picks.items()) + ".")
    if results.agree_top3:
        said.append("The methods agree on the top three but not on every place below.")
    return said


def consensus_text(results: Results) -> list[str]:
    """The orders side by side, the agreement, and the places too close to call."""
    if not results.methods:
        return []
    titles = {line.priority.id: line.priority.title for line in results.lines}
    lines = ["**By method**"]
    for method in METHODS:
        order = results.methods.get(method)
        if order is None:
            lines.append(f"- {METHOD_NAMES[method]}: not computed (too many priorities to try "
                         "every order)")
        else:
            lines.append(f"- {METHOD_NAMES[method]}: "
                         + " > ".join(titles[pid] for pid in order))
    lines += agreement_text(results)
    close = results.close_calls()
    if close:
        places = {line.priority.id: p for p, line in enumerate(results.lines, start=1)}
        lines.append("Too close to call: " + "; ".join(
            f"{a.priority.title} and {b.priority.title} (places {places[a.priority.id]} "
            f"and {places[b.priority.id]})" for a, b in close) + ".")
    elif results.intervals:
        lines.append("No two neighbouring places are too close to call.")
    return lines


def participation_text(results: Results) -> str:
    n = results.responses
    if results.eligible is None:
        return f"{n} {'person has' if n == 1 else 'people have'} voted."
    verb = "has" if n == 1 else "have"
    return f"{n} of the {results.eligible} people who could vote {verb} voted."


def summary(poll: dict[str, Any], results: Results, status_line: str) -> str:
    """The results as chat text (Markdown subset)."""
    n = results.responses
    head = f"**Results: {literal(poll['title'])}** ({status_line}), {n} response{_s(n)}"
    if n == 0:
        return head + "\nNo ballots yet."
    since = (f" (movement since {literal(results.previous_title)})"
             if results.previous_title else "")
    lines = [head]
    if results.eligible is not None:
        lines.append(participation_text(results))
    lines.append(f"By Borda score{since}:")
    for place, line in enumerate(results.lines, start=1):
        lines.append(
            f"- {place}. {line.priority.title}: {line.score} point{_s(line.score)}, mean rank "
            f"{line.mean_rank(n):.2f}, {line.first_places} first, {line.top_three} in top three"
            f"{_interval(results, line)}{_movement(line.change)}"
        )
    lines += consensus_text(results)
    for heading, attribute, labels in (("Who is leading each", "leads", RESULT_LEADS),
                                       ("How far along", "progress", PROGRESS_LABELS)):
        spreads = [(ln.priority.title, getattr(ln, attribute)) for ln in results.lines]
        if not any(sum(counts.values()) for _, counts in spreads):
            lines.append(f"**{heading}**: nobody has said yet.")
            continue
        lines.append(f"**{heading}**")
        lines += [f"- {title}: {_spread(counts, labels)}" for title, counts in spreads]
    lines.append(f"_{TIE_BREAK}_")
    if results.methods:
        lines.append(f"_{METHODS_TEXT}_")
    return "\n".join(lines)


def _cell(value: Any) -> Any:
    """Text without control characters; text a spreadsheet would run as a formula is
    prefixed with a quote."""
    if not isinstance(value, str):
        return value
    if value[:1] in ("\t", "\r"):
        return "'" + without_controls(value)
    value = without_controls(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(poll: dict[str, Any], priorities: list[PollPriority],
           rows: Iterable[dict[str, Any]]) -> bytes:
    """One row per ballot item; `rows` already carry the respondent label to show."""
    titles = {p.id: p for p in priorities}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        p = titles.get(row["priority_id"])
        writer.writerow([_cell(v) for v in (
            poll["id"], poll["title"], row["respondent"], row.get("pcn") or "",
            row["submitted_at"], p.number if p else "", row["priority_id"],
            p.title if p else "", row["rank"] if row["rank"] is not None else "",
            row["lead"] or "", row["progress"] or "",
        )])
    return out.getvalue().encode("utf-8")
