"""The server: health, oversize and malformed requests."""

import sqlite3

import pytest
from aiohttp import web

from bot.server import create_app


@pytest.fixture
async def client(bot, aiohttp_client):
    return await aiohttp_client(create_app(bot, start_scheduler=False))


async def test_healthz_reports_adapters_and_database(client):
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["database"] == "ok"
    assert isinstance(body["adapters"], list)


async def test_healthz_is_503_while_the_database_cannot_be_written(bot, client):
    other = sqlite3.connect(bot.config.storage.path)
    other.execute("BEGIN EXCLUSIVE")  # another writer holds the lock
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"] == "not writable"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (await client.get("/healthz")).status == 200


async def test_oversize_body_is_refused_with_413_and_the_server_stays_up(bot, aiohttp_client):
    app = create_app(bot, start_scheduler=False)

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(await request.json())

    app.router.add_post("/echo", echo)
    client = await aiohttp_client(app)
    response = await client.post("/echo", data=b"x" * (bot.config.server.max_body_bytes + 10))
    assert response.status == 413
    response = await client.post("/echo", data=b"{not json")
    assert response.status == 400
    assert (await response.json()) == {"error": "malformed JSON"}
    assert (await client.get("/healthz")).status == 200
