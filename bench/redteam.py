"""Red-team run: about 150 attacks against a real `dtlbot serve` on loopback, held or failed."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fakes.bot_connector import FakeBotConnector  # noqa: E402
from tests.fakes.server_process import free_port  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

DTLBOT = Path(sys.executable).with_name("dtlbot")
SIGNING_SECRET = "redteam-signing-secret-0f3a9c"
BOT_TOKEN = "xoxb-redteam-bot-token-77d1"
APP_ID = "00000000-0000-0000-0000-00000000b0t1"
APP_PASSWORD = "redteam-app-password-5e2b"
DTLBOT_SECRET = "redteam-dtlbot-secret-91c4"
SECRETS = (SIGNING_SECRET, BOT_TOKEN, APP_PASSWORD, DTLBOT_SECRET)

# What an attacker types wherever the bot shows text back.
LINK = "[Session expired](https://evil.example/login)"
EVIL = f"{LINK} <!channel> <!here> <!everyone> <@U123> &lt; **now**"
EVIL_NAME = "Mallory [Olu](https://evil.example/who) <!here>"
SLACK_DTL, SLACK_ORGANISER, SLACK_OTHER = "U0DANA", "U0OLU", "U0BEN"
TEAMS_TENANT = "72f988bf-0000-0000-0000-000000000001"
TEAMS_DANA, TEAMS_OLU = "aad-dana-0001", "aad-olu-0002"
TEAMS_PERSONAL = "a:1personal-dana-redteam"
TEAMS_CHANNEL = "19:general-channel@thread.skype"
WEB_ORGANISER = "Olu Organiser"
DEEP = ("[" * 5000 + "]" * 5000).encode()
DEEP_OBJECT = ('{"a":' * 5000 + "1" + "}" * 5000).encode()

# Makes `dtlbot serve` fetch Bot Framework keys and app tokens from a local fake instead of
# Microsoft (the only network the bot would use besides Slack and the Bot Connector).
SITECUSTOMIZE = '''
import os
import requests

_FAKE = os.environ.get("REDTEAM_LOGIN_URL", "")
_HOSTS = ("https://login.botframework.com/", "https://login.microsoftonline.com/",
          "https://login.windows.net/", "https://api.botframework.com/")
_request = requests.Session.request


def _local(self, method, url, *args, **kwargs):
    if _FAKE and isinstance(url, str) and url.startswith(_HOSTS):
        url = _FAKE + url[len("https://"):]
    return _request(self, method, url, *args, **kwargs)


requests.Session.request = _local
'''


# Results


@dataclass
class Outcome:
    held: bool
    reason: str


def held(reason: str = "") -> Outcome:
    return Outcome(True, reason)


def failed(reason: str) -> Outcome:
    return Outcome(False, reason)


def check(ok: bool, reason_if_failed: str, reason_if_held: str = "") -> Outcome:
    return held(reason_if_held) if ok else failed(reason_if_failed)


@dataclass
class Attack:
    area: str
    name: str
    run: Callable[[Lab], Awaitable[Outcome]]


ATTACKS: list[Attack] = []


def attack(area: str, name: str | None = None):
    def register(fn: Callable[[Lab], Awaitable[Outcome]]):
        ATTACKS.append(Attack(area, name or fn.__name__, fn))
        return fn
    return register


# The fakes and the server


class FakeLogin:
    """Microsoft's sign-in endpoints on loopback: Bot Framework keys and app tokens."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="redteam-key", endorsements=["msteams", "emulator"])
        self.jwks = {"keys": [jwk]}
        self.url = ""
        self.tokens_issued = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.answer)
        return app

    async def answer(self, request: web.Request) -> web.Response:
        path = request.path
        if "openid" in path.lower():
            tenant = path.split("/")[2] if path.count("/") > 2 else "botframework.com"
            base = f"https://login.microsoftonline.com/{tenant}"
            return web.json_response({
                "issuer": f"{base}/v2.0", "jwks_uri": "https://login.botframework.com/v1/keys",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "id_token_signing_alg_values_supported": ["RS256"],
            })
        if path.endswith("/keys"):
            return web.json_response(self.jwks)
        if path.endswith("/token"):
            self.tokens_issued += 1
            return web.json_response({"access_token": "redteam-outbound-token",
                                      "token_type": "Bearer", "expires_in": 3600,
                                      "ext_expires_in": 3600})
        if "discovery/instance" in path:
            return web.json_response({"tenant_discovery_endpoint": "https://login.microsoftonline"
                                      ".com/botframework.com/v2.0/.well-known/openid-configuration",
                                      "metadata": []})
        return web.json_response({"error": "not_found"}, status=404)

    def token(self, service_url: str, *, kid: str | None = "redteam-key", key: Any = None,
              aud: str = APP_ID, iss: str = "https://api.botframework.com",
              expires: timedelta = timedelta(minutes=30), algorithm: str = "RS256",
              secret: bytes | None = None) -> str:
        now = datetime.now(UTC)
        claims = {"iss": iss, "aud": aud, "serviceurl": service_url,
                  "nbf": now - timedelta(minutes=1), "iat": now - timedelta(minutes=1),
                  "exp": now + expires}
        headers = {"kid": kid} if kid else {}
        if algorithm == "HS256":
            return jwt.encode(claims, secret or b"guess", algorithm="HS256", headers=headers)
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers=headers)


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    db: Path
    log: Path
    config: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Lab:
    """Everything the attacks share: the temporary folder, the fakes, the servers."""

    tmp: Path
    session: aiohttp.ClientSession
    slack: FakeSlack
    connector: FakeBotConnector
    login: FakeLogin
    servers: list[Server] = field(default_factory=list)
    main: Server | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    next_event: int = 0

    # Processes

    def env(self, **extra: str) -> dict[str, str]:
        # Every address the bot is given is on loopback, and Microsoft's sign-in hosts are
        # redirected to the fake (sitecustomize): no network beyond loopback.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DTLBOT_", "SLACK_", "MICROSOFT_"))
               and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
            MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD=APP_PASSWORD,
            DTLBOT_SECRET=DTLBOT_SECRET, REDTEAM_LOGIN_URL=self.login.url,
            PYTHONPATH=str(self.tmp / "site") + os.pathsep + str(REPO),
        )
        env.update(extra)
        return env

    def config_text(self, db: Path, port: int, extra: str = "", webchat: str = "") -> str:
        return (
            f'[storage]\npath = "{db}"\n\n[server]\nhost = "127.0.0.1"\nport = {port}\n\n'
            f'[slack]\napi_base_url = "{self.slack.api_url}"\n'
            f'organisers = ["{SLACK_ORGANISER}"]\n\n'
            f'[teams]\nenabled = true\norganisers = ["{TEAMS_OLU}"]\n\n'
            '[webchat]\nenabled = true\nopen_admin = false\n'
            f'organisers = ["{WEB_ORGANISER}"]\n{webchat}\n'
            '[polls]\nnamed_export = true\n\n'
            '[forum]\nrrule = "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH"\nstart = 2026-01-08T13:00:00\n'
            + extra
        )

    def write_config(self, name: str, extra: str = "", port: int | None = None,
                     db: Path | None = None, webchat: str = "") -> tuple[Path, Path, int]:
        folder = self.tmp / name
        folder.mkdir(exist_ok=True)
        port = port or free_port()
        db = db or folder / "bot.db"
        config = folder / "config.toml"
        config.write_text(self.config_text(db, port, extra, webchat), encoding="utf-8")
        return config, db, port

    async def start(self, name: str, extra: str = "", *, config: Path | None = None,
                    db: Path | None = None, port: int | None = None,
                    env: dict[str, str] | None = None, pipe: bool = False,
                    preexec: Callable[[], None] | None = None, webchat: str = "") -> Server:
        if config is None:
            config, db, port = self.write_config(name, extra, port, db, webchat)
        assert db is not None and port is not None
        log = self.tmp / name / "serve.log"
        out = subprocess.PIPE if pipe else log.open("ab")
        process = subprocess.Popen(
            [str(DTLBOT), "serve", "--config", str(config)], stdout=out,
            stderr=subprocess.STDOUT, env=env or self.env(), cwd=self.tmp / name,
            preexec_fn=preexec,
        )
        if pipe:
            threading.Thread(target=_copy, args=(process.stdout, log), daemon=True).start()
        else:
            out.close()
        server = Server(process, port, db, log, config)
        self.servers.append(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dtlbot serve ({name}) exited:\n{server.logs()}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with self.session.get(server.url + "/healthz") as response:
                    if response.status == 200:
                        return server
            await asyncio.sleep(0.1)
        raise RuntimeError(f"dtlbot serve ({name}) did not become healthy")

    def cli(self, *args: str, config: Path | None = None, timeout: float = 60,
            stdin: str | None = None, preexec: Callable[[], None] | None = None
            ) -> subprocess.CompletedProcess:
        command = [str(DTLBOT), *args]
        if config is not None:
            command += ["--config", str(config)]
        return subprocess.run(command, capture_output=True, text=True, env=self.env(),
                              cwd=self.tmp, timeout=timeout, input=stdin, preexec_fn=preexec)

    # HTTP

    async def request(self, method: str, path: str, *, server: Server | None = None,
                      **kwargs: Any) -> tuple[int, bytes, dict[str, str]]:
        server = server or self.main
        assert server is not None
        async with self.session.request(method, server.url + path, **kwargs) as response:
            return response.status, await response.read(), dict(response.headers)

    # Web chat

    async def chat(self, name: str, text: str | None = None, *, action: dict | None = None,
                   token: str | None = "auto", server: Server | None = None,
                   address: str | None = None) -> tuple[int, dict]:
        """Send as `name`, with its token (kept from its first answer) unless told otherwise."""
        user: dict[str, Any] = {"id": name, "name": name}
        if token == "auto":
            token = self.tokens.get(name)
        if token:
            user["token"] = token
        body: dict[str, Any] = {"user": user}
        if text is not None:
            body["text"] = text
        if action is not None:
            body["action"] = action
        headers = {"X-Forwarded-For": address} if address else {}
        status, raw, _ = await self.request("POST", "/chat/api/messages", json=body,
                                            server=server, headers=headers)
        answer = _json(raw)
        if status == 200 and answer.get("token"):
            self.tokens[name] = answer["token"]
        return status, answer

    async def say(self, name: str, text: str, **kwargs: Any) -> str:
        """The text of every reply to `text` typed by `name` in the web chat."""
        status, answer = await self.chat(name, text, **kwargs)
        if status != 200:
            raise AssertionError(f"web chat {text!r}: {status} {answer}")
        return "\n".join(r.get("text") or "" for r in answer.get("replies", []))

    # Slack

    def slack_event(self, event: dict, event_id: str | None = None) -> bytes:
        self.next_event += 1
        return json.dumps({
            "token": "unused", "team_id": "T0001", "api_app_id": "A0001",
            "type": "event_callback", "event_id": event_id or f"EvRT{self.next_event:06d}",
            "event_time": int(time.time()), "event": event,
        }).encode()

    async def slack_post(self, body: bytes, *, content_type: str = "application/json",
                         secret: str = SIGNING_SECRET, timestamp: int | None = None,
                         headers: dict[str, str] | None = None,
                         server: Server | None = None) -> int:
        signed = {**sign(secret, body, timestamp), "Content-Type": content_type,
                  **(headers or {})}
        status, _, _ = await self.request("POST", "/slack/events", data=body, headers=signed,
                                          server=server)
        return status

    async def slack_say(self, user: str, text: str, *, channel: str | None = None,
                        wait: float = 6.0) -> str:
        """Text of the bot's posts answering `user` (a DM, or a mention in `channel`)."""
        self.next_event += 1
        ts = f"{1700000000 + self.next_event}.000100"
        if channel:
            event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}",
                     "channel": channel, "ts": ts, "event_ts": ts}
        else:
            channel = "D" + user[1:]
            event = {"type": "message", "channel_type": "im", "user": user, "text": text,
                     "channel": channel, "ts": ts, "event_ts": ts}
        before = len(self.slack.calls)
        status = await self.slack_post(self.slack_event(event))
        if status != 200:
            raise AssertionError(f"slack event answered {status}")
        return await self.slack_posts_since(before, wait)

    async def slack_posts_since(self, before: int, wait: float = 6.0) -> str:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if any(c.method in ("chat.postMessage", "chat.postEphemeral", "views.open")
                   for c in self.slack.calls[before:]):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.4)  # a reply may be several posts
        return "\n".join(slack_text(c.args) for c in self.slack.calls[before:]
                         if c.method in ("chat.postMessage", "chat.postEphemeral",
                                         "chat.update", "views.open"))

    # Teams

    def teams_activity(self, text: str, *, who: str = TEAMS_DANA, channel: bool = False,
                       name: str = "Dana Lee", **extra: Any) -> dict[str, Any]:
        self.next_event += 1
        sender = {"id": f"29:{who}", "name": name, "aadObjectId": who}
        if channel:
            conversation = {"id": f"{TEAMS_CHANNEL};messageid={self.next_event}",
                            "conversationType": "channel", "isGroup": True,
                            "tenantId": TEAMS_TENANT}
            mention = "<at>DTL Forum Bot</at>"
            text = f"{mention} {text}"
            entities = [{"type": "mention", "text": mention,
                         "mentioned": {"id": "28:bot", "name": "DTL Forum Bot"}}]
            data = {"team": {"id": "19:team@thread.skype"},
                    "channel": {"id": TEAMS_CHANNEL}, "tenant": {"id": TEAMS_TENANT}}
        else:
            conversation = {"id": f"{TEAMS_PERSONAL}-{who}", "conversationType": "personal",
                            "tenantId": TEAMS_TENANT}
            entities, data = [], {"tenant": {"id": TEAMS_TENANT}}
        return {"type": "message", "id": f"rt-{self.next_event}", "channelId": "msteams",
                "serviceUrl": self.connector.url, "from": sender,
                "recipient": {"id": "28:bot", "name": "DTL Forum Bot"},
                "conversation": conversation, "text": text, "entities": entities,
                "channelData": data, "locale": "en-GB", **extra}

    async def teams_post(self, activity: dict | bytes, token: str | None = "valid",
                         server: Server | None = None) -> int:
        headers = {"Content-Type": "application/json"}
        if token == "valid":
            token = self.login.token(self.connector.url)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        status, _, _ = await self.request("POST", "/api/messages", data=body, headers=headers,
                                          server=server)
        return status

    async def teams_say(self, text: str, **kwargs: Any) -> str:
        before = len(self.connector.posted)
        status = await self.teams_post(self.teams_activity(text, **kwargs))
        if status != 200:
            raise AssertionError(f"teams activity answered {status}")
        await asyncio.sleep(0.3)
        return "\n".join(teams_texts(p.activity) for p in self.connector.posted[before:])


