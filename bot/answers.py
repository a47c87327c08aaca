"""Answering questions from curated content: FTS5 bm25 candidates, typo tolerance, confidence."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import sqlite_utils
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.content import Content, Entry, GlossaryTerm

# Calibrated on tests/eval/questions.toml (see bench/qa.py): below this, refuse.
DEFAULT_THRESHOLD = 0.5
CANDIDATES = 20
# How strongly a query word found in each field speaks for an entry.
FIELD_STRENGTH = {"title": 1.0, "phrasings": 1.0, "tags": 0.8, "body": 0.6}
# bm25 weights for the FTS5 columns, in order: title, phrasings, tags, body.
BM25_WEIGHTS = (10.0, 8.0, 4.0, 1.0)

STOPWORDS = frozenset(
    """a about after again all am an and any are as at be been being both but by can could
    did do does doing done for from get gets got had has have having he her here hers him his
    how i if in into is it its it's just know let me more most my no not of off on once only or
    other our out over own please same she should so some such tell than that the their them then
    there these they this those through to too under until up very was we were what whats
    what's when where which while who whom whose why will with would you your yours im i'm
    thing things there's anyone someone something give show explain hi hello hey thanks thank
    much many really need want like ok okay bit lot""".split()
)

# Words that mark a clinical question: the bot never answers those, however well they match.
CLINICAL_WORDS = frozenset(
    """dose doses dosage dosing mg milligram milligrams tablet tablets medication medications
    medicine medicines prescribe prescribing prescription drug drugs symptom symptoms diagnose
    diagnosis treat treating treatment treatments cure fever rash infection infections
    antibiotic antibiotics paracetamol ibuprofen amoxicillin aspirin insulin statin statins
    pregnancy pregnant breastfeeding vaccine vaccination vaccines uti utis asthma diabetes
    blood pressure hypertension cancer chest sick illness ill overdose side-effects
    contraindication contraindicated allergy allergic injection inhaler""".split()
)

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_GLOSSARY_QUESTION = re.compile(
    r"^(?:what|whats|what's|wat)\s+(?:(?:is|are|does|do)\s+)?(?:(?:an?|the)\s+)?"
    r"(?P<term>[a-z0-9&-]+)(?:\s+(?:stand for|stands for|mean|means|short for))?$"
)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; curly apostrophes folded, possessives kept whole."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def stem(word: str) -> str:
    """A light suffix stripper, applied alike to content and questions."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    return [stem(t) for t in tokenize(text) if t not in STOPWORDS]


@dataclass(frozen=True)
class Answer:
    """The outcome of one question: the entry chosen (if any) and how sure the bot is."""

    question: str
    answered: bool
    score: float
    entry: Entry | None = None
    glossary: GlossaryTerm | None = None
    reason: str = "answered"  # answered | unknown | clinical | empty
    near: tuple[Entry, ...] = field(default=())

    @property
    def topic(self) -> str | None:
        if self.entry is not None:
            return self.entry.id
        if self.glossary is not None:
            return "glossary:" + self.glossary.term.lower()
        return None


@dataclass
class _Doc:
    entry: Entry
    fields: dict[str, set[str]]
    phrasings: list[str]


