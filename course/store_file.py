"""Opening the progress file, and what happens when it cannot be used as it is.

`open_progress_file(path)` never raises for a bad file. It returns an `Opened`: a connection to the file
(WAL), or to memory when the file cannot be written, with the words the learner sees:

- a damaged file: every row that can still be read is salvaged into a fresh file, the damaged one is
  moved aside, and `notice` says how many rows of work were kept and where the damaged copy is.
  Kernels opening the same file take turns (`taking_turns`): one at a time replaces it, none looks at
  it meanwhile, and each looks again when its turn comes, so a file another kernel has just replaced
  is used, never moved aside once more;
- a file another program wrote (tables that are not the course's): moved aside, a fresh one started;
- a file from a newer course (`user_version` above `SCHEMA_VERSION`): read, never written; `notice`
  gives the command that updates the course;
- a folder, named pipe, socket or device where the file should be: never opened (a pipe would wait for
  ever); the session is kept in memory and `warning` says why;
- a read-only file or folder: read (read-only, or immutable when not even the `-shm` file can be made)
  and copied into memory, so earlier work stays visible and downloadable; `warning` says so.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from course.store_salvage import fill, header_restored, healthy, move_aside, salvage, taking_turns
from course.store_schema import (READ_WAIT_MS, SCHEMA_VERSION, TABLES, Rows, connect, error_code, is_busy, is_damage,
                                 odd_file, prepare, rollback, tables)

UPDATE_COMMAND = "pip install --upgrade lead-manage"


@dataclass
class Opened:
    """A connection ready for the store, what the learner should be told, and how many rows were carried over."""

    conn: sqlite3.Connection
    warning: str | None = None
    notice: str | None = None
    kept: int = 0


def memory_warning(reason: str, earlier: bool = False) -> str:
    """Say that saving to disk is not working, why, and what the learner should do."""
    shown = "Your earlier work was read from the file and is shown. " if earlier else ""
    return (f"Saving to disk is not working: {reason}. {shown}Your answers are kept in memory for this session only. "
            "Use 'Download my work' before you close, so nothing is lost.")


def in_memory(reason: str | None, rows: Rows | None = None, notice: str | None = None) -> Opened:
    """Open a store in memory holding `rows`; `reason` (None: meant to be in memory) becomes the warning."""
    conn = connect(":memory:")
    prepare(conn, wal=False)
    kept = fill(conn, rows or {})
    return Opened(conn, memory_warning(reason, kept > 0) if reason else None, notice, kept)


def read_only(path: Path) -> sqlite3.Connection:
    """Connect without writing: read-only, or immutable when not even the `-shm` file can be made."""
    uri = path.resolve().as_uri()
    try:
        conn = connect(uri + "?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        if is_damage(exc) or is_busy(exc):
            raise
    conn = connect(uri + "?immutable=1", uri=True)  # a read-only folder: no one can be writing to it
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _takes_writes(conn: sqlite3.Connection) -> bool:
    """Try a write and roll it back: a read-only file opens without complaint and refuses only writes."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return True
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            return True  # another program is writing to it, so it takes writes
        if error_code(exc) == 8 or "readonly" in str(exc):
            return False
        raise
    finally:
        rollback(conn)
        conn.execute(f"PRAGMA busy_timeout = {READ_WAIT_MS}")


def _tighten(path: Path, mode: int) -> None:
    try:
        if path.exists():
            os.chmod(path, mode)
    except OSError:
        pass  # a file or folder we cannot tighten is still usable; saving matters more than tightening it


def open_progress_file(path: Path | None) -> Opened:
    """Open the progress file at `path` (None: a store in memory), recovering what it can; never raise for bad files."""
    if path is None:
        return in_memory(None)
    try:
        created = not path.parent.exists()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        return in_memory(f"the folder {path.parent} cannot be created ({exc.strerror or exc})")
    if created or path.parent.name == "lead-manage":
        # Private: on a hub where learners share one filesystem, no one else can read it. A folder the learner
        # chose and the course did not create (LEAD_MANAGE_DATA_DIR) is left as it is.
        _tighten(path.parent, 0o700)
    try:
        with taking_turns(path, alone=False):
            opened = _open(path, recovering=False)
        if opened is None:
            with taking_turns(path, alone=True):
                opened = _open(path, recovering=True)  # another kernel may have replaced it meanwhile: look again
    except TimeoutError:
        return in_memory(f"another kernel has been repairing {path} for over a minute")
    return opened


