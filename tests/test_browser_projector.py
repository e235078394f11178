"""The projector view in a real JupyterLab (Simple interface), at 1280 x 720 and at 150% browser zoom,
in the light and the dark theme: large type, the whole question in the window, no key and no trainer
note on the page before Reveal, and a guide's Trainer notes closed until opened.

Browser zoom is modelled as the browser does it: at 150% the window is 853 x 480 CSS pixels, drawn at
1.5 device pixels each. Screenshots go to test-artifacts/projector-*.png.
"""
from __future__ import annotations

import json
import os

import nbformat
import pytest

from tests.jupyterlab import CHROMIUM, REPO, Lab, chromium_context, menu, wait_all_executed
from tests.test_learner_ui import contrast

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "test-artifacts"
THEME = ("lab-settings", "@jupyterlab", "apputils-extension", "themes.jupyterlab-settings")
CASES = [(1, "JupyterLab Light"), (1.5, "JupyterLab Light"), (1, "JupyterLab Dark"), (1.5, "JupyterLab Dark")]
WINDOW = (1280, 720)

# The text colour of an element and the background it sits on, with any transparency blended as drawn.
COLOURS = """e => {
  const rgba = s => { const p = s.slice(s.indexOf('(') + 1, -1).split(',').map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  let n = e, bg = null;
  while (n && !bg) { const c = rgba(getComputedStyle(n).backgroundColor); if (c[3] > 0.99) bg = c; n = n.parentElement; }
  bg = bg || [255, 255, 255, 1];
  const fg = rgba(getComputedStyle(e).color);
  const mix = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
  return [mix.map(v => v / 255), bg.slice(0, 3).map(v => v / 255)];
}"""


def parts_of(question):
    from course.kinds import kind_of

    return kind_of(question).parts(question)


def most_text(classify: bool):
    """Return the (lesson, question) with six options (or statements) and the most text to fit."""
    from course.bank import lessons

    found = [(lsn, q) for lsn in lessons() for q in lsn.questions
             if len(parts_of(q)) == 6 and (q.type == "classify") == classify]
    return max(found, key=lambda lq: len(lq[1].prompt) + len(lq[1].situation or "")
               + sum(len(p.text) for p in parts_of(lq[1])))


def trainer_texts() -> list[str]:
    """Every trainer-only text in the course: discussion notes and the guides' debrief notes."""
    from course.bank import lessons
    from course.guides import debriefs

    texts = [q.discussion for lsn in lessons() for q in lsn.questions if q.discussion]
    return texts + [t for n in debriefs() for t in (n.key_note, n.why_missed, *n.ask)]


@pytest.fixture(scope="module")
def questions():
    choice_lesson, choice = most_text(classify=False)
    other = next(q for q in choice_lesson.questions if q.id != choice.id)
    return {"choice": (choice_lesson, choice), "second": other, "classify": most_text(classify=True)}


@pytest.fixture(scope="module")
def lab(tmp_path_factory, questions):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    server = Lab(tmp_path_factory.mktemp("lab-projector"), render_all_cells=False)  # a trainer's own settings
    (choice_lesson, choice), second = questions["choice"], questions["second"]
    sort_lesson, sort = questions["classify"]
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(c) for c in [
        "from widgets import project, debrief",
        f'project("{choice_lesson.id}", ["{choice.id}", "{second.id}"])',
        f'project("{sort_lesson.id}", "{sort.id}")',
        'debrief("two-words", "different-people")']]
    nbformat.write(nb, server.root / "modules" / "projector_check.ipynb")
    ARTIFACTS.mkdir(exist_ok=True)
    yield server
    server.stop()


def open_projector(playwright, lab, tmp_path, zoom: float, theme: str):
    """Open the check notebook in JupyterLab's Simple interface at a zoom and theme, and run it."""
    settings = lab.workdir.joinpath(*THEME)
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"theme": theme}))
    width, height = (round(side / zoom) for side in WINDOW)
    context = chromium_context(playwright, tmp_path / "profile", viewport={"width": width, "height": height},
                               device_scale_factor=zoom)
    page = context.new_page()
    workspace = f"projector-{int(zoom * 100)}-{theme.split()[-1].lower()}"
    page.goto(f"{lab.base}/doc/workspaces/{workspace}/tree/modules/projector_check.ipynb?reset&token={lab.token}")
    page.locator(".jp-NotebookPanel-toolbar", has_text="Python 3 (ipykernel)").wait_for(timeout=60_000)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=60_000)
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    page.locator(".lm-projector").nth(1).wait_for(timeout=30_000)
    page.locator(".lm-question").first.wait_for(timeout=30_000)
    assert page.evaluate("[innerWidth, innerHeight, devicePixelRatio]") == [width, height, zoom]
    return context, page


