"""The progress file's tables, the form of what goes into them, and the SQLite basics the store shares.

Four tables: `attempts`, `reflections`, `ratings` (one row per write, each with its own `uid`, so
exports merge back idempotently) and `meta` (settings). `PRAGMA user_version` is `SCHEMA_VERSION`.
Times are ISO 8601 in UTC with microseconds (`now`, `utc_time`), but rows are read back in the order
they were written (rowid), never by the time they carry: an imported time comes from another clock.
`odd_file` tells a folder, pipe or device at a file's place from a file, without opening it. Writes that
wait for the file's lock are queued in the same tables, attached as `pending` (`attach_queue`), and read
with the file's through the views `all_attempts`, `all_reflections` and `all_ratings`.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FILE_NAME = "progress.sqlite3"
SCHEMA_VERSION = 1
READ_WAIT_MS = 5000  # reads and opening wait this long for a lock; a write waits far less (store_writes)
TABLES: dict[str, tuple[str, ...]] = {
    "attempts": ("uid", "lesson", "question", "answer", "correct", "score", "at"),
    "reflections": ("uid", "lesson", "reflection", "text", "at"),
    "ratings": ("uid", "phase", "item", "value", "at"),
    "meta": ("key", "value"),
}
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS attempts (uid TEXT PRIMARY KEY, lesson TEXT NOT NULL, question TEXT NOT NULL, "
    "answer TEXT NOT NULL, correct INTEGER NOT NULL, score REAL NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS attempts_by_question ON attempts (lesson, question, at)",
    "CREATE TABLE IF NOT EXISTS reflections (uid TEXT PRIMARY KEY, lesson TEXT NOT NULL, reflection TEXT NOT NULL, "
    "text TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS reflections_by_prompt ON reflections (lesson, reflection, at)",
    "CREATE TABLE IF NOT EXISTS ratings (uid TEXT PRIMARY KEY, phase TEXT NOT NULL, item TEXT NOT NULL, "
    "value INTEGER, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ratings_by_item ON ratings (phase, item, at)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
Rows = dict[str, list[tuple]]  # table -> rows (in the columns of TABLES), in the order they were written
WORK = ("attempts", "reflections", "ratings")  # the learner's work; `meta` holds settings
_QUEUE = {**{t: TABLES[t] for t in WORK}, "meta": ("key", "value", "keep")}  # `keep`: leave a stored value
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Saved:
    """A stored reflection revision: its text and when it was saved."""

    text: str
    at: str


def clean_text(text: str) -> str:
    """Return text as it can be stored: a broken character (a lone surrogate) becomes U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def now() -> str:
    """Return the current UTC time as an ISO 8601 string with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


_FRACTION = re.compile(r"(T[0-9:]+)\.([0-9]{1,6})(?=$|[-+Z])")


def read_iso(at: str) -> datetime:
    """Read ISO 8601 text as a datetime the same way on every supported Python (3.10 takes no "Z" and
    only 3- or 6-digit fractions); raise ValueError if it is not one."""
    text = at[:-1] + "+00:00" if at[-1:] in ("Z", "z") else at
    text = _FRACTION.sub(lambda m: f"{m.group(1)}.{m.group(2):0<6}", text, count=1)
    return datetime.fromisoformat(text)


def utc_time(at: object) -> str:
    """Return an ISO 8601 time in the store's form (UTC, "+00:00", microseconds); raise ValueError if it is not one.

    A time without an offset is read as UTC, the only zone the course has ever written.
    """
    if not isinstance(at, str):
        raise ValueError("a time is ISO 8601 text")
    try:
        when = read_iso(at)
        when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ValueError("a time is not an ISO 8601 date and time") from None
    return when.isoformat(timespec="microseconds")


def odd_file(path: Path) -> str | None:
    """Say why `path` (or a file SQLite keeps beside it) cannot be used, if it exists and is not a regular file."""
    for side in (path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        try:
            mode = os.stat(side).st_mode  # never open it: opening a named pipe waits for a writer for ever
        except OSError:
            continue  # absent (or a link to nowhere): created as usual, or the open says why not
        if not stat.S_ISREG(mode):
            kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                    else "a socket" if stat.S_ISSOCK(mode) else "a device")
            return f"{side} is {kind}, not a file"
    return None


def connect(target: str, uri: bool = False) -> sqlite3.Connection:
    """Connect in autocommit mode (the store begins its own transactions), usable from any thread."""
    conn = sqlite3.connect(target, uri=uri, timeout=READ_WAIT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {READ_WAIT_MS}")
    return conn


def error_code(exc: sqlite3.Error) -> int:
    """Return SQLite's primary result code of an error (0 when Python raised it on its own)."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF


