"""Logging set-up: one line per event, key=value pairs, never a secret."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
REDACTED = "[redacted]"
# Token shapes that must never reach a log even if some library prints them.
TOKEN_PATTERNS = (
    re.compile(r"xox[abposr]-[A-Za-z0-9-]+"),  # Slack bot, user and app-level tokens
    re.compile(r"xapp-[A-Za-z0-9-]+"),
    re.compile(r"(?i)(authorization:\s*bearer\s+)[A-Za-z0-9._~+/=-]+"),
)


class RedactSecrets(logging.Filter):
    """Replaces known secret values and token-shaped strings in every formatted message."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        # Short values would blank out ordinary words: only redact real-looking secrets.
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in TOKEN_PATTERNS:
            text = pattern.sub(
                lambda m: (m.group(1) if m.groups() else "") + REDACTED, text
            )
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Log to stderr, one key=value line per event, with `secrets` never written out."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter at INFO would drown the bot's own one-line events.
    for noisy in ("apscheduler", "aiohttp.access", "slack_bolt", "msrest"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
