"""`dtlbot serve` plus a test-only route that answers questions through Bot.handle.

Used by the crash test until the web chat adapter lands: POST /test/ask {"user", "text"}.
"""

from __future__ import annotations

import argparse

from aiohttp import web

from bot.config import load_config
from bot.core import Bot
from bot.model import Conversation, Incoming, User
from bot.server import create_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    config = load_config(parser.parse_args().config)
    bot = Bot.create(config)
    app = create_app(bot)

    async def ask(request: web.Request) -> web.Response:
        body = await request.json()
        user = User("test", body["user"])
        replies = await bot.handle(
            Incoming(user, Conversation("test", body["user"]), text=body["text"])
        )
        return web.json_response({"replies": [r.text for r in replies]})

    app.router.add_post("/test/ask", ask)
    web.run_app(app, host=config.server.host, port=config.server.port, print=None)


if __name__ == "__main__":
    main()
