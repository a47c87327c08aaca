"""Benchmark: poll results (tally, trend) and the chart for 10,000 ballots.

Target: results in under 200 ms excluding the chart. The baseline, measured in the same run,
is the cost of only reading the ballot items out of SQLite, which any tally has to pay.
Run with `make bench` or `.venv/bin/python bench/polls.py [--ballots N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import polls  # noqa: E402
from bot.app import create_bot, load_config  # noqa: E402
from bot.features.polls.ballots import LEADS, PROGRESS  # noqa: E402
from bot.kernel.context import Bot  # noqa: E402
from bot.kernel.model import Conversation, Incoming, User  # noqa: E402

TARGET_MS = 200.0


def timed(func, repeat: int) -> float:
    """Median wall time of `func` in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def fill(bot: Bot, poll: polls.Poll, count: int, rng: random.Random) -> None:
    """Insert `count` complete ballots directly (as the voting path stores them)."""
    ids = [p.id for p in poll.priorities]
    leads = [k for k, _, _ in LEADS] + [None]
    stages = [k for k, _, _ in PROGRESS] + [None]
    now = bot.now_iso()
    with bot.db.conn:
        bot.db.conn.executemany(
            "insert into ballots (id, poll_id, voter, submitted_at, ranked) values (?, ?, ?, ?, 1)",
            [(None, poll.id, f"p-bench-{poll.id}-{i}", now) for i in range(count)])
        ballot_ids = [r[0] for r in bot.db.execute(
            "select id from ballots where poll_id = ?", [poll.id])]
        rows = []
        for ballot_id in ballot_ids:
            order = rng.sample(ids, len(ids))
            rows += [(ballot_id, pid, place, rng.choice(leads), rng.choice(stages))
                     for place, pid in enumerate(order, start=1)]
        bot.db.conn.executemany("insert into ballot_items values (?, ?, ?, ?, ?)", rows)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(8)
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(None, env={})
        config.storage.path = str(Path(folder) / "bench.db")
        bot = create_bot(config, env={"DTLBOT_SECRET": "bench"})
        organiser = User("console", "olu", name="Olu", is_organiser=True)
        where = Conversation("console", "forum", is_direct=False)
        for title in ("Earlier poll", "Bench poll"):
            await bot.handle(Incoming(organiser, where, text=f"poll start {title}"))
            poll = polls.open_poll(bot)
            assert poll is not None
            fill(bot, poll, args.ballots, rng)
            if title == "Earlier poll":
                await bot.handle(Incoming(organiser, where, text="poll close"))
        assert polls.responses(bot, poll.id) == args.ballots

        def read_rows() -> None:
            bot.db.execute(
                "select i.priority_id, i.rank, i.lead, i.progress from ballot_items i "
                "join ballots b on b.id = i.ballot_id where b.poll_id = ? and b.ranked = 1",
                [poll.id]).fetchall()

        baseline = timed(read_rows, args.repeat)
        no_trend = timed(lambda: polls.compute(bot, poll, trend=False), args.repeat)
        results = timed(lambda: polls.compute(bot, poll), args.repeat)
        computed = polls.compute(bot, poll)
        started = time.perf_counter()
        from bot.features.polls.chart import draw  # the first chart pays matplotlib's import

        draw(poll.title, computed)
        first_chart = (time.perf_counter() - started) * 1000
        chart = timed(lambda: draw(poll.title, computed), 5)
        bot.close()
    items = args.ballots * len(poll.priorities)
    print(f"ballots: {args.ballots:,} ({items:,} ballot items), median of {args.repeat} runs")
    print(f"baseline: read the items from SQLite      {baseline:7.1f} ms")
    print(f"results: tally only                      {no_trend:7.1f} ms")
    print(f"results: tally + trend vs earlier poll   {results:7.1f} ms"
          f"   (target < {TARGET_MS:.0f})")
    print(f"chart: first (imports matplotlib)        {first_chart:7.1f} ms")
    print(f"chart: each after that                   {chart:7.1f} ms")
    if results >= TARGET_MS:
        print("results are over the target", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
