"""A learner who does not read scores at chance: test-wise strategies played through the real quiz widgets."""
import pytest

from course.bank import lessons
from course.store import ProgressStore
from widgets.quiz_view import Quiz

LEARNERS = ("0123456789abcdef" * 2, "fedcba9876543210" * 2)


def first(view):
    return view.input.widget.options[0][1]


def longest(view):
    return max(view.input.widget.options, key=lambda option: len(option[0]))[1]


def second_longest(view):
    return sorted(view.input.widget.options, key=lambda option: -len(option[0]))[1][1]


def shortest(view):
    return min(view.input.widget.options, key=lambda option: len(option[0]))[1]


def always_false(view):
    return next(value for label, value in view.input.widget.options if label == "False")


def first_k(view):
    k = len(view.question.keyed)
    for box in view.input.boxes[:k]:
        box.value = True


def longest_k(view):
    k = len(view.question.keyed)
    for box in sorted(view.input.boxes, key=lambda box: -len(box.description))[:k]:
        box.value = True


def play(store, kinds, pick):
    """Answer every question of these kinds in the whole course with one strategy; return (right, asked)."""
    right = asked = 0
    for found in lessons():
        quiz = Quiz(found, [q for q in found.questions if q.type in kinds], store)
        for view in quiz.views:
            if view.question.type == "multiple":
                pick(view)
            else:
                view.input.widget.value = pick(view)
            view.check_button.click()
            right += view.correct
            asked += 1
    return right, asked


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("strategy, kinds, low, high", [
    (first, ("single", "scenario"), 0.0, 0.40),
    (longest, ("single", "scenario"), 0.0, 0.40),
    (second_longest, ("single", "scenario"), 0.0, 0.40),
    (shortest, ("single", "scenario"), 0.0, 0.40),
    (always_false, ("truefalse",), 0.35, 0.65),
    (first_k, ("multiple",), 0.0, 0.40),
    (longest_k, ("multiple",), 0.0, 0.40),
], ids=["first option", "longest option", "second longest", "shortest option", "always False", "first k options",
        "longest k options"])
def test_strategy_scores_at_chance(tmp_path, learner, strategy, kinds, low, high):
    store = ProgressStore(tmp_path / "progress.sqlite3")
    store.adopt_learner_id(learner)
    right, asked = play(store, kinds, strategy)
    assert asked >= 10
    assert low <= right / asked <= high, f"{strategy.__name__}: {right} of {asked}"
    assert len(store.attempts()) == asked, "played through the widgets, every answer recorded"
