"""What a new user trips over on the command line: each case gets a clear, complete answer."""

import json
import socket
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import DTLBOT, run


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\n')
    return path


def test_ask_json_prints_one_object_for_every_input_line_even_an_empty_one():
    questions = "how often does the forum meet\n\n   \nhow do I join the forum\n"
    lines = run(["ask", "--json", "-"], input=questions).stdout.splitlines()
    assert len(lines) == 4
    answers = [json.loads(line) for line in lines]
    assert [a["topic"] for a in answers] == ["forum-meetings", None, None, "forum-join"]
    for empty in answers[1:3]:
        assert empty["answered"] is False and empty["reason"] == "empty"
        assert set(empty) == set(answers[0])


def test_slack_manifest_without_a_url_says_how_to_give_one(config_file):
    result = run(["slack", "manifest", "--config", str(config_file)], check=False)
    assert result.returncode == 1
    assert "--url" in result.stderr and "[server] public_url" in result.stderr
    assert "--socket-mode" in result.stderr
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr


def test_slack_manifest_is_for_socket_mode_when_an_app_token_is_set_and_no_url(config_file):
    result = run(["slack", "manifest", "--config", str(config_file)],
                 env={"SLACK_APP_TOKEN": "xapp-1-test"})
    assert "socket_mode_enabled: true" in result.stdout
    assert "request_url" not in result.stdout
    explicit = run(["slack", "manifest", "--config", str(config_file), "--socket-mode"])
    assert explicit.stdout == result.stdout


def test_files_written_with_o_are_named_with_what_they_hold(tmp_path, config_file):
    ics = tmp_path / "forum.ics"
    result = run(["meetings", "ics", "--config", str(config_file), "-o", str(ics)])
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert result.stdout == ""
    assert result.stderr.startswith("Wrote the forum calendar: ")
    assert f"bytes) to {ics}." in result.stderr
    run(["chat", "--config", str(config_file), "--organiser"],
        input="poll start Spring\nrank 1 2 3 4 5 6 7 8\n")
    csv = tmp_path / "ballots.csv"
    result = run(["poll", "export", "--config", str(config_file), "1", "-o", str(csv)])
    rows = len(csv.read_text(encoding="utf-8").splitlines()) - 1
    assert rows == 8
    assert result.stderr.startswith(f"Wrote the ballots of poll 1: {rows} rows (")
    assert str(csv) in result.stderr


def test_serve_on_a_port_in_use_reports_only_the_error(tmp_path):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "x.db"}"\n[server]\nport = {port}\n')
    try:
        result = subprocess.run(DTLBOT + ["serve", "--config", str(config)],
                                capture_output=True, text=True, timeout=30)
    finally:
        holder.close()
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: the address is already in use "
        "(change [server] host or port)"
    ]
