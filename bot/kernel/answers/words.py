"""Words as the answer index reads them: tokens, stems, stop words, phrases, sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator

import Stemmer

from bot.kernel.content import Content

# Common English words that say nothing about which topic is meant.
STOPWORDS = frozenset(
    """a about above after again against all almost also am an and any anyone anything are
    aren't around as at away back be because been before being below between both but by can
    can't could couldn't did didn't do does doesn't doing don't done down during each either
    else enough even ever every few for from further get gets getting give
    good got had hasn't has have haven't having he her here hers herself him himself his how
    i i'd i'll i'm i've if in into is isn't it it's its itself just keep kind know let like
    look lot lots make making may maybe me might mine more most much must my myself need
    needs never no nor not now of off ok okay on once one only or other others ought
    our ours ourselves out over own please put quite rather really right said same say says
    see seem she should shouldn't so some someone something sort still such sure take tell
    than thanks thank that that's the their theirs them themselves then there there's these
    they they're thing things think this those though through to too try under until up upon
    us use used very want wanted was wasn't way we we're well were weren't what what's whats
    when where whether which while who who's whom whose why will with without won't would
    wouldn't yes yet you you're your yours yourself im dont doesnt isnt arent cant wont
    wanna gonna hi hello hey pls plz anybody somebody something explain show whole include
    includes including""".split()
)


# The months and days, which a date holds.
CALENDAR = frozenset("""january february march april may june july august september october
    november december monday tuesday wednesday thursday friday saturday sunday""".split())


# PyStemmer keeps a cache of stems it has seen; sharing one is safe (the GIL guards it).
_STEMMER = Stemmer.Stemmer("english")


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


_PAIR_WORD = re.compile(r"[\w&-]+")


def word_pairs(text: str) -> Iterator[int]:
    """Each pair of adjacent words of the text, lowercased, as a hash (to test names cheaply)."""
    words = _PAIR_WORD.findall(text.lower())
    return (hash(pair) for pair in zip(words, words[1:], strict=False))


# A sentence: up to and with its full stop, question mark or exclamation mark.
_SENTENCE = re.compile(r"[^.?!]+(?:[.?!]+|$)")


def asked_and_context(text: str) -> tuple[str, str]:
    """The sentences that ask (end in a question mark) and the rest, the context the person
    gives ("We're a PCN of six practices."); all of it asks when no sentence ends in one."""
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    asking = [s for s in sentences if s.endswith("?")]
    if not asking or len(asking) == len(sentences):
        return text, ""
    return " ".join(asking), " ".join(s for s in sentences if not s.endswith("?"))


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; curly apostrophes folded, possessives kept whole."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem, applied alike to content and questions."""
    if word.endswith("'s"):
        word = word[:-2]
    return _STEMMER.stemWord(word)


def content_words(text: str) -> list[str]:
    return [stem(t) for t in tokenize(text) if t not in STOPWORDS]


def phrase_table(content: Content) -> list[tuple[re.Pattern[str], str]]:
    """Phrases read as one word: the synonyms file's, each acronym's expansion and aliases."""
    table = dict(content.phrases)
    for term in content.glossary.values():
        # An acronym that is also a common word ("IT") stays spelt out instead.
        if " " in term.expansion.strip() and term.term.lower() not in STOPWORDS:
            table.setdefault(term.expansion.lower(), term.term.lower())
        # Other spellings ("DTLs", the article's "DLT") read as the term itself.
        for alias in term.aliases:
            if alias.lower() != term.term.lower() and alias.lower() not in STOPWORDS:
                table.setdefault(alias.lower(), term.term.lower())
    # Longest first, so "primary care network" wins over "primary care".
    ordered = sorted(table.items(), key=lambda item: -len(item[0]))
    return [
        (re.compile(r"\b" + r"\s+".join(map(re.escape, phrase.split())) + r"s?\b"), word)
        for phrase, word in ordered
    ]


def first_word(pattern: re.Pattern[str]) -> str:
    """The literal text a phrase_table pattern starts with (up to its first space or "s?")."""
    body = pattern.pattern[2:]  # after the leading \b
    literal = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if body[i + 1] in "sb":  # \s+ between words, \b at the end
                break
            literal.append(body[i + 1])
            i += 2
            continue
        if char == "s" and body[i + 1:i + 2] == "?":
            break
        literal.append(char)
        i += 1
    return "".join(literal)


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*(\"'])")


def passages(body: str) -> list[str]:
    """An entry body's sentences and bullet points, in order, markup kept."""
    found: list[str] = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if _BULLET.match(line):
            found.append(_BULLET.sub("", line))
            continue
        found.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return found
