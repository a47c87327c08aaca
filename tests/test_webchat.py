"""The web chat adapter: its JSON API, identity, rate limits and live delivery of bot messages."""

import asyncio
import base64
import hashlib
import json
import logging
import weakref

import pytest
from click.testing import CliRunner

from adapters.webchat import WEBCHAT_KEY, routes, tokens
from adapters.webchat.identity import is_loopback, normalise_name
from bot.cli import cli
from bot.kernel.config import ConfigError
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
    TextField,
    User,
)
from bot.server import ADAPTERS_KEY, create_app

API = "/chat/api/messages"
DANA = {"id": "dana", "name": "Dana"}


@pytest.fixture
async def client(bot, aiohttp_client):
    return await aiohttp_client(create_app(bot, start_scheduler=False))


# The token each test client was given for each name (as a page keeps it in local storage).
TOKENS: dict[tuple[int, str], str] = {}
# Which client each id in TOKENS is: a later client may get a collected one's id, and must not
# inherit its tokens.
_CLIENTS: dict[int, weakref.ref] = {}


def _key(client, name: str) -> tuple[int, str]:
    known = _CLIENTS.get(id(client))
    if known is None or known() is not client:
        for stale in [k for k in TOKENS if k[0] == id(client)]:
            del TOKENS[stale]
        _CLIENTS[id(client)] = weakref.ref(client)
    return (id(client), normalise_name(name))


async def post(client, body):
    """POST a message as a page does: with the name's token once it has one, keeping new ones."""
    user = body.get("user")
    if isinstance(user, dict) and not user.get("token"):
        held = TOKENS.get(_key(client, user.get("id") or user.get("name") or ""))
        if held:
            body = body | {"user": user | {"token": held}}
    response = await client.post(API, json=body)
    if response.status == 200:
        answer = await response.json()
        if "token" in answer:
            named = body["user"].get("id") or body["user"].get("name") or ""
            TOKENS[_key(client, named)] = answer["token"]
    return response


def token_of(client, name):
    return TOKENS[_key(client, name)]


async def ask(client, text, user=DANA):
    response = await post(client, {"user": user, "text": text})
    assert response.status == 200, await response.text()
    return (await response.json())["replies"]


async def test_a_question_gets_its_answer_and_related_topic_buttons(client):
    [reply] = await ask(client, "how often does the forum meet")
    assert "online every two months" in reply["text"]
    topics = [b for b in reply["buttons"] if b["action"]["id"] == "topic"]
    assert "How to join the DTL forum" in [b["label"] for b in topics]


async def test_pressing_a_related_topic_button_gets_the_follow_up(client):
    [reply] = await ask(client, "how often does the forum meet")
    join = next(b for b in reply["buttons"] if b["label"] == "How to join the DTL forum")
    response = await post(client, {"user": DANA, "action": join["action"]})
    assert response.status == 200
    [follow_up] = (await response.json())["replies"]
    assert follow_up["text"].startswith("**How to join the DTL forum**")


async def test_every_kind_of_reply_reaches_the_page_as_json(bot, client):
    png = b"\x89PNG\r\n\x1a\nfake"

    @bot.registry.command("showcase", help="test")
    async def showcase(turn):
        return [Reply(
            "**All** kinds",
            buttons=(Button("Go", Action("go", value="1"), style="primary"),),
            form=Form("ballot", "Rank", fields=(
                ChoiceField("first", "First", (Option("a", "A"), Option("b", "B"))),
                TextField("who", "Who leads it"),
            )),
            image=Image(png, alt="a chart"),
            file=File(b"a,b\n1,2\n", "results.csv", mime="text/csv"),
        )]

    [reply] = await ask(client, "showcase")
    assert reply["buttons"][0] == {
        "label": "Go", "action": {"id": "go", "value": "1", "values": {}},
        "style": "primary", "url": None,
    }
    assert [f["id"] for f in reply["form"]["fields"]] == ["first", "who"]
    assert reply["form"]["fields"][0]["options"][1] == {"value": "b", "label": "B"}
    assert base64.b64decode(reply["image"]["data"]) == png
    assert reply["image"]["alt"] == "a chart"
    assert base64.b64decode(reply["file"]["data"]) == b"a,b\n1,2\n"
    assert reply["file"]["filename"] == "results.csv"


