"""What opening a lesson costs: the widgets a quiz makes, and that sharing them changes nothing a learner sees."""
from __future__ import annotations

import ipywidgets as W

import widgets


def _held(widget, seen=None) -> list:
    """Every widget model a view holds (children, layouts, styles), each once."""
    seen = {} if seen is None else seen
    if widget.model_id in seen:
        return list(seen.values())
    seen[widget.model_id] = widget
    for name in ("children", "layout", "style"):
        value = getattr(widget, name, None)
        for inner in (value if isinstance(value, (list, tuple)) else [value]):
            if isinstance(inner, W.Widget):
                _held(inner, seen)
    return list(seen.values())


def test_a_lesson_quiz_shares_its_unchanging_layouts_and_styles():
    quiz = widgets.quiz("two-words")
    held = _held(quiz)
    controls = [w for w in held if isinstance(w, W.DOMWidget) and not isinstance(w, W.Box)]
    styles = [w for w in held if isinstance(w, W.widgets.widget_description.DescriptionStyle) or
              type(w).__name__.endswith("Style")]
    layouts = [w for w in held if isinstance(w, W.Layout)]
    assert len(controls) > 40
    assert len(styles) <= 8, "one style per kind of control, not one per control"
    assert len(layouts) <= 4 * len(quiz.views) + 4, "a layout of its own only where it changes"
    assert len(held) < 2.2 * len(controls)


def test_hiding_one_questions_buttons_leaves_the_others_alone():
    quiz = widgets.quiz("two-words")
    first, second = quiz.views[0], quiz.views[1]
    assert first.retry_button.layout is not second.retry_button.layout
    assert first.explain_button.layout is not second.explain_button.layout
    first.value = first.kind.empty(first.question)
    first.retry_button.layout.display = ""
    assert second.retry_button.layout.display == "none"
    assert first.check_button.layout is second.check_button.layout, "the unchanging ones are shared"


def test_closing_a_quiz_closes_what_it_shares_and_nothing_of_another_quiz():
    from widgets._style import close_whole

    from course.bank import lesson
    from widgets.quiz_view import Quiz

    store = widgets._store()
    found = lesson("two-words")
    one = Quiz(found, list(found.questions), store)
    two = Quiz(found, list(found.questions), store)
    shared = one.views[0].check_button.layout
    close_whole(one)
    assert shared.comm is None
    assert all(w.comm is not None for w in _held(two)), "another quiz keeps every widget it holds"
