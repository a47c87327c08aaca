"""A fake Slack Web API (and Socket Mode endpoint) on loopback that records every call."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    """Answers the Web API methods the bot uses; tests script errors, 429s and delays."""

    calls: list[Call] = field(default_factory=list)
    base_url: str = ""
    # method -> Retry-After values of the 429s to serve before answering normally.
    throttles: dict[str, list[int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # method -> how many more times to answer it with an HTTP 503 (Slack down).
    outages: dict[str, int] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    connections_opened: int = 0
    # channel -> member ids that conversations.members answers (in pages of `limit`).
    members: dict[str, list[str]] = field(default_factory=dict)
    # user id -> display name that users.info answers (default: "Olu Organiser").
    names: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/socket", self._socket)
        return app

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base_url}respond/{name}"

    # Scripting

    def throttle(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer `method` with 429 and Retry-After `times` times before answering normally."""
        self.throttles[method] = [retry_after] * times

    def outage(self, method: str, times: int) -> None:
        """Answer `method` with HTTP 503 `times` times (every retry counts) before answering."""
        self.outages[method] = times

    def fail(self, method: str, error: str) -> None:
        """Answer `method` with ok=false and this error from now on."""
        self.errors[method] = error

    # Inspection

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[dict]:
        """Wait until `method` has been called `count` times; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        while len(self.called(method)) < count:
            if time.monotonic() > deadline:
                made = [c.method for c in self.calls]
                raise AssertionError(f"{method} called {len(self.called(method))} times, "
                                     f"wanted {count}; calls: {made}")
            await asyncio.sleep(0.01)
        return self.called(method)

    # Handlers

    def _record(self, method: str, args: dict[str, Any]) -> None:
        self.calls.append(Call(method, args))

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await _arguments(request)
        if request.headers.get("Authorization", "") == "":
            return web.json_response({"ok": False, "error": "not_authed"})
        if self.outages.get(method, 0) > 0:
            self.outages[method] -= 1
            self._record(method + ":503", args)
            return web.Response(status=503, text="service unavailable")
        waits = self.throttles.get(method)
        if waits:
            retry_after = waits.pop(0)
            self._record(method + ":429", args)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429,
                headers={"Retry-After": str(retry_after)},
            )
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        self._record(method, args)
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": TEAM_ID,
                    "user": "dtlbot", "team": "Test", "url": "https://test.slack.com/"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": f"1700000000.{n:06d}"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).lstrip("U")}}
        if method == "users.info":
            user = args.get("user")
            return {"ok": True, "user": {"id": user, "name": "olu", "is_bot": user == BOT_USER_ID,
                                         "profile": {"real_name": self.names.get(
                                             user, "Olu Organiser")}}}
        if method == "users.list":
            everyone = sorted({u for m in self.members.values() for u in m} | set(self.names))
            limit = int(args.get("limit", 100))
            start = int(args.get("cursor") or 0)
            page = [{"id": u, "name": u.lower(), "is_bot": u == BOT_USER_ID,
                     "profile": {"real_name": self.names.get(u, "Olu Organiser")}}
                    for u in everyone[start:start + limit]]
            rest = start + limit < len(everyone)
            return {"ok": True, "members": page,
                    "response_metadata": {"next_cursor": str(start + limit) if rest else ""}}
        if method == "conversations.members":
            everyone = self.members.get(str(args.get("channel")), [])
            limit = int(args.get("limit", 100))
            start = int(args.get("cursor") or 0)
            rest = start + limit < len(everyone)
            return {"ok": True, "members": everyone[start:start + limit],
                    "response_metadata": {"next_cursor": str(start + limit) if rest else ""}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base_url}upload/F{n}", "file_id": f"F{n}"}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files", "[]"))
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "files.info":
            return {"ok": True, "file": {"id": args.get("file")}}
        if method == "apps.connections.open":
            self.connections_opened += 1
            ws = self.base_url.replace("http", "ws", 1) + f"socket?n={self.connections_opened}"
            return {"ok": True, "url": ws}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self._record("upload", {"file_id": request.match_info["file_id"], "size": len(data)})
        return web.Response(text="OK")

    async def _respond(self, request: web.Request) -> web.Response:
        self._record("response_url", await request.json())
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        return ws

    async def push(self, payload: dict[str, Any], envelope_type: str = "events_api") -> str:
        """Deliver a payload over the newest Socket Mode connection; returns its envelope id."""
        envelope_id = f"env-{next(self._ids)}"
        await self.sockets[-1].send_json({
            "envelope_id": envelope_id, "type": envelope_type, "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        })
        return envelope_id

    def drop_socket(self) -> None:
        """Cut the newest Socket Mode connection without a close frame (a network drop)."""
        ws = self.sockets[-1]
        transport = ws._req.transport if ws._req is not None else None  # noqa: SLF001
        if transport is not None:
            transport.abort()


async def _arguments(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    args: dict[str, Any] = dict(request.query)
    if not body:
        return args
    if request.content_type == "application/json":
        args.update(json.loads(body))
    elif request.content_type == "application/x-www-form-urlencoded":
        args.update(parse_qsl(body.decode("utf-8")))
    else:
        # multipart (rare for these methods): field names only
        args["_raw_size"] = len(body)
    return args


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers for a request signed with Slack's v0 scheme (HMAC-SHA256 of v0:ts:body)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
