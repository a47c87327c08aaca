"""Slack ack throughput: `dtlbot serve` against a bare slack-bolt app, in the same run.

Each server runs alone in its own process pinned to one core; 50 concurrent senders (in this
process, on the other cores, next to a fake Slack Web API that answers the bot's posts) send
signed `app_mention` events, each with a new event id, and time every acknowledgement. Then
it waits until dtlbot has posted an answer to every mention, and reports how long that took.

    .venv/bin/python bench/slack.py [--seconds 5] [--senders 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import FakeSlack, sign  # noqa: E402

SECRET = "bench-signing-secret"
QUESTIONS = (
    "How often does the DTL forum meet?",
    "What are the five steps in the toolkit?",
    "What is the ARRS?",
    "Who can be a DTL?",
    "help",
)

# The ceiling: slack-bolt's AsyncApp on aiohttp that only verifies the signature and acks.
BARE_APP = textwrap.dedent("""
    import sys
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    port, secret, api = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    bolt = AsyncApp(signing_secret=secret,
                    client=AsyncWebClient(token="xoxb-bench", base_url=api))

    @bolt.event("app_mention")
    async def mentioned():
        pass

    async def events(request):
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", lambda r: web.json_response({"status": "ok"}))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(core: int):
    def pin() -> None:
        os.sched_setaffinity(0, {core})

    return pin


def start_dtlbot(port: int, api: str, workdir: Path) -> subprocess.Popen:
    config = workdir / "config.toml"
    for old in workdir.glob("bench.db*"):
        old.unlink()
    config.write_text(textwrap.dedent(f"""
        [storage]
        path = "{workdir / 'bench.db'}"
        [server]
        port = {port}
        [slack]
        api_base_url = "{api}"
    """))
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
           "DTLBOT_SECRET": "bench"}
    dtlbot = Path(sys.executable).parent / "dtlbot"
    return subprocess.Popen(
        [str(dtlbot), "serve", "--config", str(config)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=(workdir / "serve.log").open("w"),
        preexec_fn=pinned(0),
    )


def start_bare(port: int, api: str, workdir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", BARE_APP, str(port), SECRET, api], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=(workdir / "bare.log").open("w"),
        preexec_fn=pinned(0),
    )


async def wait_healthy(session: aiohttp.ClientSession, url: str, proc: subprocess.Popen) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise SystemExit(f"server exited; see its log: {proc.args}")
        try:
            async with session.get(url + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise SystemExit("server did not start")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mention(n: int) -> bytes:
    ts = f"{1700000000 + n}.000100"
    return json.dumps({
        "token": "unused", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": f"EvBench{n:08d}", "event_time": int(time.time()),
        "event": {"type": "app_mention", "user": f"U{n % 300:05d}", "channel": "C0FORUM",
                  "text": f"<@UBOT> {QUESTIONS[n % len(QUESTIONS)]}", "ts": ts, "event_ts": ts},
    }).encode()


async def load(url: str, seconds: float, senders: int, start: int) -> dict[str, float]:
    """Send signed mentions from `senders` concurrent senders for `seconds`; time every ack."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(start, start + 10_000_000))
    connector = aiohttp.TCPConnector(limit=senders)
    async with aiohttp.ClientSession(connector=connector) as session:
        # Warm-up (connections, slack-bolt's first auth.test), not timed.
        await asyncio.gather(*(send_one(session, url, mention(start - i - 1))
                               for i in range(senders)))
        deadline = time.perf_counter() + seconds

        async def sender() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                body = mention(next(counter))
                started = time.perf_counter()
                status = await send_one(session, url, body)
                latencies.append(time.perf_counter() - started)
                failures += status != 200

        began = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "acks": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
        "failures": failures,
        "elapsed": elapsed,
    }


async def send_one(session: aiohttp.ClientSession, url: str, body: bytes) -> int:
    headers = {**sign(SECRET, body), "Content-Type": "application/json"}
    async with session.post(url + "/slack/events", data=body, headers=headers) as response:
        await response.read()
        return response.status


async def run(seconds: float, senders: int, rounds: int) -> None:
    os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)) or {0})
    fake = FakeSlack()
    runner = web.AppRunner(fake.make_app(), access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    fake.base_url = f"http://127.0.0.1:{api_port}/"
    servers = (
        ("bare slack-bolt AsyncApp (verify + ack)", start_bare),
        ("dtlbot serve", start_dtlbot),
    )
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in servers}
    offset = 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            # Alternate, so that a noisy neighbour on the machine hurts both alike.
            for name, starter in servers:
                offset += 10_000_000
                runs[name].append(await measure(fake, starter, Path(tmp), seconds, senders,
                                                offset, answers=starter is start_dtlbot))
    await runner.cleanup()
    print(f"{senders} concurrent senders, {seconds:.0f} s per run, median of {rounds} runs, "
          f"each server alone on one core\n")
    print(f"{'server':42} {'acks/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'non-200':>8} {'core busy':>9}")
    results = {}
    for name, measured in runs.items():
        r = {key: statistics.median(m[key] for m in measured) for key in measured[0]}
        r["max_ms"] = max(m["max_ms"] for m in measured)
        results[name] = r
        print(f"{name:42} {r['per_second']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
              f"{r['max_ms']:8.1f} {r['failures']:8.0f} {r['busy']:9.0%}")
    bare, ours = results.values()
    ratio = ours["per_second"] / bare["per_second"]
    print(f"(dtlbot answered {ours['answered_during']:.0f} mentions while the senders ran)")
    print(f"\ndtlbot serve acknowledges {ratio:.0%} of the bare app's throughput (target: 70%);"
          f" slowest ack of all runs {ours['max_ms'] / 1000:.2f} s (target: under 3 s).")
    print(f"Answers: every acknowledged mention was answered (chat.postMessage) "
          f"{ours['drain_s']:.1f} s after the senders stopped (median); sustained "
          f"{ours['answers_per_s']:.0f} answers/s.")


async def measure(fake: FakeSlack, starter, workdir: Path, seconds: float, senders: int,
                  offset: int, answers: bool) -> dict[str, float]:
    port = free_port()
    proc = starter(port, fake.api_url, workdir)
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, url, proc)
        posts_before = len(fake.called("chat.postMessage"))
        cpu_before = cpu_seconds(proc.pid)
        result = await load(url, seconds, senders, start=offset)
        stopped = time.perf_counter()
        # How busy the server's core was: near 100% means the server, not the senders, limits.
        result["busy"] = (cpu_seconds(proc.pid) - cpu_before) / result["elapsed"]
        result["answered_during"] = len(fake.called("chat.postMessage")) - posts_before
        if answers:
            # The warm-up mentions are answered too.
            expected = posts_before + result["acks"] + senders
            while len(fake.called("chat.postMessage")) < expected:
                if time.perf_counter() - stopped > 300:
                    raise SystemExit("answers did not all arrive within 5 minutes")
                await asyncio.sleep(0.05)
            result["drain_s"] = time.perf_counter() - stopped
            result["answers_per_s"] = result["acks"] / (seconds + result["drain_s"])
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.senders, args.rounds))


if __name__ == "__main__":
    main()
