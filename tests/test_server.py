"""The server: health, oversize and malformed requests."""

import io
import logging
import re
import sqlite3

import pytest
from aiohttp import web

from bot.cli import base_url
from bot.kernel.logs import RedactSecrets
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


async def test_each_request_and_message_is_logged_once_without_names(client, caplog):
    caplog.set_level(logging.INFO)
    response = await client.post(
        "/chat/api/messages",
        json={"user": {"id": "dana smith", "name": "Dana Smith"}, "text": "what is ARRS"},
    )
    assert response.status == 200
    lines = [r.getMessage() for r in caplog.records]
    [handled] = [line for line in lines if line.startswith("handled ")]
    assert re.fullmatch(
        r"handled platform=webchat conversation=c-[0-9a-f]{10} kind=text latency_ms=\d+\.\d",
        handled,
    )
    [request] = [line for line in lines if line.startswith("request ")]
    assert re.fullmatch(
        r"request method=POST path=/chat/api/messages status=200 adapter=webchat "
        r"latency_ms=\d+\.\d", request,
    )
    assert not any("dana" in line.lower() for line in lines)


async def test_requests_are_counted_per_adapter_and_status(bot, client):
    await client.get("/healthz")
    await client.post("/chat/api/messages", data=b"{oops")
    counted = bot.metrics.registry.get_sample_value
    assert counted("dtlbot_requests_total", {"adapter": "server", "status": "200"}) == 1
    assert counted("dtlbot_requests_total", {"adapter": "webchat", "status": "400"}) == 1


async def test_healthz_names_the_web_chat_adapter(client):
    body = await (await client.get("/healthz")).json()
    assert body == {"status": "ok", "adapters": ["webchat"], "database": "ok"}


def test_secrets_never_reach_the_log_output():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(["s3cret-signing-value"]))
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("signing with %s", "s3cret-signing-value")
        logger.warning("token xoxb-1234-5678-abcdef in a library message")
        logger.warning("Authorization: Bearer eyJhbGciOi.payload.sig")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "s3cret" not in out and "xoxb-1234" not in out and "eyJhbGciOi" not in out
    assert out.count("[redacted]") == 3


def test_the_address_printed_is_one_a_browser_can_open():
    assert base_url("127.0.0.1", 3978) == "http://127.0.0.1:3978/"
    assert base_url("0.0.0.0", 8080) == "http://127.0.0.1:8080/"
    assert base_url("::1", 3978) == "http://[::1]:3978/"