def file_permissions_apply() -> None:
    """In the child: as root, give up overriding file permissions, so chmod means what it says.

    Root's capabilities after exec come from the bounding set: dropping CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH and CAP_FOWNER from it makes a read-only file read-only for the bot.
    """
    if os.geteuid() != 0:
        return
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature over the raw bytes (slack-sdk's needs the body to be UTF-8)."""
    import hashlib
    import hmac
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def _copy(stream: Any, log: Path) -> None:
    with log.open("ab") as out:
        for line in iter(stream.readline, b""):
            out.write(line)
            out.flush()


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {"raw": raw[:200].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"value": value}


def slack_text(args: dict) -> str:
    """All the text a Slack post (or modal) shows: its text and every text in its blocks."""
    found = [str(args.get("text") or "")]
    for key in ("blocks", "view"):
        value = args.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        found.extend(_strings(value, "text"))
    return "\n".join(found)


def teams_texts(activity: dict) -> str:
    found = [str(activity.get("text") or "")]
    for attachment in activity.get("attachments") or []:
        found.extend(_strings(attachment.get("content"), "text"))
    return "\n".join(found)


def _strings(value: Any, key: str) -> list[str]:
    if isinstance(value, dict):
        found = [value[key]] if isinstance(value.get(key), str) else []
        for item in value.values():
            found.extend(_strings(item, key))
        return found
    if isinstance(value, list):
        return [s for item in value for s in _strings(item, key)]
    return []


# What "shown as literal text" means on each platform.

MD_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\((?:https?:)?//evil\.example")
SLACK_MARKUP = re.compile(r"<(?:!channel|!here|!everyone|@U123|https?://evil\.example)[^>]*>")


def literal_problems(platform: str, text: str) -> list[str]:
    """Ways typed EVIL text became markup in `text` as `platform` would read it."""
    problems = []
    if platform == "slack":
        problems += [f"{m.group(0)!r} reaches Slack as markup" for m in SLACK_MARKUP.finditer(text)]
        if "&lt; " in text.replace("&amp;lt;", ""):
            problems.append("typed '&lt;' reaches Slack unescaped (shown as '<')")
    else:
        if MD_LINK.search(text):
            problems.append("typed [text](https://evil.example) is a live Markdown link")
        if platform == "teams" and re.search(r"<at>", text.replace("<at>DTL Forum Bot</at>", "")):
            problems.append("typed text produced a Teams <at> mention")
    return problems


def shown(text: str) -> bool:
    return "evil.example" in text or "evil\\.example" in text


def literal_outcome(platform: str, text: str, where: str, links_allowed: bool = False
                    ) -> Outcome:
    problems = literal_problems(platform, text)
    if links_allowed:  # an organiser's answer is content: its links are meant
        problems = [p for p in problems if "evil.example" not in p and "Markdown link" not in p]
    if problems:
        return failed(f"{where}: {problems[0]}")
    if not shown(text):
        return held(f"{where}: the typed text is not shown there")
    return held(f"{where}: shown as literal text")


def no_errors(log: str) -> list[str]:
    return [line for line in log.splitlines()
            if " ERROR " in line or "Traceback" in line or line.startswith("ERROR")]


def one_line_named(result: subprocess.CompletedProcess, *names: str) -> Outcome:
    output = (result.stdout + result.stderr).strip()
    if result.returncode == 0:
        return failed(f"exit code 0: {output[-120:]!r}")
    if "Traceback" in output:
        return failed(f"traceback: {output.splitlines()[-1][:120]!r}")
    lines = [line for line in output.splitlines() if line.strip()]
    if len(lines) != 1:
        return failed(f"{len(lines)} lines of output, wanted one: {output[:160]!r}")
    missing = [n for n in names if n not in output]
    if missing:
        return failed(f"message does not name {missing[0]!r}: {output[:160]!r}")
    return held(output[:110])


# 1. Slack signatures


def dm_event(lab: Lab, text: str = "help", user: str = SLACK_DTL) -> bytes:
    lab.next_event += 1
    ts = f"{1700000000 + lab.next_event}.000200"
    return lab.slack_event({"type": "message", "channel_type": "im", "user": user,
                            "text": text, "channel": "D" + user[1:], "ts": ts, "event_ts": ts})


def refused_slack(name: str, build: Callable[[Lab], Awaitable[int]]) -> None:
    async def run(lab: Lab) -> Outcome:
        before = len(lab.slack.called("chat.postMessage"))
        status = await build(lab)
        await asyncio.sleep(0.2)
        posted = len(lab.slack.called("chat.postMessage")) - before
        return check(status == 401 and posted == 0, f"answered {status}, {posted} posts",
                     "401, nothing posted")
    attack("slack signatures", name)(run)


async def _unsigned(lab: Lab) -> int:
    status, _, _ = await lab.request("POST", "/slack/events", data=dm_event(lab),
                                     headers={"Content-Type": "application/json"})
    return status


async def _wrong_secret(lab: Lab) -> int:
    return await lab.slack_post(dm_event(lab), secret="not-the-secret")


async def _stale(lab: Lab) -> int:
    return await lab.slack_post(dm_event(lab), timestamp=int(time.time()) - 301)


async def _future(lab: Lab) -> int:
    return await lab.slack_post(dm_event(lab), timestamp=int(time.time()) + 600)


async def _body_swapped(lab: Lab) -> int:
    body = dm_event(lab)
    headers = {**sign(SIGNING_SECRET, body), "Content-Type": "application/json"}
    status, _, _ = await lab.request("POST", "/slack/events", data=dm_event(lab, "poll list"),
                                     headers=headers)
    return status


async def _timestamp_swapped(lab: Lab) -> int:
    body = dm_event(lab)
    headers = {**sign(SIGNING_SECRET, body), "Content-Type": "application/json"}
    headers["X-Slack-Request-Timestamp"] = str(int(time.time()) - 1)
    status, _, _ = await lab.request("POST", "/slack/events", data=body, headers=headers)
    return status


async def _v1_signature(lab: Lab) -> int:
    body = dm_event(lab)
    headers = {**sign(SIGNING_SECRET, body), "Content-Type": "application/json"}
    headers["X-Slack-Signature"] = headers["X-Slack-Signature"].replace("v0=", "v1=")
    status, _, _ = await lab.request("POST", "/slack/events", data=body, headers=headers)
    return status


async def _garbage_timestamp(lab: Lab) -> int:
    body = dm_event(lab)
    headers = {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=00",
               "Content-Type": "application/json"}
    status, _, _ = await lab.request("POST", "/slack/events", data=body, headers=headers)
    return status


async def _signed_form_wrong_secret(lab: Lab) -> int:
    body = b"command=%2Fdtl&text=poll+list&user_id=U0OLU&channel_id=C0FORUM&trigger_id=t"
    return await lab.slack_post(body, content_type="application/x-www-form-urlencoded",
                                secret="guessed")


async def _truncated_signature(lab: Lab) -> int:
    body = dm_event(lab)
    headers = {**sign(SIGNING_SECRET, body), "Content-Type": "application/json"}
    headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:20]
    status, _, _ = await lab.request("POST", "/slack/events", data=body, headers=headers)
    return status


for _name, _build in [
    ("no signature", _unsigned), ("signed with the wrong secret", _wrong_secret),
    ("stale: 5 min 1 s old", _stale), ("10 minutes in the future", _future),
    ("valid signature, other body", _body_swapped),
    ("valid signature, other timestamp", _timestamp_swapped),
    ("v1= signature scheme", _v1_signature), ("timestamp not a number", _garbage_timestamp),
    ("slash command with a guessed secret", _signed_form_wrong_secret),
    ("truncated signature", _truncated_signature),
]:
    refused_slack(_name, _build)


@attack("slack signatures", "url_verification challenge without a signature")
async def _challenge(lab: Lab) -> Outcome:
    body = json.dumps({"type": "url_verification", "challenge": "echo-me"}).encode()
    status, raw, _ = await lab.request("POST", "/slack/events", data=body,
                                       headers={"Content-Type": "application/json"})
    return check(status == 401 and b"echo-me" not in raw, f"answered {status} {raw[:60]!r}",
                 "401, challenge not echoed")


@attack("slack signatures", "control: a validly signed event is answered")
async def _slack_control(lab: Lab) -> Outcome:
    text = await lab.slack_say(SLACK_DTL, "help")
    return check(bool(text), "a signed DM got no answer", "answered")


@attack("slack signatures", "replay: the same signed event three times")
async def _slack_replay(lab: Lab) -> Outcome:
    body = dm_event(lab, "next meeting")
    before = len(lab.slack.called("chat.postMessage"))
    statuses = [await lab.slack_post(body, headers={"X-Slack-Retry-Num": str(n)} if n else {})
                for n in range(3)]
    await asyncio.sleep(1.5)
    posted = len(lab.slack.called("chat.postMessage")) - before
    return check(posted == 1, f"answered {posted} times ({statuses})", "answered once")


# 2. Teams authentication (app id and password from MICROSOFT_APP_ID / _PASSWORD)


def refused_teams(name: str, make_token: Callable[[Lab], str | None]) -> None:
    async def run(lab: Lab) -> Outcome:
        before = len(lab.connector.posted)
        status = await lab.teams_post(lab.teams_activity("poll list", who=TEAMS_OLU),
                                      token=make_token(lab))
        await asyncio.sleep(0.2)
        posted = len(lab.connector.posted) - before
        return check(status == 401 and posted == 0, f"answered {status}, {posted} posts",
                     "401, nothing posted")
    attack("teams auth", name)(run)


_ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

for _name, _make in [
    ("no Authorization header", lambda lab: None),
    ("Bearer with a garbage token", lambda lab: "not.a.jwt"),
    ("forged: unknown kid", lambda lab: lab.login.token(lab.connector.url, kid="no-such-key",
                                                        key=_ATTACKER_KEY)),
    ("forged: no kid", lambda lab: lab.login.token(lab.connector.url, kid=None,
                                                   key=_ATTACKER_KEY)),
    ("forged: real kid, attacker's key", lambda lab: lab.login.token(lab.connector.url,
                                                                     key=_ATTACKER_KEY)),
    ("wrong audience", lambda lab: lab.login.token(lab.connector.url, aud="another-app")),
    ("wrong issuer", lambda lab: lab.login.token(lab.connector.url, iss="https://evil.example")),
    ("expired an hour ago", lambda lab: lab.login.token(lab.connector.url,
                                                        expires=timedelta(hours=-1))),
    ("alg none", lambda lab: jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID,
                                         "serviceurl": lab.connector.url}, None,
                                        algorithm="none")),
    ("HS256 signed with the app password", lambda lab: lab.login.token(
        lab.connector.url, algorithm="HS256", secret=APP_PASSWORD.encode())),
    ("serviceUrl claim for another host", lambda lab: lab.login.token(
        "https://evil.example/")),
]:
    refused_teams(_name, _make)


