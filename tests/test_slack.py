"""The Slack adapter against a local fake Slack Web API, with requests signed like Slack's."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from adapters.slack.blocks import BLOCKS_PER_MESSAGE, MESSAGE_BLOCK_CHARS, SECTION_TEXT_MAX
from bot.app import create_bot
from bot.kernel.config import Config
from bot.kernel.context import Bot
from bot.kernel.model import (
    Action,
    Button,
    ChoiceField,
    Conversation,
    File,
    Form,
    Image,
    Option,
    Reply,
)
from bot.kernel.registry import Turn
from bot.kernel.seen import FLUSH_SECONDS, PRUNE_TASK_NAME
from bot.server import create_app
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, FakeSlack, sign

SECRET = "test-signing-secret"
DTL_ID = "U0DANA"
ORGANISER_ID = "U0OLU"


@pytest.fixture
async def fake(aiohttp_server) -> FakeSlack:
    api = FakeSlack()
    server = await aiohttp_server(api.make_app())
    api.base_url = str(server.make_url("/"))
    return api


@pytest.fixture
def slack_config(config: Config, fake: FakeSlack) -> Config:
    config.slack.bot_token = "xoxb-test"
    config.slack.signing_secret = SECRET
    config.slack.api_base_url = fake.api_url
    config.slack.organisers = [ORGANISER_ID]
    return config


def make_bot(config: Config, clock) -> Bot:
    return create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})


@pytest.fixture
async def slack_bot(slack_config, clock) -> AsyncIterator[Bot]:
    bot = make_bot(slack_config, clock)
    yield bot
    bot.close()


@pytest.fixture
async def client(slack_bot, aiohttp_client) -> TestClient:
    return await aiohttp_client(create_app(slack_bot, start_scheduler=False))


async def post_json(client: TestClient, payload: dict, **sign_kwargs):
    body = json.dumps(payload).encode()
    headers = {**sign(SECRET, body, **sign_kwargs), "Content-Type": "application/json"}
    return await client.post("/slack/events", data=body, headers=headers)


async def post_form(client: TestClient, fields: dict):
    body = urlencode(fields).encode()
    headers = {**sign(SECRET, body), "Content-Type": "application/x-www-form-urlencoded"}
    return await client.post("/slack/events", data=body, headers=headers)


def event_callback(event: dict, event_id: str = "Ev001") -> dict:
    return {
        "token": "unused", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()), "event": event,
    }


def mention(text: str, ts: str = "1700000001.000100", **extra) -> dict:
    return {"type": "app_mention", "user": DTL_ID, "text": f"<@{BOT_USER_ID}> {text}",
            "channel": "C0FORUM", "ts": ts, "event_ts": ts, **extra}


def dm(text: str, user: str = DTL_ID, **extra) -> dict:
    return {"type": "message", "channel_type": "im", "user": user, "text": text,
            "channel": "D0DANA", "ts": "1700000002.000200", "event_ts": "1700000002.000200",
            **extra}


def texts(call: dict) -> str:
    """All the text a posted message shows (its blocks' text)."""
    blocks = call.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return "\n".join(b["text"]["text"] for b in blocks or [] if b.get("text"))


def buttons(call: dict) -> list[dict]:
    blocks = call.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [e for b in blocks or [] if b["type"] == "actions" for e in b["elements"]]


# Security


async def test_url_verification_is_answered_with_the_challenge(client):
    response = await post_json(client, {"type": "url_verification", "challenge": "abc123",
                                        "token": "unused"})
    assert response.status == 200
    assert "abc123" in await response.text()


async def test_unsigned_forged_and_stale_requests_are_refused_with_401(client, fake):
    body = json.dumps(event_callback(mention("What is a DTL?"))).encode()
    unsigned = await client.post("/slack/events", data=body,
                                 headers={"Content-Type": "application/json"})
    forged = await client.post("/slack/events", data=body, headers={
        **sign("not-the-secret", body), "Content-Type": "application/json"})
    stale = await client.post("/slack/events", data=body, headers={
        **sign(SECRET, body, timestamp=int(time.time()) - 6 * 60),
        "Content-Type": "application/json"})
    tampered = await client.post("/slack/events", data=body + b" ", headers={
        **sign(SECRET, body), "Content-Type": "application/json"})
    assert [r.status for r in (unsigned, forged, stale, tampered)] == [401, 401, 401, 401]
    await asyncio.sleep(0.1)
    assert fake.calls == []  # no work done: not even auth.test


async def test_oversize_body_and_malformed_json_are_refused_and_the_server_stays_healthy(
    client, slack_bot
):
    big = b"x" * (3 * 1024 * 1024)
    response = await client.post("/slack/events", data=big,
                                 headers={**sign(SECRET, big), "Content-Type": "application/json"})
    assert response.status == 413
    broken = b'{"type": "event_callback", "event": '
    response = await client.post("/slack/events", data=broken,
                                 headers={**sign(SECRET, broken),
                                          "Content-Type": "application/json"})
    assert response.status == 400
    assert "malformed" in (await response.json())["error"]
    health = await client.get("/healthz")
    assert health.status == 200
    assert "slack" in (await health.json())["adapters"]


# Answering


async def test_an_event_while_slack_is_down_gets_503_for_slack_to_retry_and_no_error(
        client, fake, caplog):
    fake.outage("auth.test", times=3)  # the first try and both of the client's retries
    with caplog.at_level(logging.WARNING):
        response = await post_json(client, event_callback(mention("how often does the forum meet")))
    assert response.status == 503
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "unreachable" in caplog.text
    # Slack sends the event again later, and by then its API answers.
    retried = await post_json(client, event_callback(mention("how often does the forum meet")))
    assert retried.status == 200
    (posted,) = await fake.wait_for("chat.postMessage")
    assert "every two months" in texts(posted)


async def test_a_post_refused_by_a_slack_outage_is_logged_with_its_status(client, fake, caplog):
    await post_json(client, event_callback(mention("hello there", ts="1700000009.000100"),
                                           event_id="EvWarm"))
    await fake.wait_for("chat.postMessage")
    fake.outage("chat.postMessage", times=3)
    with caplog.at_level(logging.WARNING):
        response = await post_json(client, event_callback(mention("how often does the forum meet")))
        assert response.status == 200
        await fake.wait_for("chat.postMessage:503", count=3)
        for _ in range(100):
            if "slack post failed" in caplog.text:
                break
            await asyncio.sleep(0.02)
    assert "slack post failed method=chat.postMessage channel=C0FORUM reason=503" in caplog.text
    assert "Traceback" not in caplog.text and "answer failed" not in caplog.text


async def test_slash_command_question_is_answered_privately_to_the_asker(client, fake):
    response = await post_form(client, {
        "command": "/dtl", "text": "What is the ARRS?", "user_id": DTL_ID, "user_name": "dana",
        "channel_id": "C0FORUM", "team_id": "T0001", "response_url": fake.response_url(),
        "trigger_id": "trig-1", "token": "unused",
    })
    assert response.status == 200
    (answer,) = await fake.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "ARRS" in texts(answer)
    assert fake.called("chat.postMessage") == []


async def test_mention_is_answered_in_a_thread_under_it(client, fake):
    response = await post_json(client, event_callback(mention("What is the ARRS?")))
    assert response.status == 200
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["channel"] == "C0FORUM"
    assert post["thread_ts"] == "1700000001.000100"
    assert "ARRS" in texts(post)
    assert f"<@{BOT_USER_ID}>" not in texts(post)


async def test_mention_inside_a_thread_is_answered_in_that_thread(client, fake):
    event = mention("help", ts="1700000009.000900", thread_ts="1700000001.000100")
    await post_json(client, event_callback(event))
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["thread_ts"] == "1700000001.000100"


async def test_direct_message_is_answered_in_the_dm_with_a_welcome_the_first_time(client, fake):
    await post_json(client, event_callback(dm("What is the ARRS?"), event_id="Ev1"))
    await post_json(client, event_callback(dm("What is a DTL?"), event_id="Ev2"))
    first, second = await fake.wait_for("chat.postMessage", count=2)
    assert first["channel"] == "D0DANA" and first.get("thread_ts") is None
    assert "DTL Forum Bot" in texts(first) and "ARRS" in texts(first)
    assert len(buttons(first)) >= 3  # the example questions
    assert "Hello, I'm the DTL Forum Bot" not in texts(second)


async def test_organiser_is_recognised_by_slack_user_id(client, fake):
    await post_json(client, event_callback(dm("help", user=ORGANISER_ID), event_id="Ev7"))
    (post,) = await fake.wait_for("chat.postMessage")
    assert "For organisers" in texts(post)
    await post_json(client, event_callback(dm("help"), event_id="Ev8"))
    posts = await fake.wait_for("chat.postMessage", count=2)
    assert "For organisers" not in texts(posts[1])


async def test_retried_event_is_answered_once(client, fake):
    payload = event_callback(mention("What is the ARRS?"), event_id="EvRETRY")
    first = await post_json(client, payload)
    await fake.wait_for("chat.postMessage")
    retry = await post_json(client, payload)
    assert (first.status, retry.status) == (200, 200)
    await asyncio.sleep(0.2)
    assert len(fake.called("chat.postMessage")) == 1


async def test_retried_event_is_answered_once_across_a_restart(
    slack_config, clock, fake, aiohttp_client
):
    payload = event_callback(mention("What is the ARRS?"), event_id="EvRESTART")
    bot = make_bot(slack_config, clock)
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    await post_json(client, payload)
    await fake.wait_for("chat.postMessage")
    await client.close()
    bot.close()

    restarted = make_bot(slack_config, clock)
    client = await aiohttp_client(create_app(restarted, start_scheduler=False))
    assert (await post_json(client, payload)).status == 200
    await asyncio.sleep(0.2)
    assert len(fake.called("chat.postMessage")) == 1
    restarted.close()


async def test_processed_event_ids_are_pruned_after_a_day(client, fake, slack_bot, clock):
    await post_json(client, event_callback(mention("help"), event_id="EvOLD"))
    await fake.wait_for("chat.postMessage")
    await asyncio.sleep(FLUSH_SECONDS * 2)  # ids are written in batches
    (prune,) = [t for t in slack_bot.registry.tasks if t.name == PRUNE_TASK_NAME]
    assert prune.next_due(slack_bot) == clock.now() + timedelta(days=1)
    clock.advance(days=1, seconds=1)
    await prune.run(slack_bot)
    assert slack_bot.db["seen_events"].count == 0
    assert prune.next_due(slack_bot) is None
    # Forgotten, so the same id would now be treated as new.
    await post_json(client, event_callback(mention("help"), event_id="EvOLD"))
    await fake.wait_for("chat.postMessage", count=2)


async def test_the_bots_own_messages_and_other_bots_are_ignored(client, fake):
    own = dm("Hello, I'm the DTL Forum Bot", user=BOT_USER_ID, bot_id=BOT_ID)
    other_bot = dm("beep", user="U0OTHER", bot_id="B0OTHER", event_ts="1.2")
    edited = dm("edited", subtype="message_changed")
    for n, event in enumerate((own, other_bot, edited)):
        assert (await post_json(client, event_callback(event, event_id=f"EvBot{n}"))).status == 200
    await asyncio.sleep(0.2)
    assert fake.called("chat.postMessage") == []


async def test_related_topic_button_click_shows_that_topic(client, fake):
    await post_json(client, event_callback(mention("How often does the DTL forum meet?")))
    (answer,) = await fake.wait_for("chat.postMessage")
    topic = next(b for b in buttons(answer) if b["action_id"].startswith("topic|"))
    response = await post_form(client, {"payload": json.dumps({
        "type": "block_actions", "user": {"id": DTL_ID}, "trigger_id": "trig-2",
        "team": {"id": "T0001"}, "channel": {"id": "C0FORUM"},
        "container": {"type": "message", "channel_id": "C0FORUM"},
        "message": {"ts": "1700000000.000001", "thread_ts": "1700000001.000100"},
        "actions": [{"type": "button", "action_id": topic["action_id"],
                     "value": topic["value"], "block_id": "b1"}],
    })})
    assert response.status == 200
    _, shown = await fake.wait_for("chat.postMessage", count=2)
    assert shown["thread_ts"] == "1700000001.000100"
    assert topic["value"] == "forum-face-to-face"
    assert f"*{topic['text']['text']}*" in texts(shown)  # the topic's title, in bold


async def test_rate_limited_post_is_retried_after_retry_after_then_succeeds(client, fake):
    fake.throttle("chat.postMessage", times=1, retry_after=1)
    started = time.monotonic()
    await post_json(client, event_callback(mention("What is the ARRS?")))
    (post,) = await fake.wait_for("chat.postMessage")
    assert time.monotonic() - started >= 1.0
    assert len(fake.called("chat.postMessage:429")) == 1
    assert "ARRS" in texts(post)


async def test_a_post_that_finally_fails_is_logged_with_channel_and_reason(client, fake, caplog):
    fake.fail("chat.postMessage", "channel_not_found")
    with caplog.at_level(logging.ERROR, logger="dtlbot.slack"):
        await post_json(client, event_callback(mention("help")))
        await fake.wait_for("chat.postMessage")
        await asyncio.sleep(0.05)
    assert any("C0FORUM" in r.getMessage() and "channel_not_found" in r.getMessage()
               for r in caplog.records)


async def test_slow_uploads_do_not_delay_the_acknowledgement(client, fake):
    fake.delays["chat.postMessage"] = 1.5
    started = time.monotonic()
    response = await post_json(client, event_callback(mention("help")))
    assert response.status == 200
    assert time.monotonic() - started < 1.0
    await fake.wait_for("chat.postMessage")


async def test_home_tab_shows_the_welcome_and_help(client, fake):
    await post_json(client, event_callback(
        {"type": "app_home_opened", "user": DTL_ID, "channel": "D0DANA", "tab": "home",
         "event_ts": "1700000003.000300"}))
    (published,) = await fake.wait_for("views.publish")
    assert published["user_id"] == DTL_ID
    view = published["view"] if isinstance(published["view"], dict) else json.loads(
        published["view"])
    assert view["type"] == "home"
    shown = json.dumps(view)
    assert "Hello, I'm the DTL Forum Bot" in shown and "What I can do" in shown


async def test_opening_the_messages_tab_the_first_time_posts_the_welcome_once(client, fake):
    event = {"type": "app_home_opened", "user": DTL_ID, "channel": "D0DANA", "tab": "messages"}
    await post_json(client, event_callback(event, event_id="EvH1"))
    await post_json(client, event_callback(event, event_id="EvH2"))
    (welcome,) = await fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.1)
    assert len(fake.called("chat.postMessage")) == 1
    lines = texts(welcome).splitlines()
    assert len(lines) == 2 and len(buttons(welcome)) == 3


