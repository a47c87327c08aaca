"""The [polls] config section."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.config import Section


@dataclass
class PollsConfig:
    named_export: bool = False


SECTION = Section("polls", PollsConfig)
