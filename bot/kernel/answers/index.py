"""The answer index: bm25 candidates, typo tolerance, ranking, confidence and partial answers."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.kernel.answers.bm25 import FieldBM25
from bot.kernel.answers.facts import (
    SEVERAL_PARTS,
    asks_a_fact,
    missing_fact,
    not_given,
)
from bot.kernel.answers.refusals import (
    dose_read_as_does,
    everyday_senses_removed,
    is_clinical,
    steps_outside,
)
from bot.kernel.answers.smalltalk import smalltalk
from bot.kernel.answers.words import (
    CALENDAR,
    STOPWORDS,
    asked_and_context,
    content_words,
    first_word,
    passages,
    phrase_table,
    stem,
    tokenize,
    word_pairs,
)
from bot.kernel.config import DEFAULT_THRESHOLD
from bot.kernel.content import Content, Entry, GlossaryTerm

CANDIDATES = 20


PART_CANDIDATES = 12


# Below the threshold but at least this share of it, the best topics are offered as
# "did you mean ...?" (at most SUGGESTIONS of them) instead of a plain "I don't know".
SUGGEST_FRACTION, SUGGESTIONS = 0.6, 3


# Words found in more than this share of entries are left out of the bm25 search.
# (never fewer than COMMON_FLOOR entries, so small content is searched whole).
COMMON_FRACTION, COMMON_FLOOR = 0.05, 200


# At most this many words (the rarest, synonyms included) go into one bm25 search.
MAX_TERMS = 8


# Candidates are ranked on four signals: coverage (how much of the question the entry
# speaks to), likeness (fuzzy match to a title or phrasing), bm25 relative to the best
# candidate, and overlap (rarity-weighted Jaccard with the closest title or phrasing).
# Weights fitted on the evaluation set (see bench/qa.py).
# Two more: passage (how much of the question one sentence or bullet of the entry covers) and,
# when a semantic model is loaded, semantic (cosine similarity of static embeddings).
# (passage and semantic fitted on the dev half of tests/eval/independent.toml only).
RANK_WEIGHTS = {"coverage": 1.0, "likeness": 0.4, "bm25": 0.3, "overlap": 1.0, "passage": 0.5,
                "semantic": 2.0}


# Confidence leaves bm25 out: relative to the best candidate it is always 1 for the winner.
# Likeness counts less than overlap: it is the best of many fuzzy matches, so the more ways of
# asking an entry holds (asked.toml), the likelier a high one by chance (fitted by
# cross-validation over the dev sets, each taught the others' questions).
CONFIDENCE_WEIGHTS = {"coverage": 0.5, "likeness": 0.15, "overlap": 0.35, "passage": 0.0,
                      "semantic": 0.3}


# Entries the semantic signal adds as candidates (found by meaning, sharing no rare word).
SEMANTIC_CANDIDATES = 5


# An answer less sure than UNSURE offers the next entries (at most ALTERNATIVES) that rank within
# CLOSE_RANK of it and would be answered on their own: about one answer in ten on the dev data.
UNSURE, CLOSE_RANK, ALTERNATIVES = 0.45, 0.2, 2


# A question in several parts gets a second entry when one of the next few candidates is
# confident on its own and speaks to at least this share of the question the best one leaves.
ALSO_LOOKS, ALSO_SHARE = 4, 0.1


# Asked part by part, at most this many other entries join the answer.
ALSO_MOST = 2


# A part whose words (weighted) the best entry holds at least this share of is its to answer.
PART_COVERED = 0.7


# Cosine similarities at or below this say nothing (unrelated questions score about this much
# against the best entry); the semantic signal is the rest, scaled to 0..1.
SEMANTIC_FLOOR = 0.45


# How strongly a query word found in each field speaks for an entry.
# Questions people asked (asked.toml) count like the body: besides what they ask for, they hold
# words of the asker's own ("I feel a bit isolated") that say little about the entry (fitted by
# cross-validation over the dev sets, each taught the others' questions, and checked once on
# sets F to K, written later).
FIELD_STRENGTH = {"title": 1.0, "phrasings": 1.0, "asked": 0.45, "tags": 1.0, "body": 0.45}


# bm25 weights for the fields, in the order of FIELD_STRENGTH: title, phrasings, asked, tags, body.
BM25_WEIGHTS = (10.0, 8.0, 4.0, 4.0, 1.0)


# Where a question in several parts breaks: after a question mark, or at "and" (", and",
# "and also") before the next question word.
_PART_BREAK = re.compile(
    r"(?<=\?)\s+|[,;]?\s+and\s+(?:also\s+)?(?=(?:how|what|when|who|where|why|which|is|are|do|"
    r"does|did|can|could|should|will|would)\b)|[,;]\s+(?=(?:how|what|when|who|where|why|which)\b)",
    re.I)


# A name or acronym as typed: capitals ("CQC", "QOF") or mixed case ("accuRx", "NHSmail").
_NAME_TOKEN = re.compile(
    r"\b(?:[A-Z][A-Z0-9&]+s?|[A-Z]{2,}[a-z]+|[a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z]+[A-Z][A-Za-z]*)\b"
)


# The parts of a message: a glossary question may stand beside words saying where the term was met.
_PARTS = re.compile(r"\s+[-\u2013\u2014]+\s+|[,;:]\s+|(?<=[?.!])\s+")


# "What's that short for": the term is named in the rest of the message.
_PRONOUNS = frozenset({"it", "that", "this", "they", "them", "these", "those"})
_PLURAL_PRONOUNS = frozenset({"they", "them", "these", "those"})


# How alike (0-100) a question and one of an entry's phrasings are when it is asked in its words.
EXACT_LIKENESS = 90


# A question is refused as one the sources do not answer (declined.toml) when its overlap with
# one of those is at least DECLINED_OVERLAP and more than DECLINED_MARGIN above its overlap with
# the closest way of asking the entry it would get (fitted by cross-validation over the dev sets,
# each given the others' declined and asked questions).
DECLINED_OVERLAP, DECLINED_MARGIN = 0.4, 0.1


# A declined question of fewer words than this (stop words aside) says too little to refuse by
# ("thanks, that's really helpful" would refuse "what help is there for DTLs").
DECLINED_WORDS = 3


# A glossary term whose expansion says the sources never spell it out, asked what it stands for.
_NOT_SPELT_OUT = re.compile(r"\bnot spel(?:t|led) out\b", re.IGNORECASE)


_ASKS_EXPANSION = re.compile(
    r"\bstands? for\b|\bshort for\b|\bacronym\b|\babbreviation\b|\bfull name\b",
    re.IGNORECASE)


# Two or more capitalised words in a row ("GP Connect", "Greater Manchester"): a proper name.
_NAME_PHRASE = re.compile(r"\b[A-Z][\w&-]*(?:[ \t]+[A-Z][\w&-]*)+\b")


# A product named as a choice ("Accurx or Klinik", "Klinik vs Accurx") or as something to use.
_PRODUCT = re.compile(
    r"\b([A-Z][A-Za-z]{2,})\s+(?:or|vs\.?|versus)\s+([A-Z][A-Za-z]{2,})\b|"
    r"\b(?:use|using|switch(?:ing)? (?:to|from|over to)|move (?:to|over to)|moving to|install|"
    r"installing|buy|buying|choose|choosing|procure|procuring|licen[cs]e|licen[cs]ing|"
    r"roll(?:ing)? out|implement(?:ing)?|configure|configuring|integrate|integrating)\s+"
    r"([A-Z][a-z]{2,})\b")


# A word in title case ("Haslington"); the calendar's are so without naming anything.
_TITLE_CASE = re.compile(r"\b[A-Z][a-z]{2,}\b")


# Capitalised words that name nothing in particular.
_PLAIN_CAPITALS = frozenset({"uk", "ok", "faq", "faqs", "asap", "fyi", "eg", "ie", "etc", "q", "a"})


_GLOSSARY_QUESTION = re.compile(
    r"^(?:what|whats|what's|wat)\s+(?:(?:is|are|does|do)\s+)?(?:(?:an?|the)\s+)?"
    r"(?:(?:acronym|abbreviation|term)\s+)?(?P<term>[a-z0-9&-]+)"
    # ("what's SMASH PCN": the term, then what kind of thing it is.)
    r"(?:\s+pcn)?(?:\s+(?:actually|really|exactly))?"
    # ("... asked me what PCNs means", "tell me what ARRS is": the question reported.)
    r"(?:\s+(?:stand for|stands for|mean|means|short for|is|are))?"
    r"(?:\s+(?:actually|really|exactly|in full|again|there|here))?"
    # "... in the toolkit": where the term was met, not part of it.
    r"(?:\s+(?:in|from)\s+(?:the\s+|this\s+|that\s+)?(?:[a-z0-9-]+\s+){0,3}?"
    r"(?:toolkit|article|summary|sources?|documents?|piece)(?:\s+(?:on|about)(?:\s+[a-z0-9-]+){1,6})?)?$"
)


# Words before a glossary question that report or introduce it ("my admin lead asked what
# PCNs means", "I was wondering what DERI is").
_REPORTED = re.compile(r"^(?:[\w'-]+\s+){0,8}?(?:asked(?:\s+me)?|wondering|wonder|wondered|"
                       r"tell\s+me|know|explain(?:\s+to\s+me)?|remind\s+me)\s+(?=(?:what|whats|"
                       r"what's|wat)\s)")


# Another part of the message that is a question of its own ("..., and how is it used?"),
# unless it asks the same thing again ("What's the full term?").
_SECOND_QUESTION = re.compile(
    r"^\W*(?:(?:and|also|but|so|or|then)\s+)*(?:how|what|when|who|where|why|which|is|are|do|"
    r"does|did|can|could|should|will|would|has|have)\b(?!'d)", re.IGNORECASE)
# ... and a part ending the message with its question mark that only adds where the term was
# met ("..., as the GM toolkit uses it?").
_AFTERTHOUGHT = re.compile(r"^\W*(?:as|like|in|from|on|at|for|since|because|cos|right|please|"
                           r"pls|thanks|eh|then|again)\b", re.IGNORECASE)
_SAME_ASK = re.compile(r"\b(?:full (?:term|name|form|words?)|stands? for|short for|means?|"
                       r"spell (?:it|that|this) out)\b|^\W*what(?:'s| is) (?:it|that|this)\W*$",
                       re.IGNORECASE)


# Whether two spellings name one thing ("is a DLT something different from a DTL?").
_SAME_OR_DIFFERENT = re.compile(r"\b(?:diff(?:erent)?|differs?|separate|same|typo|mistake)\b",
                                re.IGNORECASE)


# Symbols that ask for a fact by themselves ("what % of ...", "£?").
_FACT_SYMBOL = re.compile(r"[%£$]")
# Question words the key words leave out but that ask for a fact: "where can I get the DERI
# tool" has the key words of "what is the DERI tool" and asks something else.
_FACT_QUESTION_WORD = re.compile(r"\b(?:where|when|who|whose|which)\b")
# Words before a question that say nothing ("sorry, what's a DTL?", "quick question: ...").
_FILLER = re.compile(r"^(?:(?:sorry|so|ok|okay|um+|erm+|hi|hey|hello|right|and|but|just|hmm+|ah|"
                     r"oh|please|pls|(?:quick|silly|dumb|stupid|daft|basic) question|remind me|"
                     r"(?:sorry )?if (?:this|it) is an? (?:silly|dumb|stupid|daft|basic|obvious) "
                     r"question(?: but)?)\s+)+")
# "arrs stands for what", "pcn means what?": the term first.
_GLOSSARY_TERM_FIRST = re.compile(
    r"^(?P<term>[a-z0-9&-]+)\s+(?:(?:stands?\s+for|means?|is\s+short\s+for)\s+(?:what|wat)"
    r"(?:\s+again)?|(?:what's|whats|what\s+is)\s+(?:the\s+)?full\s+(?:title|name|form|term))"
    r"(?:\s+(?:in|from)\s+(?:the\s+)?(?:toolkit|article|summary|sources?|documents?))?$")


# In a question of at least LONG_QUESTION words (stop words aside), how much a word the content
# never uses counts, against the rarest word it does (see _weights).
UNKNOWN_SHARE, LONG_QUESTION = 0.5, 6


# ... provided at least this share of its words are ones the content uses.
MOSTLY_KNOWN = 0.5


# How much the words of the sentences around a question count (see asked_and_context), when
# the question has at least CONTEXT_NEEDS words the content knows.
CONTEXT_SHARE, CONTEXT_NEEDS = 0.3, 3


@dataclass(frozen=True)
class Answer:
    """The outcome of one question: the entry chosen (if any) and how sure the bot is."""

    question: str
    answered: bool
    score: float
    entry: Entry | None = None
    glossary: GlossaryTerm | None = None
    # answered | unknown | clinical | empty | smalltalk | suggest | partial
    reason: str = "answered"
    near: tuple[Entry, ...] = field(default=())
    # For small talk, its kind: greeting, thanks, who, abilities, goodbye.
    smalltalk: str | None = None
    # For a partial answer, the kind of fact asked for that the sources do not give.
    missing: str | None = None
    # The sentence or bullet of the entry that speaks to the question most, when it is not
    # the entry's first (the answer leads with it).
    passage: str | None = None
    # For a question in several parts, a second entry answering a part the first does not.
    also: tuple[Entry, ...] = field(default=())
    # For an answer the bot is unsure of, the next entries nearly as likely ("Not what you
    # meant? Perhaps: ...").
    alternatives: tuple[Entry, ...] = field(default=())

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
    # The title and each phrasing as sorted word strings (likeness); their word sets are only
    # kept as `holding` and `phrasing_weights` (overlap).
    phrasings: list[str]
    # The body's sentences and bullets, as typed (to lead an answer).
    passages: list[str] = field(default_factory=list)
    # Its sentences saying what the sources leave out (see missing_fact).
    left_out: str = ""
    # Each distinct field strength, strongest first, with the words of the fields that have it.
    strengths: list[tuple[float, set[str]]] = field(default_factory=list)
    # Which passages hold each word, as bits: a question word is in few of an entry's passages.
    passage_bits: dict[str, int] = field(default_factory=dict)
    # Each phrasing set's summed word weights (for overlap), once the weights are known.
    phrasing_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Which phrasing sets hold each word: overlap looks only at those sharing a question word.
    holding: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class _Declined:
    """The questions the sources do not answer, indexed like an entry's phrasings."""

    kinds: list[str] = field(default_factory=list)
    phrasing_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    holding: dict[str, np.ndarray] = field(default_factory=dict)


