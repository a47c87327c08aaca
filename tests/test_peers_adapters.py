"""Peers through each adapter: opting in and out, who is working on a priority (as a Slack
mention, a Teams chat link, a web chat name), natural questions, forget me, introductions."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from adapters.console import render
from adapters.slack.blocks import reply_mrkdwn
from adapters.teams import SERVICE_KEY
from bot.features.polls import store as polls
from bot.features.polls.ballots import Item
from bot.kernel.markup import mention_token
from bot.kernel.model import Mention, Reply, User
from bot.kernel.scheduler import run_due
from bot.server import create_app
from tests import test_slack as slack
from tests import test_teams as teams
from tests.conftest import ORGANISER
from tests.fakes.bot_connector import _card_texts
from tests.fakes.slack_api import FakeSlack
from tests.test_webchat import post as webchat_post

_events = itertools.count(1)


def seed_poll(bot, *, closes_in_days: int | None = None) -> polls.Poll:
    priorities = [{"id": p.id, "title": p.title, "description": p.description}
                  for p in bot.content.priorities]
    closes = bot.clock.now() + timedelta(days=closes_in_days) if closes_in_days else None
    poll_id = polls.insert_poll(bot, ORGANISER, "console:forum", "Spring 2027", closes,
                                priorities)
    return polls.get_poll(bot, poll_id)


def seed_ballot(bot, poll, user: User, stages: dict[str, str], pcn: str) -> None:
    """A full ballot in the poll's own order, with these stages."""
    items = {p.id: Item(rank=p.number, progress=stages.get(p.id)) for p in poll.priorities}
    polls.save_ballot(bot, poll, user, items, pcn=pcn)


# Rendering the neutral mention


def test_each_adapter_renders_a_mention_its_own_way():
    on_slack = Mention("slack", "U0ALI", "Ali <b>", where="Slack")
    on_teams = Mention("teams", "aad-bea", "Bea",
                       link="https://teams.microsoft.com/l/chat/0/0?users=bea@nhs.net",
                       where="Teams")
    on_web = Mention("webchat", "cal", "Cal **x**", where="the web chat")
    reply = Reply(f"- {mention_token(0)}\n- {mention_token(1)}\n- {mention_token(2)} & co",
                  mentions=(on_slack, on_teams, on_web))
    mrkdwn = reply_mrkdwn(reply)
    assert "• <@U0ALI>" in mrkdwn
    assert "<https://teams.microsoft.com/l/chat/0/0?users=bea@nhs.net|Bea> (on Teams)" in mrkdwn
    # Typed markup is shown as typed (Slack: stars kept apart by zero-width spaces), never bold.
    star = "\u200b*\u200b"
    assert f"• Cal {star * 2}x{star * 2} (on the web chat) &amp; co" in mrkdwn
    console = render(reply)
    assert "Ali <b> (on Slack)" in console
    assert "Cal **x** (on the web chat) & co" in console
    assert "Bea (https://teams.microsoft.com/l/chat/0/0?users=bea@nhs.net) (on Teams)" in console
    # A Slack "id" that is not one is never turned into markup.
    assert "<@" not in reply_mrkdwn(Reply(mention_token(0),
                                          mentions=(Mention("slack", "<!channel>", "x"),)))


# Slack


@pytest.fixture
async def slack_setup(bot, config, aiohttp_client, aiohttp_server):
    fake = FakeSlack()
    server = await aiohttp_server(fake.make_app())
    fake.base_url = str(server.make_url("/"))
    config.slack.bot_token = "xoxb-test"
    config.slack.signing_secret = slack.SECRET
    config.slack.api_base_url = fake.api_url
    config.slack.organisers = [slack.ORGANISER_ID]
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    return fake, client


async def slack_dm(fake, client, text: str, user: str) -> str:
    before = len(fake.called("chat.postMessage"))
    event = slack.dm(text, user=user, channel="D" + user)
    response = await slack.post_json(client, slack.event_callback(
        event, event_id=f"EvP{next(_events)}"))
    assert response.status == 200
    posts = await fake.wait_for("chat.postMessage", count=before + 1)
    return slack.texts(posts[-1])


