"""Hardening (issue 16): what an attacker and a bad day found, each held by a test."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import stat
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner

import bot.server
from adapters.console import render as console_render
from adapters.slack.blocks import messages_for, to_mrkdwn
from adapters.teams import cards
from bot.cli import cli
from bot.features.polls import store as polls
from bot.kernel.markup import literal, to_plain
from bot.kernel.model import Action, Reply, User
from bot.kernel.storage import open_database
from bot.server import create_app
from tests.conftest import REPO, press, say
from tests.meetings_helpers import configure_forum
from tests.test_webchat import post as webchat_post


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


# 2. Everything a person typed is literal text on every platform.

EVIL = "[Session expired](https://evil.example/login) <!channel> <!here> <@U0ORGANISER> **now**"
EVIL_NAME = "[Olu](https://evil.example/who) <!everyone>"
PROPER_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


async def organiser_views(bot) -> list[Reply]:
    """What organisers and DTLs are shown after people typed link and mention markup."""
    organiser = User("console", "olu", name=EVIL_NAME, is_organiser=True)
    await say(bot, EVIL)
    views = await say(bot, "unanswered", organiser)
    views += await say(bot, f"poll start {EVIL}", organiser)
    views += await say(bot, "poll list", organiser)
    poll = polls.open_poll(bot)
    values = {f"rank:{p.id}": str(p.number) for p in poll.priorities}
    values["pcn"] = EVIL
    views += await press(bot, Action(f"ballot:{poll.id}", values=values))
    views += await say(bot, "my ballot")
    views += await say(bot, f'meeting add 2026-12-18 14:00 "{EVIL}" "{EVIL}"', organiser)
    views += await say(bot, "meetings")
    views += await say(bot, "poll results", organiser)
    views += await say(bot, "audit", organiser)
    return views


def test_literal_text_shows_as_typed_in_the_console():
    assert to_plain(literal(EVIL)) == EVIL
    assert to_plain(literal("- not a bullet\n# not a heading\n\\ back")) == (
        "- not a bullet\n# not a heading\n\\ back")


async def test_typed_links_and_mentions_are_plain_text_in_the_console(bot, config):
    configure_forum(config)
    shown = "\n".join(console_render(r) for r in await organiser_views(bot))
    assert shown.count(EVIL) >= 6  # unanswered, poll title, PCN, meeting title and place...
    assert EVIL_NAME in shown  # the audit's display name
    assert "Session expired (https://evil.example/login)" not in shown


async def test_typed_links_and_mentions_never_reach_slack_as_markup(bot, config):
    configure_forum(config)
    messages = messages_for(await organiser_views(bot))
    shown = "\n".join(b["text"]["text"] for m in messages for b in m.blocks if b.get("text"))
    assert "Session expired" in shown and "Olu" in shown
    for forbidden in ("<https://evil", "<!channel>", "<!here>", "<!everyone>", "<@U0ORGANISER>",
                      "|Session expired>", "*now*"):
        assert forbidden not in shown
    assert "&lt;!channel&gt;" in shown


def test_slack_link_addresses_are_escaped_so_content_cannot_broadcast():
    shown = to_mrkdwn("[x](<!channel>) [y](https://a.example/?q=<@U1>|z&b)")
    assert "<!channel>" not in shown and "<@U1>" not in shown
    assert "<https://a.example/?q=&lt;@U1&gt;%7Cz&amp;b|y>" in shown


async def test_typed_links_and_mentions_are_escaped_on_teams_cards_and_messages(bot, config):
    configure_forum(config)
    activities = [a for r in await organiser_views(bot) for a in cards.render(r, lambda *_: None)]
    texts = [a.get("text", "") for a in activities]
    texts += [block.get("text", "") for a in activities for att in a.get("attachments", [])
              for block in att["content"].get("body", [])]
    shown = "\n".join(texts)
    assert "\\[Session expired\\]" in shown
    assert not PROPER_LINK.search(shown.replace("[the toolkit]", ""))
    assert "<!channel>" not in shown.replace("\\<!channel>", "")
    assert "**now**" not in shown


async def test_typed_links_reach_the_web_chat_escaped(bot, aiohttp_client):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    user = {"id": "dana", "name": "Dana"}
    await webchat_post(client, {"user": user, "text": EVIL})
    response = await webchat_post(client, {"user": user, "text": "unanswered"})
    [reply] = (await response.json())["replies"]
    assert "\\[session expired\\](https://evil.example/login)" in reply["text"]
    assert not PROPER_LINK.search(reply["text"])


# 3. A ballot, filled or empty, is only ever filled with the presser's own; a channel shows
#    nobody's choices.

def ballot_values(poll, order, pcn):
    values = {f"rank:{pid}": str(place) for place, pid in enumerate(order, start=1)}
    return values | {"pcn": pcn}


async def two_saved_ballots(bot, platform, first, second):
    organiser = User(platform, "organiser-1", name="Olu", is_organiser=True)
    await say(bot, "poll start Spring 2027", organiser)
    poll = polls.open_poll(bot)
    ids = [p.id for p in poll.priorities]
    await press(bot, Action(f"ballot:{poll.id}", values=ballot_values(poll, ids, "Alpha PCN")),
                User(platform, first))
    await press(bot, Action(f"ballot:{poll.id}",
                            values=ballot_values(poll, ids[::-1], "Beta PCN")),
                User(platform, second))
    return poll


async def test_slack_open_button_in_a_channel_opens_the_pressers_own_ballot(
    bot, config, aiohttp_client, aiohttp_server
):
    from tests import test_slack as slack
    from tests.fakes.slack_api import FakeSlack

    fake = FakeSlack()
    fake.base_url = str((await aiohttp_server(fake.make_app())).make_url("/"))
    config.slack.bot_token, config.slack.signing_secret = "xoxb-test", slack.SECRET
    config.slack.api_base_url = fake.api_url
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    poll = await two_saved_ballots(bot, "slack", slack.DTL_ID, "U0BEN")

    await slack.post_json(client, slack.event_callback(slack.mention("ballot")))
    (posted,) = await fake.wait_for("chat.postMessage")
    assert "Alpha PCN" not in json.dumps(posted)
    (button,) = [b for b in slack.buttons(posted) if b["action_id"].startswith("slack-open-form")]
    payload = json.loads(slack.press(button["action_id"])["payload"])
    payload["user"]["id"] = "U0BEN"
    payload["channel"]["id"] = payload["container"]["channel_id"] = "C0FORUM"
    payload["actions"][0]["value"] = button["value"]
    assert (await slack.post_form(client, {"payload": json.dumps(payload)})).status == 200
    (opened,) = await fake.wait_for("views.open")
    shown = json.dumps(opened["view"])
    assert "Beta PCN" in shown and "Alpha PCN" not in shown
    first = poll.priorities[0].id
    (rank_block,) = [b for b in opened["view"]["blocks"] if b.get("block_id") == f"rank:{first}"]
    assert rank_block["element"]["initial_option"]["value"] == str(len(poll.priorities))


async def test_teams_ballot_card_in_a_channel_carries_nobodys_values(
    bot, config, aiohttp_client, connector
):
    from tests import test_teams as teams

    config.teams.enabled = True
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    poll = await two_saved_ballots(bot, "teams", teams.DANA_AAD, "aad-ben")
    assert await teams.post(client, teams.in_channel(connector, "ballot")) == 200
    card = teams.card_of(connector)
    assert "Alpha PCN" not in json.dumps(card)
    assert all(not field.get("value") for field in teams.inputs_of(card).values())

    # Submitted in the channel, the answer says it is saved without showing the choices.
    ids = [p.id for p in poll.priorities]
    data = teams.submit_data(card) | {f"field:{k}": v for k, v in
                                      ballot_values(poll, ids, "Gamma PCN").items()}
    activity = teams.in_channel(connector, "")
    activity.update(text="", value=data, entities=[], id="1700000000002")
    assert await teams.post(client, activity) == 200
    answer = connector.posted[-1].activity
    assert "is saved" in json.dumps(answer)
    assert poll.priorities[0].title not in json.dumps(answer)
    assert "Gamma PCN" not in json.dumps(answer)


async def test_teams_ballot_card_in_a_personal_chat_keeps_the_persons_values(
    bot, config, aiohttp_client, connector
):
    from tests import test_teams as teams

    config.teams.enabled = True
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    await two_saved_ballots(bot, "teams", teams.DANA_AAD, "aad-ben")
    assert await teams.post(client, teams.personal(connector, text="ballot")) == 200
    assert "Alpha PCN" in json.dumps(teams.card_of(connector))


# 4. A database that cannot be written is seen: the person is told, /healthz says why.

def fill_the_disk(bot) -> None:
    """SQLite's page limit at the current size: every write that needs a page fails FULL."""
    (pages,) = bot.db.execute("pragma page_count").fetchone()
    bot.db.execute(f"pragma max_page_count = {pages}")