class AnswerIndex:
    """An in-memory index of the content, rebuilt whenever the content is (re)loaded."""

    def __init__(self, content: Content, threshold: float = DEFAULT_THRESHOLD):
        self.content = content
        self.threshold = threshold
        self._db = sqlite_utils.Database(memory=True)
        self._docs: dict[str, _Doc] = {}
        self._df: dict[str, int] = {}
        self._expansions: dict[str, set[str]] = {}
        self._build()

    def _build(self) -> None:
        rows = []
        for rowid, entry in enumerate(self.content.entries.values(), start=1):
            fields = {
                "title": set(content_words(entry.title)),
                "phrasings": set(content_words(" ".join(entry.phrasings))),
                "tags": set(content_words(" ".join(entry.tags))),
                "body": set(content_words(entry.body)),
            }
            phrasings = [" ".join(sorted(set(content_words(p))))
                         for p in (entry.title, *entry.phrasings)]
            self._docs[entry.id] = _Doc(entry, fields, phrasings)
            for word in set().union(*fields.values()):
                self._df[word] = self._df.get(word, 0) + 1
            rows.append({
                "rowid": rowid,
                "id": entry.id,
                "title": " ".join(content_words(entry.title)),
                "phrasings": " ".join(content_words(" ".join(entry.phrasings))),
                "tags": " ".join(content_words(" ".join(entry.tags))),
                "body": " ".join(content_words(entry.body)),
            })
        table = self._db["docs"]
        table.insert_all(rows, pk="rowid")
        if rows:
            table.enable_fts(["title", "phrasings", "tags", "body"], create_triggers=False)
        self._build_expansions()
        vocabulary = set(self._df) | set(self._expansions) | STOPWORDS
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            self._by_initial.setdefault(word[0], []).append(word)

    def _build_expansions(self) -> None:
        """Map each query word to the words that also count for it (synonyms, acronyms)."""
        for group in self.content.synonyms:
            stems = {stem(w) for word in group for w in tokenize(word) if w not in STOPWORDS}
            for word in stems:
                self._expansions.setdefault(word, set()).update(stems)
        for key, term in self.content.glossary.items():
            if " " in key:
                continue
            words = set(content_words(term.expansion))
            self._expansions.setdefault(stem(key), set()).update(words | {stem(key)})

    def _correct(self, token: str) -> str | None:
        """The vocabulary word a mistyped token most likely meant, or None."""
        if len(token) < 3 or not token[0].isalpha():
            return None
        max_distance = 1 if len(token) < 6 else 2
        candidates = self._by_initial.get(token[0], [])
        match = process.extractOne(
            token, candidates, scorer=Levenshtein.distance, score_cutoff=max_distance
        )
        if match is None:
            # Transposed letters ("teh") cost two edits; allow them for short words.
            match = process.extractOne(
                token, candidates, scorer=fuzz.ratio, score_cutoff=66 if len(token) < 6 else 80
            )
            if match is None or sorted(match[0]) != sorted(token):
                return None
        return match[0]

    def _concepts(self, question: str) -> tuple[list[str], list[set[str]], bool]:
        """Query words (stemmed, corrected), each with the stems that count for it; clinical?"""
        words: list[str] = []
        concepts: list[set[str]] = []
        clinical = False
        for token in tokenize(question):
            if token in CLINICAL_WORDS:
                clinical = True
            if token in STOPWORDS:
                continue
            word = stem(token)
            if word not in self._df and word not in self._expansions:
                corrected = self._correct(token)
                if corrected is not None:
                    if corrected in STOPWORDS:
                        continue
                    word = stem(corrected)
            words.append(word)
            concepts.append({word} | self._expansions.get(word, set()))
        return words, concepts, clinical

    def _weight(self, concept: set[str]) -> float:
        total = len(self._docs) or 1
        df = max((self._df.get(w, 0) for w in concept), default=0)
        return 1.0 + math.log((total + 1) / (df + 0.5))

    def _coverage(self, doc: _Doc, concepts: list[set[str]], weights: list[float]) -> float:
        gained = 0.0
        for concept, weight in zip(concepts, weights, strict=True):
            strength = max(
                (FIELD_STRENGTH[name] for name, words in doc.fields.items() if concept & words),
                default=0.0,
            )
            gained += weight * strength
        return gained / sum(weights)

    def _candidates(self, concepts: list[set[str]]) -> list[str]:
        words = sorted({w for c in concepts for w in c if w in self._df})
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        sql = (
            f"select docs.id from docs_fts join docs on docs.rowid = docs_fts.rowid "
            f"where docs_fts match ? order by bm25(docs_fts, {weights}) limit {CANDIDATES}"
        )
        return [row[0] for row in self._db.execute(sql, [match]).fetchall()]

    def glossary_answer(self, question: str) -> GlossaryTerm | None:
        """A glossary term, when the question is just 'what is X' / 'what does X stand for'."""
        match = _GLOSSARY_QUESTION.match(" ".join(tokenize(question)))
        if match is None:
            return None
        return self.content.glossary_lookup(match.group("term"))

    def ask(self, question: str) -> Answer:
        """Choose the entry that answers the question, or say why none does."""
        words, concepts, clinical = self._concepts(question)
        if clinical:
            return Answer(question, answered=False, score=0.0, reason="clinical")
        term = self.glossary_answer(question)
        if term is not None:
            return Answer(question, answered=True, score=1.0, glossary=term)
        if not concepts:
            return Answer(question, answered=False, score=0.0, reason="empty")
        weights = [self._weight(c) for c in concepts]
        query_key = " ".join(sorted(set(words)))
        scored: list[tuple[float, str]] = []
        for rank, entry_id in enumerate(self._candidates(concepts)):
            doc = self._docs[entry_id]
            coverage = self._coverage(doc, concepts, weights)
            similarity = max(fuzz.ratio(query_key, p) for p in doc.phrasings) / 100
            # A whisker for bm25's order, so equal scores keep the FTS ranking.
            score = 0.75 * coverage + 0.25 * similarity - rank * 1e-4
            scored.append((score, entry_id))
        if not scored:
            return Answer(question, answered=False, score=0.0, reason="unknown")
        scored.sort(key=lambda item: -item[0])
        best_score, best_id = scored[0]
        best_score = max(0.0, round(best_score, 4))
        if best_score >= self.threshold:
            return Answer(question, answered=True, score=best_score,
                          entry=self._docs[best_id].entry)
        near = tuple(self._docs[i].entry for s, i in scored[:2] if s >= self.threshold * 0.6)
        return Answer(question, answered=False, score=best_score, reason="unknown", near=near)