@attack("teams auth", "Basic credentials instead of a token")
async def _teams_basic(lab: Lab) -> Outcome:
    body = json.dumps(lab.teams_activity("help")).encode()
    status, _, _ = await lab.request("POST", "/api/messages", data=body, headers={
        "Content-Type": "application/json",
        "Authorization": "Basic " + base64.b64encode(f"{APP_ID}:{APP_PASSWORD}".encode()).decode()})
    return check(status == 401, f"answered {status}", "401")


@attack("teams auth", "control: a token signed by the (fake) Microsoft key is accepted")
async def _teams_control(lab: Lab) -> Outcome:
    text = await lab.teams_say("help")
    return check(bool(text), "no reply reached the Bot Connector", "200 and answered")


# 3. Teams emulator mode only by intent


def emulator_refused(name: str, settings: str) -> None:
    async def run(lab: Lab) -> Outcome:
        folder = lab.tmp / "emulator-refused"
        folder.mkdir(exist_ok=True)
        config = folder / f"{abs(hash(name))}.toml"
        config.write_text(f'[storage]\npath = "{folder / "bot.db"}"\n{settings}',
                          encoding="utf-8")
        command = [str(DTLBOT), "serve", "--config", str(config)]
        env = lab.env(MICROSOFT_APP_ID="", SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET="")
        try:
            result = subprocess.run(command, capture_output=True, text=True, env=env,
                                    timeout=20, cwd=folder)
        except subprocess.TimeoutExpired:
            return failed("it started serving (still running after 20 s)")
        return one_line_named(result, "teams.app_id")
    attack("teams emulator mode", name)(run)


emulator_refused("refused on 0.0.0.0", '[server]\nhost = "0.0.0.0"\nport = 9\n'
                 '[webchat]\nenabled = false\n[teams]\nenabled = true\n')
emulator_refused("refused on a LAN address", '[server]\nhost = "192.0.2.10"\nport = 9\n'
                 '[webchat]\nenabled = false\n[teams]\nenabled = true\n')
emulator_refused("refused with https server.public_url",
                 '[server]\npublic_url = "https://bot.example.nhs.uk"\nport = 9\n'
                 '[teams]\nenabled = true\n')
emulator_refused("refused with https teams.public_url",
                 '[server]\nport = 9\n[teams]\nenabled = true\n'
                 'public_url = "https://bot.example.nhs.uk"\n')


@attack("teams emulator mode", "on loopback: announced at start and on /healthz")
async def _emulator_announced(lab: Lab) -> Outcome:
    server = await lab.start("emulator", env=lab.env(MICROSOFT_APP_ID="",
                                                     MICROSOFT_APP_PASSWORD=""))
    try:
        _, raw, _ = await lab.request("GET", "/healthz", server=server)
        body = _json(raw)
        banner = "emulator mode" in server.logs().lower()
        notice = str(body.get("teams_authentication", "")).startswith("off")
        return check(banner and notice, f"banner {banner}, healthz {body}",
                     f"healthz: {body.get('teams_authentication')}")
    finally:
        server.stop()


@attack("teams emulator mode", "with an app id, /healthz has no 'off' notice")
async def _no_emulator_notice(lab: Lab) -> Outcome:
    _, raw, _ = await lab.request("GET", "/healthz")
    body = _json(raw)
    return check("teams_authentication" not in body, f"healthz says {body}", "no notice")


# 4. Web chat identity


async def _claim(lab: Lab, name: str) -> str:
    if name not in lab.tokens:
        status, answer = await lab.chat(name, "help")
        if status != 200 or not answer.get("token"):
            raise AssertionError(f"first message as {name!r}: {status} {answer}")
    return lab.tokens[name]


@attack("web chat identity", "a name's first message gets a long secret token")
async def _first_token(lab: Lab) -> Outcome:
    token = await _claim(lab, "Dana Web")
    return check(len(token) >= 32, f"token {token!r} is short", f"{len(token)}-character token")


def name_taken(label: str, variant: str, token: str | None) -> None:
    async def run(lab: Lab) -> Outcome:
        await _claim(lab, "Dana Web")
        status, answer = await lab.chat(variant, "my data", token=token)
        return check(status == 403 and answer.get("reason") == "name_in_use",
                     f"answered {status} {str(answer)[:80]}", "403 name_in_use")
    attack("web chat identity", label)(run)


name_taken("same name, no token", "Dana Web", None)
name_taken("same name, wrong token", "Dana Web", "0" * 43)
name_taken("same name in capitals", "DANA WEB", None)
name_taken("same name with a tab", "Dana\tWeb", None)
name_taken("same name with a no-break space", "Dana\u00a0Web", None)
name_taken("same name in full-width letters", "\uff24\uff41\uff4e\uff41 Web", None)
name_taken("same name with a zero-width space", "Da\u200bna Web", None)
name_taken("same name with extra spaces", "  Dana   Web ", None)


def events_refused(label: str, query: str, headers: dict[str, str] | None = None) -> None:
    async def run(lab: Lab) -> Outcome:
        await _claim(lab, "Dana Web")
        status, raw, _ = await lab.request("GET", "/chat/api/events?" + query,
                                           headers=headers or {})
        return check(status == 403, f"answered {status} {raw[:80]!r}", f"{status}")
    attack("web chat identity", label)(run)


events_refused("events stream without a token", "user=Dana%20Web")
events_refused("events stream with a wrong token", "user=Dana%20Web&token=" + "A" * 43)
events_refused("events stream, wrong X-Chat-Token", "user=Dana%20Web",
               {"X-Chat-Token": "B" * 43})
events_refused("events stream for a name never used", "user=Nobody%20Yet")
events_refused("events stream with an empty token", "user=Dana%20Web&token=")


async def _open_stream(lab: Lab, name: str, token: str, timeout: float = 3,
                       server: Server | None = None) -> tuple[int, aiohttp.ClientResponse]:
    server = server or lab.main
    assert server is not None
    response = await lab.session.get(
        f"{server.url}/chat/api/events", params={"user": name},
        headers={"X-Chat-Token": token}, timeout=aiohttp.ClientTimeout(total=None,
                                                                      sock_read=timeout))
    return response.status, response


@attack("web chat identity", "control: the token holder opens the stream")
async def _stream_control(lab: Lab) -> Outcome:
    status, response = await _open_stream(lab, "Dana Web", await _claim(lab, "Dana Web"))
    response.close()
    return check(status == 200, f"answered {status}", "200")


@attack("web chat identity", "info does not say who organises (no token)")
async def _info_hides_organisers(lab: Lab) -> Outcome:
    await _claim(lab, WEB_ORGANISER)
    _, raw, _ = await lab.request("GET", "/chat/api/info", params={"user": WEB_ORGANISER})
    body = _json(raw)
    return check(body.get("organiser") is False and body.get("name_in_use") is True,
                 f"info says {str(body)[:100]}", "organiser false, name_in_use true")


@attack("web chat identity", "info tells the token holder they organise")
async def _info_for_holder(lab: Lab) -> Outcome:
    token = await _claim(lab, WEB_ORGANISER)
    _, raw, _ = await lab.request("GET", "/chat/api/info",
                                  params={"user": WEB_ORGANISER, "token": token})
    body = _json(raw)
    return check(body.get("organiser") is True, f"info says {str(body)[:100]}",
                 "organiser true for the holder")


@attack("web chat identity", "info with a wrong token does not say who organises")
async def _info_wrong_token(lab: Lab) -> Outcome:
    await _claim(lab, WEB_ORGANISER)
    _, raw, _ = await lab.request("GET", "/chat/api/info", headers={"X-Chat-Token": "x" * 43},
                                  params={"user": WEB_ORGANISER})
    body = _json(raw)
    return check(body.get("organiser") is False, f"info says {str(body)[:100]}",
                 "organiser false")


@attack("web chat identity", "a DTL cannot `webchat reset` someone's name")
async def _reset_by_dtl(lab: Lab) -> Outcome:
    await _claim(lab, "Dana Web")
    await lab.say("Eve Web", "webchat reset Dana Web")
    status, _ = await lab.chat("Dana Web", "help", token=None)
    return check(status == 403, f"the name was freed ({status})", "name still held")


@attack("web chat identity", "the token is stored hashed, never as typed")
async def _token_hashed(lab: Lab) -> Outcome:
    token = await _claim(lab, "Dana Web")
    assert lab.main is not None
    found = [p.name for p in lab.main.db.parent.glob("bot.db*")
             if token.encode() in p.read_bytes()]
    return check(not found, f"the raw token is in {found}", "only its hash is kept")


@attack("web chat identity", "after `webchat reset` the old token stops working")
async def _reset_frees(lab: Lab) -> Outcome:
    old = await _claim(lab, "Fay Reset")
    await lab.say(WEB_ORGANISER, "webchat reset Fay Reset")
    del lab.tokens["Fay Reset"]
    status, answer = await lab.chat("Fay Reset", "help", token=None)
    new = answer.get("token")
    status_old, _ = await lab.chat("Fay Reset", "help", token=old)
    return check(status == 200 and new and new != old and status_old == 403,
                 f"new client {status}, old token now {status_old}",
                 "new holder, old token 403")


@attack("web chat identity", "at most 5 streams per name")
async def _streams_per_name(lab: Lab) -> Outcome:
    # Its own server: a closed stream's slot is freed at the next keep-alive (15 s).
    server = await lab.start("streams-per-name")
    await lab.chat("Gus Streams", "help", server=server)
    token = lab.tokens["Gus Streams"]
    opened = []
    try:
        for _ in range(6):
            opened.append(await _open_stream(lab, "Gus Streams", token, server=server))
        statuses = [s for s, _ in opened]
        return check(statuses[:5] == [200] * 5 and statuses[5] == 429,
                     f"statuses {statuses}", "6th stream 429")
    finally:
        for _, response in opened:
            response.close()
        server.stop()


@attack("web chat identity", "at most 20 streams per address")
async def _streams_per_address(lab: Lab) -> Outcome:
    server = await lab.start("streams-per-address")
    opened = []
    try:
        for n in range(21):
            name = f"Stream Person {n // 4}"
            if n % 4 == 0:
                await lab.chat(name, "help", server=server)
            opened.append(await _open_stream(lab, name, lab.tokens[name], server=server))
        statuses = [s for s, _ in opened]
        return check(statuses[:20] == [200] * 20 and statuses[20] == 429,
                     f"statuses {statuses}", "21st stream from one address 429")
    finally:
        for _, response in opened:
            response.close()
        server.stop()


# 5. XSS in the web chat


XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
       "\"><svg onload=alert(1)>", "javascript:alert(1)")


def xss_echo(label: str, payload: str) -> None:
    async def run(lab: Lab) -> Outcome:
        status, raw, headers = await lab.request(
            "POST", "/chat/api/messages",
            json={"user": {"id": "Xss Tester", "name": payload,
                           "token": lab.tokens.get("Xss Tester", "")},
                  "text": f"what is {payload}"})
        answer = _json(raw)
        if status == 200 and answer.get("token"):
            lab.tokens["Xss Tester"] = answer["token"]
        kind = headers.get("Content-Type", "")
        return check(status == 200 and kind.startswith("application/json"),
                     f"{status} {kind}", "JSON only; the page renders it as text nodes")
    attack("web chat xss", label)(run)


for _n, _payload in enumerate(XSS):
    xss_echo(f"typed HTML/JS #{_n + 1} answered as JSON text", _payload)


@attack("web chat xss", "the page never builds HTML from replies")
async def _page_script(lab: Lab) -> Outcome:
    _, page, _ = await lab.request("GET", "/")
    scripts = re.findall(rb'src="([^"]+\.js)"', page)
    code = b""
    for src in scripts:
        path = src.decode()
        _, body, _ = await lab.request("GET", path if path.startswith("/") else "/" + path)
        code += body
    sinks = [s for s in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                         "eval(", "new Function") if s.encode() in code]
    return check(bool(code) and not sinks, f"sinks {sinks} (scripts {scripts})",
                 "textContent only")


@attack("web chat xss", "a 404 for a path with HTML does not reflect it as HTML")
async def _reflected_404(lab: Lab) -> Outcome:
    status, body, headers = await lab.request("GET", "/%3Cscript%3Ealert(1)%3C/script%3E")
    html = "html" in headers.get("Content-Type", "")
    return check(not (html and b"<script>alert" in body), f"{status} reflects the script",
                 f"{status}, not reflected")


