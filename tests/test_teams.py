"""Microsoft Teams: real botbuilder against a fake Bot Connector on loopback."""

from __future__ import annotations

import itertools
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import jwt
import pytest
from botframework.connector.auth import MicrosoftAppCredentials
from click.testing import CliRunner

from adapters.teams import SERVICE_KEY, cards
from adapters.teams.cards import MAX_ACTIVITY_BYTES
from adapters.teams.package import command_list
from adapters.teams.service import SendFailed
from bot.app import default_registry, load_config
from bot.cli import cli
from bot.kernel import conversations
from bot.kernel.config import ConfigError
from bot.kernel.context import APOLOGY
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
)
from bot.kernel.registry import Registry, Turn
from bot.server import create_app
from tests.fakes.bot_connector import FakeBotConnector

BOT_ID = "28:dtl-forum-bot"
TENANT = "72f988bf-0000-0000-0000-000000000001"
DANA_AAD = "aad-dana-0001"
OLU_AAD = "aad-olu-0002"
PERSONAL = "a:1personal-dana"
CHANNEL = "19:general-channel@thread.skype"
TEAM = "19:team-id@thread.skype"

_ids = itertools.count(1000)


@pytest.fixture
def teams_config(config):
    config.teams.enabled = True
    config.teams.organisers = [OLU_AAD]
    return config


@pytest.fixture
async def client(bot, teams_config, aiohttp_client):
    app = create_app(bot, start_scheduler=False)
    app[SERVICE_KEY].base_delay = 0.001
    test_client = await aiohttp_client(app)
    test_client.service = app[SERVICE_KEY]
    return test_client


