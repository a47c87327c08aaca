"""Curated content: loading and validating the entries, glossary, synonyms and priorities."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import frontmatter
import yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PRIORITY_COUNT = 8
# Links in an entry's body may only go to the web or to an email address.
LINK_TARGET = re.compile(r"\[[^\]]*\]\(([^)]*)\)")
SAFE_LINK = re.compile(r"^(?:https?://|mailto:)\S+$", re.IGNORECASE)
ENTRY_KEYS = ("id", "title", "source", "source_url", "phrasings", "tags", "related", "reviewed",
              "review_by")


@dataclass(frozen=True)
class Entry:
    """One curated answer: a topic with its title, phrasings, body and source."""

    id: str
    title: str
    body: str
    source: str
    phrasings: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    path: str = ""
    # Where the source document can be read (an http(s) link), when the content names one.
    source_url: str = ""
    # When it was last reviewed and when it is next due a review (YYYY-MM-DD, or "").
    reviewed: str = ""
    review_by: str = ""
    # Where it comes from: "file", or a content layer's word for it (e.g. "chat").
    origin: str = "file"


@dataclass(frozen=True)
class GlossaryTerm:
    term: str
    expansion: str
    definition: str
    source: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Priority:
    id: str
    title: str
    description: str
    source: str = ""


@dataclass
class Content:
    entries: dict[str, Entry] = field(default_factory=dict)
    glossary: dict[str, GlossaryTerm] = field(default_factory=dict)
    synonyms: list[tuple[str, ...]] = field(default_factory=list)
    # Multi-word phrases read as one word ("catch up" -> "catchup"), lowercase.
    phrases: dict[str, str] = field(default_factory=dict)
    priorities: list[Priority] = field(default_factory=list)
    path: str = ""
    # The shipped files' entries and priorities, before any content layer (see Overlay).
    files: dict[str, Entry] = field(default_factory=dict)
    file_priorities: list[Priority] = field(default_factory=list)
    # Which state of the content layers this is, and what they had to say when applied.
    revision: str = ""
    notes: list[str] = field(default_factory=list)
    # Questions people asked in their own words, by the id of the entry that answers them
    # (asked.toml): matched like phrasings, never shown, and kept apart from the phrasings
    # that organisers edit in chat.
    asked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Questions people asked that the sources do not answer (declined.toml), by why: "clinical"
    # or "outside" the sources. A question asked nearly so is refused (bot.kernel.answers).
    declined: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def glossary_lookup(self, term: str) -> GlossaryTerm | None:
        """Find a glossary term by its name or an alias, ignoring case."""
        return self.glossary.get(term.strip().lower())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located at file:line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Overlay:
    """A layer over the shipped files (e.g. entries taught in chat, kept in the database).

    Entries here add to or replace the files' entries of the same id; ids in `retired` are
    left out; `priorities`, when given, replace the files' list.
    """

    entries: dict[str, Entry] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)
    priorities: list[Priority] | None = None
    revision: str = ""
    notes: list[str] = field(default_factory=list)


def apply_overlays(content: Content, overlays: list[Overlay]) -> Content:
    """The content with each layer applied in order (links to entries left out are dropped)."""
    files = content.files or dict(content.entries)
    file_priorities = content.file_priorities or list(content.priorities)
    entries = dict(files)
    priorities = list(file_priorities)
    for overlay in overlays:
        entries.update(overlay.entries)
        for entry_id in overlay.retired:
            entries.pop(entry_id, None)
        if overlay.priorities is not None:
            priorities = list(overlay.priorities)
    entries = {
        key: entry if all(r in entries and r != key for r in entry.related)
        else replace(entry, related=tuple(r for r in entry.related if r in entries and r != key))
        for key, entry in entries.items()
    }
    return replace(
        content, entries=entries, priorities=priorities, files=files,
        file_priorities=file_priorities,
        revision="/".join(o.revision for o in overlays if o.revision),
        notes=[note for o in overlays for note in o.notes],
    )


def unsafe_links(text: str) -> list[str]:
    """Link targets in Markdown text that are not web or email addresses (javascript:...)."""
    return [m.group(1) for m in LINK_TARGET.finditer(text) if not SAFE_LINK.match(m.group(1))]


def iso_date(value: object) -> str | None:
    """A front matter date (YAML date or "YYYY-MM-DD") as YYYY-MM-DD; None if not a date."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_content(directory: str | Path) -> Content:
    """Load content, raising ContentError listing every problem if any is found."""
    content, problems = check_content(directory)
    if problems:
        raise ContentError(problems)
    return content


