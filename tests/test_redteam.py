"""What the red-team run (bench/redteam.py) found on top of issue 16, each held by a test."""

from __future__ import annotations

import json
import logging

from bot.features.polls import store as polls
from bot.kernel.model import Action, Conversation, Incoming
from tests import test_slack as slack
from tests.conftest import DTL, ORGANISER, press, say
from tests.fakes.slack_api import sign

# The Slack adapter's fixtures, against the fake Slack Web API.
fake, slack_config = slack.fake, slack.slack_config
slack_bot, client = slack.slack_bot, slack.client


async def test_my_ballot_typed_in_a_channel_shows_no_choices_there(bot):
    await say(bot, "poll start Spring 2027", ORGANISER)
    poll = polls.open_poll(bot)
    values = {f"rank:{p.id}": str(p.number) for p in poll.priorities}
    values["pcn"] = "Riverside PCN"
    await press(bot, Action(f"ballot:{poll.id}", values=values))

    channel = Conversation(DTL.platform, "C0FORUM", is_direct=False)
    [reply] = await bot.handle(Incoming(DTL, channel, text="my ballot"))
    assert "Riverside PCN" not in reply.text
    assert poll.priorities[0].title not in reply.text
    assert "direct chat" in reply.text

    [mine] = await say(bot, "my ballot")  # in the direct chat it is shown, as before
    assert "Riverside PCN" in mine.text


def no_error_lines(caplog) -> bool:
    return not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def signed(client, body: bytes, content_type: str):
    headers = {**sign(slack.SECRET, body), "Content-Type": content_type}
    return await client.post("/slack/events", data=body, headers=headers)


async def test_a_signed_slack_event_whose_event_is_not_an_object_is_400_without_an_error(
    client, caplog
):
    body = json.dumps({"type": "event_callback", "event_id": "Ev7", "event": 7}).encode()
    response = await signed(client, body, "application/json")
    assert response.status == 400
    assert no_error_lines(caplog), caplog.text


async def test_a_signed_slack_interaction_whose_payload_is_not_an_object_is_400(client, caplog):
    for payload in ("[1, 2]", "7", "[" * 5000 + "]" * 5000):
        body = "payload=" + payload
        response = await signed(client, body.encode(), "application/x-www-form-urlencoded")
        assert response.status == 400, payload[:10]
    assert no_error_lines(caplog), caplog.text


async def test_signed_slack_json_objects_nested_5000_deep_are_400(client, caplog):
    body = ('{"a":' * 5000 + "1" + "}" * 5000).encode()
    assert (await signed(client, body, "application/json")).status == 400
    nested = {"type": "event_callback", "event": {"type": "message", "blocks": []}}
    inner = nested["event"]["blocks"]
    for _ in range(100):
        inner.append([])
        inner = inner[0]
    response = await signed(client, json.dumps(nested).encode(), "application/json")
    assert response.status == 400
    assert no_error_lines(caplog), caplog.text


async def test_an_ordinary_signed_slack_event_still_gets_through(client, fake):
    response = await slack.post_json(client, slack.event_callback(slack.dm("help")))
    assert response.status == 200
    await fake.wait_for("chat.postMessage")


def test_slack_payload_depth_is_counted_without_recursion():
    from adapters.slack.transport import depth

    assert depth({}) == 1 and depth([[], {"a": [1]}]) == 3 and depth(7) == 0
    deep: list = []
    inner = deep
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    assert depth(deep) == 100_001



async def test_my_data_typed_in_a_channel_is_not_shown_there(bot):
    await say(bot, "what is the zqxj portal?")
    channel = Conversation(DTL.platform, "C0FORUM", is_direct=False)
    [reply] = await bot.handle(Incoming(DTL, channel, text="my data"))
    assert bot.pseudonym(DTL) not in reply.text and "zqxj" not in reply.text
    assert "direct chat" in reply.text
    [mine] = await say(bot, "my data")
    assert bot.pseudonym(DTL) in mine.text


async def test_poll_export_typed_in_a_channel_sends_no_ballots_there(bot):
    bot.config.polls.named_export = True
    await say(bot, "poll start Spring 2027", ORGANISER)
    poll = polls.open_poll(bot)
    values = {f"rank:{p.id}": str(p.number) for p in poll.priorities}
    values["pcn"] = "Riverside PCN"
    await press(bot, Action(f"ballot:{poll.id}", values=values))
    await say(bot, "poll close", ORGANISER)

    channel = Conversation(ORGANISER.platform, "C0FORUM", is_direct=False)
    [reply] = await bot.handle(Incoming(ORGANISER, channel, text="poll export"))
    assert reply.file is None and "direct chat" in reply.text
    [direct] = await say(bot, "poll export", ORGANISER)
    assert direct.file is not None and b"Riverside PCN" in direct.file.data
