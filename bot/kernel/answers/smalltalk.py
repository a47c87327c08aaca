"""Small talk as whole messages: greetings, thanks, who the bot is, what it can do, goodbyes."""

from __future__ import annotations

import re

# Small talk, as whole messages (a greeting before a real question is just a stopword there).
_BOT = r"(?:\s+(?:there|bot|dtlbot|dtl\s+bot|all|everyone|folks|team|again|mate))?"


_WHAT_YOU_ARE = r"(?:just\s+)?(?:an?\s+)?(?:real\s+|actual\s+|live\s+)?(?:bot|robot|human|" \
    r"person|ai|chatgpt|chatbot|machine)"


# Said after the question ("... or just a bot lol").
_TRAILING = r"(?:\s+(?:lol|haha|ha|tbh|then|really|honestly|though|mate))*"


SMALLTALK = (
    ("greeting", re.compile(
        r"^(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|hi\s+hello|good\s+(?:morning|afternoon|"
        r"evening|day)|morning|afternoon|evening)" + _BOT + r"(?:[\s,]+how\s+are\s+(?:you|u)"
        r"(?:\s+doing)?(?:\s+today)?|[\s,]+how's\s+it\s+going)?$")),
    ("thanks", re.compile(
        r"^(?:(?:ok(?:ay)?|great|brilliant|perfect|lovely|cool|nice|super|fab|excellent|"
        r"fantastic|amazing|awesome|good)[\s,!]*)?(?:thanks+|thank\s+(?:you|u)|thankyou|ty|"
        r"thx|ta|cheers|many\s+thanks|much\s+appreciated|appreciated)(?:\s+(?:very|so)\s+much"
        r"|\s+a\s+lot|\s+loads)?" + _BOT + r"(?:\s+for\s+(?:your|the|all\s+the|that|this)\s+"
        r"(?:help|info|information|answer|answers|advice))?(?:[\s,!]*(?:that(?:'s|s|\s+is|\s+was)\s+"
        r"(?:been\s+)?(?:really\s+|very\s+)?(?:helpful|great|useful|perfect)))?$"
        r"|^(?:that(?:'s|s|\s+is|\s+was)\s+)(?:been\s+)?(?:really\s+|very\s+|super\s+)?"
        r"(?:helpful|useful|"
        r"great|perfect|brilliant|what\s+i\s+needed)$")),
    ("who", re.compile(
        r"^(?:who|what)\s+(?:are|r)\s+(?:you|u)(?:\s+exactly)?$|^(?:are|r)\s+(?:you|u)\s+"
        + _WHAT_YOU_ARE + r"(?:\s+or\s+" + _WHAT_YOU_ARE + r")?" + _TRAILING + "$"
        r"|^(?:are|r)\s+(?:you|u)\s+" + _WHAT_YOU_ARE + r"\s+or\s+(?:is|are)\s+(?:there\s+)?"
        r"(?:someone|somebody|a\s+person|a\s+human|people|anyone)\b[\w\s'-]{0,60}$"
        r"|^what(?:'s|\s+is)\s+your\s+name(?:\s+(?:and\s+)?(?:are|r)\s+(?:you|u)\s+"
        + _WHAT_YOU_ARE + r")?$|^(?:who\s+(?:are|r)\s+(?:you|u)\s+and\s+)?who\s+(?:made|built|runs|"
        r"wrote|created|designed)\s+(?:you|u)(?:\s+and\s+what(?:'s\s+your\s+name|\s+is\s+your\s+name|"
        r"\s+are\s+(?:you|u)\s+called))?$"
        r"|^introduce\s+yourself$|^tell\s+me\s+about\s+yourself$")),
    ("abilities", re.compile(
        r"^what\s+(?:can|do|could)\s+(?:you|u)\s+(?:do|help\s+(?:me\s+)?with|tell\s+me"
        r"(?:\s+about)?|know(?:\s+about)?|answer)$|^how\s+(?:can|do|could)\s+(?:you|u)\s+"
        r"help(?:\s+me)?$|^what\s+(?:can|should|could)\s+i\s+ask(?:\s+(?:you|u))?$"
        r"|^what\s+do\s+(?:you|u)\s+do$|^what\s+are\s+(?:you|u)\s+for$"
        r"|^(?:can|could)\s+(?:you|u)\s+help(?:\s+me)?$")),
    # "ok", "lol", "makes sense", "fair enough": heard, nothing asked (and never an entry's
    # rare word: "understood" is not "understand the operating models").
    ("ack", re.compile(r"^(?:{0})(?:\s+(?:{0}))*$".format("|".join((
        r"ok(?:ay)?", r"okey", r"k+", r"right", r"cool", r"great", r"nice", r"fine", r"sure",
        r"alright", r"all\s+right", r"lol", r"lmao", r"(?:ha)+h?", r"(?:he)+h?",
        r"fair\s+enough", r"got\s+it", r"gotcha", r"noted", r"understood",
        r"(?:that\s+|it\s+)?makes\s+sense", r"i\s+see", r"no\s+worries", r"np", r"nvm",
        r"never\s+mind", r"sounds\s+good", r"will\s+do", r"oh", r"ah", r"hmm+", r"interesting",
        r"wow", r"good\s+to\s+know", r"thanks", r"ta", r"cheers"))))),
    ("goodbye", re.compile(
        r"^(?:(?:ok(?:ay)?|thanks|thank\s+you|cheers|right)[\s,]+)*(?:bye+|goodbye|bye\s+bye|see\s+(?:you|ya|u)"
        r"(?:\s+later|\s+soon)?|later|good\s*night|night|that(?:'s|s)\s+all(?:\s+for\s+now)?|"
        r"ttyl|catch\s+(?:you|u)\s+later|have\s+a\s+(?:good|nice|great)\s+(?:day|one|evening))"
        + _BOT + "$")),
)


def smalltalk(text: str) -> str | None:
    """The kind of small talk a whole message is (greeting, thanks, who, abilities, ack,
    goodbye)."""
    words = " ".join(re.sub(r"[^\w\s']+", " ", text.lower().replace("\u2019", "'")).split())
    for kind, pattern in SMALLTALK:
        if pattern.match(words):
            return kind
    return None