def check_content(directory: str | Path) -> tuple[Content, list[Problem]]:
    """Load what can be loaded and list every problem found, with file:line."""
    root = Path(directory)
    content = Content(path=str(root))
    problems: list[Problem] = []
    if not root.is_dir():
        return content, [Problem(str(root), 0, "content directory not found")]
    _load_entries(root / "entries", content, problems)
    _load_glossary(root / "glossary.toml", content, problems)
    _load_synonyms(root / "synonyms.toml", content, problems)
    _load_priorities(root / "priorities.toml", content, problems)
    _load_asked(root / "asked.toml", content, problems)
    _load_declined(root / "declined.toml", content, problems)
    content.files = dict(content.entries)
    content.file_priorities = list(content.priorities)
    return content, problems


def _line_of(text: str, needle: str, default: int = 1) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return default


def _str_list(value: object) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    return None


def _load_entries(folder: Path, content: Content, problems: list[Problem]) -> None:
    if not folder.is_dir():
        problems.append(Problem(str(folder), 0, "entries folder not found"))
        return
    seen: dict[str, str] = {}
    related_refs: list[tuple[Entry, str, int]] = []
    for path in sorted(folder.glob("*.md")):
        text = _read_text(path, problems)
        if text is None:
            continue
        try:
            post = frontmatter.loads(text)
        except yaml.YAMLError as exc:
            # Where the broken construct starts ("[" of an unclosed list) beats where
            # the parser gave up, which can be lines later.
            mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problems.append(Problem(str(path), line, f"bad front matter: {exc}"))
            continue
        meta = post.metadata
        before = len(problems)
        for key in ("id", "title", "source"):
            if not isinstance(meta.get(key), str) or not meta[key].strip():
                problems.append(Problem(str(path), 1, f"front matter needs a '{key}' string"))
        lists = {}
        for key in ("phrasings", "tags", "related"):
            lists[key] = _str_list(meta.get(key))
            if lists[key] is None:
                line = _line_of(text, f"{key}:")
                problems.append(Problem(str(path), line, f"'{key}' must be a list of strings"))
        source_url = meta.get("source_url", "")
        if not isinstance(source_url, str) or (
                source_url and not re.fullmatch(r"https?://[^\s()<>]+", source_url.strip())):
            problems.append(Problem(str(path), _line_of(text, "source_url:"),
                                    "'source_url' must be a link starting with https://"))
        unknown = set(meta) - set(ENTRY_KEYS)
        for key in sorted(unknown):
            problems.append(Problem(str(path), _line_of(text, f"{key}:"), f"unknown key '{key}'"))
        dates = {}
        for key in ("reviewed", "review_by"):
            dates[key] = iso_date(meta[key]) if key in meta else ""
            if dates[key] is None:
                problems.append(Problem(str(path), _line_of(text, f"{key}:"),
                                        f"'{key}' must be a date, YYYY-MM-DD"))
        if not post.content.strip():
            problems.append(Problem(str(path), 1, "entry has no body text"))
        for target in unsafe_links(post.content):
            problems.append(Problem(str(path), _line_of(text, target),
                                    f"link to '{target[:60]}': only https://, http:// and "
                                    "mailto: links are allowed"))
        if len(problems) > before:
            continue
        entry_id = meta["id"].strip()
        id_line = _line_of(text, "id:")
        if not ID_PATTERN.match(entry_id):
            problems.append(
                Problem(str(path), id_line, f"id '{entry_id}' must be lowercase-with-hyphens")
            )
            continue
        if entry_id in seen:
            problems.append(
                Problem(str(path), id_line, f"duplicate id '{entry_id}' (also in {seen[entry_id]})")
            )
            continue
        seen[entry_id] = str(path)
        entry = Entry(
            id=entry_id,
            title=meta["title"].strip(),
            body=post.content.strip(),
            source=meta["source"].strip(),
            phrasings=lists["phrasings"],
            tags=lists["tags"],
            related=lists["related"],
            path=str(path),
            source_url=source_url.strip(),
            reviewed=dates["reviewed"] or "",
            review_by=dates["review_by"] or "",
        )
        content.entries[entry_id] = entry
        related_line = _line_of(text, "related:")
        related_refs.extend((entry, target, related_line) for target in entry.related)
    for entry, target, line in related_refs:
        if target not in content.entries:
            problems.append(
                Problem(entry.path, line, f"related entry '{target}' does not exist")
            )
        elif target == entry.id:
            problems.append(Problem(entry.path, line, "an entry cannot be related to itself"))


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    """The file's text, or None with a problem naming the line that is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(Problem(str(path), line, f"not valid UTF-8 text (byte {exc.start + 1}): "
                                "save the file as UTF-8"))
        return None


def _tables(data: dict, key: str, path: Path, text: str, problems: list[Problem]) -> list[dict]:
    """`[[key]]` tables from a TOML file; anything else there is a problem, not a crash."""
    items = data.get(key, [])
    if isinstance(items, list) and all(isinstance(i, dict) for i in items):
        return items
    problems.append(Problem(str(path), _line_of(text, key),
                            f"'{key}' must be a list of [[{key}]] tables"))
    return []


def _read_toml(path: Path, problems: list[Problem]) -> tuple[dict, str] | None:
    if not path.is_file():
        problems.append(Problem(str(path), 0, "file not found"))
        return None
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.append(Problem(str(path), int(match.group(1)) if match else 1, str(exc)))
        return None


def _load_glossary(path: Path, content: Content, problems: list[Problem]) -> None:
    loaded = _read_toml(path, problems)
    if loaded is None:
        return
    data, text = loaded
    for item in _tables(data, "term", path, text, problems):
        term = item.get("term")
        line = _line_of(text, f'"{term}"') if isinstance(term, str) else 1
        missing = [k for k in ("term", "expansion", "definition", "source")
                   if not isinstance(item.get(k), str) or not item[k].strip()]
        if missing:
            problems.append(Problem(str(path), line, f"glossary term needs {', '.join(missing)}"))
            continue
        aliases = _str_list(item.get("aliases"))
        if aliases is None:
            problems.append(Problem(str(path), line, "'aliases' must be a list of strings"))
            continue
        entry = GlossaryTerm(
            term=term.strip(),
            expansion=item["expansion"].strip(),
            definition=item["definition"].strip(),
            source=item["source"].strip(),
            aliases=aliases,
        )
        for name in dict.fromkeys(n.lower() for n in (entry.term, *entry.aliases)):
            existing = content.glossary.get(name.lower())
            if existing is not None:
                problems.append(
                    Problem(str(path), line,
                            f"glossary clash: '{name}' is already defined by '{existing.term}'")
                )
            else:
                content.glossary[name] = entry


def _load_synonyms(path: Path, content: Content, problems: list[Problem]) -> None:
    loaded = _read_toml(path, problems)
    if loaded is None:
        return
    data, text = loaded
    groups = data.get("groups", [])
    if not isinstance(groups, list):
        problems.append(Problem(str(path), _line_of(text, "groups"),
                                "'groups' must be a list of lists of words"))
        groups = []
    owner: dict[str, int] = {}
    for index, group in enumerate(groups):
        words = _str_list(group)
        if not words or len(words) < 2:
            problems.append(Problem(str(path), _line_of(text, "groups"),
                                    f"synonym group {index + 1} needs two or more words"))
            continue
        words = tuple(w.lower() for w in words)
        for word in words:
            if word in owner and owner[word] != index:
                problems.append(Problem(str(path), _line_of(text, f'"{word}"'),
                                        f"'{word}' is in two synonym groups"))
            owner[word] = index
        content.synonyms.append(words)
    phrases = data.get("phrases", {})
    if not isinstance(phrases, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() and " " not in v.strip()
        for k, v in phrases.items()
    ):
        problems.append(Problem(str(path), _line_of(text, "[phrases]"),
                                "[phrases] maps each phrase to one word, e.g. \"catch up\" = "
                                "\"catchup\""))
        return
    content.phrases = {k.strip().lower(): v.strip().lower() for k, v in phrases.items()}


def _question_lists(path: Path, problems: list[Problem]
                    ) -> Iterator[tuple[str, tuple[str, ...] | None, int]]:
    """An optional file of `key = ["a question as someone typed it", ...]`: each key, its
    questions without repeats (None if not a list of strings) and its line."""
    if not path.is_file():
        return
    loaded = _read_toml(path, problems)
    if loaded is None:
        return
    data, text = loaded
    for key, questions in data.items():
        listed = _str_list(questions)
        yield key, None if listed is None else tuple(dict.fromkeys(listed)), \
            _line_of(text, f"{key} =")


def _load_asked(path: Path, content: Content, problems: list[Problem]) -> None:
    """asked.toml, which is optional: `entry-id = ["a question as someone typed it", ...]`."""
    for entry_id, questions, line in _question_lists(path, problems):
        if questions is None:
            problems.append(Problem(str(path), line,
                                    f"'{entry_id}' must be a list of questions (strings)"))
        elif entry_id not in content.entries:
            problems.append(Problem(str(path), line, f"no entry '{entry_id}' to answer these"))
        else:
            content.asked[entry_id] = questions


def _load_priorities(path: Path, content: Content, problems: list[Problem]) -> None:
    loaded = _read_toml(path, problems)
    if loaded is None:
        return
    data, text = loaded
    items = _tables(data, "priority", path, text, problems)
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    for item in items:
        pid = item.get("id")
        line = _line_of(text, f'"{pid}"') if isinstance(pid, str) else 1
        missing = [k for k in ("id", "title", "description")
                   if not isinstance(item.get(k), str) or not item[k].strip()]
        if missing:
            problems.append(Problem(str(path), line, f"priority needs {', '.join(missing)}"))
            continue
        if not ID_PATTERN.match(pid):
            problems.append(Problem(str(path), line, f"id '{pid}' must be lowercase-with-hyphens"))
            continue
        if pid in seen_ids or item["title"].lower() in seen_titles:
            problems.append(Problem(str(path), line, f"duplicate priority '{pid}'"))
            continue
        seen_ids.add(pid)
        seen_titles.add(item["title"].lower())
        content.priorities.append(
            Priority(pid, item["title"].strip(), item["description"].strip(),
                     str(item.get("source", "")).strip())
        )
    if len(items) != PRIORITY_COUNT:
        problems.append(Problem(str(path), 1,
                                f"there must be exactly {PRIORITY_COUNT} priorities, "
                                f"found {len(items)}"))


# Why a question was declined: the reply differs (clinical questions get the clinical one).
DECLINED_KINDS = ("clinical", "outside")


def _load_declined(path: Path, content: Content, problems: list[Problem]) -> None:
    """declined.toml, which is optional: `clinical = [...]` and `outside = [...]`, questions."""
    for kind, questions, line in _question_lists(path, problems):
        if kind not in DECLINED_KINDS:
            problems.append(Problem(str(path), line, f"'{kind}' is not one of "
                                    f"{', '.join(DECLINED_KINDS)}"))
        elif questions is None:
            problems.append(Problem(str(path), line,
                                    f"'{kind}' must be a list of questions (strings)"))
        else:
            content.declined[kind] = questions
