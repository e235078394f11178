"""Lead & Manage: the ipywidgets views over the `course` model. Each helper is one line in a notebook.

Running a cell again replaces the views it showed before: the old ones store any waiting text,
stop listening to the store and are closed with every widget inside them.
"""
from __future__ import annotations

import functools
import importlib
import sys

__all__ = ["quiz", "review", "post_test", "reflection", "progress", "course_map", "where_saved", "download_work", "upload_work",
           "self_assessment", "profile", "action_plan", "instructor_mode", "class_results", "close_views",
           "project", "debrief", "kit_sheet", "live_session", "share_bar",
           "Quiz", "QuestionView", "ReflectionBox"]


_CLASSES = {"Quiz": "widgets.quiz_view", "QuestionView": "widgets.quiz_view", "ReflectionBox": "widgets.reflection_view"}


def __getattr__(name: str):
    # The view classes (and ipywidgets with them) load when a helper is first called, not at import.
    if name in _CLASSES:
        return getattr(importlib.import_module(_CLASSES[name]), name)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


# Where views were shown -> (the run of the cell that showed them, those views).
_SHOWN: dict[tuple, tuple[object, list]] = {}


def _parent_message() -> dict:
    """Return the kernel's request being run now (empty outside a kernel)."""
    ipython = sys.modules.get("IPython")  # not loaded: plain Python, so no kernel either
    shell = ipython.get_ipython() if ipython is not None else None
    get_parent = getattr(getattr(shell, "kernel", None), "get_parent", None)
    return (get_parent() or {}) if get_parent is not None else {}


def _place(helper: str, args: str) -> tuple[tuple, object]:
    """Return where a view is being shown and which run shows it.

    The place is the notebook cell (the `cellId` JupyterLab, Notebook 7 and VS Code send with each
    request; it stays the same when the cell is run again). Without one (nbclient, nbval, a console,
    plain Python) it is the call itself: the helper and its arguments. The run is the request's
    message id; outside a kernel each call is a run of its own.
    """
    parent = _parent_message()
    cell = (parent.get("metadata") or {}).get("cellId")
    run = (parent.get("header") or {}).get("msg_id") or object()
    return (("cell", cell) if cell else (helper, args)), run


def _replaces_earlier_views(helper):
    """Make a helper close the views shown at the same place by an earlier run before it shows its own."""

    @functools.wraps(helper)
    def show(*args, **kwargs):
        where, run = _place(helper.__name__, repr((args, sorted(kwargs.items()))))
        shown_by, views = _SHOWN.get(where, (None, []))
        if shown_by != run:  # the cell runs again: what it showed last time is gone from the page
            _SHOWN.pop(where, None)
            _close(views)
            views = []
        view = helper(*args, **kwargs)
        ipywidgets = sys.modules.get("ipywidgets")  # not loaded: the helper made no widget
        if ipywidgets is not None and isinstance(view, ipywidgets.Widget):
            _SHOWN[where] = (run, [*views, view])
        return view

    return show


def _close(views) -> None:
    from widgets._style import close_whole

    for view in views:
        close_whole(view)


def close_views() -> None:
    """Close every view the helpers have shown in this kernel, storing any waiting text first."""
    while _SHOWN:
        _, (_, views) = _SHOWN.popitem()
        _close(views)


def _store():
    from course.store import default_store

    return default_store()


def _problem(title: str, exc: Exception, helper: str | None = None, tail: tuple = ()):
    """Return a readable message for a helper that cannot show its view.

    Parameters
    ----------
    title:
        What cannot be shown and why, as "This quiz cannot be shown: the question bank has a problem."
    exc:
        The error. `NotInBank` is explained by `_not_in_bank`; for `IdNotText` (a notebook author's slip, not
        a bank problem) only the part of the title before the colon is kept.
    helper, tail:
        The helper's name and the arguments it was given after its lesson and item ids, so that an id given
        in the wrong place can be answered with the call to write instead.
    """
    from course.bank import IdNotText, NotInBank

    if isinstance(exc, NotInBank):  # a slip in the notebook, or lessons newer than the installed package
        return _not_in_bank(exc, helper, tail)
    from widgets._style import error_html, note

    if isinstance(exc, IdNotText):
        title = title.partition(":")[0].rstrip(".") + "."
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return note(error_html(title, message))