async def test_a_form_submission_carries_the_chosen_values_to_the_feature(bot, client):
    seen = []

    @bot.registry.action("ballot")
    async def ballot(turn):
        seen.append(dict(turn.incoming.action.values))
        return [Reply("Thanks")]

    response = await post(client, {
        "user": DANA, "action": {"id": "ballot", "values": {"first": "b", "who": "Sam"}},
    })
    assert response.status == 200
    assert seen == [{"first": "b", "who": "Sam"}]


@pytest.mark.parametrize(("body", "message"), [
    ({"text": "hi"}, '"user" must be an object'),
    ({"user": {"id": "  "}, "text": "hi"}, "non-empty name"),
    ({"user": {"id": 7}, "text": "hi"}, '"user.id" must be a string'),
    ({"user": DANA}, 'send "text"'),
    ({"user": DANA, "text": ["hi"]}, '"text" must be a string'),
    ({"user": DANA, "text": "x" * 2001}, "at most 2000 characters"),
    ({"user": DANA, "action": {"value": "x"}}, '"action.id" must be a string'),
    ({"user": DANA, "action": {"id": "f", "values": {"a": 1}}}, '"action.values.a" must be'),
    ([1, 2], "expected a JSON object"),
])
async def test_a_request_that_is_not_a_message_gets_400_saying_why(client, body, message):
    response = await client.post(API, json=body)
    assert response.status == 400
    assert message in (await response.json())["error"]


async def test_malformed_and_oversize_bodies_get_400_and_413(client):
    response = await client.post(API, data=b'{"user": ')
    assert (response.status, await response.json()) == (400, {"error": "malformed JSON"})
    response = await client.post(API, data=b'{"text": "\xff\xfe"}')
    assert response.status == 400
    big = json.dumps({"user": DANA, "text": "x" * 20_000})
    response = await client.post(API, data=big)
    assert response.status == 413
    assert (await response.json()) == {"error": "request body too large"}
    assert (await client.get("/healthz")).status == 200


async def test_too_many_messages_get_429_with_a_clear_message_and_others_go_on(bot, client):
    burst = bot.config.webchat.burst
    for _ in range(burst):
        await ask(client, "help")
    response = await post(client, {"user": DANA, "text": "help"})
    assert response.status == 429
    body = await response.json()
    assert body["error"].startswith("Too many messages at once: please wait")
    assert int(response.headers["Retry-After"]) == body["retry_after"] >= 1
    # Someone else on the same machine is not held up by Dana's burst.
    await ask(client, "help", user={"id": "sam"})


async def test_the_limit_refills_over_time(bot, client):
    chat = client.app[WEBCHAT_KEY]
    now = [1000.0]
    chat.monotonic = lambda: now[0]
    for _ in range(bot.config.webchat.burst):
        await ask(client, "help")
    assert (await post(client, {"user": DANA, "text": "help"})).status == 429
    now[0] += 60 / bot.config.webchat.rate_per_minute
    await ask(client, "help")


async def test_only_listed_names_organise_when_open_admin_is_off(config, bot, aiohttp_client):
    config.webchat.open_admin = False
    config.webchat.organisers = ["Olu  Adeyemi"]
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    [reply] = await ask(client, "unanswered", user={"id": "olu adeyemi", "name": "Olu Adeyemi"})
    assert not reply["text"].startswith("Only forum organisers")
    [reply] = await ask(client, "unanswered", user={"id": "dana"})
    assert reply["text"] == "Only forum organisers can use `unanswered`."
    info = await (await client.get("/chat/api/info", params={
        "user": "OLU ADEYEMI", "token": token_of(client, "olu adeyemi")})).json()
    assert info["organiser"] is True and info["open_admin"] is False


