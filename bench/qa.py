"""Answering speed and accuracy: the bot's index against a plain rank-bm25 baseline.

Run with `make bench` or `.venv/bin/python bench/qa.py [--entries 10000]`. Not a test:
figures go in the README. Measures, over the evaluation set (tests/eval/questions.toml):
p50/p99 latency per question and answers per second on one core, and accuracy (right topic
for in-scope questions, refusal for out-of-scope ones), for the shipped content and then with
the content padded to N synthetic entries.
"""

from __future__ import annotations

import argparse
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

from bot.kernel.answers import AnswerIndex, content_words  # noqa: E402
from bot.kernel.content import Content, Entry, load_content  # noqa: E402


def evaluation() -> list[dict]:
    return tomllib.loads((ROOT / "tests/eval/questions.toml").read_text())["question"]


def padded(content: Content, total: int, seed: int = 7) -> Content:
    """The content plus synthetic entries built from its own words and made-up ones."""
    rng = random.Random(seed)
    words = sorted({w for e in content.entries.values() for w in e.body.lower().split()})
    invented = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
                for _ in range(20_000)]
    entries = dict(content.entries)
    for n in range(total - len(entries)):
        def text(k: int) -> str:
            return " ".join(rng.choice(words if rng.random() < 0.5 else invented) for _ in range(k))

        entry_id = f"synthetic-{n}"
        entries[entry_id] = Entry(id=entry_id, title=text(5), body=text(60), source="synthetic",
                                  phrasings=(text(6), text(6)), tags=(text(1),))
    return replace(content, entries=entries)


def measure_bot(content: Content, questions: list[dict]) -> dict:
    started = time.perf_counter()
    index = AnswerIndex(content)
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
    return summary("dtlbot", build, latencies, right_in / 3, right_out / 3, questions)


def measure_baseline(content: Content, questions: list[dict]) -> dict:
    started = time.perf_counter()
    ids = list(content.entries)
    corpus = [content_words(" ".join((e.title, *e.phrasings, e.body)))
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
    args = parser.parse_args()
    questions = evaluation()
    content = load_content(ROOT / "content")
    print(f"{len(questions)} questions ({sum(1 for q in questions if q['topic'])} in scope)")
    print("| content | engine | in-scope right | out-of-scope refused | p50 ms | p99 ms "
          "| answers/s | index build s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, corpus in ((f"{len(content.entries)} entries", content),
                          (f"{args.entries:,} entries", padded(content, args.entries))):
        for result in (measure_bot(corpus, questions), measure_baseline(corpus, questions)):
            print(f"| {label} | {result['name']} | {result['in_scope']:.0%} "
                  f"| {result['refused']:.0%} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} "
                  f"| {result['per_s']:.0f} | {result['build_s']:.2f} |")


if __name__ == "__main__":
    main()
