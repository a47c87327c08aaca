"""Logging set-up: one line per event, key=value pairs, never a secret."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter at INFO would drown the bot's own one-line events.
    for noisy in ("apscheduler", "aiohttp.access", "slack_bolt", "msrest"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
