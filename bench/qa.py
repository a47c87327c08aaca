"""Answering speed and accuracy: the bot's index against a plain rank-bm25 baseline.

Run with `make bench` or `.venv/bin/python bench/qa.py [--entries 10000]`. Not a test:
figures go in docs/answering.md. The evaluation sets:

- tests/eval/questions.toml, the old set (weights and synonyms were fitted on it: a regression
  guard, not a measure): right topic for in-scope questions, refusal for out-of-scope ones;
- tests/eval/independent_a.toml to _d.toml, four more sets written from the seeds alone (one
  writer each, none having read content/ or another set), measured once untouched, then
  tuned on like the dev half;
- tests/eval/independent_e.toml, a fifth such set written at the end of 2026-12-02 and not tuned
  on: held out, like the held-out half below;
- tests/eval/independent.toml, written from the two seeds alone, split once by id: odd ids are
  the dev half (tuned on), even ids the held-out half (never read, never tuned on). An in-scope
  answer is right when it is answered and its text holds the key words of `expect` (see
  `expect_right`); on the dev half an answer naming an entry listed for the question in
  tests/eval/independent_topics.toml is right too. Out of scope: right when not answered.

Then p50/p99 latency per question and answers per second on one core, for the shipped content
and with the content padded to N synthetic entries.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.kernel.answers import Answer, AnswerIndex, content_words  # noqa: E402
from bot.kernel.answers.semantic import load_embedder  # noqa: E402
from bot.kernel.content import Content, Entry, load_content  # noqa: E402


def evaluation() -> list[dict]:
    return tomllib.loads((ROOT / "tests/eval/questions.toml").read_text())["question"]


def independent() -> list[dict]:
    return tomllib.loads((ROOT / "tests/eval/independent.toml").read_text())["question"]


def _set(name: str) -> list[dict]:
    return tomllib.loads((ROOT / f"tests/eval/independent_{name.lower()}.toml")
                         .read_text())["question"]


def later_sets() -> dict[str, list[dict]]:
    """Sets A-D, F-J, L-N, O, P-Z, AA-AN, AQ-AZ, BA-BF, BI-BK, BM-BR, BT-BZ and CA-CE
    (tests/eval/independent_a.toml ...): written from the seeds alone, measured once untouched
    (docs/answering.md), then tuned on, their in-scope questions taught (content/asked.toml)
    and their out-of-scope ones declined (content/declined.toml): dev data, like the dev
    half."""
    return {name: _set(name)
            for name in (*"ABCDFGHJLMNOPQRSTUVWXYZ",
                         *(f"A{letter}" for letter in "ABCDEFGHIJKLMNQRSTUVWXYZ"),
                         *(f"B{letter}" for letter in "ABCDEFIJKMNOPQRTUVWXYZ"),
                         *(f"C{letter}" for letter in "ABCDE"))}


def fresh_sets() -> dict[str, list[dict]]:
    """Sets E, K, AO, AP, BG, BH, BL and BS (tests/eval/independent_e.toml, _k, ... _bs):
    written from the seeds alone, measured untouched, and never tuned on nor taught: held out,
    like the held-out half. (AO and AP were written at the start of the seventh session and
    first read at its end; BG and BH likewise in the eighth, BL and BS in the tenth.)"""
    return {name: _set(name) for name in ("E", "K", "AO", "AP", "BG", "BH", "BL", "BS")}


def half(question: dict) -> str:
    """The split, fixed once: odd ids are the dev half, even ids the held-out half."""
    return "dev" if int(question["id"].lstrip("i")) % 2 else "held-out"


def dev_topics() -> dict[str, set[str]]:
    """For the dev half only: question id -> the entries that answer it (read from content/)."""
    data = tomllib.loads((ROOT / "tests/eval/independent_topics.toml").read_text())
    return {qid: set(topics) for qid, topics in data["topics"].items()}


# Share of the expected fact's key words an answer must hold to count as right.
EXPECT_SHARE = 0.5


def key_words(text: str) -> set[str]:
    """Stemmed words minus common ones, with digits kept ("over 100" -> {"100"})."""
    return set(content_words(text))


def expect_right(expect: str, answer_text: str) -> bool:
    """The expect-keyword grader: at least half of `expect`'s key words are in the answer."""
    wanted = key_words(expect)
    if not wanted:
        return False
    return len(wanted & key_words(answer_text)) >= EXPECT_SHARE * len(wanted)


