"""`dtlbot serve` stops cleanly on SIGTERM: in-flight requests finish, the database closes."""

import json
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request

from tests.fakes.served import DTLBOT, dtlbot_serve


def post_question(url: str, results: list) -> None:
    body = json.dumps({"user": {"id": "dana"}, "text": "how often does the forum meet"})
    request = urllib.request.Request(
        url + "chat/api/messages", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        results.append((response.status, json.loads(response.read())))


def test_sigterm_lets_the_request_in_flight_finish_then_exits_0(tmp_path):
    with dtlbot_serve(tmp_path) as served:
        # Another writer holds the database, so the answer (which logs the question) is slow.
        other = sqlite3.connect(served.db)
        other.execute("BEGIN EXCLUSIVE")
        results: list = []
        asker = threading.Thread(target=post_question, args=(served.url, results))
        asker.start()
        time.sleep(0.5)
        served.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert served.process.poll() is None, "exited with a request still in flight"
        other.execute("ROLLBACK")
        other.close()
        asker.join(20)
        assert served.process.wait(15) == 0
        logs = served.logs()
    [(status, body)] = results
    assert status == 200
    assert "online every two months" in body["replies"][0]["text"]
    assert "stopping: no new connections" in logs
    assert "stopped database=closed" in logs
    assert "Traceback" not in logs
    # A cleanly closed SQLite database in WAL mode leaves no write-ahead log behind.
    assert not served.db.with_name(served.db.name + "-wal").exists()


def test_sigterm_ends_open_event_streams_cleanly_and_promptly(tmp_path):
    with dtlbot_serve(tmp_path) as served:
        results: list = []
        post_question(served.url, results)
        token = results[0][1]["token"].encode()
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
        sock.sendall(b"GET /chat/api/events?user=dana&token=" + token
                     + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = sock.recv(65536)
        assert b"200 OK" in received
        started = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        while chunk := sock.recv(65536):
            received += chunk
        sock.close()
        assert served.process.wait(15) == 0
        assert time.monotonic() - started < 5
    # The stream ended with the final empty chunk: finished, not cut off.
    assert received.endswith(b"0\r\n\r\n")
    # And nothing can connect any more.
    try:
        socket.create_connection(("127.0.0.1", served.port), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    assert refused


def test_a_busy_port_stops_the_start_with_a_one_line_message(tmp_path):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "x.db"}"\n[server]\nport = {port}\n', encoding="utf-8"
    )
    try:
        result = subprocess.run(
            [str(DTLBOT), "serve", "--config", str(config)],
            capture_output=True, text=True, timeout=30,
        )
    finally:
        holder.close()
    assert result.returncode == 1
    assert f"Error: cannot listen on 127.0.0.1:{port}: the address is already in use" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert "serving on" not in result.stdout