async def test_everyone_organises_under_open_admin_and_the_page_is_told(client):
    [reply] = await ask(client, "unanswered")
    assert not reply["text"].startswith("Only forum organisers")
    info = await (await client.get("/chat/api/info", params={"user": "dana"},
                                   headers={"X-Chat-Token": token_of(client, "dana")})).json()
    assert info["open_admin"] is True and info["organiser"] is True
    assert "Hello, I'm the DTL Forum Bot" in info["welcome"]["text"]


async def read_event(stream) -> dict:
    """The next `data:` event from a Server-Sent Events response."""
    while True:
        line = await asyncio.wait_for(stream.content.readline(), 5)
        assert line, "stream ended"
        if line.startswith(b"data: "):
            return json.loads(line[len(b"data: "):])


async def open_stream(client, name="dana", **headers):
    """The event stream of a page that has sent its first message (so holds the token)."""
    if _key(client, name) not in TOKENS:
        await ask(client, "help", user={"id": name})
    response = await client.get("/chat/api/events", headers=headers, params={
        "user": name, "token": token_of(client, name)})
    assert response.status == 200, await response.text()
    return response


async def test_a_message_the_bot_sends_on_its_own_reaches_an_open_page(bot, client):
    stream = await open_stream(client, "Dana")
    assert stream.headers["Content-Type"] == "text/event-stream"
    await asyncio.sleep(0.05)
    await bot.send(Conversation("webchat", "dana"), [Reply("The forum meets **tomorrow**.")])
    event = await read_event(stream)
    assert event["replies"][0]["text"] == "The forum meets **tomorrow**."
    stream.close()


async def test_messages_sent_while_no_page_is_open_arrive_when_it_opens_once(bot, client):
    await ask(client, "help")
    await bot.send(Conversation("webchat", "dana"), [Reply("First")])
    await bot.send(Conversation("webchat", "dana"), [Reply("Second")])
    stream = await open_stream(client)
    first = await read_event(stream)
    second = await read_event(stream)
    assert [first["replies"][0]["text"], second["replies"][0]["text"]] == ["First", "Second"]
    stream.close()
    # A page that has seen the first one (Last-Event-ID on reconnect) gets only the rest.
    stream = await open_stream(client, **{"Last-Event-ID": str(first["id"])})
    assert (await read_event(stream))["replies"][0]["text"] == "Second"
    stream.close()


async def test_my_data_and_forget_me_cover_waiting_web_chat_messages(bot, client):
    dana = User("webchat", "dana", name="Dana")
    [kind] = [k for k in bot.registry.personal_data if k.name == "web chat messages waiting"]
    assert kind.describe(bot, dana) == []
    await bot.send(Conversation("webchat", "dana"), [Reply("Reminder")])
    assert "1 message the bot sent" in kind.describe(bot, dana)[0]
    assert kind.forget(bot, dana) == "Deleted 1 web chat message that was waiting for you."
    assert kind.describe(bot, dana) == []


async def test_the_page_and_its_assets_are_served_with_a_strict_policy(client):
    response = await client.get("/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page = await response.text()
    assert '<label for="name-input">Your name</label>' in page
    for asset in ("chat.js", "chat.css", "icon.svg"):
        assert (await client.get(f"/chat/static/{asset}")).status == 200


def test_names_are_normalised_into_one_id():
    assert normalise_name("  Dana   SMITH\u0000 ") == "dana smith"
    assert normalise_name("x" * 100) == "x" * 64


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.1.1", True),
    ("0.0.0.0", False), ("192.168.1.5", False), ("", False), ("bot.example.org", False),
])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_the_web_chat_is_off_by_default_on_a_reachable_address(config, bot):
    config.server.host = "0.0.0.0"
    app = create_app(bot, start_scheduler=False)
    assert "webchat" not in app[ADAPTERS_KEY]


def test_open_admin_on_a_reachable_address_is_refused_naming_the_key(config, bot):
    config.server.host = "0.0.0.0"
    config.webchat.enabled = True
    with pytest.raises(ConfigError) as refused:
        create_app(bot, start_scheduler=False)
    assert refused.value.key == "webchat.open_admin"
    config.webchat.open_admin = False
    assert "webchat" in create_app(bot, start_scheduler=False)[ADAPTERS_KEY]


