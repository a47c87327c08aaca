"""Web chat under a burst: 500 questions from 50 concurrent clients against a real `dtlbot serve`.

Baseline in the same run: the same burst against /healthz, the server's floor (HTTP, routing,
logging, one SQLite check) without answering. Prints one JSON object with p50/p99 latency,
throughput and errors for both, and exits non-zero if any question failed.

    .venv/bin/python bench/webchat.py [--clients 50] [--questions 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fakes.served import dtlbot_serve  # noqa: E402


def load_questions() -> list[str]:
    data = tomllib.loads((REPO / "tests/eval/questions.toml").read_text(encoding="utf-8"))
    return [q["text"] for q in data["question"]]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def burst(
    url: str, clients: int, total: int, questions: list[str] | None, who: str = "bench client"
) -> dict:
    """`clients` concurrent clients share `total` requests; every request is timed."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(n)

    async def client(number: int, session: aiohttp.ClientSession) -> None:
        user = {"id": f"{who} {number}", "name": f"{who} {number}"}
        while not queue.empty():
            n = queue.get_nowait()
            started = time.perf_counter()
            try:
                if questions is None:
                    async with session.get(url + "healthz") as response:
                        await response.read()
                        ok = response.status == 200
                        status = response.status
                else:
                    body = {"user": user, "text": questions[n % len(questions)]}
                    async with session.post(url + "chat/api/messages", json=body) as response:
                        data = await response.json()
                        status = response.status
                        ok = status == 200 and bool(data["replies"][0]["text"])
                        # The name's first answer carries its token; later messages send it.
                        user["token"] = data.get("token", user.get("token", ""))
            except (TimeoutError, aiohttp.ClientError, KeyError, ValueError) as exc:
                ok, status = False, type(exc).__name__
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors[str(status)] = errors.get(str(status), 0) + 1

    started = time.perf_counter()
    # One connection per client, as 50 separate browsers would have.
    sessions = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))
                for _ in range(clients)]
    try:
        await asyncio.gather(*(client(i, s) for i, s in enumerate(sessions)))
    finally:
        for session in sessions:
            await session.close()
    elapsed = time.perf_counter() - started
    return {
        "requests": total,
        "clients": clients,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "per_second": round(total / elapsed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=500)
    args = parser.parse_args()
    questions = load_questions()
    with tempfile.TemporaryDirectory() as tmp, dtlbot_serve(Path(tmp)) as served:
        # Warm up (first connections, first answers) before measuring.
        asyncio.run(burst(served.url, 5, 50, questions, who="warm-up"))
        baseline = asyncio.run(burst(served.url, args.clients, args.questions, None))
        chat = asyncio.run(burst(served.url, args.clients, args.questions, questions))
    print(json.dumps({"baseline_healthz": baseline, "webchat_questions": chat}, indent=2))
    if chat["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
