"""Live sessions without a hub: the store's attempt listeners, what the service accepts, how the room is counted,
and a kernel with no service (nothing happens, nothing waits)."""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from course.live import rules
from course.live.client import LiveError, Sender, Service
from course.live.rules import Refused


# -- the store's "attempt recorded" listeners ---------------------------------------------------
def test_on_attempt_calls_each_listener_until_stopped(store):
    seen, other = [], []
    stop = store.on_attempt(lambda *args: seen.append(args))
    store.on_attempt(lambda *args: other.append(args))
    store.record_attempt("two-words", "define-managing", [1, 2], False, 0.5)
    assert seen == [("two-words", "define-managing", [1, 2], False)]
    stop()
    store.record_attempt("two-words", "define-managing", 0, True, 1.0)
    assert len(seen) == 1 and len(other) == 2 and other[1][3] is True


def test_a_failing_listener_is_logged_and_never_breaks_check(store, caplog):
    after = []
    store.on_attempt(lambda *args: 1 / 0)
    store.on_attempt(lambda *args: after.append(args))
    with caplog.at_level(logging.ERROR, logger="course.store"):
        uid = store.record_attempt("two-words", "define-managing", 0, True, 1.0)
    assert len(uid) == 32 and store.attempt_count("two-words", "define-managing") == 1
    assert after and "listener failed" in caplog.text


def test_importing_an_export_is_not_an_attempt(store):
    seen = []
    store.on_attempt(lambda *args: seen.append(args))
    store.merge([{"uid": uuid.uuid4().hex, "lesson": "two-words", "question": "define-managing", "answer": 0,
                  "correct": True, "score": 1.0, "at": "2026-11-01T10:00:00+00:00"}], [], [])
    assert seen == []


# -- what the service accepts ---------------------------------------------------------------------
def answer(**changes) -> dict:
    doc = {"uid": uuid.uuid4().hex, "lesson": "two-words", "question": "define-managing", "answer": 0, "correct": True,
           "at": "2026-11-01T10:00:00+00:00"}
    doc.update(changes)
    return doc


def body(doc) -> bytes:
    return json.dumps(doc).encode()


def test_body_size_limit_both_sides():
    padded = answer()
    padded["at"] = "2026-11-01T10:00:00+00:00"
    raw = body(padded)
    at_limit = raw[:-1] + b" " * (4096 - len(raw)) + b"}"
    assert len(at_limit) == 4096
    assert rules.parse_body(at_limit, "answer")["lesson"] == "two-words"
    with pytest.raises(Refused) as exc:
        rules.parse_body(at_limit[:-1] + b" }", "answer")
    assert exc.value.status == 413


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b"\xff\xfe", b'{"a": NaN}', b"1e999",
                                 b'{"uid": "a", "uid": "b"}', json.dumps(answer(answer="\ud800")).encode("utf-8", "surrogatepass"),
                                 b'{"lesson": "\\ud800"}', body(answer(extra=1)), body(answer(person="bob")),
                                 body(answer(uid="X" * 32)), body(answer(lesson="")), body(answer(question="q" * 81)),
                                 body(answer(answer=100)), body(answer(answer=-1)), body(answer(answer=list(range(21)))),
                                 body(answer(answer={"a": 1})), body(answer(correct="yes")), body(answer(at="x"))])
def test_malformed_bodies_are_refused(raw):
    with pytest.raises(Refused) as exc:
        doc = rules.parse_body(raw, "answer")
        rules.check_answer(doc, ["two-words"])
    assert exc.value.status == 400


def test_limits_of_the_answer_schema_both_sides():
    assert rules.parse_body(body(answer(answer=99)), "answer")["answer"] == 99
    assert len(rules.parse_body(body(answer(answer=[0] * 20)), "answer")["answer"]) == 20
    assert rules.parse_body(body(answer(question="q" * 80)), "answer")
    assert rules.parse_body(body({"lessons": ["two-words"] * 20}), "open")
    with pytest.raises(Refused):
        rules.parse_body(body({"lessons": ["two-words"] * 21}), "open")


@pytest.mark.parametrize("changes, reason", [
    ({"lesson": "frameworks"}, "does not cover"), ({"question": "no-such-question"}, "does not have"),
    ({"answer": 7}, "does not fit"), ({"answer": [0, 1]}, "does not fit"), ({"answer": None}, "unanswered"),
    ({"correct": False}, "key"), ({"at": "2026-13-01T10:00:00"}, "time"), ({"at": "yesterday at ten"}, "time"),
])
def test_answers_are_checked_against_the_bank(changes, reason):
    with pytest.raises(Refused, match=reason):
        rules.check_answer(answer(**changes), ["two-words"])


def test_answer_shapes_per_question_type():
    ok = rules.check_answer(answer(question="kotter-bennis-position", answer=[2, 0, 1], correct=True), ["two-words"])
    assert ok.answer == [0, 1, 2] and ok.correct and ok.score == 1.0
    sort = ["managing", "leading", "both", "managing", "leading", "both"]
    result = rules.check_answer(answer(question="fernhill-sort", answer=sort, correct=False), ["two-words"])
    assert result.correct is False and 0 <= result.score < 1
    with pytest.raises(Refused, match="unanswered"):
        rules.check_answer(answer(question="fernhill-sort", answer=[None] + sort[1:], correct=False), ["two-words"])
    with pytest.raises(Refused, match="does not fit"):
        rules.check_answer(answer(question="fernhill-sort", answer=["boss"] * 6, correct=False), ["two-words"])


def test_lesson_ids_are_known_and_take_notebook_names():
    assert rules.lesson_ids(["two-words", "01_two_words", "frameworks"]) == ("two-words", "frameworks")
    for bad in ([], ["no-such-lesson"]):
        with pytest.raises(Refused):
            rules.lesson_ids(bad)


def test_join_codes_are_readable_and_typed_loosely():
    code = rules.new_code()
    assert rules.CODE.fullmatch(code) and not set(code) & set("01OIL")
    assert rules.normal_code(f" {code[:3].lower()}-{code[3:]} ") == code
    assert rules.normal_code("ABC12") is None and rules.normal_code("ABCDE0") is None