# Which kind of id each helper takes after the lesson, to write the call that shows an id found elsewhere.
_TAKES = {"quiz": "question", "project": "question", "debrief": "question", "reflection": "reflection"}
_SHOWN_BY = {"question": "quiz", "reflection": "reflection"}
_LISTED = 40  # ids listed at most in one message


def _short(item_id) -> str:
    """Return an id from the notebook for a message; never a long one whole."""
    text = str(item_id)
    return text if len(text) <= 80 else text[:77] + "…"


def _call(helper: str | None, kind: str, lesson_id: str, item_id: str, tail: tuple = ()) -> str:
    """Return the call that shows `item_id`, a `kind` ('question' or 'reflection') of lesson `lesson_id`."""
    import json

    if helper not in _TAKES:  # a helper that takes a lesson alone: the same helper, on the right lesson
        return f"{helper}({json.dumps(lesson_id, ensure_ascii=False)})" if helper else ""
    args = (lesson_id, item_id, *tail) if _TAKES[helper] == kind else (lesson_id, item_id)
    name = helper if _TAKES[helper] == kind else _SHOWN_BY[kind]
    return f"{name}({', '.join(json.dumps(a, ensure_ascii=False) for a in args)})"


def _places(item_id: str, course) -> list[tuple[str, str]]:
    """Return (lesson id, 'question' or 'reflection') for every lesson of `course` that has an item with this id."""
    return [(found.id, kind) for found in course
            for kind, items in (("question", found.questions), ("reflection", found.reflections))
            if any(item.id == item_id for item in items)]


def _listed(ids: list[str]) -> str:
    shown = ", ".join(_short(x) for x in ids[:_LISTED])
    return shown + (f" and {len(ids) - _LISTED} more" if len(ids) > _LISTED else "")


def _not_in_bank(exc, helper: str | None = None, tail: tuple = ()):
    """Explain an id the installed bank lacks where it was asked for: where in the course it is, or what is there.

    - An id that is a question or reflection of some lesson (given as a lesson, or under another lesson,
      or as the other kind) is answered with the lesson it belongs to and the call to write instead.
    - An item missing from a lesson that exists lists that lesson's ids of that kind, and names a close
      one when there is one ("did you mean").
    - Only an id unknown to the whole bank says the package is older than the lessons, with the one
      command that updates the package the way it was installed.
    """
    import difflib
    from html import escape

    from course.bank import BankError, lesson, lessons
    from widgets._style import card_html, note

    item_id, kind = str(exc.item_id), exc.kind
    try:
        course = lessons()
    except BankError:  # another lesson's file is broken: say only what the error says
        course = ()
    places = _places(item_id, course)
    if kind != "lesson":
        places = [(where, k) for where, k in places if (where, k) != (exc.lesson_id, kind)]
    if places:  # the id is in the bank, just not where it was asked for
        if kind == "lesson":
            where = _where_text(places)
            head = f"'{_short(item_id)}' is {where}, not a lesson."
        else:
            head = (f"Lesson '{_short(exc.lesson_id)}' has no {kind} '{_short(item_id)}': it is "
                    f"{_where_text(places)}.")
        calls = [_call(helper, k, where, item_id, tail) for where, k in places]
        calls = [c for c in dict.fromkeys(calls) if c]
        lead = "Name its lesson first, then the id:" if kind == "lesson" else "Write instead:"
        return note(card_html(f'<div class="lm-warning" role="alert"><b>{escape(head)}</b></div>',
                              f"<div>{escape(lead)}</div>" if calls else "",
                              "".join(f"<pre><code>{escape(c)}</code></pre>" for c in calls)))
    if kind == "lesson":
        known = [found.id for found in course]
        there = f"The course's lessons: {_listed(known)}." if known else ""
    else:
        try:
            items = lesson(exc.lesson_id).questions if kind == "question" else lesson(exc.lesson_id).reflections
            known = [item.id for item in items]
        except (BankError, KeyError):
            known = []
        there = (f"The {kind}s of lesson '{_short(exc.lesson_id)}': {_listed(known)}." if known else
                 f"Lesson '{_short(exc.lesson_id)}' has no {kind}s.")
    close = difflib.get_close_matches(item_id.strip(), known, n=1, cutoff=0.8) if len(item_id) <= 200 else []
    drift = _drift_text(exc)
    if close:
        within = "" if kind == "lesson" else f" in lesson '{_short(exc.lesson_id)}'"
        head = f"No {kind} '{_short(item_id)}'{within}. Did you mean '{close[0]}'?"
        call = "" if kind == "lesson" else _call(helper, kind, exc.lesson_id, close[0], tail)
        return note(card_html(f'<div class="lm-warning" role="alert"><b>{escape(head)}</b></div>',
                              f"<pre><code>{escape(call)}</code></pre>" if call else "",
                              f"<div>{escape(there)}</div>" if there else "",
                              f"<div>If '{escape(_short(item_id))}' is right, this lesson needs a newer course "
                              f"package. {drift}</div>"))
    return note(card_html('<div class="lm-warning" role="alert"><b>This lesson needs a newer course package.</b></div>',
                          f"<div>{escape(there)}</div>" if there else "", f"<div>{drift}</div>"))


