"""Run `dtlbot serve` as a real child process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DTLBOT = Path(sys.executable).with_name("dtlbot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(folder: Path, port: int, db: Path, extra: str = "") -> Path:
    path = folder / "serve.toml"
    path.write_text(
        f'[storage]\npath = "{db}"\n[server]\nhost = "127.0.0.1"\nport = {port}\n{extra}',
        encoding="utf-8",
    )
    return path


@dataclass
class ServerProcess:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self, sig: int = signal.SIGTERM) -> str:
        """Stop the server and return everything it logged."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log.read_text(encoding="utf-8", errors="replace")


def start(config: Path, port: int, log: Path, env: dict[str, str] | None = None,
          timeout: float = 20.0) -> ServerProcess:
    """Start `dtlbot serve` and wait until /healthz answers 200."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DTLBOT_CONFIG", None)
    handle = log.open("ab")
    process = subprocess.Popen(
        [str(DTLBOT), "serve", "--config", str(config)],
        stdout=handle, stderr=subprocess.STDOUT, env=full_env,
    )
    handle.close()
    server = ServerProcess(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dtlbot serve exited:\n{server.stop()}")
        try:
            if server.get("/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.05)
    server.stop(signal.SIGKILL)
    raise RuntimeError("dtlbot serve did not become healthy")
