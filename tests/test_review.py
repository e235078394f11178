"""Spaced retrieval: the opening review chooses well, and the post-test measures the gain."""
from course.bank import lesson, lessons
from course.review import POST_TEST, choose_review, pre_post
from course.store import ProgressStore

import widgets


def key_of(question):
    import random

    from course.kinds import kind_of

    return kind_of(question).sample(question, random.Random(0), True)


def ids(chosen):
    return [(les.id, q.id) for les, q in chosen]


def at(minute):
    return f"2026-11-01T10:{minute:02d}:00+00:00"


def test_an_empty_store_gets_three_questions_from_three_earlier_lessons():
    course = lessons()
    current = lesson("people-tasks")
    chosen = choose_review(current, course, [], "a" * 32)
    assert len(chosen) == 3
    numbers = [les.number for les, _ in chosen]
    assert len(set(numbers)) == 3 and all(0 < n < current.number for n in numbers)
    assert chosen == choose_review(current, course, [], "a" * 32), "stable for one learner"
    others = {tuple(ids(choose_review(current, course, [], c * 32))) for c in "bcdef"}
    assert len(others) > 1, "varied across learners"


def test_wrong_answers_come_first_oldest_first_then_those_seen_longest_ago():
    course = lessons()
    two, frame, vision = lesson("two-words"), lesson("frameworks"), lesson("vision-goals")
    attempts = [
        {"lesson": two.id, "question": two.questions[0].id, "correct": True, "at": at(1)},
        {"lesson": frame.id, "question": frame.questions[1].id, "correct": False, "at": at(5)},
        {"lesson": vision.id, "question": vision.questions[2].id, "correct": False, "at": at(2)},
        {"lesson": vision.id, "question": vision.questions[0].id, "correct": True, "at": at(3)},
        {"lesson": frame.id, "question": frame.questions[1].id, "correct": False, "at": at(6)},
    ]
    chosen = ids(choose_review(lesson("change-stability"), course, attempts, "a" * 32))
    assert set(chosen) == {(vision.id, vision.questions[2].id), (frame.id, frame.questions[1].id),
                           (two.id, two.questions[0].id)}
    # A question answered wrongly and then right is no longer "wrong".
    attempts.append({"lesson": frame.id, "question": frame.questions[1].id, "correct": True, "at": at(9)})
    chosen = ids(choose_review(lesson("change-stability"), course, attempts, "a" * 32, size=2))
    assert chosen == [(two.id, two.questions[0].id), (vision.id, vision.questions[2].id)], \
        "the wrong one, then the one seen longest ago; shown in course order"


def test_nothing_is_shown_twice_in_a_row():
    course = lessons()
    current = lesson("time-horizon")
    first = choose_review(current, course, [], "a" * 32)
    second = choose_review(current, course, [], "a" * 32, last_shown=ids(first))
    assert not set(ids(first)) & set(ids(second))
    tiny = choose_review(lesson("frameworks"), course, [], "a" * 32, last_shown=[("two-words", "x")])
    assert len(tiny) == 3 and {les.id for les, _ in tiny} == {"two-words"}, "lesson 02 draws on lesson 01 alone"


def test_the_first_lessons_have_no_review_and_the_warm_up_is_kept_for_the_post_test():
    course = lessons()
    assert choose_review(lesson("two-words"), course, [], "a" * 32) == []
    late = choose_review(lesson("capstone-plan"), course, [], "a" * 32)
    assert late and all(les.id != "start-here" for les, _ in late)


def test_review_widget_records_under_the_questions_own_lesson_and_does_not_repeat(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(tmp_path))
    from course.store import reset_default_store

    reset_default_store()
    quiz = widgets.review("decisions-risk")
    first = [(v.lesson.id, v.question.id) for v in quiz.views]
    view = quiz.views[0]
    view.set_answer(key_of(view.question))
    view.check_button.click()
    store = ProgressStore(tmp_path / "progress.sqlite3")
    assert [(a["lesson"], a["question"]) for a in store.attempts()] == [first[0]]
    again = [(v.lesson.id, v.question.id) for v in widgets.review("decisions-risk").views]
    assert not set(first) & set(again)
    assert "begins" in widgets.review("two-words").value


def test_post_test_sets_before_against_after(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(tmp_path))
    from course.store import reset_default_store

    reset_default_store()
    pre = lesson("start-here")
    before = widgets.quiz("start-here")
    for view in before.views:  # wrong where possible before the course
        q = view.question
        view.set_answer(next(i for i, c in enumerate(q.choices) if not c.correct) if q.choices
                        else ["both" if s.label != "both" else "leading" for s in q.statements])
        view.check_button.click()
    post = widgets.post_test()
    assert [v.lesson.id for v in post.quiz.views] == [POST_TEST] * len(pre.questions)
    assert "so far" in post.comparison.value
    for view in post.quiz.views:
        view.set_answer(key_of(view.question))
        view.check_button.click()
    n = len(pre.questions)
    assert f"<b>0 of {n}</b> in lesson 00, <b>{n} of {n}</b> now" in post.comparison.value
    store = ProgressStore(tmp_path / "progress.sqlite3")
    rows = pre_post(pre, store.attempts())
    assert [(r.before, r.after) for r in rows] == [(False, True)] * n
    # The post-test's answers do not count as the warm-up's own.
    assert all(a["lesson"] == POST_TEST for a in store.attempts()[n:])