async def test_oversized_answer_is_split_within_block_kit_limits(client, fake, slack_bot):
    long_text = "\n".join(f"- point {i}: " + "word " * 60 for i in range(120))
    many = tuple(Button(f"Topic {i}", Action("topic", value=f"t{i}")) for i in range(30))

    async def essay(turn: Turn) -> list[Reply]:
        return [Reply(long_text, buttons=many)]

    slack_bot.registry.command("essay", help="a long answer")(essay)
    await post_json(client, event_callback(mention("essay")))
    await asyncio.sleep(0.3)
    posts = fake.called("chat.postMessage")
    assert len(posts) >= 2
    for post in posts:
        blocks = post["blocks"] if isinstance(post["blocks"], list) else json.loads(post["blocks"])
        assert len(blocks) <= BLOCKS_PER_MESSAGE
        assert len(json.dumps(blocks)) <= MESSAGE_BLOCK_CHARS + 200
        for block in blocks:
            if block.get("text"):
                assert len(block["text"]["text"]) <= SECTION_TEXT_MAX
            assert len(block.get("elements", [])) <= 25
    shown = "\n".join(texts(p) for p in posts)
    assert "point 0:" in shown and "point 119:" in shown
    assert sum(len(buttons(p)) for p in posts) == 30
    ids = [b["action_id"] for p in posts for b in buttons(p)]
    assert len(ids) == len(set(ids))


