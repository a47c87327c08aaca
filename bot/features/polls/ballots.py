"""Ballots: the choices, the ballot form, and checking form and text ballots."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.kernel.markup import literal
from bot.kernel.model import ChoiceField, Form, Option, TextField

# Who is leading a priority, and how far along it is: (stored id, label, words accepted).
LEADS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("dtl", "You (the DTL)", ("dtl", "me", "you", "self", "i")),
    ("pcn", "Someone else in the PCN", ("pcn", "someone", "someone-else", "other", "colleague")),
    ("practices", "The practices", ("practices", "practice")),
    ("icb", "The ICB or another system partner", ("icb", "system", "partner", "system-partner")),
    ("nobody", "Nobody yet", ("nobody", "nobody-yet", "none", "no-one", "noone")),
)
PROGRESS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("not-started", "Not started", ("not-started", "notstarted", "none", "not")),
    ("planning", "Planning", ("planning", "planned", "plan")),
    ("in-progress", "In progress", ("in-progress", "inprogress", "progress", "started",
                                    "underway", "doing")),
    ("embedded", "Embedded", ("embedded", "done", "complete", "completed")),
)
LEAD_LABELS = {key: label for key, label, _ in LEADS}
PROGRESS_LABELS = {key: label for key, label, _ in PROGRESS}
PCN_FIELD = "pcn"
PCN_MAX = 100


@dataclass(frozen=True)
class PollPriority:
    """One priority as a poll asked it (the poll's own copy)."""

    number: int
    id: str
    title: str
    description: str = ""


@dataclass
class Item:
    """One priority's line on a ballot; any part may be unset."""

    rank: int | None = None
    lead: str | None = None
    progress: str | None = None


@dataclass
class Checked:
    """A checked form submission: the items and PCN name, or the errors to show."""

    items: dict[str, Item] = field(default_factory=dict)
    pcn: str = ""
    error: str | None = None
    field_errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.field_errors


class BallotError(ValueError):
    """A text ballot that cannot be accepted; the message says what is wrong."""


def form_id(poll_id: int) -> str:
    return f"ballot:{poll_id}"


def rank_options(count: int) -> tuple[Option, ...]:
    labels = {1: " (most important)", count: " (least important)"}
    return tuple(Option(str(n), f"{n}{labels.get(n, '')}") for n in range(1, count + 1))


def priority_listing(priorities: list[PollPriority]) -> str:
    """The numbered list with ids, as the text ballot names them."""
    return "\n".join(f"- {p.number}. {p.title} (`{p.id}`)" for p in priorities)


def text_hint(priorities: list[PollPriority]) -> str:
    n = len(priorities)
    example = " ".join(str(i) for i in _example_order(n))
    return (
        f"You can also type your ballot: `rank {example}` lists the {n} priorities by their "
        "numbers (or ids) in your order, most important first; "
        "`status 3 icb in-progress` says who is leading priority 3 (dtl, pcn, practices, icb, "
        "nobody) and how far along it is (not-started, planning, in-progress, embedded).\n"
        + priority_listing(priorities)
    )


def _example_order(n: int) -> list[int]:
    order = list(range(1, n + 1))
    return order[1::2] + order[0::2]


def ballot_form(
    poll_id: int,
    title: str,
    priorities: list[PollPriority],
    values: dict[str, str] | None = None,
    *,
    error: str | None = None,
    field_errors: dict[str, str] | None = None,
) -> Form:
    """The ballot as a neutral form, filled in with `values` (field id to chosen value)."""
    values = values or {}
    field_errors = field_errors or {}
    ranks = rank_options(len(priorities))
    leads = tuple(Option(key, label) for key, label, _ in LEADS)
    stages = tuple(Option(key, label) for key, label, _ in PROGRESS)
    fields: list[ChoiceField | TextField] = []
    for p in priorities:
        group = f"{p.title} (#{p.number})"
        for prefix, label, options, required in (
            ("rank", "Rank", ranks, True),
            ("lead", "Who is leading it", leads, False),
            ("progress", "How far along", stages, False),
        ):
            fid = f"{prefix}:{p.id}"
            # Only a value among the options is kept: platforms reject any other initial.
            chosen = values.get(fid)
            initial = chosen if any(o.value == chosen for o in options) else None
            fields.append(ChoiceField(fid, label, options, initial=initial,
                                      required=required, error=field_errors.get(fid),
                                      group=group))
    fields.append(TextField(PCN_FIELD, "Your PCN's name (remembered for next time)",
                            initial=values.get(PCN_FIELD) or None, max_length=PCN_MAX,
                            error=field_errors.get(PCN_FIELD), group="Your PCN"))
    n = len(priorities)
    return Form(
        id=form_id(poll_id),
        title="Rank your priorities",
        fields=tuple(fields),
        submit_label="Submit ballot",
        intro=(
            f"**{literal(title)}**: rank the {n} priorities for your PCN, 1 for the most "
            f"important to {n} for the least, using each rank once. For each, you can also say "
            "who is leading it and how far along it is. Submitting again replaces your ballot "
            "until the poll closes."
        ),
        error=error,
        text_hint=text_hint(priorities),
        orders=tuple(f"rank:{p.id}" for p in priorities),
    )


def item_values(items: dict[str, Item], pcn: str = "") -> dict[str, str]:
    """A stored ballot as form values, to fill the form in again."""
    values: dict[str, str] = {}
    for pid, item in items.items():
        if item.rank is not None:
            values[f"rank:{pid}"] = str(item.rank)
        if item.lead:
            values[f"lead:{pid}"] = item.lead
        if item.progress:
            values[f"progress:{pid}"] = item.progress
    if pcn:
        values[PCN_FIELD] = pcn
    return values


def check_form(priorities: list[PollPriority], values: dict[str, str]) -> Checked:
    """Check a submitted ballot form: every rank 1..n exactly once, known leads and stages."""
    n = len(priorities)
    checked = Checked()
    errors = checked.field_errors
    by_rank: dict[int, list[PollPriority]] = {}
    for p in priorities:
        item = Item()
        raw = (values.get(f"rank:{p.id}") or "").strip()
        if not raw:
            errors[f"rank:{p.id}"] = "Choose a rank for this priority."
        elif not raw.isdecimal() or not 1 <= int(raw) <= n:
            errors[f"rank:{p.id}"] = f"The rank must be a whole number from 1 to {n}."
        else:
            item.rank = int(raw)
            by_rank.setdefault(item.rank, []).append(p)
        lead = (values.get(f"lead:{p.id}") or "").strip()
        if lead and lead not in LEAD_LABELS:
            errors[f"lead:{p.id}"] = "Choose one of the options."
        item.lead = lead or None
        stage = (values.get(f"progress:{p.id}") or "").strip()
        if stage and stage not in PROGRESS_LABELS:
            errors[f"progress:{p.id}"] = "Choose one of the options."
        item.progress = stage or None
        checked.items[p.id] = item
    for rank, holders in by_rank.items():
        if len(holders) > 1:
            for p in holders:
                others = ", ".join(f"{o.number}. {o.title}" for o in holders if o is not p)
                errors[f"rank:{p.id}"] = f"Rank {rank} is also given to {others}."
    pcn = " ".join((values.get(PCN_FIELD) or "").split())
    if len(pcn) > PCN_MAX:
        errors[PCN_FIELD] = f"Keep the PCN's name to {PCN_MAX} characters."
    checked.pcn = pcn
    if errors:
        unused = [str(r) for r in range(1, n + 1) if r not in by_rank]
        repeated = [str(r) for r, holders in sorted(by_rank.items()) if len(holders) > 1]
        problems = []
        if repeated:
            problems.append(f"rank {', '.join(repeated)} used more than once")
        if unused:
            problems.append(f"rank {', '.join(unused)} not used")
        if problems or any(key.startswith("rank:") for key in errors):
            detail = f" ({'; '.join(problems)})" if problems else ""
            reason = f"each rank from 1 to {n} must be used exactly once{detail}"
        else:
            reason = "please correct the marked answers"
        checked.error = (
            f"Your ballot was not saved: {reason}. Your earlier ballot, if any, is unchanged."
        )
    return checked


def resolve(priorities: list[PollPriority], token: str) -> PollPriority:
    """A priority named by its number in the poll's list or by its id."""
    word = token.strip().strip(",.;").lower()
    n = len(priorities)
    if re.fullmatch(r"[+-]?\d+", word):
        number = int(word)
        if not 1 <= number <= n:
            raise BallotError(f"“{literal(token)}” is out of range: the priorities are "
                              f"numbered 1 to {n}.")
        return priorities[number - 1]
    for p in priorities:
        if p.id == word:
            return p
    ids = ", ".join(f"`{p.id}`" for p in priorities)
    raise BallotError(
        f"“{literal(token)}” is not one of this poll's priorities. Use their numbers 1 to {n} or "
        f"their ids: {ids}."
    )


# Words that make "rank ..." or "status ..." a question, not a ballot ("rank the priorities for
# me", "status of the DTL role"): priority ids and lead/progress words are never among them.
_QUESTION_WORDS = frozenset(
    """a an the of for to me my our your is are was what how why when who which do does did
    can could should would will in on at about with this that these those it its and or
    best top please""".split()
)
_ID_TOKEN = re.compile(r"#?\d+|[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _arg_tokens(args: str) -> list[str]:
    return [t.lower() for t in re.split(r"[\s,;]+", args.strip().rstrip("?!.")) if t]


def looks_like_rank(args: str) -> bool:
    """Whether `rank ARGS` is a ballot: only priority numbers or ids, no question words."""
    tokens = _arg_tokens(args)
    return bool(tokens) and all(
        _ID_TOKEN.fullmatch(t) and t not in _QUESTION_WORDS for t in tokens
    )


def looks_like_status(args: str) -> bool:
    """Whether `status ARGS` is a ballot line: a priority number or id first, then a lead."""
    tokens = _arg_tokens(args)
    if not tokens or not _ID_TOKEN.fullmatch(tokens[0]) or tokens[0] in _QUESTION_WORDS:
        return False
    if tokens[0].lstrip("#").isdigit():
        return True
    if len(tokens) == 1:
        return False
    # A word first (a priority's id) must be followed by a lead, or it is a question.
    lead_words = {w for _, _, words in LEADS for w in words}
    return tokens[1] in lead_words or tokens[1].split("-")[0] in lead_words


def parse_rank(priorities: list[PollPriority], args: str) -> dict[str, int]:
    """`rank A B C ...`: every priority once, most important first; returns id -> rank."""
    n = len(priorities)
    tokens = [t for t in re.split(r"[\s,;]+", args.strip()) if t]
    if not tokens:
        raise BallotError(
            f"Give all {n} priorities in your order, most important first, by number or id, "
            f"e.g. `rank {' '.join(str(i) for i in _example_order(n))}`."
        )
    chosen = [resolve(priorities, t) for t in tokens]
    seen: dict[str, int] = {}
    for position, p in enumerate(chosen, start=1):
        if p.id in seen:
            raise BallotError(
                f"{p.number}. {p.title} appears twice (places {seen[p.id]} and {position}). "
                f"List each of the {n} priorities once."
            )
        seen[p.id] = position
    if len(chosen) < n:
        missing = ", ".join(f"{p.number}. {p.title}" for p in priorities if p.id not in seen)
        raise BallotError(
            f"You listed {len(chosen)} of the {n} priorities; missing: {missing}. "
            f"List all {n}, most important first."
        )
    return seen


def _match_prefix(words: str, table: tuple[tuple[str, str, tuple[str, ...]], ...]
                  ) -> tuple[str, str] | None:
    """The choice whose accepted word starts `words` (longest first), and what follows."""
    candidates = sorted(((w, key) for key, _, ws in table for w in ws), key=lambda c: -len(c[0]))
    for word, key in candidates:
        if words == word or words.startswith(word + "-"):
            return key, words[len(word) + 1:]
    return None


def parse_status(priorities: list[PollPriority], args: str) -> tuple[PollPriority, str, str]:
    """`status N LEAD PROGRESS`, e.g. `status 3 icb in-progress`: (priority, lead, progress)."""
    usage = (
        "Type `status N LEAD PROGRESS`, e.g. `status 3 icb in-progress`. LEAD is one of "
        "dtl, pcn, practices, icb, nobody; PROGRESS is one of not-started, planning, "
        "in-progress, embedded."
    )
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        raise BallotError(usage)
    priority = resolve(priorities, parts[0])
    rest = "-".join(re.split(r"[\s_]+", parts[1].strip().lower()))
    lead = _match_prefix(rest, LEADS)
    if lead is None:
        who = literal(parts[1].split()[0])
        raise BallotError(f"I don't know who “{who}” is as a lead. {usage}")
    stage = _match_prefix(lead[1], PROGRESS) if lead[1] else None
    if stage is None or stage[1]:
        said = lead[1].replace("-", " ") or "nothing"
        raise BallotError(f"I don't know the progress stage “{literal(said)}”. {usage}")
    return priority, lead[0], stage[0]
