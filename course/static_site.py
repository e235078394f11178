"""The whole course as one static HTML page to read or print, built from the lessons and the bank.

Each lesson's text comes from its notebook's Markdown cells; each one-line call (`quiz(...)`,
`reflection(...)`, ...) is replaced by what it asks, taken from the bank: the questions with their
options in the shared order, the reflection prompts, the self-assessment items and the plan's
fields. Calls are read, never run. The instructor copy adds each question's key, the feedback on
every option and the discussion note. The page loads nothing from anywhere: it reads the same
offline, and it has a print stylesheet.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.bank import LABEL_NAMES, Lesson, Question, lesson as bank_lesson, lessons as bank_lessons
from course.kinds import kind_of
from course.order import display_order

# Calls whose views only make sense in a running lesson: the page says what appears there instead.
IN_JUPYTER = {
    "progress": "In Jupyter, your progress through every lesson appears here.",
    "where_saved": "In Jupyter, this shows where your answers are kept on your computer.",
    "download_work": "In Jupyter, a button here downloads all your work: answers, reflections and your plan.",
    "upload_work": "In Jupyter, you can upload an earlier download here and carry on where you left off.",
    "profile": "In Jupyter, your profile appears here: a chart per cluster, drawn from your self-assessment.",
    "review": ("In Jupyter, three questions from earlier lessons appear here: the ones you got wrong first, "
               "then those you have not seen for longest."),
}


class LessonFileError(ValueError):
    """A lesson notebook is missing or cannot be read; the message names the file."""


@dataclass(frozen=True)
class Option:
    """One option (or classify statement) as shown, with its key and feedback for the instructor copy."""

    text: str
    keyed: bool
    feedback: str
    label: str = ""  # classify: the key's label


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the page shows it."""

    kind: str
    kind_title: str
    prompt: str
    situation: str | None
    options: tuple[Option, ...]
    discussion: str | None


@dataclass(frozen=True)
class Activity:
    """What a call cell becomes on the page: `kind` picks the template's block."""

    kind: str  # prose (rendered Markdown in `text`), quiz, reflection, self_assessment, plan, course_map, note
    title: str = ""
    text: str = ""
    questions: tuple[ShownQuestion, ...] = ()
    rows: tuple[Any, ...] = ()
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LessonPage:
    """One lesson on the page: its bank entry and its parts, in notebook order."""

    lesson: Lesson
    anchor: str
    parts: tuple[Activity, ...]


def default_lessons_dir() -> Path:
    """Return the course's `modules` folder: beside the `course` package in a checkout of the course."""
    return Path(__file__).resolve().parent.parent / "modules"


def anchor_of(lesson: Lesson) -> str:
    """Return the id of a lesson's section on the page."""
    return f"lesson-{lesson.number:02d}"


def _markdown(links: dict[str, str]):
    """Return a Markdown renderer: raw HTML escaped, headings one level down, links to lessons made local."""
    import mistune

    class CourseRenderer(mistune.HTMLRenderer):
        def heading(self, text: str, level: int, **attrs: Any) -> str:
            return super().heading(text, min(level + 1, 6), **attrs)  # the page's own title is the one h1

        def link(self, text: str, url: str, title: str | None = None) -> str:
            return super().link(text, links.get(url, url), title)

    return mistune.create_markdown(escape=True, renderer=CourseRenderer(escape=True),
                                   plugins=["table", "strikethrough"])


def shown_question(owner: Lesson | str, question: Question) -> ShownQuestion:
    """Return a question as a static copy shows it: options in the shared order, with key and feedback."""
    kind = kind_of(question)
    parts = kind.parts(question)
    order = display_order(owner, question)
    if question.type == "classify":
        options = tuple(Option(parts[i].text, True, parts[i].feedback, LABEL_NAMES[parts[i].label]) for i in order)
    else:
        options = tuple(Option(parts[i].text, parts[i].correct, parts[i].feedback) for i in order)
    return ShownQuestion(question.type, kind.title, question.prompt, question.situation, options, question.discussion)


