"""The live service's data: sessions, who joined them, and the answers shared, in a database named by URL.

The URL takes SQLAlchemy's form, as JupyterHub's own `db_url` does: `sqlite:///path/live.sqlite` (the
default, in the service's data folder) or `postgresql://user:pass@host/db` for a larger hub. Every method
is one short transaction; callers pass only validated values (`course.live.rules`).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from course.live.rules import MAX_ANSWERS, MAX_MEMBERS, MAX_OPEN, Answer, Refused, new_code, pseudonym

_meta = sa.MetaData()
sessions = sa.Table(
    "live_sessions", _meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("code", sa.String(12), nullable=False),
    sa.Column("instructor", sa.String(255), nullable=False, index=True),
    sa.Column("lessons", sa.Text, nullable=False),  # JSON list of lesson ids
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
    sa.UniqueConstraint("session_id", "person", "uid", name="live_answer_once"),
    sa.Index("live_answers_by_session", "session_id", "seq"),
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Session:
    """One live session: its instructor (a hub user name), lessons, join code, and when it opened and closed."""

    id: str
    code: str
    instructor: str
    lessons: tuple[str, ...]
    opened_at: str
    closed_at: str | None

    @property
    def open(self) -> bool:
        """Tell whether learners can still join and send answers."""
        return self.closed_at is None

    def as_json(self) -> dict:
        """Return the session as a JSON-ready dict (the join code only while it is open)."""
        return {"id": self.id, "code": self.code if self.open else None, "instructor": self.instructor,
                "lessons": list(self.lessons), "opened_at": self.opened_at, "closed_at": self.closed_at,
                "open": self.open}


@dataclass(frozen=True)
class Membership:
    """A learner in a session: the name the session shows for them, and whether they share now."""

    pseudonym: str
    active: bool


def _session(row) -> Session:
    return Session(row.id, row.code, row.instructor, tuple(json.loads(row.lessons)), row.opened_at, row.closed_at)


class LiveStore:
    """Sessions, members and answers in one database.

    Parameters
    ----------
    url:
        A SQLAlchemy database URL; SQLite files are opened in WAL mode with a 5 s busy timeout.
    """

    def __init__(self, url: str):
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(conn, _record):
                cursor = conn.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=5000")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()
        _meta.create_all(self.engine)

    def close(self) -> None:
        """Close every connection."""
        self.engine.dispose()

    # -- sessions ----------------------------------------------------------------------------
    def open_session(self, instructor: str, lessons: tuple[str, ...]) -> Session:
        """Open a session with a fresh join code; raise Refused (409) past `MAX_OPEN` open sessions of one instructor."""
        with self.engine.begin() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(sessions).where(
                sessions.c.instructor == instructor, sessions.c.closed_at.is_(None))).scalar_one()
            if count >= MAX_OPEN:
                raise Refused(f"an instructor has at most {MAX_OPEN} sessions open; close one first", 409)
        for _ in range(20):  # a clash with another open session's code is rare; draw again
            row = {"id": uuid.uuid4().hex, "code": new_code(), "instructor": instructor,
                   "lessons": json.dumps(list(lessons)), "opened_at": _now(), "closed_at": None}
            try:
                with self.engine.begin() as conn:
                    conn.execute(sessions.insert().values(**row))
            except sa.exc.IntegrityError:
                continue
            return Session(row["id"], row["code"], instructor, tuple(lessons), row["opened_at"], None)
        raise Refused("no free join code was found; try again", 503)

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
        with self.engine.begin() as conn:
            conn.execute(sessions.update().where(sessions.c.id == session_id, sessions.c.closed_at.is_(None))
                         .values(closed_at=_now()))
        return self.session(session_id)

    def delete_session(self, session_id: str) -> bool:
        """Delete a session with its members and answers; return whether there was one."""
        with self.engine.begin() as conn:
            conn.execute(answers.delete().where(answers.c.session_id == session_id))
            conn.execute(members.delete().where(members.c.session_id == session_id))
            return conn.execute(sessions.delete().where(sessions.c.id == session_id)).rowcount > 0

    # -- members -----------------------------------------------------------------------------
    def join(self, session: Session, person: str) -> Membership:
        """Add a learner to an open session (again, after leaving: under the same pseudonym); return the membership.

        Raises Refused (409) when the session is full (`MAX_MEMBERS`).
        """
        with self.engine.begin() as conn:
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
                                                 joined_at=_now(), active=True))
            return Membership(name, True)

    def leave(self, session_id: str, person: str) -> bool:
        """Stop a learner's sharing with a session (answers already shared stay); return whether they had joined."""
        with self.engine.begin() as conn:
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
    def add_answer(self, session_id: str, person: str, answer: Answer) -> bool:
        """Store one answer; return False when this learner already sent the same uid (a retry), storing nothing.

        Raises Refused (409) once the learner has sent `MAX_ANSWERS` answers to the session.
        """
        with self.engine.begin() as conn:
            sent = conn.execute(sa.select(sa.func.count()).select_from(answers).where(
                answers.c.session_id == session_id, answers.c.person == person)).scalar_one()
            if sent >= MAX_ANSWERS:
                raise Refused(f"a learner sends at most {MAX_ANSWERS:,} answers to one session", 409)
            try:
                with conn.begin_nested():
                    conn.execute(answers.insert().values(
                        session_id=session_id, person=person, uid=answer.uid, lesson=answer.lesson,
                        question=answer.question, answer=json.dumps(answer.answer), correct=answer.correct,
                        score=answer.score, at=answer.at))
            except sa.exc.IntegrityError:
                return False
        return True

    def answer_rows(self, session_id: str) -> list[tuple[str, str, str, object, bool]]:
        """Return (person, lesson, question, answer, correct) for every answer of a session, in the order received."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(answers.c.person, answers.c.lesson, answers.c.question, answers.c.answer,
                                          answers.c.correct).where(answers.c.session_id == session_id)
                                .order_by(answers.c.seq)).all()
        return [(r.person, r.lesson, r.question, json.loads(r.answer), bool(r.correct)) for r in rows]

    def answers_with_names(self, session_id: str) -> list[tuple[str, str, Answer]]:
        """Return (person, pseudonym, answer) for every answer of a session, in the order received."""
        query = (sa.select(answers, members.c.pseudonym)
                 .join(members, sa.and_(members.c.session_id == answers.c.session_id, members.c.person == answers.c.person))
                 .where(answers.c.session_id == session_id).order_by(answers.c.seq))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(r.person, r.pseudonym, Answer(r.uid, r.lesson, r.question, json.loads(r.answer), bool(r.correct),
                                                float(r.score), r.at)) for r in rows]

    def answer_count(self, session_id: str) -> int:
        """Return how many answers a session holds."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(answers)
                                .where(answers.c.session_id == session_id)).scalar_one()
