"""A fake Bot Connector service on loopback: records what the bot posts, can answer 429."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Posted:
    """One activity the bot sent: to which conversation, in reply to what, and its raw size."""

    conversation_id: str
    reply_to_id: str | None
    activity: dict[str, Any]
    size: int
    authorization: str


@dataclass
class FakeBotConnector:
    """Routes of the Bot Connector REST API (v3) that the adapter uses."""

    posted: list[Posted] = field(default_factory=list)
    # Statuses to answer the next posts with, in order, before succeeding (e.g. [429, 503]).
    failures: list[int] = field(default_factory=list)
    attempts: int = 0
    # Members by id, for GET .../members/{id} (user principal names of organisers).
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Conversation (or team) id -> its members, for GET .../members (rosters).
    rosters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self.post_activity)
        app.router.add_post(
            "/v3/conversations/{conversation}/activities/{reply_to}", self.post_activity
        )
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self.get_member)
        app.router.add_get("/v3/conversations/{conversation}/members", self.get_members)
        return app

    async def post_activity(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.failures:
            status = self.failures.pop(0)
            headers = {"Retry-After": "0"} if status == 429 else {}
            return web.json_response(
                {"error": {"code": "Throttled", "message": "slow down"}},
                status=status,
                headers=headers,
            )
        raw = await request.read()
        self.posted.append(
            Posted(
                conversation_id=request.match_info["conversation"],
                reply_to_id=request.match_info.get("reply_to"),
                activity=await request.json(),
                size=len(raw),
                authorization=request.headers.get("Authorization", ""),
            )
        )
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    async def get_members(self, request: web.Request) -> web.Response:
        return web.json_response(self.rosters.get(request.match_info["conversation"], []))

    async def get_member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "no such member"}},
                status=404,
            )
        return web.json_response(member)

    def texts(self) -> list[str]:
        """Every posted activity's text, and the text blocks of its Adaptive Cards."""
        found: list[str] = []
        for item in self.posted:
            if item.activity.get("text"):
                found.append(item.activity["text"])
            for attachment in item.activity.get("attachments") or []:
                found.extend(_card_texts(attachment.get("content") or {}))
        return found


def _card_texts(element: Any) -> list[str]:
    if isinstance(element, dict):
        texts = [element["text"]] if element.get("type") == "TextBlock" else []
        for value in element.values():
            texts.extend(_card_texts(value))
        return texts
    if isinstance(element, list):
        return [t for item in element for t in _card_texts(item)]
    return []