def _where_text(places: list[tuple[str, str]]) -> str:
    """Say where an id is: "a question in lesson 'start-here'", "a question in lessons 'a' and 'b'"."""
    by_kind: dict[str, list[str]] = {}
    for where, kind in places:
        by_kind.setdefault(kind, []).append(f"'{_short(where)}'")
    parts = []
    for kind, wheres in by_kind.items():
        names = wheres[0] if len(wheres) == 1 else ", ".join(wheres[:-1]) + " and " + wheres[-1]
        parts.append(f"a {kind} in lesson{'s' if len(wheres) > 1 else ''} {names}")
    return " and ".join(parts)


def _drift_text(exc) -> str:
    """Return, as escaped HTML, that the installed package lacks the id and the one command that updates it."""
    from html import escape

    from course.bank import bank_source

    source = bank_source()
    if exc.kind == "lesson":
        missing = f"has no lesson '{_short(exc.item_id)}'"
    else:
        missing = f"has no {exc.kind} '{_short(exc.item_id)}' in lesson '{_short(exc.lesson_id)}'"
    if source.kind == "checkout":
        how = (f"It is read from the git checkout in {source.folder}. To update it, run this in a terminal, "
               "then restart the kernel (Kernel › Restart Kernel) and run this cell again:")
    elif source.kind == "folder":
        how = (f"It is read from the folder {source.folder}. Put a newer copy of the course in its place, run "
               "./start.sh there, then restart the kernel (Kernel › Restart Kernel) and run this cell again.")
    else:
        how = ("To update it, run this in a terminal (on a shared JupyterHub, whoever runs the hub does), "
               "then restart the kernel (Kernel › Restart Kernel) and run this cell again:")
    text = (f"The course package installed here (lead-manage {source.version}) {missing}: the lessons are newer "
            f"than the package, which holds the questions. {how}")
    return escape(text) + (f"<pre><code>{escape(source.command)}</code></pre>" if source.command else "")


INSTRUCTOR_ENV = "LEAD_MANAGE_INSTRUCTOR"
_instructor: bool | None = None


@_replaces_earlier_views
def instructor_mode(on: bool = True):
    """Turn instructor mode on (or off) for quizzes shown after this call.

    In instructor mode each question has a Reveal control that shows the room the answer key and why
    each option is right or wrong, for projecting a question before and after learners vote; the bank's
    discussion note sits behind a separate, closed Trainer notes control. Answers checked in instructor
    mode are not saved, so learner data is never changed by it. It is off unless this is called or
    the LEAD_MANAGE_INSTRUCTOR environment variable is set to 1.
    """
    from widgets._style import note

    global _instructor
    _instructor = bool(on)
    state = "on: quizzes below show a Reveal control for the answer key" if on else "off"
    return note(f'<div class="lm-muted" role="status">Instructor mode is {state}.</div>')


