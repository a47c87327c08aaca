"""Logging set-up: one line per event, key=value pairs, never a secret."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
# Shorter values would blank out ordinary words; real tokens and keys are far longer.
MIN_SECRET_LENGTH = 8


class RedactingFormatter(logging.Formatter):
    """Replaces any known secret in a formatted line (message, arguments or traceback)."""

    def __init__(self, fmt: str, datefmt: str, secrets: Iterable[str] = ()):
        super().__init__(fmt, datefmt=datefmt)
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH},
                              key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, "[redacted]")
        return line


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """One handler on stderr; `secrets` are redacted from every line as a last line of defence."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, "%Y-%m-%dT%H:%M:%S%z", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter at INFO would drown the bot's own one-line events.
    for noisy in ("apscheduler", "aiohttp.access", "slack_bolt", "msrest"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
