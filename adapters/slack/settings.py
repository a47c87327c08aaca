"""The [slack] config section and its environment overrides."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.config import ConfigError, Section, masked_repr


@dataclass
class SlackConfig:
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_base_url: str = ""
    organisers: list[str] = field(default_factory=list)
    # Socket Mode: seconds between keep-alive pings; a dead connection is replaced after a few.
    socket_ping_seconds: float = 10.0

    def validate(self) -> None:
        if self.api_base_url and not self.api_base_url.startswith(("https://", "http://")):
            raise ConfigError("slack.api_base_url", "must start with https:// (or http://)")
        if not 0.05 <= self.socket_ping_seconds <= 300:
            raise ConfigError("slack.socket_ping_seconds", "must be between 0.05 and 300")
        if self.bot_token and not (self.signing_secret or self.app_token):
            raise ConfigError(
                "slack.signing_secret",
                "set it (SLACK_SIGNING_SECRET) for HTTP events, or set slack.app_token "
                "(SLACK_APP_TOKEN) for Socket Mode",
            )

    SECRETS = ("bot_token", "signing_secret", "app_token")
    __repr__ = masked_repr


SECTION = Section(
    "slack",
    SlackConfig,
    env={"SLACK_BOT_TOKEN": "bot_token", "SLACK_SIGNING_SECRET": "signing_secret",
         "SLACK_APP_TOKEN": "app_token"},
    secrets=SlackConfig.SECRETS,
)