def answer_text(answer: Answer) -> str:
    """What the person reads: the entry (title, body) or the glossary term."""
    if answer.entry is not None:
        return "\n".join(f"{e.title}\n{e.body}" for e in (answer.entry, *answer.also))
    if answer.glossary is not None:
        g = answer.glossary
        return f"{g.term}: {g.expansion}. {g.definition}"
    return ""


def grade(index: AnswerIndex, questions: list[dict], topics: dict[str, set[str]]) -> dict:
    """Right in scope, refused out of scope, over one half of the independent set."""
    right_in = in_scope = right_out = out_scope = 0
    wrong: list[str] = []
    for q in questions:
        answer = index.ask(q["text"])
        if q["scope"] == "in":
            in_scope += 1
            ok = answer.answered and (
                expect_right(q["expect"], answer_text(answer))
                or answer.topic in topics.get(q["id"], ())
            )
            right_in += ok
        else:
            out_scope += 1
            ok = not answer.answered
            right_out += ok
        if not ok:
            wrong.append(q["id"])
    return {"in": right_in, "in_total": in_scope, "out": right_out, "out_total": out_scope,
            "wrong": wrong}


def accuracy_report(content: Content, semantic=None, label: str = "") -> list[str]:
    """One line per set: the old set (tuned), the dev half (tuned), the held-out half."""
    index = AnswerIndex(content, semantic=semantic)
    old = evaluation()
    right_in = sum(1 for q in old if q["topic"] and (a := index.ask(q["text"])).answered
                   and a.topic == q["topic"])
    right_out = sum(1 for q in old if not q["topic"] and not index.ask(q["text"]).answered)
    n_in = sum(1 for q in old if q["topic"])
    lines = [f"{label}old set (tuned on): in-scope right {right_in}/{n_in} "
             f"({right_in / n_in:.0%}), out-of-scope refused {right_out}/{len(old) - n_in} "
             f"({right_out / (len(old) - n_in):.0%})"]
    questions = independent()
    dev = [q for q in questions if half(q) == "dev"]
    held = [q for q in questions if half(q) == "held-out"]
    prefix = label
    for label, part, topics in (
        ("independent dev half (tuned on; expect words or topic)", dev, dev_topics()),
        ("independent dev half (tuned on; expect words only)", dev, {}),
        *((f"set {name} (tuned on and taught; expect words only)", part, {})
          for name, part in later_sets().items()),
        ("independent held-out half (not tuned on; expect words only)", held, {}),
        *((f"set {name} (not tuned on; expect words only)", part, {})
          for name, part in fresh_sets().items()),
    ):
        r = grade(index, part, topics)
        lines.append(
            f"{prefix}{label}: in-scope right {r['in']}/{r['in_total']} "
            f"({r['in'] / r['in_total']:.0%}), out-of-scope refused {r['out']}/{r['out_total']} "
            f"({r['out'] / r['out_total']:.0%})"
        )
    return lines


def padded(content: Content, total: int, seed: int = 7) -> Content:
    """The content plus synthetic entries built from its own words and made-up ones."""
    rng = random.Random(seed)
    words = sorted({w for e in content.entries.values() for w in e.body.lower().split()})
    invented = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
                for _ in range(20_000)]
    entries, asked = dict(content.entries), dict(content.asked)
    # As many asked questions on each made-up entry as the real ones have on average.
    per_entry = round(sum(map(len, asked.values())) / max(1, len(entries)))
    for n in range(total - len(entries)):
        def text(k: int) -> str:
            return " ".join(rng.choice(words if rng.random() < 0.5 else invented) for _ in range(k))

        entry_id = f"synthetic-{n}"
        entries[entry_id] = Entry(id=entry_id, title=text(5), body=text(60), source="synthetic",
                                  phrasings=(text(6), text(6)), tags=(text(1),))
        asked[entry_id] = tuple(text(8) for _ in range(per_entry))
    return replace(content, entries=entries, asked=asked)


