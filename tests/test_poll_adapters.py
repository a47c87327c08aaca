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