# Images, files and forms


async def test_image_and_csv_replies_are_uploaded_to_the_thread(client, fake, slack_bot):
    async def chart(turn: Turn) -> list[Reply]:
        return [Reply("Results:", image=Image(b"\x89PNG fake", alt="Bar chart of rankings")),
                Reply(file=File(b"a,b\n1,2\n", "results.csv", "text/csv", "Poll results"))]

    slack_bot.registry.command("chart", help="a chart")(chart)
    await post_json(client, event_callback(mention("chart")))
    completes = await fake.wait_for("files.completeUploadExternal", count=2)
    assert all(c["channel_id"] == "C0FORUM" for c in completes)
    assert all(c["thread_ts"] == "1700000001.000100" for c in completes)
    assert "Bar chart of rankings" in completes[0]["files"]
    assert len(fake.called("upload")) == 2
    (text,) = fake.called("chat.postMessage")
    assert "Results:" in texts(text)


def ballot_form(error: str | None = None, chosen: dict[str, str] | None = None) -> Form:
    chosen = chosen or {}
    options = tuple(Option(str(n), str(n)) for n in range(1, 4))
    fields = tuple(
        ChoiceField(f"rank:{p}", f"Rank of {p}", options, initial=chosen.get(f"rank:{p}"),
                    error=error if error and chosen.get(f"rank:{p}") == "1" else None)
        for p in ("a", "b", "c")
    )
    return Form(id="test-ballot", title="Rank the priorities of the forum this year",
                fields=fields, text_hint="Type `rank a b c`.")


