"""Class results from exports a learner could have edited by hand.

Every answer is scored again against the bank (an export's `correct` flag decides nothing), learners are
told apart by their id and never by a shown name, a typed name cannot steer the text around it, and a
session's scope is read from whatever a caller passes, or refused in words. The expected figures are
worked out here from the bank's key, plainly, without calling the code under test.
"""
from __future__ import annotations

import csv
import io
import json
import random
import re
import unicodedata
import uuid
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.bank import LABELS, lessons
from course.class_results import (ScopeError, aggregate, class_results_from_folder, csv_tables, load_folder,
                                  read_submission, report_html, session_scope)
from course.completion import is_right
from course.kinds import kind_of
from course.review import POST_TEST

AT = "2026-11-30T10:00:00+00:00"
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def all_questions():
    return [(lesson, q) for lesson in lessons() for q in lesson.questions]


def truly_right(question, answer) -> bool:
    """The key, read straight from the bank: any other value, of any shape, is not right."""
    if question.type == "classify":
        return isinstance(answer, list) and answer == [s.label for s in question.statements]
    keyed = {i for i, c in enumerate(question.choices) if c.correct}
    if question.type == "multiple":
        return (isinstance(answer, list) and all(type(i) is int and 0 <= i < len(question.choices) for i in answer)
                and set(answer) == keyed)
    return type(answer) is int and answer in keyed


def attempt(lesson_id, question_id, answer, correct):
    return {"uid": uuid.uuid4().hex, "lesson": lesson_id, "question": question_id, "answer": answer,
            "correct": correct, "score": 1.0 if correct else 0.0, "at": AT}


def export(name, learner_id, attempts=(), reflections=()):
    return {"format": "lead-manage-export", "version": 2, "exported_at": AT, "learner": name,
            "learner_id": learner_id, "share_reflections": False, "attempts": list(attempts),
            "reflections": list(reflections), "ratings": []}


def submissions(docs):
    return [read_submission(f"file-{i}.json", json.dumps(doc).encode()) for i, doc in enumerate(docs)]


# What the export schema lets an answer be: null, a whole number, or a list of up to 20 numbers, texts or nulls.
ANY_ANSWER = st.one_of(st.none(), st.integers(-3, 12), st.integers(),
                       st.lists(st.one_of(st.integers(-3, 12), st.sampled_from(LABELS), st.none(),
                                          st.text(max_size=8)), max_size=20))


def draw_answer(data, question):
    """The key, a slip that fits the question, or anything an export may hold, in about equal parts."""
    kind = kind_of(question)
    how = data.draw(st.sampled_from(["key", "slip", "any"]))
    if how == "key":
        return kind.sample(question, None, right=True)
    if how == "slip":
        return kind.sample(question, random.Random(data.draw(st.integers(0, 999))), right=False)
    return data.draw(ANY_ANSWER)


# -- 1. every answer is scored again ----------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.data(), st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
                               lambda inner: st.one_of(st.lists(inner, max_size=6),
                                                       st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                               max_leaves=12))
def test_an_answer_is_right_only_by_the_key_and_no_value_makes_scoring_fail(data, answer):
    for _, question in all_questions():
        assert is_right(question, answer) is truly_right(question, answer), (question.id, answer)
    _, question = data.draw(st.sampled_from(all_questions()))
    key = kind_of(question).sample(question, None, right=True)
    assert is_right(question, key) and truly_right(question, key)


