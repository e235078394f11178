"""The learner's progress store: SQLite in the learner's data directory, never losing a word.

Every quiz attempt, every revision of a reflection and every rating is a row with its own id, so
exports can be merged back idempotently. "Latest" always means the latest written into this store,
whatever time a row carries (an imported row's time comes from another machine's clock).

`ProgressStore` records and reads; what can go wrong with the file is handled by its base,
`course.store_state.ProgressFile`: a file another program holds locked delays writes without losing
them, even from a killed kernel (`delayed`, `status_message()`); a file that cannot be written, or is
no file at all (a pipe), keeps the session in memory and says so in `warning`; a damaged, foreign or
newer file is salvaged, moved aside or left untouched, and `notice` says what happened.
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import uuid
from pathlib import Path
from typing import Any, Callable

from course.store_schema import FILE_NAME, SCHEMA_VERSION, Saved, clean_text, now, utc_time
from course.store_state import ProgressFile
from course.store_writes import flush_all

__all__ = ["DATA_DIR_ENV", "FILE_NAME", "LEARNER_ID", "SCHEMA_VERSION", "ProgressStore", "Saved", "clean_text",
           "data_dir", "default_store", "flush_all", "now", "reset_default_store", "utc_time"]

_log = logging.getLogger(__name__)
DATA_DIR_ENV = "LEAD_MANAGE_DATA_DIR"
LEARNER_ID_KEY = "learner_id"
LEARNER_ID = re.compile(r"[0-9a-f]{32}")


def data_dir() -> Path:
    """Return the folder the progress store lives in (LEAD_MANAGE_DATA_DIR overrides the default)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("lead-manage", appauthor=False))


def _rows(items: list[dict], kind: str, fields: Callable[[dict], tuple]) -> list[tuple[str, tuple]]:
    out = []
    for n, item in enumerate(items, 1):
        try:
            at = utc_time(item["at"])
        except ValueError:
            raise ValueError(f"{kind} {n} has a time ('at') that is not an ISO 8601 date and time, such as "
                             "2026-11-01T10:00:00+00:00") from None
        out.append((kind + "s", (*fields(item), at)))
    return out


