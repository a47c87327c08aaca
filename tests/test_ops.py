"""Operations: audit, content reload (chat, command line, SIGHUP), backup, db check, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.features import ops
from bot.kernel.context import Bot
from bot.kernel.storage import open_database
from bot.server import create_app
from tests.conftest import ORGANISER, REPO, say

NEW_ENTRY = """---
id: forum-parking
title: Parking at the face-to-face forum
phrasings:
  - where can I park for the forum
source: Forum organisers
---
There is a car park behind the venue.
"""


@pytest.fixture
def content_dir(tmp_path: Path, config) -> Path:
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    config.content.path = str(target)
    return target


def write_config(tmp_path: Path, config) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "{config.storage.path}"\n[content]\npath = "{config.content.path}"\n',
        encoding="utf-8",
    )
    return path


async def test_audit_lists_the_last_twenty_organiser_actions_newest_first(bot):
    for number in range(25):
        ops.audit.record(bot, ORGANISER, "poll start", f"Poll {number}")
    (reply,) = await say(bot, "audit", ORGANISER)
    lines = reply.text.splitlines()[1:]
    assert len(lines) == 20
    assert "Olu (console): poll start: Poll 24" in lines[0]
    assert "Poll 5" in lines[-1]
    (reply,) = await say(bot, "audit")
    assert "Only forum organisers" in reply.text


async def test_audit_with_no_records_says_so(bot):
    (reply,) = await say(bot, "audit", ORGANISER)
    assert "No organiser actions" in reply.text


def entries_in(content_dir) -> int:
    """How many entries a reload of this content folder should report."""
    return len(list((content_dir / "entries").glob("*.md")))


async def test_content_reload_picks_up_a_new_entry_and_is_audited(bot, content_dir):
    (content_dir / "entries" / "forum-parking.md").write_text(NEW_ENTRY, encoding="utf-8")
    (reply,) = await say(bot, "where can I park for the forum")
    assert "car park" not in reply.text
    (reply,) = await say(bot, "content reload", ORGANISER)
    assert reply.text.startswith(f"Content reloaded: {entries_in(content_dir)} entries")
    (reply,) = await say(bot, "where can I park for the forum")
    assert "car park behind the venue" in reply.text
    [record] = ops.audit.recent(bot)
    assert record["action"] == "content reload" and record["actor_name"] == "Olu"


async def test_invalid_content_is_refused_with_file_and_line_and_old_content_kept(
    bot, content_dir
):
    broken = NEW_ENTRY.replace("source: Forum organisers\n", "related: [no-such-entry]\n")
    (content_dir / "entries" / "forum-parking.md").write_text(broken, encoding="utf-8")
    (reply,) = await say(bot, "content reload", ORGANISER)
    assert "so I kept the current content" in reply.text
    assert "entries/forum-parking.md:1: front matter needs a 'source' string" in reply.text
    (reply,) = await say(bot, "How often does the DTL forum meet?")
    assert "every two months" in reply.text
    assert "refused" in ops.audit.recent(bot)[0]["detail"]


async def test_content_reload_is_for_organisers_only(bot):
    (reply,) = await say(bot, "content reload")
    assert "Only forum organisers" in reply.text


async def test_cli_content_reload_makes_the_running_server_reload(
    bot, content_dir, tmp_path, aiohttp_client
):
    await aiohttp_client(create_app(bot))  # starts the scheduler and the reload watcher
    config_path = write_config(tmp_path, bot.config)
    (content_dir / "entries" / "forum-parking.md").write_text(NEW_ENTRY, encoding="utf-8")
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["content", "reload", "--config", str(config_path)]
    )
    assert result.exit_code == 0, result.output
    assert f"Content reloaded: {entries_in(content_dir)} entries" in result.output
    assert "forum-parking" in bot.content.entries
    assert ops.audit.recent(bot)[0]["actor_name"].startswith("operator")


async def test_cli_content_reload_refuses_invalid_content_without_asking_the_server(
    bot, content_dir, tmp_path
):
    config_path = write_config(tmp_path, bot.config)
    (content_dir / "glossary.toml").write_text("[[term]\nbroken", encoding="utf-8")
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["content", "reload", "--config", str(config_path)]
    )
    assert result.exit_code == 1
    assert "glossary.toml:1:" in result.output
    assert "content not reloaded" in result.output
    assert bot.db["settings"].count_where("key = ?", [ops.RELOAD_REQUEST]) == 0


async def test_cli_content_reload_says_so_when_no_server_answers(bot, tmp_path):
    config_path = write_config(tmp_path, bot.config)
    result = await asyncio.to_thread(
        CliRunner().invoke, cli,
        ["content", "reload", "--timeout", "0.3", "--config", str(config_path)],
    )
    assert result.exit_code == 2
    assert "no running server answered" in result.output
    # The request is withdrawn, so a server started later does not act on it.
    assert ops.answer_reload_request(bot) is False


async def test_sighup_reloads_content(bot, content_dir):
    (content_dir / "entries" / "forum-parking.md").write_text(NEW_ENTRY, encoding="utf-8")
    running = ops.reload_watcher(bot)(None)
    await anext(running)
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(50):
            if "forum-parking" in bot.content.entries:
                break
            await asyncio.sleep(0.01)
    finally:
        with contextlib.suppress(StopAsyncIteration):
            await anext(running)
    assert "forum-parking" in bot.content.entries


def fill(bot: Bot, count: int) -> None:
    bot.db["questions"].insert_all(
        {"asked_at": bot.now_iso(), "text": f"question {n}", "asker": "p-x", "answered": 0}
        for n in range(count)
    )


def test_backup_is_a_consistent_checked_copy_while_another_process_writes(bot, tmp_path):
    fill(bot, 500)
    stop = threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(bot.config.storage.path)
        while not stop.is_set():
            with conn:
                conn.execute("insert into questions (text, answered) values ('live', 0)")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        written = ops.backup(bot.config.storage.path, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
    copy = sqlite3.connect(written)
    assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert copy.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert copy.execute("select count(*) from questions where text like 'question %'"
                        ).fetchone()[0] == 500
    copy.close()
    assert not (tmp_path / "copy.db.partial").exists()
    assert ops.check_database(written).ok


def test_backup_cli_refuses_to_overwrite_and_accepts_a_folder(bot, tmp_path):
    config_path = write_config(tmp_path, bot.config)
    runner = CliRunner()
    target = tmp_path / "backup.db"
    result = runner.invoke(cli, ["backup", str(target), "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    assert "backup ok" in result.output
    result = runner.invoke(cli, ["backup", str(target), "--config", str(config_path)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    result = runner.invoke(cli, ["backup", str(target), "--force", "--config", str(config_path)])
    assert result.exit_code == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    result = runner.invoke(cli, ["backup", str(folder), "--config", str(config_path)])
    assert result.exit_code == 0
    assert len(list(folder.glob("dtlbot-*.db"))) == 1


def test_backup_refuses_to_overwrite_the_live_database(bot):
    with pytest.raises(ops.OpsError, match="live database itself"):
        ops.backup(bot.config.storage.path, bot.config.storage.path, force=True)
    assert bot.db["settings"].exists()


def test_backup_of_a_missing_database_fails_clearly(tmp_path):
    with pytest.raises(ops.OpsError, match="no database at"):
        ops.backup(tmp_path / "nothing.db", tmp_path / "copy.db")
    assert not (tmp_path / "nothing.db").exists()


def sqlite_utils_memory():
    import sqlite_utils

    return sqlite_utils.Database(memory=True)


def test_db_check_reports_integrity_and_migrations(bot, tmp_path):
    config_path = write_config(tmp_path, bot.config)
    result = CliRunner().invoke(cli, ["db", "check", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.output
    from bot.kernel.schema import migrations

    latest = migrations.pending(sqlite_utils_memory())[-1].name
    assert f"latest {latest}); pending: none" in result.output


def test_db_check_lists_pending_and_unknown_migrations(tmp_path):
    import sqlite_utils

    from bot.kernel.schema import migrations

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    names = [m.name for m in migrations.pending(db)]
    migrations.apply(db, stop_before="0030_privacy")
    report = ops.check_database(path)
    assert report.pending == names[names.index("0030_privacy"):]
    assert report.ok
    db["_sqlite_migrations"].insert({"migration_set": "dtlbot", "name": "9999_future",
                                     "applied_at": "2030-01-01"})
    db.close()
    result = CliRunner().invoke(cli, ["db", "check", str(path)])
    assert result.exit_code == 1
    assert "unknown to this version" in result.output and "9999_future" in result.output


def test_db_check_finds_a_corrupt_file(tmp_path):
    path = tmp_path / "bad.db"
    db = open_database(path)
    db["questions"].insert_all({"text": "x" * 500, "answered": 0} for _ in range(200))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3: 4096 * 3 + 200] = b"\xff" * 200  # scribble over a page
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["db", "check", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_db_check_of_a_missing_file_fails_clearly(tmp_path):
    result = CliRunner().invoke(cli, ["db", "check", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no database at" in result.output


async def test_metrics_are_off_by_default(bot, aiohttp_client):
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    assert (await client.get("/metrics")).status == 404


async def test_metrics_count_requests_by_adapter_and_status_and_answers(bot, aiohttp_client):
    bot.config.server.metrics = True
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    await client.get("/healthz")
    await client.get("/no-such-page")
    await say(bot, "How often does the DTL forum meet?")
    await say(bot, "what dose of paracetamol should I take")
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = await response.text()
    assert 'dtlbot_requests_total{adapter="server",status="200"} 1.0' in text
    assert 'dtlbot_requests_total{adapter="server",status="404"} 1.0' in text
    assert 'dtlbot_answers_total{outcome="answered"} 1.0' in text
    assert 'dtlbot_answers_total{outcome="unanswered"} 1.0' in text
    assert 'dtlbot_reply_seconds_count{platform="console"} 2.0' in text
    for name in ("dtlbot_reminders", "dtlbot_ballots", "dtlbot_open_polls"):
        assert f"# HELP {name}" in text


async def test_adapter_routes_are_counted_under_the_adapters_name(bot, aiohttp_client, monkeypatch):
    import types

    from aiohttp import web

    from bot import server

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    fake = types.SimpleNamespace(
        enabled=lambda config: True,
        setup=lambda app, b: app.router.add_get("/fake/hello", hello, name="fake.hello"),
    )
    monkeypatch.setattr(server, "adapter_modules", lambda: [("fake", fake)])
    bot.config.server.metrics = True
    client = await aiohttp_client(create_app(bot, start_scheduler=False))
    await client.get("/fake/hello")
    text = await (await client.get("/metrics")).text()
    assert 'dtlbot_requests_total{adapter="fake",status="200"} 1.0' in text
    assert (await client.get("/healthz")).status == 200


def test_sighup_makes_dtlbot_serve_reload_its_content(tmp_path, content_dir):
    import time

    from tests.fakes import server_process

    port = server_process.free_port()
    config = server_process.write_config(
        tmp_path, port, tmp_path / "hup.db", f'[content]\npath = "{content_dir}"\n'
    )
    server = server_process.start(config, port, tmp_path / "hup.log")
    try:
        (content_dir / "entries" / "forum-parking.md").write_text(NEW_ENTRY, encoding="utf-8")
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while f"content reloaded entries={entries_in(content_dir)}" not in server.log.read_text():
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.05)
        assert server.process.poll() is None  # still serving
    finally:
        logged = server.stop()
    assert "Traceback" not in logged


async def test_audit_shows_organiser_actions_of_every_feature(bot):
    await say(bot, "poll start Spring 2027", ORGANISER)
    await say(bot, "meeting add 18 Dec 2pm | Winter catch-up | Leeds", ORGANISER)
    await say(bot, "reminders here on", ORGANISER)
    await say(bot, "content reload", ORGANISER)
    (reply,) = await say(bot, "audit", ORGANISER)
    actions = [line.split(": ")[1] for line in reply.text.splitlines()[1:]]
    assert [a.split(":")[0] for a in actions] == [
        "content reload", "reminders here on", "meeting add", "poll start",
    ]
    assert "Olu (console)" in reply.text
