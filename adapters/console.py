"""The console adapter: `dtlbot chat`, a REPL (or a line-by-line script) over the core.

In a terminal, replies are wrapped at word boundaries to its width and the Markdown subset is
drawn with the terminal's bold and underline; a form is asked one field at a time. With piped
input each line is echoed as `> LINE` before its replies, so the transcript reads in order.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from typing import TextIO

from adapters import render as shared
from bot.kernel.context import Bot, NoSender
from bot.kernel.markup import protect, restore, to_plain, with_mentions
from bot.kernel.model import (
    Action,
    ChoiceField,
    Conversation,
    Form,
    Incoming,
    Platform,
    Reply,
    TextField,
    User,
)

QUIT_WORDS = {"quit", "exit", "bye"}
CANCEL_WORDS = {"cancel", "stop"}
NOTHING_TO_CHOOSE = ("There is nothing to choose: my last reply had no numbered buttons. "
                     "Type your question in words, or `help`.")

# The Markdown subset, drawn for a terminal: (pattern, style) in the order they are tried.
INLINE = (
    (re.compile(r"`([^`]+)`"), "code"),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), "link"),
    (re.compile(r"\*\*(.+?)\*\*"), "bold"),
    (re.compile(r"(?<![\w*])_(.+?)_(?!\w)"), "italic"),
)
ANSI = {"bold": "\x1b[1m", "code": "\x1b[1m", "italic": "\x1b[3m", "link": "\x1b[4m"}
RESET = "\x1b[0m"
NUMBERED = re.compile(r"^- (\d{1,3}\. )")


def _segments(text: str, style: str = "") -> list[tuple[str, str]]:
    """Text split into (chunk, style) pieces, markup removed; a link shows its URL after it."""
    out: list[tuple[str, str]] = []
    while text:
        best = None
        for pattern, kind in INLINE:
            m = pattern.search(text)
            if m and (best is None or m.start() < best[0].start()):
                best = (m, kind)
        if best is None:
            out.append((text, style))
            break
        m, kind = best
        if m.start():
            out.append((text[:m.start()], style))
        if kind == "code":
            out.append((m.group(1), "code"))
        elif kind == "link":
            out.extend(_segments(m.group(1), "link"))
            out.append((f" ({m.group(2)})", style))
        else:
            out.extend(_segments(m.group(1), kind))
        text = text[m.end():]
    return out


def _words(segments: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The pieces regrouped into words (split at spaces), each word keeping its styles."""
    words: list[list[tuple[str, str]]] = [[]]
    for chunk, style in segments:
        parts = chunk.split(" ")
        for i, part in enumerate(parts):
            if i:
                words.append([])
            if part:
                words[-1].append((part, style))
    return [w for w in words if w]


def _draw(word: list[tuple[str, str]], styled: bool) -> str:
    if not styled:
        return "".join(chunk for chunk, _ in word)
    return "".join(f"{ANSI[s]}{chunk}{RESET}" if s else chunk for chunk, s in word)


def format_line(line: str, width: int | None = None, styled: bool = False,
                indent: str = "", hanging: str | None = None) -> list[str]:
    """One line of reply text for a terminal: markup drawn (or removed), wrapped at words."""
    hanging = indent if hanging is None else hanging
    words = _words(_segments(line))
    if width is None or width < 20:
        return [indent + " ".join(_draw(w, styled) for w in words)] if words else [indent]
    lines: list[str] = []
    current: list[str] = []
    used = 0
    prefix = indent
    for word in words:
        size = sum(len(chunk) for chunk, _ in word)
        room = width - len(prefix)
        if current and used + 1 + size > room:
            lines.append(prefix + " ".join(current))
            current, used, prefix = [], 0, hanging
        current.append(_draw(word, styled))
        used += size + (1 if used else 0)
    lines.append(prefix + " ".join(current))
    return lines


def format_text(text: str, width: int | None = None, styled: bool = False) -> str:
    """Reply text for a terminal; "- " items hang under their bullet, "- 1. " shows "1. ".

    Escaped characters (typed text, see bot.kernel.markup.literal) are kept out of the markup
    patterns and shown as themselves.
    """
    out: list[str] = []
    for line in protect(text).split("\n"):
        numbered = NUMBERED.match(line)
        if numbered:
            number = numbered.group(1)
            out += format_line(line[numbered.end():], width, styled, number, " " * len(number))
        elif line.startswith("- "):
            out += format_line(line[2:], width, styled, "- ", "  ")
        else:
            out += format_line(line, width, styled)
    return restore("\n".join(out))


