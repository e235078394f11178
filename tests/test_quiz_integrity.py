"""Quizzes measure understanding: shuffled display, answers by bank identity, the value trait, Why not the others."""
import json

import pytest
from traitlets import TraitError

from course.bank import QUESTION_TYPES, lesson
from course.class_results import aggregate, read_submission
from course.exchange import export_json, import_export
from course.kinds import KINDS
from course.order import SHARED, display_order
from course.store import ProgressStore
from widgets.quiz_view import INPUTS, Quiz
from widgets.reflection_view import ReflectionBox


def store_with_id(path, learner_id):
    s = ProgressStore(path)
    assert s.adopt_learner_id(learner_id)
    return s


def click_option(view, bank_index):
    """Pick an option the way a learner does: by its place on screen."""
    shown = [value for _, value in view.input.widget.options]
    view.input.widget.value = shown[shown.index(bank_index)]


def test_every_kind_has_one_model_object_and_one_input():
    assert set(KINDS) == set(QUESTION_TYPES) == set(INPUTS)


def test_value_rejects_an_option_the_question_does_not_have(sample, store):
    quiz = Quiz(sample, list(sample.questions), store)
    many, one, sort = quiz.views[1], quiz.views[0], quiz.views[3]
    with pytest.raises(TraitError):
        many.set_answer([0, 9])
    with pytest.raises(TraitError):
        one.set_answer(2)
    with pytest.raises(TraitError):
        one.set_answer(True)
    with pytest.raises(TraitError):
        sort.set_answer(["managing", "leading"])
    with pytest.raises(TraitError):
        sort.set_answer(["managing", "leading", "boss"])
    many.set_answer([2, 0, 0])
    assert many.value == [0, 2], "stored in bank order, once each"
    one.set_answer(1)
    assert one.value == 1 and one.input.read() == 1


def test_changing_a_checked_answer_clears_the_verdict(sample, store):
    view = Quiz(sample, [sample.question("pick-one")], store).views[0]
    view.set_answer(0)
    view.check_button.click()
    assert view.checked and "✔ Correct" in view.feedback.value
    click_option(view, 1)
    assert not view.checked and view.feedback.value == ""
    assert not view.check_button.disabled, "the new answer can be checked"
    view.check_button.click()
    assert "✘ Not quite" in view.feedback.value and view.retry_button.layout.display != "none"


def test_learners_see_their_own_stable_order(tmp_path):
    two = lesson("two-words")
    a = store_with_id(tmp_path / "a.sqlite3", "a" * 32)
    b = store_with_id(tmp_path / "b.sqlite3", "b" * 32)
    orders_a = [v.order for v in Quiz(two, list(two.questions), a).views]
    orders_b = [v.order for v in Quiz(two, list(two.questions), b).views]
    assert orders_a != orders_b
    assert orders_a == [v.order for v in Quiz(two, list(two.questions), a).views], "same on a re-run"
    a.close()
    reopened = ProgressStore(tmp_path / "a.sqlite3")
    assert reopened.learner_id == "a" * 32
    assert orders_a == [v.order for v in Quiz(two, list(two.questions), reopened).views], "same after a restart"
    for view in Quiz(two, list(two.questions), reopened).views:
        widget_order = ([value for _, value in view.input.widget.options] if view.question.type != "multiple"
                        and view.question.type != "classify" else None)
        if widget_order is not None:
            assert tuple(widget_order) == view.order


def test_the_order_moves_with_an_export(tmp_path):
    two = lesson("two-words")
    home = store_with_id(tmp_path / "home.sqlite3", "c" * 32)
    Quiz(two, [two.questions[0]], home).views[0].set_answer(0)
    home.record_attempt(two.id, two.questions[0].id, 0, True, 1.0)
    binder = ProgressStore(tmp_path / "binder.sqlite3")
    import_export(binder, export_json(home, "Ada"))
    assert binder.learner_id == "c" * 32
    assert Quiz(two, list(two.questions), binder).views[3].order == Quiz(two, list(two.questions), home).views[3].order