def _literal_call(source: str) -> tuple[str, list] | None:
    """Read a one-line call such as `quiz("two-words", "q1")` without running it (None if it is not one).

    Raises `ValueError` for a call the page cannot read: keyword arguments, or arguments that are not plain text.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):  # not Python the page can read: not a call
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        return None
    if call.keywords:
        raise ValueError("keyword arguments are not read; name the lesson and ids in order")
    try:
        args = [ast.literal_eval(a) for a in call.args]
    except (ValueError, TypeError, MemoryError, RecursionError):
        return None
    if not all(isinstance(a, str) for a in args):
        raise ValueError("every argument must be a lesson, question or reflection id in quotes")
    return call.func.id, args


def activity(name: str, args: list, course: tuple[Lesson, ...]) -> Activity | None:
    """Return what a call shows on the page (None for a call the page leaves out, such as the import).

    Raises `KeyError` when the call names a lesson, question or reflection the bank does not have.
    """
    if name == "quiz":
        owner = bank_lesson(args[0])
        chosen = [owner.question(q) for q in args[1:]] if len(args) > 1 else list(owner.questions)
        return Activity("quiz", title=owner.title, questions=tuple(shown_question(owner, q) for q in chosen))
    if name == "reflection":
        owner = bank_lesson(args[0])
        prompt = owner.reflection(args[1])
        return Activity("reflection", text=prompt.prompt, extra={"hint": prompt.hint, "example": prompt.example})
    if name == "post_test":
        from course.review import PRE_TEST, post_test_lesson

        post = post_test_lesson(bank_lesson(PRE_TEST))
        return Activity("quiz", title=post.title, text="Lesson 00's warm-up, asked again: compare your answers with your first ones.",
                        questions=tuple(shown_question(post, q) for q in post.questions))
    if name == "self_assessment":
        from course.instruments import self_assessment

        instrument = self_assessment()
        phase = args[0] if args else "after"
        return Activity("self_assessment", title=instrument.title, text=instrument.disclaimer,
                        rows=tuple(item.text for item in instrument.for_phase(phase)),
                        extra={"scale": [instrument.scale[k] for k in sorted(instrument.scale)]})
    if name == "action_plan":
        from course.instruments import action_plan

        form = action_plan()
        return Activity("plan", title=form.title, text=form.intro, rows=tuple((f.label, f.prompt) for f in form.fields))
    if name == "course_map":
        return Activity("course_map", rows=tuple((lesson.number, lesson.title, lesson.summary or "", lesson.minutes,
                                                  anchor_of(lesson)) for lesson in course))
    if name in IN_JUPYTER:
        return Activity("note", text=IN_JUPYTER[name])
    return None


def _cells(path: Path) -> list[dict]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LessonFileError(f"{path}: the lesson's notebook is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LessonFileError(f"{path}: cannot be read as a notebook ({exc})") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise LessonFileError(f"{path}: has no cells")
    return [c for c in cells if isinstance(c, dict)]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def lesson_pages(folder: Path) -> list[LessonPage]:
    """Read every lesson of the course, in the course's order, from its notebook in `folder`."""
    from markupsafe import Markup

    course = bank_lessons()
    links = {lesson.notebook: f"#{anchor_of(lesson)}" for lesson in course}
    render = _markdown(links)
    pages = []
    for lesson in course:
        path = Path(folder) / lesson.notebook
        parts: list[Activity] = []
        for cell in _cells(path):
            if cell.get("cell_type") == "markdown":
                parts.append(Activity("prose", text=Markup(render(_source(cell)))))
            elif cell.get("cell_type") == "code":
                try:
                    call = _literal_call(_source(cell).strip())
                except ValueError as exc:
                    raise LessonFileError(f"{path}: the call {_source(cell).strip()[:200]} cannot be read ({exc})") from None
                if call is None:
                    continue
                try:
                    shown = activity(*call, course)
                except (KeyError, IndexError) as exc:
                    raise LessonFileError(f"{path}: the call {_source(cell).strip()} does not match the bank "
                                          f"({exc.args[0] if exc.args else exc})") from None
                if shown is not None:
                    parts.append(shown)
        pages.append(LessonPage(lesson, anchor_of(lesson), tuple(parts)))
    return pages


