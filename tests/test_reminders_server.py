"""A reminder fired end to end: the running server's scheduler posts to a platform on loopback."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.server import create_app
from tests.fakes.platform import FakeAdapter, FakePlatform
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