def test_pseudonyms_stay_unique_past_the_word_pairs():
    taken: set[str] = set()
    for _ in range(600):
        taken.add(rules.pseudonym(taken))
    assert len(taken) == 600 and "Learner 485" in taken


# -- counting the room ------------------------------------------------------------------------------
def test_tally_counts_people_by_their_first_answer():
    rows = [("amy", "two-words", "define-managing", 1, False), ("amy", "two-words", "define-managing", 0, True),
            ("bob", "two-words", "define-managing", 0, True), ("cy", "two-words", "define-managing", 2, False),
            ("amy", "two-words", "kotter-bennis-position", [0, 1], False),
            ("bob", "two-words", "kotter-bennis-position", [0, 1, 2], True)]
    counts = {t.question: t for t in rules.tally(["two-words"], *rules.first_and_latest(rows))}
    first = counts["define-managing"]
    assert (first.answered, first.first_right) == (3, 1)
    assert first.right_now == 2  # amy put it right at her second try; cy never did
    assert [b.count for b in first.bars] == [1, 1, 1, 0] and [b.keyed for b in first.bars] == [True, False, False, False]
    multiple = counts["kotter-bennis-position"]
    assert multiple.answered == 2 and [b.count for b in multiple.bars][:4] == [2, 2, 1, 0]
    assert counts["faq-reframed"].answered == 0 and counts["faq-reframed"].first_right_share is None
    assert all("Discussion" not in line for t in counts.values() for line in t.key)
    again = rules.QuestionTally.from_json(json.loads(json.dumps(first.as_json())))
    assert again == first


def test_tally_of_a_classify_question_counts_each_statement():
    from course.bank import lesson

    question = lesson("two-words").question("fernhill-sort")
    key = [s.label for s in question.statements]
    wrong = ["both" if label != "both" else "leading" for label in key]
    rows = [("amy", "two-words", "fernhill-sort", key, True), ("bob", "two-words", "fernhill-sort", wrong, False)]
    counts = {t.question: t for t in rules.tally(["two-words"], *rules.first_and_latest(rows))}
    sort = counts["fernhill-sort"]
    assert [b.count for b in sort.bars] == [1] * len(key)
    assert all(sum(int(part.split()[-1]) for part in b.detail.split(" · ")) == 2 for b in sort.bars)


def test_a_closed_session_feeds_the_class_report():
    amy, bob = rules.new_learner_id(), rules.new_learner_id()
    made = [(amy, "Fern Otter", rules.check_answer(answer(answer=1, correct=False), ["two-words"])),
            (amy, "Fern Otter", rules.check_answer(answer(), ["two-words"])),
            (bob, "Slate Wren", rules.check_answer(answer(), ["two-words"]))]
    docs = rules.export_docs("2026-11-01T11:00:00+00:00", made)
    assert len(docs) == 2 and {d["learner"] for d in docs} == {"Fern Otter", "Slate Wren"}
    assert [d["learner_id"] for d in docs] == [amy, bob] and len(docs[0]["attempts"]) == 2
    assert all(not d["reflections"] and not d["ratings"] for d in docs)
    results = rules.class_results(docs)
    row = results.questions[results.questions["question"] == "define-managing"].iloc[0]
    assert results.learners == 2 and row["answered"] == 2 and row["first try correct"] == 0.5
    html = rules.report_html(docs)
    assert "define-managing" in html
    assert "amy" not in json.dumps(docs) and "bob" not in json.dumps(docs)  # hub user names never reach the report


def test_learner_ids_are_drawn_at_random_and_name_no_one():
    import hashlib

    drawn = {rules.new_learner_id() for _ in range(200)}
    assert len(drawn) == 200 and all(len(x) == 32 and int(x, 16) >= 0 for x in drawn)
    session = uuid.uuid4().hex
    hashes = {hashlib.sha256(f"{session}\0{name}".encode()).hexdigest()[:32] for name in ("amy", "bob", "cy")}
    assert not drawn & hashes


def test_the_answer_cap_is_ten_per_question_of_the_sessions_lessons():
    from course.bank import lesson

    one = len(lesson("two-words").questions)
    two = one + len(lesson("frameworks").questions)
    assert rules.answer_cap(["two-words"]) == 10 * one
    assert rules.answer_cap(["two-words", "frameworks"]) == 10 * two
    with pytest.raises(Refused):
        rules.answer_cap(["no-such-lesson"])


def test_sessions_for_hub_groups():
    assert rules.may_take_part((), []) and rules.may_take_part((), None)  # no groups: every hub user
    assert rules.may_take_part(("team-a",), ["other", "team-a"])
    assert not rules.may_take_part(("team-a",), ["team-b"]) and not rules.may_take_part(("team-a",), None)
    assert rules.group_names(["b", "a", "b"]) == ("a", "b")
    assert len(rules.group_names([f"g{n}" for n in range(20)])) == 20
    with pytest.raises(Refused):
        rules.group_names([f"g{n}" for n in range(21)])
    assert rules.parse_body(body({"lessons": ["two-words"], "groups": ["g" * 255]}), "open")
    for bad in ({"lessons": ["two-words"], "groups": ["g" * 256]}, {"lessons": ["two-words"], "groups": [""]},
                {"lessons": ["two-words"], "groups": "team-a"}, {"lessons": ["two-words"], "groups": [1]}):
        with pytest.raises(Refused):
            rules.parse_body(body(bad), "open")


# -- the service's store ----------------------------------------------------------------------------
@pytest.fixture
def live_store(tmp_path):
    from course.live.db import LiveStore

    found = LiveStore(f"sqlite:///{tmp_path / 'live.sqlite'}")
    yield found
    found.close()


def checked(question="define-managing", value=0, **changes):
    from course.bank import lesson
    from course.kinds import kind_of

    q = lesson("two-words").question(question)
    correct = bool(kind_of(q).score(q, kind_of(q).normalise(q, value)).correct)
    return rules.check_answer(answer(question=question, answer=value, correct=correct, **changes), ["two-words"])