def test_instructor_and_static_copies_share_one_order_that_is_never_the_banks(tmp_path, store):
    for found in (lesson("two-words"), lesson("frameworks")):
        for q in found.questions:
            order = display_order(found, q)
            if q.type != "truefalse":
                assert order != tuple(sorted(order)), q.id
            assert order == display_order(found.id, q, SHARED)
        quiz = Quiz(found, list(found.questions), store, show_key=True)
        assert [v.order for v in quiz.views] == [display_order(found, q) for q in found.questions]


def test_two_learners_with_different_orders_agree_in_the_store_and_class_results(tmp_path):
    two = lesson("two-words")
    question = next(q for q in two.questions if q.type == "single")
    wrong = next(i for i, c in enumerate(question.choices) if not c.correct)
    docs = []
    for name, learner_id in (("Ada", "1" * 32), ("Bo", "2" * 32)):
        s = store_with_id(tmp_path / f"{name}.sqlite3", learner_id)
        view = Quiz(two, [question], s).views[0]
        click_option(view, wrong)
        view.check_button.click()
        assert s.last_answer(two.id, question.id) == wrong
        docs.append((name, export_json(s, name)))
    views = [Quiz(two, [question], store_with_id(tmp_path / f"x{i}.sqlite3", lid)).views[0]
             for i, lid in enumerate(("1" * 32, "2" * 32))]
    assert views[0].order != views[1].order, "the two learners saw the options in different places"
    results = aggregate([read_submission(f"{n}.json", d.encode()) for n, d in docs])
    row = results.questions.set_index("question").loc[question.id]
    assert row["most common wrong answer"] == question.choices[wrong].text and row["times chosen"] == 2


def test_version_1_exports_keep_their_meaning(tmp_path):
    two = lesson("two-words")
    question = next(q for q in two.questions if q.type == "single")
    old = {"format": "lead-manage-export", "version": 1, "exported_at": "2026-01-01T00:00:00+00:00", "learner": "Old",
           "attempts": [{"uid": "d" * 32, "lesson": two.id, "question": question.id, "answer": question.keyed[0],
                         "correct": True, "score": 1.0, "at": "2026-01-01T00:00:00+00:00"}],
           "reflections": [], "ratings": []}
    fresh = ProgressStore(tmp_path / "fresh.sqlite3")
    import_export(fresh, json.dumps(old))
    view = Quiz(two, [question], fresh).views[0]
    assert view.value == question.keyed[0] and view.correct


def test_why_not_the_others_explains_every_option_and_records_nothing(sample, store):
    quiz = Quiz(sample, [sample.question("pick-one"), sample.question("pick-many")], store)
    view = quiz.views[1]
    assert view.explain_button.layout.display == "none", "offered only after a Check"
    view.set_answer([0])
    view.check_button.click()
    before, score_line = store.attempts(), quiz.score_line.value
    assert view.explain_button.layout.display != "none"
    view.explain_button.value = True
    from html import escape

    for choice in view.question.choices:
        assert escape(choice.feedback) in view.explanation.value
    assert view.explanation.value.count("✔ Right") == 2 and view.explanation.value.count("✘ Not this one") == 1
    shown = [view.question.choices[i].text for i in view.order]
    positions = [view.explanation.value.index(text) for text in shown]
    assert positions == sorted(positions), "listed in the order the learner sees"
    assert store.attempts() == before and quiz.score_line.value == score_line and view.value == [0]
    view.explain_button.value = False
    assert view.explanation.value == ""


def test_explanations_escape_bank_text(sample, store):
    view = Quiz(sample, [sample.question("sort")], store).views[0]
    view.set_answer(["managing", "leading", "both"])
    view.check_button.click()
    view.explain_button.value = True
    assert "<b>now</b>" not in view.explanation.value and "&lt;b&gt;now&lt;/b&gt;" in view.explanation.value


def test_classify_names_the_keys_label_after_two_tries(sample, store):
    view = Quiz(sample, [sample.question("sort")], store).views[0]
    view.set_answer(["leading", "leading", "both"])
    view.check_button.click()
    assert "The key sorts this as" not in view.feedback.value
    view.retry_button.click()
    view.set_answer(["leading", "leading", "both"])
    view.check_button.click()
    assert view.feedback.value.count("The key sorts this as") == 1
    assert "The key sorts this as <b>Managing</b>" in view.feedback.value
    again = Quiz(sample, [sample.question("sort")], store).views[0]
    assert again.tries == 2 and "The key sorts this as <b>Managing</b>" in again.feedback.value, "kept across re-runs"