@SLOW
@given(st.data())
def test_what_counts_as_right_is_the_key_whatever_the_export_claims(data):
    lesson, question = data.draw(st.sampled_from(all_questions()))
    people = data.draw(st.integers(1, 6))
    tries = []  # per learner: [(answer, claimed right)], in order
    for _ in range(people):
        tries.append([(draw_answer(data, question), data.draw(st.booleans()))
                      for _ in range(data.draw(st.integers(1, 4)))])
    docs = [export(f"P{i}", f"{i + 1:032x}", [attempt(lesson.id, question.id, a, claim) for a, claim in own])
            for i, own in enumerate(tries)]
    results = aggregate(submissions(docs), scope=session_scope(questions=[(lesson.id, question.id)]))
    [q] = results.question_results
    first = [truly_right(question, own[0][0]) for own in tries]
    assert (q.answered, q.first_right) == (people, sum(first))
    assert q.final_right == sum(truly_right(question, own[-1][0]) for own in tries)
    solved = sum(any(truly_right(question, a) for a, _ in own) for own in tries)
    [row] = results.completion.to_dict("records")
    assert row["learners started"] == solved, "a lesson is started by answers that are right, not by claims"
    assert sorted(results.by_learner["right at the first try"]) == sorted(map(int, first))
    if question.type in ("single", "truefalse", "scenario"):
        keyed = [n for part in q.parts if part.key for _, n in part.counts]
        assert sum(keyed) == q.first_right, "the option table and 'right at the first try' count the same people"


def test_a_claim_of_right_beside_an_option_nobody_chose_counts_for_nothing(tmp_path):
    start = next(lesson for lesson in lessons() if lesson.number == 0)
    question = next(q for q in start.questions if q.type == "truefalse")
    wrong = next(i for i, c in enumerate(question.choices) if not c.correct)
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(6):  # half give an option the question does not have, half the wrong one; all claim right
        doc = export(f"Learner {i}", f"{i + 1:032x}", [attempt(start.id, question.id, 99 if i < 3 else wrong, True)])
        (folder / f"l{i}.json").write_text(json.dumps(doc))
    results = class_results_from_folder(folder, lessons=[start.id], questions=[f"{start.id}/{question.id}"])
    [q] = results.question_results
    assert (q.answered, q.first_right, q.final_right) == (6, 0, 0)
    assert [n for part in q.parts if part.key for _, n in part.counts] == [0]
    assert [n for part in q.parts if not part.key for _, n in part.counts] == [3], "an option out of range counts nowhere"
    html = report_html(results)
    assert "right at the first try <b>0%</b> (0)" in " ".join(html.split())
    assert set(results.by_learner["lessons done"]) == {0}


def test_the_post_test_is_scored_again_too():
    start = next(lesson for lesson in lessons() if lesson.number == 0)
    question = next(q for q in start.questions if q.type != "classify")
    key = kind_of(question).sample(question, None, right=True)
    slip = next(i for i, c in enumerate(question.choices) if not c.correct)
    slip = [slip] if question.type == "multiple" else slip
    docs = [export("A", "a" * 32, [attempt(start.id, question.id, key, False), attempt(POST_TEST, question.id, slip, True)]),
            export("B", "b" * 32, [attempt(start.id, question.id, slip, True), attempt(POST_TEST, question.id, key, False)])]
    table = aggregate(submissions(docs)).pre_post.set_index("question")
    assert table.loc[question.id, "learners"] == 2
    assert table.loc[question.id, "right before"] == 0.5 and table.loc[question.id, "right after"] == 0.5
    docs[1]["attempts"][0]["answer"] = key
    table = aggregate(submissions(docs)).pre_post.set_index("question")
    assert table.loc[question.id, "right before"] == 1.0 and table.loc[question.id, "right after"] == 0.5


# -- 2. a learner is an id: shown names never merge two learners ------------------------------------
# Names that collide once numbered ("Sam (1)" typed beside two "Sam"), once cleaned ("Sam\u202e" and "Sam\u200b"
# both show as "Sam\ufffd") or once trimmed, and any text.
NAMES = st.one_of(st.sampled_from(["Sam", "sam", "Sam (1)", "Sam (2)", "SAM (3)", "Sam (1) (1)"]),
                  st.sampled_from(["Sam\u202e", "Sam\u200b", "Sam\x00", "", "  ", " Sam", "Learner 01", "Ann"]),
                  st.text(max_size=12))


