"""The SQLite database: opening it safely and applying the named schema migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from bot.kernel.schema import migrations

BUSY_TIMEOUT_MS = 5000


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database in WAL mode and bring its schema up to date."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: the server may run short queries in a worker thread.
    conn = sqlite3.connect(str(path), check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db = sqlite_utils.Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    migrations.apply(db)
    return db


def open_read_only(path: str | Path) -> sqlite_utils.Database | None:
    """Open an existing database read-only (None if there is none yet): for commands that
    only look, such as `dtlbot ask`, so they never create, migrate or lock it for writing."""
    if str(path) == ":memory:" or not Path(path).is_file():
        return None
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return sqlite_utils.Database(conn)


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Names of migrations not yet applied to this database."""
    return [m.name for m in migrations.pending(db)]
