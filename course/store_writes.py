"""Writing to the progress file in order, without making the learner wait on another program.

A write waits at most `WRITE_WAIT_MS` for the file's lock. When another program holds it longer (a
second kernel, a sync client, a backup), the write is not refused and the store does not give up on
the file: the rows wait, in order, in a database of their own beside it (`progress.sqlite3-pending`,
made when a first row has to wait, attached as `pending`; writing there takes no lock on the progress
file, and other kernels of the same learner queue into it too), and a background thread
retries until the lock clears, then writes the whole queue once, in one transaction. Rows waiting
when a kernel is killed are written by the next store to open the file; a row already in the file is
never written twice (uids). Where that file cannot be used, the queue is kept in memory. Reads go
through the views `all_attempts`, `all_reflections` and `all_ratings`, which put waiting rows after
the file's own, so the learner always sees what they did. Only a write the file refuses (read-only,
full, damaged) moves the store to memory, keeping every row.

A write is a list of `(table, values)`: values in the columns of `TABLES`, and for `meta`
`(key, value, keep)`, where `keep` leaves a value already stored in place.
"""
from __future__ import annotations

import atexit
import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Callable

from course.store_file import Opened, in_memory
from course.store_salvage import everything
from course.store_schema import READ_WAIT_MS, TABLES, WORK, attach_queue, is_busy, rollback

WRITE_WAIT_MS = 250  # a save never keeps the learner waiting longer than this for another program
EXIT_WAIT = 10.0  # seconds spent at exit writing what still waits
_RETRY_PAUSES = (0.05, 0.5)  # the background retry starts fast and backs off to this
_REFUSED = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.DataError,
            sqlite3.NotSupportedError)  # the write is wrong, not the file: raise, never fall back


