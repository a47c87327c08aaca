"""Hardening (issue 16): what an attacker and a bad day found, each held by a test."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import bot.server
from bot.cli import cli
from bot.server import create_app


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text + f'\n[storage]\npath = "{tmp_path / "bot.db"}"\n')
    return path


# 1. Teams authentication can be off only by intent, on loopback, and says so.

@pytest.mark.parametrize(
    "settings",
    [
        '[server]\nhost = "0.0.0.0"\n[teams]\nenabled = true\n',
        '[server]\nhost = "192.0.2.10"\n[teams]\nenabled = true\n',
        '[server]\npublic_url = "https://bot.example.nhs.uk"\n[teams]\nenabled = true\n',
        '[teams]\nenabled = true\npublic_url = "https://bot.example.nhs.uk"\n',
    ],
)
def test_teams_without_an_app_id_refuses_to_start_off_loopback_or_behind_https(
    tmp_path, settings
):
    path = write_config(tmp_path, settings)
    result = CliRunner().invoke(cli, ["serve", "--config", str(path)],
                                env={"MICROSOFT_APP_ID": ""})
    assert result.exit_code == 1
    assert "teams.app_id" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_teams_emulator_mode_on_loopback_is_announced_at_start(tmp_path, monkeypatch):
    path = write_config(tmp_path, '[teams]\nenabled = true\n')

    def pretend_to_serve(bot, app, on_ready=None):
        on_ready()

    monkeypatch.setattr(bot.server, "serve", pretend_to_serve)
    result = CliRunner().invoke(cli, ["serve", "--config", str(path)],
                                env={"MICROSOFT_APP_ID": ""})
    assert result.exit_code == 0, result.output
    assert "teams authentication is off (emulator mode" in result.output.lower()


async def test_healthz_says_when_teams_authentication_is_off(bot, config, aiohttp_client):
    config.teams.enabled = True
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    body = await (await client.get("/healthz")).json()
    assert body["teams_authentication"].startswith("off")
    assert body["database"] == "ok" and body["status"] == "ok"
    assert "teams" in body["adapters"]


async def test_healthz_has_no_teams_notice_with_an_app_id(bot, config, aiohttp_client):
    config.teams.enabled = True
    config.teams.app_id = "00000000-0000-0000-0000-00000000b0t1"
    config.teams.app_password = "secret-value-for-the-test"
    config.server.host = "0.0.0.0"
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    body = await (await client.get("/healthz")).json()
    assert "teams_authentication" not in body