async def test_on_slack_people_are_listed_as_mentions_and_leave_at_once(bot, slack_setup):
    fake, client = slack_setup
    poll = seed_poll(bot)
    ali, bea, cal = (User("slack", u) for u in ("U0ALI", "U0BEA", "U0CAL"))
    seed_ballot(bot, poll, ali, {"telephony": "embedded"}, "Oldham East")
    seed_ballot(bot, poll, bea, {"telephony": "in-progress"}, "Bury")
    seed_ballot(bot, poll, cal, {"telephony": "embedded"}, "Wigan")
    for user in ("U0ALI", "U0BEA"):
        assert "Done" in await slack_dm(fake, client, "peers on confirm", user)
    # The display name is looked up once, on consent, for people on other platforms.
    stored = bot.db["peers"].get(bot.pseudonym(ali))
    assert (stored["user_id"], stored["name"]) == ("U0ALI", "Olu Organiser")
    assert {c["user"] for c in fake.called("users.info")} == {"U0ALI", "U0BEA"}
    answer = await slack_dm(fake, client, "who else is working on cloud telephony?", "U0DANA")
    assert "<@U0ALI>, Oldham East: embedded" in answer
    assert answer.index("<@U0ALI>") < answer.index("<@U0BEA>")
    assert "U0CAL" not in answer
    await slack_dm(fake, client, "peers off", "U0BEA")
    await slack_dm(fake, client, "forget me confirm", "U0ALI")
    after = await slack_dm(fake, client, "peers telephony", "U0DANA")
    assert "<@U0" not in after and "Nobody who shares their progress" in after


async def test_on_slack_the_introduction_goes_to_the_dtls_direct_chat(bot, clock, slack_setup):
    fake, client = slack_setup
    poll = seed_poll(bot, closes_in_days=2)
    dana, ali = User("slack", "U0DANA"), User("slack", "U0ALI")
    seed_ballot(bot, poll, dana, {"telephony": "planning"}, "Salford")
    seed_ballot(bot, poll, ali, {"telephony": "embedded"}, "Oldham East")
    for user in ("U0DANA", "U0ALI"):
        await slack_dm(fake, client, "peers on confirm", user)
    before = len(fake.called("chat.postMessage"))
    clock.advance(days=3)
    await run_due(bot)
    await run_due(bot)
    posts = fake.called("chat.postMessage")[before:]
    (intro,) = [p for p in posts if p["channel"] == "DU0DANA"]
    assert "<@U0ALI>, Oldham East (embedded: Cloud-based telephony)" in slack.texts(intro)


# Teams


@pytest.fixture
async def teams_client(bot, config, aiohttp_client):
    config.teams.enabled = True
    config.teams.organisers = [teams.OLU_AAD]
    app = create_app(bot, start_scheduler=False)
    app[SERVICE_KEY].base_delay = 0.001
    return await aiohttp_client(app)


def teams_person(connector, who: str, text: str) -> dict:
    return teams.personal(
        connector, text=text,
        **{"from": {"id": f"29:{who}", "name": who.title(), "aadObjectId": f"aad-{who}"},
           "conversation": {"id": f"a:1personal-{who}", "conversationType": "personal",
                            "tenantId": teams.TENANT}})


async def teams_say(client, connector, who: str, text: str) -> str:
    before = len(connector.posted)
    assert await teams.post(client, teams_person(connector, who, text)) == 200
    found = []
    for item in connector.posted[before:]:
        if item.activity.get("text"):
            found.append(item.activity["text"])
        found += _card_texts(item.activity.get("attachments") or [])
    return "\n".join(found)


