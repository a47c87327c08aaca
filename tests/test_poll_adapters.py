"""Voting through each adapter's real form path: Teams card submit, web chat form."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.teams import SERVICE_KEY
from bot.features.polls import store as polls
from bot.server import create_app
from tests import test_teams as teams
from tests.fakes.bot_connector import FakeBotConnector
from tests.test_webchat import post as webchat_post


def ranks(order: list[str]) -> dict[str, str]:
    return {f"rank:{pid}": str(place) for place, pid in enumerate(order, start=1)}


def priority_ids(bot) -> list[str]:
    return [p.id for p in bot.content.priorities]


@pytest.fixture
async def teams_client(bot, config, aiohttp_client):
    config.teams.enabled = True
    config.teams.organisers = [teams.OLU_AAD]
    app = create_app(bot, start_scheduler=False)
    app[SERVICE_KEY].base_delay = 0.001
    return await aiohttp_client(app)


def olu(connector: FakeBotConnector, **fields: Any) -> dict[str, Any]:
    return teams.personal(
        connector,
        **{"from": {"id": "29:olu", "name": "Olu", "aadObjectId": teams.OLU_AAD},
           "conversation": {"id": "a:1personal-olu", "conversationType": "personal",
                            "tenantId": teams.TENANT}},
        **fields,
    )


async def test_a_teams_vote_goes_through_the_card_and_a_bad_ballot_keeps_the_card_open(
    bot, teams_client, connector
):
    assert await teams.post(teams_client, olu(connector, text="poll start Spring 2027")) == 200
    announcement = teams.card_of(connector)
    press = teams.submit_data(announcement)
    assert press["action"] == "ballot.open"

    await teams.post(teams_client, teams.personal(connector, value=press))
    ballot = teams.card_of(connector)
    inputs = teams.inputs_of(ballot)
    ids = priority_ids(bot)
    assert {f"field:rank:{pid}" for pid in ids} <= set(inputs)

    order = list(ids)
    duplicate = ranks(order) | {f"rank:{ids[1]}": "1"}
    data = teams.submit_data(ballot) | {f"field:{k}": v for k, v in duplicate.items()}
    await teams.post(teams_client, teams.personal(connector, value=data))
    reshown = teams.card_of(connector)
    assert teams.inputs_of(reshown)[f"field:rank:{ids[1]}"]["value"] == "1"
    shown = " ".join(connector.texts())
    assert "rank 1 used more than once" in shown and "Rank 1 is also given to" in shown
    poll = polls.find_poll(bot, "")
    assert polls.compute(bot, poll).responses == 0

    data = teams.submit_data(reshown) | {f"field:{k}": v for k, v in ranks(order).items()}
    await teams.post(teams_client, teams.personal(connector, value=data))
    assert polls.compute(bot, poll).responses == 1


async def test_a_web_chat_vote_goes_through_the_form(bot, aiohttp_client):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    api = "/chat/api/messages"
    olu_user, dana = {"id": "olu", "name": "Olu"}, {"id": "dana", "name": "Dana"}
    response = await client.post(api, json={"user": olu_user, "text": "poll start Spring 2027"})
    [announcement] = (await response.json())["replies"]
    button = next(b for b in announcement["buttons"] if b["action"]["id"] == "ballot.open")

    response = await client.post(api, json={"user": dana, "action": button["action"]})
    answer = await response.json()
    [opened] = answer["replies"]
    dana["token"] = answer["token"]  # later messages carry the name's token
    form = opened["form"]
    ids = priority_ids(bot)
    bad = ranks(ids) | {f"rank:{ids[2]}": "1"}
    response = await client.post(api, json={"user": dana,
                                             "action": {"id": form["id"], "values": bad}})
    [rejected] = (await response.json())["replies"]
    assert rejected["form"]["error"]
    assert "rank 1 used more than once" in rejected["form"]["error"]
    errors = {f["id"]: f["error"] for f in rejected["form"]["fields"] if f["error"]}
    assert set(errors) == {f"rank:{ids[0]}", f"rank:{ids[2]}"}

    response = await client.post(api, json={"user": dana,
                                             "action": {"id": form["id"], "values": ranks(ids)}})
    assert response.status == 200
    poll = polls.find_poll(bot, "")
    assert polls.compute(bot, poll).responses == 1


async def test_a_slack_vote_goes_through_the_modal_and_a_bad_ballot_keeps_it_open(
    bot, config, clock, aiohttp_client, aiohttp_server
):
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

    started = await slack.post_json(client, slack.event_callback(
        slack.mention("poll start Spring 2027", user=slack.ORGANISER_ID)))
    assert started.status == 200
    (announcement,) = await fake.wait_for("chat.postMessage")
    rank_button = next(b for b in slack.buttons(announcement)
                       if b["action_id"].startswith("ballot.open"))

    pressed = json.loads(slack.press(rank_button["action_id"])["payload"])
    pressed["actions"][0]["value"] = rank_button.get("value", "")
    assert (await slack.post_form(client, {"payload": json.dumps(pressed)})).status == 200
    (opened,) = await fake.wait_for("views.open")
    view = opened["view"]
    ids = priority_ids(bot)
    assert {f"rank:{pid}" for pid in ids} <= {b.get("block_id") for b in view["blocks"]}

    def submit(values: dict[str, str]) -> dict:
        payload = json.loads(slack.submission(values, view["private_metadata"])["payload"])
        payload["view"]["callback_id"] = view["callback_id"]
        return {"payload": json.dumps(payload)}

    bad = ranks(ids) | {f"rank:{ids[1]}": "1"}
    response = await slack.post_form(client, submit(bad))
    body = await response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) >= {f"rank:{ids[0]}", f"rank:{ids[1]}"}
    poll = polls.find_poll(bot, "")
    assert polls.compute(bot, poll).responses == 0

    response = await slack.post_form(client, submit(ranks(ids)))
    assert response.status == 200
    assert polls.compute(bot, poll).responses == 1


async def test_every_web_chat_person_who_has_used_the_bot_hears_of_the_poll_and_its_results(
    bot, config, aiohttp_client
):
    from adapters.webchat import WEBCHAT_KEY

    config.webchat.organisers = ["olu"]
    app = create_app(bot, start_scheduler=False)
    web = await aiohttp_client(app)
    chat = app[WEBCHAT_KEY]

    async def say(name: str, text: str) -> list[dict]:
        # As a page does: each name's later messages carry its token.
        response = await webchat_post(web, {"user": {"id": name, "name": name.title()},
                                            "text": text})
        assert response.status == 200, await response.text()
        return (await response.json())["replies"]

    await say("dana", "help")
    await say("ali", "What is the ARRS?")
    (announced,) = await say("olu", "poll start Spring 2027")
    assert "Priority poll: Spring 2027" in announced["text"]
    for name in ("dana", "ali"):
        (held,) = chat.outbox.after(name, 0, chat.now())
        assert "Priority poll: Spring 2027" in held.replies[0]["text"]
    assert chat.outbox.after("olu", 0, chat.now()) == []  # shown in the organiser's own reply
    await say("dana", "rank 1 2 3 4 5 6 7 8")
    (status,) = await say("olu", "poll status")
    assert "1 of the 3 people who could vote have voted" in status["text"]
    assert "Not voted yet (2): ali, olu." in status["text"]
    (nudged,) = await say("olu", "poll nudge")
    assert "to 2 of the 2 people who have not voted" in nudged["text"]
    held = chat.outbox.after("ali", 0, chat.now())[-1]
    assert "Reminder: the priority poll" in held.replies[0]["text"]
    assert all("Reminder" not in p.replies[0]["text"]
               for p in chat.outbox.after("dana", 0, chat.now()))
    await say("olu", "poll close")
    results = chat.outbox.after("ali", 0, chat.now())[-1]
    assert "Results: Spring 2027" in results.replies[0]["text"]
    (shown,) = await say("ali", "poll results")
    assert "Results: Spring 2027" in shown["text"]


async def test_teams_status_counts_the_teams_roster_and_names_no_one_in_the_channel(
    bot, teams_client, connector
):
    def member(aad: str, name: str) -> dict[str, Any]:
        return {"id": f"29:{name.lower()}", "name": name, "aadObjectId": aad}

    connector.rosters[teams.CHANNEL] = [member(teams.DANA_AAD, "Dana Lee"),
                                     member(teams.OLU_AAD, "Olu"), member("aad-ali", "Ali"),
                                     {"id": teams.BOT_ID, "name": "DTL Forum Bot"}]
    olu_sender = {"id": "29:olu", "name": "Olu", "aadObjectId": teams.OLU_AAD}
    await teams.post(teams_client, teams.in_channel(connector, "poll start Spring 2027",
                                                    olu_sender))
    await teams.post(teams_client, teams.personal(connector, text="rank 1 2 3 4 5 6 7 8"))
    asked = teams.in_channel(connector, "poll status", olu_sender) | {"id": "1700000000009"}
    await teams.post(teams_client, asked)
    status = connector.texts()[-1]
    assert "1 of the 3 people who could vote have voted" in status
    assert "Not voted yet: 2." in status and "Ali" not in status


async def test_the_web_chat_page_mentions_an_open_poll_after_its_welcome(bot, aiohttp_client):
    web = await aiohttp_client(create_app(bot, start_scheduler=False))
    assert (await (await web.get("/chat/api/info?user=dana")).json())["notes"] == []
    assert (await webchat_post(web, {"user": {"id": "olu"}, "text": "help"})).status == 200
    bot.config.webchat.open_admin = True
    started = await webchat_post(web, {"user": {"id": "olu"}, "text": "poll start Spring 2027"})
    assert started.status == 200
    info = await (await web.get("/chat/api/info?user=dana")).json()
    assert "Hello, I'm the DTL Forum Bot" in info["welcome"]["text"]
    (note,) = info["notes"]
    assert "Spring 2027" in note["text"] and note["buttons"][0]["label"] == "Rank your priorities"


async def test_teams_nudges_reach_people_through_their_personal_chat_with_the_bot(
    bot, teams_client, connector
):
    connector.rosters[teams.CHANNEL] = [
        {"id": "29:dana", "name": "Dana Lee", "aadObjectId": teams.DANA_AAD},
        {"id": "29:ali", "name": "Ali", "aadObjectId": "aad-ali"},
        {"id": "29:cy", "name": "Cy", "aadObjectId": "aad-cy"}]
    olu_sender = {"id": "29:olu", "name": "Olu", "aadObjectId": teams.OLU_AAD}
    await teams.post(teams_client, teams.in_channel(connector, "poll start Spring 2027",
                                                    olu_sender))
    await teams.post(teams_client, teams.personal(connector, text="rank 1 2 3 4 5 6 7 8"))
    ali_chat = {"id": "a:1personal-ali", "conversationType": "personal",
                "tenantId": teams.TENANT}
    await teams.post(teams_client, teams.personal(
        connector, text="What is the ARRS?", conversation=ali_chat,
        **{"from": {"id": "29:ali", "name": "Ali", "aadObjectId": "aad-ali"}}))
    connector.posted.clear()
    await teams.post(teams_client, olu(connector, text="poll nudge"))
    nudged = [p for p in connector.posted if p.conversation_id == "a:1personal-ali"]
    assert len(nudged) == 1 and "Reminder: the priority poll" in json.dumps(nudged[0].activity)
    assert not [p for p in connector.posted if p.conversation_id == teams.PERSONAL]
    reply = connector.texts()[-1]
    assert "to 1 of the 2 people who have not voted" in reply and "could not be reached" in reply


async def test_teams_results_are_shared_in_the_announced_channel(bot, teams_client, connector):
    olu_sender = {"id": "29:olu", "name": "Olu", "aadObjectId": teams.OLU_AAD}
    await teams.post(teams_client, teams.in_channel(connector, "poll start Spring 2027",
                                                    olu_sender))
    await teams.post(teams_client, teams.personal(connector, text="rank 1 2 3 4 5 6 7 8"))
    await teams.post(teams_client, olu(connector, text="poll close"))
    in_channel = [p for p in connector.posted if p.conversation_id.startswith(teams.CHANNEL)]
    assert any("Results: Spring 2027" in json.dumps(p.activity) for p in in_channel[1:])
    connector.posted.clear()
    await teams.post(teams_client, olu(connector, text="poll share"))
    shared = [p for p in connector.posted if p.conversation_id.startswith(teams.CHANNEL)]
    assert shared and "Results: Spring 2027" in json.dumps(shared[0].activity)
    assert "Results shared where the poll was announced" in connector.texts()[-1]