def is_busy(exc: sqlite3.Error) -> bool:
    """Tell whether an error only means another connection holds the lock (SQLITE_BUSY or SQLITE_LOCKED)."""
    return error_code(exc) in (5, 6) or "locked" in str(exc) or "is busy" in str(exc)


def is_damage(exc: sqlite3.Error) -> bool:
    """Tell whether an error means the file's content is damaged (or it is not a database at all)."""
    return error_code(exc) in (11, 26) or any(w in str(exc) for w in ("malformed", "not a database", "decode"))


def rollback(conn: sqlite3.Connection) -> None:
    """End an open transaction without raising: the failure that led here is the one worth reporting."""
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def tables(conn: sqlite3.Connection, db: str = "main") -> dict[str, tuple[str, ...]]:
    """Return each table of a database (`main`, or an attached one) with its column names."""
    names = [r[0] for r in conn.execute(f"SELECT name FROM {db}.sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%'")]
    return {n: tuple(r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?, ?)", (n, db))) for n in names}


def prepare(conn: sqlite3.Connection, wal: bool) -> None:
    """Switch to WAL (`wal`) and create the course's tables if missing; raise sqlite3.DatabaseError if it cannot.

    A file already set up is only read, so opening it needs no lock even while another program writes.
    """
    if wal:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch to WAL mode ({mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:  # a newer course wrote it in the meantime: never stamp it back
        raise sqlite3.OperationalError("the file was written by a newer version of the course")
    if version == SCHEMA_VERSION and set(TABLES) <= set(tables(conn)):
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def _queue_tables(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA:  # the file's own columns and constraints, so a bad row is refused when it is written
        if statement.startswith("CREATE TABLE") and "meta" not in statement:
            conn.execute(statement.replace("EXISTS ", "EXISTS pending.", 1))
    conn.execute("CREATE TABLE IF NOT EXISTS pending.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                 "keep INTEGER NOT NULL)")
    if tables(conn, "pending") != _QUEUE:
        raise sqlite3.DatabaseError("it holds tables that are not the course's queue")


def attach_queue(conn: sqlite3.Connection, queue: Path | None) -> bool:
    """Attach the queue as `pending`: the file `queue` if it can be used (return True), else memory."""
    try:
        if queue is not None:
            if odd_file(queue):
                raise OSError(odd_file(queue))
            os.close(os.open(queue, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))  # private at once
            conn.execute("ATTACH DATABASE ? AS pending", (str(queue),))
            _queue_tables(conn)
    except (OSError, sqlite3.DatabaseError) as exc:
        _log.warning("Saves that wait for the progress file are kept in memory only: %s cannot be used (%s)",
                     queue, exc)
        if "pending" in [row[1] for row in conn.execute("PRAGMA database_list")]:
            conn.execute("DETACH DATABASE pending")
        queue = None
    if queue is None:
        conn.execute("ATTACH DATABASE ':memory:' AS pending")
        _queue_tables(conn)
    for table in WORK:  # a row both written and waiting (a kernel stopped between the two) is shown once
        listed = ", ".join(TABLES[table])
        conn.execute(f"CREATE TEMP VIEW IF NOT EXISTS all_{table} AS SELECT 0 AS queued, rowid AS seq, {listed} "
                     f"FROM main.{table} UNION ALL SELECT 1, rowid, {listed} FROM pending.{table} AS p "
                     f"WHERE NOT EXISTS (SELECT 1 FROM main.{table} WHERE uid = p.uid)")
    return queue is not None