def instructor_enabled() -> bool:
    """Tell whether instructor mode is on (by a call, or else by the environment variable)."""
    import os

    if _instructor is not None:
        return _instructor
    return os.environ.get(INSTRUCTOR_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@_replaces_earlier_views
def class_results(folder: str | None = None, names: bool = False, lessons=None, questions=None):
    """Show a class's results from a folder of learners' exports (no folder: a small demo class).

    Parameters
    ----------
    folder:
        The folder of .json (or course-made .zip) exports the learners handed in.
    names:
        Show learners' own names instead of pseudonyms.
    lessons, questions:
        Limit the results to the lessons and questions a session used, e.g. `lessons=["start-here", "two-words"],
        questions=[("two-words", "different-people")]` (see `course.class_results.session_scope`).
    """
    from course.class_results import ScopeError, class_results_from_folder, demo_class
    from widgets.instructor_views import ClassResultsView

    try:
        if folder is None:
            return ClassResultsView(demo_class(lessons=lessons, questions=questions), "demo class of invented learners")
        results = class_results_from_folder(folder, names=names, lessons=lessons, questions=questions)
    except FileNotFoundError as exc:
        return _problem("No class results: the folder was not found.", exc)
    except ScopeError as exc:
        return _problem("No class results: the session's lessons or questions cannot be used.", exc)
    return ClassResultsView(results, str(folder), names=names)


@_replaces_earlier_views
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
        return _problem("This quiz cannot be shown: the question bank has a problem.", exc, "quiz")
    from widgets.quiz_view import Quiz

    return Quiz(found, questions, _store(), show_key=instructor_enabled() if show_key is None else bool(show_key))


@_replaces_earlier_views
def project(lesson_id: str, *question_ids: str | list[str] | tuple[str, ...] | None):
    """Show questions for a room, one at a time in large type, to vote on by letter before Reveal.

    Options are lettered A, B, C... in the order instructor mode uses; Previous, Next, Reveal and Present
    (fill the browser window) are buttons. No Check, no score, nothing saved, and no trainer notes: the
    bank's discussion note and the guides' debrief notes are never sent to the page.

    Parameters
    ----------
    lesson_id:
        The lesson's id (e.g. "two-words") or its notebook name.
    question_ids:
        The questions to show, in this order: as separate arguments, as `quiz()` takes them
        (`project("two-words", "different-people", "title-names-the-post")`), or as one list or tuple
        (`project("two-words", ["different-people", "title-names-the-post"])`). None, an empty list, or
        nothing shows all of the lesson's questions. An id that is not text gets the course's message
        saying so (`course.bank.IdNotText`), never a traceback.
    """
    from course.bank import BankError, lesson

    if len(question_ids) == 1 and (question_ids[0] is None or isinstance(question_ids[0], (list, tuple))):
        ids = [] if question_ids[0] is None else list(question_ids[0])
    else:
        ids = list(question_ids)
    try:
        found = lesson(lesson_id)
        questions = [found.question(q) for q in ids] if ids else list(found.questions)
    except (BankError, KeyError) as exc:
        return _problem("The projector view cannot be shown: the question bank has a problem.", exc, "project")
    if not questions:
        from widgets._style import note

        return note('<div class="lm-muted" role="status">This lesson has no quiz questions to project.</div>')
    from widgets.projector_view import Projector

    return Projector(found, questions)


@_replaces_earlier_views
def debrief(lesson_id: str, question_id: str, guide: str | None = None):
    """Show one question in a facilitator guide: the quiz in instructor mode (the key only after Reveal,
    nothing saved) and a Trainer notes control, closed, with the guide's debrief notes and the bank's
    discussion note. The notes are sent to the page only while that control is open.

    Parameters
    ----------
    lesson_id, question_id:
        The question, as in the bank. An id that is not text, or one the bank has elsewhere, gets a
        message saying so (with the call to write), never a traceback.
    guide:
        The guide's notebook name ("half_day_workshop" or "six_sessions"), for that guide's own wording of
        the notes where it has one; None gives the notes the guides share.
    """
    from course.bank import BankError, lesson
    from course.guides import debrief_notes

    try:
        found = lesson(lesson_id)
        question = found.question(question_id)
        notes = debrief_notes(found.id, question.id, guide)
    except (BankError, KeyError) as exc:
        return _problem("This debrief cannot be shown: the question bank or the debrief notes have a problem.", exc,
                        "debrief", () if guide is None else (guide,))
    from widgets.quiz_view import Quiz

    return Quiz(found, [question], _store(), show_key=True, notes={question.id: notes})


@_replaces_earlier_views
def kit_sheet(name: str):
    """Show a sheet of the trainer's kit, exactly as `python -m course kit` prints it.

    Parameters
    ----------
    name:
        The sheet: "run-sheet", "jigsaw", "myth-cards", "worksheet", "evaluation", "fallback",
        "fallback-questions" or "answer-key".
    """
    from course.bank import BankError
    from course.kit import KitError

    try:
        from widgets.kit_views import KitSheet

        return KitSheet(name)
    except (KitError, BankError, KeyError) as exc:
        return _problem("This sheet of the trainer's kit cannot be shown.", exc)


@_replaces_earlier_views
def review(lesson_id: str):
    """Open a lesson with a short mixed review: three questions from earlier lessons.

    Chosen from the learner's store: first questions last answered wrongly (oldest first), then
    those seen longest ago, then unseen ones; never the questions of the review shown just before.
    Answers are recorded under the lesson each question comes from.
    """
    import sqlite3

    from course.bank import BankError, lesson, lessons
    from course.review import LAST_REVIEW_KEY, choose_review, decode_shown, encode_shown

    store = _store()
    try:
        current = lesson(lesson_id)
        course = lessons()
    except (BankError, KeyError) as exc:
        return _problem("The review cannot be shown: the question bank has a problem.", exc)
    from widgets.quiz_view import _learner_id
    from widgets.review_view import review_quiz

    show_key = instructor_enabled()
    try:
        attempts, last = ([], []) if show_key else (store.attempts(), decode_shown(store.get(LAST_REVIEW_KEY)))
    except (sqlite3.Error, OSError):  # an unreadable store still gets a review: the default for a new learner
        attempts, last = [], []
    from course.order import SHARED

    chosen = choose_review(current, course, attempts, SHARED if show_key else (_learner_id(store) or ""), last)
    if not chosen:
        from widgets._style import note

        return note('<div class="lm-muted">No review yet: this is where the course begins.</div>')
    if not show_key:  # instructor mode records nothing
        try:
            store.set(LAST_REVIEW_KEY, encode_shown(chosen))
        except (sqlite3.Error, OSError):
            pass  # the review still works; it may repeat next time
    return review_quiz(current, chosen, store, show_key=show_key)


@_replaces_earlier_views
def post_test():
    """Ask lesson 00's warm-up again (lesson 13) and show the learner's before-and-after."""
    from course.bank import BankError, lesson
    from course.review import PRE_TEST, post_test_lesson

    try:
        pre = lesson(PRE_TEST)
    except (BankError, KeyError) as exc:
        return _problem("The post-test cannot be shown: the question bank has a problem.", exc)
    from widgets.review_view import PostTest

    return PostTest(pre, post_test_lesson(pre), _store(), show_key=instructor_enabled())


@_replaces_earlier_views
def reflection(lesson_id: str, reflection_id: str):
    """Show a reflection prompt with a text area that saves as you type."""
    from course.bank import BankError, lesson

    try:
        found = lesson(lesson_id)
        prompt = found.reflection(reflection_id)
    except (BankError, KeyError) as exc:
        return _problem("This reflection cannot be shown: the question bank has a problem.", exc, "reflection")
    from widgets.reflection_view import ReflectionBox

    return ReflectionBox(found, prompt, _store())


@_replaces_earlier_views
def progress():
    """Show per-lesson completion across the course."""
    from course.bank import BankError, lessons
    from widgets.course_views import Progress

    try:
        return Progress(lessons(), _store())
    except BankError as exc:
        return _problem("Progress cannot be shown: the question bank has a problem.", exc)


@_replaces_earlier_views
def course_map():
    """Show the course map: every lesson with its time and a link."""
    from IPython.display import Markdown

    from course.bank import BankError, lessons
    from widgets.course_views import course_map_markdown

    try:
        return Markdown(course_map_markdown(lessons()))
    except BankError as exc:
        return _problem("The course map cannot be shown: the question bank has a problem.", exc)


@_replaces_earlier_views
def where_saved():
    """Show where this learner's work is kept and whether saving works."""
    from widgets._style import note
    from widgets.course_views import where_saved_html

    return note(where_saved_html(_store()))


@_replaces_earlier_views
def download_work():
    """Show a button that downloads all of the learner's work (JSON export and Markdown portfolio)."""
    from widgets.course_views import DownloadWork

    return DownloadWork(_store())


@_replaces_earlier_views
def upload_work():
    """Show an upload control that merges a downloaded export back into this store."""
    from widgets.course_views import UploadWork

    return UploadWork(_store())


@_replaces_earlier_views
def self_assessment(phase: str = "after"):
    """Show the self-assessment: the short set 'before' the course, all items 'after'."""
    from course.bank import BankError
    from course.instruments import self_assessment as instrument
    from widgets.profile_views import SelfAssessment

    try:
        return SelfAssessment(instrument(), phase, _store())
    except (BankError, KeyError) as exc:
        return _problem("The self-assessment cannot be shown.", exc)


@_replaces_earlier_views
def profile():
    """Show the leading and managing profile: a chart per cluster with a summary in words."""
    from course.bank import BankError
    from course.instruments import self_assessment as instrument
    from widgets.profile_views import ProfileView

    try:
        return ProfileView(instrument(), _store())
    except BankError as exc:
        return _problem("The profile cannot be shown.", exc)


@_replaces_earlier_views
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


@_replaces_earlier_views
def live_session(*lesson_ids: str, groups: list[str] | tuple[str, ...] = ()):
    """Open a live class session for one or more lessons (or find your open one again) and show its dashboard.

    Needs the course's live service on your JupyterHub and an instructor's account there (a hub admin or a
    member of the instructors' group). The dashboard shows the join code and the room's answers as they arrive.
    Every hub user may see and join the session, unless `groups` names hub groups: then only their members may.

    Parameters
    ----------
    lesson_ids:
        The lessons' ids (e.g. "two-words") or notebook names.
    groups:
        Hub groups whose members may join, e.g. ["team-a"]; empty (the default): everyone on the hub.
    """
    from course.bank import BankError, lesson
    from course.live.client import LiveError, Service
    from widgets._style import card_html, note

    try:
        if not lesson_ids:
            raise KeyError('name at least one lesson, such as live_session("two-words")')
        found = [lesson(lesson_id) for lesson_id in lesson_ids]
    except (BankError, KeyError) as exc:
        return _problem("The live session cannot be opened.", exc)
    service = Service.from_env()
    if service is None:
        from html import escape

        return note(card_html('<div class="lm-warning" role="status"><b>No live-session service here.</b> '
                              + escape("Live sessions run on a JupyterHub with the course's live service; its admin "
                                       "sets LEAD_MANAGE_LIVE_URL for every server (see the README).") + "</div>"))
    if isinstance(groups, str):  # live_session("two-words", groups="team-a") means one group, not its letters
        groups = [groups]
    try:
        session = service.open_session([x.id for x in found], list(groups))
    except LiveError as exc:
        return _problem("The live session could not be opened.", exc)
    from widgets.live_views import LiveDashboard

    return LiveDashboard(service, found, session)


@_replaces_earlier_views
def share_bar(lesson_id: str):
    """Show "Share my answers with the class session" while a live session for this lesson is open (off by default)."""
    from course.live.client import Service
    from widgets.live_views import ShareBar

    return ShareBar(Service.from_env(), lesson_id, _store())
