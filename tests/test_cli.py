"""The `dtlbot` command line: ask, chat, content check, --config."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DTLBOT = [sys.executable, "-m", "bot"]


def run(args, *, input=None, cwd=None, env=None, check=True):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DTLBOT_CONFIG", None)
    full_env.update(env or {})
    result = subprocess.run(DTLBOT + args, input=input, capture_output=True, text=True,
                            cwd=cwd, env=full_env, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\n')
    return path


def test_help_lists_every_command_with_a_description():
    out = run(["--help"]).stdout
    for command in ("ask", "chat", "content", "serve"):
        assert command in out


def test_ask_prints_the_answer():
    out = run(["ask", "how often does the forum meet"]).stdout
    assert "every two months" in out
    assert "**" not in out  # plain text in a terminal


def test_ask_json_has_the_documented_fields():
    answer = json.loads(run(["ask", "--json", "what is ARRS"]).stdout)
    assert answer["answered"] is True
    assert {"answered", "text", "title", "topic", "score", "source"} <= set(answer)
    refused = json.loads(run(["ask", "--json", "who won the rugby"]).stdout)
    assert refused["answered"] is False
    assert refused["topic"] is None and refused["title"] is None


def test_ask_json_reads_one_question_a_line_and_answers_in_order():
    questions = "how often does the forum meet\nwhat's the weather\nhow do I join the forum\n"
    lines = run(["ask", "--json", "-"], input=questions).stdout.splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["topic"] for a in answers] == ["forum-meetings", None, "forum-join"]


def test_config_option_and_environment_variable_are_read(tmp_path, config_file):
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nport = 99999\n")
    result = run(["ask", "--config", str(bad), "hello"], check=False)
    assert result.returncode != 0
    assert "server.port" in result.stderr and "Traceback" not in result.stderr
    result = run(["ask", "hello"], env={"DTLBOT_CONFIG": str(bad)}, check=False)
    assert "server.port" in result.stderr


def test_content_check_passes_on_the_shipped_content():
    assert "content ok" in run(["content", "check"]).stdout


def test_content_check_reports_every_problem_with_file_and_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    entries = content / "entries"
    (entries / "broken.md").write_text("---\nid: [unclosed\n---\nbody\n")
    duplicate = (entries / "forum.md").read_text()
    (entries / "forum-copy.md").write_text(duplicate)
    meetings = entries / "forum-meetings.md"
    meetings.write_text(meetings.read_text().replace("related: [", "related: [no-such-entry, "))
    glossary = content / "glossary.toml"
    glossary.write_text(glossary.read_text() + '\n[[term]]\nterm = "pcn"\nexpansion = "x"\n'
                        'definition = "x"\nsource = "x"\n')
    priorities = content / "priorities.toml"
    text = priorities.read_text()
    priorities.write_text(text[: text.rindex("[[priority]]")])
    config = tmp_path / "c.toml"
    config.write_text(f'[content]\npath = "{content}"\n')
    result = run(["content", "check", "--config", str(config)], check=False)
    assert result.returncode == 1
    err = result.stderr
    assert f"{entries / 'broken.md'}:2: bad front matter" in err
    assert "forum.md:2: duplicate id 'forum' (also in" in err and "forum-copy.md)" in err
    assert "forum-meetings.md:" in err and "'no-such-entry' does not exist" in err
    assert "glossary.toml:" in err and "glossary clash: 'pcn'" in err
    assert "exactly 8 priorities, found 7" in err


def test_chat_reads_one_message_a_line_when_piped(config_file):
    out = run(["chat", "--config", str(config_file), "--as", "dana"],
              input="help\nhow often does the forum meet\n1\n").stdout
    assert "glossary TERM" in out
    assert "every two months" in out
    assert "[1]" in out  # related topics are numbered, and "1" picked the first


def test_chat_processes_share_one_database(config_file):
    run(["chat", "--config", str(config_file), "--as", "dana"],
        input="is there parking at the venue\n")
    out = run(["chat", "--config", str(config_file), "--as", "olu", "--organiser"],
              input="unanswered\n").stdout
    assert '1. "is there parking at the venue" (asked once)' in out
    out = run(["chat", "--config", str(config_file), "--as", "sam"], input="unanswered\n").stdout
    assert "Only forum organisers" in out