def personal(connector: FakeBotConnector, **fields: Any) -> dict[str, Any]:
    """An activity as Teams sends it in a personal chat with Dana."""
    activity = {
        "type": "message",
        "id": f"msg-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "from": {"id": "29:dana", "name": "Dana Lee", "aadObjectId": DANA_AAD},
        "recipient": {"id": BOT_ID, "name": "DTL Forum Bot"},
        "conversation": {"id": PERSONAL, "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    activity.update(fields)
    return activity


def in_channel(connector: FakeBotConnector, text: str, sender: dict | None = None) -> dict:
    """A channel post that @mentions the bot, as Teams sends it (thread id, team, tenant)."""
    mention = "<at>DTL Forum Bot</at>"
    return {
        "type": "message",
        "id": "1700000000001",
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "from": sender or {"id": "29:dana", "name": "Dana Lee", "aadObjectId": DANA_AAD},
        "recipient": {"id": BOT_ID, "name": "DTL Forum Bot"},
        "conversation": {
            "id": f"{CHANNEL};messageid=1700000000001",
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
        },
        "text": f"{mention} {text}",
        "entities": [
            {
                "type": "mention",
                "text": mention,
                "mentioned": {"id": BOT_ID, "name": "DTL Forum Bot"},
            }
        ],
        "channelData": {
            "team": {"id": TEAM, "name": "DTLs"},
            "channel": {"id": CHANNEL, "name": "General"},
            "tenant": {"id": TENANT},
        },
    }


async def post(client, activity: dict[str, Any]) -> int:
    response = await client.post("/api/messages", json=activity)
    return response.status


async def test_question_in_personal_chat_is_answered_in_that_chat(client, connector):
    status = await post(client, personal(connector, text="How often does the DTL forum meet?"))
    assert status == 200
    assert len(connector.posted) == 1
    sent = connector.posted[0]
    assert sent.conversation_id == PERSONAL
    assert "every two months" in " ".join(connector.texts()).lower()
    assert sent.size < MAX_ACTIVITY_BYTES



async def test_channel_mention_is_stripped_and_answered_in_the_thread(bot, client, connector):
    seen = []
    bot.registry.command("echo", help="repeat")(
        lambda turn: _echo(seen, turn)
    )
    assert await post(client, in_channel(connector, "echo hello there")) == 200
    assert seen == ["hello there"]
    (sent,) = connector.posted
    # Replies go to the thread the mention started, as a reply to the mention.
    assert sent.conversation_id == f"{CHANNEL};messageid=1700000000001"
    assert sent.reply_to_id == "1700000000001"
    assert connector.texts() == ["you said: hello there"]
    # The channel, not the thread, is remembered, for reminders later.
    stored = conversations.recall(bot.db, f"teams:{CHANNEL}")
    assert stored is not None and not stored.is_direct


async def _echo(seen: list[str], turn: Turn) -> list[Reply]:
    seen.append(turn.args)
    return [Reply(f"you said: {turn.args}")]


def two_choices_form(error: str | None = None, first: str | None = None) -> Form:
    options = tuple(Option(v, v.title()) for v in ("red", "green", "blue"))
    return Form(
        id="colours",
        title="Pick two colours",
        fields=(
            ChoiceField("first", "First colour", options, initial=first, error=error),
            ChoiceField("second", "Second colour", options),
        ),
        text_hint="Or type `colours RED GREEN`.",
    )


@pytest.fixture
def colour_form(bot):
    """A test feature: a form that refuses the same colour twice."""
    chosen: list[dict[str, str]] = []

    async def show(turn: Turn) -> list[Reply]:
        return [Reply("Choose:", form=two_choices_form())]

    async def submit(turn: Turn) -> list[Reply]:
        values = turn.incoming.action.values
        if values.get("first") == values.get("second"):
            return [Reply(form=two_choices_form(error="Pick two different colours."))]
        chosen.append(values)
        return [Reply(f"Thanks: {values['first']} and {values['second']}.")]

    bot.registry.command("colours", help="pick colours")(show)
    bot.registry.action("colours")(submit)
    return chosen


def card_of(connector: FakeBotConnector, index: int = -1) -> dict[str, Any]:
    (attachment,) = connector.posted[index].activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def inputs_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def submit_data(card: dict[str, Any]) -> dict[str, Any]:
    (submit,) = [a for a in card["actions"] if a["type"] == "Action.Submit"]
    return dict(submit["data"])


async def test_card_submit_round_trip_keeps_choices_and_shows_the_error(
    client, connector, colour_form
):
    await post(client, personal(connector, text="colours"))
    card = card_of(connector)
    assert card["version"] == "1.4"
    inputs = inputs_of(card)
    assert [c["value"] for c in inputs["field:first"]["choices"]] == ["red", "green", "blue"]
    assert inputs["field:first"]["type"] == "Input.ChoiceSet"

    # Teams merges the inputs into the submit data and sends them as the activity's value.
    duplicate = submit_data(card) | {"field:first": "blue", "field:second": "blue"}
    await post(client, personal(connector, value=duplicate))
    card = card_of(connector)
    assert "Pick two different colours." in connector.texts()
    inputs = inputs_of(card)
    assert inputs["field:first"]["value"] == "blue"
    assert inputs["field:second"]["value"] == "blue"
    assert colour_form == []

    fixed = submit_data(card) | {"field:first": "red", "field:second": "blue"}
    await post(client, personal(connector, value=fixed))
    assert connector.texts()[-1] == "Thanks: red and blue."
    assert colour_form == [{"first": "red", "second": "blue"}]


async def test_button_press_becomes_the_neutral_action(client, connector):
    await post(client, personal(connector, text="How often does the DTL forum meet?"))
    topic = next(a for a in card_of(connector)["actions"] if a["data"]["action"] == "topic")
    await post(client, personal(connector, value=topic["data"]))
    assert topic["title"].split()[-1].lower() in connector.texts()[-1].lower()


async def installation(connector: FakeBotConnector, action: str) -> dict[str, Any]:
    return personal(connector, type="installationUpdate", action=action)


async def test_install_stores_the_reference_welcomes_once_and_a_proactive_post_uses_it(
    bot, client, connector
):
    added = personal(
        connector, type="conversationUpdate",
        membersAdded=[{"id": BOT_ID}], text=None,
    )
    assert await post(client, added) == 200
    assert await post(client, await installation(connector, "add")) == 200
    # Teams sends both events on install; the welcome comes once, with three examples.
    assert len(connector.posted) == 1
    welcome = card_of(connector)
    assert len([a for a in welcome["actions"] if a["data"]["action"] == "ask"]) == 3

    stored = conversations.recall(bot.db, f"teams:{PERSONAL}")
    assert stored is not None and stored.is_direct
    # The reference needs no one's name or id to post later.
    assert "Dana" not in json.dumps(stored.reference)
    await bot.send(stored, [Reply("The forum meets **tomorrow**.")])
    proactive = connector.posted[-1]
    assert proactive.conversation_id == PERSONAL
    assert proactive.reply_to_id is None
    assert proactive.activity["text"] == "The forum meets **tomorrow**."


async def test_removal_forgets_the_conversation(bot, client, connector):
    await post(client, personal(connector, text="help"))
    assert conversations.recall(bot.db, f"teams:{PERSONAL}") is not None
    assert await post(client, await installation(connector, "remove")) == 200
    assert conversations.recall(bot.db, f"teams:{PERSONAL}") is None

    team_added = in_channel(connector, "")
    team_added.update(type="conversationUpdate", text=None, entities=None,
                      membersAdded=[{"id": BOT_ID}])
    await post(client, team_added)
    assert conversations.recall(bot.db, f"teams:{CHANNEL}") is not None
    # A mention in another channel of the same team is remembered too...
    other = in_channel(connector, "help")
    other["conversation"]["id"] = "19:projects@thread.skype;messageid=1700000000009"
    other["id"] = "1700000000009"
    await post(client, other)
    assert conversations.recall(bot.db, "teams:19:projects@thread.skype") is not None
    # ...and removing the bot from the team forgets every channel of it, not the personal chat.
    await post(client, personal(connector, text="help"))
    team_removed = dict(team_added, membersAdded=None, membersRemoved=[{"id": BOT_ID}])
    await post(client, team_removed)
    assert conversations.recall(bot.db, f"teams:{CHANNEL}") is None
    assert conversations.recall(bot.db, "teams:19:projects@thread.skype") is None
    assert conversations.recall(bot.db, f"teams:{PERSONAL}") is not None


async def test_group_chat_mention_is_answered_and_not_treated_as_direct(bot, client, connector):
    group = in_channel(connector, "help")
    group.update(conversation={"id": "19:group-chat@thread.v2", "conversationType": "groupChat",
                               "tenantId": TENANT}, channelData={"tenant": {"id": TENANT}})
    assert await post(client, group) == 200
    assert connector.texts()[0].startswith("Ask me a question")
    stored = conversations.recall(bot.db, "teams:19:group-chat@thread.v2")
    assert stored is not None and not stored.is_direct


async def test_other_invokes_get_an_empty_200(client, connector):
    invoke = personal(connector, type="invoke", name="composeExtension/query", value={})
    response = await client.post("/api/messages", json=invoke)
    assert response.status == 200
    assert connector.posted == []


async def test_a_redelivered_message_is_answered_once(bot, client, connector):
    message = personal(connector, text="help")
    assert await post(client, message) == 200
    assert await post(client, message) == 200
    assert len(connector.posted) == 1
    labels = {"adapter": "teams", "status": "200"}
    assert bot.metrics.registry.get_sample_value("dtlbot_requests_total", labels) == 2


async def test_bad_json_and_wrong_content_type_get_400_and_the_server_still_answers(
    client, connector
):
    response = await client.post(
        "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    response = await client.post("/api/messages", data=b"text=hi",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 400
    assert (await client.post("/api/messages", json=["not", "an", "activity"])).status == 400
    assert (await client.post("/api/messages", json={"text": "no type"})).status == 400
    assert connector.posted == []
    assert await post(client, personal(connector, text="help")) == 200
    assert len(connector.posted) == 1


async def test_with_an_app_id_an_unsigned_request_is_refused(
    bot, teams_config, aiohttp_client, connector
):
    teams_config.teams.app_id = "00000000-0000-0000-0000-00000000b0t1"
    teams_config.teams.app_password = "not-used-because-the-request-is-refused-first"
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    handled = []
    bot.registry.command("record", help="x")(lambda turn: _record(handled, turn))
    response = await client.post("/api/messages", json=personal(connector, text="record"))
    assert response.status == 401
    forged = await client.post("/api/messages", json=personal(connector, text="record"),
                               headers={"Authorization": "Bearer not-a-token"})
    assert forged.status == 401
    token = jwt.encode(
        {"iss": "https://api.botframework.com.evil.example", "aud": teams_config.teams.app_id,
         "serviceurl": connector.url},
        "an-attacker-key-of-at-least-32-bytes", algorithm="HS256",
    )
    forged = await client.post("/api/messages", json=personal(connector, text="record"),
                               headers={"Authorization": f"Bearer {token}"})
    assert forged.status == 401
    assert handled == []
    assert connector.posted == []
    assert conversations.recall(bot.db, f"teams:{PERSONAL}") is None


async def _record(handled: list, turn: Turn) -> list[Reply]:
    handled.append(turn.args)
    return [Reply("recorded")]


async def test_without_an_app_id_a_warning_is_logged_at_start(bot, teams_config, caplog):
    with caplog.at_level(logging.WARNING, logger="dtlbot.teams"):
        create_app(bot, start_scheduler=False)
    assert "authentication is OFF" in caplog.text


async def test_throttled_send_is_retried_and_delivered_once(client, connector):
    connector.failures = [429, 503]
    assert await post(client, personal(connector, text="help")) == 200
    assert connector.attempts == 3
    assert len(connector.posted) == 1


async def test_a_send_that_keeps_failing_is_logged_with_conversation_and_reason(
    bot, client, connector, caplog
):
    connector.failures = [429] * 10
    with caplog.at_level(logging.ERROR, logger="dtlbot.teams"):
        assert await post(client, personal(connector, text="help")) == 200
    # Logged by its pseudonymous tag, never the raw conversation id.
    assert f"conversation={bot.key_tag('teams:' + PERSONAL)}" in caplog.text
    assert PERSONAL not in caplog.text
    assert "reason=HTTP 429" in caplog.text
    assert connector.posted == []


async def test_a_proactive_post_that_keeps_failing_raises_so_the_caller_can_count_it(
    bot, client, connector, caplog
):
    await post(client, personal(connector, text="help"))
    stored = conversations.recall(bot.db, f"teams:{PERSONAL}")
    connector.failures = [503] * 10
    with caplog.at_level(logging.ERROR, logger="dtlbot.teams"), pytest.raises(SendFailed):
        await bot.send(stored, [Reply("Reminder: the forum meets tomorrow.")])
    tag = bot.key_tag(f"teams:{PERSONAL}")
    assert f"teams send failed conversation={tag} reason=HTTP 503" in caplog.text
    assert len(connector.posted) == 1  # only the earlier answer to "help"


async def test_a_reply_refused_with_401_names_the_app_type_and_tenant_in_use(
    client, connector, caplog
):
    connector.failures = [401]
    with caplog.at_level(logging.ERROR, logger="dtlbot.teams"):
        assert await post(client, personal(connector, text="help")) == 200
    # Refused credentials are not retried; without an app id botbuilder runs as MultiTenant.
    assert connector.attempts == 1
    assert ("teams send failed conversation=c-" in caplog.text and PERSONAL not in caplog.text
            and "reason=HTTP 401 "
            "app_type=MultiTenant tenant=-" in caplog.text)


async def test_a_single_tenant_post_refused_with_401_names_the_type_and_tenant_not_the_secret(
    bot, teams_config, aiohttp_client, connector, caplog, monkeypatch
):
    password = "marker-app-password-0123456789"
    teams_config.teams.app_id = "00000000-0000-0000-0000-00000000b0t1"
    teams_config.teams.app_password = password
    teams_config.teams.app_type = "SingleTenant"
    teams_config.teams.tenant_id = TENANT
    # No Entra on loopback: the token the bot would fetch for its own credentials is made up.
    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token",
                        lambda self, force_refresh=False: "not-a-real-token")
    await aiohttp_client(create_app(bot, start_scheduler=False))
    reference = {"bot": {"id": BOT_ID}, "conversation": {"id": PERSONAL, "tenantId": TENANT},
                 "channelId": "msteams", "serviceUrl": connector.url}
    stored = Conversation("teams", PERSONAL, is_direct=True, reference=reference)
    connector.failures = [401]
    with caplog.at_level(logging.ERROR, logger="dtlbot.teams"), pytest.raises(SendFailed):
        await bot.send(stored, [Reply("Reminder: the forum meets tomorrow.")])
    assert connector.attempts == 1
    assert "teams send failed conversation=c-" in caplog.text and PERSONAL not in caplog.text
    assert f"reason=HTTP 401 app_type=SingleTenant tenant={TENANT}" in caplog.text
    assert password not in caplog.text


def test_the_env_example_overrides_no_config_setting_such_as_the_app_type():
    # Empty values override nothing: [teams] app_type in config.toml stays the one source.
    example = Path(__file__).resolve().parent.parent / "deploy" / "dtlbot.env.example"
    assignments = dict(
        line.split("=", 1) for line in example.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    assert "MICROSOFT_APP_ID" in assignments  # the file was read
    overrides = {var for section in default_registry().sections for var in section.env}
    assert "MICROSOFT_APP_TYPE" in overrides
    assert {k: v for k, v in assignments.items() if k in overrides and v.strip()} == {}


async def test_a_failing_turn_gets_an_apology_not_a_stack_trace(bot, client, connector):
    async def broken(turn: Turn) -> list[Reply]:
        raise RuntimeError("boom at /srv/secret/path")

    bot.registry.command("broken", help="fails")(broken)
    assert await post(client, personal(connector, text="broken")) == 200
    (text,) = connector.texts()
    assert text.startswith("Sorry, something went wrong")
    assert "boom" not in json.dumps(connector.posted[0].activity)


async def test_a_reply_that_cannot_be_rendered_gets_the_apology(
    client, connector, monkeypatch, caplog
):
    def broken_render(*args: Any, **kwargs: Any) -> list:
        raise ValueError("renderer bug")

    monkeypatch.setattr(cards, "render", broken_render)
    with caplog.at_level(logging.ERROR, logger="dtlbot.teams"):
        assert await post(client, personal(connector, text="help")) == 200
    assert connector.texts() == [APOLOGY]
    assert "teams turn failed" in caplog.text


async def test_a_ballot_sized_form_fits_in_one_activity(bot, client, connector):
    ranks = tuple(Option(str(n), str(n)) for n in range(1, 9))
    stages = tuple(Option(s, s.title()) for s in ("not started", "planning", "under way",
                                                   "embedded", "not applicable"))
    fields = []
    for number in range(1, 9):
        fields += [
            ChoiceField(f"rank-{number}", f"Priority {number}: a fairly long priority title",
                        ranks),
            ChoiceField(f"stage-{number}", "How far along is it?", stages),
            TextField(f"lead-{number}", "Who is leading it?", required=False),
        ]
    ballot = Form(id="ballot", title="Rank the eight priorities", fields=tuple(fields),
                  intro="Rank each priority for your PCN, 1 the most important.")

    async def show(turn: Turn) -> list[Reply]:
        return [Reply("Here is this poll's ballot.", form=ballot)]

    bot.registry.command("sample ballot", help="the ballot")(show)
    await post(client, personal(connector, text="sample ballot"))
    (sent,) = connector.posted
    assert sent.size < MAX_ACTIVITY_BYTES
    assert len(inputs_of(card_of(connector))) == 24


async def test_long_answers_are_split_into_activities_under_28_kb(bot, client, connector):
    paragraph = "The forum keeps a steady rhythm of meetings, polls and reminders. " * 20

    async def long(turn: Turn) -> list[Reply]:
        text = "\n".join(f"{n}. {paragraph}" for n in range(60))
        return [Reply(text, buttons=(Button("More", Action("more")),))]

    bot.registry.command("long", help="a long answer")(long)
    await post(client, personal(connector, text="long"))
    assert len(connector.posted) > 2
    assert all(p.size < MAX_ACTIVITY_BYTES for p in connector.posted)
    joined = " ".join(connector.texts())
    assert "0. The forum" in joined and "59. The forum" in joined
    # The button comes once, on the last part.
    assert "attachments" in connector.posted[-1].activity
    assert all("attachments" not in p.activity for p in connector.posted[:-1])


async def test_organisers_are_recognised_by_aad_id_or_user_principal_name(
    bot, client, connector, teams_config
):
    teams_config.teams.organisers = [OLU_AAD, "Sam.Jones@nhs.net"]
    olu = {"id": "29:olu", "name": "Olu", "aadObjectId": OLU_AAD}
    sam = {"id": "29:sam", "name": "Sam", "aadObjectId": "aad-sam"}
    connector.members["29:sam"] = {"id": "29:sam", "name": "Sam",
                                   "userPrincipalName": "sam.jones@nhs.net"}
    for sender in (olu, sam, {"id": "29:dana", "name": "Dana", "aadObjectId": DANA_AAD}):
        await post(client, personal(connector, text="help", **{"from": sender}))
    olu_help, sam_help, dana_help = connector.texts()
    assert "For organisers" in olu_help
    assert "For organisers" in sam_help
    assert "For organisers" not in dana_help


async def test_images_are_inline_with_alt_text(bot, client, connector):
    png = bytes.fromhex("89504e470d0a1a0a") + b"\0" * 100

    async def chart(turn: Turn) -> list[Reply]:
        return [Reply("Results", image=Image(png, alt="Bar chart of the eight priorities"))]

    bot.registry.command("chart", help="a chart")(chart)
    await post(client, personal(connector, text="chart"))
    (image,) = [e for e in card_of(connector)["body"] if e["type"] == "Image"]
    assert image["altText"] == "Bar chart of the eight priorities"
    assert image["url"].startswith("data:image/png;base64,iVBORw0KGgo")


async def test_large_files_are_hosted_at_the_public_url(bot, client, connector, teams_config):
    teams_config.teams.public_url = "https://dtlbot.example.nhs.uk"
    csv = ("priority,rank\n" + "digital inclusion,1\n" * 3000).encode()

    async def export(turn: Turn) -> list[Reply]:
        return [Reply(file=File(csv, "results.csv", mime="text/csv", title="Poll results"))]

    bot.registry.command("export", help="csv")(export)
    await post(client, personal(connector, text="export"))
    (download,) = card_of(connector)["actions"]
    url = download["url"]
    assert url.startswith("https://dtlbot.example.nhs.uk/teams/media/")
    response = await client.get(url.removeprefix("https://dtlbot.example.nhs.uk"))
    assert response.status == 200
    assert await response.read() == csv
    assert (await client.get("/teams/media/guessed-token")).status == 404


def test_teams_package_writes_a_zip_with_manifest_and_two_icons(tmp_path, monkeypatch):
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        "[teams]\nenabled = true\n"
        'app_id = "11111111-2222-3333-4444-555555555555"\n'
        'public_url = "https://dtlbot.example.nhs.uk"\n'
        'website_url = "https://example.nhs.uk/dtl"\n'
    )
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "from-the-environment")
    output = tmp_path / "app.zip"
    result = CliRunner().invoke(
        cli, ["teams", "package", "--config", str(config_file), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color, outline = archive.read("color.png"), archive.read("outline.png")
    (bot_entry,) = manifest["bots"]
    assert bot_entry["botId"] == "11111111-2222-3333-4444-555555555555"
    assert bot_entry["scopes"] == ["personal", "team", "groupChat"]
    commands = bot_entry["commandLists"][0]["commands"]
    assert commands[0] == {"title": "help", "description": "What I can do"}
    assert all(c["description"] and "`" not in c["description"] for c in commands)
    assert "unanswered" not in {c["title"] for c in commands}  # organisers' commands stay out
    assert manifest["validDomains"] == ["dtlbot.example.nhs.uk"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert _png_size(color) == (192, 192)
    assert _png_size(outline) == (32, 32)
    assert "from-the-environment" not in json.dumps(manifest)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_teams_package_without_an_app_id_names_the_missing_setting(tmp_path):
    result = CliRunner().invoke(
        cli, ["teams", "package", "-o", str(tmp_path / "app.zip")],
        env={"DTLBOT_CONFIG": "", "MICROSOFT_APP_ID": ""},
    )
    assert result.exit_code == 1
    assert "teams.app_id" in result.output
    assert not (tmp_path / "app.zip").exists()


def render(reply: Reply, host=lambda data, mime, name: None) -> list[dict[str, Any]]:
    return cards.render(reply, host)


def test_many_buttons_go_in_rows_so_teams_shows_them_all():
    buttons = tuple(Button(f"Topic {n}", Action("topic", value=str(n))) for n in range(8))
    (activity,) = render(Reply("Pick one", buttons=buttons))
    card = activity["attachments"][0]["content"]
    rows = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [len(r["actions"]) for r in rows] == [5, 3]
    assert "actions" not in card


def test_a_chart_too_big_to_inline_without_a_public_url_shows_its_alt_text():
    big = Image(b"\x89PNG" + bytes(range(256)) * 200, alt="Ranking of the eight priorities")
    (activity,) = render(Reply("Results", image=big))
    card = activity["attachments"][0]["content"]
    assert not [e for e in card["body"] if e["type"] == "Image"]
    assert any("Ranking of the eight priorities" in e.get("text", "") for e in card["body"])
    assert cards.json_size(activity) < MAX_ACTIVITY_BYTES


def test_a_text_export_without_a_public_url_comes_as_code_blocks_under_the_limit():
    csv = "".join(f"PCN {n},digital inclusion,{n % 8 + 1}\n" for n in range(2000)).encode()
    activities = render(Reply(file=File(csv, "results.csv", mime="text/csv")))
    assert len(activities) > 1
    assert all(cards.json_size(a) < MAX_ACTIVITY_BYTES for a in activities)
    joined = "".join(a["text"] for a in activities)
    assert "PCN 0,digital inclusion,1" in joined and "PCN 1999,digital inclusion,8" in joined


def test_one_enormous_line_is_still_split():
    pieces = cards.split_text("word " * 20000)
    assert len(pieces) > 1
    assert all(cards.json_size(p) <= cards.TEXT_BUDGET for p in pieces)
    assert "".join(pieces).split() == ["word"] * 20000


def test_lines_become_paragraphs_but_bullets_stay_a_list():
    assert cards.paragraphs("Intro\n- one\n- two\nEnd") == "Intro\n\n- one\n- two\n\nEnd"


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"app_type": "Whatever"}, "teams.app_type"),
        ({"public_url": "http://insecure.example"}, "teams.public_url"),
    ],
)
def test_bad_teams_settings_are_refused_with_the_key(tmp_path, settings, key):
    lines = ["[teams]", "enabled = true"] + [f'{k} = "{v}"' for k, v in settings.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert error.value.key == key


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"app_id": "x", "app_type": "SingleTenant", "app_password": "p"}, "teams.tenant_id"),
        ({"app_id": "x"}, "teams.app_password"),
    ],
)
def test_serving_with_an_app_id_but_no_secret_stops_at_start_naming_the_key(
    tmp_path, settings, key
):
    lines = ["[teams]", "enabled = true"] + [f'{k} = "{v}"' for k, v in settings.items()]
    lines += ["[storage]", f'path = "{tmp_path / "bot.db"}"']
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["serve", "--config", str(path)],
                                env={"MICROSOFT_APP_PASSWORD": "", "MICROSOFT_APP_TENANT_ID": ""})
    assert result.exit_code == 1
    assert key in result.output
    assert "Traceback" not in result.output