def counts_without_names(results):
    """Everything the results count, with the columns that name a learner or a file left out."""
    people = results.by_learner.drop(columns=["learner", "file"])
    return (results.learners, [(q.answered, q.first_right, q.final_right, q.parts) for q in results.question_results],
            results.completion.to_dict("records"), sorted(map(tuple, people.astype(str).values.tolist())),
            len(results.roster))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.lists(NAMES, min_size=1, max_size=7))
def test_counts_are_the_same_with_and_without_names_and_every_name_shown_is_one_learners(data, names):
    start = next(lesson for lesson in lessons() if lesson.number == 0)
    docs = []
    for i, name in enumerate(names):
        question = data.draw(st.sampled_from(start.questions))
        answer = draw_answer(data, question)
        docs.append(export(name, f"{i + 1:032x}", [attempt(start.id, question.id, answer, True)]))
    subs = submissions(docs)
    hidden, shown = aggregate(subs, names=False), aggregate(subs, names=True)
    assert counts_without_names(hidden) == counts_without_names(shown)
    assert hidden.learners == shown.learners == len(names) == len(shown.by_learner)
    for results in (hidden, shown):
        learners = list(results.by_learner["learner"])
        assert len({n.casefold() for n in learners}) == len(names), learners
        assert sorted(learners) == sorted(results.roster["learner"])


def test_a_typed_name_like_a_numbered_one_is_not_taken_twice(tmp_path):
    start = next(lesson for lesson in lessons() if lesson.number == 0)
    question = start.questions[0]
    key = kind_of(question).sample(question, None, right=True)
    docs = [export(name, f"{i + 1:032x}", [attempt(start.id, question.id, key, True)])
            for i, name in enumerate(["Sam (1)", "Sam", "Sam"])]
    results = aggregate(submissions(docs), names=True)
    assert sorted(results.by_learner["learner"]) == ["Sam (1)", "Sam (2)", "Sam (3)"]
    assert results.question_results[0].answered == 3 and results.learners == 3
    assert results.shared_names == ["'Sam' was typed by 2 learners (shown numbered)"]


# -- 3. a typed name cannot act on the text around it ------------------------------------------------
def acting(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cf")}


@SLOW
@given(st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=20), min_size=1, max_size=4))
def test_control_and_format_characters_in_names_reach_no_table_report_or_csv(names):
    start = next(lesson for lesson in lessons() if lesson.number == 0)
    question = start.questions[0]
    docs = [export(name, f"{i + 1:032x}", [attempt(start.id, question.id, 0, False)]) for i, name in enumerate(names)]
    results = aggregate(submissions(docs), names=True)
    for name in [*results.by_learner["learner"], *results.roster["learner"], *results.shared_names]:
        assert not acting(name), repr(name)
    for table in csv_tables(results, names=True).values():
        for row in csv.reader(io.StringIO(table)):
            assert not any(acting(cell) for cell in row)
    html = report_html(results, names=True)
    assert acting(html) <= {"\n"}, "the page's own line breaks, and nothing a learner typed"


def test_a_right_to_left_override_is_shown_as_a_replacement_character(tmp_path):
    docs = [export("Ann\u202eeil.exe", "a" * 32), export("Bo\u2066b", "b" * 32)]
    results = aggregate(submissions(docs), names=True)
    assert sorted(results.by_learner["learner"]) == ["Ann\ufffdeil.exe", "Bo\ufffdb"]
    html = report_html(results, names=True)
    assert "\u202e" not in html and "\u2066" not in html and "Ann\ufffdeil.exe" in html


# -- 4. a session's scope, from whatever is passed ---------------------------------------------------
def lesson_ids(numbers):
    by_number = {lesson.number: lesson.id for lesson in lessons()}
    return tuple(by_number[n] for n in numbers)


