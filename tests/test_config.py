"""Configuration: defaults, the example file, errors that name the key, env overrides."""

from datetime import datetime

import pytest

from bot.app import load_config
from bot.kernel.config import ConfigError
from tests.conftest import REPO


def test_no_config_at_all_runs_on_defaults():
    config = load_config(None, env={})
    assert config.server.port == 3978
    assert config.storage.path == "dtlbot.db"


def test_the_example_config_is_valid():
    load_config(REPO / "config.example.toml", env={})


@pytest.mark.parametrize(
    "toml, key, reason",
    [
        ("[server]\nport = 0\n", "server.port", "between 1 and 65535"),
        ("[server]\nport = \"80\"\n", "server.port", "whole number"),
        ("[server]\nprot = 80\n", "server.prot", "unknown setting"),
        ("[nonsense]\n", "nonsense", "unknown setting"),
        ("[answers]\nthreshold = 2\n", "answers.threshold", "between 0 and 1"),
        ("[slack]\norganisers = \"U1\"\n", "slack.organisers", "list"),
        ("[forum]\nstart = 2026-01-08T13:00:00Z\n", "forum.start", "local date-time"),
        ("server = 1\n", "server", "table"),
    ],
)
def test_a_bad_setting_names_the_key_and_the_reason(tmp_path, toml, key, reason):
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert error.value.key == key
    assert reason in error.value.reason


def test_invalid_toml_and_missing_file_are_clear(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, env={})
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml", env={})


def test_secrets_come_from_the_environment_and_are_not_in_repr(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[slack]\nbot_token = "from-file"\n[forum]\nstart = 2026-01-08T13:00:00\n')
    config = load_config(path, env={"SLACK_BOT_TOKEN": "xoxb-from-env",
                                    "SLACK_SIGNING_SECRET": "signing-from-env",
                                    "MICROSOFT_APP_PASSWORD": "pw-from-env"})
    assert config.slack.bot_token == "xoxb-from-env"
    assert config.teams.app_password == "pw-from-env"
    assert config.forum.start == datetime(2026, 1, 8, 13, 0)
    assert "xoxb-from-env" not in repr(config)
    assert "signing-from-env" not in repr(config)
    assert "pw-from-env" not in repr(config)


def test_every_setting_is_documented_in_the_example_config():
    import dataclasses
    import re

    from bot.app import load_config
    from bot.kernel.config import CORE_SECTIONS

    text = (REPO / "config.example.toml").read_text()
    parts = re.split(r"(?m)^\[(\w+)\]", text)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    config = load_config(None, env={})
    every = [*CORE_SECTIONS, *config.sections]
    assert {"storage", "server", "forum", "reminders", "polls", "slack", "teams"} <= set(every)
    missing = [
        f"{name}.{key.name}"
        for name in every
        for key in dataclasses.fields(getattr(config, name))
        if not re.search(rf"(?m)^#?\s*{key.name}\s*=", sections.get(name, ""))
    ]
    assert missing == []