def random_answers(n: int, seed: int):
    import random

    from course.bank import lesson
    from course.kinds import kind_of

    rng = random.Random(seed)
    out = []
    while len(out) < n:
        q = rng.choice(lesson("two-words").questions)
        kind = kind_of(q)
        value = kind.normalise(q, kind.sample(q, rng, rng.random() < 0.5))
        if kind.is_complete(q, value):
            out.append(checked(q.id, value))
    return out


def test_the_kept_counts_are_the_counts_of_every_answer(live_store):
    session = live_store.open_session("ines", ("two-words",))
    cap = rules.answer_cap(["two-words"])
    for n, person in enumerate(("amy", "bob", "cy", "dee")):
        live_store.join(session, person)
        batch = random_answers(25, n)
        for a in batch[:20]:
            assert live_store.add_answer(session.id, person, a, cap)
        assert live_store.add_answers(session.id, person, batch[20:] + batch[:3], cap) == 5  # the retries are skipped
    firsts, right_now = live_store.counts(session.id)
    rows = live_store.answer_rows(session.id)
    assert len(rows) == 4 * 25  # 25 each: the three retries are stored once
    assert sum(n for *_, n in firsts) == len({(person, q) for person, _, q, _, _ in rows})  # one first per person
    assert len(firsts) <= 4 * 7  # what a refresh reads: at most members x questions rows
    expected = rules.tally(["two-words"], *rules.first_and_latest(rows))
    assert rules.tally(["two-words"], firsts, right_now) == expected
    assert sum(t.answered for t in expected) > 4 and any(t.right_now != t.first_right for t in expected)


def test_a_learner_sends_at_most_the_cap_and_retries_never_count(live_store):
    session = live_store.open_session("ines", ("two-words",))
    live_store.join(session, "amy")
    batch = random_answers(71, 1)
    assert live_store.add_answers(session.id, "amy", batch[:70], 70) == 70  # the limit itself
    assert live_store.add_answer(session.id, "amy", batch[0], 70) is False  # a retry at the cap: no refusal
    with pytest.raises(Refused) as exc:
        live_store.add_answer(session.id, "amy", batch[70], 70)  # one past it
    assert exc.value.status == 429 and live_store.answer_count(session.id) == 70


def test_exports_name_members_by_the_id_drawn_at_join(live_store):
    session = live_store.open_session("ines", ("two-words",))
    for person in ("amy", "bob"):
        live_store.join(session, person)
        live_store.add_answer(session.id, person, checked(), 70)
    live_store.leave(session.id, "amy")
    live_store.join(session, "amy")  # joining again keeps the id
    live_store.add_answer(session.id, "amy", checked(value=1), 70)
    live_store.close_session(session.id)
    first = rules.export_docs("x", live_store.export_rows(session.id))
    again = rules.export_docs("x", live_store.export_rows(session.id))
    assert [d["learner_id"] for d in first] == [d["learner_id"] for d in again]
    assert len({d["learner_id"] for d in first}) == 2 and [len(d["attempts"]) for d in first] == [2, 1]
    other = live_store.open_session("ines", ("two-words",))
    live_store.join(other, "amy")
    live_store.add_answer(other.id, "amy", checked(), 70)
    assert rules.export_docs("x", live_store.export_rows(other.id))[0]["learner_id"] not in \
        {d["learner_id"] for d in first}  # a new session: a new id
    assert "amy" not in json.dumps(first) and "bob" not in json.dumps(first)


def test_a_deleted_session_leaves_nothing_readable_in_the_files(live_store, tmp_path):
    session = live_store.open_session("ines", ("two-words",))
    kept = live_store.open_session("ines", ("frameworks",))
    live_store.join(session, "zz-marker-person")
    live_store.join(kept, "still-here-person")
    live_store.add_answer(session.id, "zz-marker-person", checked(), 70)
    files = lambda: b"".join(p.read_bytes() for p in tmp_path.glob("live.sqlite*"))  # noqa: E731
    assert b"zz-marker-person" in files()
    assert live_store.delete_session(session.id) and not live_store.delete_session(session.id)
    data = files()
    assert b"zz-marker-person" not in data and session.id.encode() not in data
    assert b"still-here-person" in data  # the other session is untouched
    assert (tmp_path / "live.sqlite-wal").stat().st_size == 0


