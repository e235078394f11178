"""One rule for lesson completion in the progress view and class results; 90-day plans counted, never quoted."""
import pytest

from course.bank import LABELS, Lesson, lessons
from course.class_results import aggregate, read_submission, report_html, summary_lines, tables_html
from course.completion import lesson_completion
from course.exchange import export_json
from course.instruments import action_plan
from course.kinds import kind_of
from course.plan import LESSON, field_key, tag_key
from course.review import POST_TEST
from course.store import ProgressStore
from widgets.course_views import Progress

SECRET = "my-private-plan-words"


def submission(store, name):
    return read_submission(f"{name}.json", export_json(store, name).encode())


def label(lesson):
    return f"{lesson.number:02d} {lesson.title}"


def key_of(question):
    return kind_of(question).sample(question, None, right=True)


def wrong_for(question):
    """An answer that fits the question and is not the key."""
    if question.type == "classify":
        return [next(x for x in LABELS if x != s.label) for s in question.statements]
    wrong = next(i for i, c in enumerate(question.choices) if not c.correct)
    return [wrong] if question.type == "multiple" else wrong


def test_the_progress_view_and_class_results_agree_on_every_lesson(store):
    course = lessons()
    done, partial, emptied = course[1], course[2], course[3]
    for q in done.questions:
        store.record_attempt(done.id, q.id, wrong_for(q), False, 0.0)
        store.record_attempt(done.id, q.id, key_of(q), False, 1.0)  # the key, whatever the flag beside it: counts
    for r in done.reflections:
        store.save_reflection(done.id, r.id, "written")
    first, second, third = partial.questions[:3]
    store.record_attempt(partial.id, first.id, wrong_for(first), False, 0.0)
    store.record_attempt(partial.id, first.id, key_of(first), True, 1.0)  # right in the end: counts
    store.record_attempt(partial.id, second.id, wrong_for(second), False, 0.0)  # never right: does not
    store.record_attempt(partial.id, third.id, wrong_for(third), True, 1.0)  # flagged right, scored wrong: does not
    store.save_reflection(partial.id, partial.reflections[0].id, "written")
    store.save_reflection(partial.id, partial.reflections[1].id, "   ")  # blank space is not written
    store.save_reflection(emptied.id, emptied.reflections[0].id, "written, then")
    store.save_reflection(emptied.id, emptied.reflections[0].id, "")  # emptied: the latest counts
    store.save_reflection(LESSON, field_key("context"), "a plan field is not a lesson reflection")
    store.record_attempt(POST_TEST, course[0].questions[0].id, 0, True, 1.0)  # nor is the post-test

    view = Progress(course, store).completion()
    table = aggregate([submission(store, "Ada")]).completion.set_index("lesson")
    assert view[done.id].complete and view[partial.id] == (2, len(partial.questions) + len(partial.reflections))
    assert not view[emptied.id].started and not view[course[0].id].started
    for lesson in course:
        row, progress = table.loc[label(lesson)], view[lesson.id]
        assert row["learners finished"] == int(progress.complete), lesson.id
        assert row["learners started"] == int(progress.started), lesson.id
        assert row["mean completion"] == pytest.approx(progress.fraction), lesson.id


def test_a_lesson_with_nothing_to_do_is_complete():
    empty = Lesson("empty", 99, "Nothing to do", "99_empty.ipynb", 1, None, (), ())
    progress = lesson_completion(empty, set(), set())
    assert progress == (0, 0) and progress.complete and progress.fraction == 1.0 and not progress.started


def plan_store(tmp_path, name, values, tags=None):
    store = ProgressStore(tmp_path / f"{name}.sqlite3")
    for field_id, text in values.items():
        store.save_reflection(LESSON, field_key(field_id), text)
    for behaviour, tag in (tags or {}).items():
        store.save_reflection(LESSON, tag_key(behaviour), tag)
    return store


def test_plans_are_counted_and_never_quoted(tmp_path):
    form = action_plan()
    full = {f.id: f"{SECRET} every Monday with my manager Sam on 14 March, counting 11 of 13 meetings "
                  "where the team heard the reason for the change and the plan for the next month" for f in form.fields}
    ada = plan_store(tmp_path, "Ada", full, {"behaviour-1": "leading", "behaviour-2": "managing"})
    bo = plan_store(tmp_path, "Bo", {"context": SECRET, "behaviour-1": f"{SECRET} at first"})
    bo.save_reflection(LESSON, field_key("behaviour-1"), "  ")  # emptied since: not filled
    cy = ProgressStore(tmp_path / "Cy.sqlite3")
    cy.save_reflection(lessons()[1].id, lessons()[1].reflections[0].id, "no plan, a reflection")
    results = aggregate([submission(s, n) for s, n in ((ada, "Ada"), (bo, "Bo"), (cy, "Cy"))], names=True)

    assert results.plan_writers == 2 and results.plan_fields_median == (len(form.fields) + 1) / 2
    filled = dict(zip(results.plans["plan field"], results.plans["learners who filled it"]))
    assert filled[form.fields[0].label] == 2 and filled["Target behaviour 1"] == 1 and filled["Day 90 review"] == 1
    checks = results.plan_checks.set_index("checklist point")
    assert set(checks["plans"]) == {2} and checks.loc["leading-and-managing", "plans that meet it"] == 1
    assert checks.loc["reviews-set", "plans that meet it"] == 1
    assert "90-day plans: 2 of 3 learners wrote one, filling a median of" in " ".join(summary_lines(results))

    html = report_html(results, names=True)
    shown = html + "".join(tables_html(results).values()) + " ".join(summary_lines(results))
    assert SECRET not in shown and "reviews-set" in html and "90-day plans (lesson 13)" in html


def test_a_class_without_plans_says_so(store):
    store.save_reflection(lessons()[1].id, lessons()[1].reflections[0].id, "words")
    results = aggregate([submission(store, "Ada")])
    assert results.plan_writers == 0 and set(results.plans["learners who filled it"]) == {0}
    assert "No learner has written a plan yet." in report_html(results)
    assert not any(line.startswith("90-day plans") for line in summary_lines(results))
