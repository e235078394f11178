"""The learner's progress store: SQLite in the learner's data directory, never losing a word.

Every quiz attempt and every revision of a reflection is a row with its own id, so exports can be
merged back idempotently. When the file cannot be written, the store keeps working in memory and
says so in `warning`; when the file is damaged, it is moved aside and `notice` says where.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

DATA_DIR_ENV = "LEAD_MANAGE_DATA_DIR"
FILE_NAME = "progress.sqlite3"
SCHEMA_VERSION = 1
LEARNER_ID_KEY = "learner_id"
LEARNER_ID = re.compile(r"[0-9a-f]{32}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    uid TEXT PRIMARY KEY, lesson TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, correct INTEGER NOT NULL, score REAL NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_question ON attempts (lesson, question, at);
CREATE TABLE IF NOT EXISTS reflections (
    uid TEXT PRIMARY KEY, lesson TEXT NOT NULL, reflection TEXT NOT NULL,
    text TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reflections_by_prompt ON reflections (lesson, reflection, at);
CREATE TABLE IF NOT EXISTS ratings (
    uid TEXT PRIMARY KEY, phase TEXT NOT NULL, item TEXT NOT NULL,
    value INTEGER, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ratings_by_item ON ratings (phase, item, at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def clean_text(text: str) -> str:
    """Return text as it can be stored: a broken character (a lone surrogate) becomes U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def now() -> str:
    """Return the current UTC time as an ISO 8601 string with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def data_dir() -> Path:
    """Return the folder the progress store lives in (LEAD_MANAGE_DATA_DIR overrides the default)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("lead-manage", appauthor=False))


@dataclass(frozen=True)
class Saved:
    """A stored reflection revision: its text and when it was saved."""

    text: str
    at: str


