"""End to end: every lesson in a real JupyterLab, driven in headless Chromium as a learner would."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.jupyterlab import CHROMIUM, REPO, Lab, chromium_context, menu, open_notebook, wait_all_executed

pytestmark = pytest.mark.browser
SHOTS = REPO / "test-artifacts" / "screenshots"
AXE = REPO / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run({include: [['.lm-card']]}, {resultTypes: ['violations', 'passes']});
  return {
    checked: result.passes.length,
    serious: result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                   .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes[0].html.slice(0, 160)}`),
  };
}"""
NOTEBOOKS = sorted(p.name for p in (REPO / "modules").glob("[0-9][0-9]_*.ipynb"))
CALL = re.compile(r'^(quiz|reflection|review)\("([a-z0-9-]+)"((?:,\s*"[a-z0-9-]+")*)\)\s*$')
LESSON_QUIZ = ".lm-quiz:not(.lm-review):not(.lm-posttest)"  # the lesson's own quizzes, not its opening review


def calls(notebook: str) -> list[tuple[str, str, list[str]]]:
    """Return the (function, lesson, ids) of each one-line quiz/reflection call in a notebook."""
    nb = json.loads((REPO / "modules" / notebook).read_text())
    out = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            m = CALL.match(source.strip())
            if m:
                out.append((m.group(1), m.group(2), re.findall(r'"([a-z0-9-]+)"', m.group(3))))
    return out


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory, playwright):
    context = chromium_context(playwright, tmp_path_factory.mktemp("chromium-profile"))
    yield context
    context.close()


