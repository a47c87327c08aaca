"""The /slack/events endpoint (HTTP mode) and the Socket Mode connection."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

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
            text = body.decode("utf-8")
            check_shape(text, request.content_type)
            bolt_request = AsyncBoltRequest(
                body=text, query=request.query_string, headers=request.headers
            )
        except (ValueError, RecursionError):  # JSON or UTF-8 errors; JSON nested too deep
            return web.json_response({"error": "malformed request body"}, status=400)
        response = await to_aiohttp_response(await adapter.app.async_dispatch(bolt_request))
        adapter.acknowledged()
        return response

    return handle


# Slack's own payloads (a modal's view with its blocks) nest about a dozen levels deep.
MAX_DEPTH = 64


def check_shape(text: str, content_type: str) -> None:
    """ValueError unless the body has the shape bolt reads before anything else.

    Events come as a JSON object whose `event` is an object; commands and interactions as a
    form whose `payload` (if any) is a JSON object. Nesting is bounded: Python's parser takes
    thousands of levels, but what is built from them need not.
    """
    if content_type == "application/json":
        value = json.loads(text)
        if not isinstance(value, dict) or not isinstance(value.get("event", {}), dict):
            raise ValueError("not an event object")
    else:
        payloads = parse_qs(text).get("payload")
        if not payloads:
            return
        value = json.loads(payloads[0])
        if not isinstance(value, dict):
            raise ValueError("the payload is not a JSON object")
    if depth(value) > MAX_DEPTH:
        raise ValueError("nested too deep")


def depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item if isinstance(child, dict | list))
    return deepest


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
CLOSE_SECONDS = 3


@dataclass
class SocketConnection:
    """A Socket Mode client plus a watchdog that replaces it if it cannot reconnect itself."""

    adapter: SlackAdapter
    handler: AsyncSocketModeHandler | None = None
    replacements: int = 0
    _connecting: asyncio.Future | None = None
    _watchdog: asyncio.Future | None = None

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
        if self.handler is None:
            return
        client = self.handler.client
        # The client's reader would swallow Slack's reply to our close frame, leaving close()
        # to wait out its 10 s timeout: stop the reader first.
        if client.message_receiver is not None:
            client.message_receiver.cancel()
        try:
            await asyncio.wait_for(self.handler.close_async(), timeout=CLOSE_SECONDS)
        except TimeoutError:
            log.warning("slack socket mode connection did not close in time")

    async def start(self, app: web.Application) -> None:
        log.info("slack socket mode starting")
        self._watchdog = asyncio.ensure_future(self.watch())

    async def stop(self, app: web.Application) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            await asyncio.gather(self._watchdog, return_exceptions=True)
        await self.close()
