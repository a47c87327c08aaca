"""The app package's two icons (a speech bubble), drawn as PNGs with the standard library."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

NHS_BLUE = (0, 94, 184)
WHITE = (255, 255, 255)
SAMPLES = 3  # per pixel side, for smooth edges


def _bubble(x: float, y: float) -> bool:
    """Inside a speech bubble drawn on the unit square (rounded box with a tail)."""
    left, top, right, bottom, radius = 0.16, 0.2, 0.84, 0.66, 0.12
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    in_box = (left <= x <= right and top <= y <= bottom
              and (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2)
    # The tail: a triangle below the box, pointing down-left.
    in_tail = bottom <= y <= 0.84 and 0.28 <= x <= 0.46 - (y - bottom)
    return in_box or in_tail


def _dot(x: float, y: float) -> bool:
    return any((x - cx) ** 2 + (y - 0.43) ** 2 <= 0.055 ** 2 for cx in (0.34, 0.5, 0.66))


def _coverage(size: int, inside: Callable[[float, float], bool]) -> list[list[float]]:
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            hits = sum(
                inside((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size)
                for sx in range(SAMPLES)
                for sy in range(SAMPLES)
            )
            row.append(hits / SAMPLES ** 2)
        rows.append(row)
    return rows


def png(width: int, height: int, rgba_rows: list[bytes]) -> bytes:
    """Encode 8-bit RGBA rows as a PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + row for row in rgba_rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _icon(size: int, pixel: Callable[[float, float], bytes]) -> bytes:
    """A PNG whose RGBA pixels come from the bubble's and the dots' coverage at each point."""
    bubble = _coverage(size, _bubble)
    dots = _coverage(size, _dot)
    rows = [
        b"".join(pixel(b, d) for b, d in zip(brow, drow, strict=True))
        for brow, drow in zip(bubble, dots, strict=True)
    ]
    return png(size, size, rows)


def color_icon(size: int = 192) -> bytes:
    """Full-colour icon: a white bubble with blue dots on NHS blue."""

    def pixel(b: float, d: float) -> bytes:
        white = b * (1 - d)
        return bytes(round(blue + (255 - blue) * white) for blue in NHS_BLUE) + b"\xff"

    return _icon(size, pixel)


def outline_icon(size: int = 32) -> bytes:
    """Outline icon: the white bubble on a transparent background, as Teams requires."""
    return _icon(size, lambda b, d: bytes(WHITE) + bytes([round(255 * b * (1 - d))]))
