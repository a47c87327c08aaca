"""A reminder fired end to end: the running server's scheduler posts to a platform on loopback."""

import asyncio
import inspect
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import create_bot, load_config
from bot.server import create_app
from tests import test_slack as slack
from tests import test_teams as teams
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.platform import FakeAdapter, FakePlatform
from tests.fakes.slack_api import FakeSlack
from tests.meetings_helpers import configure_forum

CHANNEL = "fake:C-forum"
MEETING = datetime(2027, 1, 14, 13, 0, tzinfo=UTC)


@pytest.fixture
def config(config):
    return configure_forum(config, channels=(CHANNEL,))


@pytest.fixture
async def platform():
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


async def wait_for(condition, timeout: float = 5.0) -> None:
    """Until `condition()` (or the awaitable it returns) is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await _value(condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


async def _value(result):
    return await result if inspect.isawaitable(result) else result


async def stored(bot, query):
    """`query()` on the bot's core thread, which owns the database connection while the
    server runs (reading it from the test's loop at the same time races the core)."""
    return await bot.core.call(query, bounded=False)


async def holds(bot, table: str, rows: int, where: str | None = None) -> bool:
    """Whether `table` holds `rows` rows (matching `where`), read on the core."""
    return await stored(bot, lambda: bot.db[table].count_where(where) if where
                        else bot.db[table].count) == rows


async def test_the_running_scheduler_posts_a_due_reminder_through_the_platform(
    bot, clock, platform, aiohttp_client
):
    app = create_app(bot)
    FakeAdapter(platform).setup(app, bot)
    client = await aiohttp_client(app)  # starts the server and its scheduler
    assert bot.scheduler is not None
    assert (await client.get("/healthz")).status == 200
    bot.replan()
    await asyncio.sleep(0.05)
    assert platform.posts == []  # nothing is due yet

    platform.fail_next = 1  # the platform is down for the first attempt
    clock.set(MEETING - timedelta(days=7))
    bot.replan()
    async def delivery() -> dict:
        return await stored(bot, lambda: next(bot.db["reminder_deliveries"].rows, None)) or {}

    async def attempted() -> bool:
        return (await delivery()).get("attempts") == 1

    await wait_for(attempted)
    row = await delivery()
    assert row["status"] == "pending" and "503" in row["last_error"]

    clock.advance(minutes=1)  # the retry falls due
    bot.replan()
    await wait_for(lambda: len(platform.posts) == 1)
    (post,) = platform.posts
    assert post["conversation"] == CHANNEL
    assert "in 7 days" in post["text"] and "14 January 2027, 13:00" in post["text"]
    assert "https://dtlbot.example.org/forum.ics" in post["links"]

    async def sent() -> bool:
        return (await delivery()).get("status") == "sent"

    await wait_for(sent)
    bot.replan()  # waking again sends nothing twice
    await asyncio.sleep(0.05)
    assert len(platform.posts) == 1
    assert await sent()
    assert await holds(bot, "reminder_deliveries", 1)


async def test_a_reminder_reaches_a_slack_channel_and_a_teams_chat_through_the_real_adapters(
    tmp_path, clock, aiohttp_client, aiohttp_server
):
    """The same reminder through the real slack-sdk and botbuilder clients to loopback fakes."""
    fake_slack = FakeSlack()
    fake_slack.base_url = str((await aiohttp_server(fake_slack.make_app())).make_url("/"))
    connector = FakeBotConnector()
    connector.url = str((await aiohttp_server(connector.app())).make_url("/"))
    config = configure_forum(load_config(None, env={}), channels=("slack:C0FORUM",))
    config.storage.path = str(tmp_path / "reminders.db")
    config.slack.bot_token, config.slack.signing_secret = "xoxb-test", slack.SECRET
    config.slack.api_base_url = fake_slack.api_url
    config.teams.enabled = True
    config.teams.organisers = [teams.OLU_AAD]
    # Teams without an app id (authentication off) serves only a loopback, non-https address.
    config.server.public_url = ""
    bot = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        client = await aiohttp_client(create_app(bot))  # the scheduler runs
        # An organiser turns reminders on in their Teams personal chat.
        organiser = teams.personal(connector, text="reminders here on")
        organiser["from"]["aadObjectId"] = teams.OLU_AAD
        assert await teams.post(client, organiser) == 200

        clock.set(MEETING - timedelta(days=1))
        bot.replan()
        (post,) = await fake_slack.wait_for("chat.postMessage")
        assert post["channel"] == "C0FORUM"
        assert "14 January 2027, 13:00" in slack.texts(post)
        await wait_for(lambda: any("14 January 2027, 13:00" in t for t in connector.texts()))
        await wait_for(
            lambda: holds(bot, "reminder_deliveries", 2, "status = 'sent'"))
    finally:
        bot.close()


async def test_rsvp_move_and_join_link_reach_slack_and_teams_through_the_real_adapters(
    tmp_path, clock, aiohttp_client, aiohttp_server
):
    """A whole cycle on the real adapters: a Teams DTL answers by text, a Slack DTL with the
    reminder's button; a move is pushed to the Slack channel and to the Teams DTL at once; the
    Teams DTL, coming, gets the join link in their chat an hour before."""
    import json

    fake_slack = FakeSlack()
    fake_slack.base_url = str((await aiohttp_server(fake_slack.make_app())).make_url("/"))
    connector = FakeBotConnector()
    connector.url = str((await aiohttp_server(connector.app())).make_url("/"))
    config = configure_forum(load_config(None, env={}), channels=("slack:C0FORUM",))
    config.storage.path = str(tmp_path / "people.db")
    config.slack.bot_token, config.slack.signing_secret = "xoxb-test", slack.SECRET
    config.slack.api_base_url = fake_slack.api_url
    config.slack.organisers = [slack.ORGANISER_ID]
    config.teams.enabled = True
    # Teams without an app id (authentication off) serves only a loopback, non-https address.
    config.server.public_url = ""
    bot = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    try:
        client = await aiohttp_client(create_app(bot))
        assert await teams.post(client, teams.personal(connector, text="rsvp yes")) == 200
        await wait_for(lambda: any("down as coming" in t for t in connector.texts()))

        clock.set(MEETING - timedelta(days=7))
        bot.replan()
        (reminder,) = await fake_slack.wait_for("chat.postMessage")
        yes = next(b for b in slack.buttons(reminder) if b["text"]["text"] == "I'll be there")
        press = {"payload": json.dumps({
            "type": "block_actions", "user": {"id": slack.DTL_ID}, "trigger_id": "t",
            "team": {"id": "T0001"}, "channel": {"id": "C0FORUM"},
            "container": {"type": "message", "channel_id": "C0FORUM"}, "message": {"ts": "1.1"},
            "actions": [{"type": "button", "action_id": yes["action_id"],
                         "value": yes["value"], "block_id": "b"}],
        })}
        assert (await slack.post_form(client, press)).status == 200
        await wait_for(lambda: holds(bot, "meeting_rsvps", 2))

        move = slack.event_callback(
            slack.dm("meeting move 2027-01-14 to 2027-01-21 14:00", user=slack.ORGANISER_ID),
            event_id="Ev-move")
        assert (await slack.post_json(client, move)).status == 200
        moved = "The 14 January forum has moved to Thursday 21 January, 14:00 GMT"
        await wait_for(lambda: any(moved in slack.texts(c)
                                   for c in fake_slack.called("chat.postMessage")
                                   if c["channel"] == "C0FORUM"))
        await wait_for(lambda: any(moved in t for t in connector.texts()))

        clock.set(datetime(2027, 1, 21, 13, tzinfo=UTC))  # an hour before the new time
        bot.replan()
        await wait_for(lambda: any("You said you'd be at" in t for t in connector.texts()))
        assert any("meet.example.org/dtl-forum" in t for t in connector.texts()
                   if "You said you'd be at" in t)
        await wait_for(lambda: holds(bot, "notice_deliveries", 3, "status = 'sent'"))
    finally:
        bot.close()
