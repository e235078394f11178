"""Lead & Manage: the ipywidgets views over the `course` model. Each helper is one line in a notebook."""
from __future__ import annotations

import importlib

__all__ = ["quiz", "reflection", "progress", "course_map", "where_saved", "download_work", "upload_work",
           "self_assessment", "profile", "action_plan",
           "Quiz", "QuestionView", "ReflectionBox"]


_CLASSES = {"Quiz": "widgets.quiz_view", "QuestionView": "widgets.quiz_view", "ReflectionBox": "widgets.reflection_view"}


def __getattr__(name: str):
    # The view classes (and ipywidgets with them) load when a helper is first called, not at import.
    if name in _CLASSES:
        return getattr(importlib.import_module(_CLASSES[name]), name)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def _store():
    from course.store import default_store

    return default_store()


def _problem(title: str, exc: Exception):
    import ipywidgets as W

    from widgets._style import error_html

    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return W.HTML(error_html(title, message))


def quiz(lesson_id: str, *question_ids: str, show_key: bool | None = None):
    """Show a quiz: every question of a lesson, or the named ones.

    Parameters
    ----------
    lesson_id:
        The lesson's id (e.g. "two-words") or its notebook name.
    question_ids:
        Questions to show, in this order; none means all of the lesson's questions.
    """
    from course.bank import BankError, lesson

    try:
        found = lesson(lesson_id)
        questions = [found.question(q) for q in question_ids] if question_ids else list(found.questions)
    except (BankError, KeyError) as exc:
        return _problem("This quiz cannot be shown: the question bank has a problem.", exc)
    from widgets.quiz_view import Quiz

    return Quiz(found, questions, _store(), show_key=bool(show_key))


def reflection(lesson_id: str, reflection_id: str):
    """Show a reflection prompt with a text area that saves as you type."""
    from course.bank import BankError, lesson

    try:
        found = lesson(lesson_id)
        prompt = found.reflection(reflection_id)
    except (BankError, KeyError) as exc:
        return _problem("This reflection cannot be shown: the question bank has a problem.", exc)
    from widgets.reflection_view import ReflectionBox

    return ReflectionBox(found, prompt, _store())


def progress():
    """Show per-lesson completion across the course."""
    from course.bank import BankError, lessons
    from widgets.course_views import Progress

    try:
        return Progress(lessons(), _store())
    except BankError as exc:
        return _problem("Progress cannot be shown: the question bank has a problem.", exc)


def course_map():
    """Show the course map: every lesson with its time and a link."""
    from IPython.display import Markdown

    from course.bank import BankError, lessons
    from widgets.course_views import course_map_markdown

    try:
        return Markdown(course_map_markdown(lessons()))
    except BankError as exc:
        return _problem("The course map cannot be shown: the question bank has a problem.", exc)


def where_saved():
    """Show where this learner's work is kept and whether saving works."""
    import ipywidgets as W

    from widgets.course_views import where_saved_html

    return W.HTML(where_saved_html(_store()))


def download_work():
    """Show a button that downloads all of the learner's work (JSON export and Markdown portfolio)."""
    from widgets.course_views import DownloadWork

    return DownloadWork(_store())


def upload_work():
    """Show an upload control that merges a downloaded export back into this store."""
    from widgets.course_views import UploadWork

    return UploadWork(_store())


def self_assessment(phase: str = "after"):
    """Show the self-assessment: the short set 'before' the course, all items 'after'."""
    from course.bank import BankError
    from course.instruments import self_assessment as instrument
    from widgets.profile_views import SelfAssessment

    try:
        return SelfAssessment(instrument(), phase, _store())
    except (BankError, KeyError) as exc:
        return _problem("The self-assessment cannot be shown.", exc)


def profile():
    """Show the leading and managing profile: a chart per cluster with a summary in words."""
    from course.bank import BankError
    from course.instruments import self_assessment as instrument
    from widgets.profile_views import ProfileView

    try:
        return ProfileView(instrument(), _store())
    except BankError as exc:
        return _problem("The profile cannot be shown.", exc)


def action_plan():
    """Show the capstone 90-day plan form, saved as you type and checked against a rubric."""
    from course.bank import BankError, lesson
    from course.instruments import action_plan as form
    from course.plan import LESSON
    from widgets.profile_views import ActionPlanForm

    try:
        return ActionPlanForm(form(), lesson(LESSON), _store())
    except (BankError, KeyError) as exc:
        return _problem("The plan cannot be shown.", exc)
