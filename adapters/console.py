"""The console adapter: `dtlbot chat`, a REPL (or a line-by-line script) over the core."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.kernel.context import Bot
from bot.kernel.markup import to_plain
from bot.kernel.model import Action, ChoiceField, Conversation, Incoming, Reply, User

QUIT_WORDS = {"quit", "exit", "bye"}


def render(reply: Reply, first_number: int = 1) -> str:
    """A reply as plain text, its buttons numbered from `first_number`."""
    lines = [to_plain(reply.text)] if reply.text else []
    for offset, button in enumerate(reply.buttons):
        target = f" ({button.url})" if button.url else ""
        lines.append(f"  [{first_number + offset}] {button.label}{target}")
    if reply.form is not None:
        form = reply.form
        lines.append(f"== {form.title} ==")
        if form.intro:
            lines.append(to_plain(form.intro))
        if form.error:
            lines.append(f"! {form.error}")
        shown: set[tuple] = set()
        for item in form.fields:
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
            lines.append(to_plain(form.text_hint))
    if reply.image is not None:
        lines.append(f"[image: {reply.image.alt}]")
    if reply.file is not None:
        if reply.file.mime.startswith("text/"):
            lines.append(reply.file.data.decode("utf-8", errors="replace").rstrip("\n"))
        else:
            lines.append(f"[file {reply.file.filename}, {len(reply.file.data)} bytes]")
    return "\n".join(lines)


class Console:
    """One person talking to the bot through a terminal or a pipe."""

    def __init__(self, bot: Bot, user: User, out: TextIO):
        self.bot = bot
        self.user = user
        self.out = out
        self.conversation = Conversation("console", user.id, is_direct=True)
        self.buttons: list[Action] = []

    def incoming_for(self, line: str) -> Incoming:
        """Typed text, or the action of a numbered button from the last replies."""
        if line.isdecimal() and 1 <= int(line) <= len(self.buttons):
            return Incoming(self.user, self.conversation, action=self.buttons[int(line) - 1])
        return Incoming(self.user, self.conversation, text=line)

    def show(self, replies: list[Reply]) -> None:
        self.buttons = []
        for reply in replies:
            self.out.write(render(reply, first_number=len(self.buttons) + 1) + "\n")
            self.buttons.extend(b.action for b in reply.buttons if not b.url)
        self.out.flush()

    async def say(self, line: str) -> None:
        self.show(await self.bot.handle(self.incoming_for(line)))


async def run_console(bot: Bot, user: User, stdin: TextIO | None = None,
                      out: TextIO | None = None) -> None:
    """Read messages a line at a time until end of input or `quit`."""
    # Looked up per call, not bound at import, so redirected streams (tests, click) are used.
    stdin = stdin if stdin is not None else sys.stdin
    out = out if out is not None else sys.stdout
    console = Console(bot, user, out)
    interactive = stdin.isatty()
    if interactive:
        out.write("DTL Forum Bot. Type a question, `help`, or `quit`. Pick a button by number.\n")
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            out.write("you> ")
            out.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in QUIT_WORDS:
            break
        await console.say(line)