async def test_on_teams_people_are_listed_with_a_chat_link_kept_only_with_consent(
    bot, teams_client, connector
):
    poll = seed_poll(bot)
    for who, stage in (("ali", "embedded"), ("bea", "in-progress"), ("cal", "embedded")):
        connector.members[f"29:{who}"] = {"id": f"29:{who}", "name": who.title(),
                                          "userPrincipalName": f"{who}@nhs.net"}
        seed_ballot(bot, poll, User("teams", f"aad-{who}"), {"front-door": stage}, f"{who} PCN")
    preview = await teams_say(teams_client, connector, "ali", "peers on")
    assert "a link that opens a Teams chat with you" in preview
    assert bot.db["peers"].count == 0
    assert bot.adapters["teams"].principal_names == {}  # nothing looked up before consent
    for who in ("ali", "bea"):
        await teams_say(teams_client, connector, who, "peers on confirm")
    answer = await teams_say(teams_client, connector, "dana",
                             "has anyone done the digital front door?")
    assert "[Ali](https://teams.microsoft.com/l/chat/0/0?users=ali@nhs.net), ali PCN: " \
           "embedded" in answer
    assert answer.index("ali@nhs.net") < answer.index("bea@nhs.net")
    assert "cal@nhs.net" not in answer and "Cal" not in answer
    mine = await teams_say(teams_client, connector, "bea", "my data")
    assert "bea@nhs.net" in mine
    await teams_say(teams_client, connector, "bea", "forget me confirm")
    again = await teams_say(teams_client, connector, "dana", "peers front door")
    assert "bea@nhs.net" not in again and "ali@nhs.net" in again
    await teams_say(teams_client, connector, "ali", "peers off")
    assert bot.db["peers"].count == 0


async def test_on_teams_without_a_principal_name_the_name_is_shown(bot, teams_client, connector):
    poll = seed_poll(bot)
    seed_ballot(bot, poll, User("teams", "aad-ali"), {"bi": "embedded"}, "Ali PCN")
    await teams_say(teams_client, connector, "ali", "peers on confirm")
    answer = await teams_say(teams_client, connector, "dana", "peers bi")
    assert "- Ali, Ali PCN: embedded" in answer and "teams.microsoft.com" not in answer


# Web chat


async def test_in_the_web_chat_people_are_listed_by_name(bot, aiohttp_client):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    poll = seed_poll(bot)
    seed_ballot(bot, poll, User("webchat", "ali"), {"websites": "embedded"}, "Oldham")
    seed_ballot(bot, poll, User("webchat", "bea"), {"websites": "in-progress"}, "Bury")

    async def chat(user: str, text: str) -> str:
        response = await webchat_post(client, {
            "user": {"id": user, "name": user.title()}, "text": text})
        assert response.status == 200
        return "\n".join(r["text"] for r in (await response.json())["replies"])

    response = await webchat_post(client, {
        "user": {"id": "ali", "name": "Ali"}, "text": "peers on"})
    [preview] = (await response.json())["replies"]
    assert preview["buttons"][0]["action"] == {"id": "peers.consent", "value": "confirm",
                                               "values": {}}
    for user in ("ali", "bea"):
        assert "Done" in await chat(user, "peers on confirm")
    answer = await chat("dana", "who else is working on our website?")
    assert "- Ali, Oldham: embedded\n- Bea, Bury: in progress" in answer
    assert "{@" not in answer
    await chat("ali", "peers off")
    await chat("bea", "forget me confirm")
    assert "Nobody who shares" in await chat("dana", "peers websites")


async def test_on_teams_the_introduction_goes_to_the_dtls_personal_chat(
    bot, clock, teams_client, connector
):
    poll = seed_poll(bot, closes_in_days=2)
    connector.members["29:ali"] = {"id": "29:ali", "name": "Ali",
                                   "userPrincipalName": "ali@nhs.net"}
    seed_ballot(bot, poll, User("teams", "aad-dana"), {"telephony": "planning"}, "Salford")
    seed_ballot(bot, poll, User("teams", "aad-ali"), {"telephony": "embedded"}, "Oldham East")
    for who in ("dana", "ali"):
        await teams_say(teams_client, connector, who, "peers on confirm")
    before = len(connector.posted)
    clock.advance(days=3)
    await run_due(bot)
    await run_due(bot)
    to_dana = [p for p in connector.posted[before:] if p.conversation_id == "a:1personal-dana"]
    (intro,) = to_dana
    assert "[Ali](https://teams.microsoft.com/l/chat/0/0?users=ali@nhs.net), Oldham East " \
           "(embedded: Cloud-based telephony)" in intro.activity["text"]