def test_classify_asks_to_see_the_key_at_once(sample, store):
    view = Quiz(sample, [sample.question("sort")], store).views[0]
    view.set_answer(["leading", "leading", "both"])
    view.check_button.click()
    assert view.explain_button.description == "Show the key's labels"
    view.explain_button.value = True
    assert view.explanation.value.count("Key: ") == 3 and "Key: Managing" in view.explanation.value


def test_example_answer_opens_only_after_writing(store):
    from course.bank import Reflection

    two = lesson("two-words")
    prompt = Reflection("try-it", "Write <b>something</b>.", example="One learner wrote <i>this</i>.")
    box = ReflectionBox(two, prompt, store, debounce=0)
    assert box.example_button.disabled and box.example.value == ""
    box.area.value = "   "
    assert box.example_button.disabled
    box.area.value = "My own words first."
    assert not box.example_button.disabled
    box.example_button.value = True
    assert "One learner wrote &lt;i&gt;this&lt;/i&gt;." in box.example.value
    box.area.value = ""
    assert box.example_button.disabled and box.example.value == ""


@pytest.mark.parametrize("junk", ["", "XYZ-not-hex", "x" * 1000, "shared-room-order", "12345", "A" * 32])
def test_a_learner_id_the_course_did_not_write_is_replaced_so_exports_import(tmp_path, junk):
    s = ProgressStore(tmp_path / "p.sqlite3")
    s._conn.execute("INSERT INTO meta VALUES ('learner_id', ?)", (junk,))
    fresh = s.learner_id
    assert fresh != junk and len(fresh) == 32 and int(fresh, 16) >= 0
    assert ProgressStore(tmp_path / "p.sqlite3").learner_id == fresh, "kept once replaced"
    import_export(ProgressStore(tmp_path / "other.sqlite3"), export_json(s, "Ada"))


def test_an_unchanged_answer_cannot_be_checked_twice(sample, store):
    view = Quiz(sample, [sample.question("sort")], store).views[0]
    view.set_answer(["leading", "leading", "both"])
    view.check_button.click()
    assert view.check_button.disabled and view.tries == 1 and len(store.attempts()) == 1
    assert "The key sorts this as" not in view.feedback.value
    view.set_answer(["managing", "leading", "leading"])
    assert not view.check_button.disabled and not view.correct


def test_fresh_and_retried_views_hold_the_same_empty_answer(sample, store):
    quiz = Quiz(sample, list(sample.questions), store)
    for view in quiz.views:
        empty = view.value
        view.retry_button.click()
        assert view.value == empty
    assert "Well done" not in Quiz(sample, [], store).score_line.value


def test_bank_text_is_escaped_in_feedback_and_in_the_instructors_note(sample, store):
    view = Quiz(sample, [sample.question("pick-many")], store).views[0]
    view.set_answer([0, 2])
    view.check_button.click()
    assert "Budgeting is &lt;b&gt;managing&lt;/b&gt; work." in view.feedback.value
    assert "<b>managing</b>" not in view.feedback.value
    key = Quiz(sample, [sample.question("sort")], store, show_key=True).views[0]
    key.reveal.value = True
    assert "&lt;b&gt;now&lt;/b&gt;" in key.key.value and "<b>now</b>" not in key.key.value
    key.trainer_notes.value = True  # the discussion note is the trainer's: behind its own control
    assert "&lt;b&gt;both&lt;/b&gt;" in key.trainer_text.value and "<b>both</b>" not in key.trainer_text.value


def test_an_answer_one_past_the_last_option_is_refused_not_an_index_error(sample):
    from course.kinds import AnswerError
    from course.scoring import score

    q = sample.question("pick-one")
    score(q, len(q.choices) - 1)
    for bad in (len(q.choices), -1):
        with pytest.raises(AnswerError):
            score(q, bad)
    with pytest.raises(AnswerError):
        score(sample.question("pick-many"), [len(sample.question("pick-many").choices)])
