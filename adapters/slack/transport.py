"""The /slack/events endpoint (HTTP mode) and the Socket Mode connection."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.adapter import SlackAdapter

log = logging.getLogger("dtlbot.slack")


def events_handler(adapter: SlackAdapter):
    """The /slack/events endpoint: refuse anything not signed by Slack in the last 5 minutes."""
    verifier = SignatureVerifier(adapter.settings.signing_secret)

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if not signed_by_slack(verifier, body, request.headers):
            log.warning("slack request refused: missing, forged or stale signature")
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"), query=request.query_string, headers=request.headers
            )
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            return web.json_response({"error": "malformed request body"}, status=400)
        response = await to_aiohttp_response(await adapter.app.async_dispatch(bolt_request))
        adapter.acknowledged()
        return response

    return handle


def signed_by_slack(verifier: SignatureVerifier, body: bytes, headers: Any) -> bool:
    """Slack's v0 signature is present, matches the body, and is at most 5 minutes old."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature:
        return False
    return verifier.is_valid(body, timestamp, signature)


# If the client's own reconnection has not restored the connection after this many ping
# intervals (it can get stuck: slack-sdk issues #1110, #1446), a new client replaces it.
WATCHDOG_PINGS = 6


@dataclass
class SocketConnection:
    """A Socket Mode client plus a watchdog that replaces it if it cannot reconnect itself."""

    adapter: SlackAdapter
    handler: AsyncSocketModeHandler | None = None
    replacements: int = 0
    _connecting: asyncio.Future | None = None

    def _connect(self) -> None:
        self.handler = AsyncSocketModeHandler(
            self.adapter.app,
            self.adapter.settings.app_token,
            web_client=self.adapter.client,
            ping_interval=self.adapter.settings.socket_ping_seconds,
        )
        # Connecting retries until Slack answers; the server must not wait for it to start.
        self._connecting = asyncio.ensure_future(self.handler.connect_async())

    async def watch(self) -> None:
        """Connect, then check the connection every ping interval for as long as we run."""
        self._connect()
        interval = self.adapter.settings.socket_ping_seconds
        down_since: float | None = None
        while True:
            await asyncio.sleep(interval)
            assert self.handler is not None
            if await self.handler.client.is_connected():
                down_since = None
                continue
            now = time.monotonic()
            down_since = down_since or now
            if now - down_since >= WATCHDOG_PINGS * interval:
                log.warning("slack socket mode connection lost and not restored; new client")
                await self.close()
                self._connect()
                self.replacements += 1
                down_since = None

    async def close(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        if self.handler is not None:
            await self.handler.close_async()


def socket_mode(adapter: SlackAdapter, connection: SocketConnection):
    """A cleanup context that keeps a Socket Mode connection open while the server runs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        log.info("slack socket mode starting")
        watchdog = asyncio.ensure_future(connection.watch())
        yield
        watchdog.cancel()
        await asyncio.gather(watchdog, return_exceptions=True)
        await connection.close()

    return context
