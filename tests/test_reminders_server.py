"""A reminder fired end to end: the running server's scheduler posts to a platform on loopback."""

import asyncio
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
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


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
    def delivery() -> dict | None:
        return next(bot.db["reminder_deliveries"].rows, None)

    await wait_for(lambda: (delivery() or {}).get("attempts") == 1)
    row = delivery()
    assert row["status"] == "pending" and "503" in row["last_error"]

    clock.advance(minutes=1)  # the retry falls due
    bot.replan()
    await wait_for(lambda: len(platform.posts) == 1)
    (post,) = platform.posts
    assert post["conversation"] == CHANNEL
    assert "in 7 days" in post["text"] and "14 January 2027, 13:00" in post["text"]
    assert "https://dtlbot.example.org/forum.ics" in post["links"]

    await wait_for(lambda: delivery()["status"] == "sent")
    bot.replan()  # waking again sends nothing twice
    await asyncio.sleep(0.05)
    assert len(platform.posts) == 1
    assert delivery()["status"] == "sent" and bot.db["reminder_deliveries"].count == 1


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
            lambda: bot.db["reminder_deliveries"].count_where("status = 'sent'") == 2)
    finally:
        bot.close()