def assert_no_errors(page):
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.first.inner_text()
    assert page.locator(".lm-error").count() == 0, page.locator(".lm-error").first.inner_text()
    assert page.get_by_text("Error displaying widget").count() == 0


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_lesson_runs_answers_and_restores(lab, browser, notebook):
    from course.bank import lessons

    bank = {lesson.id: lesson for lesson in lessons()}
    used = calls(notebook)
    quizzes = [c for c in used if c[0] == "quiz"]
    reflections = [c for c in used if c[0] == "reflection"]
    reviews = [c for c in used if c[0] == "review"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = notebook.removesuffix(".ipynb")

    page = browser.new_page()
    open_notebook(page, lab, notebook)
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    page.locator(".lm-quiz, .lm-reflection").first.wait_for(timeout=30_000) if used else None
    assert page.locator(LESSON_QUIZ).count() == len(quizzes)
    assert page.locator(".lm-quiz.lm-review").count() == len(reviews) == (1 if notebook >= "02" else 0)
    assert page.locator(".lm-reflection").count() == len(reflections)
    assert_no_errors(page)
    assert page.locator(".lm-key").count() == 0, "a learner's lesson never shows answer keys"
    if used:
        # Accessibility: axe-core over the course's widgets after Run All.
        assert AXE.exists(), f"axe-core is missing at {AXE}: run ./test.sh, which installs it"
        page.add_script_tag(path=str(AXE))
        audit = page.evaluate(AXE_RUN)
        assert audit["checked"] > 0, "axe found nothing to check inside the course widgets"
        assert audit["serious"] == [], "\n".join(audit["serious"])
    assert page.get_by_role("button", name="Reveal answer").count() == 0
    if used:
        first = page.locator(".lm-quiz, .lm-reflection").first
        first.scroll_into_view_if_needed()
        first.screenshot(path=str(SHOTS / f"{stem}-1-first-activity.png"))

    for kind in ("lm-self-assessment", "lm-profile", "lm-plan", "lm-posttest", "lm-review"):
        for n in range(page.locator(f".{kind}").count()):
            page.locator(f".{kind}").nth(n).scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{stem}-4-{kind[3:]}-{n}.png"))

    if quizzes:
        # Answer the first one-answer question wrongly, then rightly, and read each explanation.
        _, lesson_id, ids = quizzes[0]
        lesson = bank[lesson_id]
        questions = [lesson.question(i) for i in ids] if ids else list(lesson.questions)
        index, question = next((i, q) for i, q in enumerate(questions) if q.type in ("single", "truefalse", "scenario"))
        view = page.locator(LESSON_QUIZ).first.locator(".lm-question").nth(index)
        view.scroll_into_view_if_needed()
        wrong = next(c for c in question.choices if not c.correct)
        right = next(c for c in question.choices if c.correct)
        view.get_by_role("radio", name=wrong.text, exact=True).check()
        view.get_by_role("button", name="Check answer").click()
        verdict = view.locator(".lm-verdict")
        verdict.filter(has_text="Not quite").wait_for(timeout=15_000)
        assert wrong.feedback in view.locator(".lm-feedback").inner_text()
        view.get_by_role("radio", name=right.text, exact=True).check()
        view.get_by_role("button", name="Check answer").click()
        verdict.filter(has_text="Correct").wait_for(timeout=15_000)
        assert right.feedback in view.locator(".lm-feedback").inner_text()
        view.screenshot(path=str(SHOTS / f"{stem}-2-feedback.png"))

    typed = None
    if reflections:
        box = page.locator(".lm-reflection").first
        box.scroll_into_view_if_needed()
        typed = f"In {stem} I noticed <b>this</b> & that."
        box.locator("textarea").click()
        box.locator("textarea").press_sequentially(typed, delay=5)
        box.locator(".lm-muted", has_text="Saved at").wait_for(timeout=15_000)
        page.screenshot(path=str(SHOTS / f"{stem}-3-reflection.png"))
        cut = box.locator("button").evaluate_all(
            "buttons => buttons.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent.trim())")
        assert cut == [], f"button labels cut short: {cut}"

    # Restart the kernel and run everything again: the learner's words and answers come back.
    page.evaluate("() => document.querySelectorAll('.lm-quiz, .lm-reflection').forEach(e => e.setAttribute('data-stale', '1'))")
    menu(page, "Kernel", "runmenu:restart-and-run-all")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.wait_for_function("() => document.querySelectorAll('[data-stale]').length === 0", timeout=60_000)
    wait_all_executed(page)
    assert page.locator(LESSON_QUIZ).count() == len(quizzes)
    assert_no_errors(page)
    if typed:
        restored = page.locator(".lm-reflection").first.locator("textarea")
        restored.wait_for(timeout=30_000)
        assert restored.input_value() == typed
    if quizzes:
        view = page.locator(LESSON_QUIZ).first.locator(".lm-question").nth(index)
        view.locator(".lm-feedback", has_text="Your last answer").wait_for(timeout=30_000)
        assert view.get_by_role("radio", name=right.text, exact=True).is_checked()
    page.close()


def test_instructor_mode_reveals_the_key_in_jupyterlab(lab, browser):
    import nbformat

    from course.bank import lesson

    question = lesson("two-words").questions[0]
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(c) for c in
                ["from widgets import quiz, instructor_mode", "instructor_mode()", f'quiz("two-words", "{question.id}")']]
    nbformat.write(nb, lab.root / "modules" / "instructor_check.ipynb")
    page = browser.new_page()
    open_notebook(page, lab, "instructor_check.ipynb")
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    assert_no_errors(page)
    view = page.locator(".lm-question").first
    view.wait_for(timeout=30_000)
    assert page.locator(".lm-key", has_text="answer key").count() == 0, "hidden until revealed"
    view.get_by_role("button", name="Reveal answer").click()
    key = view.locator(".lm-key")
    key.wait_for(timeout=15_000)
    keyed = next(c.text for c in question.choices if c.correct)
    assert keyed in key.inner_text() and "Why each option" in key.inner_text()
    assert "Discussion" not in key.inner_text() and question.discussion not in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "instructor-mode.png"))
    page.close()


def test_widgets_without_the_widget_manager_show_a_readable_fallback(browser, tmp_path_factory):
    from course.bank import lesson

    server = Lab(tmp_path_factory.mktemp("lab-no-widgets"), disabled_extensions=["@jupyter-widgets/jupyterlab-manager"])
    try:
        page = browser.new_page()
        open_notebook(page, server, "01_two_words.ipynb")
        menu(page, "Run", "runmenu:run-all")
        wait_all_executed(page)
        fallback = page.locator(".lm-fallback").first
        fallback.wait_for(timeout=30_000)
        text = fallback.inner_text()
        assert lesson("two-words").questions[0].prompt in text and "widgets extension" in text
        assert page.get_by_text("VBox(children").count() == 0
        fallback.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "fallback-without-widget-manager.png"))
        page.close()
    finally:
        server.stop()