@pytest.fixture
def with_ballot(slack_bot):
    async def open_ballot(turn: Turn) -> list[Reply]:
        return [Reply("Here is the ballot.", form=ballot_form())]

    async def submit(turn: Turn) -> list[Reply]:
        values = turn.incoming.action.values
        if len(set(values.values())) < len(values):
            return [Reply(form=ballot_form("Each rank can be used once.", values))]
        return [Reply("Thanks, your ballot is saved.")]

    slack_bot.registry.action("open-ballot")(open_ballot)
    slack_bot.registry.action("test-ballot")(submit)


def press(action_id: str) -> dict:
    return {"payload": json.dumps({
        "type": "block_actions", "user": {"id": DTL_ID}, "trigger_id": "trig-3",
        "team": {"id": "T0001"}, "channel": {"id": "D0DANA"},
        "container": {"type": "message", "channel_id": "D0DANA"}, "message": {"ts": "1.1"},
        "actions": [{"type": "button", "action_id": action_id, "value": "", "block_id": "b"}],
    })}


def submission(values: dict[str, str], metadata: str) -> dict:
    state = {k: {"value": {"type": "static_select", "selected_option": {"value": v}}}
             for k, v in values.items()}
    return {"payload": json.dumps({
        "type": "view_submission", "user": {"id": DTL_ID}, "team": {"id": "T0001"},
        "view": {"id": "V1", "type": "modal", "callback_id": "test-ballot",
                 "private_metadata": metadata, "state": {"values": state}},
    })}