def assert_covers_the_window(page, view) -> None:
    """The presented view fills the window, nothing of JupyterLab is drawn over it, and its question needs no scrolling."""
    width, height = page.evaluate("[innerWidth, innerHeight]")
    box = view.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, width, height)
    stage = view.locator(".lm-proj-stagebox")
    scroll, client = stage.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert scroll <= client + 1, f"the question needs scrolling: {scroll} px in {client} px"
    for item in [*view.locator(".lm-proj-option").all(), *view.get_by_role("button").all()]:
        b = item.bounding_box()
        assert b["y"] >= 0 and b["y"] + b["height"] <= height and b["x"] >= 0 and b["x"] + b["width"] <= width
        on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.lm-present') !== null",
                               [b["x"] + b["width"] / 2, b["y"] + b["height"] / 2])
        assert on_top, "the presented view is drawn over JupyterLab's bars"
    for x, y in ((1, 1), (width - 2, 1), (1, height - 2), (width - 2, height - 2)):
        assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.lm-present') !== null", [x, y])


def assert_readable(page, view, zoom: float) -> None:
    option = view.locator(".lm-proj-option").first
    size = option.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    stem = view.locator(".lm-proj-stem").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size * zoom >= 24, f"options drawn at {size * zoom:.1f} px"
    if zoom == 1:
        assert size >= 24
    assert stem > size * 1.1, "the question is larger than its options"
    assert contrast(*option.evaluate(COLOURS)) >= 7, "option text on its background"
    assert contrast(*view.locator(".lm-proj-letter").first.evaluate(COLOURS)) >= 4.5, "a voting letter"


@pytest.mark.parametrize("zoom, theme", CASES, ids=[f"{int(z * 100)}-{t.split()[-1].lower()}" for z, t in CASES])
def test_the_projector_fits_the_window_and_keeps_the_key_until_reveal(playwright, lab, questions, tmp_path, zoom, theme):
    (choice_lesson, choice), second = questions["choice"], questions["second"]
    sort_lesson, sort = questions["classify"]
    name = f"{int(zoom * 100)}-{theme.split()[-1].lower()}"
    context, page = open_projector(playwright, lab, tmp_path, zoom, theme)
    try:
        assert page.evaluate("document.body.dataset.jpThemeLight") == ("true" if "Light" in theme else "false")
        view = page.locator(".lm-projector").first
        body = page.inner_text("body")
        assert view.locator(".lm-proj-mark, .lm-proj-why").count() == 0
        for text in [p.feedback for p in parts_of(choice)] + trainer_texts():
            assert text not in body, f"'{text[:50]}' is on the page before Reveal"
        assert view.locator(".lm-proj-letter").all_inner_texts() == list("ABCDEF")
        assert view.get_by_role("button", name="Check").count() == 0
        assert_readable(page, view, zoom)

        if zoom == 1:  # in the notebook itself, scrolled to the question, the whole view is in the window
            view.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
            box = view.bounding_box()
            page.screenshot(path=str(ARTIFACTS / f"projector-{name}-notebook.png"))
            status_bar = page.locator("#jp-bottom-panel").bounding_box()["y"]
            assert box["y"] >= 0 and box["y"] + box["height"] <= status_bar, f"{box} runs under the status bar"

        view.get_by_role("button", name="Present").click()
        page.wait_for_timeout(400)
        assert_covers_the_window(page, view)
        assert_readable(page, view, zoom)
        page.screenshot(path=str(ARTIFACTS / f"projector-{name}-vote.png"))

        view.get_by_role("button", name="Reveal answer").click()
        marks = view.locator(".lm-proj-mark")
        marks.first.wait_for(timeout=15_000)
        assert marks.all_inner_texts() == ["✔ Key"] * len(choice.keyed)
        assert contrast(*marks.first.evaluate(COLOURS)) >= 4.5, "the key's mark"
        keyed = view.locator(".lm-proj-keyed .lm-proj-body").all_text_contents()
        for index, option in enumerate(choice.choices):  # the marks sit on the keyed options, and only there
            assert sum(option.text in text for text in keyed) == (1 if option.correct else 0), option.text
        assert view.locator(".lm-proj-why").count() == 6
        body = page.inner_text("body")
        assert not [t for t in trainer_texts() if t in body], "Reveal shows no trainer note"
        page.screenshot(path=str(ARTIFACTS / f"projector-{name}-reveal.png"))

        next_button = view.get_by_role("button", name="Next")
        next_button.focus()
        page.keyboard.press("Enter")  # a real button: focusable and worked from the keyboard
        view.locator(".lm-proj-count", has_text="Question 2 of 2").wait_for(timeout=15_000)
        assert view.locator(".lm-proj-mark").count() == 0, "the next question starts with its key hidden"
        view.get_by_role("button", name="Close presentation").click()
        page.wait_for_timeout(300)
        assert view.bounding_box()["width"] < page.evaluate("innerWidth"), "back in the notebook"

        sorting = page.locator(".lm-projector").nth(1)
        sorting.get_by_role("button", name="Present").click()
        page.wait_for_timeout(400)
        assert_covers_the_window(page, sorting)
        assert sorting.locator(".lm-proj-letter").all_inner_texts() == list("ABCDEF")
        assert "Leading, Managing or Both" in sorting.inner_text() and sorting.locator(".lm-proj-mark").count() == 0
        page.screenshot(path=str(ARTIFACTS / f"projector-{name}-classify.png"))
        sorting.get_by_role("button", name="Reveal answer").click()
        sorting.locator(".lm-proj-mark").first.wait_for(timeout=15_000)
        labels = {"leading": "Leading", "managing": "Managing", "both": "Both"}
        assert sorted(sorting.locator(".lm-proj-mark").all_inner_texts()) == \
            sorted(f"✔ Key: {labels[s.label]}" for s in sort.statements)
        sorting.get_by_role("button", name="Close presentation").click()

        guide = page.locator(".lm-question").first  # debrief(): the quiz, and the trainer's notes, closed
        from course.guides import debrief_notes

        note = debrief_notes("two-words", "different-people")
        assert guide.locator(".lm-trainer").count() == 0 and note.why_missed not in page.inner_text("body")
        assert guide.locator(".lm-key", has_text="Answer key").count() == 0
        guide.get_by_role("button", name="Trainer notes").click()
        notes = guide.locator(".lm-trainer")
        notes.wait_for(timeout=15_000)
        assert "Why learners miss it" in notes.inner_text() and note.ask[0] in notes.inner_text()
        assert guide.locator(".lm-key", has_text="Answer key").count() == 0, "notes open, key still hidden"
        guide.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"projector-{name}-trainer-notes.png"))
    finally:
        context.close()


