"""Secrets never reach logs, replies, HTTP responses or command-line output."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import create_bot, load_config
from bot.cli import cli
from bot.kernel.config import ConfigError
from bot.kernel.logs import configure_logging
from bot.kernel.model import Action, Conversation, Incoming, User
from bot.server import ADAPTERS_KEY, create_app
from tests.fakes import server_process

SECRET_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "MICROSOFT_APP_PASSWORD",
    "DTLBOT_SECRET",
)
MARKERS = {name: f"MARKER{i}-{name.lower()}-7f3a9c" for i, name in enumerate(SECRET_VARS)}
APP_ID = "00000000-0000-0000-0000-000000000001"
PEOPLE = (
    User("console", "dana", name="Dana"),
    User("console", "olu", name="Olu", is_organiser=True),
)
ARGUMENTS = ("", "1", "yes", "Spring 2027", "confirm", "on", "2027-01-14 13:00")


def assert_clean(text: str, where: str) -> None:
    for name, marker in MARKERS.items():
        assert marker not in text, f"{name} leaked into {where}"


@pytest.fixture
def secret_config(tmp_path: Path):
    config = load_config(None, env={**MARKERS, "MICROSOFT_APP_ID": APP_ID})
    config.storage.path = str(tmp_path / "secrets.db")
    config.server.metrics = True
    config.teams.enabled = True
    assert config.slack.bot_token == MARKERS["SLACK_BOT_TOKEN"]  # the markers are in use
    return config


@pytest.fixture
def secret_bot(secret_config):
    bot = create_bot(secret_config, env=MARKERS)
    yield bot
    bot.close()


async def test_no_secret_in_chat_replies_or_logs(secret_bot, caplog):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    for person in PEOPLE:
        conversation = Conversation(person.platform, person.id)
        for command in secret_bot.registry.commands:
            for argument in ARGUMENTS:
                text = f"{command.phrase} {argument}".strip()
                seen += [repr(r) for r in await secret_bot.handle(
                    Incoming(person, conversation, text=text))]
        for action_id in secret_bot.registry.actions:
            for value in ("", "confirm", "up:forum", "x"):
                action = Action(action_id.rstrip(":") + (":1" if action_id.endswith(":") else ""),
                                value=value, values={"a": value})
                seen += [repr(r) for r in await secret_bot.handle(
                    Incoming(person, conversation, action=action))]
        for question in ("What is the ARRS?", "what dose of paracetamol", "", "zzz"):
            seen += [repr(r) for r in await secret_bot.handle(
                Incoming(person, conversation, text=question))]
    assert_clean("\n".join(seen), "chat replies")
    assert_clean(caplog.text, "logs")
    assert_clean(repr(secret_bot), "repr(bot)")


async def test_no_secret_in_http_responses_or_logs(
    secret_bot, aiohttp_client, aiohttp_server, caplog
):
    from tests import test_slack as slack
    from tests.fakes.slack_api import FakeSlack

    caplog.set_level(logging.DEBUG)
    fake = FakeSlack()
    fake.base_url = str((await aiohttp_server(fake.make_app())).make_url("/"))
    secret_bot.config.slack.api_base_url = fake.api_url
    app = create_app(secret_bot, start_scheduler=False)
    client = await aiohttp_client(app)
    signing = MARKERS["SLACK_SIGNING_SECRET"]
    for event in (slack.mention("What is the ARRS?"), slack.dm("my data"), slack.dm("help")):
        body = json.dumps(slack.event_callback(event, event_id=f"Ev{id(event)}")).encode()
        headers = {**slack.sign(signing, body), "Content-Type": "application/json"}
        assert (await client.post("/slack/events", data=body, headers=headers)).status == 200
    await fake.wait_for("chat.postMessage", count=3)
    bodies = [json.dumps(call.args) for call in fake.calls]
    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    for path in sorted(paths | {"/healthz", "/metrics", "/no-such-page"}):
        for method, data in (("GET", None), ("POST", b"{not json"), ("POST", b"{}"),
                             ("POST", b"x" * (secret_bot.config.server.max_body_bytes + 1))):
            response = await client.request(method, path, data=data)
            bodies.append(f"{response.status} {dict(response.headers)} {await response.text()}")
    assert {"teams", "webchat", "slack"} <= set(app[ADAPTERS_KEY])
    assert_clean("\n".join(bodies), "HTTP responses")
    assert_clean(caplog.text, "logs")


def test_no_secret_in_config_errors_or_repr(tmp_path, secret_config):
    assert_clean(repr(secret_config), "repr(config)")
    assert_clean(str(secret_config), "str(config)")
    assert "bot_token='***'" in repr(secret_config.slack)
    bad = tmp_path / "bad.toml"
    for text in (
        f'[server]\nport = "{MARKERS["SLACK_BOT_TOKEN"]}"\n',
        f'[slack]\nbot_token = "{MARKERS["SLACK_BOT_TOKEN"]}"\nsurprise = 1\n',
        f'[teams]\napp_password = ["{MARKERS["MICROSOFT_APP_PASSWORD"]}"]\n',
        f'[slack]\nbot_token = "{MARKERS["SLACK_BOT_TOKEN"]}\n',
    ):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as error:
            load_config(bad, env=MARKERS)
        assert_clean(str(error.value), "config error")


def test_no_secret_in_command_line_output(tmp_path, secret_config):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{secret_config.storage.path}"\n[server]\nmetrics = true\n',
        encoding="utf-8",
    )
    env = {**MARKERS, "DTLBOT_CONFIG": str(config)}
    runner = CliRunner()
    runs = [
        ["--help"], ["ask", "What is the ARRS?"], ["ask", "--json", "what is a PCN"],
        ["content", "check"], ["content", "reload", "--timeout", "0.2"],
        ["backup", str(tmp_path / "copy.db")], ["db", "check"],
        ["db", "check", str(tmp_path / "copy.db")], ["db", "check", str(tmp_path / "none.db")],
        ["ask", "--config", str(tmp_path / "missing.toml"), "hello"],
        ["meetings", "--json"], ["meetings", "ics"], ["poll", "results", "--json"],
        ["teams", "package", "-o", str(tmp_path / "app.zip")],
    ]
    output = []
    for args in runs:
        output.append(runner.invoke(cli, args, env=env).output)
    chat = runner.invoke(cli, ["chat", "--as", "dana"], env=env,
                         input="help\nmy data\nprivacy\nforget me\nforget me confirm\n")
    output.append(chat.output)
    assert "pseudonym" in chat.output
    assert_clean("\n".join(output), "command-line output")
    # The pseudonym key from the environment is used, never stored.
    assert_clean(Path(secret_config.storage.path).read_bytes().decode("latin-1"), "database")


def test_log_lines_redact_secrets_even_in_tracebacks(capsys):
    configure_logging("DEBUG", secrets=MARKERS.values())
    log = logging.getLogger("dtlbot.test")
    try:
        raise RuntimeError(f"upstream said token={MARKERS['SLACK_BOT_TOKEN']}")
    except RuntimeError:
        log.exception("call failed header=%s", MARKERS["MICROSOFT_APP_PASSWORD"])
    logging.getLogger().handlers.clear()
    err = capsys.readouterr().err
    assert "call failed header=[redacted]" in err
    assert "token=[redacted]" in err
    assert_clean(err, "formatted log lines")


def test_running_server_logs_and_health_carry_no_secret(tmp_path):
    port = server_process.free_port()
    config = server_process.write_config(tmp_path, port, tmp_path / "serve.db",
                                         "metrics = true\n[teams]\nenabled = true\n")
    server = server_process.start(config, port, tmp_path / "serve.log",
                                  env={**MARKERS, "MICROSOFT_APP_ID": APP_ID})
    try:
        bodies = [server.get(path) for path in ("/healthz", "/metrics", "/missing", "/",
                                                "/forum.ics", "/api/messages")]
    finally:
        logged = server.stop()
    assert bodies[0][0] == 200
    assert "serving" in logged
    assert_clean(logged + repr(bodies), "dtlbot serve")