def test_dtlbot_serve_refuses_to_start_with_open_admin_on_a_reachable_address(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "x.db"}"\n[server]\nhost = "0.0.0.0"\n'
        "[webchat]\nenabled = true\n",
        encoding="utf-8",
    )
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        result = CliRunner().invoke(cli, ["serve", "--config", str(config)])
    finally:
        root.handlers[:], root.level = handlers, level
    assert result.exit_code == 1
    assert "config: webchat.open_admin: must be set to false" in result.output


# Web chat identity: the first client to use a name holds it with a secret token.

async def test_the_first_message_under_a_name_gets_a_token_that_later_messages_must_carry(client):
    first = await client.post(API, json={"user": {"id": "Dana"}, "text": "help"})
    token = (await first.json())["token"]
    assert len(token) >= 40
    # Another browser typing the same name (any spacing or case) is told it is in use.
    for user in ({"id": "dana"}, {"id": " DANA "}, {"id": "dana", "token": "guessed"}):
        refused = await client.post(API, json={"user": user, "text": "my data"})
        assert refused.status == 403
        body = await refused.json()
        assert body["reason"] == "name_in_use"
        assert "in use in another browser" in body["error"]
        assert "webchat reset" in body["error"]
    again = await client.post(API, json={"user": {"id": "dana", "token": token}, "text": "help"})
    assert again.status == 200
    assert "token" not in await again.json()


async def test_the_server_keeps_only_a_hash_of_the_token_and_no_name(bot, client):
    await ask(client, "help", user={"id": "Dana Smith"})
    token = token_of(client, "dana smith")
    [row] = list(bot.db["name_claims"].rows)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(row) and "dana" not in json.dumps(row).lower()


async def test_knowing_a_name_is_not_enough_to_read_its_events(bot, client):
    await ask(client, "help")
    await bot.send(Conversation("webchat", "dana"), [Reply("Poll results for organisers")])
    for params in ({"user": "dana"}, {"user": "dana", "token": "wrong"}):
        response = await client.get("/chat/api/events", params=params)
        assert response.status == 403
        assert (await response.json())["reason"] == "name_in_use"
    # A name nobody holds yet has no stream either: its first message brings the token.
    response = await client.get("/chat/api/events", params={"user": "nobody yet"})
    assert (response.status, (await response.json())["reason"]) == (403, "token_required")
    # The holder opens it with the header as well as with &token=.
    stream = await client.get("/chat/api/events", params={"user": "dana"},
                              headers={"X-Chat-Token": token_of(client, "dana")})
    assert (await read_event(stream))["replies"][0]["text"] == "Poll results for organisers"
    stream.close()


async def test_info_tells_organiser_status_only_to_the_token_holder(config, bot, aiohttp_client):
    config.webchat.open_admin = False
    config.webchat.organisers = ["Olu"]
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    await ask(client, "help", user={"id": "olu"})
    guess = await (await client.get("/chat/api/info", params={"user": "Olu"})).json()
    assert guess["organiser"] is False and guess["name_in_use"] is True
    assert "webchat reset Olu" in guess["in_use_message"]
    holder = await (await client.get("/chat/api/info", params={
        "user": "Olu", "token": token_of(client, "olu")})).json()
    assert holder["organiser"] is True and holder["name_in_use"] is False


async def test_info_is_rate_limited_per_address(client):
    statuses = [(await client.get("/chat/api/info", params={"user": f"name {n}"})).status
                for n in range(80)]
    assert statuses[0] == 200 and 429 in statuses
    response = await client.get("/chat/api/info")
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1


async def test_one_normalisation_folds_tabs_and_no_break_spaces_like_spaces(client):
    info = await (await client.get("/chat/api/info", params={"user": "Dana\u00a0\tSMITH"})).json()
    assert info["user"] == {"id": "dana smith", "name": "Dana SMITH"}
    await ask(client, "help", user={"id": "Dana\tSmith"})
    refused = await client.post(API, json={"user": {"id": "dana\u00a0smith"}, "text": "help"})
    assert refused.status == 403
    assert normalise_name("Stra\u00dfe") == normalise_name("STRASSE")
    assert normalise_name("\uff24ana") == "dana"  # a full-width letter