def render(reply: Reply, first_number: int = 1, width: int | None = None,
           styled: bool = False, *, form_as_list: bool = True) -> str:
    """A reply as terminal text, its buttons numbered from `first_number` (links unnumbered).

    With `form_as_list` a form is listed with its choices and the words that do the same;
    without, only its title and introduction are shown (the console then asks field by field).
    """
    reply = with_mentions(reply, "console")
    lines = [format_text(reply.text, width, styled)] if reply.text else []
    number = first_number
    for button in reply.buttons:
        if button.url:
            lines += format_line(f"{to_plain(button.label)}: {button.url}", width, styled, "  - ",
                                 "    ")
            continue
        tag = f"  [{number}] "
        lines += format_line(button.label, width, styled, tag, " " * len(tag))
        number += 1
    if reply.form is not None:
        form = reply.form
        lines.append(f"== {form.title} ==")
        if form.intro:
            lines.append(format_text(form.intro, width, styled))
        if form.error:
            lines += format_line(f"! {form.error}", width, styled, "", "  ")
        if form_as_list:
            shown: set[tuple] = set()
            group = ""
            for item in form.fields:
                if item.group and item.group != group:
                    lines.append(f"* {item.group}")
                group = item.group
                labels = {o.value: o.label for o in getattr(item, "options", ())}
                current = f" [{labels.get(item.initial, item.initial)}]" if item.initial else ""
                lines.append(f"- {item.label}{current}")
                # A long form repeats the same choices (ranks, stages): list each set once.
                if isinstance(item, ChoiceField) and item.options not in shown:
                    shown.add(item.options)
                    lines.append("    " + ", ".join(o.label for o in item.options))
                if item.error:
                    lines.append(f"    ! {item.error}")
            if form.text_hint:
                lines.append(format_text(form.text_hint, width, styled))
    if reply.image is not None:
        lines.append(shared.image_text(reply.image))
    if reply.file is not None:
        lines.append(shared.file_text(reply.file))
    return "\n".join(lines)


@dataclass
class Filling:
    """A form being asked one field at a time: where we are and what was answered."""

    form: Form
    values: dict[str, str]
    asking: list[int]  # indexes of the fields still to ask
    total: int
    asked: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def current(self) -> ChoiceField | TextField:
        return self.form.fields[self.asking[0]]