def test_a_database_of_the_earlier_layout_is_brought_up_to_date(tmp_path):
    import sqlite3

    from course.live.db import LiveStore

    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE live_sessions (id VARCHAR(32) PRIMARY KEY, code VARCHAR(12) NOT NULL, instructor VARCHAR(255) NOT NULL,
            lessons TEXT NOT NULL, opened_at VARCHAR(40) NOT NULL, closed_at VARCHAR(40));
        CREATE TABLE live_members (session_id VARCHAR(32), person VARCHAR(255), pseudonym VARCHAR(40) NOT NULL,
            joined_at VARCHAR(40) NOT NULL, active BOOLEAN NOT NULL, PRIMARY KEY (session_id, person));
        CREATE TABLE live_answers (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id VARCHAR(32) NOT NULL,
            person VARCHAR(255) NOT NULL, uid VARCHAR(32) NOT NULL, lesson VARCHAR(80) NOT NULL,
            question VARCHAR(80) NOT NULL, answer TEXT NOT NULL, correct BOOLEAN NOT NULL, score FLOAT NOT NULL,
            at VARCHAR(40) NOT NULL, UNIQUE (session_id, person, uid));
    """)
    sid = uuid.uuid4().hex
    con.execute("INSERT INTO live_sessions VALUES (?, 'ABCDEF', 'ines', '[\"two-words\"]', '2026-11-01T10:00:00+00:00', NULL)",
                (sid,))
    rows = [("amy", 1, False), ("amy", 0, True), ("bob", 0, True), ("bob", 2, False)]
    for person in ("amy", "bob"):
        con.execute("INSERT INTO live_members VALUES (?, ?, ?, '2026-11-01T10:00:00+00:00', 1)", (sid, person, person.upper()))
    for person, value, correct in rows:
        con.execute("INSERT INTO live_answers (session_id, person, uid, lesson, question, answer, correct, score, at) "
                    "VALUES (?, ?, ?, 'two-words', 'define-managing', ?, ?, 1.0, '2026-11-01T10:00:00+00:00')",
                    (sid, person, uuid.uuid4().hex, json.dumps(value), correct))
    con.commit()
    con.close()
    store = LiveStore(f"sqlite:///{path}")
    try:
        session = store.session(sid)
        assert session.groups == () and session.open
        counts = {t.question: t for t in rules.tally(["two-words"], *store.counts(sid))}["define-managing"]
        assert (counts.answered, counts.first_right, counts.right_now) == (2, 1, 1)
        ids = {learner_id for learner_id, _, _ in store.export_rows(sid)}
        assert len(ids) == 2 and all(len(x) == 32 for x in ids)
    finally:
        store.close()
    LiveStore(f"sqlite:///{path}").close()  # opening it again changes nothing


def test_repeated_log_lines_are_let_through_a_few_times_a_minute():
    from course.live.service import FewRepeats

    few = FewRepeats(most=3)
    record = lambda msg: logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, None, None)  # noqa: E731
    passed = [few.filter(record("Exception in callback accept")) for _ in range(10)]
    assert passed == [True] * 4 + [False] * 6  # three, then one saying the rest are left out
    assert few.filter(record("another message"))


# -- a kernel without a service ---------------------------------------------------------------------
def test_no_hub_no_service():
    assert Service.from_env({}) is None
    assert Service.from_env({"JUPYTERHUB_API_TOKEN": "abc"}) is None
    assert Service.from_env({"LEAD_MANAGE_LIVE_URL": "http://127.0.0.1:1/services/live/"}) is None
    assert Service.from_env({"LEAD_MANAGE_LIVE_URL": "file:///etc/passwd", "JUPYTERHUB_API_TOKEN": "abc"}) is None
    found = Service.from_env({"LEAD_MANAGE_LIVE_URL": "http://127.0.0.1:1/services/live", "JUPYTERHUB_API_TOKEN": "abc"})
    assert found.url.endswith("/services/live/") and "abc" not in repr(found)


def test_a_service_that_is_down_never_delays_check(store):
    from tests.jupyterlab import free_port

    down = Service(f"http://127.0.0.1:{free_port()}/services/live/", "token")
    notes = []
    sender = Sender(down, uuid.uuid4().hex, ["two-words"], store, notes.append, backoff=(0.05, 0.05))
    try:
        started = time.perf_counter()
        for _ in range(5):
            store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        store.record_attempt("frameworks", "any", 0, True, 1.0)  # not the session's lesson: never queued
        assert time.perf_counter() - started < 0.5
        assert sender.wait_idle(20)
        assert (sender.sent, sender.dropped) == (0, 5)
        assert notes and "Your own record keeps it" in notes[-1]
    finally:
        sender.stop()
    store.record_attempt("two-words", "define-managing", 0, True, 1.0)
    assert sender.dropped == 5  # stopped: no longer listening


def test_share_bar_without_a_hub_stays_hidden_and_idle(monkeypatch):
    monkeypatch.delenv("LEAD_MANAGE_LIVE_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    import threading

    import widgets

    before = threading.active_count()
    bar = widgets.share_bar("two-words")
    assert bar.layout.display == "none" and not bar.available and not bar.sharing
    assert threading.active_count() == before
    dashboard = widgets.live_session("two-words")
    assert "No live-session service" in dashboard.value
    widgets.close_views()


# -- the share bar inside a lesson's quizzes: one sharing state per lesson ------------------------------
class FakeService:
    """The live service as the share bars see it: one open session for lesson two-words (join code FERNOT)."""

    token = "learner-token"

    def __init__(self):
        self.open = True
        self.joined = False
        self.calls: list[tuple] = []
        self.answers: list[dict] = []
        self.look_gate: threading.Event | None = None  # set: a look waits for it (a slow service)
        self.leave_error: LiveError | None = None      # set: every leave fails with it
        self.session = {"id": "a" * 32, "code": "FERNOT", "lessons": ["two-words"], "open": True}

    def open_sessions(self, lesson):
        found = [{**self.session, "joined": self.joined, "pseudonym": "Fern Otter" if self.joined else None}]
        found = found if self.open and lesson in self.session["lessons"] else []
        self.calls.append(("look", lesson))
        if self.look_gate is not None:
            self.look_gate.wait(10)
        return found

    def join(self, code):
        self.calls.append(("join", code))
        if not self.open or code != self.session["code"]:
            raise LiveError("there is no open session with that code", 404)
        self.joined = True
        return {**self.session, "joined": True, "pseudonym": "Fern Otter"}

    def leave(self, session_id):
        self.calls.append(("leave", session_id))
        if self.leave_error is not None:  # the leave does not reach the service: it still counts the learner in
            raise self.leave_error
        self.joined = False

    def send_answer(self, session_id, doc, timeout=2.0):
        if not self.joined:
            raise LiveError("you have not joined this session", 409)
        self.answers.append(doc)

    def count(self, what: str) -> int:
        return sum(1 for call in self.calls if call[0] == what)


@pytest.fixture
def on_a_hub(monkeypatch):
    """A learner's kernel on a hub with the live service (the environment names it), talking to a FakeService."""
    from course.live.client import Service, stop_all

    assert wait_for(lambda: not [t for t in threading.enumerate() if t.name.startswith("lead-manage-live")], 10)
    fake = FakeService()
    monkeypatch.setenv("LEAD_MANAGE_LIVE_URL", "http://127.0.0.1:9/services/live/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "learner-token")
    monkeypatch.delenv("LEAD_MANAGE_INSTRUCTOR", raising=False)
    monkeypatch.setattr(Service, "from_env", lambda environ=None: fake)
    yield fake
    import widgets

    widgets.close_views()
    stop_all()


def live_threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name and t.is_alive()]