async def test_button_reply_with_a_form_opens_a_modal(client, fake, with_ballot):
    assert (await post_form(client, press("open-ballot|0"))).status == 200
    (opened,) = await fake.wait_for("views.open")
    assert opened["trigger_id"] == "trig-3"
    view = opened["view"]
    assert view["callback_id"] == "test-ballot" and view["type"] == "modal"
    assert len(view["title"]["text"]) <= 24
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "rank:a", "rank:b", "rank:c"]
    (post,) = await fake.wait_for("chat.postMessage")
    assert "Here is the ballot." in texts(post)


async def test_form_rejecting_duplicate_choices_keeps_the_modal_open_with_errors(
    client, fake, with_ballot
):
    await post_form(client, press("open-ballot|0"))
    (opened,) = await fake.wait_for("views.open")
    metadata = opened["view"]["private_metadata"]
    response = await post_form(
        client, submission({"rank:a": "1", "rank:b": "1", "rank:c": "2"}, metadata))
    assert response.status == 200
    body = await response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"rank:a", "rank:b"}
    assert "once" in body["errors"]["rank:a"]

    response = await post_form(
        client, submission({"rank:a": "1", "rank:b": "2", "rank:c": "3"}, metadata))
    assert response.status == 200
    assert (await response.text()) == ""  # the modal closes
    posts = await fake.wait_for("chat.postMessage", count=2)
    assert posts[-1]["channel"] == "D0DANA"
    assert "ballot is saved" in texts(posts[-1])


