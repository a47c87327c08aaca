"""Which priority a person means: a number, an id, or words matched against the priorities'
titles and descriptions and the synonyms file, so an edited priority list works without code;
and the natural questions ("who else is working on X?", "has anyone done X?")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kernel.content import Content, Priority

# Words that say nothing about which priority is meant.
STOPWORDS = frozenset(
    "a an the our my your their its this that these those of on in for and or to with about "
    "at by from into is are was were be been it we i you they new".split()
)
WORD = re.compile(r"[a-z0-9]+")
# "who else is working on X", "has anyone done X", and close variants; X is the last group.
QUESTIONS = (
    re.compile(
        r"^(?:so |and |hi |hello )?(?:who|which dtls?|which pcns?|anyone|anybody|someone|"
        r"is anyone|is anybody|is someone|are any dtls?|any dtls?)\s+(?:else\s+)?"
        r"(?:is |are |'s |s )?(?:also\s+)?(?:working on|working with|doing|done|tackling|"
        r"implementing|rolling out|started on|started|further along with|"
        r"further along on|ahead on|ahead with)\s+(?P<what>.+)$"
    ),
    re.compile(
        r"^(?:has|have|did)\s+(?:anyone|anybody|someone|any dtls?|any other dtls?|other dtls)"
        r"\s+(?:else\s+)?(?:already\s+)?(?:done|finished|completed|implemented|embedded|"
        r"rolled out|sorted|worked on|started on|started|tackled|cracked)\s+(?P<what>.+)$"
    ),
    re.compile(
        r"^who\s+(?:else\s+)?(?:has|have)\s+(?:already\s+)?(?:done|finished|completed|"
        r"implemented|embedded|rolled out|sorted|worked on|tackled|cracked|started on|started)"
        r"\s+(?P<what>.+)$"
    ),
)


@dataclass(frozen=True)
class Found:
    """What a person's words matched: one priority, or several equally (ask which)."""

    priority: Priority | None
    candidates: tuple[Priority, ...] = ()


def asks_about_others(text: str) -> bool:
    """Whether the question is plainly about other DTLs ("who else", "has anyone"), so it is
    answered by peers even when its topic is no priority."""
    lowered = " ".join(text.lower().split())
    return bool(re.search(r"\b(?:else|anyone|anybody|other dtls|any dtls?)\b", lowered))


def question_topic(text: str) -> str | None:
    """The X of "who else is working on X?" / "has anyone done X?", or None."""
    lowered = " ".join(text.lower().replace("’", "'").replace("who's", "who is").split())
    lowered = lowered.rstrip("?!. ")
    for pattern in QUESTIONS:
        match = pattern.match(lowered)
        if match:
            what = re.sub(r"\b(?:yet|already|too|as well|so far|in (?:their|your|a) pcn|"
                          r"here|at the moment|now)\b", " ", match["what"])
            what = " ".join(what.split())
            return what or None
    return None


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str, content: Content) -> list[str]:
    lowered = " ".join(text.lower().replace("-", " ").split())
    for phrase, word in content.phrases.items():
        lowered = re.sub(rf"\b{re.escape(phrase)}\b", word, lowered)
    return [w for w in WORD.findall(lowered) if w not in STOPWORDS]


def _expanded(word: str, content: Content) -> set[str]:
    """The word, its singular, and every word in a synonym group with either."""
    forms = {word, _stem(word)}
    for group in content.synonyms:
        if forms & set(group) or forms & {_stem(g) for g in group}:
            forms |= set(group)
    return forms | {_stem(w) for w in forms}


def find(content: Content, text: str) -> Found:
    """The priority meant by `text`: its number in the list, its id, or its words."""
    text = " ".join(text.strip().strip("\"'`").split())
    priorities = content.priorities
    if not text:
        return Found(None)
    number = re.fullmatch(r"#?(\d+)", text)
    if number:
        index = int(number.group(1))
        return Found(priorities[index - 1] if 1 <= index <= len(priorities) else None)
    for p in priorities:
        if text.lower() == p.id or text.lower() == p.title.lower():
            return Found(p)
    query = _words(text, content)
    if not query:
        return Found(None)
    # Each priority's words: the title and id count twice as much as the description.
    strong = {p.id: {_stem(w) for w in _words(f"{p.id} {p.title}", content)} for p in priorities}
    weak = {p.id: {_stem(w) for w in _words(p.description, content)} for p in priorities}
    scores: dict[str, float] = {p.id: 0.0 for p in priorities}
    for word in query:
        forms = {_stem(f) for f in _expanded(word, content)}
        hits = {pid: 2.0 if forms & strong[pid] else 1.0 if forms & weak[pid] else 0.0
                for pid in scores}
        spread = sum(1 for h in hits.values() if h)
        for pid, hit in hits.items():
            if hit:
                # A word most priorities share ("digital", "practice") tells them apart less.
                scores[pid] += hit / spread
    best = max(scores.values())
    if best <= 0:
        return Found(None)
    top = tuple(p for p in priorities if scores[p.id] == best)
    if len(top) == 1:
        return Found(top[0])
    return Found(None, top)