def wait_for(condition, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def check(quiz, answer=0):
    view = quiz.views[0]
    view.set_answer(answer)
    view.check_button.click()


def test_quizzes_of_one_lesson_share_one_sharing_state(on_a_hub):
    import widgets

    first = widgets.quiz("two-words", "define-managing")
    second = widgets.quiz("two-words", "faq-reframed")
    elsewhere = widgets.quiz("frameworks")
    bars = [first.share_bar, second.share_bar]
    assert all(bar is not None and bar in quiz.children for bar, quiz in zip(bars, (first, second)))
    assert bars[0].lesson_sharing is bars[1].lesson_sharing
    assert elsewhere.share_bar.lesson_sharing is not bars[0].lesson_sharing  # another lesson: a state of its own
    assert wait_for(lambda: all(bar.available for bar in bars))
    assert len(live_threads("lead-manage-live-share")) == 2  # one per lesson, not one per bar
    assert not elsewhere.share_bar.available and elsewhere.share_bar.layout.display == "none"
    for bar in bars:  # off by default
        assert not bar.sharing and not bar.toggle.value and bar.code == "FERNOT" and bar.layout.display == ""
        assert "Sharing is off" in bar.details.value

    bars[0].toggle.value = True  # one click, in the first quiz
    bars[0].settle()
    for bar in bars:
        assert bar.sharing and bar.toggle.value and bar.pseudonym == "Fern Otter"
        assert "Never your name, reflections or ratings" in bar.details.value
    assert on_a_hub.count("join") == 1 and len(live_threads("lead-manage-live-sender")) == 1
    check(first)
    check(second, 1)
    assert bars[0].sender.wait_idle(5)
    assert [(a["question"], a["answer"]) for a in on_a_hub.answers] == [("define-managing", 0), ("faq-reframed", 1)]

    bars[1].toggle.value = False  # one click to leave, in the other quiz
    bars[1].settle()
    for bar in bars:
        assert not bar.sharing and not bar.toggle.value and bar.pseudonym == "" and "Sharing is off" in bar.details.value
    assert on_a_hub.count("leave") == 1 and bars[0].sender is None
    check(first, 2)
    time.sleep(0.3)
    assert len(on_a_hub.answers) == 2


def test_a_failed_join_unticks_every_bar_and_says_why(on_a_hub):
    import widgets

    bars = [widgets.quiz("two-words", q).share_bar for q in ("define-managing", "faq-reframed")]
    assert wait_for(lambda: bars[0].available)
    on_a_hub.open = False  # the instructor closed it since the last look
    bars[1].toggle.value = True
    bars[1].settle()
    for bar in bars:
        assert not bar.sharing and not bar.toggle.value and "Not shared" in bar.note.value
    assert bars[0].sender is None


def test_a_look_begun_before_a_join_does_not_undo_it(on_a_hub):
    import widgets

    bar = widgets.quiz("two-words", "define-managing").share_bar
    assert wait_for(lambda: bar.available)
    on_a_hub.look_gate = threading.Event()
    slow = threading.Thread(target=bar.look)  # sees "not joined", and answers only after the join below
    slow.start()
    assert wait_for(lambda: on_a_hub.count("look") >= 2)
    bar.toggle.value = True
    bar.settle()
    on_a_hub.look_gate.set()
    slow.join(5)
    assert bar.sharing and bar.sender is not None
    bar.look()  # a fresh look agrees
    assert bar.sharing


def test_rerunning_a_quiz_cell_keeps_sharing_and_leaves_nothing_behind(on_a_hub, store):
    import widgets

    first = widgets.quiz("two-words", "define-managing")
    second = widgets.quiz("two-words", "faq-reframed")
    state = first.share_bar.lesson_sharing
    assert wait_for(lambda: first.share_bar.available)
    first.share_bar.toggle.value = True
    first.share_bar.settle()
    old_bar = first.share_bar
    again = widgets.quiz("two-words", "define-managing")  # the same cell run again: the old quiz is closed
    assert first.comm is None and old_bar.comm is None
    assert again.share_bar.lesson_sharing is state and second.share_bar.lesson_sharing is state
    assert again.share_bar.sharing and again.share_bar.toggle.value  # shown shared at once, no new join
    assert on_a_hub.count("join") == 1 and on_a_hub.count("leave") == 0
    assert len(live_threads("lead-manage-live-share")) == 1 and len(live_threads("lead-manage-live-sender")) == 1
    old_bar.toggle.value = False  # a closed bar no longer acts on the lesson's state
    assert state.sharing and state.pending == ""
    check(again)
    assert again.share_bar.sender.wait_idle(5)
    assert len(on_a_hub.answers) == 1  # sent once, not once per bar ever shown


def test_closing_one_bar_keeps_sharing_and_closing_the_last_stops_everything(on_a_hub):
    import gc
    import weakref

    import widgets

    first = widgets.quiz("two-words", "define-managing")
    second = widgets.quiz("two-words", "faq-reframed")
    state = first.share_bar.lesson_sharing
    assert wait_for(lambda: first.share_bar.available)
    second.share_bar.toggle.value = True
    second.share_bar.settle()
    first.close()
    assert state.watching and second.share_bar.sharing and second.share_bar.sender is not None
    check(second)
    assert second.share_bar.sender.wait_idle(5) and len(on_a_hub.answers) == 1

    sender = weakref.ref(second.share_bar.sender)
    bar = second.share_bar
    second.close()  # the last bar of the lesson
    assert wait_for(lambda: not state.watching) and bar.sender is None
    assert wait_for(lambda: not live_threads("lead-manage-live-share") and not live_threads("lead-manage-live-sender"))
    gc.collect()
    assert sender() is None  # the store let go of it: nothing listens to Check any more
    widgets._store().record_attempt("two-words", "define-managing", 1, False, 0.0)
    time.sleep(0.3)
    assert len(on_a_hub.answers) == 1
    assert on_a_hub.count("leave") == 0 and on_a_hub.joined  # still a member: a bar shown again carries on
    fresh = widgets.quiz("two-words", "fernhill-sort").share_bar
    assert fresh.lesson_sharing is not state
    assert wait_for(lambda: fresh.sharing) and fresh.toggle.value and fresh.sender is not None


def test_instructor_mode_shows_no_share_bar(on_a_hub):
    import widgets

    looks = on_a_hub.count("look")
    threads = threading.active_count()
    keyed = widgets.quiz("two-words", "define-managing", show_key=True)
    guide = widgets.debrief("two-words", "define-managing")
    learner = widgets.quiz("two-words", "faq-reframed")  # the other side: a learner's quiz has one
    for quiz in (keyed, guide):
        assert quiz.share_bar is None
        assert not [c for c in quiz.children if "lm-share" in c._dom_classes]
    assert learner.share_bar is not None and "lm-share" in learner.share_bar._dom_classes
    learner.close()
    assert wait_for(lambda: threading.active_count() <= threads)
    assert on_a_hub.count("look") <= looks + 1  # only the learner's quiz looked


def test_a_lesson_without_a_service_imports_no_network_code(tmp_path):
    import subprocess
    import sys

    script = """
import json, os, sys, time
import widgets

seen = {}
def step(name, **env):
    for key in ("LEAD_MANAGE_LIVE_URL", "JUPYTERHUB_API_TOKEN", "LEAD_MANAGE_INSTRUCTOR"):
        os.environ.pop(key, None)
    os.environ.update(env)
    started = time.perf_counter()
    quiz = widgets.quiz("two-words")
    seen[name] = {"client": "course.live.client" in sys.modules, "views": "widgets.live_views" in sys.modules,
                  "bar": quiz.share_bar is not None, "seconds": time.perf_counter() - started}

url = "http://127.0.0.1:9/services/live/"
step("no hub")
step("token only", JUPYTERHUB_API_TOKEN="abc")
step("url only", LEAD_MANAGE_LIVE_URL=url)
step("instructor", LEAD_MANAGE_LIVE_URL=url, JUPYTERHUB_API_TOKEN="abc", LEAD_MANAGE_INSTRUCTOR="1")
step("learner on a hub", LEAD_MANAGE_LIVE_URL=url, JUPYTERHUB_API_TOKEN="abc")
widgets.close_views()
print(json.dumps(seen))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("LEAD_MANAGE_LIVE_URL", "JUPYTERHUB_API_TOKEN")}
    env["LEAD_MANAGE_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for name in ("no hub", "token only", "url only", "instructor"):
        assert seen[name] == {**seen[name], "client": False, "views": False, "bar": False}, name
    learner = seen["learner on a hub"]
    assert learner["client"] and learner["views"] and learner["bar"]
    assert learner["seconds"] < 2  # the service here is down: the quiz still shows at once


# -- the kernel's client against a service that misbehaves ----------------------------------------------
class Replies:
    """An HTTP server on 127.0.0.1 whose every reply is `self.reply(handler)`; `seen` lists what reached it."""

    def __init__(self):
        import http.server

        outer = self
        self.seen: list[tuple[str, str, str | None]] = []
        self.reply = lambda handler: handler.answer(200, b'{"sessions": []}')

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body=b"", kind="application/json", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def handle_any(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.seen.append((self.command, self.path, self.headers.get("Authorization")))
                outer.reply(self)

            do_GET = do_POST = do_DELETE = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/live/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replies():
    server = Replies()
    yield server
    server.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_the_client_never_follows_a_redirect(replies, status):
    elsewhere = Replies()
    try:
        replies.reply = lambda h: h.answer(status, headers=[("Location", elsewhere.url + "api/join")])
        service = Service(replies.url, "secret-token")
        for call in (lambda: service.open_sessions("two-words"), lambda: service.join("ABCDEF"),
                     lambda: service.send_answer("a" * 32, answer())):
            with pytest.raises(LiveError) as exc:
                call()
            assert exc.value.status == status and "LEAD_MANAGE_LIVE_URL" in str(exc.value)
        assert elsewhere.seen == []  # the token went nowhere else
        assert len(replies.seen) == 3 and all(token == "token secret-token" for *_, token in replies.seen)
    finally:
        elsewhere.close()


@pytest.mark.parametrize("reply", [
    (200, b"<html>log in</html>", "text/html"), (201, b"{not json", "application/json"),
    (200, b"[]", "application/json"), (200, b'{"sessions": [{"id": 5}]}', "application/json"),
    (200, b'{"sessions": "none"}', "application/json"), (200, b'{"stored": "yes"}', "application/json"),
    (200, b'{"session": {}, "members": {}, "questions": [{"x": 1}]}', "application/json"),
    (200, b"\xff\xfe", "application/json"),
])
def test_a_reply_that_is_not_the_services_is_a_live_error(replies, reply):
    status, payload, kind = reply
    replies.reply = lambda h: h.answer(status, payload, kind)
    service = Service(replies.url, "token")
    for call in (lambda: service.open_sessions("two-words"), lambda: service.send_answer("a" * 32, answer()),
                 lambda: service.results("a" * 32), lambda: service.join("ABCDEF"), lambda: service.me()):
        with pytest.raises(LiveError) as exc:
            call()
        assert exc.value.status == 0


def test_a_request_has_a_deadline_start_to_end(replies):
    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(100):  # a byte every 0.2 s: each read is quick, the whole reply would take 20 s
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.2)

    replies.reply = drip
    started = time.monotonic()
    with pytest.raises(LiveError) as exc:
        Service(replies.url, "token").call("GET", "api/me", timeout=1.0)
    assert exc.value.status == 0 and time.monotonic() - started < 1.5


def test_a_busy_service_is_tried_again_after_its_retry_after(replies, store):
    replies.reply = lambda h: h.answer(503, b'{"error": "busy"}', headers=[("Retry-After", "1")])
    with pytest.raises(LiveError) as exc:
        Service(replies.url, "t").send_answer("a" * 32, answer())
    assert (exc.value.status, exc.value.retry_after, str(exc.value)) == (503, 1.0, "busy")
    calls = []

    def busy_once(h):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return h.answer(503, b'{"error": "busy"}', headers=[("Retry-After", "1")])
        return h.answer(201, b'{"stored": true}')

    replies.reply = busy_once
    sender = Sender(Service(replies.url, "t"), "a" * 32, ["two-words"], store, backoff=(0.05, 0.05))
    try:
        store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10)
        assert (sender.sent, sender.dropped) == (1, 0) and calls[1] - calls[0] >= 0.95  # waited as asked, not 0.05 s
    finally:
        sender.stop()


def test_answers_past_the_cap_are_dropped_quietly_and_sharing_goes_on(replies, store):
    replies.reply = lambda h: h.answer(429, b'{"error": "a learner sends at most 70 answers to this session"}')
    notes = []
    sender = Sender(Service(replies.url, "t"), "a" * 32, ["two-words"], store, notes.append, backoff=(0.05, 0.05))
    try:
        for _ in range(3):
            store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10)
        assert sender.running and (sender.sent, sender.dropped) == (0, 3)
        assert len(replies.seen) == 3  # each tried once, not retried
        assert len(notes) == 1 and "ended" not in notes[0]  # one note, and not "the session has ended"
        replies.reply = lambda h: h.answer(201, b'{"stored": true}')
        store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10) and sender.sent == 1
    finally:
        sender.stop()


def test_the_background_threads_outlive_any_reply(replies, store, capfd):
    """Garbage, and errors nobody foresaw, cost an answer or a refresh at most: never a thread, never a traceback."""
    from course.bank import lesson
    from widgets.live_views import LessonSharing, LiveDashboard

    replies.reply = lambda h: h.answer(201, b"{not json")
    service = Service(replies.url, "t")
    sender = Sender(service, "a" * 32, ["two-words"], store, backoff=(0.01, 0.01))
    board = LiveDashboard(service, [lesson("two-words")], {"id": "a" * 32, "code": "ABCDEF", "open": True},
                          refresh=0.1)
    sharing = LessonSharing(service, "two-words", store, look_every=0.1)
    sharing.attach(object())
    try:
        store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10) and sender.dropped == 1
        broken = RuntimeError("a reply nobody foresaw")

        def fail(*args, **kwargs):
            raise broken

        object.__setattr__(service, "call", fail)  # every request now raises something unexpected
        store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10) and sender.dropped == 2
        time.sleep(0.5)
        assert sender._thread.is_alive() and board._thread.is_alive() and sharing.watching
        assert "could not be shown" in board.status.value
        object.__delattr__(service, "call")
        replies.reply = lambda h: h.answer(201, b'{"stored": true}')
        store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10) and sender.sent == 1
    finally:
        sender.stop()
        board.close()
        sharing.detach(next(iter(sharing.views)))
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "RuntimeError" not in out + err


# -- leaving is the learner's word: no look undoes it ------------------------------------------------
def test_a_leave_the_service_did_not_get_is_never_undone_by_a_look(on_a_hub, monkeypatch):
    import widgets
    from course.live import client

    monkeypatch.setattr(client, "LEAVE_BACKOFF", (0.05, 0.05, 0.05))
    quiz = widgets.quiz("two-words", "define-managing")
    bar = quiz.share_bar
    assert wait_for(lambda: bar.available)
    bar.toggle.value = True
    bar.settle()
    assert bar.sharing
    on_a_hub.leave_error = LiveError("the live-session service is busy; try again in a moment", 503, 2)
    bar.toggle.value = False
    bar.settle()
    assert not bar.sharing and not bar.toggle.value and on_a_hub.joined  # the service still counts them in
    assert "told again shortly" in bar.note.value
    bar.look()  # what the periodic look does next
    assert not bar.sharing and not bar.toggle.value and bar.sender is None and bar.available
    check(quiz)
    time.sleep(0.3)
    assert on_a_hub.answers == []
    assert wait_for(lambda: on_a_hub.count("leave") >= 3)  # the leave is tried again in the background
    on_a_hub.leave_error = None
    bar.look()  # the service still says joined: another background leave, which now gets through
    assert wait_for(lambda: not on_a_hub.joined)
    assert not bar.sharing and on_a_hub.count("join") == 1

    bar.toggle.value = True  # only an explicit tick shares again
    bar.settle()
    bar.look()
    assert bar.sharing and bar.toggle.value and on_a_hub.count("join") == 2
    check(quiz, 1)
    assert bar.sender.wait_idle(5) and len(on_a_hub.answers) == 1


class TwoSessions(FakeService):
    """Two open sessions cover lesson two-words: A (two-words) and B (two-words and frameworks), newest first."""

    A = {"id": "a" * 32, "code": "AAAAAA", "lessons": ["two-words"], "open": True}
    B = {"id": "b" * 32, "code": "BBBBBB", "lessons": ["two-words", "frameworks"], "open": True}

    def __init__(self):
        super().__init__()
        self.members: set[str] = set()
        self.sent_to: list[str] = []

    def open_sessions(self, lesson):
        self.calls.append(("look", lesson))
        return [{**s, "joined": s["id"] in self.members, "pseudonym": "Fern Otter" if s["id"] in self.members else None}
                for s in (self.B, self.A) if lesson in s["lessons"]]

    def join(self, code):
        self.calls.append(("join", code))
        session = self.A if code == self.A["code"] else self.B
        self.members.add(session["id"])
        return {**session, "joined": True, "pseudonym": "Fern Otter"}

    def leave(self, session_id):
        self.calls.append(("leave", session_id))
        if self.leave_error is not None:
            raise self.leave_error
        self.members.discard(session_id)

    def send_answer(self, session_id, doc, timeout=2.0):
        self.sent_to.append(session_id[0])


def test_two_sessions_for_a_lesson_keep_the_one_held_and_untick_leaves_both(on_a_hub, monkeypatch):
    from course.live import client
    from course.live.client import Service

    import widgets

    fake = TwoSessions()
    monkeypatch.setattr(Service, "from_env", lambda environ=None: fake)
    monkeypatch.setattr(client, "LEAVE_BACKOFF", (60.0,))  # no background leave gets through during the test
    bar = widgets.quiz("two-words", "define-managing").share_bar
    assert wait_for(lambda: bar.lesson_sharing.codes == ["BBBBBB", "AAAAAA"])
    bar.lesson_sharing.choose("AAAAAA")
    bar.toggle.value = True
    bar.settle()
    assert bar.sharing and bar.code == "AAAAAA"
    fake.members.add(fake.B["id"])  # joined B too, in a frameworks quiz
    bar.look()
    assert bar.sharing and bar.code == "AAAAAA"  # the session held stays; no silent switch to the newer one
    fake.members.discard(fake.A["id"])  # A left from elsewhere: the one still joined is taken
    bar.look()
    assert bar.sharing and bar.code == "BBBBBB"
    fake.members.add(fake.A["id"])

    fake.leave_error = LiveError("the live-session service is busy; try again in a moment", 503, 2)
    bar.toggle.value = False  # untick: every joined session of the lesson is left
    bar.settle()
    assert sorted(c[1][0] for c in fake.calls if c[0] == "leave") == ["a", "b"]
    assert not bar.sharing and fake.members == {fake.A["id"], fake.B["id"]}  # neither leave got through
    bar.look()
    assert not bar.sharing and not bar.toggle.value and bar.sender is None  # neither is resumed
    fake.leave_error = None
    bar.lesson_sharing.choose("BBBBBB")
    bar.toggle.value = True
    bar.settle()
    bar.toggle.value = False
    bar.settle()
    assert fake.members == set()  # both left when the service answers


# -- two services starting on one new database file -----------------------------------------------
_START = """
import sys, time
sys.path.insert(0, {root!r})
from course.live.db import LiveStore
time.sleep(max(0.0, {at} - time.time()))
store = LiveStore({url!r})
store.open_session("ines", ("two-words",))
store.close()
print("ok")
"""


def test_several_services_starting_at_once_on_a_new_file_all_start(tmp_path):
    import subprocess
    import sys

    import sqlalchemy as sa

    root = str(Path(__file__).resolve().parents[1])
    for round_ in range(3):
        url = f"sqlite:///{tmp_path / f'live{round_}.sqlite'}"
        at = time.time() + 2.5  # every process is past its imports by then
        script = _START.format(root=root, at=at, url=url)
        procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(4)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, [err[-300:] for _, err in outs]
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM live_sessions").scalar_one() == 4
            tables = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")]
        engine.dispose()
        assert len(tables) == len(set(tables)) and {"live_sessions", "live_members", "live_answers"} <= set(tables)


# -- the dashboard of a session that is gone ---------------------------------------------------------
class BoardService:
    """The service as a dashboard sees it; `refusal` set: results answer with that status."""

    def __init__(self):
        self.refusal = 0
        self.asked = 0

    def results(self, session_id):
        self.asked += 1
        if self.refusal:
            raise LiveError("no such session", self.refusal)
        return {"session": {"id": session_id, "code": "ABCDEF", "lessons": ["two-words"], "open": True},
                "members": {"joined": 1, "sharing": 1}, "questions": []}


@pytest.mark.parametrize("status, says", [(404, "was deleted"), (403, "no longer lets this account run it")])
def test_a_dashboard_whose_session_is_gone_stops_and_says_so(status, says):
    from course.bank import lesson
    from widgets.live_views import LiveDashboard

    service = BoardService()
    board = LiveDashboard(service, [lesson("two-words")], {"id": "a" * 32, "code": "ABCDEF", "open": True},
                          refresh=0.05)
    try:
        assert wait_for(lambda: board.refreshes >= 2)
        assert "ABCDEF" in board.head.value and not board.close_button.disabled and not board.gone
        service.refusal = 500  # a passing failure: the dashboard keeps trying
        asked = service.asked
        assert wait_for(lambda: service.asked >= asked + 2) and board._thread.is_alive() and not board.gone
        service.refusal = status
        assert wait_for(lambda: not board._thread.is_alive())
        asked = service.asked
        time.sleep(0.3)
        assert service.asked == asked  # no more polling
        assert says in board.gone and says in board.status.value and says in board.head.value
        assert "ABCDEF" not in board.head.value and board.code == ""
        assert all(b.disabled for b in (board.close_button, board.reveal_button, board.next_button,
                                        board.all_button, board.export_button, board.delete_button))
    finally:
        board.close()


# -- the kernel's logging ----------------------------------------------------------------------------
def test_background_problems_never_reach_the_root_logger(store):
    from widgets.live_views import LessonSharing

    class Broken:
        token = "t"

        def open_sessions(self, lesson):
            raise RuntimeError("a reply nobody foresaw")

        def send_answer(self, *args, **kwargs):
            raise RuntimeError("a reply nobody foresaw")

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__(logging.DEBUG)
            self.records: list[logging.LogRecord] = []

        def emit(self, record):
            self.records.append(record)

    root, at_root, at_live = logging.getLogger(), Keep(), Keep()
    level = root.level
    root.addHandler(at_root)  # as after `logging.basicConfig()` in the notebook
    root.setLevel(logging.DEBUG)
    watched = [logging.getLogger("widgets.live_views"), logging.getLogger("course.live.client")]
    for logger in watched:
        logger.addHandler(at_live)
    sharing = LessonSharing(Broken(), "two-words", store, look_every=0.05)
    sharing.attach(object())
    sender = Sender(Broken(), "a" * 32, ["two-words"], store, backoff=(0.01,))
    try:
        store.record_attempt("two-words", "define-managing", 0, True, 1.0)
        assert sender.wait_idle(10) and sender.dropped == 1
        assert wait_for(lambda: len({r.name for r in at_live.records}) == 2)  # both logged the problem...
    finally:
        sender.stop()
        sharing.detach(next(iter(sharing.views)))
        root.removeHandler(at_root)
        root.setLevel(level)
        for logger in watched:
            logger.removeHandler(at_live)
    assert not [r for r in at_root.records if r.name.startswith(("course.live", "widgets.live_views"))]  # ...kept there