def _put(conn: sqlite3.Connection, db: str, table: str, values: tuple) -> None:
    if table == "meta":
        key, value, keep = values
        if db == "main":
            conn.execute("INSERT INTO main.meta VALUES (?, ?) ON CONFLICT(key) DO "
                         + ("NOTHING" if keep else "UPDATE SET value = excluded.value"), (key, value))
        elif not (keep and conn.execute("SELECT 1 FROM main.meta WHERE key = ? UNION ALL "
                                        "SELECT 1 FROM pending.meta WHERE key = ?", (key, key)).fetchone()):
            conn.execute("INSERT INTO pending.meta VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                         "value = excluded.value, keep = excluded.keep", (key, value, int(bool(keep))))
    elif db == "main" or not conn.execute(f"SELECT 1 FROM main.{table} WHERE uid = ?", values[:1]).fetchone():
        conn.execute(f"INSERT INTO {db}.{table} VALUES ({', '.join('?' * len(values))}) ON CONFLICT(uid) DO NOTHING",
                     values)


def _write_queue(conn: sqlite3.Connection) -> None:
    for table in WORK:
        listed = ", ".join(TABLES[table])
        conn.execute(f"INSERT INTO main.{table} ({listed}) SELECT {listed} FROM pending.{table} WHERE true "
                     "ORDER BY rowid ON CONFLICT(uid) DO NOTHING")
    conn.execute("INSERT INTO main.meta SELECT key, value FROM pending.meta WHERE keep ORDER BY rowid "
                 "ON CONFLICT(key) DO NOTHING")
    conn.execute("INSERT INTO main.meta SELECT key, value FROM pending.meta WHERE NOT keep ORDER BY rowid "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
    for table in TABLES:
        conn.execute(f"DELETE FROM pending.{table}")


class WriteQueue:
    """The store's one connection: each write lands in the file at once, or waits in order while it is locked.

    Parameters
    ----------
    path:
        The progress file, or None for a store kept in memory.
    opened:
        What `open_progress_file` returned for it.
    landed:
        Called (on the retry thread) once waiting rows have been written, so views can drop a "delayed" note.
    """

    def __init__(self, path: Path | None, opened: Opened, landed: Callable[[], None]):
        self.path, self.conn, self.warning, self.notice = path, opened.conn, opened.warning, opened.notice
        self.lock = threading.RLock()
        self._landed = landed
        self._retrying: threading.Thread | None = None
        self._closed = False
        # the queue's file, attached when a first row has to wait (or one is left from before); None once attached
        self._queue = Path(f"{path}-pending") if path is not None and opened.warning is None else None
        attach_queue(self.conn, None)
        _LIVE.add(self)
        if self._queue is not None and os.path.lexists(self._queue):
            self._queue_on_disk()
            if self.delayed and not self._try_queue():  # rows an earlier session left waiting: written now, or soon
                self._retry_soon()

    @property
    def delayed(self) -> int:
        """Return how many rows wait for the file's lock (0 when all is written)."""
        with self.lock:
            try:
                return self.conn.execute("SELECT " + " + ".join(f"(SELECT count(*) FROM pending.{t})"
                                                                 for t in TABLES)).fetchone()[0]
            except sqlite3.ProgrammingError:  # closed: nothing can wait any more
                return 0

    def read(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run a query and return its rows."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def write(self, rows: list[tuple[str, tuple]]) -> None:
        """Write rows in one transaction, or queue them behind rows already waiting; raise sqlite3.Error if refused."""
        with self.lock:
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            if not self.delayed:
                try:
                    return self._transaction("BEGIN IMMEDIATE", lambda c: [_put(c, "main", *r) for r in rows])
                except sqlite3.DatabaseError as exc:
                    if not is_busy(exc):
                        self._refused(exc)
                        return self._transaction("BEGIN IMMEDIATE", lambda c: [_put(c, "main", *r) for r in rows])
            if self._queue is not None and not self.delayed:
                self._queue_on_disk()
            self._transaction("BEGIN", lambda c: [_put(c, "pending", *r) for r in rows])
            self._retry_soon()
        if _exiting:  # the exit flush has already run: this write cannot wait for the retry thread
            self.flush(EXIT_WAIT)

    def flush(self, timeout: float) -> bool:
        """Try for up to `timeout` seconds to write every waiting row; return True when nothing waits."""
        deadline = time.monotonic() + timeout
        while not self._try_queue():
            if time.monotonic() >= deadline:
                return False
            time.sleep(_RETRY_PAUSES[0])
        return True

    def close(self, timeout: float) -> bool:
        """Write what waits (for up to `timeout` seconds) and close; return False if rows still wait.

        Rows still waiting are not dropped: the retry thread writes them when the lock clears, then closes.
        """
        written = self.flush(timeout)
        with self.lock:
            self._closed = True
            if written or not self.delayed:
                self.conn.close()
            else:
                self._retry_soon()
        return written

    def _queue_on_disk(self) -> None:
        """Keep waiting rows in the queue's file from now on (memory, empty, gives way), or in memory if it fails."""
        self.conn.execute("DETACH DATABASE pending")
        attach_queue(self.conn, self._queue)
        self._queue = None

    def _retry_soon(self) -> None:
        if self._retrying is None:
            self._retrying = threading.Thread(target=self._retry, name="progress-file-retry", daemon=True)
            self._retrying.start()

    def _transaction(self, begin: str, work: Callable[[sqlite3.Connection], object]) -> None:
        conn = self.conn
        if conn.in_transaction:  # re-entered from a signal handler in the middle of a save: that save holds the file
            raise sqlite3.OperationalError("database is locked by a save under way in this thread")
        conn.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_MS}")
        try:
            conn.execute(begin)
            work(conn)
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {READ_WAIT_MS}")

    def _refused(self, exc: sqlite3.DatabaseError) -> None:
        """Move to memory, keeping every row written and waiting, when the file refuses a write; raise otherwise."""
        if isinstance(exc, _REFUSED) or self.path is None or self.warning:
            raise exc
        old = self.conn
        opened = in_memory(f"{self.path} could not be written ({exc})", everything(old))
        old.close()  # rows waiting in the queue's file stay there: a later session writes them to the file
        self.conn, self.warning, self._queue = opened.conn, opened.warning, None
        attach_queue(self.conn, None)

    def _try_queue(self) -> bool:
        """Write every waiting row to the file in one transaction; return False while the file stays locked."""
        with self.lock:
            if not self.delayed:
                return True
            try:
                self._transaction("BEGIN IMMEDIATE", _write_queue)
            except sqlite3.DatabaseError as exc:
                if is_busy(exc):
                    return False
                self._refused(exc)  # the file failed for good: memory takes the waiting rows
            return True

    def _retry(self) -> None:
        pause = _RETRY_PAUSES[0]
        try:
            while True:
                time.sleep(pause)
                pause = min(pause * 2, _RETRY_PAUSES[1])
                with self.lock:
                    if self._try_queue():
                        self._retrying = None  # under the lock: a write queued after this starts a new thread
                        if self._closed:
                            self.conn.close()
                        break
        except BaseException:
            with self.lock:
                self._retrying = None  # a later write, or close(), tries again
            raise
        self._landed()


_LIVE: weakref.WeakSet[WriteQueue] = weakref.WeakSet()
_exiting = False


def flush_all(timeout: float = EXIT_WAIT) -> bool:
    """Give every open store up to `timeout` seconds to write what waits; return True when nothing waits anywhere.

    For a kernel about to stop (at exit, or in a SIGTERM handler after the views have saved their text).
    """
    return all([queue.flush(timeout) for queue in list(_LIVE)])


@atexit.register
def _write_all_at_exit() -> None:
    global _exiting
    _exiting = True  # from now on a write that has to wait is written before it returns (see `write`)
    flush_all(EXIT_WAIT)
