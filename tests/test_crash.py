"""A crash (SIGKILL of `dtlbot serve`) loses nothing that was acknowledged, and leaves the
database clean."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
import subprocess

import aiohttp

from bot.kernel.identity import pseudonym
from bot.kernel.model import User
from tests.fakes import server_process

BALLOTS = 200
QUESTIONS = 200
KILL_AFTER = 60
SECRET = "crash-test-secret"


# Each name's web chat token (the first answer carries it; later messages send it back).
TOKENS: dict[str, str] = {}


async def post(session: aiohttp.ClientSession, url: str, name: str, text: str) -> str | None:
    """The first reply's text if the server answered 200, None if the request was cut off."""
    user = {"id": name, "token": TOKENS.get(name, "")}
    try:
        async with session.post(f"{url}/chat/api/messages",
                                json={"user": user, "text": text}) as response:
            if response.status != 200:
                return None
            answer = await response.json()
            if "token" in answer:
                TOKENS[name] = answer["token"]
            return answer["replies"][0]["text"]
    except (TimeoutError, aiohttp.ClientError):
        return None


async def test_sigkill_with_web_chat_ballots_and_questions_in_flight_loses_nothing_acknowledged(
    tmp_path,
):
    port = server_process.free_port()
    db = tmp_path / "crash.db"
    config = server_process.write_config(tmp_path, port, db)
    env = {"DTLBOT_SECRET": SECRET}
    server = server_process.start(config, port, tmp_path / "first.log", env=env)
    rng = random.Random(7)
    orders = {f"voter {n}": rng.sample(range(1, 9), 8) for n in range(BALLOTS)}
    saved: dict[str, list[int]] = {}
    answered: list[str] = []
    enough = asyncio.Event()

    async def ballot(session: aiohttp.ClientSession, name: str) -> None:
        order = orders[name]
        text = await post(session, server.url, name, "rank " + " ".join(map(str, order)))
        if text is not None and "your ballot" in text and "is saved" in text:
            saved[name] = order
            if len(saved) >= KILL_AFTER:
                enough.set()

    async def question(session: aiohttp.ClientSession, number: int) -> None:
        text = f"crash question {number} about the forum meetings"
        if await post(session, server.url, f"asker {number}", text) is not None:
            answered.append(text)

    connector = aiohttp.TCPConnector(limit=BALLOTS + QUESTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        opened = await post(session, server.url, "olu", "poll start Crash test poll")
        assert opened is not None and "Crash test poll" in opened
        # Interleaved, so both kinds are in flight when the server is killed.
        tasks = []
        for number, name in enumerate(orders):
            tasks.append(asyncio.create_task(ballot(session, name)))
            tasks.append(asyncio.create_task(question(session, number)))
        await asyncio.wait_for(enough.wait(), timeout=30)
        server.process.send_signal(signal.SIGKILL)
        await asyncio.gather(*tasks)
    server.process.wait()
    assert KILL_AFTER <= len(saved) < BALLOTS, "the kill should cut some ballots off"

    restarted = server_process.start(config, port, tmp_path / "second.log", env=env)
    try:
        async with aiohttp.ClientSession() as session:
            name = next(iter(saved))
            mine = await post(session, restarted.url, name, "my ballot")
            assert mine is not None and "Crash test poll" in mine
    finally:
        restarted.stop()

    check = subprocess.run(
        [str(server_process.DTLBOT), "db", "check", str(db)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "integrity: ok" in check.stdout and "pending: none" in check.stdout

    conn = sqlite3.connect(db)
    try:
        (listed,) = conn.execute("select priorities from polls").fetchone()
        priority_ids = [p["id"] for p in json.loads(listed)]
        for name, order in saved.items():
            voter = pseudonym(SECRET.encode(), User("webchat", name))
            rows = conn.execute("select id from ballots where voter = ?", [voter]).fetchall()
            assert len(rows) == 1, f"{name}: {len(rows)} ballots stored"
            ranks = dict(conn.execute(
                "select rank, priority_id from ballot_items where ballot_id = ? "
                "and rank is not null", [rows[0][0]]
            ).fetchall())
            expected = {rank: priority_ids[n - 1] for rank, n in enumerate(order, start=1)}
            assert ranks == expected, f"{name}: ballot stored differently from its reply"
        stored = dict(conn.execute(
            "select text, count(*) from questions where text like 'crash question %' "
            "group by text"
        ).fetchall())
    finally:
        conn.close()
    for text in answered:
        assert stored.get(text) == 1, f"answered question stored {stored.get(text, 0)} times"
    assert all(count == 1 for count in stored.values())
    print(f"ballots saved={len(saved)} of {BALLOTS}; questions answered={len(answered)} "
          f"stored={len(stored)} of {QUESTIONS}")
