"""A fake chat platform on loopback, and the adapter that posts to it through HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bot.kernel.model import Conversation, Reply


class PlatformError(RuntimeError):
    """The fake platform refused a post (like a 429 or a 5xx from a real one)."""

    def __init__(self, status: int, retry_after: float | None = None):
        super().__init__(f"platform answered HTTP {status}")
        self.status = status
        self.retry_after = retry_after


@dataclass
class FakePlatform:
    """A local HTTP server that accepts posts, and can be told to fail the next few."""

    posts: list[dict] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    url: str = ""
    _runner: web.AppRunner | None = None

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.json_response({"ok": False}, status=self.fail_status)
        self.posts.append(body)
        return web.json_response({"ok": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/post", self._post)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/post"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def texts(self, conversation: str | None = None) -> list[str]:
        return [p["text"] for p in self.posts
                if conversation is None or p["conversation"] == conversation]


def http_sender(platform: FakePlatform):
    """The adapter's send(conversation, replies): one HTTP post per reply, errors raised."""

    async def send(conversation: Conversation, replies: list[Reply]) -> None:
        async with aiohttp.ClientSession() as session:
            for reply in replies:
                payload = {
                    "conversation": conversation.key,
                    "text": reply.text,
                    "links": [b.url for b in reply.buttons if b.url],
                }
                async with session.post(platform.url, json=payload) as response:
                    if response.status != 200:
                        raise PlatformError(response.status)

    return send


@dataclass
class RecordingSender:
    """An in-process sender for unit tests: records posts, fails the next few when told."""

    posts: list[tuple[str, Reply]] = field(default_factory=list)
    fail_next: int = 0
    retry_after: float | None = None

    async def __call__(self, conversation: Conversation, replies: list[Reply]) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise PlatformError(429, retry_after=self.retry_after)
        self.posts.extend((conversation.key, reply) for reply in replies)

    def texts(self, conversation: str | None = None) -> list[str]:
        return [r.text for key, r in self.posts if conversation is None or key == conversation]


@dataclass
class FakeAdapter:
    """A platform adapter by the plug-in contract (enabled, setup) that posts to a FakePlatform."""

    platform: FakePlatform
    name: str = "fake"

    def enabled(self, config: object) -> bool:
        return True

    def setup(self, app: web.Application, bot) -> None:
        bot.senders[self.name] = http_sender(self.platform)
