"""Questions the sources do not answer, kept in content/declined.toml: asked nearly so, refused."""

from __future__ import annotations

import re
import sys
import tomllib

from bot.kernel.answers import AnswerIndex
from bot.kernel.content import check_content, load_content
from tests.conftest import REPO, copy_content

sys.path.insert(0, str(REPO / "bench"))
import qa as bench  # noqa: E402


def _index(folder, declined: str | None) -> AnswerIndex:
    path = folder / "declined.toml"
    if declined is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(declined)
    return AnswerIndex(load_content(folder))


def test_a_question_asked_nearly_as_one_the_sources_do_not_answer_is_refused(tmp_path):
    folder = copy_content(tmp_path)
    question = "How many PCNs are there in Greater Manchester?"
    assert _index(folder, None).ask(question).answered
    answer = _index(folder, 'outside = ["how many pcns in greater manchester"]\n').ask(question)
    assert not answer.answered and answer.reason == "unknown" and answer.near == ()


def test_a_question_asked_nearly_as_a_declined_clinical_one_gets_the_clinical_reply(tmp_path):
    folder = copy_content(tmp_path)
    question = "can the digital front door triage patients with covid"
    assert _index(folder, None).ask(question).answered
    declined = 'clinical = ["can the digital front door triage patients who have covid"]\n'
    answer = _index(folder, declined).ask(question)
    assert answer.reason == "clinical"


def test_a_question_asked_like_an_entry_is_answered_though_it_shares_words_with_a_declined_one(
        tmp_path):
    folder = copy_content(tmp_path)
    index = _index(folder, 'outside = ["what is the DTL forum called on LinkedIn and how many '
                   'members does it have"]\n')
    answer = index.ask("How can I join the DTL forum on LinkedIn?")
    assert answer.answered and answer.topic == "forum-join"
    assert not index.ask("what is the DTL forum on LinkedIn called, how many members?").answered


def test_a_question_the_bot_answers_in_part_still_says_what_the_sources_give(tmp_path):
    folder = copy_content(tmp_path)
    answer = _index(folder, 'outside = ["how much does it cost to join the DTL forum"]\n').ask(
        "How much does the DTL forum cost to join?")
    assert answer.reason == "partial" and answer.topic == "forum-join"


def test_content_without_declined_questions_loads(tmp_path):
    folder = copy_content(tmp_path)
    (folder / "declined.toml").unlink()
    content, problems = check_content(folder)
    assert problems == [] and content.declined == {}


def test_a_declined_group_of_unknown_kind_or_not_a_list_is_a_content_problem(tmp_path):
    folder = copy_content(tmp_path)
    path = folder / "declined.toml"
    path.write_text('# declined\n\noutside = ["one"]\nmedical = ["two"]\nclinical = "three"\n')
    content, problems = check_content(folder)
    found = {(p.path, p.line, p.message) for p in problems}
    assert found == {
        (str(path), 4, "'medical' is not one of clinical, outside"),
        (str(path), 5, "'clinical' must be a list of questions (strings)"),
    }


def test_the_shipped_declined_questions_come_from_out_of_scope_dev_data_only():
    """Never a held-out question (the even half, sets E, K, AO, AP, BG and BH) and never an in-scope
    one."""
    text = (REPO / "content" / "declined.toml").read_text()
    shipped = {q for questions in tomllib.loads(text).values() for q in questions}
    held_out = {q["text"].strip().lower() for q in bench.independent()
                if bench.half(q) == "held-out"}
    held_out |= {q["text"].strip().lower() for part in bench.fresh_sets().values() for q in part}
    everything = [*bench.independent(), *(q for s in bench.later_sets().values() for q in s)]
    in_scope = {q["text"].strip().lower() for q in everything if q["scope"] == "in"}
    assert len(shipped) > 500
    assert {q.lower() for q in shipped}.isdisjoint(held_out)
    assert {q.lower() for q in shipped}.isdisjoint(in_scope)
    sources = re.findall(r"# (independent\w*) (\w+)$", text, re.M)
    assert len(sources) == len(re.findall(r'^\s+".*",', text, re.M))
    assert all(name not in ("independent_e", "independent_k", "independent_ao", "independent_ap",
                            "independent_bg", "independent_bh", "independent_bl",
                            "independent_bs")
               for name, _ in sources)
    assert all(int(qid[1:]) % 2 for name, qid in sources if name == "independent")


def test_an_export_keeps_the_declined_questions(tmp_path):
    from bot.features.teach.export import write_content

    source = copy_content(tmp_path)
    out = tmp_path / "exported"
    write_content(load_content(source), source, out)
    assert (out / "declined.toml").read_text() == (source / "declined.toml").read_text()