@pytest.mark.parametrize("guide", ["half_day_workshop", "six_sessions"])
def test_a_guide_run_whole_shows_no_key_and_no_trainer_note_before_reveal(playwright, lab, tmp_path, guide):
    """The guide itself, Run All as a trainer would before the room arrives: every debrief and projected
    question is on the page, with no key and no trainer note, until Reveal or Trainer notes is pressed."""
    context = chromium_context(playwright, tmp_path / "profile", viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{lab.base}/doc/workspaces/{guide}/tree/modules/facilitator/{guide}.ipynb?reset&token={lab.token}")
        page.locator(".jp-NotebookPanel-toolbar", has_text="Python 3 (ipykernel)").wait_for(timeout=60_000)
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=60_000)
        menu(page, "Run", "runmenu:run-all")
        wait_all_executed(page, timeout=240_000)
        source = json.loads((REPO / "modules" / "facilitator" / f"{guide}.ipynb").read_text())
        calls = ["".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"]
        debriefs = sum(c.startswith("debrief(") for c in calls)
        projected = sum(c.startswith("project(") for c in calls)
        page.locator(".lm-question").nth(debriefs - 1).wait_for(timeout=60_000)
        page.locator(".lm-projector").nth(projected - 1).wait_for(timeout=60_000)
        assert page.locator(".lm-question").count() == debriefs
        assert page.get_by_role("button", name="Trainer notes").count() == debriefs
        text = page.inner_text("body")
        assert "Error displaying widget" not in text
        assert page.locator('[aria-label="Answer key"]').count() == 0, "no key before Reveal"
        assert page.locator(".lm-trainer").count() == 0 and "Keyed answer" not in text
        assert page.get_by_text("✔ Key").count() == 0, "no key marked in a projected question"
        leaked = [t[:60] for t in trainer_texts() if len(t) > 40 and t[:60] in text]
        assert leaked == [], "trainer-only text on the page before anything was pressed"
        first = page.locator(".lm-question").first
        first.get_by_role("button", name="Reveal answer").click()
        first.locator('[aria-label="Answer key"]').wait_for(timeout=10_000)
        assert page.locator(".lm-trainer").count() == 0, "Reveal shows the room the key, not the trainer's notes"
    finally:
        context.close()