async def test_proactive_post_goes_to_the_stored_channel(client, fake, slack_bot):
    conversation = Conversation("slack", "C0FORUM", is_direct=False,
                                reference={"channel": "C0FORUM", "thread_ts": "1.2"})
    await slack_bot.send(conversation, [Reply("The forum meets tomorrow.")])
    (post,) = fake.called("chat.postMessage")
    assert post["channel"] == "C0FORUM" and post.get("thread_ts") is None
    fake.fail("chat.postMessage", "not_in_channel")
    with pytest.raises(RuntimeError, match="C0FORUM"):
        await slack_bot.send(conversation, [Reply("Again.")])


# Socket Mode


async def test_socket_mode_answers_and_reconnects_after_the_connection_drops(
    config, fake, clock, aiohttp_client
):
    config.slack.bot_token = "xoxb-test"
    config.slack.app_token = "xapp-test"
    config.slack.api_base_url = fake.api_url
    config.slack.socket_ping_seconds = 0.1
    bot = make_bot(config, clock)
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    try:
        await wait_until(lambda: fake.sockets)
        await fake.push(event_callback(mention("What is the ARRS?"), event_id="EvS1"))
        (first,) = await fake.wait_for("chat.postMessage")
        assert "ARRS" in texts(first)

        fake.drop_socket()
        await wait_until(lambda: len(fake.sockets) == 2, timeout=5)
        assert fake.connections_opened == 2
        await fake.push(event_callback(mention("What is a DTL?"), event_id="EvS2"))
        await fake.wait_for("chat.postMessage", count=2)
        acked = {a.get("envelope_id") for a in fake.socket_acks}
        assert len(acked) == 2
        started = time.monotonic()
        await client.close()  # shutting down does not wait out a WebSocket timeout
        assert time.monotonic() - started < 2
    finally:
        await client.close()
        bot.close()


async def wait_until(condition, timeout: float = 3) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


# Rendering, deploying and configuring


def test_reply_markup_becomes_slack_mrkdwn_with_reserved_characters_escaped():
    from adapters.slack.blocks import to_mrkdwn

    text = "**Bold** & _it_ <b> `code`\n- see [the toolkit](https://example.org/a?b=1&c=2)"
    assert to_mrkdwn(text) == (
        "*Bold* &amp; _it_ &lt;b&gt; `code`\n• see <https://example.org/a?b=1&amp;c=2|the toolkit>"
    )


