"""Views for spaced retrieval: the warm-up review that opens a lesson, and the post-test with its before/after."""
from __future__ import annotations

import sqlite3
from html import escape

import ipywidgets as W

from course.bank import Lesson
from course.review import pre_post
from widgets._style import CSS, Fallback
from widgets.quiz_view import Quiz

REVIEW_INTRO = ('<div class="lm-muted">Three questions from earlier lessons: the ones you got wrong come first, '
                "then those you have not seen for longest. Nothing here is graded; your answers count "
                "towards the lesson they came from.</div>")


def review_quiz(lesson: Lesson, chosen: list, store, show_key: bool = False) -> Quiz:
    """Return the opening review of `lesson` as a quiz over the chosen (lesson, question) pairs."""
    quiz = Quiz(lesson, chosen, store, show_key=show_key, restore=False,
                title=f"Warm-up review before lesson {lesson.number:02d}", intro=REVIEW_INTRO)
    quiz.add_class("lm-review")
    return quiz


def _mark(value: bool | None) -> str:
    return {True: "✔ right", False: "✘ not yet", None: "— not answered"}[value]


def pre_post_html(pre: Lesson, store) -> str:
    """Render the learner's warm-up answers before the course (lesson 00) against the post-test."""
    rows = pre_post(pre, store.attempts())
    body = "".join(f"<tr><td>{escape(r.question.prompt[:90])}</td><td>{_mark(r.before)}</td><td>{_mark(r.after)}</td></tr>"
                   for r in rows)
    after = sum(1 for r in rows if r.after)
    answered = sum(1 for r in rows if r.after is not None)
    earlier = [r for r in rows if r.before is not None]
    if answered < len(rows):
        line = f"Answer all {len(rows)} questions above to see your before and after ({answered} so far)."
    elif not earlier:
        line = (f"First try right now: <b>{after} of {len(rows)}</b>. There is nothing to compare with: "
                "these questions were not answered in lesson 00.")
    else:
        before = sum(1 for r in earlier if r.before)
        now = sum(1 for r in earlier if r.after)
        line = (f"First try right: <b>{before} of {len(earlier)}</b> in lesson 00, <b>{now} of {len(earlier)}</b> now"
                + ("." if len(earlier) == len(rows) else f" (of the {len(earlier)} you answered in lesson 00)."))
    return (f'<div class="lm-prepost" role="status"><div class="lm-verdict">Before and after</div>'
            f'<div>{line}</div><table class="lm-table"><thead><tr><th>Question</th><th>Lesson 00 (first try)</th>'
            f'<th>Now (first try)</th></tr></thead><tbody>{body}</tbody></table></div>')


class PostTest(Fallback, W.VBox):
    """Lesson 00's warm-up asked again, with the learner's before-and-after underneath."""

    def __init__(self, pre: Lesson, post: Lesson, store, show_key: bool = False, **kwargs):
        self.pre, self.store = pre, store
        self.quiz = Quiz(post, list(post.questions), store, show_key=show_key)
        self.quiz.add_class("lm-posttest")
        self.comparison = W.HTML("")
        for view in self.quiz.views:
            view.observe(self._on_checked, names="checked")
        super().__init__(children=[self.quiz, self.comparison], **kwargs)
        self._render()

    def fallback_html(self) -> str:
        return self.quiz.fallback_html()

    def _on_checked(self, change) -> None:
        if change["new"]:
            self._render()

    def _render(self) -> None:
        try:
            self.comparison.value = CSS + pre_post_html(self.pre, self.store)
        except (sqlite3.Error, OSError) as exc:  # the quiz still works; the comparison says why it is missing
            self.comparison.value = f'<div class="lm-warning">The before-and-after cannot be shown: {escape(str(exc))}</div>'