class ProgressStore:
    """A durable record of one learner's quiz attempts, reflections and ratings.

    Parameters
    ----------
    path:
        The SQLite file. None means `progress.sqlite3` in `data_dir()`; ":memory:" keeps
        everything in memory (used as the fallback when the file cannot be written).
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path not in (None, ":memory:") else (data_dir() / FILE_NAME if path is None else None)
        self.warning: str | None = None
        self.notice: str | None = None
        self._lock = threading.RLock()
        self._listeners: list = []
        self._learner_id: str | None = None
        self._conn = self._open()

    # -- opening ---------------------------------------------------------------------------
    def _connect(self, target: str, **kwargs) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=15, isolation_level=None, check_same_thread=False, **kwargs)
        conn.execute("PRAGMA busy_timeout = 15000")
        return conn

    def _prepare(self, conn: sqlite3.Connection, wal: bool) -> None:
        if wal:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"could not switch to WAL mode ({mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executescript("SAVEPOINT setup;" + _SCHEMA + "RELEASE setup;")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            conn = self._connect(":memory:")
            self._prepare(conn, wal=False)
            return conn
        try:
            created = not self.path.parent.exists()
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            return self._in_memory(f"the folder {self.path.parent} cannot be created ({exc.strerror or exc})")
        if created or self.path.parent.name == "lead-manage":
            # Private: on a hub where learners share one filesystem, no one else can read it. A folder the
            # learner chose and the course did not create (LEAD_MANAGE_DATA_DIR) is left as it is.
            try:
                os.chmod(self.path.parent, 0o700)
            except OSError:
                pass  # a folder someone else owns can still be used; saving matters more than tightening it
        try:
            conn = self._connect(str(self.path))
            healthy = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError as exc:
            healthy, conn = ("not a database" not in str(exc) and "malformed" not in str(exc)), None
            if healthy:  # an operational problem (permissions), not damage
                return self._in_memory(f"{self.path} cannot be opened ({exc})")
        if not healthy:
            if conn is not None:
                conn.close()
            moved = self._move_aside()
            if moved is None:
                return self._in_memory(f"{self.path} is damaged and cannot be moved aside")
            self.notice = (f"Your progress file was damaged, so it was moved aside to {moved.name} "
                           f"(in {moved.parent}) and a fresh one was started.")
            conn = self._connect(str(self.path))
        try:
            self._prepare(conn, wal=True)
        except sqlite3.DatabaseError as exc:
            conn.close()
            return self._in_memory(f"{self.path} cannot be written ({exc})")
        for suffix in ("", "-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            try:
                if side.exists():
                    os.chmod(side, 0o600)
            except OSError:
                pass  # a file we cannot tighten is still usable; the folder is private
        return conn

    def _move_aside(self) -> Path | None:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"progress.corrupt-{stamp}.sqlite3")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"progress.corrupt-{stamp}-{n}.sqlite3")
        try:
            self.path.rename(target)
            for suffix in ("-wal", "-shm"):
                side = Path(str(self.path) + suffix)
                if side.exists():
                    side.rename(Path(str(target) + suffix))
        except OSError:
            return None
        return target

    def _in_memory(self, reason: str, source: sqlite3.Connection | None = None) -> sqlite3.Connection:
        """Switch to an in-memory store, keeping whatever can still be read."""
        memory = self._connect(":memory:")
        if source is None and self.path is not None and self.path.exists():
            try:
                source = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            except sqlite3.DatabaseError:
                source = None
        if source is not None:
            try:
                source.backup(memory)
            except sqlite3.DatabaseError:
                pass
        self._prepare(memory, wal=False)
        self.warning = (f"Saving to disk is not working: {reason}. Your answers are kept in memory for this "
                        "session only. Use 'Download my work' before you close, so nothing is lost.")
        return memory

    # -- writing ---------------------------------------------------------------------------
    def on_change(self, callback) -> Callable[[], None]:
        """Call `callback()` after every write (held weakly when it is a bound method).

        Returns a function that stops the calls; a view replaced by a re-run cell calls it.
        """
        import weakref

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

    def _write(self, sql: str, params: tuple, notify: bool = True) -> None:
        with self._lock:
            try:
                with self._conn:
                    self._conn.execute("BEGIN IMMEDIATE")
                    self._conn.execute(sql, params)
            except sqlite3.DatabaseError as exc:
                if self.path is None or self.warning:
                    raise
                old = self._conn
                self._conn = self._in_memory(f"{self.path} could not be written ({exc})", source=old)
                old.close()
                with self._conn:
                    self._conn.execute(sql, params)
        if notify:
            self._changed()

    def _write_many(self, statements: list[tuple[str, tuple]]) -> None:
        with self._lock:
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                for sql, params in statements:
                    self._conn.execute(sql, params)
        self._changed()

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- quiz attempts ---------------------------------------------------------------------
    def record_attempt(self, lesson: str, question: str, answer: Any, correct: bool, score: float) -> str:
        """Store one checked answer; return its id."""
        uid = uuid.uuid4().hex
        self._write("INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (uid, lesson, question, json.dumps(answer), int(bool(correct)), float(score), now()))
        return uid

    def last_answer(self, lesson: str, question: str) -> Any:
        """Return the learner's latest answer to a question, or None."""
        rows = self._read("SELECT answer FROM attempts WHERE lesson = ? AND question = ? "
                          "ORDER BY at DESC, rowid DESC LIMIT 1", (lesson, question))
        return json.loads(rows[0][0]) if rows else None

    def attempt_count(self, lesson: str, question: str) -> int:
        """Return how many times a question has been checked."""
        return self._read("SELECT COUNT(*) FROM attempts WHERE lesson = ? AND question = ?", (lesson, question))[0][0]

    def attempts(self, lesson: str | None = None) -> list[dict]:
        """Return every attempt (of one lesson, if given), oldest first."""
        sql = "SELECT uid, lesson, question, answer, correct, score, at FROM attempts"
        rows = self._read(sql + (" WHERE lesson = ?" if lesson else "") + " ORDER BY at, rowid",
                          (lesson,) if lesson else ())
        return [{"uid": r[0], "lesson": r[1], "question": r[2], "answer": json.loads(r[3]),
                 "correct": bool(r[4]), "score": r[5], "at": r[6]} for r in rows]

    def solved(self) -> set[tuple[str, str]]:
        """Return (lesson, question) pairs answered correctly at least once."""
        return set(self._read("SELECT DISTINCT lesson, question FROM attempts WHERE correct = 1"))

    # -- reflections -----------------------------------------------------------------------
    def save_reflection(self, lesson: str, reflection: str, text: str) -> Saved:
        """Store a new revision of a reflection (an unchanged text is not stored twice).

        Typed text is never refused: a broken character (a lone surrogate, as from half an emoji)
        is stored as U+FFFD and the rest is kept.
        """
        text = clean_text(text)
        latest = self.reflection(lesson, reflection)
        if latest is not None and latest.text == text:
            return latest
        saved = Saved(text, now())
        self._write("INSERT INTO reflections VALUES (?, ?, ?, ?, ?)",
                    (uuid.uuid4().hex, lesson, reflection, text, saved.at))
        return saved

    def reflection(self, lesson: str, reflection: str) -> Saved | None:
        """Return the latest revision of a reflection, or None."""
        rows = self._read("SELECT text, at FROM reflections WHERE lesson = ? AND reflection = ? "
                          "ORDER BY at DESC, rowid DESC LIMIT 1", (lesson, reflection))
        return Saved(*rows[0]) if rows else None

    def reflection_revisions(self, lesson: str | None = None) -> list[dict]:
        """Return every saved revision of every reflection, oldest first."""
        sql = "SELECT uid, lesson, reflection, text, at FROM reflections"
        rows = self._read(sql + (" WHERE lesson = ?" if lesson else "") + " ORDER BY at, rowid",
                          (lesson,) if lesson else ())
        return [{"uid": r[0], "lesson": r[1], "reflection": r[2], "text": r[3], "at": r[4]} for r in rows]

    def latest_reflections(self) -> dict[tuple[str, str], Saved]:
        """Return the latest revision of each reflection."""
        out: dict[tuple[str, str], Saved] = {}
        for r in self.reflection_revisions():
            out[(r["lesson"], r["reflection"])] = Saved(r["text"], r["at"])
        return out

    # -- self-assessment ratings -----------------------------------------------------------
    def save_rating(self, phase: str, item: str, value: int | None) -> None:
        """Store a rating (1-5, or None to clear it) for one self-assessment item; raise ValueError otherwise."""
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
            raise ValueError(f"a rating is a whole number from 1 to 5, not {value!r}")
        self._write("INSERT INTO ratings VALUES (?, ?, ?, ?, ?)", (uuid.uuid4().hex, phase, item, value, now()))

    def ratings(self, phase: str) -> dict[str, int | None]:
        """Return the latest rating of each item in a phase ('before' or 'after')."""
        rows = self._read("SELECT item, value FROM ratings WHERE phase = ? ORDER BY at, rowid", (phase,))
        return {item: value for item, value in rows}

    def has_ratings(self) -> bool:
        """Tell whether any self-assessment rating has been given."""
        return bool(self._read("SELECT 1 FROM ratings WHERE value IS NOT NULL LIMIT 1"))

    def rating_rows(self) -> list[dict]:
        """Return every rating ever saved, oldest first."""
        rows = self._read("SELECT uid, phase, item, value, at FROM ratings ORDER BY at, rowid")
        return [{"uid": r[0], "phase": r[1], "item": r[2], "value": r[3], "at": r[4]} for r in rows]

    # -- settings --------------------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        """Return a stored setting."""
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set(self, key: str, value: str) -> None:
        """Store a setting."""
        self._write("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value))

    # -- the learner's identity --------------------------------------------------------------
    @property
    def learner_id(self) -> str:
        """Return this learner's random id (32 hex digits), created once and kept in the store.

        It seeds the per-learner option order and travels in exports, so class results can tell
        two learners with the same name apart. It names no one.
        """
        if self._learner_id is None:
            with self._lock:
                self._write("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                            (LEARNER_ID_KEY, uuid.uuid4().hex), notify=False)
                stored = self.get(LEARNER_ID_KEY)
                if not isinstance(stored, str) or not LEARNER_ID.fullmatch(stored):
                    stored = uuid.uuid4().hex  # a value the course did not write: replace it, so exports stay valid
                    self._write("UPDATE meta SET value = ? WHERE key = ?", (stored, LEARNER_ID_KEY), notify=False)
                self._learner_id = stored
        return self._learner_id

    def adopt_learner_id(self, learner_id: str) -> bool:
        """Take the id from an imported export when this store has no work of its own yet.

        Returns True if the id was adopted (so option orders stay as the learner knew them).
        """
        if not LEARNER_ID.fullmatch(learner_id or "") or any(self.counts().values()):
            return False
        self._write("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (LEARNER_ID_KEY, learner_id), notify=False)
        self._learner_id = learner_id
        return True

    # -- import ----------------------------------------------------------------------------
    def merge(self, attempts: list[dict], reflections: list[dict], ratings: list[dict]) -> dict[str, int]:
        """Add rows from an export in one transaction, skipping rows already present; return counts added."""
        import math

        for a in attempts:
            if not isinstance(a["score"], (int, float)) or isinstance(a["score"], bool) or not math.isfinite(a["score"]):
                raise ValueError(f"attempt {a['uid']} has a score that is not a finite number")
        before = self.counts()
        statements = [("INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uid) DO NOTHING",
                       (a["uid"], a["lesson"], a["question"], json.dumps(a["answer"]), int(a["correct"]),
                        float(a["score"]), a["at"])) for a in attempts]
        statements += [("INSERT INTO reflections VALUES (?, ?, ?, ?, ?) ON CONFLICT(uid) DO NOTHING",
                        (r["uid"], r["lesson"], r["reflection"], r["text"], r["at"])) for r in reflections]
        statements += [("INSERT INTO ratings VALUES (?, ?, ?, ?, ?) ON CONFLICT(uid) DO NOTHING",
                        (r["uid"], r["phase"], r["item"], r["value"], r["at"])) for r in ratings]
        self._write_many(statements)
        after = self.counts()
        return {k: after[k] - before[k] for k in after}

    def counts(self) -> dict[str, int]:
        """Return how many rows each table holds."""
        return {t: self._read(f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("attempts", "reflections", "ratings")}

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    @property
    def where(self) -> str:
        """Describe where the progress is kept, in words."""
        if self.path is None or self.warning:
            return "in memory only (this session)"
        return str(self.path)


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