class ProgressStore(ProgressFile):
    """A durable record of one learner's quiz attempts, reflections and ratings.

    Parameters
    ----------
    path:
        The SQLite file. None means `progress.sqlite3` in `data_dir()`; ":memory:" keeps
        everything in memory (used as the fallback when the file cannot be written).
    """

    def __init__(self, path: str | Path | None = None):
        memory = path == ":memory:"
        super().__init__(None if memory else data_dir() / FILE_NAME if path is None else Path(path))
        self._learner_id: str | None = None
        self._attempt_listeners: tuple[Callable, ...] = ()  # replaced under the lock, never changed in place
        self._attempt_lock = threading.Lock()

    # -- quiz attempts ---------------------------------------------------------------------
    def record_attempt(self, lesson: str, question: str, answer: Any, correct: bool, score: float) -> str:
        """Store one checked answer; return its id. Then call each `on_attempt` listener."""
        uid = uuid.uuid4().hex
        self._write([("attempts", (uid, lesson, question, json.dumps(answer), int(bool(correct)), float(score),
                                   now()))])
        for callback in self._attempt_listeners:
            try:
                callback(lesson, question, answer, bool(correct))
            except Exception:  # a listener (a live session's sender) must never break Check
                _log.exception("An attempt listener failed")
        return uid

    def on_attempt(self, callback: Callable[[str, str, Any, bool], None]) -> Callable[[], None]:
        """Call `callback(lesson, question, answer, correct)` after every `record_attempt`, until stopped.

        The call runs on the thread that records the attempt, so a callback should only queue work. An
        exception it raises is logged, never raised to the caller. Returns a function that stops the calls.
        Imports (`merge`) are not attempts and call nothing.
        """
        with self._attempt_lock:
            self._attempt_listeners = (*self._attempt_listeners, callback)

        def stop() -> None:
            with self._attempt_lock:
                self._attempt_listeners = tuple(c for c in self._attempt_listeners if c is not callback)

        return stop

    def last_answer(self, lesson: str, question: str) -> Any:
        """Return the learner's latest answer to a question (the last one written), or None."""
        rows = self._read("SELECT answer FROM all_attempts WHERE lesson = ? AND question = ? "
                          "ORDER BY queued DESC, seq DESC LIMIT 1", (lesson, question))
        return json.loads(rows[0][0]) if rows else None

    def attempt_count(self, lesson: str, question: str) -> int:
        """Return how many times a question has been checked."""
        sql = "SELECT COUNT(*) FROM all_attempts WHERE lesson = ? AND question = ?"
        return self._read(sql, (lesson, question))[0][0]

    def attempts(self, lesson: str | None = None) -> list[dict]:
        """Return every attempt (of one lesson, if given) in the order written, as dicts of the export's fields."""
        where, params = (" WHERE lesson = ?", (lesson,)) if lesson else ("", ())
        rows = self._read("SELECT uid, lesson, question, answer, correct, score, at FROM all_attempts"
                          + where + " ORDER BY queued, seq", params)
        return [{"uid": r[0], "lesson": r[1], "question": r[2], "answer": json.loads(r[3]),
                 "correct": bool(r[4]), "score": r[5], "at": r[6]} for r in rows]

    def solved(self) -> set[tuple[str, str]]:
        """Return (lesson, question) pairs answered correctly at least once."""
        return set(self._read("SELECT DISTINCT lesson, question FROM all_attempts WHERE correct = 1"))

    # -- reflections -----------------------------------------------------------------------
    def save_reflection(self, lesson: str, reflection: str, text: str) -> Saved:
        """Store a new revision of a reflection (an unchanged text is not stored twice, even while delayed).

        Typed text is never refused: a broken character (a lone surrogate, as from half an emoji)
        is stored as U+FFFD and the rest is kept.
        """
        text = clean_text(text)
        with self._file.lock:
            latest = self.reflection(lesson, reflection)
            if latest is not None and latest.text == text:
                return latest
            saved = Saved(text, now())
            self._write([("reflections", (uuid.uuid4().hex, lesson, reflection, text, saved.at))], notify=False)
        self._changed()
        return saved

    def reflection(self, lesson: str, reflection: str) -> Saved | None:
        """Return the latest revision of a reflection (the last one written, delayed or not), or None."""
        rows = self._read("SELECT text, at FROM all_reflections WHERE lesson = ? AND reflection = ? "
                          "ORDER BY queued DESC, seq DESC LIMIT 1", (lesson, reflection))
        return Saved(*rows[0]) if rows else None

    def reflection_revisions(self, lesson: str | None = None) -> list[dict]:
        """Return every saved revision of every reflection in the order written, as dicts of the export's fields."""
        where, params = (" WHERE lesson = ?", (lesson,)) if lesson else ("", ())
        rows = self._read("SELECT uid, lesson, reflection, text, at FROM all_reflections"
                          + where + " ORDER BY queued, seq", params)
        return [{"uid": r[0], "lesson": r[1], "reflection": r[2], "text": r[3], "at": r[4]} for r in rows]

    def latest_reflections(self) -> dict[tuple[str, str], Saved]:
        """Return the latest revision of each reflection."""
        return {(r["lesson"], r["reflection"]): Saved(r["text"], r["at"]) for r in self.reflection_revisions()}

    # -- self-assessment ratings -----------------------------------------------------------
    def save_rating(self, phase: str, item: str, value: int | None) -> None:
        """Store a rating (1-5, or None to clear it) for one self-assessment item; raise ValueError otherwise."""
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
            raise ValueError(f"a rating is a whole number from 1 to 5, not {value!r}")
        self._write([("ratings", (uuid.uuid4().hex, phase, item, value, now()))])

    def ratings(self, phase: str) -> dict[str, int | None]:
        """Return the latest rating (the last written) of each item in a phase ('before' or 'after')."""
        return dict(self._read("SELECT item, value FROM all_ratings WHERE phase = ? ORDER BY queued, seq", (phase,)))

    def has_ratings(self) -> bool:
        """Tell whether any self-assessment rating has been given."""
        return bool(self._read("SELECT 1 FROM all_ratings WHERE value IS NOT NULL LIMIT 1"))

    def rating_rows(self) -> list[dict]:
        """Return every rating ever saved in the order written, as dicts of the export's fields."""
        rows = self._read("SELECT uid, phase, item, value, at FROM all_ratings ORDER BY queued, seq")
        return [{"uid": r[0], "phase": r[1], "item": r[2], "value": r[3], "at": r[4]} for r in rows]

    # -- settings --------------------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        """Return a stored setting (a delayed one included)."""
        rows = self._read("SELECT value, 0 AS waiting FROM main.meta WHERE key = ?1 UNION ALL SELECT value, 1 "
                          "FROM pending.meta WHERE key = ?1 AND NOT (keep AND EXISTS (SELECT 1 FROM main.meta "
                          "WHERE key = ?1)) ORDER BY waiting DESC LIMIT 1", (key,))
        return rows[0][0] if rows else default

    def set(self, key: str, value: str) -> None:
        """Store a setting."""
        self._write([("meta", (key, value, False))])

    # -- the learner's identity --------------------------------------------------------------
    @property
    def learner_id(self) -> str:
        """Return this learner's random id (32 hex digits), created once and kept in the store.

        It seeds the per-learner option order and travels in exports, so class results can tell
        two learners with the same name apart. It names no one.
        """
        if self._learner_id is None:
            with self._file.lock:
                self._write([("meta", (LEARNER_ID_KEY, uuid.uuid4().hex, True))], notify=False)
                stored = self.get(LEARNER_ID_KEY)
                if not isinstance(stored, str) or not LEARNER_ID.fullmatch(stored):
                    stored = uuid.uuid4().hex  # a value the course did not write: replace it, so exports stay valid
                    self._write([("meta", (LEARNER_ID_KEY, stored, False))], notify=False)
                self._learner_id = stored
        return self._learner_id

    def adopt_learner_id(self, learner_id: str) -> bool:
        """Take the id from an imported export when this store has no work of its own yet.

        Returns True if the id was adopted (so option orders stay as the learner knew them).
        """
        if not LEARNER_ID.fullmatch(learner_id or "") or any(self.counts().values()):
            return False
        self._write([("meta", (LEARNER_ID_KEY, learner_id, False))], notify=False)
        self._learner_id = learner_id
        return True

    # -- import ----------------------------------------------------------------------------
    def merge(self, attempts: list[dict], reflections: list[dict], ratings: list[dict]) -> dict[str, int]:
        """Add rows from an export in one transaction, skipping uids already present; return counts added.

        Imported rows count as written now: they come after this store's own rows in every "latest".
        Times are stored in UTC (`utc_time`). Raises ValueError, adding nothing, when a score is not a
        finite number, a rating is not 1-5 or None, or a time ('at') is not ISO 8601.
        """
        for a in attempts:
            score = a["score"]
            if not isinstance(score, (int, float)) or isinstance(score, bool) or not math.isfinite(score):
                raise ValueError(f"attempt {a['uid']} has a score that is not a finite number")
        for r in ratings:
            value = r["value"]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
                raise ValueError(f"rating {r['uid']} is not a whole number from 1 to 5")
        rows = _rows(attempts, "attempt", lambda a: (a["uid"], a["lesson"], a["question"], json.dumps(a["answer"]),
                                                     int(a["correct"]), float(a["score"])))
        rows += _rows(reflections, "reflection", lambda r: (r["uid"], r["lesson"], r["reflection"], r["text"]))
        rows += _rows(ratings, "rating", lambda r: (r["uid"], r["phase"], r["item"], r["value"]))
        with self._file.lock:
            before = self.counts()
            self._write(rows, notify=False)
            after = self.counts()
        self._changed()
        return {k: after[k] - before[k] for k in after}

    def counts(self) -> dict[str, int]:
        """Return how many rows each table holds (delayed rows included)."""
        return {t: self._read(f"SELECT COUNT(*) FROM all_{t}")[0][0] for t in ("attempts", "reflections", "ratings")}


_default: ProgressStore | None = None
_default_lock = threading.Lock()


def default_store() -> ProgressStore:
    """Return this kernel's store, opening it on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ProgressStore()
        return _default


def reset_default_store() -> None:
    """Forget this kernel's store so the next call opens it afresh (tests, a changed data dir)."""
    global _default
    with _default_lock:
        if _default is not None:
            _default.close()
        _default = None