async def test_the_emulator_can_talk_to_the_bot_without_authentication(client, connector):
    activity = {
        "type": "message",
        "id": "emu-1",
        "channelId": "emulator",
        "serviceUrl": connector.url,
        "from": {"id": "emulator-user", "name": "User"},
        "recipient": {"id": "bot", "name": "Bot"},
        "conversation": {"id": "emulator-conversation"},
        "text": "help",
    }
    assert await post(client, activity) == 200
    assert connector.texts()[0].startswith("Ask me a question")



def test_the_manifest_lists_at_most_ten_commands_most_needed_first():
    async def handler(turn: Turn) -> list[Reply]:
        return []

    registry = Registry()
    for phrase in ("zebra", "apple", "banana", "cherry", "damson", "elder", "fig", "grape",
                   "next meeting", "help", "glossary"):
        registry.command(phrase, help=f"about `{phrase}`")(handler)
    registry.command("poll start", help="open a poll", organiser=True)(handler)
    titles = [c["title"] for c in command_list(registry.commands)]
    assert titles[:3] == ["help", "next meeting", "glossary"]
    assert len(titles) == 10
    assert "poll start" not in titles


async def test_a_personal_chat_is_in_my_data_and_deleted_by_forget_me(bot, client, connector):
    await post(client, personal(connector, text="my data"))
    assert "your direct chat with me on teams" in " ".join(connector.texts())
    await post(client, personal(connector, text="forget me confirm"))
    assert "Deleted 1 stored direct chat:" in " ".join(connector.texts())
    assert conversations.recall(bot.db, f"teams:{PERSONAL}") is None