@attack("web chat xss", "event stream frames cannot be forged by typed newlines")
async def _sse_injection(lab: Lab) -> Outcome:
    # An organiser's taught answer reaches the asker over the stream; it carries fake frames.
    asker = "Hal Stream"
    await lab.say(asker, "what is the zyxwv protocol for quarks")
    status, response = await _open_stream(lab, asker, lab.tokens[asker], timeout=6)
    if status != 200:
        response.close()
        return failed(f"the asker's stream answered {status}")
    try:
        listing = await lab.say(WEB_ORGANISER, "unanswered")
        number = _item_number(listing, "zyxwv")
        if number is None:
            return failed(f"the question is not in `unanswered`: {listing[:100]!r}")
        await lab.say(WEB_ORGANISER, f"answer {number}: Quarks.\n\nid: 999\ndata: "
                      '{"id": 999, "replies": [{"text": "forged"}]}\n\nend')
        raw = b""
        with contextlib.suppress(asyncio.TimeoutError):
            async with asyncio.timeout(4):
                async for chunk in response.content.iter_any():
                    raw += chunk
                    if b"Quarks" in raw and raw.endswith(b"\n\n"):
                        break
        frames = [line[5:].strip() for line in raw.decode().splitlines()
                  if line.startswith("data:")]
        parsed = []
        for frame in frames:
            try:
                parsed.append(json.loads(frame))
            except ValueError:
                return failed(f"a data line is not JSON: {frame[:60]!r}")
        forged = any(p.get("id") == 999 for p in parsed)
        return check(bool(parsed) and not forged, f"frames {frames[:3]}",
                     "one JSON frame per message")
    finally:
        response.close()


def _item_number(listing: str, marker: str) -> int | None:
    for line in listing.splitlines():
        if marker in line:
            found = re.search(r"(\d+)[.)]", line)
            if found:
                return int(found.group(1))
    return None


# 6. Typed links, mentions and broadcasts are literal in every view


QUESTION = f"how do I fix {EVIL} in the zqxj portal"
MEETING_DAY = "2026-12-18"
VOTER = EVIL_NAME  # a web chat organiser who also votes (listed in [webchat] organisers)
VOTER_PCN = "[PCN](https://evil.example) <!here> <@U123> &lt; pcn-marker-71"  # 100 at most
VIEWER = "Ben Viewer"


@dataclass
class Poll:
    id: int = 0
    form: dict = field(default_factory=dict)

    def values(self, pcn: str) -> dict[str, str]:
        fields = self.form.get("fields", [])
        ranks = [f["id"] for f in fields if f["id"].startswith("rank:")]
        values = {rid: str(n + 1) for n, rid in enumerate(ranks)}
        for rid in ranks:
            pid = rid.split(":", 1)[1]
            values[f"lead:{pid}"] = "dtl"
            values[f"progress:{pid}"] = "in-progress"
        values["pcn"] = pcn
        return values

    def first_title(self) -> str:
        """The first priority's id (`peers telephony`)."""
        fields = [f for f in self.form.get("fields", []) if f["id"].startswith("rank:")]
        return fields[0]["id"].split(":", 1)[1] if fields else "1"


POLL = Poll()


async def ensure_poll(lab: Lab) -> None:
    """An open poll with its ballot form (when an area runs alone, with --only)."""
    if not POLL.id:
        await _w_poll_start(lab)


def view(area: str, label: str, platform: str, steps: Callable[[Lab], Awaitable[str]]) -> None:
    async def run(lab: Lab) -> Outcome:
        return literal_outcome(platform, await steps(lab), label,
                               links_allowed="taught answer" in label)
    attack(area, label)(run)


async def _w_question(lab: Lab) -> str:
    return await lab.say(VOTER, QUESTION)


async def _w_unanswered(lab: Lab) -> str:
    return await lab.say(WEB_ORGANISER, "unanswered")


async def _w_poll_start(lab: Lab) -> str:
    text = await lab.say(VOTER, f"poll start {EVIL}")
    status, answer = await lab.chat(VOTER, "ballot")
    POLL.form = next((r["form"] for r in answer.get("replies", []) if r.get("form")), {})
    POLL.id = int(POLL.form.get("id", "ballot:0").split(":")[1]) if POLL.form else 0
    return text


async def _w_poll_list(lab: Lab) -> str:
    return await lab.say(WEB_ORGANISER, "poll list")


async def _w_ballot(lab: Lab) -> str:
    _, answer = await lab.chat(VOTER, action={"id": f"ballot:{POLL.id}",
                                              "values": POLL.values(VOTER_PCN)})
    if "is saved" not in json.dumps(answer):
        raise AssertionError(f"the ballot was not saved: {_first_text(answer)[:80]}")
    return "\n".join(r.get("text") or "" for r in answer.get("replies", []))


async def _w_my_ballot(lab: Lab) -> str:
    return await lab.say(VOTER, "my ballot")


async def _w_results(lab: Lab) -> str:
    return await lab.say(WEB_ORGANISER, "poll results")


async def _w_status(lab: Lab) -> str:
    return await lab.say(WEB_ORGANISER, "poll status")


async def _w_meeting_add(lab: Lab) -> str:
    return await lab.say(VOTER, f'meeting add {MEETING_DAY} 14:00 "{EVIL}" "{EVIL}"')


async def _w_meetings(lab: Lab) -> str:
    return await lab.say(VIEWER, "meetings")


async def _w_agenda(lab: Lab) -> str:
    await lab.say(VOTER, f"agenda add {MEETING_DAY}: {EVIL}")
    return await lab.say(VIEWER, f"agenda {MEETING_DAY}")


async def _w_rsvps(lab: Lab) -> str:
    await lab.say(VOTER, f"rsvp yes {MEETING_DAY}")
    return await lab.say(WEB_ORGANISER, f"rsvps {MEETING_DAY}")


async def _w_peers(lab: Lab) -> str:
    await lab.say(VOTER, "peers on confirm")
    return await lab.say(VIEWER, f"peers {POLL.first_title()}")


async def _w_audit(lab: Lab) -> str:
    return await lab.say(WEB_ORGANISER, "audit")


async def _w_taught(lab: Lab) -> str:
    number = _item_number(await lab.say(WEB_ORGANISER, "unanswered"), "zqxj")
    if number is None:
        return ""
    await lab.say(WEB_ORGANISER, f"answer {number}: Sign in again: {EVIL}")
    return await lab.say(VIEWER, QUESTION)


for _label, _steps in [
    ("web chat: the asker's own question echoed", _w_question),
    ("web chat: organiser's `unanswered`", _w_unanswered),
    ("web chat: poll title in the announcement", _w_poll_start),
    ("web chat: poll title in `poll list`", _w_poll_list),
    ("web chat: PCN in the ballot confirmation", _w_ballot),
    ("web chat: PCN in `my ballot`", _w_my_ballot),
    ("web chat: poll title in `poll results`", _w_results),
    ("web chat: names in `poll status`", _w_status),
    ("web chat: meeting title and place on adding", _w_meeting_add),
    ("web chat: meeting title in `meetings`", _w_meetings),
    ("web chat: agenda topic in `agenda`", _w_agenda),
    ("web chat: names in `rsvps`", _w_rsvps),
    ("web chat: names and PCNs in `peers`", _w_peers),
    ("web chat: organiser names in `audit`", _w_audit),
]:
    view("injection", _label, "webchat", _steps)


def _slack_dm(user: str, text: str) -> Callable[[Lab], Awaitable[str]]:
    async def steps(lab: Lab) -> str:
        return await lab.slack_say(user, text)
    return steps


def _slack_channel(user: str, text: str) -> Callable[[Lab], Awaitable[str]]:
    async def steps(lab: Lab) -> str:
        return await lab.slack_say(user, text, channel="C0FORUM")
    return steps


async def _s_audit(lab: Lab) -> str:
    await lab.slack_say(SLACK_ORGANISER, "reminders here on", channel="C0FORUM")
    return await lab.slack_say(SLACK_ORGANISER, "audit")


for _label, _steps in [
    ("slack: the asker's own question echoed", _slack_dm(SLACK_DTL, f"why {EVIL} qqzz")),
    ("slack: organiser's `unanswered`", _slack_dm(SLACK_ORGANISER, "unanswered")),
    ("slack: poll title in `poll list`", _slack_dm(SLACK_ORGANISER, "poll list")),
    ("slack: poll title in channel `poll results`",
     _slack_channel(SLACK_ORGANISER, "poll results")),
    ("slack: meeting title in channel `meetings`", _slack_channel(SLACK_DTL, "meetings")),
    ("slack: agenda topic in channel `agenda`",
     _slack_channel(SLACK_DTL, f"agenda {MEETING_DAY}")),
    ("slack: names in `rsvps`", _slack_dm(SLACK_ORGANISER, f"rsvps {MEETING_DAY}")),
    ("slack: organiser display names in `audit`", _s_audit),
    ("slack: names and PCNs in `peers`",
     lambda lab: lab.slack_say(SLACK_DTL, f"peers {POLL.first_title()}")),
]:
    view("injection", _label, "slack", _steps)


def _teams(text: str, who: str = TEAMS_OLU, channel: bool = False
           ) -> Callable[[Lab], Awaitable[str]]:
    async def steps(lab: Lab) -> str:
        return await lab.teams_say(text, who=who, channel=channel)
    return steps


for _label, _steps in [
    ("teams: the asker's own question echoed", _teams(f"why {EVIL} qqzy", who=TEAMS_DANA)),
    ("teams: organiser's `unanswered`", _teams("unanswered")),
    ("teams: poll title in `poll list`", _teams("poll list")),
    ("teams: meeting title in channel `meetings`", _teams("meetings", channel=True)),
    ("teams: agenda topic in `agenda`", _teams(f"agenda {MEETING_DAY}")),
    ("teams: organiser names in `audit`", _teams("audit")),
    ("teams: names and PCNs in `peers`",
     lambda lab: lab.teams_say(f"peers {POLL.first_title()}", who=TEAMS_DANA)),
]:
    view("injection", _label, "teams", _steps)

# An organiser's answer is content (its links are meant: see docs/teaching.md), but it
# never broadcasts or mentions; the question it answers is its title, as literal text.
view("injection", "web chat: a taught answer", "webchat", _w_taught)
view("injection", "slack: a taught answer", "slack", _slack_dm(SLACK_DTL, QUESTION))
view("injection", "teams: a taught answer", "teams", _teams(QUESTION, who=TEAMS_DANA))


@attack("injection", "a taught answer with a javascript: link is refused")
async def _taught_javascript(lab: Lab) -> Outcome:
    await lab.say(VIEWER, "what is the jsq marker about wombats")
    number = _item_number(await lab.say(WEB_ORGANISER, "unanswered"), "jsq")
    if number is None:
        return failed("the question is not in `unanswered`")
    said = await lab.say(WEB_ORGANISER, f"answer {number}: [click](javascript:alert(1))")
    again = await lab.say("Una Other", "what is the jsq marker about wombats")
    return check("javascript:" not in again, f"published: {again[:80]!r}",
                 f"refused: {said.splitlines()[0][:70]}")


# 7. CSV injection in poll exports


FORMULAS = ("=HYPERLINK(\"https://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1")
CSV_ROWS: list[list[str]] = []


async def _export_rows(lab: Lab) -> list[list[str]]:
    if CSV_ROWS:
        return CSV_ROWS
    await ensure_poll(lab)
    import csv
    import io
    for n, pcn in enumerate(FORMULAS):
        voter = f"Csv Voter {n}"
        await lab.chat(voter, action={"id": f"ballot:{POLL.id}", "values": POLL.values(pcn)})
    _, answer = await lab.chat(WEB_ORGANISER, "poll export")
    files = [r["file"] for r in answer.get("replies", []) if r.get("file")]
    if not files:
        raise AssertionError(f"no CSV file in the export: {str(answer)[:200]}")
    text = base64.b64decode(files[0]["data"]).decode("utf-8-sig")
    CSV_ROWS.extend(csv.reader(io.StringIO(text)))
    return CSV_ROWS


def csv_formula(label: str, payload: str) -> None:
    async def run(lab: Lab) -> Outcome:
        rows = await _export_rows(lab)
        core = payload.lstrip("\t\r")
        cells = [c for row in rows for c in row if core in c]
        if not cells:
            return failed(f"the PCN {payload!r} is not in the export")
        live = [c for c in cells if c[:1] in "=+-@\t\r"]
        return check(not live, f"cell {live[0]!r} would run as a formula" if live else "",
                     f"exported as {cells[0]!r}")
    attack("csv injection", label)(run)


for _payload in FORMULAS:
    csv_formula(f"PCN {_payload[:14]!r}", _payload)


