"""The [webchat] config section."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.config import ConfigError, Section


@dataclass
class WebchatConfig:
    # None means "on when the server listens on loopback only".
    enabled: bool | None = None
    open_admin: bool = True
    organisers: list[str] = field(default_factory=list)
    # Chat API rate limits: per person (name) and address, and per address for everyone on it.
    rate_per_minute: int = 60
    burst: int = 20
    address_rate_per_minute: int = 1200

    def validate(self) -> None:
        for key in ("rate_per_minute", "burst", "address_rate_per_minute"):
            if getattr(self, key) < 1:
                raise ConfigError(f"webchat.{key}", "must be 1 or more")


SECTION = Section("webchat", WebchatConfig)