def _open(path: Path, recovering: bool) -> Opened | None:
    """Open the file, or (when `recovering`) replace it if it is damaged or foreign; None: it needs replacing."""
    odd = odd_file(path)
    if odd:
        return in_memory(odd)
    if not path.exists():
        return _writable(path)
    try:
        source = read_only(path)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc) and not recovering:
            return None
        return _replace(path, None, "corrupt") if is_damage(exc) else in_memory(f"{path} cannot be read ({exc})")
    try:
        version, present = source.execute("PRAGMA user_version").fetchone()[0], tables(source)
        if version > SCHEMA_VERSION:
            return in_memory("your progress file comes from a newer version of the course", salvage(source)[0],
                             _newer_notice(version))
        if any(table not in TABLES or columns != TABLES[table] for table, columns in present.items()):
            return _replace(path, None, "other-program") if recovering else None
        if not healthy(source):
            return _replace(path, source, "corrupt") if recovering else None
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            return in_memory(f"{path} cannot be read ({exc})")
        return _replace(path, source, "corrupt") if recovering else None
    finally:
        source.close()
    return _writable(path)


def _writable(path: Path, rows: Rows | None = None) -> Opened:
    """Open the file for writing (creating it if needed) holding `rows`; in memory, with what it holds, if it cannot."""
    conn = None
    try:
        conn = connect(str(path))
        prepare(conn, wal=True)
        if not _takes_writes(conn):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        kept = fill(conn, rows or {})
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if rows is None:
            try:
                source = read_only(path)
                rows = salvage(source)[0]
                source.close()
            except sqlite3.DatabaseError:
                rows = None  # unreadable as well: start empty; the warning says why
        return in_memory(f"{path} cannot be written ({exc})", rows)
    for suffix in ("", "-wal", "-shm"):
        _tighten(Path(str(path) + suffix), 0o600)
    return Opened(conn, kept=kept)


def _replace(path: Path, source: sqlite3.Connection | None, why: str) -> Opened:
    """Move a damaged or foreign file aside and start a fresh one, holding what could be salvaged from a damaged one."""
    with contextlib.ExitStack() as copies:
        if source is None and why == "corrupt":  # SQLite cannot read it at all: perhaps only its header is damaged
            source = copies.enter_context(header_restored(path))
        rows, total = salvage(source) if source is not None else ({}, None)
        if source is not None:
            source.close()
    moved = move_aside(path, why)
    what = "damaged" if why == "corrupt" else "not written by this course"
    if moved is None:
        return in_memory(f"{path} is {what} and cannot be moved aside", rows)
    opened = _writable(path, rows)
    where = f"{moved.name} (in {moved.parent})"
    if why != "corrupt":
        opened.notice = (f"The file {path.name} was not written by this course (it holds another program's tables), "
                         f"so it was moved aside unchanged to {where} and a fresh progress file was started.")
    elif not opened.kept:
        opened.notice = (f"Your progress file was damaged and none of its rows could be read, so a fresh one was "
                         f"started; the damaged copy is {where}.")
    else:
        of = f"{opened.kept} of its {total}" if total and total >= opened.kept else f"{opened.kept} of its"
        opened.notice = (f"Your progress file was damaged; {of} rows were recovered into a fresh file; "
                         f"the damaged copy is {where}.")
    return opened


def _newer_notice(version: int) -> str:
    return (f"Your progress file was written by a newer version of Lead & Manage (file version {version}; this copy of "
            f"the course reads version {SCHEMA_VERSION}), so it was left exactly as it is. To keep saving, update the "
            f"course: run `{UPDATE_COMMAND}` (or, in a copy of the course folder, pull the newest course with "
            "`git pull`), then restart the kernel.")
