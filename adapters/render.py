"""The text fallbacks every adapter shares: a form, an image or a file as words, long text cut.

As Rasa's OutputChannel holds every channel's text fallbacks in one base, these are decided once
here; each adapter renders the Markdown subset of the result in its own way (the console is the
pure-fallback renderer).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.kernel.model import File, Form, Image, Reply


def split_text(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut text into pieces that each `fit`, at line breaks where possible, else after a space.

    Nothing is lost: the pieces joined with line breaks (or, inside one long line, with nothing)
    give the text back.
    """
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if fits(candidate):
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        while not fits(line):
            cut = _longest_prefix(line, fits)
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not pieces:
        pieces.append(current)
    return pieces


def _longest_prefix(line: str, fits: Callable[[str], bool]) -> int:
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(line[:middle]):
            low = middle
        else:
            high = middle - 1
    space = line.rfind(" ", 0, low)
    return space + 1 if space > low // 2 else low


def image_text(image: Image) -> str:
    """An image where none can be shown: what it shows."""
    return f"[image: {image.alt}]"


def file_text(file: File) -> str:
    """A file where none can be sent: a text file's lines, else its name and size."""
    if file.mime.startswith("text/"):
        return file.data.decode("utf-8", errors="replace").rstrip("\n")
    return f"[file {file.filename}, {len(file.data)} bytes]"


def form_text(form: Form) -> list[str]:
    """A form where none can be opened, in the Markdown subset: its title, intro, error and the
    words that do the same."""
    lines = [f"**{form.title}**"]
    if form.intro:
        lines.append(form.intro)
    if form.error:
        lines.append(f"⚠ {form.error}")
    if form.text_hint:
        lines.append(form.text_hint)
    return lines


def worth_sending(reply: Reply) -> bool:
    """False for a reply with nothing in it (adapters drop those rather than post a blank)."""
    return bool(reply.text or reply.buttons or reply.form or reply.image or reply.file)
