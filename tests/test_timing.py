"""Stated lesson times come from a measured estimate: reading, questions, reflections, activities."""
import json
from pathlib import Path

import pytest

from course.bank import lesson, lessons
from course.timing import TOLERANCE, estimate, stated_in_notebook, words

MODULES = Path(__file__).resolve().parent.parent / "modules"


@pytest.mark.parametrize("found", lessons(), ids=lambda les: les.notebook)
def test_stated_minutes_are_within_a_fifth_of_the_estimate(found):
    notebook = MODULES / found.notebook
    guess = estimate(found, notebook).minutes
    assert stated_in_notebook(notebook) == found.minutes, "the notebook and the course map say the same"
    assert abs(found.minutes - guess) <= TOLERANCE * guess, f"states {found.minutes}, estimate {guess:.0f}"


def test_tolerance_is_a_fifth():
    assert TOLERANCE == 0.20


def write_notebook(tmp_path, markdown, code):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [markdown]}]
    cells += [{"cell_type": "code", "metadata": {}, "source": [c], "outputs": [], "execution_count": None} for c in code]
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_estimate_counts_prose_questions_shown_reflections_and_activities(tmp_path):
    two = lesson("two-words")
    prose = "word " * 400 + "[a link](https://example.org/very/long/path) <b>tag</b>"
    assert words(prose) == 403
    one = two.questions[0]
    path = write_notebook(tmp_path, prose, [f'quiz("two-words", "{one.id}")'])
    base = estimate(two, path)
    assert base.questions == 1.5 and base.reflections == 5.0 * len(two.reflections) and base.activities == 0
    texts = [one.prompt, one.situation or ""] + [c.text + " " + c.feedback for c in one.choices]
    texts += [s.text + " " + s.feedback for s in one.statements] + [r.prompt + " " + (r.hint or "") for r in two.reflections]
    assert base.reading == pytest.approx((403 + sum(map(words, texts))) / 200)
    more = estimate(two, write_notebook(tmp_path, prose, ['quiz("two-words")', 'review("two-words")',
                                                          'self_assessment("before")', "action_plan()"]))
    assert more.questions == 1.5 * len(two.questions)
    assert more.activities == pytest.approx(6.0 + 12 * 0.25 + 20.0)


def test_calls_are_read_as_code_not_text(tmp_path):
    two = lesson("two-words")
    one = two.questions[0].id
    path = write_notebook(tmp_path, "Hello.", [f'quiz(lesson_id="two-words")\n# review("two-words")',
                                               'self_assessment(phase="before")'])
    found = estimate(two, path)
    assert found.questions == 1.5 * len(two.questions), "a keyword lesson id still means every question"
    assert found.activities == pytest.approx(12 * 0.25), "a commented-out review adds nothing"
    path = write_notebook(tmp_path, "Hello.", [f'quiz("two-words", "{one}")'])
    assert estimate(two, path).questions == 1.5


def test_reading_time_is_linear_on_any_text():
    import time as _time

    from course import timing

    started = _time.perf_counter()
    timing._LINK.sub(" ", "](" * 50_000 + "<" * 50_000)
    assert _time.perf_counter() - started < 1
