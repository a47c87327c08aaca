"""Shared fixtures: a bot on a temporary database, people to talk as, a fake clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import create_bot, load_config
from bot.kernel.config import Config
from bot.kernel.context import Bot
from bot.kernel.model import Action, Conversation, Incoming, Reply, User
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.clock import FakeClock

REPO = Path(__file__).resolve().parent.parent
# A question the shipped content answers without being sure (it has near alternatives). Taught
# questions move it: when a test using it fails after teaching, pick another such question.
UNSURE_QUESTION = "is the DTL job a stressful one"


def copy_content(tmp_path: Path) -> Path:
    """A copy of the shipped content/ to change in a test."""
    folder = tmp_path / "content"
    shutil.copytree(REPO / "content", folder)
    return folder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    config = load_config(None, env={})
    config.storage.path = str(tmp_path / "test.db")
    return config


@pytest.fixture
def bot(config: Config, clock: FakeClock) -> Iterator[Bot]:
    instance = create_bot(config, clock=clock, env={"DTLBOT_SECRET": "test-secret"})
    yield instance
    instance.close()


@pytest.fixture
async def connector(aiohttp_server) -> FakeBotConnector:
    """A fake Bot Connector on loopback (Teams' outbound API), recording what the bot posts."""
    fake = FakeBotConnector()
    server = await aiohttp_server(fake.app())
    fake.url = str(server.make_url("/"))
    return fake


DTL = User("console", "dana", name="Dana", is_organiser=False)
ORGANISER = User("console", "olu", name="Olu", is_organiser=True)


async def say(bot: Bot, text: str, user: User = DTL) -> list[Reply]:
    """Send typed text as `user` in their direct conversation."""
    return await bot.handle(Incoming(user, Conversation(user.platform, user.id), text=text))


async def press(bot: Bot, action: Action, user: User = DTL) -> list[Reply]:
    """Press a button (or submit a form) as `user`."""
    return await bot.handle(Incoming(user, Conversation(user.platform, user.id), action=action))