def test_lesson_01_runs_and_answers_in_jupyter_notebook_7(browser, tmp_path_factory):
    from course.bank import lesson

    server = Lab(tmp_path_factory.mktemp("nb7"), app="notebook")
    try:
        page = browser.new_page()
        page.goto(f"{server.base}/notebooks/modules/01_two_words.ipynb?token={server.token}")
        page.locator(".jp-NotebookPanel-toolbar", has_text="Python 3 (ipykernel)").wait_for(timeout=60_000)
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=60_000)
        menu(page, "Run", "runmenu:run-all")
        wait_all_executed(page)
        assert_no_errors(page)
        question = next(q for q in lesson("two-words").questions if q.type == "single")
        view = page.locator(".lm-question", has_text=question.prompt).first
        view.scroll_into_view_if_needed()
        right = next(c for c in question.choices if c.correct)
        view.get_by_role("radio", name=right.text, exact=True).check()
        view.get_by_role("button", name="Check answer").click()
        view.locator(".lm-verdict", has_text="Correct").wait_for(timeout=15_000)
        page.screenshot(path=str(SHOTS / "notebook7-lesson-01.png"))
        page.close()
    finally:
        server.stop()


def test_a_quiz_and_a_reflection_with_the_keyboard_alone(lab, browser):
    from course.bank import lesson

    question = next(q for q in lesson("two-words").questions if q.type == "single")
    page = browser.new_page()
    open_notebook(page, lab, "01_two_words.ipynb")
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    view = page.locator(".lm-question", has_text=question.prompt).first

    def focused() -> str:
        return page.evaluate("""() => { const e = document.activeElement;
            const label = e.closest('label'); return (label ? label.textContent : e.textContent || '').trim(); }""")

    first_shown = view.locator("label").filter(has=page.locator("input[type=radio]")).first.inner_text().strip()
    for _ in range(20):  # the starting point; from here on, keys only. JupyterLab may still move focus
        view.locator("input[type=radio]").first.focus()  # to a cell just after Run All, so settle first.
        page.wait_for_timeout(250)
        if focused().startswith(first_shown[:30]):
            break

    def tab_to(text: str, limit: int = 12, back: bool = False):
        for _ in range(limit):
            if focused().startswith(text):
                return
            page.keyboard.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"could not reach {text!r} with the keyboard (at {focused()!r})")

    verdict = view.locator(".lm-verdict")
    for choice, expected in ((next(c for c in question.choices if not c.correct), "Not quite"),
                             (next(c for c in question.choices if c.correct), "Correct")):
        tab_to(first_shown[:30], back=True)  # back to the first option on screen (the order is the learner's own)
        tab_to(choice.text[:30])
        page.keyboard.press("Space")
        page.wait_for_timeout(300)
        tab_to("Check answer")
        page.keyboard.press("Space")
        verdict.filter(has_text=expected).wait_for(timeout=15_000)
        assert choice.feedback in view.locator(".lm-feedback").inner_text()
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName") == "TEXTAREA":
            break
    else:
        raise AssertionError("no reflection reachable with Tab")
    page.keyboard.type("Written with the keyboard alone.")
    box = page.locator(".lm-reflection:has(textarea:focus)")
    box.locator(".lm-muted", has_text="Saved at").wait_for(timeout=15_000)
    page.close()


def test_opening_review_and_why_not_the_others_in_jupyterlab(lab, browser):
    from course.bank import lesson

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    open_notebook(page, lab, "03_vision_and_goals.ipynb")
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    review = page.locator(".lm-quiz.lm-review")
    review.wait_for(timeout=30_000)
    assert review.locator(".lm-question").count() == 3
    assert "Three questions from earlier lessons" in review.inner_text()
    review.scroll_into_view_if_needed()
    review.screenshot(path=str(SHOTS / "review-opening-lesson-03.png"))

    question = lesson("vision-goals").questions[0]
    assert question.type in ("single", "scenario")
    view = page.locator(LESSON_QUIZ).first.locator(".lm-question").first
    view.scroll_into_view_if_needed()
    shown = [view.get_by_role("radio").nth(i).get_attribute("aria-label") or "" for i in range(len(question.choices))]
    wrong = next(c for c in question.choices if not c.correct)
    view.get_by_role("radio", name=wrong.text, exact=True).check()
    view.get_by_role("button", name="Check answer").click()
    view.locator(".lm-verdict", has_text="Not quite").wait_for(timeout=15_000)
    view.screenshot(path=str(SHOTS / "why-not-the-others-before.png"))
    view.get_by_role("button", name="Why not the others?").click()
    explanation = view.locator(".lm-explain")
    explanation.wait_for(timeout=15_000)
    text = explanation.inner_text()
    for choice in question.choices:
        assert choice.feedback in text
    assert "Not quite" in view.locator(".lm-verdict").first.inner_text(), "the verdict stands"
    view.screenshot(path=str(SHOTS / "why-not-the-others-after.png"))
    assert shown, "options are radios with labels"
    page.close()


