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
    counts = {t.question: t for t in rules.tally(["two-words"], rows)}
    first = counts["define-managing"]
    assert (first.answered, first.first_right) == (3, 1)
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
    counts = {t.question: t for t in rules.tally(["two-words"], [("amy", "two-words", "fernhill-sort", key, True),
                                                                 ("bob", "two-words", "fernhill-sort", wrong, False)])}
    sort = counts["fernhill-sort"]
    assert [b.count for b in sort.bars] == [1] * len(key)
    assert all(sum(int(part.split()[-1]) for part in b.detail.split(" · ")) == 2 for b in sort.bars)


def test_a_closed_session_feeds_the_class_report():
    session = uuid.uuid4().hex
    made = [("amy", "Fern Otter", rules.check_answer(answer(answer=1, correct=False), ["two-words"])),
            ("amy", "Fern Otter", rules.check_answer(answer(), ["two-words"])),
            ("bob", "Slate Wren", rules.check_answer(answer(), ["two-words"]))]
    docs = rules.export_docs(session, "2026-11-01T11:00:00+00:00", made)
    assert len(docs) == 2 and {d["learner"] for d in docs} == {"Fern Otter", "Slate Wren"}
    assert all(not d["reflections"] and not d["ratings"] for d in docs)
    assert docs[0]["learner_id"] != rules.learner_key(uuid.uuid4().hex, "amy")
    results = rules.class_results(docs)
    row = results.questions[results.questions["question"] == "define-managing"].iloc[0]
    assert results.learners == 2 and row["answered"] == 2 and row["first try correct"] == 0.5
    html = rules.report_html(docs)
    assert "define-managing" in html
    assert "amy" not in json.dumps(docs) and "bob" not in json.dumps(docs)  # hub user names never reach the report


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