def course_html(folder: Path | None = None, instructor: bool = False) -> str:
    """Return the whole course as one HTML page.

    Parameters
    ----------
    folder:
        The folder of lesson notebooks (default: the course's `modules` folder).
    instructor:
        Add each question's key, the feedback on every option, discussion notes and the example answers.
    """
    import jinja2

    pages = lesson_pages(Path(folder) if folder is not None else default_lessons_dir())
    env = jinja2.Environment(loader=jinja2.PackageLoader("course", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    total = sum(page.lesson.minutes for page in pages)
    hours = f"{round(total / 30) / 2:g}"  # to the nearest half hour
    page = env.get_template("course.html.j2").render(pages=pages, instructor=instructor, minutes=total,
                                                      hours=hours, labels=tuple(LABEL_NAMES.values()), generator=COURSE_PAGE)
    return page


# -- writing a page into a folder -------------------------------------------------------------------
COURSE_PAGE = "lead-manage course page"  # the course page's <meta name="generator">: a re-build knows its own page
KIT_PAGE = "lead-manage kit"  # the same mark on every page of the trainer's kit (course/kit.py)
_GENERATOR = re.compile(rb'<meta name="generator" content="([^"<>]{1,60})">')
_HEAD_BYTES = 1024  # the mark sits in the head, next to the charset, which HTML wants in the first 1024 bytes


class OutputError(ValueError):
    """The folder given for a page cannot take it. `problems` are sentences, one a path at fault; `foreign`
    lists the files there that the command did not write (empty when something else is in the way): `force`
    would write over or beside those."""

    def __init__(self, problems: str | list[str], foreign: tuple[str, ...] = ()):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.foreign = tuple(foreign)
        super().__init__("\n".join(self.problems))


def page_generator(path: Path) -> str | None:
    """Return the `<meta name="generator">` of the HTML page at `path`, or None.

    Only a regular file is opened (never a link, a folder or a pipe), and only its first 1,024 bytes are read.
    """
    import os
    import stat

    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return None
            head = os.read(handle, _HEAD_BYTES)
        finally:
            os.close(handle)
    except OSError:
        return None
    found = _GENERATOR.search(head)
    return found.group(1).decode("ascii", "replace") if found else None


def describe_page(path: Path) -> str:
    """Return a file's name, with what it is when a course command wrote it ("index.html (a course page)")."""
    made_by = {COURSE_PAGE: "a course page", KIT_PAGE: "a page of a trainer's kit"}.get(page_generator(path) or "")
    return f"{path.name} ({made_by})" if made_by else path.name


def folder_in_the_way(out: Path) -> str | None:
    """Return why the folder `out` cannot be made or written into (it, or a folder above it, is a file), or None."""
    import os

    probe = Path(out)
    while not os.path.lexists(probe):
        if probe.parent == probe:
            return None
        probe = probe.parent
    if probe.is_dir():
        return None
    if probe == Path(out):
        return f"{out} is a file, not a folder"
    return f"cannot make the folder {out}: {probe} is a file, not a folder"


def check_site_folder(out: Path, force: bool = False) -> None:
    """Check that the course page can be written as `out/index.html`; raise `OutputError` naming what is in the way.

    Refused: `out` (or a folder above it) being a file, `out/index.html` being a folder or anything but a file,
    and, unless `force`, an `out/index.html` that is not a course page (a trainer's kit's front page, say).
    """
    import os
    import stat

    out = Path(out)
    problem = folder_in_the_way(out)
    if problem:
        raise OutputError(problem)
    target = out / "index.html"
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot look at {target}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{target} is a folder, not a file")
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise OutputError(f"{target} is not a regular file")
    generator = page_generator(target)
    if not force and generator != COURSE_PAGE:
        what = " (it is the front page of a trainer's kit)" if generator == KIT_PAGE else ""
        raise OutputError(f"{target} is not a course page written by python -m course html{what}", (target.name,))


def write_site(out: Path, folder: Path | None = None, instructor: bool = False, force: bool = False) -> Path:
    """Build the course page and write it as `index.html` in the folder `out` (made if missing); return its path.

    The page is written beside its final name and renamed into place, so a failure never leaves half a page.
    An `index.html` already there is replaced only when it is a course page (it carries the course page's
    generator mark), or when `force` is given.

    Raises `OutputError` when `out` cannot take the page (nothing is written then), `LessonFileError` or
    `BankError` when the course cannot be read, and `OSError` when writing fails.
    """
    import os
    import tempfile

    out = Path(out)
    check_site_folder(out, force)
    html = course_html(folder, instructor)
    check_site_folder(out, force)  # again: building the page takes a few seconds
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    handle, temporary = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=out)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as page:
            page.write(html)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
