"""The results chart: priorities by Borda score beside their progress stages, as a PNG."""

from __future__ import annotations

import io

from bot.features.polls.ballots import PROGRESS
from bot.features.polls.results import Results
from bot.kernel.model import Image
from bot.kernel.text import plural

# Colour-blind-safe (Okabe-Ito) colours for the progress stages, in stage order.
STAGE_COLOURS = ("#D55E00", "#E69F00", "#56B4E9", "#009E73")


def alt_text(title: str, results: Results) -> str:
    """What the chart shows, in words, for screen readers."""
    order = "; ".join(
        f"{place}. {line.priority.title}, {line.score} points"
        for place, line in enumerate(results.lines, start=1)
    )
    return (
        f"Bar chart of the results of the poll {title} ({plural(results.responses, 'response')}): "
        f"the priorities by Borda score, highest first: {order}. A second panel shows, for "
        "each priority, how many respondents said it was not started, planning, in progress "
        "or embedded."
    )


def draw(title: str, results: Results) -> Image:
    """The chart as a PNG image with alt text (matplotlib is imported only here)."""
    # Imported here, not at module level: matplotlib takes a noticeable time to import,
    # and only results with a chart need it. Figure + the Agg canvas keep no global state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lines = list(reversed(results.lines))  # barh draws bottom-up; the winner goes on top
    names = [line.priority.title for line in lines]
    positions = range(len(lines))
    figure = Figure(figsize=(10, 0.55 * len(lines) + 1.8), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    score_ax, stage_ax = figure.subplots(1, 2, sharey=True, width_ratios=(3, 2))
    score_ax.barh(positions, [line.score for line in lines], color="#0072B2")
    score_ax.set_yticks(list(positions), names)
    score_ax.set_xlabel("Borda score")
    score_ax.set_title("Priorities by score")
    for y, line in zip(positions, lines, strict=True):
        score_ax.text(line.score, y, f" {line.score}", va="center", fontsize=8)
    left = [0] * len(lines)
    for (key, label, _), colour in zip(PROGRESS, STAGE_COLOURS, strict=True):
        counts = [line.progress[key] for line in lines]
        stage_ax.barh(positions, counts, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    stage_ax.set_xlabel("Respondents")
    stage_ax.set_title("How far along")
    stage_ax.legend(loc="lower right", fontsize=8)
    figure.suptitle(f"{title}: {plural(results.responses, 'response')}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Image(buffer.getvalue(), alt_text(title, results), filename="poll-results.png")
