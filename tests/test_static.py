"""Static copies: the whole course as one page (`python -m course html`), and a lesson through nbconvert.

Rendering both in Chromium with the network blocked is in test_browser.py.
"""
from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import course.static_site as static_site
from course.bank import lessons, load_file
from course.jupyter_hooks import FALLBACK_START, WIDGET_STATE, WIDGET_VIEW
from course.kinds import kind_of
from tests.jupyterlab import REPO

DATA = Path(__file__).parent / "data"


def build(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course", "html", str(out), *extra], capture_output=True, text=True,
                          timeout=300, cwd=out.parent)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Build the learners' copy and the instructor copy once, with the documented command."""
    root = tmp_path_factory.mktemp("site")
    built = {}
    for name, extra in (("learner", ()), ("instructor", ("--instructor",))):
        done = build(root / name, *extra)
        assert done.returncode == 0, done.stderr
        assert str(root / name / "index.html") in done.stdout
        built[name] = (root / name / "index.html").read_text(encoding="utf-8")
    return built


def shown(text: str) -> str:
    """Return text as the page writes it (escaped by the template)."""
    from markupsafe import escape

    return str(escape(text))


def test_every_lesson_question_option_and_reflection_is_on_the_page_in_the_course_order(pages):
    page = pages["learner"]
    positions = []
    for lesson in lessons():
        assert shown(lesson.title) in page, lesson.title
        positions.append(page.index(f'id="lesson-{lesson.number:02d}"'))
        for question in lesson.questions:
            assert shown(question.prompt) in page, f"{lesson.id}/{question.id}"
            if question.situation:
                assert shown(question.situation) in page
            for part in kind_of(question).parts(question):
                assert shown(part.text) in page, f"{lesson.id}/{question.id}: {part.text}"
        for reflection in lesson.reflections:
            assert shown(reflection.prompt) in page
    assert positions == sorted(positions), "lessons in the course's order"


def test_a_question_sits_where_its_lesson_calls_it():
    page = static_site.course_html()
    lesson = next(x for x in lessons() if x.id == "vision-goals")
    part_a = page.index("Part A: direction, plans and two myths")
    part_b = page.index("Part B: Millfield")
    assert part_a < page.index(shown(lesson.question("why-before-what").prompt)) < part_b
    assert part_b < page.index(shown(lesson.question("sort-millfield").prompt))


def test_keys_feedback_and_discussion_notes_are_only_in_the_instructor_copy(pages):
    learner, instructor = pages["learner"], pages["instructor"]
    assert 'class="badge"' not in learner and "Instructor copy" not in learner
    assert instructor.count('class="badge"') >= sum(len(q.keyed) or 1 for x in lessons() for q in x.questions)
    for lesson in lessons():
        for question in lesson.questions:
            if question.discussion:
                assert shown(question.discussion) in instructor and shown(question.discussion) not in learner
            for part in kind_of(question).parts(question):
                if len(part.feedback) > 40:  # short ones ("Right.") could be ordinary words of the prose
                    assert shown(part.feedback) in instructor
                    assert shown(part.feedback) not in learner, f"{lesson.id}/{question.id} feedback in learners' copy"
        for reflection in lesson.reflections:
            if reflection.example:
                assert shown(reflection.example) in instructor and shown(reflection.example) not in learner


def test_the_key_is_marked_on_the_right_option():
    page = static_site.course_html(instructor=True)
    question = next(x for x in lessons() if x.id == "vision-goals").question("why-before-what")
    keyed = next(c for c in question.choices if c.correct)
    item = re.search(r"<li[^>]*>((?:(?!</li>).)*" + re.escape(shown(keyed.text)) + ")", page, re.S)
    assert item and 'class="badge">Key<' in item.group(1)
    for choice in question.choices:
        if not choice.correct:
            other = re.search(r"<li[^>]*>((?:(?!</li>).)*" + re.escape(shown(choice.text)) + ")", page, re.S)
            assert "badge" not in other.group(1)


def test_the_page_needs_nothing_from_anywhere_and_has_a_print_stylesheet(pages):
    for page in pages.values():
        assert "<script" not in page and "<link" not in page and "src=" not in page and "@import" not in page
        assert "@media print" in page
        assert not re.search(r'href="[^"#]*\.ipynb"', page), "links between lessons point into the page"
        for lesson in lessons():
            assert f'href="#lesson-{lesson.number:02d}"' in page


def sample_folder(tmp_path: Path, markdown: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown), nbformat.v4.new_code_cell("from widgets import quiz, reflection"),
                nbformat.v4.new_code_cell('quiz("sample")'), nbformat.v4.new_code_cell('reflection("sample", "example")'),
                nbformat.v4.new_code_cell("print('not a course call')"), nbformat.v4.new_code_cell("quiz(")]
    nbformat.write(nb, tmp_path / "90_sample.ipynb")
    return tmp_path


@pytest.fixture
def sample_course(monkeypatch):
    sample = load_file(DATA / "sample.yaml")
    monkeypatch.setattr(static_site, "bank_lessons", lambda: (sample,))
    monkeypatch.setattr(static_site, "bank_lesson", lambda lesson_id: sample)
    return sample


