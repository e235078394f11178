"""The live service's data: sessions, who joined them, and the answers shared, in a database named by URL.

The URL takes SQLAlchemy's form, as JupyterHub's own `db_url` does: `sqlite:///path/live.sqlite` (the
default, in the service's data folder) or `postgresql://user:pass@host/db` for a larger hub. Every method
is one short transaction and blocks: the service calls them from worker threads, never on its event loop.
Callers pass only validated values (`course.live.rules`).

Besides every answer as received, the store keeps what the dashboard counts as the answers arrive: each
person's first answer per question (`live_firsts`, written once) and their latest (`live_latest`, replaced),
so a refresh reads at most members x questions rows however many answers a session holds.

SQLite files are opened in WAL mode with `secure_delete` on, and the write-ahead log is emptied after a
session is deleted, so deleted answers and names do not stay readable in the files.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from course.live.rules import MAX_MEMBERS, MAX_OPEN, Answer, FirstAnswers, Refused, new_code, new_learner_id, pseudonym

UPGRADE_WAIT = 60.0  # seconds a starting service waits for another one creating or upgrading the same SQLite file
_meta = sa.MetaData()
sessions = sa.Table(
    "live_sessions", _meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("code", sa.String(12), nullable=False),
    sa.Column("instructor", sa.String(255), nullable=False, index=True),
    sa.Column("lessons", sa.Text, nullable=False),  # JSON list of lesson ids
    sa.Column("hub_groups", sa.Text, nullable=False, server_default="[]"),  # JSON list of hub groups; empty: everyone
    sa.Column("opened_at", sa.String(40), nullable=False),
    sa.Column("closed_at", sa.String(40), nullable=True),
    # Only an open session holds its code: a closed one's code no longer finds it and may be given out again.
    sa.Index("live_open_code", "code", unique=True, sqlite_where=sa.text("closed_at IS NULL"),
             postgresql_where=sa.text("closed_at IS NULL")),
)
members = sa.Table(
    "live_members", _meta,
    sa.Column("session_id", sa.String(32), sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("person", sa.String(255), primary_key=True),
    sa.Column("pseudonym", sa.String(40), nullable=False),
    sa.Column("learner_id", sa.String(32), nullable=False),  # random, drawn at join: the export's learner_id
    sa.Column("joined_at", sa.String(40), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)
answers = sa.Table(
    "live_answers", _meta,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(32), sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("person", sa.String(255), nullable=False),
    sa.Column("uid", sa.String(32), nullable=False),
    sa.Column("lesson", sa.String(80), nullable=False),
    sa.Column("question", sa.String(80), nullable=False),
    sa.Column("answer", sa.Text, nullable=False),  # JSON
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.UniqueConstraint("session_id", "person", "uid", name="live_answer_once"),  # also counts a learner's answers
    sa.Index("live_answers_by_session", "session_id", "seq"),
)


def _per_question(name: str) -> sa.Table:
    return sa.Table(
        name, _meta,
        sa.Column("session_id", sa.String(32), sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("person", sa.String(255), primary_key=True),
        sa.Column("lesson", sa.String(80), primary_key=True),
        sa.Column("question", sa.String(80), primary_key=True),
        sa.Column("answer", sa.Text, nullable=False),  # JSON, as in live_answers
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),  # the answer's seq in live_answers
    )


firsts = _per_question("live_firsts")   # each person's first answer per question, written once
latest = _per_question("live_latest")   # each person's latest answer per question, replaced as answers arrive
_KEY = ("session_id", "person", "lesson", "question")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Session:
    """One live session: its instructor (a hub user name), lessons, the hub groups it is restricted to (none: open to
    every hub user), join code, and when it opened and closed."""

    id: str
    code: str
    instructor: str
    lessons: tuple[str, ...]
    opened_at: str
    closed_at: str | None
    groups: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        """Tell whether learners can still join and send answers."""
        return self.closed_at is None

    def as_json(self) -> dict:
        """Return the session as a JSON-ready dict (the join code only while it is open)."""
        return {"id": self.id, "code": self.code if self.open else None, "instructor": self.instructor,
                "lessons": list(self.lessons), "groups": list(self.groups), "opened_at": self.opened_at,
                "closed_at": self.closed_at, "open": self.open}


@dataclass(frozen=True)
class Membership:
    """A learner in a session: the name the session shows for them, and whether they share now."""

    pseudonym: str
    active: bool


def _session(row) -> Session:
    return Session(row.id, row.code, row.instructor, tuple(json.loads(row.lessons)), row.opened_at, row.closed_at,
                   tuple(json.loads(row.hub_groups or "[]")))


class LiveStore:
    """Sessions, members and answers in one database.

    Parameters
    ----------
    url:
        A SQLAlchemy database URL. SQLite files are opened in WAL mode, with `secure_delete` on and a busy timeout.
    busy_timeout:
        Seconds an SQLite statement waits for another writer's lock before raising
        `sqlalchemy.exc.OperationalError` (the service answers 503 then).
    """

    def __init__(self, url: str, busy_timeout: float = 1.5):
        self.engine = sa.create_engine(url)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._busy = busy_timeout
        # Writes go through this engine: on SQLite their transactions take the write lock when they begin.
        self._writer = self.engine.execution_options(live_write=True)
        if self.sqlite:
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(conn, _record):
                # The driver's own transaction handling would commit at the end of a savepoint: SQLAlchemy begins
                # every transaction itself instead (its documented recipe for pysqlite).
                conn.isolation_level = None
                cursor = conn.cursor()
                cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
                # A new file turns to WAL under an exclusive lock, for which SQLite may not wait: another process
                # starting on the same file at that moment gets "locked" at once, so the switch is tried again.
                deadline = time.monotonic() + UPGRADE_WAIT
                while True:
                    try:
                        cursor.execute("PRAGMA journal_mode=WAL")
                        break
                    except sqlite3.OperationalError as exc:
                        if "locked" not in str(exc) or time.monotonic() > deadline:
                            raise
                        time.sleep(0.05)
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
                cursor.close()

            @sa.event.listens_for(self.engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("live_write") else "BEGIN")
        self._writing = threading.Lock() if self.sqlite else nullcontext()  # SQLite takes one writer at a time
        self._upgrade()

    @property
    def one_writer(self) -> bool:
        """Tell whether the database takes one writer at a time (SQLite): writes then go through one thread."""
        return self.sqlite

    def close(self) -> None:
        """Close every connection."""
        self.engine.dispose()

    def _upgrade(self) -> None:
        """Create the tables, and bring a database made by an earlier version of the service up to this one.

        All of it is one writer transaction that takes the write lock first (on SQLite `BEGIN IMMEDIATE`, waiting up
        to `UPGRADE_WAIT` seconds for another process starting on the same file), and looks at the tables only once
        it holds the lock: two services starting at once never both create or alter them.
        """
        with self.engine.connect() as plain:
            if self.sqlite:  # outside any transaction: the driver runs it at once
                plain.connection.dbapi_connection.execute(f"PRAGMA busy_timeout={int(UPGRADE_WAIT * 1000)}")
            try:
                with plain.execution_options(live_write=True).begin():
                    self._upgrade_in(plain)
            finally:
                if self.sqlite:
                    plain.connection.dbapi_connection.execute(f"PRAGMA busy_timeout={int(self._busy * 1000)}")

    def _upgrade_in(self, conn) -> None:
        found = sa.inspect(conn)
        had = set(found.get_table_names())
        columns = {t: {c["name"] for c in found.get_columns(t)} for t in ("live_sessions", "live_members") if t in had}
        _meta.create_all(conn)
        if "live_sessions" in columns and "hub_groups" not in columns["live_sessions"]:
            conn.execute(sa.text("ALTER TABLE live_sessions ADD COLUMN hub_groups TEXT NOT NULL DEFAULT '[]'"))
        if "live_members" in columns and "learner_id" not in columns["live_members"]:
            conn.execute(sa.text("ALTER TABLE live_members ADD COLUMN learner_id VARCHAR(32)"))
            for row in conn.execute(sa.select(members.c.session_id, members.c.person)).all():
                conn.execute(members.update().where(members.c.session_id == row.session_id,
                                                    members.c.person == row.person)
                             .values(learner_id=new_learner_id()))
        if "live_answers" in had:
            for table, pick in ((firsts, sa.func.min), (latest, sa.func.max)):
                if table.name in had:
                    continue
                a = answers.alias("a")
                chosen = (sa.select(pick(answers.c.seq)).where(
                    answers.c.session_id == a.c.session_id, answers.c.person == a.c.person,
                    answers.c.lesson == a.c.lesson, answers.c.question == a.c.question).scalar_subquery())
                conn.execute(table.insert().from_select(
                    [*_KEY, "answer", "correct", "seq"],
                    sa.select(a.c.session_id, a.c.person, a.c.lesson, a.c.question, a.c.answer, a.c.correct,
                              a.c.seq).where(a.c.seq == chosen)))

    # -- sessions ----------------------------------------------------------------------------
    def open_session(self, instructor: str, lessons: tuple[str, ...], groups: tuple[str, ...] = ()) -> Session:
        """Open a session with a fresh join code; raise Refused (409) past `MAX_OPEN` open sessions of one instructor."""
        with self._writing, self._writer.begin() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(sessions).where(
                sessions.c.instructor == instructor, sessions.c.closed_at.is_(None))).scalar_one()
            if count >= MAX_OPEN:
                raise Refused(f"an instructor has at most {MAX_OPEN} sessions open; close one first", 409)
        for _ in range(20):  # a clash with another open session's code is rare; draw again
            row = {"id": uuid.uuid4().hex, "code": new_code(), "instructor": instructor,
                   "lessons": json.dumps(list(lessons)), "hub_groups": json.dumps(list(groups)), "opened_at": _now(),
                   "closed_at": None}
            try:
                with self._writing, self._writer.begin() as conn:
                    conn.execute(sessions.insert().values(**row))
            except sa.exc.IntegrityError:
                continue
            return Session(row["id"], row["code"], instructor, tuple(lessons), row["opened_at"], None, tuple(groups))
        raise Refused("no free join code was found; try again", 503)

    def open_or_again(self, instructor: str, lessons: tuple[str, ...], groups: tuple[str, ...] = ()
                      ) -> tuple[Session, bool]:
        """Return the instructor's open session for these lessons and groups (a re-run cell), or open one.

        Returns (session, whether it was opened now). Raises Refused as `open_session` does.
        """
        for found in self.sessions_of(instructor):
            if found.open and found.lessons == tuple(lessons) and found.groups == tuple(groups):
                return found, False
        return self.open_session(instructor, lessons, groups), True

    def session(self, session_id: str) -> Session | None:
        """Return a session by id, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sessions.select().where(sessions.c.id == session_id)).first()
        return _session(row) if row else None

    def by_code(self, code: str) -> Session | None:
        """Return the open session with this join code, or None (a closed session's code finds nothing)."""
        with self.engine.connect() as conn:
            row = conn.execute(sessions.select().where(sessions.c.code == code, sessions.c.closed_at.is_(None))).first()
        return _session(row) if row else None

    def sessions_of(self, instructor: str) -> list[Session]:
        """Return an instructor's sessions, the newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sessions.select().where(sessions.c.instructor == instructor)
                                .order_by(sessions.c.opened_at.desc(), sessions.c.id)).all()
        return [_session(r) for r in rows]

    def open_sessions(self) -> list[Session]:
        """Return every open session, the newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sessions.select().where(sessions.c.closed_at.is_(None))
                                .order_by(sessions.c.opened_at.desc(), sessions.c.id)).all()
        return [_session(r) for r in rows]

    def close_session(self, session_id: str) -> Session | None:
        """Close a session (its code stops working at once); return it as it is now, or None if there is none."""
        with self._writing, self._writer.begin() as conn:
            conn.execute(sessions.update().where(sessions.c.id == session_id, sessions.c.closed_at.is_(None))
                         .values(closed_at=_now()))
        return self.session(session_id)

    def delete_session(self, session_id: str) -> bool:
        """Delete a session with its members and answers; return whether there was one.

        On SQLite the deleted rows are overwritten (`secure_delete`) and the write-ahead log is emptied afterwards
        (`wal_checkpoint(TRUNCATE)`), so nothing of the session stays readable in the database's files.
        """
        with self._writing:
            with self._writer.begin() as conn:
                for table in (firsts, latest, answers, members):
                    conn.execute(table.delete().where(table.c.session_id == session_id))
                found = conn.execute(sessions.delete().where(sessions.c.id == session_id)).rowcount > 0
            if self.sqlite:
                self._empty_log()
        return found

    def _empty_log(self) -> None:
        # Outside any transaction (a raw connection); a reader that is mid-query keeps the log from being emptied:
        # try again a few times.
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for _ in range(20):
                busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    break
                time.sleep(0.05)
            cursor.close()
        finally:
            raw.close()

    # -- members -----------------------------------------------------------------------------
    def join(self, session: Session, person: str) -> Membership:
        """Add a learner to an open session (again, after leaving: under the same pseudonym); return the membership.

        A new member gets a random pseudonym and a random learner id (`rules.new_learner_id`), both kept.
        Raises Refused (409) when the session is full (`MAX_MEMBERS`).
        """
        with self._writing, self._writer.begin() as conn:
            row = conn.execute(members.select().where(members.c.session_id == session.id,
                                                      members.c.person == person)).first()
            if row is not None:
                conn.execute(members.update().where(members.c.session_id == session.id, members.c.person == person)
                             .values(active=True))
                return Membership(row.pseudonym, True)
            taken = set(conn.execute(sa.select(members.c.pseudonym).where(members.c.session_id == session.id)).scalars())
            if len(taken) >= MAX_MEMBERS:
                raise Refused(f"a session takes at most {MAX_MEMBERS:,} learners", 409)
            name = pseudonym(taken)
            conn.execute(members.insert().values(session_id=session.id, person=person, pseudonym=name,
                                                 learner_id=new_learner_id(), joined_at=_now(), active=True))
            return Membership(name, True)

    def leave(self, session_id: str, person: str) -> bool:
        """Stop a learner's sharing with a session (answers already shared stay); return whether they had joined."""
        with self._writing, self._writer.begin() as conn:
            return conn.execute(members.update().where(members.c.session_id == session_id, members.c.person == person)
                                .values(active=False)).rowcount > 0

    def membership(self, session_id: str, person: str) -> Membership | None:
        """Return a learner's membership of a session, or None if they never joined it."""
        with self.engine.connect() as conn:
            row = conn.execute(members.select().where(members.c.session_id == session_id,
                                                      members.c.person == person)).first()
        return Membership(row.pseudonym, bool(row.active)) if row else None

    def memberships(self, person: str, session_ids: list[str]) -> dict[str, Membership]:
        """Return a learner's memberships among the given sessions, by session id."""
        if not session_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(members.select().where(members.c.person == person,
                                                       members.c.session_id.in_(session_ids))).all()
        return {r.session_id: Membership(r.pseudonym, bool(r.active)) for r in rows}

    def member_count(self, session_id: str) -> dict[str, int]:
        """Return how many learners joined a session, and how many share now."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(members.c.active, sa.func.count()).where(members.c.session_id == session_id)
                                .group_by(members.c.active)).all()
        counts = {bool(active): n for active, n in rows}
        return {"joined": sum(counts.values()), "sharing": counts.get(True, 0)}

    # -- answers -----------------------------------------------------------------------------
    def add_answer(self, session_id: str, person: str, answer: Answer, cap: int) -> bool:
        """Store one answer; return False when this learner already sent the same uid (a retry), storing nothing.

        Raises Refused (429) once the learner has sent `cap` answers to the session (`rules.answer_cap`).
        """
        return self.add_answers(session_id, person, [answer], cap) == 1

    def add_answers(self, session_id: str, person: str, batch: list[Answer], cap: int) -> int:
        """Store a learner's answers in order, in one transaction; return how many were new (retries are skipped).

        Raises Refused (429), storing none of the batch, when its new answers would take the learner past `cap`
        answers to the session; a retry of an answer already stored never counts against the cap.
        """
        stored = 0
        with self._writing, self._writer.begin() as conn:
            sent = conn.execute(sa.select(sa.func.count()).select_from(answers).where(
                answers.c.session_id == session_id, answers.c.person == person)).scalar_one()
            for answer in batch:
                text = json.dumps(answer.answer)
                try:
                    with conn.begin_nested():
                        seq = conn.execute(answers.insert().values(
                            session_id=session_id, person=person, uid=answer.uid, lesson=answer.lesson,
                            question=answer.question, answer=text, correct=answer.correct, score=answer.score,
                            at=answer.at)).inserted_primary_key[0]
                except sa.exc.IntegrityError:
                    continue
                sent += 1
                if sent > cap:  # leaving the block by this exception rolls the whole batch back
                    raise Refused(f"a learner sends at most {cap:,} answers to this session", 429)
                row = {"session_id": session_id, "person": person, "lesson": answer.lesson,
                       "question": answer.question, "answer": text, "correct": answer.correct, "seq": seq}
                self._keep_first(conn, row)
                self._keep_latest(conn, row)
                stored += 1
        return stored

    def _insert(self, table: sa.Table, row: dict):
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table).values(**row)

    def _keep_first(self, conn, row: dict) -> None:
        if self.engine.dialect.name in ("sqlite", "postgresql"):
            conn.execute(self._insert(firsts, row).on_conflict_do_nothing(index_elements=list(_KEY)))
            return
        key = [firsts.c[k] == row[k] for k in _KEY]
        if conn.execute(sa.select(firsts.c.seq).where(*key)).first() is None:
            conn.execute(firsts.insert().values(**row))

    def _keep_latest(self, conn, row: dict) -> None:
        if self.engine.dialect.name in ("sqlite", "postgresql"):
            stmt = self._insert(latest, row)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=list(_KEY), where=latest.c.seq < stmt.excluded.seq,
                set_={"answer": stmt.excluded.answer, "correct": stmt.excluded.correct, "seq": stmt.excluded.seq}))
            return
        key = [latest.c[k] == row[k] for k in _KEY]
        if conn.execute(sa.select(latest.c.seq).where(*key)).first() is None:
            conn.execute(latest.insert().values(**row))
        else:
            conn.execute(latest.update().where(*key, latest.c.seq < row["seq"])
                         .values(answer=row["answer"], correct=row["correct"], seq=row["seq"]))

    def counts(self, session_id: str) -> tuple[FirstAnswers, dict[tuple[str, str], int]]:
        """Return what the dashboard counts (`rules.tally` takes it): first answers and people right now.

        Reads the kept first and latest answers, grouped in the database: at most members x questions rows.
        """
        first = (sa.select(firsts.c.lesson, firsts.c.question, firsts.c.answer, firsts.c.correct, sa.func.count())
                 .where(firsts.c.session_id == session_id)
                 .group_by(firsts.c.lesson, firsts.c.question, firsts.c.answer, firsts.c.correct))
        now = (sa.select(latest.c.lesson, latest.c.question, sa.func.count())
               .where(latest.c.session_id == session_id, latest.c.correct.is_(True))
               .group_by(latest.c.lesson, latest.c.question))
        with self.engine.connect() as conn:
            rows = conn.execute(first).all()
            right = {(r[0], r[1]): int(r[2]) for r in conn.execute(now).all()}
        return [(r[0], r[1], json.loads(r[2]), bool(r[3]), int(r[4])) for r in rows], right

    def answer_rows(self, session_id: str) -> list[tuple[str, str, str, object, bool]]:
        """Return (person, lesson, question, answer, correct) for every answer of a session, in the order received."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(answers.c.person, answers.c.lesson, answers.c.question, answers.c.answer,
                                          answers.c.correct).where(answers.c.session_id == session_id)
                                .order_by(answers.c.seq)).all()
        return [(r.person, r.lesson, r.question, json.loads(r.answer), bool(r.correct)) for r in rows]

    def export_rows(self, session_id: str) -> list[tuple[str, str, Answer]]:
        """Return (learner id, pseudonym, answer) for every answer of a session, in the order received (no hub names)."""
        query = (sa.select(answers.c.uid, answers.c.lesson, answers.c.question, answers.c.answer, answers.c.correct,
                           answers.c.score, answers.c.at, members.c.learner_id, members.c.pseudonym)
                 .join(members, sa.and_(members.c.session_id == answers.c.session_id, members.c.person == answers.c.person))
                 .where(answers.c.session_id == session_id).order_by(answers.c.seq))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(r.learner_id, r.pseudonym, Answer(r.uid, r.lesson, r.question, json.loads(r.answer), bool(r.correct),
                                                   float(r.score), r.at)) for r in rows]

    def answer_count(self, session_id: str) -> int:
        """Return how many answers a session holds."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(answers)
                                .where(answers.c.session_id == session_id)).scalar_one()
