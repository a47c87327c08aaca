"""Operations: backups, database checks, content reloads and the organisers' audit command."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from bot.kernel import audit
from bot.kernel.content import Problem
from bot.kernel.markup import literal
from bot.kernel.model import Reply, User
from bot.kernel.registry import Registry, Turn
from bot.kernel.schema import migrations
from bot.kernel.storage import BUSY_TIMEOUT_MS, storage_failure
from bot.kernel.text import local_time, plural

if TYPE_CHECKING:
    from aiohttp import web

    from bot.kernel.context import Bot

log = logging.getLogger("dtlbot.ops")

MAX_PROBLEMS_SHOWN = 20
RELOAD_REQUEST = "content_reload_request"
RELOAD_RESULT = "content_reload_result"
# Who reloads content when the request comes from the command line or a signal.
OPERATOR = User("operator", "operator", name="operator (command line or SIGHUP)")


class OpsError(Exception):
    """An operation could not be done; the message says why, in plain words."""


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to an existing database (never creates one)."""
    if not path.is_file():
        raise OpsError(f"no database at {path}")
    if read_only:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(str(path))
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _remove_partial(partial: Path) -> None:
    for leftover in (partial, partial.with_name(partial.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def backup(source: str | Path, destination: str | Path, *, force: bool = False) -> Path:
    """A consistent copy of a live database (SQLite's online backup), checked, in one file."""
    source = Path(source)
    text = str(destination)
    dest = Path(destination)
    # "DIR/" is a folder even before it exists (a nightly job's first run creates it).
    if text.endswith(("/", os.sep)) and not dest.exists():
        try:
            dest.mkdir(parents=True)
        except OSError as exc:
            raise OpsError(f"cannot create the folder {dest}: {exc.strerror or exc}") from None
    if dest.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = dest / f"dtlbot-{stamp}.db"
    live = source.resolve()
    if dest.resolve() in (live, live.with_name(live.name + "-wal"),
                          live.with_name(live.name + "-shm")):
        raise OpsError(f"{dest} is the live database itself: choose another place")
    if dest.exists() and not dest.is_file():
        raise OpsError(f"{dest} is not a regular file (a device, pipe or socket): "
                       "choose a file or a folder")
    if dest.exists() and not force:
        raise OpsError(f"{dest} already exists (use --force to overwrite it)")
    if not dest.parent.is_dir():
        raise OpsError(f"folder {dest.parent} does not exist (end the path with / to "
                       "have it created)")
    if not os.access(dest.parent, os.W_OK | os.X_OK):
        raise OpsError(f"cannot write in the folder {dest.parent} (check its permissions)")
    partial = dest.with_name(dest.name + ".partial")
    src = _connect(source, read_only=True)
    try:
        partial.unlink(missing_ok=True)
        dst = sqlite3.connect(str(partial))
        try:
            # One step: a single read transaction, so the copy is one consistent snapshot
            # while the server keeps writing (WAL readers do not block writers).
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    except (sqlite3.Error, OSError) as exc:
        _remove_partial(partial)
        raise OpsError(f"cannot write the copy in the folder {dest.parent}: {exc}") from None
    except BaseException:
        _remove_partial(partial)
        raise
    finally:
        src.close()
    if result != "ok":
        _remove_partial(partial)
        raise OpsError(f"the copy failed its integrity check: {result}")
    # Only a complete, checked copy ever carries the final name.
    try:
        os.replace(partial, dest)
    except OSError as exc:
        _remove_partial(partial)
        raise OpsError(f"cannot put the copy at {dest}: {exc.strerror or exc}") from None
    return dest


@dataclass
class CheckReport:
    """What `dtlbot db check` found."""

    path: str
    size: int
    wal_size: int = 0
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys and not self.unknown

    def lines(self) -> list[str]:
        wal = f", plus {self.wal_size:,} in the write-ahead log" if self.wal_size else ""
        out = [f"database: {self.path} ({self.size:,} bytes{wal})"]
        out.append("integrity: " + ("ok" if self.integrity == ["ok"] else "PROBLEMS"))
        out += [f"  {line}" for line in self.integrity if line != "ok"]
        out.append("foreign keys: " + ("ok" if not self.foreign_keys else "PROBLEMS"))
        out += [f"  {line}" for line in self.foreign_keys]
        latest = f" (latest {self.applied[-1]})" if self.applied else ""
        pending = ", ".join(self.pending) if self.pending else "none"
        out.append(f"migrations: {len(self.applied)} applied{latest}; pending: {pending}")
        if self.pending:
            out.append("  pending migrations are applied when the bot next starts")
        if self.unknown:
            out.append("  applied but unknown to this version (was it downgraded?): "
                       + ", ".join(self.unknown))
        return out


def check_database(path: str | Path) -> CheckReport:
    """PRAGMA integrity_check, foreign_key_check and the migrations' status; writes nothing."""
    path = Path(path)
    conn = _connect(path, read_only=True)
    try:
        wal = path.with_name(path.name + "-wal")
        report = CheckReport(str(path), path.stat().st_size,
                             wal.stat().st_size if wal.is_file() else 0)
        report.integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        report.foreign_keys = [
            f"table {table} row {rowid} refers to a missing row in {parent}"
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
        ]
        db = sqlite_utils.Database(conn)
        report.applied = [m.name for m in migrations.applied(db)]
        report.pending = [m.name for m in migrations.pending(db)]
        # Every migration this version knows is "pending" for an empty database.
        known = {m.name for m in migrations.pending(sqlite_utils.Database(memory=True))}
        report.unknown = [name for name in report.applied if name not in known]
    finally:
        conn.close()
    return report


def _relative(problem: Problem, root: str) -> str:
    try:
        path = os.path.relpath(problem.path, root)
    except ValueError:
        path = problem.path
    if path.startswith(".."):
        path = problem.path
    return f"{path}:{problem.line}: {problem.message}"


def reload_content(bot: Bot, actor: User) -> tuple[bool, str]:
    """Reload content/ (keeping the old index if the new one is invalid), audit it, say how."""
    problems = bot.reload_content()
    if problems:
        shown = [_relative(p, bot.config.content.path) for p in problems[:MAX_PROBLEMS_SHOWN]]
        more = len(problems) - len(shown)
        text = (
            f"The new content has {plural(len(problems), 'problem')}, so I kept the current "
            "content:\n"
            + "\n".join(f"- {line}" for line in shown)
            + (f"\n- and {more} more (run `dtlbot content check`)" if more > 0 else "")
        )
        audit.record(bot, actor, "content reload", f"refused: {plural(len(problems), 'problem')}")
        log.warning("content reload refused problems=%d", len(problems))
        for line in shown:
            log.warning("content problem %s", line)
        return False, text
    content = bot.content
    summary = (
        f"{len(content.entries)} entries, {len({t.term for t in content.glossary.values()})} "
        f"glossary terms, {len(content.priorities)} priorities"
    )
    audit.record(bot, actor, "content reload", summary)
    log.info("content reloaded entries=%d", len(content.entries))
    notes = "".join(f"\n- {note}" for note in content.notes)
    return True, f"Content reloaded: {summary}.{notes}"


def _setting(conn: sqlite3.Connection, key: str) -> dict | None:
    row = conn.execute("select value from settings where key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None


def _put_setting(conn: sqlite3.Connection, key: str, value: dict) -> None:
    with conn:
        conn.execute(
            "insert into settings (key, value) values (?, ?) "
            "on conflict(key) do update set value = excluded.value",
            [key, json.dumps(value)],
        )


def request_reload(path: str | Path, now_iso: str) -> str:
    """Ask a running server (through the shared database) to reload its content."""
    conn = _connect(Path(path))
    try:
        request_id = uuid.uuid4().hex
        _put_setting(conn, RELOAD_REQUEST, {"id": request_id, "at": now_iso})
        return request_id
    finally:
        conn.close()


def cancel_reload(path: str | Path, request_id: str) -> None:
    """Withdraw an unanswered request, so a server started later does not act on it."""
    conn = _connect(Path(path))
    try:
        with conn:
            conn.execute(
                "delete from settings where key = ? and json_extract(value, '$.id') = ?",
                [RELOAD_REQUEST, request_id],
            )
    finally:
        conn.close()


async def wait_for_reload(path: str | Path, request_id: str, timeout: float) -> dict | None:
    """The running server's answer to a reload request, or None if none came in time."""
    conn = _connect(Path(path))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            result = _setting(conn, RELOAD_RESULT)
            if result is not None and result.get("id") == request_id:
                return result
            await asyncio.sleep(0.1)
        return None
    finally:
        conn.close()


def answer_reload_request(bot: Bot) -> bool:
    """Serve a pending reload request from the command line, if any; True if one was served."""
    request = _setting(bot.db.conn, RELOAD_REQUEST)
    if request is None:
        return False
    result = _setting(bot.db.conn, RELOAD_RESULT)
    if result is not None and result.get("id") == request["id"]:
        return False
    ok, text = reload_content(bot, OPERATOR)
    _put_setting(bot.db.conn, RELOAD_RESULT, {"id": request["id"], "ok": ok, "text": text})
    return True


def reload_watcher(bot: Bot, interval: float = 0.5):
    """A cleanup context: answers `dtlbot content reload` within `interval` s, and reloads on
    SIGHUP (`systemctl reload dtlbot`)."""

    reloads: set[asyncio.Task] = set()

    async def reload_now() -> None:
        try:
            await bot.run(reload_content, bot, OPERATOR, bounded=False)
        except Exception:
            log.exception("content reload on SIGHUP failed")

    def reload() -> None:
        # On the bot's core thread, where the database and the content are used.
        task = asyncio.ensure_future(reload_now())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    async def watch() -> None:
        while True:
            try:
                await bot.run(answer_reload_request, bot, bounded=False)
            except Exception as exc:
                if storage_failure(exc):
                    log.warning("content reload request not read: %s", exc)
                else:
                    log.exception("content reload request failed")
            await asyncio.sleep(interval)

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(watch())
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, reload)
        yield
        loop.remove_signal_handler(signal.SIGHUP)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


async def audit_command(turn: Turn) -> list[Reply]:
    rows = audit.recent(turn.bot, 20)
    if not rows:
        return [Reply("No organiser actions recorded yet.")]
    lines = ["The last organiser actions, newest first:"]
    # The forum's time zone when the meetings feature set one; else UK time.
    zone = getattr(getattr(turn.bot.config, "forum", None), "timezone", "Europe/London")
    for row in rows:
        try:
            when = local_time(datetime.fromisoformat(row["at"]), zone)
        except ValueError:
            when = row["at"]
        detail = f": {literal(row['detail'])}" if row["detail"] else ""
        lines.append(
            f"- {when}, {literal(row['actor_name'])} ({literal(row['platform'])}): "
            f"{literal(row['action'])}{detail}"
        )
    return [Reply("\n".join(lines))]


async def content_reload_command(turn: Turn) -> list[Reply]:
    _, text = reload_content(turn.bot, turn.user)
    return [Reply(text)]


def register(registry: Registry) -> None:
    registry.command("audit", organiser=True, takes="none",
                   help="the last 20 organiser actions: who, when and what")(audit_command)
    registry.command("content reload", organiser=True, takes="none",
                   help="re-read the content without a restart (kept as is if invalid)")(
        content_reload_command
    )
    registry.background(reload_watcher)