def _strengths(fields: dict[str, set[str]]) -> list[tuple[float, set[str]]]:
    """The fields' words grouped by FIELD_STRENGTH, strongest first."""
    grouped: dict[float, set[str]] = {}
    for name, words in fields.items():
        grouped.setdefault(FIELD_STRENGTH[name], set()).update(words)
    return sorted(grouped.items(), key=lambda item: -item[0])


def _bits(sets: list[set[str]]) -> dict[str, int]:
    """For each word, a bit for each of the sets that hold it."""
    bits: dict[str, int] = {}
    for number, words in enumerate(sets):
        for word in words:
            bits[word] = bits.get(word, 0) | (1 << number)
    return bits


class Embedder(Protocol):
    """A semantic model: texts to unit-length vectors, one row each (see .semantic)."""

    def vectors(self, texts: list[str]) -> np.ndarray: ...


class AnswerIndex:
    """An in-memory index of the content, rebuilt whenever the content is (re)loaded."""

    def __init__(self, content: Content, threshold: float = DEFAULT_THRESHOLD,
                 semantic: Embedder | None = None):
        self.content = content
        self.threshold = threshold
        self.semantic = semantic
        self._docs: dict[str, _Doc] = {}
        self._df: dict[str, int] = {}
        # Every pair of adjacent words the content says, hashed and sorted, for proper names.
        self._pairs = np.zeros(0, dtype=np.int64)
        self._expansions: dict[str, set[str]] = {}
        self._phrases = phrase_table(content)
        # Each phrase's first word as typed, for a cheap test before the regular expression.
        self._phrase_starts = [first_word(pattern) for pattern, _ in self._phrases]
        self._any_phrase = re.compile("|".join(f"(?:{p.pattern})" for p, _ in self._phrases)) \
            if self._phrases else None
        # "IT" in capitals is the acronym, "it" the pronoun: only case tells them apart.
        self._shouted = [
            (t.term, re.compile(rf"\b{re.escape(t.term)}\b"), t.expansion.lower())
            for t in set(content.glossary.values())
            if t.term.lower() in STOPWORDS and t.term.isupper()
        ]
        self._build()

    def _normalise(self, text: str) -> str:
        """Lowercase text with acronyms that look like common words ("IT") spelt out,
        and known phrases read as one word."""
        for term, pattern, expansion in self._shouted:
            # A plain substring test first, as below: few texts hold the acronym in capitals.
            if term in text:
                text = pattern.sub(expansion, text)
        lowered = text.lower().replace("\u2019", "'")
        # One search for any phrase first: most texts hold none.
        if self._any_phrase is None or not self._any_phrase.search(lowered):
            return lowered
        for (pattern, word), first in zip(self._phrases, self._phrase_starts, strict=True):
            # A plain substring test first: most phrases are absent from most texts.
            if first in lowered:
                lowered = pattern.sub(word, lowered)
        return lowered

    def _words(self, text: str) -> list[str]:
        return content_words(self._normalise(text))

    def _build(self) -> None:
        # Each text is read once, though a phrasing, say, is a field's words and a set of its own.
        normal = cache(self._normalise)

        def said(texts: Iterable[str]) -> list[str]:
            return [w for text in texts for w in content_words(normal(text))]

        columns = []
        # Each phrasing's words, until the weights are known to index them (then dropped: at
        # 10,000 entries they are a million sets for the garbage collector to walk).
        phrasing_sets: dict[str, list[set[str]]] = {}
        for entry in self.content.entries.values():
            words = {
                "title": said([entry.title]),
                "phrasings": said(entry.phrasings),
                "asked": said(self.content.asked.get(entry.id, ())),
                "tags": said(entry.tags),
                "body": said([entry.body]),
            }
            fields = {name: set(found) for name, found in words.items()}
            sets = [set(said([p])) for p in (entry.title, *self._said(entry))]
            phrasings = [" ".join(sorted(words)) for words in sets]
            texts = passages(entry.body)
            passage_sets = [set(said([t])) for t in texts]
            phrasing_sets[entry.id] = sets
            self._docs[entry.id] = _Doc(entry, fields, phrasings, texts,
                                        not_given(entry.body), _strengths(fields),
                                        _bits(passage_sets))
            for word in set().union(*fields.values()):
                self._df[word] = self._df.get(word, 0) + 1
            columns.append([words[name] for name in FIELD_STRENGTH])
        self._ids = list(self._docs)
        self._bm25 = FieldBM25(columns, BM25_WEIGHTS)
        # The short fields again on their own: a word common in bodies can still be searched
        # there cheaply, and an entry it names in a title or phrasing is not lost.
        self._short_bm25 = FieldBM25([c[:4] for c in columns], (1.0, 1.0, 1.0, 1.0))
        self._build_expansions()
        self._word_weight = {w: self._weight({w}) for w in self._df}
        for entry_id, sets in phrasing_sets.items():
            doc = self._docs[entry_id]
            doc.phrasing_weights, doc.holding = self._phrasing_index(sets)
        self._build_declined()
        self._pairs = np.unique(np.fromiter(
            (pair for e in self.content.entries.values()
             for text in (e.title, e.body, *self._said(e)) for pair in word_pairs(text)),
            dtype=np.int64))
        self._build_semantic()
        # A mistyped word is put right to a word of the content's own (as spelt there too, not
        # only its stem: "digtal" is one edit from "digital" but two from its stem "digit"),
        # never to one only an asked question uses: those keep their askers' typos ("DEIR").
        own_texts = [text for doc in self._docs.values() for text in (
            doc.entry.title, *doc.entry.phrasings, *doc.entry.tags, doc.entry.body)]
        surface = {t for text in own_texts for t in tokenize(normal(text))
                   if t.isalpha() and len(t) > 2}
        self._curated = set(said(own_texts))
        # The names it uses: words in title case after a sentence's first ("Haslington").
        self._names = {m.group(0).lower() for text in own_texts
                       for m in _TITLE_CASE.finditer(text)
                       if text[:m.start()].rstrip()[-1:] not in ("", ".", "?", "!", ":", "*")
                       and m.group(0).lower() not in STOPWORDS}
        vocabulary = (set(self._df) & self._curated) | set(self._expansions) | STOPWORDS | surface
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            self._by_initial.setdefault(word[0], []).append(word)

    def _phrasing_index(self, sets: list[set[str]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Each word set's summed word weights, and which sets hold each word."""
        holding: dict[str, list[int]] = {}
        for n, words in enumerate(sets):
            for word in words:
                holding.setdefault(word, []).append(n)
        return (np.array([sum(self._word_weight[w] for w in words) for words in sets],
                         dtype=np.float64),
                {word: np.array(held, dtype=np.int64) for word, held in holding.items()})

    def _build_declined(self) -> None:
        self._declined = _Declined()
        sets = []
        for kind, questions in self.content.declined.items():
            for question in questions:
                words = set(self._words(question))
                if len(words) < DECLINED_WORDS:
                    continue
                for word in words:
                    if word not in self._word_weight:
                        self._word_weight[word] = self._weight({word})
                self._declined.kinds.append(kind)
                sets.append(words)
        self._declined.phrasing_weights, self._declined.holding = self._phrasing_index(sets)

    def _declined_kind(self, overlap_with_entry: float, concepts: list[set[str]],
                       weights: list[float]) -> str | None:
        """Why the question is one the sources do not answer, if it is asked nearly as one of
        declined.toml's, and more so than as a way of asking the entry it would get."""
        best, closest = self._closest([self._declined], concepts, weights)
        overlap, which = float(best[0]), int(closest[0])
        if overlap < DECLINED_OVERLAP:
            return None
        if overlap <= overlap_with_entry + DECLINED_MARGIN:
            return None
        return self._declined.kinds[which]

    def _said(self, entry: Entry) -> tuple[str, ...]:
        """How people ask for the entry: its phrasings and the questions asked.toml gives it."""
        return (*entry.phrasings, *self.content.asked.get(entry.id, ()))

    def _build_semantic(self) -> None:
        """Embed every entry once: one vector per text (title, each phrasing, each passage),
        and their normalised mean per entry to find candidates by meaning."""
        if self.semantic is None or not self._ids:
            return
        texts, owners = [], []
        for number, doc in enumerate(self._docs.values()):
            for text in (doc.entry.title, *self._said(doc.entry), *doc.passages):
                texts.append(text)
                owners.append(number)
        vectors = self.semantic.vectors(texts).astype(np.float32)
        self._text_vectors = vectors
        self._text_owner = np.array(owners)
        means = np.zeros((len(self._ids), vectors.shape[1]), dtype=np.float32)
        np.add.at(means, self._text_owner, vectors)
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
        self._entry_vectors = means
        # Each entry's texts as one slice of the text matrix (texts were added entry by entry).
        bounds = np.searchsorted(self._text_owner, np.arange(len(self._ids) + 1))
        self._slices = {i: (int(bounds[n]), int(bounds[n + 1])) for n, i in enumerate(self._ids)}

    def _semantic_scores(self, question: str, candidates: list[str]) -> tuple[dict[str, float],
                                                                              list[str]]:
        """Each candidate's best cosine with the question, plus the entries nearest in meaning."""
        if self.semantic is None or not self._ids:
            return {}, []
        vector = self.semantic.vectors([question])[0].astype(np.float32)
        by_entry = self._entry_vectors @ vector
        k = min(SEMANTIC_CANDIDATES, len(self._ids))
        nearest = np.argpartition(-by_entry, k - 1)[:k]
        extra = [self._ids[n] for n in nearest]
        scores = {}
        for entry_id in dict.fromkeys([*candidates, *extra]):
            start, end = self._slices[entry_id]
            scores[entry_id] = float(np.max(self._text_vectors[start:end] @ vector))
        return scores, extra

    def _mistyped_acronyms(self, question: str) -> str:
        """The question with acronyms typed in capitals one slip away from exactly one the
        glossary knows ("PNC" -> PCN, "ARSS" -> ARRS) written as that one."""
        def fix(match: re.Match[str]) -> str:
            token = match.group(0)
            word = token.lower()
            if len(word) < 3 or not token.isupper() or self.content.glossary_lookup(word) or \
                    stem(word) in self._curated:
                return token
            # Three letters one apart are often another acronym ("CMS" is not "CDS"): only
            # the same letters swapped ("PNC") are a slip there.
            near = [t for t in self.content.glossary if OSA.distance(word, t) == 1
                    and (len(word) > 3 or sorted(word) == sorted(t))]
            return near[0].upper() if len(near) == 1 else token
        return _NAME_TOKEN.sub(fix, question)

    def _foreign_names(self, question: str) -> list[str]:
        """Names and acronyms the content never uses ("CQC", "accuRx"): a question about one of
        them is about something the sources do not cover, however well its other words match.
        (Names of several words are `_foreign_phrases`.)"""
        found = []
        for token in _NAME_TOKEN.findall(question):
            word = token.lower()
            if word in STOPWORDS or word in _PLAIN_CAPITALS or len(word) < 2:
                continue
            if self.content.glossary_lookup(word) is not None:
                continue
            words = self._words(token)
            if words and all(w in self._df or w in self._expansions for w in words):
                continue
            found.append(token)
        return found

    def _foreign_words(self, question: str) -> list[str]:
        """Products the content never names, as a choice between two ("is Accurx or Klinik
        better") or something to use ("should we switch to Klinik"): about something else.
        (A name alone may be a person or a place, and the question still the content's.)"""
        found = []
        for match in _PRODUCT.finditer(question):
            names = [name for name in match.groups() if name]
            if all(self._unknown_name(name) for name in names):
                found.extend(names)
        return found

    def _unknown_name(self, name: str) -> bool:
        """Whether a word in title case is none the content uses, nor a slip for one."""
        word = name.lower()
        if word in STOPWORDS or word in CALENDAR or self.content.glossary_lookup(word):
            return False
        words = self._words(word)
        return bool(words) and not any(w in self._df or w in self._expansions for w in words) \
            and self._correct(word) is None

    def _foreign_phrases(self, question: str) -> list[str]:
        """Proper names of two or more words ("GP Connect") that the content never says, even
        when each word of them is common there ("GP", "connect")."""
        found = []
        for match in _NAME_PHRASE.finditer(question):
            words = match.group(0).split()
            if match.start() == 0 or question[:match.start()].rstrip().endswith((".", "?", "!")):
                words = words[1:]  # a sentence's first word is capitalised anyway
            # Acronyms side by side ("CSU IT") are checked one by one above; a name has a word
            # in title case ("GP Connect").
            if len(words) < 2 or words[0] == "I" or not any(
                    re.fullmatch(r"[A-Z][a-z]+", w) for w in words):
                continue
            if not self._known_parts([w.lower() for w in words]):
                found.append(" ".join(words))
        return found

    def _known_parts(self, words: list[str]) -> bool:
        """Whether the words split into parts the content knows: phrases it says, names it
        uses or terms its glossary holds ("Greater Manchester" + "PCNs", "Haslington" + "PCN")."""
        def known(part: list[str]) -> bool:
            phrase = " ".join(part)
            return self.content.glossary_lookup(phrase) is not None or (
                self._says(phrase) if len(part) > 1 else phrase in self._names)

        ends = {0}
        for end in range(1, len(words) + 1):
            if any(known(words[start:end]) for start in ends if start < end):
                ends.add(end)
        return len(words) in ends

    def _counted(self, phrase: str) -> set[str]:
        """The stems that count as what a question counts, its first two words and their
        synonyms ("how many key priorities" -> key, prioriti; "how many primary care networks"
        -> pcn and its synonyms)."""
        words = self._words(phrase)
        return {w for word in words[:2] for w in {word} | self._expansions.get(word, set())}

    def _says(self, phrase: str) -> bool:
        """Whether the content has these words side by side somewhere (each adjacent pair)."""
        wanted = np.fromiter(word_pairs(phrase), dtype=np.int64)
        at = np.searchsorted(self._pairs, wanted)
        return bool(np.all(at < len(self._pairs)) and
                    np.array_equal(self._pairs[np.minimum(at, len(self._pairs) - 1)], wanted))

    def _matched(self, doc: _Doc, concepts: list[set[str]], *, short: bool = False) -> set[int]:
        """Which of the question's concepts the entry speaks to: in any field, or (short)
        in its title, phrasings, asked questions or tags only."""
        names = ("title", "phrasings", "asked", "tags") if short else tuple(doc.fields)
        every = set().union(*(doc.fields[name] for name in names))
        return {n for n, concept in enumerate(concepts) if concept & every}

    def _other_part(self, question: str, concepts: list[set[str]], weights: list[float],
                    scored: list[tuple[float, float, str, int]]) -> tuple[Entry, ...]:
        """For a question in several parts ("how many met, and when is the next one?"), the
        entries that answer its other parts, each asked on its own; failing that, the next entry
        above the threshold that answers words the best entry leaves out."""
        answered = self._parts_answered(question, scored[0][2])
        if answered:
            return answered
        if not SEVERAL_PARTS.search(question.lower()) or len(scored) < 2:
            return ()
        best = self._docs[scored[0][2]]
        covered = self._matched(best, concepts)
        total = sum(weights)
        for _, confidence, entry_id, _ in scored[1:ALSO_LOOKS]:
            if confidence < self.threshold:
                continue
            # What the other part asks must be what this entry is about, not a passing word.
            extra = self._matched(self._docs[entry_id], concepts, short=True) - covered
            if sum(weights[n] for n in extra) / total >= ALSO_SHARE:
                return (self._docs[entry_id].entry,)
        return ()

    def _parts_answered(self, question: str, best_id: str) -> tuple[Entry, ...]:
        """The entries that answer the question's other parts each asked on its own ("who is
        the toolkit for, and can you download it?"), besides the best entry."""
        found: dict[str, Entry] = {}
        parts = [part.strip() for part in _PART_BREAK.split(question) if part.strip()]
        if len(parts) < 2:
            return ()
        own = set().union(*(words for name, words in self._docs[best_id].fields.items()
                            if name != "asked"))
        for part in parts:
            # A part the best entry already speaks to is answered by it: not asked again.
            _, concepts, _ = self._concepts(part)
            weights = self._weights(concepts)
            held = sum(w for concept, w in zip(concepts, weights, strict=True) if concept & own)
            if not concepts or held >= PART_COVERED * sum(weights):
                continue
            answer = self.ask(part, whole=False)
            if answer.answered and answer.entry is not None and answer.entry.id != best_id:
                found.setdefault(answer.entry.id, answer.entry)
        return tuple(found.values())[:ALSO_MOST]

    def _alternatives(self, scored: list[tuple[float, float, str, int]],
                      also: tuple[Entry, ...]) -> tuple[Entry, ...]:
        """When the best entry is answered without much confidence, the next ones that rank
        almost as high and would be answered on their own (at most ALTERNATIVES)."""
        best_rank, best_confidence = scored[0][0], scored[0][1]
        if best_confidence >= UNSURE:
            return ()
        shown = {e.id for e in also}
        return tuple(self._docs[entry_id].entry for rank, confidence, entry_id, _ in
                     scored[1:1 + ALTERNATIVES]
                     if confidence >= self.threshold and best_rank - rank <= CLOSE_RANK
                     and entry_id not in shown)

    def _passage(self, doc: _Doc, concepts: list[set[str]], weights: list[float]
                 ) -> tuple[float, int]:
        """How much of the question the entry's best passage covers, and which passage."""
        gained: dict[int, float] = {}
        bits = doc.passage_bits
        for concept, weight in zip(concepts, weights, strict=True):
            held = 0
            for word in concept:
                held |= bits.get(word, 0)
            while held:
                lowest = held & -held
                number = lowest.bit_length() - 1
                gained[number] = gained.get(number, 0) + weight
                held ^= lowest
        best, which = 0.0, -1
        total = sum(weights)
        for number in sorted(gained):
            if gained[number] / total > best:
                best, which = gained[number] / total, number
        return best, which

    def _build_expansions(self) -> None:
        """Map each query word to the words that also count for it (synonyms, acronyms)."""
        for group in self.content.synonyms:
            stems = {stem(w) for word in group for w in tokenize(word) if w not in STOPWORDS}
            for word in stems:
                self._expansions.setdefault(word, set()).update(stems)
        for term in set(self.content.glossary.values()):
            names = {stem(n.lower()) for n in (term.term, *term.aliases) if " " not in n}
            # Only the acronym's own spellings: its expansion is already read as the
            # acronym (see phrase_table), and its words alone ("digital") mean less.
            for name in names:
                self._expansions.setdefault(name, set()).update(names)

    def _correct(self, token: str) -> str | None:
        """The vocabulary word a mistyped token most likely meant, or None.

        Strict on purpose: a real word the content lacks ("share", "weather") must not
        become one it has ("shame", "whether"), so only longer words get an edit, and
        short ones only a transposition ("teh").
        """
        if len(token) < 3 or not token[0].isalpha():
            return None
        candidates = self._by_initial.get(token[0], [])
        if len(token) >= 6:
            max_distance = 1 if len(token) < 9 else 2
            # OSA: a swapped pair of letters ("inclusoin") is one edit, as a person sees it.
            match = process.extractOne(
                token, candidates, scorer=OSA.distance, score_cutoff=max_distance
            )
            if match is not None:
                return match[0]
        for candidate, _, _ in process.extract(
            token, candidates, scorer=OSA.distance, score_cutoff=1, limit=5
        ):
            if sorted(candidate) == sorted(token):
                return candidate
        return None

    def _concepts(self, question: str) -> tuple[list[str], list[set[str]], bool]:
        """Query words (stemmed, corrected), each with the stems that count for it; clinical?"""
        words: list[str] = []
        concepts: list[set[str]] = []
        text = everyday_senses_removed(self._normalise(question))
        for token in tokenize(text):
            if token in STOPWORDS:
                continue
            word = stem(token)
            also: set[str] = set()
            if word not in self._expansions and word not in self._curated:
                corrected = self._correct(token)
                if corrected is not None and word not in self._df:
                    if corrected in STOPWORDS:
                        continue
                    word = stem(corrected)
                elif corrected is not None and corrected not in STOPWORDS:
                    # A typo some asked question shares ("patinet") still means the word.
                    also = {stem(corrected)} | self._expansions.get(stem(corrected), set())
            words.append(word)
            concepts.append({word} | self._expansions.get(word, set()) | also)
        return words, concepts, is_clinical(text)

    def _weight(self, concept: set[str]) -> float:
        """Rarer words say more; smoothed so that common words still count for something."""
        df = max((self._df.get(w, 0) for w in concept), default=0)
        return 1.0 + math.log((len(self._docs) + 1) / (df + 0.5))

    def _weights(self, concepts: list[set[str]]) -> list[float]:
        """Each concept's weight in this question. In a long question a word the content never
        uses counts UNKNOWN_SHARE as much: people ask in words of their own ("rationale",
        "stakeholders"), and they must not sink a question the rest of which the content
        answers; in a short one it is likely what the question is about ("weather")."""
        known = [bool(c & self._df.keys()) for c in concepts]
        # ... but a question mostly in words the content never uses is about something else.
        long = len(concepts) >= LONG_QUESTION and sum(known) >= MOSTLY_KNOWN * len(concepts)
        return [self._weight(c) * (UNKNOWN_SHARE if long and not k else 1.0)
                for c, k in zip(concepts, known, strict=True)]

    def _coverage(self, doc: _Doc, concepts: list[set[str]], weights: list[float]) -> float:
        gained = 0.0
        for concept, weight in zip(concepts, weights, strict=True):
            gained += weight * next(
                (strength for strength, words in doc.strengths if concept & words), 0.0)
        return gained / sum(weights)

    def _closest(self, docs: Sequence[_Doc | _Declined], concepts: list[set[str]],
                 weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
        """For each of `docs`, the overlap (rarity-weighted Jaccard) with the closest of the
        phrasings it indexes, and which phrasing that is (-1 when none shares a word)."""
        # Array arithmetic over the phrasings that share a question word, for all the docs at
        # once: an entry may hold hundreds of asked questions, declined.toml a thousand, and
        # numpy's cost is per call.
        shared_rows: list[np.ndarray] = []
        shared_concepts: list[int] = []
        held_rows: list[np.ndarray] = []
        held_weights: list[float] = []
        held_offsets: list[int] = []
        offsets: list[int] = []
        starts: list[int] = []
        offset, synonyms = 0, False
        for doc in docs:
            holding = doc.holding
            starts.append(offset)
            seen: set[str] = set()
            for number, concept in enumerate(concepts):
                hits = 0
                for word in concept:
                    rows = holding.get(word)
                    if rows is None:
                        continue
                    hits += 1
                    shared_rows.append(rows)
                    shared_concepts.append(number)
                    offsets.append(offset)
                    if word not in seen:
                        seen.add(word)
                        held_rows.append(rows)
                        held_offsets.append(offset)
                        held_weights.append(self._word_weight[word])
                synonyms = synonyms or hits > 1
            offset += len(doc.phrasing_weights)
        none = np.full(len(docs), -1, dtype=np.int64)
        if not shared_rows:
            return np.zeros(len(docs)), none
        lengths = [len(rows) for rows in shared_rows]
        phrasing = np.concatenate(shared_rows) + np.repeat(offsets, lengths)
        concept = np.repeat(shared_concepts, lengths)
        if synonyms:
            # A phrasing holding two words of one concept (synonyms) counts it once.
            key = np.unique(phrasing * len(concepts) + concept)
            phrasing, concept = key // len(concepts), key % len(concepts)
        shared = np.bincount(phrasing, weights=np.asarray(weights)[concept], minlength=offset)
        held_lengths = [len(rows) for rows in held_rows]
        held = np.bincount(np.concatenate(held_rows) + np.repeat(held_offsets, held_lengths),
                           weights=np.repeat(held_weights, held_lengths), minlength=offset)
        totals = np.concatenate([doc.phrasing_weights for doc in docs])
        scores = shared / (sum(weights) + totals - held)
        best = np.maximum.reduceat(scores, starts)
        at_best = np.flatnonzero(scores == np.repeat(best, np.diff([*starts, offset])))
        which = at_best[np.searchsorted(at_best, starts)] - np.asarray(starts)
        # No phrasing sharing a word: no closest one.
        which[best <= 0] = -1
        return best, which

    def _candidates(self, concepts: list[set[str]], most: int = CANDIDATES
                    ) -> list[tuple[str, float]]:
        """Entry ids with their bm25 relevance (higher is better), best first.

        The rarer words against everything (query pruning: a word in most entries adds
        little to bm25 but adds thousands of rows to score), and, when words were
        pruned, every word against a second index of the short fields only.
        """
        # Rarest first, ties by spelling: the same question always searches the same words.
        words = sorted({w for c in concepts for w in c if w in self._df},
                       key=lambda w: (self._df[w], w))
        if not words:
            return []
        common = max(COMMON_FRACTION * len(self._docs), COMMON_FLOOR)
        rarer = [w for w in words if self._df[w] <= common][:MAX_TERMS]
        found: dict[str, float] = {}
        if rarer:
            found = {self._ids[i]: score for i, score in self._bm25.top(rarer, most)}
        if len(rarer) < len(words):
            for i, _ in self._short_bm25.top(words[:MAX_TERMS], most):
                # Found only through the short fields: no bm25 credit, as the scores of a
                # differently weighted search would not compare.
                found.setdefault(self._ids[i], 0.0)
        return sorted(found.items(), key=lambda item: -item[1])

    def _spellings_of_one_term(self, question: str) -> GlossaryTerm | None:
        """The glossary term, when the question asks whether another of its spellings ("DLT",
        which the article also writes) names something different."""
        if not _SAME_OR_DIFFERENT.search(question):
            return None
        found = {token: term for token in tokenize(question)
                 if (term := self.content.glossary_lookup(token)) is not None}
        terms = {term.term for term in found.values()}
        # One term, named at least once by a spelling that is not the term's own (plurals
        # aside: "DTLs" asks nothing of "DTL").
        return next(iter(found.values())) if len(terms) == 1 and any(
            token not in (own := term.term.lower(), f"{own}s", f"{own}es")
            for token, term in found.items()) else None

    def glossary_answer(self, question: str) -> GlossaryTerm | None:
        """A glossary term, when the question is just 'what is X' / 'what does X stand for',
        perhaps beside words saying where X was met ("what's a DLT - the article keeps
        saying it", "the toolkit keeps saying PCNs, what's that short for")."""
        asked = _REPORTED.sub("", _FILLER.sub("", " ".join(tokenize(question))))
        match = _GLOSSARY_QUESTION.match(asked) or _GLOSSARY_TERM_FIRST.match(asked)
        if match is not None:
            return self.content.glossary_lookup(match.group("term"))
        spelt = self._spellings_of_one_term(question)
        if spelt is not None:
            return spelt
        parts = [part for part in _PARTS.split(question) if part.strip()]
        for number, part in enumerate(parts if len(parts) > 1 else ()):
            # ("Sorry if this is a daft question but what is a PCN? ..." opens with filler;
            # a later "... and what PCN?" is a part of a question about something else.)
            words = " ".join(tokenize(part))
            words = _REPORTED.sub("", _FILLER.sub("", words) if number == 0 else words)
            match = _GLOSSARY_QUESTION.match(words)
            if match is None:
                continue
            others = [*parts[:number], *parts[number + 1:]]
            # A second question beside it ("what is DERI, and how is it used?") is not
            # answered by the glossary alone.
            if any(not _SAME_ASK.search(other) and (_SECOND_QUESTION.match(other) or (
                    "?" in other and not _AFTERTHOUGHT.match(other))) for other in others):
                return None
            name = match.group("term")
            if name not in _PRONOUNS:
                return self.content.glossary_lookup(name)
            # ("... pulled in two directions - what are they?" asks about the directions.)
            if name in _PLURAL_PRONOUNS and not _ASKS_EXPANSION.search(part):
                return None
            named = {found.term for other in others for token in _NAME_TOKEN.findall(other)
                     if (found := self.content.glossary_lookup(token)) is not None}
            return self.content.glossary_lookup(named.pop()) if len(named) == 1 else None
        return None

    def ask(self, question: str, *, whole: bool = True) -> Answer:
        """Choose the entry that answers the question, or say why none does. (`whole` is
        false for one part of a question asked on its own: no other parts are looked for.)"""
        kind = smalltalk(question)
        if kind is not None:
            return Answer(question, answered=False, score=0.0, reason="smalltalk",
                          smalltalk=kind)
        if steps_outside(question):
            # Refused; a clinical one ("forget the documents, which antidepressant ...?") with
            # the clinical reply.
            clinical = self._concepts(question)[2]
            return Answer(question, answered=False, score=0.0,
                          reason="clinical" if clinical else "unknown")
        # What is matched: the question with "dose the..." read as "does the..." and acronyms
        # mistyped in capitals put right (the answer still quotes the question as typed).
        text = self._mistyped_acronyms(dose_read_as_does(question))
        asked, context = asked_and_context(text)
        words, concepts, clinical = self._concepts(asked)
        context_words, context_concepts, context_clinical = self._concepts(context)
        clinical = clinical or context_clinical
        if clinical:
            return Answer(question, answered=False, score=0.0, reason="clinical")
        # "What does DFPC stand for in full? The toolkit never spells it out.": the question.
        term = self.glossary_answer(text) or (
            self.glossary_answer(asked) if context and _ASKS_EXPANSION.search(asked) else None)
        if term is not None:
            if _NOT_SPELT_OUT.search(term.expansion) and _ASKS_EXPANSION.search(text):
                # "What does DFPC stand for?": the term is known, what the letters mean is not.
                return Answer(question, answered=False, score=1.0, glossary=term,
                              reason="partial", missing="what the letters stand for")
            return Answer(question, answered=True, score=1.0, glossary=term)
        if not concepts and not context_concepts:
            return Answer(question, answered=False, score=0.0, reason="empty")
        # What the person says about themselves before the question counts for less, unless
        # the question itself says little the content knows ("... Is that unusual?").
        known = sum(1 for c in concepts if c & self._df.keys())
        share = CONTEXT_SHARE if known >= CONTEXT_NEEDS else 1.0
        asked_count = len(concepts)
        concepts = [*concepts, *context_concepts]
        weights = [w * (1.0 if n < asked_count else share)
                   for n, w in enumerate(self._weights(concepts))]
        query_key = " ".join(sorted(set(words or context_words)))
        scored: list[tuple[float, float, str, int]] = []
        # A part of a question, asked on its own, is short: fewer candidates will do.
        candidates = self._candidates(concepts, CANDIDATES if whole else PART_CANDIDATES)
        best_bm25 = candidates[0][1] if candidates and candidates[0][1] > 0 else 1.0
        semantic, nearest = self._semantic_scores(text, [i for i, _ in candidates])
        found = dict(candidates)
        for entry_id in nearest:
            found.setdefault(entry_id, 0.0)
        overlap_of = dict(zip(found, self._closest([self._docs[i] for i in found], concepts,
                                                   weights)[0].tolist(), strict=True))
        for entry_id, relevance in found.items():
            doc = self._docs[entry_id]
            passage, which = self._passage(doc, concepts, weights)
            signals = {
                "coverage": self._coverage(doc, concepts, weights),
                "likeness": process.extractOne(query_key, doc.phrasings,
                                               scorer=fuzz.ratio)[1] / 100,
                "bm25": relevance / best_bm25,
                "overlap": overlap_of[entry_id],
                "passage": passage,
                "semantic": max(0.0, semantic.get(entry_id, 0.0) - SEMANTIC_FLOOR)
                / (1.0 - SEMANTIC_FLOOR),
            }
            rank_score = sum(w * signals[k] for k, w in RANK_WEIGHTS.items())
            confidence = sum(w * signals[k] for k, w in CONFIDENCE_WEIGHTS.items())
            scored.append((rank_score, confidence, entry_id, which))
        if not scored:
            return Answer(question, answered=False, score=0.0, reason="unknown")
        scored.sort(key=lambda item: -item[0])
        _, best_score, best_id, which = scored[0]
        best_score = round(best_score, 4)
        named = self._foreign_phrases(text)
        foreign = self._foreign_names(text) + named
        if best_score >= self.threshold and not foreign:
            doc = self._docs[best_id]
            entry = doc.entry
            # Asked in the very words of one of its phrasings (an answer organisers wrote for
            # this question): the entry is the answer, whatever kind of fact it looks for.
            # (Its own phrasings only: a question asked.toml gives it may be close to one it
            # cannot answer, "what date and venue" beside "is there a date and venue".)
            own = (entry.title, *entry.phrasings)
            close = [(phrasing, key) for phrasing, key in zip(own, doc.phrasings, strict=False)
                     if fuzz.ratio(query_key, key) >= EXACT_LIKENESS]
            asked_so = bool(close)

            def lacks(asked: str) -> str | None:
                return missing_fact(
                    asked, entry, doc.left_out, counts=self._counted,
                    known_term=lambda term: self.content.glossary_lookup(term) is not None)

            missing = lacks(text)
            # ... in its very words, or a phrasing that asks for that kind of fact too: "who
            # ran the Lighthouse Project" is a word away from "when did it run", a date it lacks.
            # In its very words, a phrasing that asks for no kind of fact ("Setting up GP
            # Connect") vouches too; one asking for another kind ("who pays for a DTL" beside
            # "dtl pay?") does not; nor do the same words when a symbol asks the fact ("what %
            # of DTLs are PCN managers": words are compared, "%" is none).
            if missing is not None and any(
                    lacks(phrasing) == missing or (
                        key == query_key and not asks_a_fact(phrasing)
                        and not _FACT_SYMBOL.search(text)
                        and set(_FACT_QUESTION_WORD.findall(text.lower()))
                        <= set(_FACT_QUESTION_WORD.findall(phrasing.lower())))
                    for phrasing, key in close):
                missing = None
            if missing is not None:
                return Answer(question, answered=False, score=best_score, entry=entry,
                              reason="partial", missing=missing)
            if self._foreign_words(text):
                return Answer(question, answered=False, score=best_score, reason="unknown")
            declined = None if asked_so else self._declined_kind(overlap_of[best_id], concepts,
                                                                     weights)
            if declined is not None:
                return Answer(question, answered=False, score=best_score,
                              reason="clinical" if declined == "clinical" else "unknown")
            lead = doc.passages[which] if which > 0 else None
            also = self._other_part(text, concepts, weights, scored) if whole else ()
            return Answer(question, answered=True, score=best_score, entry=entry, passage=lead,
                          also=also, alternatives=self._alternatives(scored, also))
        if named or self._foreign_words(text):
            # About something the sources never name ("GP Connect"): topics that share its other
            # words are no help, so no "did you mean".
            return Answer(question, answered=False, score=best_score, reason="unknown")
        # Asked nearly as a question the sources do not answer: refused, never "did you mean".
        declined = self._declined_kind(overlap_of[best_id], concepts, weights)
        if declined is not None:
            return Answer(question, answered=False, score=best_score,
                          reason="clinical" if declined == "clinical" else "unknown")
        lower = self.threshold * SUGGEST_FRACTION
        near = tuple(self._docs[i].entry for _, c, i, _ in scored[:SUGGESTIONS] if c >= lower)
        return Answer(question, answered=False, score=best_score,
                      reason="suggest" if near else "unknown", near=near)
