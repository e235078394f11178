"""Live sessions without a hub: the store's attempt listeners, what the service accepts, how the room is counted,
and a kernel with no service (nothing happens, nothing waits)."""
from __future__ import annotations

import json
import logging
import time
import uuid

import pytest

from course.live import rules
from course.live.client import Sender, Service
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
