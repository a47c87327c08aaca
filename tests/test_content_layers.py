"""The kernel's content layers and the entry checks that teaching relies on."""

from __future__ import annotations

import subprocess
import sys

from bot.kernel.content import Entry, Overlay, Priority, apply_overlays, check_content
from bot.kernel.registry import Registry
from tests.conftest import REPO, copy_content


def test_content_check_refuses_links_that_are_not_web_or_email(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "entries" / "forum-join.md"
    text = path.read_text()
    path.write_text(text + "\nSee [here](javascript:alert(1)) or [mail](mailto:a@b.org).\n")
    _, problems = check_content(folder)
    problem = problems[0]
    assert problem.path == str(path) and "link to 'javascript:alert(1'" in problem.message


def test_review_dates_are_read_and_checked(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "entries" / "forum-join.md"
    path.write_text(path.read_text().replace(
        "---\n", "---\nreviewed: 2026-11-24\nreview_by: 2027-11-24\n", 1))
    content, problems = check_content(folder)
    assert problems == []
    entry = content.entries["forum-join"]
    assert (entry.reviewed, entry.review_by) == ("2026-11-24", "2027-11-24")
    path.write_text(path.read_text().replace("review_by: 2027-11-24", "review_by: next year"))
    _, problems = check_content(folder)
    assert problems[0].message == "'review_by' must be a date, YYYY-MM-DD"
    assert problems[0].path == str(path)


def test_overlays_add_replace_retire_and_replace_priorities():
    base = Entry("a", "A", "body a", "src", related=("b",))
    other = Entry("b", "B", "body b", "src", related=("a",))
    from bot.kernel.content import Content

    content = Content(entries={"a": base, "b": other},
                      priorities=[Priority("p", "P", "d")])
    content.files = dict(content.entries)
    content.file_priorities = list(content.priorities)
    taught = Entry("c", "C", "body c", "chat", origin="chat")
    edited = Entry("a", "A2", "body a2", "src", related=("b",), origin="file, edited in chat")
    layered = apply_overlays(content, [Overlay(
        entries={"c": taught, "a": edited}, retired={"b"},
        priorities=[Priority("q", "Q", "e")], revision="7", notes=["n"])])
    assert set(layered.entries) == {"a", "c"}
    assert layered.entries["a"].title == "A2"
    assert layered.entries["a"].related == ()  # the retired entry is no longer linked
    assert [p.id for p in layered.priorities] == ["q"]
    assert layered.revision == "7" and layered.notes == ["n"]
    # Applying again starts from the files, not from the layered content.
    again = apply_overlays(layered, [])
    assert set(again.entries) == {"a", "b"} and again.entries["a"].title == "A"


def test_a_registry_with_no_database_applies_no_layer():
    registry = Registry()
    calls = []
    registry.content_layer(lambda db, content: calls.append(db) or Overlay())
    from bot.kernel.content import Content

    assert registry.layered(Content(), None).entries == {}
    assert calls == []


def test_dtlbot_ask_with_no_database_answers_from_files_and_creates_none(tmp_path):
    config = tmp_path / "bot.toml"
    db_path = tmp_path / "missing" / "bot.db"
    config.write_text(f'[storage]\npath = "{db_path}"\n')
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--config", str(config),
                             "how often does the forum meet"], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "every two months" in result.stdout
    assert not db_path.exists() and not db_path.parent.exists()
