"""The [teams] config section and its environment overrides."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.config import Config, ConfigError, Section, masked_repr


@dataclass
class TeamsConfig:
    enabled: bool = False
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    organisers: list[str] = field(default_factory=list)
    # The bot's public https address (the messaging endpoint's host); used for the app
    # package's valid domains and to host charts and exports too big for a message.
    public_url: str = ""
    # The app package's developer details (Teams shows them on the app's page).
    developer_name: str = ""
    website_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""

    def validate(self) -> None:
        """Checks that hold for every command; what serving needs is checked at start."""
        types = {"multitenant": "MultiTenant", "singletenant": "SingleTenant",
                 "userassignedmsi": "UserAssignedMSI"}
        if self.app_type.lower() not in types:
            raise ConfigError("teams.app_type", "must be MultiTenant, SingleTenant or "
                              "UserAssignedMSI")
        self.app_type = types[self.app_type.lower()]
        for key in ("public_url", "website_url", "privacy_url", "terms_url"):
            value = getattr(self, key)
            if value and not value.startswith("https://"):
                raise ConfigError(f"teams.{key}", "must start with https://")

    SECRETS = ("app_password",)
    __repr__ = masked_repr


def _resolve(config: Config) -> None:
    # One public address serves every adapter unless Teams is given its own.
    config.teams.public_url = config.teams.public_url or config.server.public_url


SECTION = Section(
    "teams",
    TeamsConfig,
    env={"MICROSOFT_APP_ID": "app_id", "MICROSOFT_APP_PASSWORD": "app_password",
         "MICROSOFT_APP_TENANT_ID": "tenant_id", "MICROSOFT_APP_TYPE": "app_type"},
    secrets=TeamsConfig.SECRETS,
    resolve=_resolve,
)