def measure_bot(content: Content, questions: list[dict], semantic=None) -> dict | None:
    if semantic is False:
        return None
    started = time.perf_counter()
    index = AnswerIndex(content, semantic=semantic or None)
    build = time.perf_counter() - started
    latencies, right_in, right_out = [], 0, 0
    for _ in range(3):  # repeat for stable percentiles
        for q in questions:
            t = time.perf_counter()
            answer = index.ask(q["text"])
            latencies.append(time.perf_counter() - t)
            if q["topic"]:
                right_in += answer.answered and answer.topic == q["topic"]
            else:
                right_out += not answer.answered
    name = "dtlbot (lexical + semantic)" if semantic else "dtlbot (lexical)"
    return summary(name, build, latencies, right_in / 3, right_out / 3, questions)


def measure_baseline(content: Content, questions: list[dict]) -> dict:
    started = time.perf_counter()
    ids = list(content.entries)
    corpus = [content_words(" ".join((e.title, *e.phrasings, *content.asked.get(e.id, ()),
                                      e.body)))
              for e in content.entries.values()]
    bm25 = BM25Okapi(corpus)
    build = time.perf_counter() - started
    latencies, right_in, right_out = [], 0, 0
    for q in questions:
        t = time.perf_counter()
        scores = bm25.get_scores(content_words(q["text"]))
        best = max(range(len(ids)), key=scores.__getitem__)
        answered = scores[best] > 0
        latencies.append(time.perf_counter() - t)
        if q["topic"]:
            right_in += answered and ids[best] == q["topic"]
        else:
            right_out += not answered
    return summary("rank-bm25 baseline", build, latencies, right_in, right_out, questions)


def measure_bm25s(content: Content, questions: list[dict]) -> dict | None:
    """bm25s (sparse-matrix BM25) over the same words, when installed: a second baseline."""
    try:
        import bm25s
    except ImportError:
        return None
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    logging.getLogger("bm25s").propagate = False
    started = time.perf_counter()
    ids = list(content.entries)
    corpus = [content_words(" ".join((e.title, *e.phrasings, *content.asked.get(e.id, ()),
                                      e.body)))
              for e in content.entries.values()]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    build = time.perf_counter() - started
    latencies, right_in, right_out = [], 0, 0
    for q in questions:
        t = time.perf_counter()
        words = content_words(q["text"])
        scores = retriever.get_scores(words) if words else [0.0] * len(ids)
        best = max(range(len(ids)), key=scores.__getitem__)
        answered = scores[best] > 0
        latencies.append(time.perf_counter() - t)
        if q["topic"]:
            right_in += answered and ids[best] == q["topic"]
        else:
            right_out += not answered
    return summary("bm25s baseline", build, latencies, right_in, right_out, questions)


def summary(name, build, latencies, right_in, right_out, questions) -> dict:
    in_scope = sum(1 for q in questions if q["topic"])
    ordered = sorted(latencies)
    return {
        "name": name,
        "build_s": build,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "per_s": len(latencies) / sum(latencies),
        "in_scope": right_in / in_scope,
        "refused": right_out / (len(questions) - in_scope),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--accuracy-only", action="store_true",
                        help="only the accuracy lines, no timing")
    args = parser.parse_args()
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    questions = evaluation()
    content = load_content(ROOT / "content")
    embedder = load_embedder()
    for line in accuracy_report(content, None, "[lexical only] "):
        print(line)
    if embedder is not None:
        for line in accuracy_report(content, embedder, "[lexical + semantic] "):
            print(line)
    if args.accuracy_only:
        return
    print(f"{len(questions)} questions ({sum(1 for q in questions if q['topic'])} in scope)")
    print("| content | engine | in-scope right | out-of-scope refused | p50 ms | p99 ms "
          "| answers/s | index build s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, corpus in ((f"{len(content.entries)} entries", content),
                          (f"{args.entries:,} entries", padded(content, args.entries))):
        results = [measure_bot(corpus, questions),
                   measure_bot(corpus, questions, embedder if embedder is not None else False),
                   measure_baseline(corpus, questions),
                   measure_bm25s(corpus, questions)]
        for result in (r for r in results if r is not None):
            print(f"| {label} | {result['name']} | {result['in_scope']:.0%} "
                  f"| {result['refused']:.0%} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} "
                  f"| {result['per_s']:.0f} | {result['build_s']:.2f} |")


if __name__ == "__main__":
    main()