class Console:
    """One person talking to the bot through a terminal or a pipe."""

    def __init__(self, bot: Bot, user: User, out: TextIO, *, width: int | None = None,
                 styled: bool = False, ask_forms: bool = False):
        self.bot = bot
        self.user = user
        self.out = out
        self.width = width
        self.styled = styled
        # Forms asked field by field (a person at a terminal); else listed with their words.
        self.ask_forms = ask_forms
        self.conversation = Conversation("console", user.id, is_direct=True)
        self.buttons: list[Action] = []
        self.filling: Filling | None = None

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def tell(self, text: str) -> None:
        """A line of the console's own, drawn like a reply (wrapped, markup rendered)."""
        self.write(format_text(text, self.width, self.styled))

    def prompt(self) -> str:
        return "answer> " if self.filling is not None else "you> "

    def incoming_for(self, line: str) -> Incoming | None:
        """Typed text, or the action of a numbered button (None: a number with nothing to press)."""
        if line.isdecimal():  # not isdigit(): "¹" is a digit that int() refuses
            if 1 <= int(line) <= len(self.buttons):
                return Incoming(self.user, self.conversation, action=self.buttons[int(line) - 1])
            if not self.buttons:
                self.tell(NOTHING_TO_CHOOSE)
                return None
            self.tell(f"Choose a number from 1 to {len(self.buttons)}, or type your question "
                      "in words.")
            return None
        return Incoming(self.user, self.conversation, text=line)

    def show(self, replies: list[Reply], submitted: Filling | None = None) -> None:
        self.buttons = []
        form: Form | None = None
        for reply in replies:
            listed = not (self.ask_forms and reply.form is not None)
            self.write(render(reply, len(self.buttons) + 1, self.width, self.styled,
                              form_as_list=listed))
            self.buttons.extend(b.action for b in reply.buttons if not b.url)
            if reply.form is not None and not listed:
                form = reply.form
        if form is not None:
            self.start_form(form, submitted)

    async def say(self, line: str) -> None:
        if self.filling is not None:
            await self.answer(line)
            return
        incoming = self.incoming_for(line)
        if incoming is not None:
            self.show(await self.bot.handle(incoming))

    # Forms, field by field.

    def start_form(self, form: Form, submitted: Filling | None) -> None:
        again = submitted is not None and submitted.form.id == form.id
        values = dict(submitted.values) if again else {}
        for item in form.fields:
            if item.initial is not None and item.id not in values:
                values[item.id] = item.initial
        wrong = [i for i, item in enumerate(form.fields) if item.error]
        asking = wrong if again and wrong else list(range(len(form.fields)))
        self.filling = Filling(form, values, asking, total=len(asking))
        self.tell("Answer each question in turn: Enter keeps the answer in [brackets] or skips "
                  "an optional one; `cancel` stops.")
        self.ask_current()

    def ask_current(self) -> None:
        filling = self.filling
        assert filling is not None
        item = filling.current
        number = filling.asked + 1
        chosen = filling.values.get(item.id)
        lines = []
        if item.error and filling.asked < filling.total:
            lines += format_line(f"! {item.error}", self.width, self.styled)
        index = filling.asking[0]
        if item.group and (index == 0 or filling.form.fields[index - 1].group != item.group
                           or item.error):
            lines += format_line(f"* {item.group}", self.width, self.styled)
        optional = "" if item.required else " (optional)"
        if isinstance(item, ChoiceField):
            labels = {o.value: o.label for o in item.options}
            current = f" [{labels.get(chosen, chosen)}]" if chosen else ""
            lines += format_line(f"({number} of {filling.total}) {item.label}{optional}{current}",
                                 self.width, self.styled)
            for i, option in enumerate(item.options, 1):
                tag = f"  {i}) "
                lines += format_line(option.label, self.width, self.styled, tag, " " * len(tag))
        else:
            current = f" [{chosen}]" if chosen else ""
            lines += format_line(f"({number} of {filling.total}) {item.label}{optional}{current}",
                                 self.width, self.styled)
        self.write("\n".join(lines))

    async def answer(self, line: str) -> None:
        filling = self.filling
        assert filling is not None
        if line.lower() in CANCEL_WORDS:
            self.filling = None
            self.tell(f"Stopped: {filling.form.title} was not sent.")
            return
        item = filling.current
        if line:
            if isinstance(item, ChoiceField):
                value = self.choice(item, line)
                if value is None:
                    self.tell(f"Type a number from 1 to {len(item.options)}, Enter to keep "
                              "or skip, or `cancel`.")
                    return
                filling.values[item.id] = value
            else:
                filling.values[item.id] = line[:item.max_length]
        elif item.required and not filling.values.get(item.id):
            self.tell("This one is needed: type your answer, or `cancel`.")
            return
        filling.asking.pop(0)
        filling.asked += 1
        if filling.asking:
            self.ask_current()
            return
        self.filling = None
        action = Action(filling.form.id, values=dict(filling.values))
        replies = await self.bot.handle(Incoming(self.user, self.conversation, action=action))
        self.show(replies, submitted=filling)

    @staticmethod
    def choice(item: ChoiceField, line: str) -> str | None:
        """The option a typed line picks: its number in the list, or its label or value."""
        if line.isdigit() and 1 <= int(line) <= len(item.options):
            return item.options[int(line) - 1].value
        typed = line.casefold()
        for option in item.options:
            if typed in (option.value.casefold(), option.label.casefold()):
                return option.value
        return None


def _terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


async def run_console(bot: Bot, user: User, stdin: TextIO | None = None,
                      out: TextIO | None = None) -> None:
    """Read messages a line at a time until end of input or `quit`."""
    # Looked up per call, not bound at import, so redirected streams (tests, click) are used.
    stdin = stdin if stdin is not None else sys.stdin
    out = out if out is not None else sys.stdout
    interactive = _terminal(stdin)
    to_terminal = _terminal(out)
    width = shutil.get_terminal_size().columns if to_terminal else None
    styled = to_terminal and not os.environ.get("NO_COLOR")
    console = Console(bot, user, out, width=width, styled=styled, ask_forms=interactive)

    async def post(conversation: Conversation, replies: list[Reply]) -> None:
        # Only this terminal's own chat is reachable; others wait for their own console.
        if conversation.id != user.id:
            raise NoSender("that console is not open in this process")
        out.write("\n".join(render(r, width=width, styled=styled) for r in replies) + "\n")
        out.flush()

    bot.attach(user.platform, post, info=Platform("the console", takes_files=False))
    if interactive:
        console.write(format_text("DTL Forum Bot. Type a question, `help`, or `quit`. "
                                  "Pick a button by its number.", width, styled))
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            out.write(console.prompt())
            out.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        line = line.strip()
        if not line and console.filling is None:
            continue
        if not interactive:
            # A piped script: each line before its replies, so the transcript can be followed.
            console.write(f"> {line}")
        if line.lower() in QUIT_WORDS:
            break
        await console.say(line)
