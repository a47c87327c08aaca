"""Memory, CPU and start-up time of `dtlbot serve`, against a bare aiohttp server as baseline.

    .venv/bin/python bench/footprint.py [--questions 10000] [--json]

Measures, for a bare aiohttp app serving /healthz (the baseline) and for the bot with Slack,
Teams and the web chat configured (fake credentials, no network):
- start-up: from process start to the first 200 from /healthz (best of --runs);
- resident memory (VmRSS) idle, and after --questions questions over HTTP;
- CPU time per question, and while idle.

Questions go to the web chat's JSON API (POST /chat/api/messages) of the real `dtlbot serve`,
with its rate limits raised for the run; the baseline answers the same path with a fixed reply.
The bot's own modules are compiled to bytecode first, as installing a package does.
Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TICKS = os.sysconf("SC_CLK_TCK")

BASELINE = """
import sys
from aiohttp import web
async def healthz(request):
    return web.json_response({"status": "ok"})
async def ask(request):
    await request.json()
    return web.json_response({"replies": [{"text": "ok"}]})
app = web.Application()
app.router.add_get("/healthz", healthz)
app.router.add_post("/chat/api/messages", ask)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""

# Fake credentials so every adapter is set up; API calls would go to a closed local port.
FAKE_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-bench-not-a-token",
    "SLACK_SIGNING_SECRET": "bench-signing-secret",
    "MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000000",
    "MICROSOFT_APP_PASSWORD": "bench-not-a-password",
    "DTLBOT_SECRET": "bench-secret",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start(argv: list[str], port: int, env: dict[str, str]) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=REPO, env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not healthy(port):
        if process.poll() is not None:
            raise RuntimeError(f"{argv} exited with {process.returncode}")
        if time.perf_counter() - started > 30:
            process.kill()
            raise RuntimeError(f"{argv} did not become healthy")
        time.sleep(0.005)
    return process, time.perf_counter() - started


def questions() -> list[str]:
    data = tomllib.loads((REPO / "tests/eval/questions.toml").read_text(encoding="utf-8"))
    return [q["text"] for q in data["question"]]


async def load(port: int, count: int, concurrency: int = 20) -> float:
    texts = questions()
    url = f"http://127.0.0.1:{port}/chat/api/messages"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)
    failures = 0
    # Each name's token, from the answer to its first message (the web chat's identity
    # contract: later messages under that name must carry it).
    tokens: dict[str, str] = {}

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            number = queue.get_nowait()
            name = f"dtl {number % 500}"
            user = {"id": name, **({"token": tokens[name]} if name in tokens else {})}
            body = {"user": user, "text": texts[number % len(texts)]}
            async with session.post(url, json=body) as response:
                raw = await response.read()
                failures += response.status != 200
                if response.status == 200 and name not in tokens:
                    token = json.loads(raw).get("token")
                    if token:
                        tokens[name] = token

    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    if failures:
        raise RuntimeError(f"{failures} questions failed")
    return time.perf_counter() - started


def measure(name: str, argv: list[str], port: int, env: dict[str, str], count: int,
            runs: int) -> dict[str, float | str]:
    startups = []
    for _ in range(runs - 1):
        process, seconds = start(argv, port, env)
        startups.append(seconds)
        process.terminate()
        process.wait()
    process, seconds = start(argv, port, env)
    startups.append(seconds)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
            adapters = json.loads(response.read()).get("adapters", [])
        time.sleep(2)  # let start-up work settle
        idle_rss = rss_mb(process.pid)
        cpu_before = cpu_seconds(process.pid)
        time.sleep(5)
        idle_cpu = (cpu_seconds(process.pid) - cpu_before) / 5
        cpu_before = cpu_seconds(process.pid)
        elapsed = asyncio.run(load(port, count))
        cpu_load = cpu_seconds(process.pid) - cpu_before
        loaded_rss = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait()
    return {
        "name": name,
        "adapters": ",".join(adapters) or "-",
        "startup_s": min(startups),
        "idle_rss_mb": idle_rss,
        "loaded_rss_mb": loaded_rss,
        "idle_cpu_percent": idle_cpu * 100,
        "cpu_ms_per_question": cpu_load / count * 1000,
        "questions_per_s": count / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="start-ups to take the best of")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--semantic", action="store_true",
                        help="with [answers] semantic = true (needs the wordllama package)")
    args = parser.parse_args()
    # As installed: pip writes bytecode when it installs a package, but an editable install
    # under PYTHONDONTWRITEBYTECODE (as on some machines) would compile the bot at each start.
    compileall.compile_dir(REPO / "bot", quiet=1)
    compileall.compile_dir(REPO / "adapters", quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        config = Path(folder) / "bench.toml"
        config.write_text(
            f'[storage]\npath = "{Path(folder) / "bench.db"}"\n'
            f'[server]\nhost = "127.0.0.1"\nport = {port}\nmetrics = true\n'
            f'[webchat]\nenabled = true\nrate_per_minute = 1000000\nburst = 1000\n'
            f'address_rate_per_minute = 1000000\n'
            f'[slack]\napi_base_url = "http://127.0.0.1:9/api/"\n'
            f'[teams]\nenabled = true\n'
            + ('[answers]\nsemantic = true\n' if args.semantic else ""),
            encoding="utf-8",
        )
        results = [
            measure("baseline: bare aiohttp", [PYTHON, "-c", BASELINE, str(port)], port, {},
                    args.questions, args.runs),
            measure("dtlbot serve", [str(Path(PYTHON).with_name("dtlbot")), "serve", "--config",
                                     str(config)], port, FAKE_ENV, args.questions, args.runs),
        ]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.questions} questions, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    header = ("", "adapters", "start-up s", "idle RSS MB", "RSS after MB", "idle CPU %",
              "CPU ms/question", "questions/s")
    print(" | ".join(header))
    for r in results:
        print(" | ".join([
            str(r["name"]), str(r["adapters"]), f"{r['startup_s']:.2f}", f"{r['idle_rss_mb']:.1f}",
            f"{r['loaded_rss_mb']:.1f}", f"{r['idle_cpu_percent']:.2f}",
            f"{r['cpu_ms_per_question']:.2f}", f"{r['questions_per_s']:.0f}",
        ]))


if __name__ == "__main__":
    main()
