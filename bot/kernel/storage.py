"""The SQLite database: opening it safely and applying the named schema migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from bot.kernel.config import ConfigError
from bot.kernel.schema import migrations

BUSY_TIMEOUT_MS = 5000


def storage_failure(exc: BaseException) -> bool:
    """A database that cannot be used right now (full, read-only, locked, damaged), as opposed
    to a mistake in a query (integrity, programming errors), which is a bug."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def connect(path: str) -> sqlite3.Connection:
    # check_same_thread=False: opened on the main thread, used by the server's core thread
    # (bot.kernel.core), one thread at a time.
    return sqlite3.connect(path, check_same_thread=False)


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database in WAL mode and bring its schema up to date.

    A path that cannot hold a database (a folder, a read-only file or folder, a file that is
    not a database) is a ConfigError naming `storage.path`, not a traceback.
    """
    memory = str(path) == ":memory:"
    if not memory:
        path = Path(path)
        if path.is_dir():
            raise ConfigError("storage.path", f"{path} is a folder: name a file in it, "
                              f"such as {path / 'dtlbot.db'}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError("storage.path", f"cannot create the folder {path.parent}: "
                              f"{exc.strerror or exc}") from None
    conn = None
    try:
        conn = connect(str(path))
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = sqlite_utils.Database(conn)
        if not memory:
            db.enable_wal()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Deleted rows are overwritten, so `forget me` leaves nothing in free pages.
        conn.execute("PRAGMA secure_delete = ON")
        migrations.apply(db)
        if not memory:
            _probe_write(conn)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise ConfigError("storage.path", f"cannot use the database {path}: "
                          f"{_explain(exc)}") from None
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


def _probe_write(conn: sqlite3.Connection) -> None:
    """Fail now, not at the first message, when the file can be read but not written."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE _dtlbot_write_probe (x)")
    finally:
        conn.execute("ROLLBACK")


def _explain(exc: sqlite3.Error) -> str:
    message = str(exc)
    if "readonly" in message or "read-only" in message:
        return "it is read-only (check the file's and its folder's permissions and owner)"
    if "unable to open" in message:
        return "it cannot be opened (check the folder exists and may be written)"
    if "not a database" in message:
        return "the file is not an SQLite database"
    if "locked" in message:
        return "another process holds it locked"
    return message


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Names of migrations not yet applied to this database."""
    return [m.name for m in migrations.pending(db)]
