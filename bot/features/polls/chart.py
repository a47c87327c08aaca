"""The results chart as a PNG, laid out for a phone: three panels stacked, one above the other.

1. Priorities by Borda score. 2. Each priority's place with its 95% interval, and where Schulze
and Kemeny-Young put it (the agreement marks). 3. How far along each is, by stage.
"""

from __future__ import annotations

import io
import textwrap

from bot.features.polls.ballots import PROGRESS
from bot.features.polls.results import METHOD_NAMES, Results
from bot.kernel.model import Image
from bot.kernel.text import plural

# Colour-blind-safe (Okabe-Ito) colours for the progress stages, in stage order.
STAGE_COLOURS = ("#D55E00", "#E69F00", "#56B4E9", "#009E73")
# Wide enough for a phone held upright to show it without shrinking the text below legibility.
WIDTH_INCHES = 6.4
DPI = 150
LABEL_WIDTH = 24


def places(results: Results, method: str) -> dict[str, int]:
    order = results.methods.get(method) or []
    return {pid: place for place, pid in enumerate(order, start=1)}


def alt_text(title: str, results: Results) -> str:
    """What the chart shows, in words, for screen readers."""
    order = "; ".join(
        f"{place}. {line.priority.title}, {plural(line.score, 'point')}"
        + (f", place {a} to {b} at 95%" if (a_b := results.intervals.get(line.priority.id))
           and (a := a_b[0]) != (b := a_b[1]) else "")
        for place, line in enumerate(results.lines, start=1)
    )
    agree = ""
    if results.methods:
        agree = (" Schulze and Kemeny-Young agree with Borda on the top three."
                 if results.agree_top3 else
                 " Schulze or Kemeny-Young differ from Borda in the top three.")
    return (
        f"Chart of the results of the poll {title} ({plural(results.responses, 'response')}): "
        f"the priorities by Borda score, highest first: {order}.{agree} A second panel marks "
        "each priority's place with its 95% interval and the places Schulze and Kemeny-Young "
        "give it; a third shows how many respondents said it was not started, planning, in "
        "progress or embedded."
    )


def draw(title: str, results: Results) -> Image:
    """The chart as a PNG image with alt text (matplotlib is imported only here)."""
    # Imported here, not at module level: matplotlib takes a noticeable time to import,
    # and only results with a chart need it. Figure + the Agg canvas keep no global state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    lines = list(reversed(results.lines))  # barh draws bottom-up; the winner goes on top
    n = len(lines)
    names = [textwrap.fill(line.priority.title, LABEL_WIDTH) for line in lines]
    ys = list(range(n))
    with_places = bool(results.intervals)
    panels = 3 if with_places else 2
    panel_height = 0.5 * n + 1.2
    figure = Figure(figsize=(WIDTH_INCHES, panel_height * panels + 1.4), dpi=DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(panels, 1)
    score_ax, stage_ax = axes[0], axes[-1]

    score_ax.barh(ys, [line.score for line in lines], color="#0072B2")
    score_ax.set_yticks(ys, names, fontsize=9)
    score_ax.set_title("Priorities by Borda score", fontsize=11, loc="left")
    score_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    top = max((line.score for line in lines), default=0)
    score_ax.set_xlim(0, max(1, top) * 1.15)  # room for the value labels inside the axes
    for y, line in zip(ys, lines, strict=True):
        score_ax.text(line.score, y, f" {line.score}", va="center", fontsize=9)

    if with_places:
        place_ax = axes[1]
        borda = {line.priority.id: p for p, line in enumerate(results.lines, start=1)}
        schulze, kemeny = places(results, "schulze"), places(results, "kemeny")
        for y, line in zip(ys, lines, strict=True):
            best, worst = results.intervals[line.priority.id]
            place_ax.plot([best, worst], [y, y], color="#555555", linewidth=3,
                          solid_capstyle="butt", label="95% interval" if y == 0 else None)
        place_ax.scatter([borda[ln.priority.id] for ln in lines], ys, color="#0072B2", s=45,
                         zorder=3, label="Borda")
        for marks, marker, colour, method in ((schulze, "s", "#CC79A7", "schulze"),
                                              (kemeny, "^", "#009E73", "kemeny")):
            if marks:
                place_ax.scatter([marks[ln.priority.id] for ln in lines], ys, marker=marker,
                                 facecolors="none", edgecolors=colour, s=90, linewidths=1.5,
                                 zorder=4, label=METHOD_NAMES[method])
        place_ax.set_yticks(ys, names, fontsize=9)
        place_ax.set_xlim(n + 0.5, 0.5)  # first place on the right, like the longest bar
        place_ax.set_xticks(range(1, n + 1))
        place_ax.set_xlabel("Place (1 is first)")
        agree = ("every method agrees on the top three" if results.agree_top3
                 else "the methods differ in the top three")
        place_ax.set_title(f"Place and its 95% interval\n({agree})", fontsize=11, loc="left")
        # Outside the axes, below them: a legend never covers a mark.
        place_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4, fontsize=8,
                        frameon=False)

    left = [0] * n
    for (key, label, _), colour in zip(PROGRESS, STAGE_COLOURS, strict=True):
        counts = [line.progress[key] for line in lines]
        stage_ax.barh(ys, counts, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    stage_ax.set_yticks(ys, names, fontsize=9)
    stage_ax.set_xlabel("Respondents")
    stage_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    stage_ax.set_xlim(0, max(1, max(left, default=0)))
    stage_ax.set_title("How far along", fontsize=11, loc="left")
    stage_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4, fontsize=8,
                    frameon=False)
    figure.suptitle(f"{title}: {plural(results.responses, 'response')}", fontsize=12)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Image(buffer.getvalue(), alt_text(title, results), filename="poll-results.png")