@attack("csv injection", "no control characters in the export")
async def _csv_controls(lab: Lab) -> Outcome:
    await lab.chat("Csv Ctrl", action={"id": f"ballot:{POLL.id}",
                                      "values": POLL.values("Ctrl\x00\x1b[31m\x08PCN")})
    CSV_ROWS.clear()
    rows = await _export_rows(lab)
    bad = [c for row in rows for c in row if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", c)]
    return check(not bad, f"cell {bad[:1]!r} carries control characters", "stripped")


# 8. The calendar feed


CONTROL_TITLE = "Evil\x00 NUL\x1b[2J ESC\x08 BS\x07 BEL"
INJECTED_TITLE = "Forum\r\nATTENDEE:mailto:victim@example.org\r\nEND:VEVENT"


async def _calendar(lab: Lab, path: str) -> str:
    status, body, _ = await lab.request("GET", path)
    if status != 200:
        raise AssertionError(f"{path} answered {status}")
    return body.decode("utf-8")


@attack("calendar", "meeting titles with NUL/ESC/BS/BEL accepted or refused cleanly")
async def _calendar_add(lab: Lab) -> Outcome:
    first = await lab.say(VOTER, f'meeting add 2027-02-18 10:00 "{CONTROL_TITLE}" "Leeds"')
    second = await lab.say(VOTER, f'meeting add 2027-02-25 10:00 "{INJECTED_TITLE}" "York"')
    return check(bool(first and second), "no answer", "answered")


def calendar_clean(label: str, path: str) -> None:
    async def run(lab: Lab) -> Outcome:
        text = await _calendar(lab, path)
        controls = re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
        if controls:
            return failed(f"{len(controls)} control characters, e.g. {controls[0]!r}")
        injected = [line for line in text.split("\r\n") if line.startswith("ATTENDEE")]
        if injected:
            return failed(f"a typed line became a property: {injected[0]!r}")
        bare = [line for line in text.split("\r\n") if "\n" in line or "\r" in line]
        if bare:
            return failed("a bare line break inside a line")
        long = [line for line in text.split("\r\n") if len(line.encode()) > 75]
        return check(not long, f"a line of {len(long[0].encode()) if long else 0} octets",
                     f"{text.count('BEGIN:VEVENT')} events, clean")
    attack("calendar", label)(run)


calendar_clean("/forum.ics has no control characters or injected lines", "/forum.ics")
calendar_clean("/forum/2027-02-18.ics is clean", "/forum/2027-02-18.ics")
calendar_clean("/forum/2027-02-25.ics keeps the typed line break inside the title",
               "/forum/2027-02-25.ics")
calendar_clean(f"/forum/{MEETING_DAY}.ics with link and mention markup",
               f"/forum/{MEETING_DAY}.ics")


@attack("calendar", "a date that is not a date")
async def _calendar_bad_date(lab: Lab) -> Outcome:
    statuses = [(await lab.request("GET", f"/forum/{d}.ics"))[0]
                for d in ("2026-13-45", "99999-01-01", "..%2F..%2Fetc%2Fpasswd", "2026-02-30")]
    return check(all(s in (400, 404) for s in statuses), f"statuses {statuses}",
                 f"statuses {statuses}")


# 9. Ballots are the presser's own and never shown in channels


@attack("ballot privacy", "web chat: another person's ballot form is empty of the voter's PCN")
async def _web_other_ballot(lab: Lab) -> Outcome:
    _, answer = await lab.chat(VIEWER, "ballot")
    return check("pcn-marker-71" not in json.dumps(answer), "the form carries the voter's PCN",
                 "not pre-filled")


@attack("ballot privacy", "slack: 'Open' in a channel, pressed by another, shows their own")
async def _slack_open(lab: Lab) -> Outcome:
    values = POLL.values("Alpha PCN private")
    state = {k: {"value": {"type": "plain_text_input", "value": v} if k == "pcn" else
                 {"type": "static_select", "selected_option": {"value": v}}}
             for k, v in values.items()}
    submission = {"type": "view_submission", "user": {"id": SLACK_DTL}, "team": {"id": "T0001"},
                  "view": {"id": "V1", "type": "modal", "callback_id": f"ballot:{POLL.id}",
                           "private_metadata": "{}", "state": {"values": state}}}
    body = aiohttp.helpers.quote(json.dumps(submission), safe="")
    status = await lab.slack_post(f"payload={body}".encode(),
                                  content_type="application/x-www-form-urlencoded")
    if status != 200:
        return failed(f"the Slack ballot submission answered {status}")
    before = len(lab.slack.calls)
    await lab.slack_say(SLACK_DTL, "ballot", channel="C0FORUM")
    posts = [c.args for c in lab.slack.calls[before:] if c.method == "chat.postMessage"]
    if any("Alpha PCN" in json.dumps(p) for p in posts):
        return failed("the channel post carries the voter's PCN")
    buttons = [e for p in posts for e in _strings_with(p, "action_id")
               if str(e.get("action_id", "")).startswith("slack-open-form")]
    if not buttons:
        return held("no Open button in the channel (a DM instead)")
    button = buttons[0]
    press = {"type": "block_actions", "user": {"id": SLACK_OTHER}, "trigger_id": "trig-rt",
             "team": {"id": "T0001"}, "channel": {"id": "C0FORUM"},
             "container": {"type": "message", "channel_id": "C0FORUM"},
             "message": {"ts": "1.1"},
             "actions": [{"type": "button", "action_id": button["action_id"],
                          "value": button.get("value", ""), "block_id": "b"}]}
    before = len(lab.slack.calls)
    body = aiohttp.helpers.quote(json.dumps(press), safe="")
    await lab.slack_post(f"payload={body}".encode(),
                         content_type="application/x-www-form-urlencoded")
    await lab.slack_posts_since(before)
    opened = [c.args for c in lab.slack.calls[before:] if c.method == "views.open"]
    if not opened:
        return failed("pressing Open opened no modal")
    return check("Alpha PCN" not in json.dumps(opened), "the modal shows the first voter's PCN",
                 "the presser's own (empty) ballot")


def _strings_with(value: Any, key: str) -> list[dict]:
    if isinstance(value, str) and value.startswith(("[", "{")):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        found = [value] if key in value else []
        return found + [d for item in value.values() for d in _strings_with(item, key)]
    if isinstance(value, list):
        return [d for item in value for d in _strings_with(item, key)]
    return []


@attack("ballot privacy", "slack: `my ballot` typed in a channel does not post choices there")
async def _slack_my_ballot_channel(lab: Lab) -> Outcome:
    before = len(lab.slack.calls)
    await lab.slack_say(SLACK_DTL, "my ballot", channel="C0FORUM")
    public = [c.args for c in lab.slack.calls[before:] if c.method == "chat.postMessage"
              and c.args.get("channel") == "C0FORUM"]
    leaked = [p for p in public if "Alpha PCN" in json.dumps(p)]
    return check(not leaked, "the channel was shown the voter's PCN", "not in the channel")


@attack("ballot privacy", "teams: the ballot card in a channel carries nobody's values")
async def _teams_channel_card(lab: Lab) -> Outcome:
    data = {"dtlbot_action": f"ballot:{POLL.id}"}
    await lab.teams_say("ballot", who=TEAMS_DANA)
    cards = [a.get("content") or {} for a in lab.connector.posted[-1].activity.get(
        "attachments") or []]
    submits = [a.get("data") for c in cards for a in c.get("actions", [])
               if a.get("type") == "Action.Submit"]
    data = dict(submits[0]) if submits else data
    data |= {f"field:{k}": v for k, v in POLL.values("Alpha Teams PCN").items()}
    await lab.teams_post(lab.teams_activity("", who=TEAMS_DANA, value=data))
    before = len(lab.connector.posted)
    await lab.teams_say("ballot", who=TEAMS_DANA, channel=True)
    cards = [a.get("content") or {} for p in lab.connector.posted[before:]
             for a in p.activity.get("attachments") or []]
    values = [e.get("value") for c in cards for e in c.get("body", [])
              if str(e.get("type", "")).startswith("Input.") and e.get("value")]
    return check(not values, f"card inputs carry {values[:3]}", "no values in the card")


@attack("ballot privacy", "teams: `my ballot` typed in a channel does not post choices there")
async def _teams_my_ballot_channel(lab: Lab) -> Outcome:
    before = len(lab.connector.posted)
    await lab.teams_say("my ballot", who=TEAMS_DANA, channel=True)
    public = [p for p in lab.connector.posted[before:] if TEAMS_CHANNEL in p.conversation_id]
    shown = "\n".join(teams_texts(p.activity) for p in public)
    return check("Alpha Teams PCN" not in shown and "1." not in shown,
                 f"the channel was shown: {shown[:90]!r}", "not in the channel")


@attack("ballot privacy", "web chat: `my ballot` shows only the asker's own")
async def _web_my_ballot_other(lab: Lab) -> Outcome:
    text = await lab.say(VIEWER, "my ballot")
    return check("pcn-marker-71" not in text, "shows the voter's PCN", "only their own")


# 9b. Organiser rights and paths nobody should reach


def dtl_presses(label: str, action: dict) -> None:
    async def run(lab: Lab) -> Outcome:
        status, answer = await lab.chat("Dee Tee Ell", action=action)
        said = json.dumps(answer, ensure_ascii=False)
        done = [w for w in ("Published", "Dismissed", "Approved", "is now", "Saved", "changed")
                if w in said]
        return check(status in (200, 400) and not done and "went wrong" not in said,
                     f"{status}: {_first_text(answer)[:90]}",
                     f"{status}: {_first_text(answer)[:60]}")
    attack("organiser rights", label)(run)


for _label, _action in [
    ("a DTL presses 'answer item 1'", {"id": "teach.answer-item", "value": "1"}),
    ("a DTL presses 'dismiss item 1'", {"id": "teach.dismiss-item", "value": "1"}),
    ("a DTL submits the answer form for item 1",
     {"id": "teach.answer:1", "values": {"title": "Pwned", "text": "pwned", "source": "me"}}),
    ("a DTL submits an entry edit", {"id": "teach.edit:forum-join",
                                     "values": {"text": "pwned", "source": "me"}}),
    ("a DTL submits new priorities", {"id": "teach.priorities",
                                      "values": {"title:1": "Pwned", "description:1": "x"}}),
    ("a DTL approves a peer answer", {"id": "teach.review", "value": "approve:1"}),
    ("a DTL submits a review edit", {"id": "teach.review-edit:1",
                                     "values": {"text": "pwned", "source": "me"}}),
]:
    dtl_presses(_label, _action)


@attack("organiser rights", "user.name of an organiser with another user.id is no organiser")
async def _organiser_by_name(lab: Lab) -> Outcome:
    status, raw, _ = await lab.request("POST", "/chat/api/messages", json={
        "user": {"id": "eve spoofer", "name": WEB_ORGANISER}, "text": "unanswered"})
    answer = _json(raw)
    text = _first_text(answer)
    return check(status in (403, 200) and "Questions I could not answer" not in text
                 and "No unanswered" not in text, f"{status}: {text[:90]}",
                 f"{status}: {text[:60]}")


@attack("organiser rights", "a Slack user not in [slack] organisers cannot close a poll")
async def _slack_not_organiser(lab: Lab) -> Outcome:
    text = await lab.slack_say(SLACK_OTHER, "poll close")
    return check("Only forum organisers" in text, f"says {text[:90]!r}", "refused")


@attack("organiser rights", "a Teams user not in [teams] organisers cannot read `audit`")
async def _teams_not_organiser(lab: Lab) -> Outcome:
    text = await lab.teams_say("audit", who=TEAMS_DANA)
    return check("Only forum organisers" in text, f"says {text[:90]!r}", "refused")


def path_refused(label: str, path: str) -> None:
    async def run(lab: Lab) -> Outcome:
        status, body, _ = await lab.request("GET", path)
        leaked = [m for m in (b"[storage]", b"signing", b"SQLite format", b"root:")
                  if m in body]
        return check(status in (400, 403, 404) and not leaked,
                     f"{status}, body has {leaked}", f"{status}")
    attack("organiser rights", label)(run)


path_refused("static files: ../ to the config", "/chat/static/..%2f..%2f..%2fconfig.toml")
path_refused("static files: encoded ../ to /etc/passwd",
             "/chat/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd")
path_refused("a guessed Teams media token", "/teams/media/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
path_refused("/metrics is off by default", "/metrics")


@attack("ballot privacy", "slack: `my data` typed in a channel does not post it there")
async def _slack_my_data_channel(lab: Lab) -> Outcome:
    before = len(lab.slack.calls)
    await lab.slack_say(SLACK_DTL, "my data", channel="C0FORUM")
    public = [c.args for c in lab.slack.calls[before:] if c.method == "chat.postMessage"
              and c.args.get("channel") == "C0FORUM"]
    leaked = [p for p in public if "Alpha PCN" in json.dumps(p) or "pseudonym" in json.dumps(p)]
    return check(not leaked, f"the channel was shown: {slack_text(leaked[0])[:90]!r}"
                 if leaked else "", "not in the channel")


@attack("ballot privacy", "slack: an organiser's `poll export` in a channel is not posted there")
async def _slack_export_channel(lab: Lab) -> Outcome:
    before = len(lab.slack.calls)
    await lab.slack_say(SLACK_ORGANISER, "poll export", channel="C0FORUM")
    shared = [c.args for c in lab.slack.calls[before:]
              if c.method == "files.completeUploadExternal"
              and c.args.get("channel_id") == "C0FORUM"]
    return check(not shared, "every ballot (with PCNs) was shared in the channel",
                 "not shared in the channel")


# 10. Invalid ballots


def bad_ballot(label: str, text: str | None = None, values: Callable[[], dict] | None = None,
               action: str | None = None) -> None:
    async def run(lab: Lab) -> Outcome:
        before = (await lab.say("Ivy Ballot", "my ballot"))
        if text is not None:
            status, answer = await lab.chat("Ivy Ballot", text)
        else:
            status, answer = await lab.chat("Ivy Ballot", action={
                "id": action or f"ballot:{POLL.id}", "values": values() if values else {}})
        shown = json.dumps(answer, ensure_ascii=False)
        if status != 200:
            return check(status == 400, f"answered {status}", f"{status}")
        if "Sorry, something went wrong" in shown:
            return failed("the generic apology (an internal error)")
        after = await lab.say("Ivy Ballot", "my ballot")
        return check(after == before, "a ballot was saved from invalid input",
                     "refused with a message: " + _first_text(answer)[:60])
    attack("invalid ballots", label)(run)


def _first_text(answer: dict) -> str:
    for reply in answer.get("replies", []):
        if reply.get("form") and reply["form"].get("error"):
            return reply["form"]["error"]
        if reply.get("text"):
            return reply["text"].splitlines()[0]
    return ""


def _with_rank(value: str, second: str | None = None) -> Callable[[], dict]:
    def make() -> dict:
        values = POLL.values("Ivy PCN")
        ranks = [k for k in values if k.startswith("rank:")]
        values[ranks[0]] = value
        if second is not None:
            values[ranks[1]] = second
        return values
    return make


bad_ballot("text: a 20-digit rank", "rank 99999999999999999999 2 3 4 5 6 7 8")
bad_ballot("text: superscript one", "rank ¹ 2 3 4 5 6 7 8")
bad_ballot("text: the same priority twice", "rank 1 1 2 3 4 5 6 7")
bad_ballot("text: too few", "rank 1 2")
bad_ballot("text: negative and zero", "rank -1 0 2 3 4 5 6 7")
bad_ballot("form: rank ¹", values=_with_rank("¹"))
bad_ballot("form: rank 1e309", values=_with_rank("1e309"))
bad_ballot("form: two priorities ranked first", values=_with_rank("1", "1"))
bad_ballot("form: a 20-digit rank", values=_with_rank("99999999999999999999"))
bad_ballot("form: ballot for poll 99999999999999999999", values=lambda: POLL.values("x"),
           action="ballot:99999999999999999999")
bad_ballot("form: ballot for poll -1", values=lambda: POLL.values("x"), action="ballot:-1")
bad_ballot("form: a 5,000-character PCN", values=lambda: POLL.values("P" * 5000))
bad_ballot("text: status for priority 99999999999999999999",
           "status 99999999999999999999 icb in-progress")


# 11-14. Bodies: deeply nested, oversize, malformed, lone surrogates


async def _post_raw(lab: Lab, surface: str, body: bytes, content_type: str = "application/json"
                    ) -> int:
    if surface == "slack":
        return await lab.slack_post(body, content_type=content_type)  # signs the raw bytes
    headers = {"Content-Type": content_type}
    if surface == "teams":
        headers["Authorization"] = f"Bearer {lab.login.token(lab.connector.url)}"
    path = {"webchat": "/chat/api/messages", "teams": "/api/messages"}[surface]
    status, _, _ = await lab.request("POST", path, data=body, headers=headers)
    return status


def body_status(area: str, label: str, surface: str, body: Callable[[], bytes], wanted: set,
                content_type: str = "application/json") -> None:
    async def run(lab: Lab) -> Outcome:
        status = await _post_raw(lab, surface, body(), content_type)
        return check(status in wanted, f"answered {status}", f"{status}")
    attack(area, label)(run)


def _slack_deep_form() -> bytes:
    return b"payload=" + aiohttp.helpers.quote(DEEP.decode(), safe="").encode()


for _surface in ("webchat", "teams", "slack"):
    body_status("deep json", f"{_surface}: arrays 5,000 deep", _surface, lambda: DEEP, {400})
    # 25 KB: over the web chat's 16 KiB limit, so 413 there is as good as 400.
    body_status("deep json", f"{_surface}: objects 5,000 deep", _surface, lambda: DEEP_OBJECT,
                {400, 413} if _surface == "webchat" else {400})
body_status("deep json", "slack: interactive payload 5,000 deep", "slack", _slack_deep_form,
            {400}, "application/x-www-form-urlencoded")
body_status("deep json", "webchat: deep values inside a valid message", "webchat",
            lambda: b'{"user": {"id": "Deep One"}, "action": {"id": "x", "values": '
                    + DEEP + b"}}", {400})

body_status("oversize", "webchat: 17 KiB message", "webchat",
            lambda: json.dumps({"user": {"id": "Big One"}, "text": "x" * 17_000}).encode(),
            {413})
body_status("oversize", "teams: 2 MiB activity", "teams", lambda: b'{"a": "' + b"x" * 2_100_000
            + b'"}', {413})
body_status("oversize", "slack: 2 MiB signed event", "slack", lambda: b'{"a": "' + b"x" * 2_100_000
            + b'"}', {413})


@attack("oversize", "webchat: 17 KiB sent chunked (no Content-Length)")
async def _chunked(lab: Lab) -> Outcome:
    async def chunks():
        yield b'{"user": {"id": "Chunky"}, "text": "'
        for _ in range(20):
            yield b"y" * 1000
        yield b'"}'
    status, _, _ = await lab.request("POST", "/chat/api/messages", data=chunks(),
                                     headers={"Content-Type": "application/json"})
    return check(status == 413, f"answered {status}", "413")


@attack("oversize", "webchat: a 2,001-character message")
async def _too_long_text(lab: Lab) -> Outcome:
    status, answer = await lab.chat("Long One", "z" * 2001)
    return check(status in (400, 200) and "went wrong" not in json.dumps(answer),
                 f"answered {status} {str(answer)[:80]}", f"{status}: {str(answer)[:60]}")


@attack("oversize", "webchat: a 500-character name")
async def _too_long_name(lab: Lab) -> Outcome:
    status, answer = await lab.chat("N" * 500, "help")
    return check(status == 400, f"answered {status}", f"{status}")


for _surface in ("webchat", "teams", "slack"):
    body_status("malformed json", f"{_surface}: truncated JSON", _surface, lambda: b'{"type": ',
                {400})
    body_status("malformed json", f"{_surface}: invalid UTF-8", _surface, lambda: b'{"x": "\xff"}',
                {400})
body_status("malformed json", "webchat: a JSON array, not an object", "webchat", lambda: b"[]",
            {400})
body_status("malformed json", "webchat: text is a number", "webchat",
            lambda: b'{"user": {"id": "Num"}, "text": 5}', {400})
body_status("malformed json", "webchat: user is a string", "webchat",
            lambda: b'{"user": "dana", "text": "hi"}', {400})
body_status("malformed json", "webchat: form-encoded body", "webchat", lambda: b"text=hi",
            {400, 415}, "application/x-www-form-urlencoded")
body_status("malformed json", "teams: activity without serviceUrl", "teams",
            lambda: b'{"type": "message", "conversation": {"id": "x"}}', {400, 401})
body_status("malformed json", "teams: text/plain body", "teams", lambda: b"hello", {400},
            "text/plain")
body_status("malformed json", "slack: signed event that is not an event", "slack",
            lambda: b'{"type": "event_callback", "event": 7}', {200, 400})

body_status("lone surrogates", "webchat: lone surrogate in the text", "webchat",
            lambda: b'{"user": {"id": "Sur One"}, "text": "hello \\ud800"}', {200, 400})
body_status("lone surrogates", "webchat: lone surrogate in the name", "webchat",
            lambda: b'{"user": {"id": "Sur \\udc00 Two"}, "text": "help"}', {200, 400})


@attack("lone surrogates", "teams: lone surrogate in the text")
async def _teams_surrogate(lab: Lab) -> Outcome:
    body = json.dumps(lab.teams_activity("hi \udc80")).encode()
    status = await lab.teams_post(body)
    return check(status in (200, 400), f"answered {status}", f"{status}")


@attack("lone surrogates", "slack: lone surrogate in a DM")
async def _slack_surrogate(lab: Lab) -> Outcome:
    body = dm_event(lab, "hello").replace(b'"hello"', b'"hello \\ud800"')
    status = await lab.slack_post(body)
    await asyncio.sleep(0.5)
    return check(status in (200, 400), f"answered {status}", f"{status}")


# 15. Unknown commands and odd words


def odd_words(label: str, text: str, organiser: bool = False) -> None:
    async def run(lab: Lab) -> Outcome:
        status, answer = await lab.chat(WEB_ORGANISER if organiser else "Odd Words", text)
        shown = json.dumps(answer, ensure_ascii=False)
        return check(status in (200, 400) and "went wrong" not in shown,
                     f"{status} {shown[:80]}", f"{status}: {_first_text(answer)[:60]}")
    attack("unknown commands", label)(run)


odd_words("an unknown poll subcommand", "poll frobnicate", organiser=True)
odd_words("an unknown meeting subcommand", "meeting zap 2026-12-18", organiser=True)
odd_words("meeting add with an impossible date", "meeting add 2026-02-30 25:61 x", True)
odd_words("meeting add in the year 99999", "meeting add 99999-01-01 10:00 x", True)
odd_words("organiser command from a DTL", "poll close")
odd_words("answer 99999999999999999999", "answer 99999999999999999999: x", True)
odd_words("only control characters", "\x00\x01\x02\x1b")
odd_words("glossary with a 2,000-character term", "glossary " + "A" * 1990)
odd_words("rsvp for a date in 1900", "rsvp yes 1900-01-01")
odd_words("agenda vote 99999999999999999999", "agenda vote 99999999999999999999")


# 16. Broken config and content, named by key or file:line


def broken_config(label: str, extra: str, *names: str, command: tuple[str, ...] = ("meetings",)
                  ) -> None:
    async def run(lab: Lab) -> Outcome:
        folder = lab.tmp / "broken-config"
        folder.mkdir(exist_ok=True)
        config = folder / f"c{len(list(folder.iterdir()))}.toml"
        config.write_text(extra, encoding="utf-8")
        return one_line_named(lab.cli(*command, config=config, timeout=40), *names)
    attack("bad config and content", label)(run)


def _db_line(path: Path | str) -> str:
    return f'[storage]\npath = "{path}"\n'


broken_config("reminder offset 999999999999w", '[reminders]\noffsets = ["999999999999w"]\n',
              "reminders.offsets")
broken_config("storage.path naming a folder", '[storage]\npath = "/tmp"\n', "storage.path")
broken_config("duration_minutes = 99999999999", "[forum]\nduration_minutes = 99999999999\n",
              "forum.duration_minutes")
broken_config("rrule FREQ=SECONDLY", '[forum]\nrrule = "FREQ=SECONDLY"\n'
              "start = 2026-01-08T13:00:00\n", "forum.rrule")
broken_config("poll nudge 999999999999w", '[polls]\nnudges = ["999999999999w"]\n',
              "polls.nudges")
broken_config("a TOML syntax error", "[forum\ntitle = 1\n", "line")
broken_config("an unknown time zone", '[forum]\ntimezone = "Mars/Olympus"\n', "forum.timezone")
broken_config("a port out of range", "[server]\nport = 99999\n", "server.port",
              command=("serve",))
broken_config("a negative rate limit", "[webchat]\nrate_per_minute = -1\n",
              "webchat.rate_per_minute")


def broken_content(label: str, name: str, change: Callable[[bytes], bytes], *expected: str
                   ) -> None:
    async def run(lab: Lab) -> Outcome:
        folder = lab.tmp / "broken-content" / label.replace(" ", "-")
        shutil.copytree(REPO / "content", folder)
        entries = sorted((folder / "entries").glob("*.md"))
        target = entries[0] if name == "entry" else folder / name
        target.write_bytes(change(target.read_bytes()))
        config = folder.parent / f"{folder.name}.toml"
        config.write_text(_db_line(folder.parent / "c.db") + f'[content]\npath = "{folder}"\n',
                          encoding="utf-8")
        result = lab.cli("content", "check", config=config)
        output = result.stdout + result.stderr
        if result.returncode == 0 or "Traceback" in output:
            return failed(f"exit {result.returncode}: {output.strip()[-120:]!r}")
        missing = [e for e in (target.name, *expected) if e not in output]
        return check(not missing, f"does not name {missing[:1]}: {output.strip()[:120]!r}",
                     output.strip().splitlines()[0][:110])
    attack("bad config and content", label)(run)


broken_content("glossary term as a string", "glossary.toml", lambda _: b'term = "oops"\n',
               "term")
broken_content("priority as a number", "priorities.toml", lambda _: b"priority = 5\n",
               "priority")
broken_content("an entry that is not UTF-8", "entry", lambda old: old + b"\n\xff\xfe broken\n",
               "UTF-8")
broken_content("TOML that is not UTF-8", "glossary.toml", lambda old: old + b"\n# \xc3\x28\n",
               "UTF-8")
broken_content("front matter that is not YAML", "entry",
               lambda old: old.replace(b"\n", b"\n: : [\n", 2), ":")


@attack("bad config and content", "`content reload` in chat keeps the running content")
async def _reload_in_chat(lab: Lab) -> Outcome:
    text = await lab.say(WEB_ORGANISER, "content reload")
    return check("went wrong" not in text, text[:100], text.splitlines()[0][:90] if text else "")


# 17. Storage: read-only, full, locked


@attack("storage", "a read-only database file at start is a one-line error")
async def _read_only_start(lab: Lab) -> Outcome:
    folder = lab.tmp / "read-only"
    folder.mkdir(exist_ok=True)
    db = folder / "ro.db"
    sqlite3.connect(db).execute("create table t (x)").connection.close()
    db.chmod(0o444)
    config = folder / "c.toml"
    config.write_text(_db_line(db) + "[server]\nport = 9\n", encoding="utf-8")
    env = lab.env(MICROSOFT_APP_ID="", SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET="")
    try:
        result = subprocess.run([str(DTLBOT), "serve", "--config", str(config)],
                                capture_output=True, text=True, env=env, timeout=30,
                                preexec_fn=file_permissions_apply)
    except subprocess.TimeoutExpired:
        return failed("it started serving on a read-only database")
    return one_line_named(result, "storage.path")


@attack("storage", "a file that is not a database is a one-line error")
async def _not_a_db(lab: Lab) -> Outcome:
    folder = lab.tmp / "not-a-db"
    folder.mkdir(exist_ok=True)
    (folder / "x.db").write_bytes(b"this is not sqlite" * 100)
    config = folder / "c.toml"
    config.write_text(_db_line(folder / "x.db"), encoding="utf-8")
    return one_line_named(lab.cli("meetings", config=config), "storage.path")


@attack("storage", "disk full (file size limit): 'could not save' and /healthz 503")
async def _disk_full(lab: Lab) -> Outcome:
    import resource
    first = await lab.start("disk-full", webchat="rate_per_minute = 6000\nburst = 2000\n")
    await lab.chat("Full Disk", "help", server=first)
    first.stop()
    # Restarted with every file capped at the database's size: the next writes find the
    # disk full (Python ignores SIGXFSZ, so the write fails with EFBIG instead of a kill).
    size = max(p.stat().st_size for p in first.db.parent.glob("bot.db*"))

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    server = await lab.start("disk-full", config=first.config, db=first.db, port=first.port,
                             pipe=True, preexec=cap)
    try:
        said, health, raw = "", 200, b""
        for n in range(400):
            # Each saved change adds at least a page (4 KiB) to the write-ahead log.
            words = f"rsvp {'yes' if n % 2 else 'no'}"
            _, answer = await lab.chat("Full Disk", words, server=server)
            said = json.dumps(answer)
            if "could not save" in said:
                health, raw, _ = await lab.request("GET", "/healthz", server=server)
                break
        if server.process.poll() is not None:
            return failed("the server died")
        return check("could not save" in said and health == 503,
                     f"reply {said[:90]!r}, /healthz {health}",
                     f"could not save; /healthz 503 {_json(raw).get('reason', '')[:50]}")
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def _locked_server(lab: Lab, name: str, person: str) -> AsyncIterator[Server]:
    """A server whose database another process holds locked (once `person` has said hello)."""
    server = await lab.start(name)
    holder = sqlite3.connect(server.db, timeout=1, isolation_level=None)
    try:
        await lab.chat(person, "help", server=server)
        holder.execute("begin exclusive")
        yield server
    finally:
        if holder.in_transaction:
            holder.execute("rollback")
        holder.close()
        server.stop()


@attack("storage", "database locked by another process: 'could not save' and /healthz 503")
async def _locked(lab: Lab) -> Outcome:
    async with _locked_server(lab, "locked", "Locked Out") as server:
        status, answer = await lab.chat("Locked Out", "rsvp yes", server=server)
        health, raw, _ = await lab.request("GET", "/healthz", server=server)
        text = json.dumps(answer)
        return check("could not save" in text and health == 503,
                     f"reply {text[:90]!r}, /healthz {health}",
                     f"could not save; /healthz 503 {_json(raw).get('reason', '')[:40]}")


@attack("storage", "database locked by another process: /healthz answers in under 1 s")
async def _locked_not_stalled(lab: Lab) -> Outcome:
    async with _locked_server(lab, "locked-fast", "Waiting Person") as server:
        # A message that must wait for the lock, then the health check while it waits: the
        # issue measured 4.9 s here, the database blocking the event loop.
        waiting = asyncio.create_task(lab.chat("Waiting Person", "rsvp yes", server=server))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        health, _, _ = await lab.request("GET", "/healthz", server=server)
        took = time.monotonic() - started
        await waiting
        return check(health == 503 and took < 1.0, f"/healthz {health} after {took:.1f} s",
                     f"/healthz 503 after {took * 1000:.0f} ms")


@attack("storage", "`dtlbot db check` on a live database")
async def _db_check(lab: Lab) -> Outcome:
    assert lab.main is not None
    result = lab.cli("db", "check", config=lab.main.config)
    return check(result.returncode == 0 and "Traceback" not in result.stderr,
                 (result.stdout + result.stderr)[-100:], result.stdout.strip()[:80])


# 18. forget me


FORGET_NAME = "Zelda Forgetme"
FORGET_PCN = "Forgetme Valley PCN 4471"


def _db_rows(db: Path) -> list[tuple[str, dict]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        return [(t, dict(row)) for t in tables for row in conn.execute(f'select * from "{t}"')]
    finally:
        conn.close()


FORGOTTEN: dict[str, Any] = {}


async def _forget(lab: Lab) -> dict[str, Any]:
    if FORGOTTEN:
        return FORGOTTEN
    assert lab.main is not None
    await ensure_poll(lab)
    await lab.say(FORGET_NAME, "what is the forgetme marker question about xyzzy?")
    await lab.chat(FORGET_NAME, action={"id": f"ballot:{POLL.id}",
                                        "values": POLL.values(FORGET_PCN)})
    await lab.say(FORGET_NAME, f"rsvp yes {MEETING_DAY}")
    await lab.say(FORGET_NAME, "peers on confirm")
    rows = _db_rows(lab.main.db)
    marked = [(t, r) for t, r in rows if any(FORGET_PCN in str(v) for v in r.values())]
    ids = {str(v) for _, r in marked for k, v in r.items()
           if v and k in ("respondent", "person", "asker", "user", "pseudonym", "voter")}
    FORGOTTEN["token"] = lab.tokens.get(FORGET_NAME, "")
    FORGOTTEN["ids"] = ids
    FORGOTTEN["answer"] = (await lab.chat(FORGET_NAME, "forget me confirm"))[1]
    await asyncio.sleep(0.5)
    return FORGOTTEN


@attack("forget me", "the confirmation says organiser actions are kept")
async def _forget_wording(lab: Lab) -> Outcome:
    await lab.say(WEB_ORGANISER, "content reload")  # an organiser action, in the audit
    text = await lab.say(WEB_ORGANISER, "forget me")
    erases = text.split("Kept", 1)[0]
    kept = text.split("Kept", 1)[1] if "Kept" in text else ""
    return check("as a forum organiser" not in erases and "as a forum organiser" in kept,
                 f"says {text[:150]!r}", "listed under Kept, not under erases")


@attack("forget me", "nothing with the person's pseudonym is left in any table")
async def _forget_tables(lab: Lab) -> Outcome:
    gone = await _forget(lab)
    assert lab.main is not None
    if not gone["ids"]:
        return failed("could not find the person's rows before forgetting (no ballot saved?)")
    left = [(t, k) for t, r in _db_rows(lab.main.db) for k, v in r.items()
            if str(v) in gone["ids"]]
    return check(not left, f"still in {left[:3]}", f"{len(gone['ids'])} ids gone from every table")


@attack("forget me", "the name and PCN are in no table")
async def _forget_values(lab: Lab) -> Outcome:
    await _forget(lab)
    assert lab.main is not None
    left = [t for t, r in _db_rows(lab.main.db) for v in r.values()
            if FORGET_PCN in str(v) or FORGET_NAME.lower() in str(v).lower()]
    return check(not left, f"still in {sorted(set(left))}", "none left")


@attack("forget me", "nothing of the person in the database, WAL or shared-memory files")
async def _forget_files(lab: Lab) -> Outcome:
    gone = await _forget(lab)
    assert lab.main is not None
    needles = [FORGET_PCN.encode(), FORGET_NAME.encode(), FORGET_NAME.lower().encode(),
               *(i.encode() for i in gone["ids"])]
    if gone["token"]:
        needles.append(gone["token"].encode())
    found = [(p.name, n[:12]) for p in lab.main.db.parent.glob("bot.db*") for n in needles
             if n in p.read_bytes()]
    return check(not found, f"found {found[:3]}", "no bytes of it left")


@attack("forget me", "the web chat name is freed and the answer says so")
async def _forget_released(lab: Lab) -> Outcome:
    gone = await _forget(lab)
    status, _ = await lab.chat(FORGET_NAME, "help", token=None)
    return check(gone["answer"].get("released") is True and status == 200,
                 f"released={gone['answer'].get('released')}, new client {status}",
                 "released, name free")


@attack("forget me", "an organiser's chat is unlinked from the polls they started")
async def _forget_organiser(lab: Lab) -> Outcome:
    organiser = "Pat Organiser"
    folder_config = lab.main.config if lab.main else None
    assert folder_config is not None and lab.main is not None
    # Pat is not in [webchat] organisers: use the console, which names its user in polls.
    await lab.say(VOTER, "poll close")
    result = lab.cli("chat", "--as", organiser, "--organiser", config=folder_config,
                     stdin="poll start Forget Pat poll\npoll close\nforget me confirm\n")
    if result.returncode != 0:
        return failed(f"dtlbot chat exited {result.returncode}: {result.stderr[-100:]}")
    left = [r for t, r in _db_rows(lab.main.db) if t == "polls"
            and organiser.lower() in json.dumps(r).lower()]
    return check(not left, f"polls still name them: {left[:1]}", "unlinked")


# 19. Logs


@attack("logs", "no secret in any server log")
async def _logs_secrets(lab: Lab) -> Outcome:
    found = [(s.log.parent.name, secret[:6]) for s in lab.servers for secret in
             (*SECRETS, *lab.tokens.values()) if secret and secret in s.logs()]
    return check(not found, f"secret {found[0]} logged" if found else "", "none")


@attack("logs", "no person's name in any server log")
async def _logs_names(lab: Lab) -> Outcome:
    names = [n for n in lab.tokens if len(n) > 3] + [EVIL_NAME, FORGET_NAME, "Dana Lee"]
    found = [(s.log.parent.name, n) for s in lab.servers for n in names if n in s.logs()]
    return check(not found, f"{found[0]} logged" if found else "", f"{len(names)} names checked")


@attack("logs", "no raw Teams conversation or user id in the log")
async def _logs_teams_ids(lab: Lab) -> Outcome:
    assert lab.main is not None
    log = lab.main.logs()
    found = [i for i in (TEAMS_PERSONAL, f"29:{TEAMS_DANA}", TEAMS_DANA, TEAMS_OLU) if i in log]
    return check(not found, f"{found[0]!r} logged" if found else "", "only tags")


@attack("logs", "no raw Slack DM or user id in the log")
async def _logs_slack_ids(lab: Lab) -> Outcome:
    assert lab.main is not None
    log = lab.main.logs()
    found = [i for i in (SLACK_DTL, SLACK_ORGANISER, SLACK_OTHER, "D0DANA", "D0OLU") if
             re.search(rf"\b{i}\b", log)]
    return check(not found, f"{found[0]!r} logged" if found else "", "only tags")


@attack("logs", "no typed question text in the log")
async def _logs_questions(lab: Lab) -> Outcome:
    found = [s.log.parent.name for s in lab.servers if "zqxj" in s.logs()]
    return check(not found, f"a question is logged by {found}", "none")


# 20. Backups


def backup(label: str, make: Callable[[Lab, Path], tuple[list[str], Callable[[Any], Outcome]]]
           ) -> None:
    async def run(lab: Lab) -> Outcome:
        assert lab.main is not None
        folder = lab.tmp / "backups" / label.replace(" ", "-").replace("/", "")
        folder.mkdir(parents=True)
        args, judge = make(lab, folder)
        result = lab.cli("backup", *args, config=lab.main.config,
                         preexec=file_permissions_apply)
        if "Traceback" in result.stdout + result.stderr:
            return failed("traceback")
        partial = list(folder.rglob("*.partial"))
        if partial:
            return failed(f"left {partial[0].name}")
        return judge(result)
    attack("backups", label)(run)


def _missing_folder(lab: Lab, folder: Path):
    target = folder / "nightly"

    def judge(result) -> Outcome:
        time.sleep(1.1)  # the dated name has whole seconds: a second later, a second file
        again = lab.cli("backup", str(target) + "/", config=lab.main.config)  # type: ignore[union-attr]
        files = list(target.glob("*")) if target.is_dir() else []
        return check(result.returncode == 0 and target.is_dir() and again.returncode == 0
                     and len(files) >= 1, f"exit {result.returncode}/{again.returncode}, "
                     f"dir={target.is_dir()}", f"folder created; {len(files)} file(s)")
    return [str(target) + "/"], judge


def _missing_parent(lab: Lab, folder: Path):
    target = folder / "no" / "such" / "backup.db"

    def judge(result) -> Outcome:
        return one_line_named(result, str(folder / "no"))
    return [str(target)], judge


def _fifo(lab: Lab, folder: Path):
    target = folder / "pipe"
    os.mkfifo(target)

    def judge(result) -> Outcome:
        still = stat.S_ISFIFO(target.lstat().st_mode)
        return check(result.returncode != 0 and still, f"exit {result.returncode}, "
                     f"fifo kept={still}", (result.stdout + result.stderr).strip()[:90])
    return ["--force", str(target)], judge


def _symlink_to_fifo(lab: Lab, folder: Path):
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    link = folder / "link.db"
    link.symlink_to(fifo)

    def judge(result) -> Outcome:
        return check(result.returncode != 0 and stat.S_ISFIFO(fifo.lstat().st_mode),
                     f"exit {result.returncode}", (result.stdout + result.stderr).strip()[:90])
    return ["--force", str(link)], judge


def _unwritable(lab: Lab, folder: Path):
    target = folder / "locked"
    target.mkdir()
    target.chmod(0o555)

    def judge(result) -> Outcome:
        target.chmod(0o755)
        return one_line_named(result, str(target))
    return [str(target) + "/"], judge


def _exists(lab: Lab, folder: Path):
    target = folder / "kept.db"
    target.write_bytes(b"precious")

    def judge(result) -> Outcome:
        return check(result.returncode != 0 and target.read_bytes() == b"precious",
                     "an existing file was replaced without --force",
                     (result.stdout + result.stderr).strip()[:90])
    return [str(target)], judge


def _restorable(lab: Lab, folder: Path):
    target = folder / "copy.db"

    def judge(result) -> Outcome:
        if result.returncode != 0:
            return failed(result.stderr.strip()[:100])
        conn = sqlite3.connect(target)
        try:
            ok = conn.execute("pragma integrity_check").fetchone()[0]
        finally:
            conn.close()
        return check(ok == "ok", f"integrity {ok}", "a sound copy while serving")
    return [str(target)], judge


for _label, _make in [
    ("DIR/ for a missing folder creates it, twice", _missing_folder),
    ("a missing parent is refused, named", _missing_parent),
    ("--force never replaces a FIFO", _fifo),
    ("--force never follows a link onto a FIFO", _symlink_to_fifo),
    ("an unwritable folder is named", _unwritable),
    ("an existing file is kept without --force", _exists),
    ("a backup while serving is sound", _restorable),
]:
    backup(_label, _make)


# 21. Crash recovery


@attack("crash recovery", "SIGKILL after an answer: the redelivered Slack event is not answered")
async def _crash_redelivery(lab: Lab) -> Outcome:
    server = await lab.start("crash")
    body = dm_event(lab, "next meeting")
    before = len(lab.slack.called("chat.postMessage"))
    await lab.slack_post(body, server=server)
    deadline = time.monotonic() + 5
    while len(lab.slack.called("chat.postMessage")) == before and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    server.stop(signal.SIGKILL)
    if len(lab.slack.called("chat.postMessage")) == before:
        return failed("never answered before the kill")
    again = await lab.start("crash", config=server.config, db=server.db, port=server.port)
    try:
        status = await lab.slack_post(body, server=again, headers={"X-Slack-Retry-Num": "1",
                                                                   "X-Slack-Retry-Reason":
                                                                   "http_timeout"})
        await asyncio.sleep(2)
        posted = len(lab.slack.called("chat.postMessage")) - before
        return check(status == 200 and posted == 1, f"answered {posted} times ({status})",
                     "answered once across the crash")
    finally:
        again.stop()


@attack("crash recovery", "SIGKILL during 40 concurrent writes: the database stays sound")
async def _crash_writes(lab: Lab) -> Outcome:
    server = await lab.start("crash-writes")
    await lab.chat("Kim Crash", "help", server=server)
    token = lab.tokens["Kim Crash"]
    tasks = [asyncio.ensure_future(lab.chat(f"Crash Writer {n}", f"rsvp yes {MEETING_DAY}",
                                            server=server)) for n in range(40)]
    await asyncio.sleep(0.15)
    server.stop(signal.SIGKILL)
    await asyncio.gather(*tasks, return_exceptions=True)
    conn = sqlite3.connect(server.db)
    try:
        ok = conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()
    again = await lab.start("crash-writes", config=server.config, db=server.db,
                            port=server.port)
    try:
        status, _ = await lab.chat("Kim Crash", "help", server=again, token=None)
        status_holder, _ = await lab.chat("Kim Crash", "help", server=again, token=token)
        return check(ok == "ok" and status == 403 and status_holder == 200,
                     f"integrity {ok}, name claim kept: {status}/{status_holder}",
                     "sound, and what was saved before is kept")
    finally:
        again.stop()


# 22. Rate limits (a server with the default limits)


LIMITS: list[Server] = []


async def _limits(lab: Lab) -> Server:
    if not LIMITS:
        LIMITS.append(await lab.start("limits"))
    return LIMITS[0]


@attack("rate limits", "one name sending 40 at once is slowed with 429 and Retry-After")
async def _rate_name(lab: Lab) -> Outcome:
    server = await _limits(lab)
    await lab.chat("Rita Rate", "help", server=server)
    results = await asyncio.gather(*(lab.request(
        "POST", "/chat/api/messages", server=server,
        json={"user": {"id": "Rita Rate", "token": lab.tokens["Rita Rate"]}, "text": "help"})
        for _ in range(40)))
    limited = [h for s, _, h in results if s == 429]
    return check(bool(limited) and all("Retry-After" in h for h in limited),
                 f"{len(limited)} of 40 limited", f"{len(limited)} of 40 got 429 + Retry-After")


@attack("rate limits", "/chat/api/info probed 150 times is limited")
async def _rate_info(lab: Lab) -> Outcome:
    server = await _limits(lab)
    statuses = [(await lab.request("GET", "/chat/api/info", server=server,
                                   params={"user": f"probe {n}"}))[0] for n in range(150)]
    return check(429 in statuses, f"statuses {sorted(set(statuses))}",
                 f"{statuses.count(429)} of 150 got 429")


@attack("rate limits", "the limits of one name do not block another")
async def _rate_other(lab: Lab) -> Outcome:
    server = await _limits(lab)
    status, _ = await lab.chat("Sam Other", "help", server=server)
    return check(status == 200, f"answered {status}", "200")


@attack("rate limits", "a throttled Slack Web API (429) is retried, answered once")
async def _slack_429(lab: Lab) -> Outcome:
    lab.slack.throttle("chat.postMessage", times=1, retry_after=1)
    text = await lab.slack_post(dm_event(lab, "next meeting"))
    await asyncio.sleep(2.5)
    done = [c for c in lab.slack.calls[-10:] if c.method == "chat.postMessage"]
    return check(text == 200 and bool(done), "not answered after a 429", "retried")


@attack("rate limits", "a throttled Bot Connector (429) is retried, answered once")
async def _teams_429(lab: Lab) -> Outcome:
    lab.connector.failures = [429]
    before = len(lab.connector.posted)
    await lab.teams_post(lab.teams_activity("next meeting"))
    await asyncio.sleep(1)
    posted = len(lab.connector.posted) - before
    return check(posted == 1, f"posted {posted} times", "retried, posted once")


# 23. The server logs after the whole run


@attack("server logs", "the main server: no ERROR line, no traceback, after everything")
async def _main_log(lab: Lab) -> Outcome:
    assert lab.main is not None
    await lab.request("GET", "/healthz")
    bad = no_errors(lab.main.logs())
    return check(not bad, f"{len(bad)} lines, first: {bad[0][:120] if bad else ''}", "clean")


@attack("server logs", "every other server started: no ERROR line, no traceback")
async def _other_logs(lab: Lab) -> Outcome:
    bad = [(s.log.parent.name, line) for s in lab.servers if s is not lab.main
           for line in no_errors(s.logs())]
    return check(not bad, f"{len(bad)} lines, first: {bad[0] if bad else ''}",
                 f"{len({s.log for s in lab.servers}) - 1} servers clean")


@attack("server logs", "the main server is still healthy")
async def _still_healthy(lab: Lab) -> Outcome:
    status, raw, _ = await lab.request("GET", "/healthz")
    return check(status == 200, f"/healthz {status} {raw[:80]!r}", "200")


# Running


async def serve_fake(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/"


async def run_all(only: str | None) -> list[tuple[Attack, Outcome, float]]:
    slack, connector, login = FakeSlack(), FakeBotConnector(), FakeLogin()
    slack.names = {SLACK_ORGANISER: EVIL_NAME, SLACK_DTL: EVIL_NAME, SLACK_OTHER: "Ben Lee"}
    runners = []
    for fake, attr in ((slack, "base_url"), (connector, "url"), (login, "url")):
        runner, url = await serve_fake(fake.make_app() if fake is slack else fake.app())
        setattr(fake, attr, url)
        runners.append(runner)
    results = []
    with tempfile.TemporaryDirectory(prefix="dtlbot-redteam-") as tmp:
        root = Path(tmp)
        (root / "site").mkdir()
        (root / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            lab = Lab(root, session, slack, connector, login)
            # The main server: more generous limits (the rate-limit attacks use their own),
            # and an organiser whose name is link and mention markup.
            config, db, port = lab.write_config("main", webchat=(
                f"organisers = {json.dumps([WEB_ORGANISER, EVIL_NAME], ensure_ascii=False)}\n"
                "rate_per_minute = 6000\nburst = 2000\n"))
            config.write_text(config.read_text().replace(
                f'organisers = ["{WEB_ORGANISER}"]\n', "", 1), encoding="utf-8")
            lab.main = await lab.start("main", config=config, db=db, port=port)
            try:
                for item in ATTACKS:
                    if only and only not in item.area:
                        continue
                    started = time.monotonic()
                    try:
                        outcome = await asyncio.wait_for(item.run(lab), 90)
                    except Exception as exc:  # noqa: BLE001 - a harness failure is a result
                        where = traceback.extract_tb(exc.__traceback__)[-1]
                        outcome = failed(f"could not run: {type(exc).__name__}: "
                                         f"{str(exc)[:100]} (line {where.lineno})")
                    results.append((item, outcome, time.monotonic() - started))
            finally:
                for server in lab.servers:
                    server.stop()
                if os.environ.get("REDTEAM_KEEP"):
                    # For a post-mortem: the servers' folders (logs, databases, configs).
                    for server in lab.servers:
                        shutil.copytree(server.log.parent, Path(os.environ["REDTEAM_KEEP"])
                                        / server.log.parent.name, dirs_exist_ok=True)
    for runner in runners:
        await runner.cleanup()
    return results


def report(results: list[tuple[Attack, Outcome, float]], as_json: bool) -> int:
    failures = [(a, o) for a, o, _ in results if not o.held]
    if as_json:
        print(json.dumps({"tried": len(results), "held": len(results) - len(failures),
                          "failed": len(failures),
                          "attacks": [{"area": a.area, "attack": a.name, "held": o.held,
                                       "reason": o.reason, "seconds": round(s, 2)}
                                      for a, o, s in results]}, indent=1, ensure_ascii=False))
        return 1 if failures else 0
    areas: dict[str, list[Outcome]] = {}
    for item, outcome, _ in results:
        areas.setdefault(item.area, []).append(outcome)
    print(f"{'area':28} {'tried':>5} {'held':>5} {'failed':>6}")
    for area, outcomes in areas.items():
        bad = sum(not o.held for o in outcomes)
        print(f"{area:28} {len(outcomes):5} {len(outcomes) - bad:5} {bad:6}")
    print(f"{'all':28} {len(results):5} {len(results) - len(failures):5} {len(failures):6}")
    for item, outcome in failures:
        print(f"FAILED  {item.area}: {item.name}: {outcome.reason}")
    return 1 if failures else 0


def main() -> None:
    import warnings
    # One attack signs with the (short) app password on purpose.
    warnings.filterwarnings("ignore", message="The HMAC key is")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object with every result")
    parser.add_argument("--only", help="run only the areas whose name contains this")
    args = parser.parse_args()
    sys.exit(report(asyncio.run(run_all(args.only)), args.json))


if __name__ == "__main__":
    main()
