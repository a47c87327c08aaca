"""A crash (SIGKILL) loses nothing that was acknowledged, and leaves the database clean."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys

import aiohttp

from bot import ops
from tests.fakes import server_process

IN_FLIGHT = 200
KILL_AFTER = 60


async def test_sigkill_with_200_questions_in_flight_loses_no_acknowledged_question(tmp_path):
    port = server_process.free_port()
    db = tmp_path / "crash.db"
    config = server_process.write_config(tmp_path, port, db)
    server = server_process.start(
        config, port, tmp_path / "first.log",
        command=[sys.executable, "-m", "tests.fakes.ask_server"],
        env={"DTLBOT_SECRET": "crash-test-secret"},
    )
    acknowledged: list[str] = []
    enough = asyncio.Event()

    async def ask(session: aiohttp.ClientSession, number: int) -> None:
        text = f"crash question {number} about the forum meetings"
        try:
            async with session.post(f"{server.url}/test/ask",
                                    json={"user": f"u{number % 17}", "text": text}) as response:
                if response.status == 200 and (await response.json())["replies"]:
                    acknowledged.append(text)
        except aiohttp.ClientError:
            return  # cut off by the crash: never acknowledged
        if len(acknowledged) >= KILL_AFTER:
            enough.set()

    connector = aiohttp.TCPConnector(limit=IN_FLIGHT)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(ask(session, n)) for n in range(IN_FLIGHT)]
        await asyncio.wait_for(enough.wait(), timeout=20)
        server.process.send_signal(signal.SIGKILL)
        await asyncio.gather(*tasks)
    server.process.wait()
    assert KILL_AFTER <= len(acknowledged) < IN_FLIGHT, "the kill should cut requests off"

    restarted = server_process.start(config, port, tmp_path / "second.log",
                                     env={"DTLBOT_SECRET": "crash-test-secret"})
    restarted.stop()
    report = ops.check_database(db)
    assert report.ok and not report.pending, "\n".join(report.lines())
    conn = sqlite3.connect(db)
    counts = dict(conn.execute(
        "select text, count(*) from questions where text like 'crash question %' group by text"
    ).fetchall())
    conn.close()
    for text in acknowledged:
        assert counts.get(text) == 1, f"acknowledged question stored {counts.get(text, 0)} times"
    assert all(n == 1 for n in counts.values())
    print(f"acknowledged={len(acknowledged)} stored={len(counts)} of {IN_FLIGHT}")