# -- a lesson reopened after its kernel went away, and static copies ---------------------------------
REOPEN = "03_vision_and_goals.ipynb"
RUN_SENTENCE = "Run this cell (or Run › Run All Cells) to use it; your answers are saved."


def _git(*args, cwd):
    import subprocess

    subprocess.run(["git", "-c", "user.name=Course author", "-c", "user.email=author@example.org", *args],
                   cwd=cwd, check=True, capture_output=True)


def _pull(url, target):
    from nbgitpuller.pull import GitPuller

    for _ in GitPuller(url, str(target), branch="main", depth=0).pull():
        pass


def _course_repository(where: Path) -> Path:
    import shutil

    shutil.copytree(REPO / "modules", where / "modules", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _git("init", "-q", "-b", "main", cwd=where)
    _git("add", ".", cwd=where)
    _git("commit", "-q", "-m", "The course", cwd=where)
    return where


def _stop_kernels(lab):
    import urllib.request

    headers = {"Authorization": f"token {lab.token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab.base}/api/sessions", headers=headers), timeout=30) as r:
        sessions = json.loads(r.read())
    for session in sessions:
        urllib.request.urlopen(urllib.request.Request(f"{lab.base}/api/sessions/{session['id']}", method="DELETE",
                                                      headers=headers), timeout=30)


def _run_all_answer_and_save(page, lab, folder):
    """Run All, answer the lesson's first question rightly, save, and wait for the file to hold the outputs."""
    import time

    from course.bank import lesson

    open_notebook(page, lab, REOPEN, folder=folder, workspace="before-reopen")
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    page.locator(LESSON_QUIZ).first.wait_for(timeout=30_000)
    question = lesson("vision-goals").questions[0]
    view = page.locator(".lm-question", has_text=question.prompt).first
    view.scroll_into_view_if_needed()
    view.get_by_role("radio", name=next(c.text for c in question.choices if c.correct), exact=True).check()
    view.get_by_role("button", name="Check answer").click()
    view.locator(".lm-verdict", has_text="Correct").wait_for(timeout=15_000)
    menu(page, "File", "docmanager:save")
    saved = lab.root / folder / REOPEN
    for _ in range(100):
        if "lm-fallback" in saved.read_text():
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the lesson was not saved")
    assert page.locator(LESSON_QUIZ).count() == 2, "the page that saved keeps its live widgets"
    page.close()
    return question


def test_a_reopened_lesson_shows_readable_copies_and_takes_course_updates(browser, tmp_path_factory):
    import nbformat

    SHOTS.mkdir(parents=True, exist_ok=True)
    lab = Lab(tmp_path_factory.mktemp("lab-reopen"))
    try:
        upstream = _course_repository(lab.workdir / "upstream")
        _pull(upstream.as_uri(), lab.root / "lead-manage")  # as an nbgitpuller link gives a learner the course
        question = _run_all_answer_and_save(browser.new_page(), lab, "lead-manage/modules")
        saved = json.loads((lab.root / "lead-manage" / "modules" / REOPEN).read_text())
        bundles = [o.get("data", {}) for c in saved["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        assert not any("application/vnd.jupyter.widget-view+json" in b for b in bundles)
        _stop_kernels(lab)

        # The course is updated while the learner is away; the next nbgitpuller link merges it in.
        path = upstream / "modules" / REOPEN
        course = nbformat.read(path, as_version=4)
        quiz_heading = next(c for c in course.cells if c.cell_type == "markdown" and c.source.startswith("## Quiz"))
        quiz_heading.source += "\n\nNew in this edition: take your time over the sorting question."
        nbformat.write(course, path)
        _git("commit", "-q", "-am", "A note before the quiz", cwd=upstream)
        _pull(upstream.as_uri(), lab.root / "lead-manage")

        page = browser.new_page()
        open_notebook(page, lab, REOPEN, folder="lead-manage/modules", workspace="reopened")
        copies = page.locator(".lm-fallback")
        copies.first.wait_for(timeout=30_000)
        page.locator(".jp-RenderedMarkdown", has_text="New in this edition: take your time").wait_for(timeout=15_000)
        page.wait_for_timeout(3000)  # time for any widget renderer to give up
        assert page.get_by_text("Error displaying widget").count() == 0
        assert page.get_by_text("Loading widget").count() == 0
        assert copies.count() == 5  # the review, two quizzes, two reflections
        first_quiz = page.locator(".lm-fallback", has_text=question.prompt)
        assert RUN_SENTENCE in first_quiz.inner_text()
        first_quiz.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "reopened-lesson-03-readable-copy.png"))

        # Running the lesson again brings the live quizzes back, with the answer given before.
        menu(page, "Run", "runmenu:run-all")
        wait_all_executed(page)
        view = page.locator(LESSON_QUIZ).first.locator(".lm-question", has_text=question.prompt)
        view.locator(".lm-feedback", has_text="Your last answer").wait_for(timeout=30_000)
        assert page.locator(".lm-fallback").count() == 0
        assert_no_errors(page)
        page.close()
    finally:
        lab.stop()