def test_everything_from_the_bank_and_the_lessons_is_escaped(tmp_path, sample_course):
    folder = sample_folder(tmp_path, "# Title <script>alert(1)</script>\n\n<b>raw</b> [elsewhere](javascript:alert(1))")
    for instructor in (False, True):
        page = static_site.course_html(folder, instructor=instructor)
        assert "<script" not in page and "<b>raw</b>" not in page and "javascript:" not in page
        assert "&lt;script&gt;" in page and "&lt;b&gt;raw&lt;/b&gt;" in page
        assert "Listening to a worried colleague &lt;b&gt;now&lt;/b&gt;" in page
        assert "<b>now</b>" not in page
    page = static_site.course_html(folder, instructor=True)
    assert "Budgeting is &lt;b&gt;managing&lt;/b&gt; work." in page and "why &lt;b&gt;both&lt;/b&gt; fits" in page
    assert "not a course call" not in page, "other code is left out, never run"


def test_a_call_the_bank_does_not_know_or_a_missing_lesson_stops_the_build_with_its_name(tmp_path, sample_course):
    folder = sample_folder(tmp_path, "# Sample")
    nb = nbformat.read(folder / "90_sample.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('quiz("sample", "no-such-question")'))
    nbformat.write(nb, folder / "90_sample.ipynb")
    with pytest.raises(static_site.LessonFileError, match="no-such-question"):
        static_site.course_html(folder)
    (folder / "90_sample.ipynb").unlink()
    with pytest.raises(static_site.LessonFileError, match="90_sample.ipynb: the lesson's notebook is missing"):
        static_site.course_html(folder)


def test_the_command_explains_what_it_cannot_do(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "course", "html", str(tmp_path / "out"), "--lessons",
                              str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "the lesson's notebook is missing" in missing.stderr
    assert not (tmp_path / "out" / "index.html").exists()
    a_file = tmp_path / "page.html"
    a_file.write_text("mine")
    refused = build(a_file)
    assert refused.returncode == 2 and "is a file" in refused.stderr and a_file.read_text() == "mine"


COURSE_MARK = '<meta name="generator" content="lead-manage course page">'
KIT_MARK = '<meta name="generator" content="lead-manage kit">'


def test_the_page_carries_the_course_pages_mark_in_its_head(pages):
    for page in pages.values():
        assert COURSE_MARK in page[:1024] and page.count(COURSE_MARK) == 1
        assert page.index('<meta charset="utf-8">') < page.index(COURSE_MARK) < page.index("</head>")


def run(command: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course", command, str(out), *extra], capture_output=True, text=True,
                          timeout=300, cwd=out.parent)


def test_the_course_page_and_the_kit_never_overwrite_each_other(tmp_path):
    site, kit = tmp_path / "site", tmp_path / "kit"
    assert run("html", site).returncode == 0
    again = run("html", site, "--instructor")  # the course page is rebuilt in its own folder
    assert again.returncode == 0, again.stderr
    course_page = (site / "index.html").read_bytes()
    refused = run("kit", site)
    assert refused.returncode == 2 and "holds files the kit did not write: index.html (a course page)" in refused.stderr
    assert sorted(p.name for p in site.iterdir()) == ["index.html"] and (site / "index.html").read_bytes() == course_page

    assert run("kit", kit).returncode == 0
    kit_index = (kit / "index.html").read_bytes()
    refused = run("html", kit)
    assert refused.returncode == 2
    assert f"{kit / 'index.html'} is not a course page" in refused.stderr and "trainer's kit" in refused.stderr
    assert "--force" in refused.stderr and (kit / "index.html").read_bytes() == kit_index
    forced = run("html", kit, "--force")
    assert forced.returncode == 0, forced.stderr
    assert COURSE_MARK in (kit / "index.html").read_text("utf-8")


def test_the_command_replaces_only_its_own_page_and_never_a_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "index.html"
    mine.write_text(f"<!doctype html><html><head><meta charset=\"utf-8\">{KIT_MARK.replace('kit', 'kit-x')}", "utf-8")
    with pytest.raises(static_site.OutputError) as raised:
        static_site.write_site(out)
    assert raised.value.foreign == ("index.html",) and "trainer's kit" not in str(raised.value)
    assert "kit-x" in mine.read_text("utf-8")
    static_site.write_site(out, force=True)
    assert COURSE_MARK in mine.read_text("utf-8")
    mine.unlink()
    mine.mkdir()
    for extra in ((), ("--force",)):
        refused = run("html", out, *extra)
        assert refused.returncode == 2 and f"{mine} is a folder, not a file" in refused.stderr and mine.is_dir()
    assert sorted(p.name for p in out.iterdir()) == ["index.html"], "nothing is left beside it"


# -- a lesson through nbconvert -------------------------------------------------------------------
def test_nbconvert_execute_to_html_shows_every_question_of_a_lesson_without_widgets(tmp_path):
    lesson = next(x for x in lessons() if x.id == "vision-goals")
    notebook = tmp_path / lesson.notebook
    notebook.write_bytes((REPO / "modules" / lesson.notebook).read_bytes())
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "html", notebook.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = notebook.with_suffix(".html").read_text(encoding="utf-8")
    assert page.count(FALLBACK_START) == 5  # the review, two quizzes, two reflections
    assert WIDGET_VIEW not in page and WIDGET_STATE not in page and "html-manager" not in page
    words = text_of(page)
    for question in lesson.questions:
        assert text_of(question.prompt) in words
        for part in kind_of(question).parts(question):
            assert text_of(part.text) in words
    for reflection in lesson.reflections:
        assert text_of(reflection.prompt) in words


def text_of(markup: str) -> str:
    """Return what a reader sees of some HTML: tags gone, entities read, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