def test_a_lesson_by_number_is_that_lesson_and_zero_is_start_here(tmp_path):
    assert session_scope(0).lessons == lesson_ids([0]) and not session_scope(0).whole
    assert session_scope(1) == session_scope("01") == session_scope(["1"]) == session_scope(lesson_ids([1]))
    assert session_scope(range(0, 3)).lessons == lesson_ids([0, 1, 2])
    assert session_scope({2, 0}).lessons == lesson_ids([0, 2])
    (tmp_path / "empty").mkdir()
    results = class_results_from_folder(tmp_path / "empty", lessons=1)
    assert results.scope.lessons == lesson_ids([1]) and len(results.completion) == 1
    assert session_scope(None, None).whole


def test_one_question_pair_alone_is_one_question():
    pair = ("two-words", "different-people")
    assert session_scope(questions=pair).questions == (pair,)
    assert session_scope(questions=pair) == session_scope(questions="two-words/different-people")
    assert session_scope(questions=(1, "different-people")).questions == (pair,)
    both = session_scope(questions=("two-words/different-people", "two-words/define-managing"))
    assert set(both.questions) == {pair, ("two-words", "define-managing")}, "a tuple of two texts is two questions"


@pytest.mark.parametrize("lessons_, questions_, message", [
    (True, None, "give the lessons as one or as a list, not True"),
    (1.5, None, "not 1.5"),
    ({"two-words": 1}, None, "not a dict"),
    (b"01", None, "not a bytes"),
    ([None], None, "give a lesson as its id"),
    ([["two-words"]], None, "not ['two-words']"),
    (99, None, "no lesson 99 in the course"),
    pytest.param(10 ** 5000, None, "no lesson a number that large", id="a-number-too-long-to-print"),
    ("", None, "no lesson ''"),
    ([], None, "no lesson or question is given"),
    ([], [], "no lesson or question is given"),
    (None, [("two-words", ["different-people"])], "give a question id as text"),
    (None, [("two-words", "different-people", "x")], "give a question as (lesson, question)"),
    (None, 7, "give the questions as one or as a list, not 7"),
    (None, [("nowhere", "x")], "no lesson 'nowhere'"),
])
def test_a_scope_that_is_neither_a_lesson_a_question_nor_a_list_is_refused_in_words(lessons_, questions_, message):
    with pytest.raises(ScopeError, match=re.escape(message)):
        session_scope(lessons_, questions_)


JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                                 st.binary(max_size=4)),
                       lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                               st.sets(st.integers(-2, 16), max_size=3),
                                               st.dictionaries(st.text(max_size=3), inner, max_size=2)),
                       max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(JSONISH, JSONISH)
def test_any_scope_gives_a_scope_or_says_what_is_wrong(lessons_, questions_):
    try:
        scope = session_scope(lessons_, questions_)
    except ScopeError as exc:
        assert str(exc) and "Traceback" not in str(exc) and len(str(exc)) < 2000
    else:
        assert scope.whole == (lessons_ is None and questions_ is None)
        assert set(scope.questions) <= set(session_scope().questions)
        assert {lesson for lesson, _ in scope.questions} <= set(scope.lessons)


# -- 5. a refused .zip names the file to hand in only when names are shown -------------------------
def test_a_refused_zip_names_the_json_to_hand_in_only_with_names(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    stem = "lead-manage-ann-lee-20261130-1504"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not an export")
    (folder / f"{stem}.zip").write_bytes(buffer.getvalue())
    (folder / "other.json").write_text(json.dumps(export("Bo", "b" * 32)))
    _, named = load_folder(folder, names=True)
    assert f"{stem}.json" in named[0].reason
    _, hidden = load_folder(folder)
    assert "ann-lee" not in hidden[0].reason and ".json" in hidden[0].reason
    html = report_html(class_results_from_folder(folder))
    assert "ann-lee" not in html and "file 1" in html
    assert f"{stem}.json" in report_html(class_results_from_folder(folder, names=True), names=True)