def test_without_the_save_hook_the_same_reopen_shows_widget_errors(browser, tmp_path_factory):
    """The control: the hook, not the test, is what keeps 'Error displaying widget' away."""
    lab = Lab(tmp_path_factory.mktemp("lab-no-hook"),
              server_config={"ServerApp": {"jpserver_extensions": {"course.jupyter_hooks": False}}})
    try:
        _run_all_answer_and_save(browser.new_page(), lab, "modules")
        _stop_kernels(lab)
        page = browser.new_page()
        open_notebook(page, lab, REOPEN, workspace="reopened-no-hook")
        page.get_by_text("Error displaying widget").first.wait_for(timeout=30_000)
        assert page.get_by_text("Error displaying widget").count() == 5
        page.close()
    finally:
        lab.stop()


def _offline_page(browser):
    """Open a page that may read local files and nothing else; return it and the list of refused requests."""
    refused = []
    page = browser.new_page()

    def route(request_route):
        if request_route.request.url.startswith("file:"):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return page, refused


def test_a_lesson_converted_to_html_shows_its_quizzes_offline(browser, tmp_path):
    import subprocess
    import sys

    from course.bank import lesson
    from course.order import display_order

    found = lesson("vision-goals")
    notebook = tmp_path / found.notebook
    notebook.write_bytes((REPO / "modules" / found.notebook).read_bytes())
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "html", notebook.name],
                   cwd=tmp_path, check=True, capture_output=True, timeout=300)
    page, refused = _offline_page(browser)
    page.goto(notebook.with_suffix(".html").as_uri())
    question = found.questions[0]
    copy = page.locator(".lm-fallback", has_text=question.prompt)
    copy.get_by_text(question.prompt).wait_for(state="visible", timeout=15_000)
    options = copy.locator("li", has_text=question.prompt).locator("ul li")
    assert [options.nth(i).inner_text() for i in range(options.count())] == \
        [question.choices[i].text for i in display_order(found, question)]
    assert all(options.nth(i).is_visible() for i in range(options.count()))
    assert not any("unpkg" in url or "html-manager" in url for url in refused), "no widget script is asked for"
    copy.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "nbconvert-lesson-03-offline.png"))
    page.close()


def test_the_course_page_reads_offline_and_prints(browser, tmp_path):
    import subprocess
    import sys

    from course.bank import lessons

    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "course", "html", str(tmp_path / "site")], check=True, capture_output=True,
                   timeout=300)
    page, refused = _offline_page(browser)
    page.goto((tmp_path / "site" / "index.html").as_uri())
    for found in lessons():
        assert page.locator(f"#lesson-{found.number:02d}").count() == 1
        assert page.get_by_role("link", name=found.title, exact=True).first.is_visible()
    question = next(x for x in lessons() if x.id == "vision-goals").questions[0]
    item = page.locator(".question", has_text=question.prompt)
    assert item.get_by_text(question.prompt).is_visible()
    for choice in question.choices:
        assert item.get_by_text(choice.text, exact=True).is_visible()
    assert refused == [], f"the page asked the network for {refused}"
    assert AXE.exists(), f"axe-core is missing at {AXE}: run ./test.sh, which installs it"
    page.add_script_tag(path=str(AXE))
    audit = page.evaluate(AXE_RUN.replace("{include: [['.lm-card']]}", "document"))
    assert audit["checked"] > 0 and audit["serious"] == [], "\n".join(audit["serious"])
    page.screenshot(path=str(SHOTS / "course-page-top.png"))
    page.get_by_role("link", name="Vision and goals", exact=True).first.click()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "course-page-lesson-03.png"))
    item.evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(SHOTS / "course-page-question.png"))
    page.emulate_media(media="print")
    page.locator(".activity.reflection").first.evaluate("e => e.scrollIntoView()")
    assert page.locator(".activity.reflection .write").first.is_visible(), "paper copies get room to write"
    page.screenshot(path=str(SHOTS / "course-page-print.png"))
    page.close()
