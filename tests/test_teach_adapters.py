"""Teaching end to end through the adapters: the web chat API and Slack against its fake."""

from __future__ import annotations

import asyncio
import json

from click.testing import CliRunner

from adapters.webchat import WEBCHAT_KEY
from bot.cli import cli
from bot.server import create_app
from tests.test_webchat import post as webchat_post
from tests.test_webchat import token_of

API = "/chat/api/messages"
DANA = {"id": "dana", "name": "Dana"}
OLU = {"id": "olu", "name": "Olu"}
UNKNOWN = "How do I set up GP Connect for our practices?"
ANSWER = "Ask your ICB's digital team: they hold the GP Connect agreements for the area."


async def say(client, text, user=DANA):
    response = await webchat_post(client, {"user": user, "text": text})
    assert response.status == 200, await response.text()
    return (await response.json())["replies"]


async def first_event(stream):
    while True:
        line = await asyncio.wait_for(stream.content.readline(), 5)
        assert line, "stream ended"
        if line.startswith(b"data: "):
            return json.loads(line[len(b"data: "):])


def dtlbot_ask(tmp_path, config, question):
    path = tmp_path / "ask.toml"
    path.write_text(f'[storage]\npath = "{config.storage.path}"\n')
    result = CliRunner().invoke(cli, ["ask", "--config", str(path), "--json", question])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


