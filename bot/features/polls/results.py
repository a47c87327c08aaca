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


@dataclass
class Results:
    """A poll's results: the lines in results order (see TIE_BREAK)."""

    responses: int
    lines: list[Line]
    previous_title: str | None = None


def tally(
    priorities: list[PollPriority],
    items: Iterable[tuple[str, int | None, str | None, str | None]],
    responses: int,
) -> Results:
    """Count ranked ballot items (priority id, rank, lead, progress) of `responses` ballots."""
    n = len(priorities)
    lines = {p.id: Line(p) for p in priorities}
    for pid, rank, lead, progress in items:
        line = lines.get(pid)
        if line is None:
            continue
        if rank is not None:
            line.score += n + 1 - rank
            line.rank_total += rank
            if rank == 1:
                line.first_places += 1
            if rank <= 3:
                line.top_three += 1
        if lead in line.leads:
            line.leads[lead] += 1
        if progress in line.progress:
            line.progress[progress] += 1
    ordered = sorted(
        lines.values(),
        key=lambda ln: (-ln.score, -ln.first_places, -ln.top_three, ln.priority.number),
    )
    return Results(responses, ordered)


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


def summary(poll: dict[str, Any], results: Results, status_line: str) -> str:
    """The results as chat text (Markdown subset)."""
    n = results.responses
    head = f"**Results: {literal(poll['title'])}** ({status_line}), {n} response{_s(n)}"
    if n == 0:
        return head + "\nNo ballots yet."
    since = f" (movement since {literal(results.previous_title)})" if results.previous_title else ""
    lines = [head, f"By Borda score{since}:"]
    for place, line in enumerate(results.lines, start=1):
        lines.append(
            f"- {place}. {line.priority.title}: {line.score} point{_s(line.score)}, mean rank "
            f"{line.mean_rank(n):.2f}, {line.first_places} first, {line.top_three} in top three"
            f"{_movement(line.change)}"
        )
    for heading, attribute, labels in (("Who is leading each", "leads", RESULT_LEADS),
                                       ("How far along", "progress", PROGRESS_LABELS)):
        spreads = [(ln.priority.title, getattr(ln, attribute)) for ln in results.lines]
        if not any(sum(counts.values()) for _, counts in spreads):
            lines.append(f"**{heading}**: nobody has said yet.")
            continue
        lines.append(f"**{heading}**")
        lines += [f"- {title}: {_spread(counts, labels)}" for title, counts in spreads]
    lines.append(f"_{TIE_BREAK}_")
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
