"""Questions people asked, kept in content/asked.toml under the entry that answers them."""

from __future__ import annotations

import dataclasses
import re
import sys
import tomllib

from bot.kernel.answers import AnswerIndex
from bot.kernel.content import check_content, load_content
from tests.conftest import REPO, copy_content

sys.path.insert(0, str(REPO / "bench"))
import qa as bench  # noqa: E402


def test_a_question_asked_before_in_its_own_words_is_answered_with_its_entry(tmp_path):
    folder = copy_content(tmp_path)
    question = "can I grab the lot in one go"
    before = AnswerIndex(dataclasses.replace(load_content(folder), asked={})).ask(question)
    assert before.topic != "toolkit-download"
    (folder / "asked.toml").write_text(f'toolkit-download = ["{question}"]\n')
    after = AnswerIndex(load_content(folder)).ask(question)
    assert after.answered and after.topic == "toolkit-download"


def test_asked_questions_are_kept_apart_from_the_phrasings_organisers_edit(tmp_path):
    folder = copy_content(tmp_path)
    (folder / "asked.toml").write_text('toolkit-download = ["can I grab the lot in one go"]\n')
    content = load_content(folder)
    assert content.asked == {"toolkit-download": ("can I grab the lot in one go",)}
    assert "can I grab the lot in one go" not in content.entries["toolkit-download"].phrasings


def test_content_without_asked_questions_loads(tmp_path):
    folder = copy_content(tmp_path)
    (folder / "asked.toml").unlink()
    content, problems = check_content(folder)
    assert problems == [] and content.asked == {}


def test_asked_questions_under_an_entry_that_does_not_exist_are_a_content_problem(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "asked.toml"
    path.write_text('# asked\n\ntoolkit-download = ["one"]\nno-such-entry = ["two"]\n'
                    'forum = "not a list"\n')
    _, problems = check_content(folder)
    found = {(p.path, p.line, p.message) for p in problems}
    assert found == {
        (str(path), 4, "no entry 'no-such-entry' to answer these"),
        (str(path), 5, "'forum' must be a list of questions (strings)"),
    }


def test_a_broken_asked_file_is_a_content_problem_with_its_line(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "asked.toml"
    path.write_text('forum = ["unclosed\n')
    _, problems = check_content(folder)
    assert [(p.path, p.line) for p in problems] == [(str(path), 1)]


def test_the_shipped_asked_questions_come_from_dev_data_only():
    """Never a held-out question (the even half, sets E, K, AO and AP), never an out-of-scope
    one."""
    text = (REPO / "content" / "asked.toml").read_text()
    shipped = {q for questions in tomllib.loads(text).values() for q in questions}
    held_out = {q["text"].strip().lower() for q in bench.independent()
                if bench.half(q) == "held-out"}
    held_out |= {q["text"].strip().lower() for part in bench.fresh_sets().values() for q in part}
    everything = [*bench.independent(), *(q for s in bench.later_sets().values() for q in s)]
    out_of_scope = {q["text"].strip() for q in everything if q["scope"] == "out"}
    assert len(shipped) > 400
    assert {q.lower() for q in shipped}.isdisjoint(held_out)
    assert shipped.isdisjoint(out_of_scope)
    # Each names where it came from, and that is a dev set.
    sources = re.findall(r"# (independent\w*) (\w+)$", text, re.M)
    assert len(sources) == len(re.findall(r'^\s+".*",', text, re.M))
    assert all(name not in ("independent_e", "independent_k", "independent_ao", "independent_ap",
                            "independent_bg", "independent_bh", "independent_bl",
                            "independent_bs")
               for name, _ in sources)
    assert all(int(qid[1:]) % 2 for name, qid in sources if name == "independent")


def test_an_export_keeps_the_asked_questions_of_live_entries_only(tmp_path):
    from bot.features.teach.export import write_content

    source = copy_content(tmp_path)
    (source / "asked.toml").write_text('forum-join = ["how do I get in"]\n'
                                       'toolkit-download = ["can I grab the lot in one go"]\n')
    content = load_content(source)
    retired = dataclasses.replace(content, entries={
        k: e for k, e in content.entries.items() if k != "toolkit-download"})
    out = tmp_path / "exported"
    write_content(load_content(source), source, out)
    assert (out / "asked.toml").read_text() == (source / "asked.toml").read_text()
    write_content(retired, source, out)
    exported, problems = check_content(out)
    assert [p.message for p in problems if p.path.endswith("asked.toml")] == []
    assert exported.asked == {"forum-join": ("how do I get in",)}