async def test_a_full_disk_gives_a_could_not_save_reply_and_a_503_with_the_reason(
    bot, aiohttp_client, caplog
):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    assert (await client.get("/healthz")).status == 200
    fill_the_disk(bot)
    caplog.set_level(logging.INFO)
    for number in range(100):
        [reply] = await say(bot, f"what about question {number} " + "very " * 100 + "long")
        if "could not save" in reply.text:
            break
    assert "could not save" in reply.text.lower() and "please try again" in reply.text.lower()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text
    assert any(r.levelno == logging.WARNING and "could not save" in r.getMessage()
               for r in caplog.records)
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["database"] == "not writable" and "full" in body["reason"]


async def test_a_database_locked_past_the_timeout_is_a_could_not_save_reply(
    bot, aiohttp_client, caplog
):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    bot.db.execute("pragma busy_timeout = 50")
    other = sqlite3.connect(bot.config.storage.path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        [reply] = await say(bot, "what is a frobnicator?")
        assert "could not save" in reply.text
        body = await (await client.get("/healthz")).json()
        assert "locked" in body["reason"]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_healthz_recovers_a_minute_after_the_last_failed_write(bot, clock, aiohttp_client):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    bot.storage_failed(sqlite3.OperationalError("database or disk is full"))
    assert (await client.get("/healthz")).status == 503
    clock.advance(minutes=2)
    assert (await client.get("/healthz")).status == 200


def test_a_read_only_database_file_at_start_is_a_one_line_error(tmp_path, monkeypatch):
    # Tests may run as root, who can write any file: open it the way SQLite opens a file
    # that this user may not write.
    import bot.kernel.storage as storage

    open_database(tmp_path / "bot.db").close()
    monkeypatch.setattr(storage, "connect", lambda path: sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, check_same_thread=False))
    path = write_config(tmp_path, "")
    result = CliRunner().invoke(cli, ["chat", "--config", str(path)], input="help\n")
    assert result.exit_code == 1
    assert "storage.path" in result.output and "read-only" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_storage_path_naming_a_folder_is_a_named_error(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{folder}"\n')
    result = CliRunner().invoke(cli, ["chat", "--config", str(path)], input="help\n")
    assert result.exit_code == 1
    assert "storage.path" in result.output and "is a folder" in result.output
    assert "Traceback" not in result.output


# 5. Should-fix items.

class FakeKeysResponse:
    def __init__(self, body):
        self.body = body

    def raise_for_status(self):
        return None

    def json(self):
        return self.body


@pytest.fixture
def signing_keys(monkeypatch):
    """Bot Framework's key endpoints answered locally; records the thread each fetch ran on."""
    import requests
    from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update(kid="real-key", endorsements=["msteams"])
    threads = []

    def fake_get(url, **kwargs):
        threads.append(threading.current_thread())
        if "keys" in url:
            return FakeKeysResponse({"keys": [jwk]})
        return FakeKeysResponse({"jwks_uri": "https://login.example/keys"})

    monkeypatch.setattr(requests, "get", fake_get)
    monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
    return private, threads


@pytest.mark.parametrize("kid", ["no-such-key", None])
async def test_a_forged_teams_token_with_an_unknown_or_missing_key_id_is_401(
    bot, config, aiohttp_client, connector, signing_keys, caplog, kid
):
    from tests import test_teams as teams

    private, threads = signing_keys
    config.teams.enabled = True
    config.teams.app_id = "00000000-0000-0000-0000-00000000b0t1"
    config.teams.app_password = "not-used-because-the-request-is-refused-first"
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    headers = {"kid": kid} if kid else {}
    token = jwt.encode({"iss": "https://api.botframework.com", "aud": config.teams.app_id,
                        "serviceurl": connector.url}, private, algorithm="RS256",
                       headers=headers)
    response = await client.post("/api/messages", json=teams.personal(connector, text="help"),
                                 headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    assert connector.posted == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert threads and threading.main_thread() not in threads  # keys fetched off the loop


async def test_a_stuck_slack_web_api_call_gives_up_at_the_clients_timeout(
    bot, config, aiohttp_client, aiohttp_server, caplog
):
    from adapters.slack.posting import Target
    from tests import test_slack as slack
    from tests.fakes.slack_api import FakeSlack

    fake = FakeSlack()
    fake.base_url = str((await aiohttp_server(fake.make_app())).make_url("/"))
    config.slack.bot_token, config.slack.signing_secret = "xoxb-test", slack.SECRET
    config.slack.api_base_url = fake.api_url
    await aiohttp_client(create_app(bot, start_scheduler=False))  # starts the adapter
    adapter = bot.adapters["slack"]
    adapter.client.timeout = 0.5
    await adapter.stop()
    await adapter.start()  # the session takes the client's timeout as it opens
    fake.delays["chat.postMessage"] = 8
    started = time.monotonic()
    assert await adapter.post(Target("U0DANA", "C0FORUM"), [Reply("hello")]) is False
    assert time.monotonic() - started < 5


async def test_a_slack_event_id_is_stored_before_its_answer_is_posted(
    bot, config, aiohttp_client, aiohttp_server, monkeypatch
):
    import adapters.slack.adapter as slack_adapter
    from tests import test_slack as slack
    from tests.fakes.slack_api import FakeSlack

    monkeypatch.setattr(slack_adapter, "FLUSH_SECONDS", 3600)  # no timed flush helps
    fake = FakeSlack()
    fake.base_url = str((await aiohttp_server(fake.make_app())).make_url("/"))
    config.slack.bot_token, config.slack.signing_secret = "xoxb-test", slack.SECRET
    config.slack.api_base_url = fake.api_url
    client = await aiohttp_client(create_app(bot, start_scheduler=False))

    def stored() -> bool:
        other = sqlite3.connect(config.storage.path)  # what a restarted process would see
        try:
            return other.execute("select count(*) from seen_events where event_id = 'EvKILL'"
                                 ).fetchone()[0] == 1
        finally:
            other.close()

    await slack.post_json(client, slack.event_callback(slack.mention("help"), "EvKILL"))
    await fake.wait_for("chat.postMessage")
    assert stored()


DEEP = ("[" * 5000 + "]" * 5000).encode()


async def test_json_nested_5000_deep_is_400_on_every_surface(bot, config, aiohttp_client, caplog):
    body = DEEP
    from tests import test_slack as slack
    from tests.fakes.slack_api import sign

    config.teams.enabled = True
    config.slack.bot_token, config.slack.signing_secret = "xoxb-test", slack.SECRET
    config.slack.api_base_url = "http://127.0.0.1:9/api/"
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    json_headers = {"Content-Type": "application/json"}
    for path in ("/chat/api/messages", "/api/messages"):
        response = await client.post(path, data=body, headers=json_headers)
        assert response.status == 400, path
    signed = {**sign(slack.SECRET, body), **json_headers}
    response = await client.post("/slack/events", data=body, headers=signed)
    assert response.status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await client.get("/healthz")).status == 200


async def test_odd_input_gets_a_clear_message_and_no_error_log_line(bot, aiohttp_client, caplog):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    api = "/chat/api/messages"

    async def send(body: str) -> dict:
        response = await client.post(api, data=body.encode(),
                                     headers={"Content-Type": "application/json"})
        assert response.status in (200, 400), await response.text()
        return await response.json()

    # A lone surrogate (valid JSON, not encodable text) in the message and in the name.
    answer = await send('{"user": {"id": "dana", "name": "Dana"}, "text": "hello \\ud800"}')
    assert answer.get("replies") or answer.get("error")
    await send('{"user": {"id": "olu\\udc00", "name": "Olu \\udc00"}, "text": "help"}')
    await say(bot, "poll start Spring 2027", User("webchat", "olu", is_organiser=True))
    poll = polls.open_poll(bot)

    replies = await press(bot, Action("ballot:99999999999999999999"))
    assert "no longer exists" in replies[0].text
    replies = await press(bot, Action("ballot.open", value="99999999999999999999"))
    assert "no longer exists" in replies[0].text
    [reply] = await say(bot, "poll results 99999999999999999999",
                        User("console", "olu", is_organiser=True))
    assert "can't find a poll" in reply.text
    values = {f"rank:{p.id}": str(p.number) for p in poll.priorities}
    values[f"rank:{poll.priorities[0].id}"] = "¹"
    [reply] = await press(bot, Action(f"ballot:{poll.id}", values=values))
    assert reply.form is not None and reply.form.has_errors
    [reply] = await say(bot, "rank ¹ 2 3 4 5 6 7 8")
    assert "not saved" in reply.text or "not one of" in reply.text or "priorities" in reply.text
    response = await client.get("/chat/api/events?user=dana&after=¹")
    assert response.status in (200, 400, 401, 403)
    response.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def broken_content(tmp_path, name: str, change) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(REPO / "content", folder)
    target = folder / name
    target.write_bytes(change(target.read_bytes()))
    return folder


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("glossary.toml", lambda _: b'term = "oops"\n', "'term' must be a list"),
        ("priorities.toml", lambda _: b"priority = 5\n", "'priority' must be a list"),
        ("entries/", lambda old: old + b"\n\xff\xfe broken\n", "not valid UTF-8"),
        ("glossary.toml", lambda old: old + b"\n# \xc3\x28 broken\n", "not valid UTF-8"),
    ],
    ids=["glossary-term-string", "priority-number", "entry-utf8", "toml-utf8"],
)
async def test_broken_content_is_named_on_reload_in_chat_and_on_the_command_line(
    bot, tmp_path, name, change, expected
):
    entries = sorted((REPO / "content" / "entries").glob("*.md"))
    if name.startswith("entries/"):
        name = f"entries/{entries[0].name}"
    folder = broken_content(tmp_path, name, change)
    where = name.split("/")[-1] or entries[0].name
    bot.config.content.path = str(folder)
    [reply] = await say(bot, "content reload", User("console", "olu", is_organiser=True))
    assert "kept the current content" in reply.text
    assert expected in reply.text and f"{where}:" in reply.text
    config = write_config(tmp_path, f'[content]\npath = "{folder}"\n')
    result = CliRunner().invoke(cli, ["content", "check", "--config", str(config)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert expected in result.output and f"{where}:" in result.output


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ('[reminders]\noffsets = ["999999999999w"]', "reminders.offsets[0]"),
        ("[forum]\nduration_minutes = 99999999999", "forum.duration_minutes"),
        ('[forum]\nrrule = "FREQ=SECONDLY"\nstart = 2026-01-08T13:00:00', "forum.rrule"),
        ('[forum]\nrrule = "FREQ=HOURLY"\nstart = 2026-01-08T13:00:00', "forum.rrule"),
        ('[forum]\nrrule = "FREQ=DAILY;BYHOUR=9,10,11"\nstart = 2026-01-08T13:00:00',
         "forum.rrule"),
    ],
    ids=["offset", "duration", "secondly", "hourly", "several-a-day"],
)
def test_out_of_range_settings_are_named_errors(tmp_path, settings, key):
    path = write_config(tmp_path, settings)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["meetings", "--config", str(path)])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, result.output
    assert key in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_daily_rule_is_still_allowed_and_its_expansion_is_bounded(tmp_path):
    path = write_config(tmp_path, '[forum]\nrrule = "FREQ=DAILY"\nstart = 2026-01-08T13:00:00')
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["meetings", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 10


async def test_forget_me_unlinks_the_organisers_chat_from_their_polls(bot):
    organiser = User("webchat", "olu okafor", name="Olu Okafor", is_organiser=True)
    await say(bot, "poll start Spring 2027", organiser)
    assert polls.open_poll(bot).conversation == "webchat:olu okafor"
    [data] = await say(bot, "my data", organiser)
    assert "was started in your direct chat" in data.text
    await say(bot, "forget me confirm", organiser)
    assert polls.open_poll(bot).conversation is None
    stored = bot.db.execute("select group_concat(conversation) from polls").fetchone()[0]
    assert stored is None


async def test_forget_me_leaves_nothing_in_the_database_files(bot):
    marker = "Zebracrossing Unique PCN"
    await say(bot, "poll start Spring 2027", User("console", "olu", is_organiser=True))
    poll = polls.open_poll(bot)
    ids = [p.id for p in poll.priorities]
    await press(bot, Action(f"ballot:{poll.id}", values=ballot_values(poll, ids, marker)))
    [reply] = await say(bot, "forget me confirm")
    assert "Done" in reply.text
    db = Path(bot.config.storage.path)
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            assert marker.encode() not in path.read_bytes(), path.name


async def test_forget_me_says_organiser_actions_are_kept_for_the_audit(bot):
    organiser = User("console", "olu", name="Olu", is_organiser=True)
    await say(bot, "poll start Spring 2027", organiser)
    [confirm] = await say(bot, "forget me", organiser)
    erased, _, kept = confirm.text.partition("Kept")
    assert "organiser" not in erased.lower()
    assert "your actions as a forum organiser" in kept.lower()
    assert "audit" in kept


async def test_reminder_logs_name_a_direct_chat_only_by_its_tag(bot, config, clock, caplog):
    from tests.fakes.platform import RecordingSender
    from tests.meetings_helpers import run_until

    configure_forum(config)
    sender = RecordingSender()
    bot.senders["webchat"] = sender
    dana = User("webchat", "dana smith", name="Dana Smith", is_organiser=True)
    await say(bot, "reminders here on", dana)
    caplog.set_level(logging.INFO)
    await run_until(bot, clock, datetime(2027, 1, 14, 13, 0, tzinfo=UTC))
    assert sender.posts
    assert "reminder sent" in caplog.text
    assert "dana" not in caplog.text.lower()
    assert bot.key_tag("webchat:dana smith") in caplog.text


def run_backup(tmp_path, *args):
    path = write_config(tmp_path, "")
    open_database(tmp_path / "bot.db").close()
    return CliRunner().invoke(cli, ["backup", "--config", str(path), *args])


def test_backup_to_a_missing_folder_with_a_slash_creates_it_and_runs_again(tmp_path):
    target = tmp_path / "nightly" / "backups"
    first = run_backup(tmp_path, f"{target}/")
    assert first.exit_code == 0, first.output
    assert target.is_dir() and len(list(target.glob("dtlbot-*.db"))) == 1
    again = run_backup(tmp_path, f"{target}/", "--force")
    assert again.exit_code == 0, again.output


def test_backup_into_a_missing_parent_is_refused_naming_it(tmp_path):
    result = run_backup(tmp_path, str(tmp_path / "nowhere" / "copy.db"))
    assert result.exit_code == 1
    assert "nowhere" in result.output and "does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_backup_never_replaces_a_fifo_or_device_even_with_force(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # /dev/null itself through a link: were the link replaced, the device would be untouched.
    device = tmp_path / "null"
    device.symlink_to("/dev/null")
    for target in (fifo, device):
        result = run_backup(tmp_path, str(target), "--force")
        assert result.exit_code == 1, result.output
        assert "not a regular file" in result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert device.is_symlink() and stat.S_ISCHR(device.stat().st_mode)
    assert not list(tmp_path.glob("*.partial"))


def test_a_failed_backup_leaves_no_partial_file_and_names_the_folder(tmp_path, monkeypatch):
    import bot.features.ops as ops

    folder = tmp_path / "copies"
    folder.mkdir()

    real_connect = ops._connect

    class FailingSource:
        """The source connection, whose copy fails half way (disk I/O error)."""

        def __init__(self, conn):
            self.conn = conn

        def backup(self, target):
            target.execute("create table half_written (x)")
            raise sqlite3.OperationalError("disk I/O error")

        def close(self):
            self.conn.close()

    open_database(tmp_path / "bot.db").close()
    monkeypatch.setattr(ops, "_connect", lambda path, **kw: FailingSource(real_connect(path, **kw)))
    with pytest.raises(ops.OpsError) as error:
        ops.backup(tmp_path / "bot.db", folder / "copy.db")
    assert str(folder) in str(error.value)
    assert list(folder.iterdir()) == []


def test_backup_into_an_unwritable_folder_names_it(tmp_path, monkeypatch):
    import bot.features.ops as ops

    folder = tmp_path / "locked"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(ops.os, "access", lambda p, mode: False if Path(p) == folder
                        else real_access(p, mode))
    result = run_backup(tmp_path, str(folder / "copy.db"))
    assert result.exit_code == 1
    assert f"cannot write in the folder {folder}" in result.output


async def test_control_characters_never_reach_the_calendar_feed_or_csv(bot, config, aiohttp_client):
    configure_forum(config)
    organiser = User("console", "olu", name="Olu", is_organiser=True)
    nasty = "Forum\x00 \x1b[31mred\x08 \x7f\x9b title"
    await say(bot, f'meeting add 2026-12-18 14:00 "{nasty}" "Leeds\x07 hall"', organiser)
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    feed = await (await client.get("/forum.ics")).read()
    assert b"Forum" in feed and b"red" in feed and b"Leeds" in feed
    for control in (b"\x00", b"\x1b", b"\x08", b"\x07", b"\x7f", "\x9b".encode()):
        assert control not in feed
    await say(bot, f"poll start {nasty}", organiser)
    poll = polls.open_poll(bot)
    ids = [p.id for p in poll.priorities]
    await press(bot, Action(f"ballot:{poll.id}",
                            values=ballot_values(poll, ids, "North\x1b[2J PCN")))
    data = polls.export_csv(bot, poll).decode("utf-8")
    assert "Forum" in data
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", data)