async def test_an_organiser_frees_a_name_and_its_old_token_stops_working(bot, client):
    await ask(client, "help")
    old = token_of(client, "dana")
    stream = await open_stream(client)
    [reply] = await ask(client, "webchat reset  DANA", user={"id": "olu"})
    assert reply["text"].startswith("Freed the web chat name `DANA`")
    # The open stream ends, and the old token opens nothing.
    assert await asyncio.wait_for(stream.content.read(), 5) is not None
    response = await client.get("/chat/api/events", params={"user": "dana", "token": old})
    assert response.status == 403
    # The next browser to send a message with the name takes it.
    fresh = await client.post(API, json={"user": {"id": "Dana"}, "text": "help"})
    assert fresh.status == 200 and (await fresh.json())["token"] != old
    [record] = [r for r in bot.db["audit"].rows if r["action"] == "webchat reset"]
    assert "dana" not in record["detail"].lower()
    [reply] = await ask(client, "webchat reset nobody", user={"id": "olu"})
    assert "nothing to free" in reply["text"]


async def test_only_organisers_free_names(config, bot, aiohttp_client):
    config.webchat.open_admin = False
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    await ask(client, "help")
    [reply] = await ask(client, "webchat reset dana", user={"id": "sam"})
    assert reply["text"].startswith("Only forum organisers")
    assert (await client.post(API, json={"user": {"id": "dana"}, "text": "hi"})).status == 403


async def test_forget_me_frees_the_name_and_tells_the_page(bot, client):
    [reply] = await ask(client, "my data")
    assert "one browser holds your web chat name" in reply["text"]
    response = await post(client, {"user": DANA, "text": "forget me confirm"})
    body = await response.json()
    assert body["released"] is True
    assert "Freed your web chat name" in body["replies"][0]["text"]
    assert list(bot.db["name_claims"].rows) == []


async def test_one_address_cannot_take_every_event_stream(client, monkeypatch):
    monkeypatch.setattr(routes, "MAX_STREAMS_PER_ADDRESS", 2)
    streams = [await open_stream(client, name) for name in ("a", "b")]
    await ask(client, "help", user={"id": "c"})
    response = await client.get("/chat/api/events", params={
        "user": "c", "token": token_of(client, "c")})
    assert response.status == 429
    assert "per address" in (await response.json())["error"]
    streams[0].close()
    await asyncio.sleep(0.1)
    (await open_stream(client, "c")).close()
    streams[1].close()


async def test_a_new_holder_of_a_freed_name_does_not_get_what_waited_for_the_old_one(
        bot, client, clock):
    await ask(client, "help")
    await bot.send(Conversation("webchat", "dana"), [Reply("For the first Dana")])
    tokens.release(bot, "dana")  # as `dtlbot webchat reset dana` does from another process
    clock.advance(seconds=5)
    TOKENS.pop(_key(client, "dana"))
    await ask(client, "help")
    await bot.send(Conversation("webchat", "dana"), [Reply("For the new Dana")])
    stream = await open_stream(client)
    assert (await read_event(stream))["replies"][0]["text"] == "For the new Dana"
    stream.close()


def test_dtlbot_webchat_reset_frees_a_name_from_the_command_line(tmp_path):
    from bot.app import create_bot, load_config

    config_path = tmp_path / "bot.toml"
    config_path.write_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\n')
    bot = create_bot(load_config(config_path))
    assert tokens.claim(bot, "dana smith")
    bot.close()
    result = CliRunner().invoke(cli, ["webchat", "reset", "--config", str(config_path),
                                      "Dana  Smith"])
    assert result.exit_code == 0, result.output
    assert "Freed the web chat name \u201cDana Smith\u201d" in result.output
    result = CliRunner().invoke(cli, ["webchat", "reset", "--config", str(config_path), "dana"])
    assert "No browser holds the web chat name" in result.output
