"""Damage in the progress file: finding it, and reading every row that can still be read.

SQLite's `quick_check` finds damage to the file's structure, but 16 overwritten bytes inside a row
pass it and only fail when that row is read; `healthy` therefore also reads every row. `salvage`
reads a damaged table in one go if it can, else by rowid ranges, else row by row, and keeps each
row that reads back whole with the types the course writes. A file whose header alone is garbled is read
through a copy with the header put back (`header_restored`); a damaged file is kept, moved aside (`move_aside`),
and kernels opening the same file take turns (`taking_turns`), so that only one replaces it.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Iterator

from course.store_schema import TABLES, WORK, Rows, connect, rollback, tables

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; kernels there recover one file without taking turns
    fcntl = None

_CHUNK = 64  # rows read at once around damage; a failing range is read again row by row
RECOVERY_WAIT = 60.0  # seconds a kernel waits for another one to finish recovering the same file
MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite file


def sound(table: str, row: tuple) -> bool:
    """Tell whether a row read back has the types the course writes (a garbled row may read without error)."""
    if not all(isinstance(v, str) for name, v in zip(TABLES[table], row) if name not in ("correct", "score", "value")):
        return False
    if table == "attempts":
        try:
            json.loads(row[3])
        except (ValueError, RecursionError):
            return False
        return isinstance(row[4], int) and isinstance(row[5], (int, float)) and math.isfinite(row[5])
    return table != "ratings" or row[3] is None or isinstance(row[3], int)


def healthy(conn: sqlite3.Connection) -> bool:
    """Tell whether the file passes SQLite's quick check and every row of the course's tables reads back sound."""
    if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        return False
    present = tables(conn)
    return all(sound(table, row) for table in TABLES if table in present
               for row in conn.execute(f"SELECT {', '.join(TABLES[table])} FROM {table}"))


def _read_table(conn: sqlite3.Connection, db: str, table: str) -> list[tuple]:
    select = f"SELECT {', '.join(TABLES[table])} FROM {db}.{table}"
    try:
        return conn.execute(select + " ORDER BY rowid").fetchall()
    except sqlite3.DatabaseError:
        pass  # damaged somewhere: read around the damage below
    try:
        top = conn.execute(f"SELECT max(rowid) FROM {db}.{table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:  # the last page is damaged: no rowid lies past one row per 8 bytes of the file
        pages = conn.execute(f"PRAGMA {db}.page_count").fetchone()[0]
        top = pages * conn.execute(f"PRAGMA {db}.page_size").fetchone()[0] // 8
    rows: list[tuple] = []
    for start in range(1, top + 1, _CHUNK):
        try:
            rows += conn.execute(select + " WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                                 (start, start + _CHUNK - 1)).fetchall()
            continue
        except sqlite3.DatabaseError:
            pass  # this range touches the damage: read its rows one by one
        for rowid in range(start, min(start + _CHUNK, top + 1)):
            with contextlib.suppress(sqlite3.DatabaseError):  # a row on the damaged page is lost; the rest are kept
                rows += conn.execute(select + " WHERE rowid = ?", (rowid,)).fetchall()
    return rows


def salvage(conn: sqlite3.Connection, db: str = "main") -> tuple[Rows, int | None]:
    """Return every sound row of the course's tables that can still be read, and how many rows of work the file holds.

    The count (of attempts, reflections and ratings: settings are not work) is None when the file cannot
    say. A table that is missing, or lacks a column the course needs (a newer course may have changed it),
    is skipped. Never raises sqlite3.DatabaseError.
    """
    try:
        present = tables(conn, db)
    except sqlite3.DatabaseError:
        return {}, None
    rows: Rows = {}
    total: int | None = 0
    for table, columns in TABLES.items():
        if not set(columns) <= set(present.get(table, ())):
            continue
        rows[table] = [r for r in _read_table(conn, db, table) if sound(table, r)]
        if table not in WORK:
            continue
        try:
            count = conn.execute(f"SELECT count(*) FROM {db}.{table}").fetchone()[0]
            total = None if total is None else total + count
        except sqlite3.DatabaseError:
            total = None
    return rows, total


def fill(conn: sqlite3.Connection, rows: Rows) -> int:
    """Insert rows in their order into a prepared store, in one transaction; return how many rows of work were added.

    Settings (`meta`) are written but not counted. A row whose uid (or key) is already there is skipped,
    and so is one garbled into a missing value.
    """
    added = 0
    if not any(rows.values()):
        return added  # nothing to write, so no lock to wait for
    try:
        conn.execute("BEGIN IMMEDIATE")
        for table, items in rows.items():
            columns = TABLES[table]
            sql = (f"INSERT INTO main.{table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                   "ON CONFLICT DO NOTHING")
            for row in items:
                with contextlib.suppress(sqlite3.IntegrityError):  # a value garbled into NULL: that row is lost
                    written = conn.execute(sql, row).rowcount
                    added += written if table in WORK else 0  # a setting is not a row of the learner's work
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return added


def move_aside(path: Path, why: str) -> Path | None:
    """Rename the file (and its -wal, -shm) to `<stem>.<why>-<time><suffix>`; return the new path, None if it cannot."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target, n = path.with_name(f"{path.stem}.{why}-{stamp}{path.suffix}"), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.{why}-{stamp}-{n}{path.suffix}")
    try:
        path.rename(target)
        for suffix in ("-wal", "-shm"):
            side = Path(str(path) + suffix)
            if side.exists():
                side.rename(Path(str(target) + suffix))
    except OSError:
        return None
    return target


