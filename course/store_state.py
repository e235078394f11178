"""The progress store's file as the learner meets it: where work is kept, what went wrong, who listens.

`ProgressFile` is the half of `ProgressStore` that does not record or read progress: it opens the
file (`course.store_file`), sends every write through one `WriteQueue` (`course.store_writes`), and
calls the views that listen for writes.
"""
from __future__ import annotations

import weakref
from pathlib import Path
from typing import Callable

from course.store_file import open_progress_file
from course.store_writes import WriteQueue

CLOSE_WAIT = 5.0  # seconds `close()` waits for a locked file before leaving its rows to the retry thread
DELAYED = ("Saving is delayed: another program is using your progress file. What you typed is kept and will be "
           "written when it is free.")


class ProgressFile:
    """The file behind a progress store, its state in words, and the views listening for writes.

    Parameters
    ----------
    path:
        The SQLite file, or None to keep everything in memory.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._listeners: list = []
        self._file = WriteQueue(path, open_progress_file(path), landed=self._changed)

    @property
    def warning(self) -> str | None:
        """Say why saving to disk is not working (the session is kept in memory), or None."""
        return self._file.warning

    @property
    def notice(self) -> str | None:
        """Say what happened to the file on opening (damaged and salvaged, foreign, from a newer course), or None."""
        return self._file.notice

    @property
    def delayed(self) -> int:
        """Return how many rows wait because another program holds the file (0: everything is written)."""
        return self._file.delayed

    def status_message(self) -> str | None:
        """Say that saving is delayed while rows wait for the file, else None."""
        return DELAYED if self.delayed else None

    @property
    def where(self) -> str:
        """Describe where the progress is kept, in words."""
        if self.path is None or self.warning:
            return "in memory only (this session)"
        return str(self.path)

    @property
    def _conn(self):
        return self._file.conn

    def flush(self, timeout: float = CLOSE_WAIT) -> bool:
        """Try for up to `timeout` seconds to write every delayed row; return True when nothing waits."""
        return self._file.flush(timeout)

    def close(self, timeout: float = CLOSE_WAIT) -> bool:
        """Write delayed rows (waiting up to `timeout` seconds) and close; return False if some still wait.

        Rows still waiting are written in the background as soon as the file is free; later calls raise.
        """
        return self._file.close(timeout)

    def on_change(self, callback) -> Callable[[], None]:
        """Call `callback()` after every write (held weakly when it is a bound method).

        Returns a function that stops the calls; a view replaced by a re-run cell calls it. When
        delayed rows reach the file, callbacks run once more, on the store's background thread.
        """
        ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
        self._listeners.append(ref)

        def stop() -> None:
            self._listeners = [r for r in self._listeners if r is not ref]

        return stop

    @property
    def listener_count(self) -> int:
        """Return how many live views are listening for writes."""
        return sum(1 for ref in self._listeners if ref() is not None)

    def _changed(self) -> None:
        alive = []
        for ref in self._listeners:
            callback = ref()
            if callback is not None:
                alive.append(ref)
                try:
                    callback()
                except Exception:  # a view's refresh must never break a save
                    pass
        self._listeners = alive

    def _write(self, rows: list[tuple[str, tuple]], notify: bool = True) -> None:
        self._file.write(rows)
        if notify:
            self._changed()

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._file.read(sql, params)