async def test_web_chat_unknown_question_answered_by_an_organiser_and_the_asker_told(
        bot, config, aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    [refusal] = await say(client, UNKNOWN)
    assert "I don't know the answer" in refusal["text"]
    assert not dtlbot_ask(tmp_path, config, UNKNOWN)["answered"]
    [listing] = await say(client, "unanswered", OLU)
    assert '1. "how do i set up gp connect for our practices" (asked once)' in listing["text"]
    # The form path, as the page submits it: a missing source keeps the form open.
    answer = next(b for b in listing["buttons"] if b["label"] == "Answer 1")
    response = await webchat_post(client, {"user": OLU, "action": answer["action"]})
    [opened] = (await response.json())["replies"]
    form = opened["form"]
    values = {"title": "Setting up GP Connect", "body": ANSWER, "source": ""}
    response = await webchat_post(client, {"user": OLU,
                                            "action": {"id": form["id"], "values": values}})
    [kept] = (await response.json())["replies"]
    assert any(f["error"] for f in kept["form"]["fields"] if f["id"] == "source")
    values["source"] = "DTL forum meeting, 12 November 2026"
    response = await webchat_post(client, {"user": OLU,
                                            "action": {"id": form["id"], "values": values}})
    [published] = (await response.json())["replies"]
    assert published["text"].startswith("Published **Setting up GP Connect**")
    assert "I told 1 person(s)" in published["text"]
    stream = await client.get("/chat/api/events",
                              params={"user": "dana", "token": token_of(client, "dana")})
    event = await first_event(stream)
    stream.close()
    assert event["replies"][0]["text"].startswith('On 24 November 2026 you asked "How do I set '
                                                  'up GP Connect for our practices?"')
    assert ANSWER in event["replies"][0]["text"]
    out = dtlbot_ask(tmp_path, config, "how do i set up gp connect")
    assert out["answered"] and out["source"] == "DTL forum meeting, 12 November 2026"
    [again] = await say(client, "how do i set up gp connect for the practices", {"id": "sam"})
    assert ANSWER in again["text"]


async def test_web_chat_forget_me_before_the_answer_means_no_notice(bot, aiohttp_client):
    app = create_app(bot, start_scheduler=False)
    client = await aiohttp_client(app)
    await say(client, UNKNOWN)
    await say(client, "forget me confirm")
    assert bot.db["teach_askers"].count == 0
    await say(client, "unanswered", OLU)
    [published] = await say(client, f"answer 1: {ANSWER}", OLU)
    assert published["text"].startswith("Published")
    chat = app[WEBCHAT_KEY]
    assert chat.outbox.count("dana", chat.now()) == 0


async def test_web_chat_ask_the_forum_through_to_approval(bot, aiohttp_client):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    forum = {"id": "forum-room", "name": "Forum room"}
    await say(client, "questions here on", forum)
    [refusal] = await say(client, UNKNOWN)
    ask = next(b for b in refusal["buttons"] if b["label"] == "Ask the forum")
    response = await webchat_post(client, {"user": DANA, "action": ask["action"]})
    [confirm] = (await response.json())["replies"]
    response = await webchat_post(client, {"user": DANA,
                                            "action": confirm["buttons"][0]["action"]})
    [posted] = (await response.json())["replies"]
    assert posted["text"].startswith("Posted to the forum (#1)")
    [reply] = await say(client, f"reply 1: {ANSWER}", {"id": "pat", "name": "Pat"})
    assert "review" in reply["text"]
    [approved] = await say(client, "review approve 1", OLU)
    assert approved["text"].startswith("Published")
    stream = await client.get("/chat/api/events",
                              params={"user": "dana", "token": token_of(client, "dana")})
    event = await first_event(stream)
    stream.close()
    assert "A DTL in the forum answered it" in event["replies"][0]["text"]


async def test_slack_unknown_question_answered_from_a_dm_and_the_asker_told_in_the_channel(
        bot, config, aiohttp_client, aiohttp_server, tmp_path):
    from tests import test_slack as slack
    from tests.fakes.slack_api import FakeSlack

    fake = FakeSlack()
    server = await aiohttp_server(fake.make_app())
    fake.base_url = str(server.make_url("/"))
    config.slack.bot_token = "xoxb-test"
    config.slack.signing_secret = slack.SECRET
    config.slack.api_base_url = fake.api_url
    config.slack.organisers = [slack.ORGANISER_ID]
    client = await aiohttp_client(create_app(bot, start_scheduler=False))

    await slack.post_json(client, slack.event_callback(slack.mention(UNKNOWN), event_id="E1"))
    (refusal,) = await fake.wait_for("chat.postMessage")
    assert "I don't know the answer" in slack.texts(refusal)
    await slack.post_json(client, slack.event_callback(
        slack.dm("unanswered", user=slack.ORGANISER_ID), event_id="E2"))
    await slack.post_json(client, slack.event_callback(
        slack.dm(f"answer 1: {ANSWER}", user=slack.ORGANISER_ID,
                 ts="1700000003.000300", event_ts="1700000003.000300"), event_id="E3"))
    posts = await fake.wait_for("chat.postMessage", count=4)
    notice = next(p for p in posts if "you asked" in slack.texts(p))
    assert notice["channel"] == "C0FORUM"
    assert "they hold the GP Connect agreements" in slack.texts(notice)
    assert dtlbot_ask(tmp_path, config, UNKNOWN)["answered"]


async def test_teams_unknown_question_answered_and_the_asker_told_in_their_chat(
        bot, config, connector, aiohttp_client, tmp_path):
    from adapters.teams import SERVICE_KEY
    from tests import test_teams as teams

    config.teams.enabled = True
    config.teams.organisers = [teams.OLU_AAD]
    app = create_app(bot, start_scheduler=False)
    app[SERVICE_KEY].base_delay = 0.001
    client = await aiohttp_client(app)
    olu = {"from": {"id": "29:olu", "name": "Olu", "aadObjectId": teams.OLU_AAD},
           "conversation": {"id": "a:1personal-olu", "conversationType": "personal",
                            "tenantId": teams.TENANT}}
    assert await teams.post(client, teams.personal(connector, text=UNKNOWN)) == 200
    assert await teams.post(client, teams.personal(connector, text="unanswered", **olu)) == 200
    assert await teams.post(client, teams.personal(connector, text=f"answer 1: {ANSWER}",
                                                   **olu)) == 200
    notices = [p for p in connector.posted
               if "you asked" in json.dumps(p.activity) and ANSWER.split(":")[0] in
               json.dumps(p.activity)]
    assert notices, connector.texts()
    assert notices[0].conversation_id == teams.PERSONAL
    assert dtlbot_ask(tmp_path, config, UNKNOWN)["answered"]


async def test_slack_ask_the_forum_posted_to_the_channel_answered_approved_and_told(
        bot, config, aiohttp_client, aiohttp_server):
    from tests import test_slack as slack
    from tests.fakes.slack_api import FakeSlack

    fake = FakeSlack()
    server = await aiohttp_server(fake.make_app())
    fake.base_url = str(server.make_url("/"))
    config.slack.bot_token = "xoxb-test"
    config.slack.signing_secret = slack.SECRET
    config.slack.api_base_url = fake.api_url
    config.slack.organisers = [slack.ORGANISER_ID]
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    events = iter(f"E{n}" for n in range(100))
    count = 0

    async def send(event):
        nonlocal count
        await slack.post_json(client, slack.event_callback(event, event_id=next(events)))
        count += 1
        return (await fake.wait_for("chat.postMessage", count=count))[-1]

    await send(slack.mention("questions here on", user=slack.ORGANISER_ID))
    refusal = await send(slack.dm(UNKNOWN))
    assert "Ask the forum" in [b["text"]["text"] for b in slack.buttons(refusal)]
    # Two posts come of it, in either order: the reply in the DM and the question in the channel.
    await slack.post_json(client, slack.event_callback(
        slack.dm("ask forum confirm", ts="1700000004.1", event_ts="1700000004.1"),
        event_id=next(events)))
    count += 2
    posts = (await fake.wait_for("chat.postMessage", count=count))[-2:]
    done = next(p for p in posts if "Posted to the forum" in slack.texts(p))
    assert "Posted to the forum (#1)" in slack.texts(done)
    question = next(p for p in posts if "A question for the forum" in slack.texts(p))
    assert question["channel"] == "C0FORUM"
    assert "I can answer" in [b["text"]["text"] for b in slack.buttons(question)]
    thanks = await send(slack.mention(f"reply 1: {ANSWER}", user="U0PAT", ts="1700000005.1",
                                      event_ts="1700000005.1"))
    assert "review" in slack.texts(thanks)
    await send(slack.dm("review approve 1", user=slack.ORGANISER_ID, ts="1700000006.1",
                        event_ts="1700000006.1"))
    posts = await fake.wait_for("chat.postMessage", count=count + 1)
    notice = next(p for p in posts if "you asked" in slack.texts(p))
    assert notice["channel"] == "D0DANA"
    assert "A DTL in the forum answered it" in slack.texts(notice)


async def test_teams_ask_the_forum_posted_to_the_channel_answered_approved_and_told(
        bot, config, connector, aiohttp_client):
    from adapters.teams import SERVICE_KEY
    from tests import test_teams as teams

    config.teams.enabled = True
    config.teams.organisers = [teams.OLU_AAD]
    app = create_app(bot, start_scheduler=False)
    app[SERVICE_KEY].base_delay = 0.001
    client = await aiohttp_client(app)
    olu = {"id": "29:olu", "name": "Olu", "aadObjectId": teams.OLU_AAD}
    pat = {"id": "29:pat", "name": "Pat", "aadObjectId": "aad-pat"}
    olu_chat = {"from": olu, "conversation": {"id": "a:1personal-olu",
                                              "conversationType": "personal",
                                              "tenantId": teams.TENANT}}
    on = teams.in_channel(connector, "questions here on", olu)
    assert await teams.post(client, on) == 200
    await teams.post(client, teams.personal(connector, text=UNKNOWN))
    await teams.post(client, teams.personal(connector, text="ask forum confirm"))
    posted = [p for p in connector.posted
              if "A question for the forum" in json.dumps(p.activity)]
    assert posted and posted[0].conversation_id.startswith(teams.CHANNEL)
    # A second channel post (another activity id, or it would be taken for a retry).
    await teams.post(client, teams.in_channel(connector, f"reply 1: {ANSWER}", pat)
                     | {"id": "1700000000002"})
    assert any("goes to the organisers" in t for t in connector.texts())
    await teams.post(client, teams.personal(connector, text="review approve 1", **olu_chat))
    notices = [p for p in connector.posted if "A DTL in the forum answered it"
               in json.dumps(p.activity)]
    assert notices and notices[0].conversation_id == teams.PERSONAL