def test_class_results_show_the_pre_post_gain_per_warm_up_question():
    import json

    from course.class_results import aggregate, read_submission, report_html

    pre = lesson("start-here")
    q = pre.questions[0]
    right, wrong = q.keyed[0], next(i for i, c in enumerate(q.choices) if not c.correct)

    def attempt(n, lesson_id, answer, minute):
        return {"uid": f"{n:032x}", "lesson": lesson_id, "question": q.id, "answer": answer,
                "correct": answer == right, "score": float(answer == right), "at": at(minute)}

    def export(name, rows):
        return read_submission(f"{name}.json", json.dumps({
            "format": "lead-manage-export", "version": 2, "exported_at": at(59), "learner": name,
            "attempts": rows, "reflections": [], "ratings": []}).encode())

    subs = [
        export("Ada", [attempt(1, "start-here", wrong, 1), attempt(2, "start-here", right, 2),
                       attempt(3, POST_TEST, right, 30)]),
        export("Bo", [attempt(4, "start-here", wrong, 1), attempt(5, POST_TEST, wrong, 31), attempt(6, POST_TEST, right, 32)]),
        export("Cy", [attempt(7, "start-here", right, 1)]),  # no post-test: not paired
    ]
    row = aggregate(subs).pre_post.set_index("question").loc[q.id]
    # Independently: Ada wrong -> right, Bo wrong -> wrong (first tries only); Cy unpaired.
    assert row["learners"] == 2 and row["right before"] == 0.0 and row["right after"] == 0.5 and row["gain"] == 0.5
    assert "Warm-up before and after" in report_html(aggregate(subs))


def test_every_wrong_answer_comes_before_any_unseen_question_even_from_one_lesson():
    two = lesson("two-words")
    attempts = [{"lesson": two.id, "question": q.id, "correct": False, "at": at(i)} for i, q in enumerate(two.questions[:3])]
    chosen = ids(choose_review(lesson("time-horizon"), lessons(), attempts, "a" * 32))
    assert chosen == [(two.id, q.id) for q in two.questions[:3]]


def test_the_latest_answer_is_the_last_written_whatever_its_clock_says():
    two = lesson("two-words")
    q1, q2 = two.questions[0], two.questions[1]
    attempts = [  # in the order written, as the store and exports give them
        {"lesson": two.id, "question": q1.id, "correct": False, "at": "2099-01-01T00:00:00+00:00"},  # a fast clock
        {"lesson": two.id, "question": q1.id, "correct": True, "at": "2026-11-01T08:00:00+00:00"},
        {"lesson": two.id, "question": q2.id, "correct": True, "at": "2026-11-01T12:00:00+05:00"},
        {"lesson": two.id, "question": q2.id, "correct": False, "at": "not a time"},
    ]
    chosen = ids(choose_review(lesson("frameworks"), lessons(), attempts, "a" * 32, size=1))
    assert chosen == [(two.id, q2.id)], "q2's last written answer is wrong; q1 was put right after its fast-clock slip"


def test_a_small_pool_fills_with_fresh_questions_before_repeating():
    two = lesson("two-words")
    shown = [(two.id, q.id) for q in two.questions[:5]]
    chosen = ids(choose_review(lesson("frameworks"), lessons(), [], "a" * 32, last_shown=shown))
    fresh = {(two.id, q.id) for q in two.questions[5:]}
    assert fresh <= set(chosen) and len(chosen) == 3


def test_review_asks_afresh_and_a_repeated_check_is_recorded_once(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(tmp_path))
    from course.store import reset_default_store

    reset_default_store()
    for found in lessons()[1:3]:
        for q in found.questions:
            widgets.quiz(found.id, q.id).views[0].set_answer(key_of(q))
    lesson_quiz = widgets.quiz("two-words")
    for view in lesson_quiz.views:
        view.set_answer(key_of(view.question))
        view.check_button.click()
        assert view.check_button.disabled, "checked: nothing new to check until the answer changes"
    quiz = widgets.review("change-stability")
    assert all(not v.checked and v.feedback.value == "" for v in quiz.views), "a review asks afresh"
    assert "<b>0 of 3</b> correct" in quiz.score_line.value


def test_before_and_after_says_when_there_is_nothing_to_compare(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(tmp_path))
    from course.store import reset_default_store

    reset_default_store()
    post = widgets.post_test()
    for view in post.quiz.views:
        view.set_answer(key_of(view.question))
        view.check_button.click()
    assert "nothing to compare with" in post.comparison.value and "in lesson 00" in post.comparison.value
    assert "0 of" not in post.comparison.value
