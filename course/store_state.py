"""The progress store's file as the learner meets it: where work is kept, what went wrong, who listens.

`ProgressFile` is the half of `ProgressStore` that does not record or read progress: it opens the
file (`course.store_file`), sends every write through one `WriteQueue` (`course.store_writes`), and
calls the views that listen for writes.
"""
from __future__ import annotations

import logging
import threading
import weakref
from pathlib import Path
from typing import Callable

from course.store_file import open_progress_file
from course.store_writes import WriteQueue

CLOSE_WAIT = 5.0  # seconds `close()` waits for a locked file before leaving its rows to the retry thread
_log = logging.getLogger(__name__)
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
        self._listeners: list = []  # replaced, never changed in place, and only under `_listening`
        self._listening = threading.Lock()  # the retry thread notifies while the notebook adds and stops views
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
        delayed rows reach the file, callbacks run once more, on the store's background thread. Views
        may be added and stopped from any thread, and from inside a callback.
        """
        ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
        with self._listening:
            self._listeners = [*self._listeners, ref]

        def stop() -> None:
            with self._listening:
                self._listeners = [r for r in self._listeners if r is not ref]

        return stop

    @property
    def listener_count(self) -> int:
        """Return how many live views are listening for writes."""
        return sum(1 for ref in self._listeners if ref() is not None)

    def _changed(self) -> None:
        with self._listening:
            listeners = self._listeners
        dead = []
        for ref in listeners:  # outside the lock: a callback may add or stop views, and a slow one blocks no one
            callback = ref()
            if callback is None:
                dead.append(ref)
            elif any(r is ref for r in self._listeners):  # not stopped by a callback called before it
                try:
                    callback()
                except Exception:  # a view's refresh must never break a save
                    _log.exception("A view failed to refresh after a save")
        if dead:
            with self._listening:  # only the dead go: views added or stopped meanwhile stay as they are now
                self._listeners = [r for r in self._listeners if not any(r is d for d in dead)]

    def _write(self, rows: list[tuple[str, tuple]], notify: bool = True) -> None:
        self._file.write(rows)
        if notify:
            self._changed()

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._file.read(sql, params)
