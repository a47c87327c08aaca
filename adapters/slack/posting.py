"""Posting to Slack through the Web API: messages in order, files, slash-command responses;
a failure is logged (with a pseudonymous tag for people) and counted, never raised."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters import render as shared
from adapters.slack import blocks as kit
from adapters.slack.settings import SlackConfig
from bot.kernel.context import Bot
from bot.kernel.model import Reply

log = logging.getLogger("dtlbot.slack")

PLATFORM = "slack"
DEFAULT_API_BASE_URL = "https://slack.com/api/"


class DeliveryError(RuntimeError):
    """A proactive post to Slack failed after every retry (already logged with the reason)."""


@dataclass(frozen=True)
class Target:
    """Where replies go: a channel (and thread), or a slash command's response_url."""

    user_id: str
    channel: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None


def web_client(settings: SlackConfig) -> AsyncWebClient:
    """A Web API client that retries 429s (honouring Retry-After), 5xx and dropped connections."""
    base = settings.api_base_url or DEFAULT_API_BASE_URL
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=base if base.endswith("/") else base + "/",
        timeout=10,
        retry_handlers=retry_handlers(),
    )


def retry_handlers() -> list:
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


@dataclass
class SlackPoster:
    """Posts rendered replies with one workspace's Web API client."""

    bot: Bot
    client: AsyncWebClient

    async def post(self, target: Target, replies: list[Reply]) -> bool:
        """Post replies in order (text, buttons, images, files); False if any post failed."""
        ok = True
        batch: list[Reply] = []
        for reply in replies:
            textual = replace(reply, image=None, file=None)
            if shared.worth_sending(textual):
                batch.append(textual)
            if reply.image is None and reply.file is None:
                continue
            ok &= await self._post_messages(target, batch)
            batch = []
            ok &= await self._upload(target, reply)
        return await self._post_messages(target, batch) and ok

    async def _post_messages(self, target: Target, replies: list[Reply]) -> bool:
        ok = True
        for message in kit.messages_for(replies):
            if target.response_url:
                ok &= await self._respond(target, message.text, message.blocks)
            else:
                channel = target.channel or await self.direct_channel(target.user_id)
                if channel is None:
                    return False
                ok &= await self.call(
                    "chat.postMessage", channel, self.client.chat_postMessage,
                    channel=channel, thread_ts=target.thread_ts, text=message.text,
                    blocks=message.blocks, unfurl_links=False,
                )
        return ok

    async def _respond(self, target: Target, text: str, blocks: list[dict]) -> bool:
        webhook = AsyncWebhookClient(target.response_url or "", retry_handlers=retry_handlers())
        try:
            response = await webhook.send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.error("slack post failed channel=%s reason=%s", self._where(target.channel),
                      reason_of(exc))
            self._count("failed")
            return False
        if response.status_code != 200:
            log.error("slack post failed channel=%s reason=status %s %s",
                      self._where(target.channel), response.status_code, response.body[:100])
            self._count("failed")
            return False
        self._count("sent")
        return True

    async def _upload(self, target: Target, reply: Reply) -> bool:
        item = reply.image or reply.file
        assert item is not None
        # Files need a channel; a slash command's answer is private, so files go to the DM.
        channel = None if target.response_url else target.channel
        channel = channel or await self.direct_channel(target.user_id)
        if channel is None:
            return False
        extra: dict[str, Any] = {}
        if reply.image is not None:
            extra = {"alt_txt": reply.image.alt[:1000], "title": reply.image.alt[:250]}
        elif reply.file is not None:
            extra = {"title": reply.file.title or reply.file.filename}
        ok = await self.call(
            "files.upload", channel, self.client.files_upload_v2,
            channel=channel, thread_ts=None if target.response_url else target.thread_ts,
            content=item.data, filename=item.filename, **extra,
        )
        if ok and target.response_url:
            await self._respond(target, "I've sent it to you in a direct message.", [])
        return ok

    def _where(self, channel: str | None) -> str:
        """A channel as logs show it: a public or private channel's id (C..., G...) as it is,
        a person's DM or user id only as its pseudonymous tag."""
        if channel and channel[0] in "CG":
            return channel
        return self.bot.key_tag(f"{PLATFORM}:{channel}" if channel else None)

    async def direct_channel(self, user_id: str) -> str | None:
        """The person's direct-message channel with the bot (None, logged, if Slack refuses)."""
        try:
            response = await self.client.conversations_open(users=user_id)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.error("slack post failed channel=dm:%s reason=%s",
                      self.bot.key_tag(f"{PLATFORM}:{user_id}"), reason_of(exc))
            self._count("failed")
            return None
        return response["channel"]["id"]

    async def call(self, method: str, where: str, call: Any, /, **kwargs: Any) -> bool:
        """One Web API call (retried by the client); a final failure is logged, never raised."""
        try:
            await call(**kwargs)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.error("slack post failed method=%s channel=%s reason=%s",
                      method, self._where(where), reason_of(exc))
            self._count("failed")
            return False
        self._count("sent")
        return True

    def _count(self, outcome: str) -> None:
        self.bot.metrics.posts.labels(PLATFORM, outcome).inc()


def reason_of(exc: Exception) -> str:
    """A Web API failure for logs: Slack's error code, or the exception's type and message."""
    if isinstance(exc, SlackApiError):
        # An outage's body may be a page of text, not Slack's JSON.
        data = exc.response.data
        error = data.get("error") if isinstance(data, dict) else None
        return str(error or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"[:200]