def _flock(target: str | Path, flags: int, how: int) -> int | None:
    """Open `target` and lock it (`how`: shared or exclusive), waiting up to `RECOVERY_WAIT`; None: no lock here."""
    try:
        fd = os.open(target, flags, 0o600)
    except OSError:
        return None  # cannot be opened (a lock file in a read-only folder): nothing can be moved aside there either
    deadline = time.monotonic() + RECOVERY_WAIT
    while True:
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise TimeoutError from None
            time.sleep(0.05)
        except OSError:
            os.close(fd)
            return None  # a file system without such locks


@contextlib.contextmanager
def taking_turns(path: Path, alone: bool) -> Iterator[None]:
    """Take turns with other kernels at the file: all at once to check and open it, `alone` to replace it.

    The file's folder is locked, shared or exclusive, so no kernel looks at the file while another one
    salvages it and moves it aside, and opening it creates nothing beside it. Where folders cannot be
    locked (NFS), a lock file, `progress.sqlite3-lock`, still lets one kernel at a time replace it.
    Raises TimeoutError after `RECOVERY_WAIT` seconds.
    """
    fd = None
    if fcntl is not None:
        fd = _flock(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0), fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if fd is None and alone:
            fd = _flock(f"{path}-lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, fcntl.LOCK_EX)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # and with it the lock


def everything(conn: sqlite3.Connection) -> Rows:
    """Return every sound row a store's connection holds, written and waiting (`pending`), in the order written."""
    rows, _ = salvage(conn)
    waiting, _ = salvage(conn, "pending")
    for table in WORK:
        rows[table] = rows.get(table, []) + waiting.get(table, [])
    meta = dict(rows.get("meta", []))
    for key, value, keep in conn.execute("SELECT key, value, keep FROM pending.meta ORDER BY rowid"):
        if not keep or key not in meta:
            meta[key] = value
    rows["meta"] = list(meta.items())
    return rows


@contextlib.contextmanager
def header_restored(path: Path) -> Iterator[sqlite3.Connection | None]:
    """Yield a connection to a private copy of the file with SQLite's header string put back, or None if that fails.

    Overwriting the 16-byte string alone makes SQLite call the whole file "not a database" though every row is
    intact. A page size that is no power of two from 512 to 65536 becomes 4096, the size the course's files have.
    """
    conn = None
    with tempfile.TemporaryDirectory(prefix="lead-manage-") as folder:
        copy = Path(folder) / path.name
        try:
            with open(path, "rb") as f:
                header = f.read(18)
            size = int.from_bytes(header[16:18], "big")
            fixed = MAGIC + (header[16:18] if size == 1 or (512 <= size <= 32768 and not size & (size - 1))
                             else (4096).to_bytes(2, "big"))  # 1 stands for 65536
            if fixed != header:
                shutil.copyfile(path, copy)
                with open(copy, "r+b") as f:
                    f.write(fixed)
                with contextlib.suppress(FileNotFoundError):  # rows not yet copied into the file itself
                    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
                conn = connect(str(copy))
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except (OSError, sqlite3.DatabaseError):
            if conn is not None:
                conn.close()
            conn = None  # the header was not all that was wrong
        try:
            yield conn
        finally:
            if conn is not None:
                conn.close()