def test_manifest_has_the_command_events_scopes_and_the_deployers_url():
    import yaml
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["slack", "manifest", "--url", "https://bot.example.org/"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    endpoint = "https://bot.example.org/slack/events"
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/dtl" and command["url"] == endpoint
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == endpoint
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "app_home_opened"}
    assert settings["interactivity"] == {"is_enabled": True, "request_url": endpoint}
    assert {"app_mentions:read", "chat:write", "commands", "files:write", "im:history",
            "im:write", "users:read"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True

    socket = yaml.safe_load(CliRunner().invoke(cli, ["slack", "manifest", "--socket-mode"]).output)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["event_subscriptions"]

    refused = CliRunner().invoke(cli, ["slack", "manifest", "--url", "http://bot.example.org"])
    assert refused.exit_code == 2 and "https://" in refused.output


def test_slack_settings_come_from_the_environment_and_a_half_setup_is_refused(tmp_path):
    from adapters.slack import enabled
    from bot.app import load_config
    from bot.kernel.config import ConfigError

    config = load_config(None, env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert enabled(config) and config.slack.signing_secret == "s"
    socket = load_config(None, env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert enabled(socket)
    assert not enabled(load_config(None, env={}))
    with pytest.raises(ConfigError) as error:
        load_config(None, env={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert error.value.key == "slack.signing_secret"


async def test_home_tab_includes_the_next_meeting_when_that_feature_is_on(
    client, fake, slack_bot
):
    async def next_meeting(turn: Turn) -> list[Reply]:
        return [Reply("The next forum is on Thursday 8 January.")]

    # Stands in for the meetings feature when this build does not have it yet.
    stand_in = slack_bot.registry.match("next meeting") is None
    if stand_in:
        slack_bot.registry.command("next meeting", help="when the forum next meets")(next_meeting)
    await post_json(client, event_callback(
        {"type": "app_home_opened", "user": DTL_ID, "tab": "home"}, event_id="EvHome"))
    (published,) = await fake.wait_for("views.publish")
    shown = json.dumps(published["view"])
    assert "Next meeting" in shown
    assert not stand_in or "Thursday 8 January" in shown


async def test_a_form_wide_error_reshows_the_modal_with_the_reason_and_the_choices(
    client, fake, slack_bot
):
    async def refuse(turn: Turn) -> list[Reply]:
        values = turn.incoming.action.values
        return [Reply(form=Form(id="test-ballot", title="Ballot", error="The poll has closed.",
                                fields=ballot_form(chosen=values).fields))]

    slack_bot.registry.action("test-ballot")(refuse)
    response = await post_form(client, submission({"rank:a": "2"}, "{}"))
    body = await response.json()
    assert body["response_action"] == "update"
    assert "The poll has closed." in json.dumps(body["view"]["blocks"][0])
    (rank_a,) = [b for b in body["view"]["blocks"] if b.get("block_id") == "rank:a"]
    assert rank_a["element"]["initial_option"]["value"] == "2"


async def test_form_in_a_typed_answer_gets_a_button_that_opens_it_as_a_modal(
    client, fake, slack_bot
):
    async def ballot(turn: Turn) -> list[Reply]:
        return [Reply("The poll is open.", form=ballot_form())]

    slack_bot.registry.command("ballot test", help="a test ballot")(ballot)
    await post_json(client, event_callback(dm("ballot test"), event_id="EvForm"))
    (post,) = await fake.wait_for("chat.postMessage")
    assert "rank a b c" in texts(post)  # the typed alternative is shown too
    (opener,) = [b for b in buttons(post) if b["text"]["text"].startswith("Open:")]
    payload = json.loads(press(opener["action_id"])["payload"])
    payload["actions"][0]["value"] = opener["value"]
    await post_form(client, {"payload": json.dumps(payload)})
    (opened,) = await fake.wait_for("views.open")
    assert opened["view"]["callback_id"] == "test-ballot"

    payload["actions"][0]["value"] = "forgotten-after-a-restart"
    await post_form(client, {"payload": json.dumps(payload)})
    _, expired = await fake.wait_for("chat.postMessage", count=2)
    assert "expired" in texts(expired)


async def test_slash_command_reply_with_a_form_opens_the_modal_at_once(client, fake, slack_bot):
    async def ballot(turn: Turn) -> list[Reply]:
        return [Reply(form=ballot_form())]

    slack_bot.registry.command("ballot test", help="a test ballot")(ballot)
    await post_form(client, {
        "command": "/dtl", "text": "ballot test", "user_id": DTL_ID, "channel_id": "C0FORUM",
        "team_id": "T0001", "response_url": fake.response_url(), "trigger_id": "trig-9",
    })
    (opened,) = await fake.wait_for("views.open")
    assert opened["trigger_id"] == "trig-9"
    await asyncio.sleep(0.1)
    assert fake.called("response_url") == []  # nothing else to say


async def test_socket_mode_recovers_when_the_clients_own_reconnection_is_stuck(
    config, fake, clock, aiohttp_client
):
    from adapters.slack import SOCKET_KEY

    config.slack.bot_token = "xoxb-test"
    config.slack.app_token = "xapp-test"
    config.slack.api_base_url = fake.api_url
    config.slack.socket_ping_seconds = 0.05
    bot = make_bot(config, clock)
    app = create_app(bot, start_scheduler=False)
    client = await aiohttp_client(app)
    try:
        await wait_until(lambda: fake.sockets)
        stuck = app[SOCKET_KEY].handler.client
        # The broken state of slack-sdk issue #1446: nothing left that would reconnect.
        stuck.current_session_monitor.cancel()
        stuck.auto_reconnect_enabled = False
        fake.drop_socket()
        await wait_until(lambda: len(fake.sockets) == 2, timeout=5)
        assert app[SOCKET_KEY].replacements == 1
        await fake.push(event_callback(mention("What is the ARRS?"), event_id="EvS3"))
        (post,) = await fake.wait_for("chat.postMessage")
        assert "ARRS" in texts(post)
    finally:
        await client.close()
        bot.close()


async def test_a_mention_inside_a_dm_is_answered_once(client, fake):
    event = dm(f"<@{BOT_USER_ID}> help")
    await post_json(client, event_callback(event, event_id="EvDm1"))
    await post_json(client, event_callback(
        {**event, "type": "app_mention", "channel_type": "im"}, event_id="EvDm2"))
    await fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.2)
    assert len(fake.called("chat.postMessage")) == 1


async def test_slash_command_files_go_to_the_askers_dm(client, fake, slack_bot):
    async def export(turn: Turn) -> list[Reply]:
        return [Reply("Here is the export.", file=File(b"a,b\n", "export.csv", "text/csv"))]

    slack_bot.registry.command("export test", help="a CSV")(export)
    await post_form(client, {
        "command": "/dtl", "text": "export test", "user_id": DTL_ID, "channel_id": "C0FORUM",
        "team_id": "T0001", "response_url": fake.response_url(), "trigger_id": "trig-5",
    })
    (complete,) = await fake.wait_for("files.completeUploadExternal")
    (opened,) = fake.called("conversations.open")
    assert opened["users"] == DTL_ID
    assert complete["channel_id"] == "D" + DTL_ID.lstrip("U")
    said = await fake.wait_for("response_url", count=2)
    assert "Here is the export." in texts(said[0])
    assert "direct message" in said[1]["text"]


async def test_a_button_on_the_home_tab_is_answered_in_the_dm(client, fake):
    payload = json.loads(press("ask|0")["payload"])
    del payload["channel"]
    payload["container"] = {"type": "view", "view_id": "VHOME"}
    payload["actions"][0]["value"] = "What is the ARRS?"
    await post_form(client, {"payload": json.dumps(payload)})
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["channel"] == "D" + DTL_ID.lstrip("U")
    assert "ARRS" in texts(post)


def test_buttons_with_long_values_are_split_into_rows_that_fit_a_message():
    from adapters.slack.blocks import messages_for

    buttons = tuple(Button(f"Question {i}", Action("ask", value="why " * 400)) for i in range(25))
    messages = messages_for([Reply("Pick one:", buttons=buttons)])
    for message in messages:
        assert len(json.dumps(message.blocks)) <= MESSAGE_BLOCK_CHARS
    assert sum(len(b.get("elements", [])) for m in messages for b in m.blocks) == 25


def test_manifest_takes_the_public_url_from_the_config_file(tmp_path):
    from click.testing import CliRunner

    from bot.cli import cli

    config = tmp_path / "bot.toml"
    config.write_text('[server]\npublic_url = "https://dtl.example.org"\n')
    result = CliRunner().invoke(cli, ["slack", "manifest", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "request_url: https://dtl.example.org/slack/events" in result.output
    result = CliRunner().invoke(cli, ["slack", "manifest", "--config", str(config),
                                            "--url", "https://other.example.org"])
    assert "https://other.example.org/slack/events" in result.output
