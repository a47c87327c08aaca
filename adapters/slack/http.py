"""The /slack/events endpoint (HTTP mode) and the Socket Mode connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
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
    metrics = adapter.bot.metrics

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if not signed_by_slack(verifier, body, request.headers):
            metrics.requests.labels("slack", "401").inc()
            log.warning("slack request refused: missing, forged or stale signature")
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"), query=request.query_string, headers=request.headers
            )
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            metrics.requests.labels("slack", "400").inc()
            return web.json_response({"error": "malformed request body"}, status=400)
        response = await to_aiohttp_response(await adapter.app.async_dispatch(bolt_request))
        metrics.requests.labels("slack", str(response.status)).inc()
        return response

    return handle


def signed_by_slack(verifier: SignatureVerifier, body: bytes, headers: Any) -> bool:
    """Slack's v0 signature is present, matches the body, and is at most 5 minutes old."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature:
        return False
    return verifier.is_valid(body, timestamp, signature)


def socket_mode(adapter: SlackAdapter):
    """A cleanup context that keeps a Socket Mode connection open while the server runs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(
            adapter.app,
            adapter.settings.app_token,
            web_client=adapter.client,
            ping_interval=adapter.settings.socket_ping_seconds,
        )
        # Connecting retries until Slack answers; the server must not wait for it to start.
        connecting = asyncio.ensure_future(handler.connect_async())
        log.info("slack socket mode starting")
        yield
        connecting.cancel()
        await handler.close_async()

    return context
