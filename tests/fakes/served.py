"""A real `dtlbot serve` in a subprocess, on a free loopback port with a temporary database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DTLBOT = Path(sys.executable).with_name("dtlbot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    db: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then wait for the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dtlbot serve exited early:\n{log.read_text()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(
            url + "healthz", timeout=1
        ) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"dtlbot serve did not become healthy:\n{log.read_text()}")


@contextlib.contextmanager
def dtlbot_serve(tmp_path: Path, extra_config: str = "") -> Iterator[Served]:
    """Start `dtlbot serve` (stopped with SIGTERM at the end if still running)."""
    port = free_port()
    db = tmp_path / "served.db"
    config = tmp_path / "served.toml"
    config.write_text(
        f'[storage]\npath = "{db}"\n\n[server]\nhost = "127.0.0.1"\nport = {port}\n\n'
        + extra_config,
        encoding="utf-8",
    )
    log = tmp_path / "served.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTLBOT_")}
    env["DTLBOT_SECRET"] = "served-test-secret"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(DTLBOT), "serve", "--config", str(config)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
        )
    served = Served(process, port, db, log)
    try:
        wait_healthy(served.url, process, log)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
