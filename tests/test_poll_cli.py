"""A whole poll round scripted through `dtlbot chat --as NAME` processes and the poll CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DTLBOT = str(Path(sys.executable).with_name("dtlbot"))


@pytest.fixture
def run(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "round.db"}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DTLBOT_SECRET"}

    def run(*args: str, stdin: str = "", check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([DTLBOT, *args, "--config", str(config)], input=stdin,
                              capture_output=True, text=True, env=env, check=check,
                              cwd=tmp_path, timeout=60)

    return run


def chat(run, name: str, *lines: str, organiser: bool = False) -> str:
    args = ["chat", "--as", name] + (["--organiser"] if organiser else [])
    return run(*args, stdin="\n".join(lines) + "\n").stdout


def test_a_poll_round_through_separate_chat_processes(run):
    out = chat(run, "olu", "poll start Spring 2027", organiser=True)
    assert "Priority poll: Spring 2027" in out and "[1] Rank your priorities" in out
    out = chat(run, "dana", "rank 1 2 3 4 5 6 7 8", "status 3 icb in-progress", "1")
    assert "is saved" in out and "== Rank your priorities ==" in out
    chat(run, "ali", "rank 3 1 2 4 5 6 7 8", "status websites dtl embedded")
    out = chat(run, "bea", "rank 3 3 1 2 4 5 6 7", "rank 3 2 1 4 5 6 8 7", "my ballot")
    assert "appears twice" in out and "Your ballot in \"Spring 2027\"" in out
    chat(run, "dana", "rank 2 1 3 4 5 6 7 8")  # changes her mind: replaces her ballot
    out = chat(run, "olu", "poll close", organiser=True)
    assert "Results: Spring 2027" in out and "3 responses" in out
    assert "[image: Chart of the results" in out
    out = chat(run, "cy", "rank 1 2 3 4 5 6 7 8")
    assert "closed on" in out

    data = json.loads(run("poll", "results", "--json").stdout)
    assert data["poll"] == {"id": 1, "title": "Spring 2027", "status": "closed"}
    assert data["responses"] == 3
    top = data["priorities"][0]
    # websites: 3rd, 1st, 1st = 6 + 8 + 8 points
    assert (top["number"], top["id"], top["score"], top["first_places"]) == (3, "websites", 22,
                                                                             2)
    assert top["mean_rank"] == 1.67 and top["top_three"] == 3
    assert top["leads"]["icb"] == 1 and top["leads"]["dtl"] == 1
    assert top["progress"] == {"not-started": 0, "planning": 0, "in-progress": 1,
                               "embedded": 1}
    assert top["change"] is None
    assert sum(p["score"] for p in data["priorities"]) == 36 * 3

    exported = run("poll", "export", "1", "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 24 and len({r["respondent"] for r in rows}) == 3
    assert all(r["respondent"].startswith("r-") and r["pcn"] == "" for r in rows)


def test_poll_cli_reports_a_missing_poll_clearly(run):
    result = run("poll", "results", "--json", check=False)
    assert result.returncode == 1 and "There are no polls yet" in result.stderr
    result = run("poll", "export", "7", "--csv", check=False)
    assert result.returncode == 1 and "can't find a poll called “7”" in result.stderr
    assert "Traceback" not in result.stderr


def test_poll_list_export_default_and_polls_named_by_a_unique_part_of_the_title(run):
    assert "No polls yet" in run("poll", "list").stdout
    chat(run, "olu", "poll start Spring 2027", "poll close", "poll start Autumn 2027",
         organiser=True)
    chat(run, "dana", "rank 1 2 3 4 5 6 7 8")
    listed = run("poll", "list").stdout.splitlines()
    assert listed[0].startswith("- #2 Autumn 2027: open; 1 response;")
    assert listed[1].startswith("- #1 Spring 2027: closed on")
    newest = run("poll", "export").stdout
    assert len(list(csv.DictReader(io.StringIO(newest)))) == 8
    data = json.loads(run("poll", "results", "spring", "--json").stdout)
    assert data["poll"]["id"] == 1 and data["participation"] == {"voted": 0, "eligible": None}
    assert json.loads(run("poll", "results", "AUTUMN", "--json").stdout)["poll"]["id"] == 2
    result = run("poll", "results", "2027", check=False)
    assert result.returncode == 1 and "more than one poll" in result.stderr
    assert "Traceback" not in result.stderr
    out = chat(run, "olu", "poll results spring", organiser=True)
    assert "Results: Spring 2027" in out
