"""In a real JupyterLab: one click per download, a rating choice that shows without colour, chart text readable on both themes."""
from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import datetime, timedelta
from collections import Counter

import pytest

from tests.jupyterlab import CHROMIUM, REPO, Lab, chromium_context, menu, open_notebook, wait_all_executed
from tests.test_learner_ui import contrast as wcag_contrast

pytestmark = pytest.mark.browser
SHOTS = REPO / "test-artifacts" / "screenshots"
THEME = ("lab-settings", "@jupyterlab", "apputils-extension", "themes.jupyterlab-settings")


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two 8-bit sRGB colours."""
    return wcag_contrast(tuple(c / 255 for c in a), tuple(c / 255 for c in b))


def css_rgb(value: str) -> tuple[int, int, int]:
    """Read 'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 1)' as a tuple."""
    return tuple(int(float(part)) for part in value[value.index("(") + 1:-1].split(",")[:3])


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from course.bank import lesson
    from course.store import ProgressStore

    server = Lab(tmp_path_factory.mktemp("lab-ui"))
    # A learner part-way through: 4 questions checked 9 times in all, and 2 reflections written.
    store = ProgressStore(server.data / "progress.sqlite3")
    questions = [q.id for q in lesson("two-words").questions[:4]]
    for n in range(9):
        store.record_attempt("two-words", questions[n % 4], 0, n >= 4, 1.0 if n >= 4 else 0.0)
    for prompt in lesson("two-words").reflections[:2]:
        store.save_reflection("two-words", prompt.id, "A few honest lines about my week.")
    store.close()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory, playwright):
    context = chromium_context(playwright, tmp_path_factory.mktemp("chromium-profile"), accept_downloads=True)
    yield context
    context.close()


def set_theme(lab, theme: str | None) -> None:
    """Choose JupyterLab's theme for pages opened from now on (None: the default light theme)."""
    path = lab.workdir.joinpath(*THEME)
    if theme is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"theme": theme}))


def run_lesson(browser, lab, notebook: str, workspace: str):
    """Open a lesson in a workspace of its own, run all its cells as a learner does, and return the page."""
    page = browser.new_page()
    open_notebook(page, lab, notebook, workspace=workspace)
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    return page


# lead-manage-<typed name->?<the learner id's first 8 hex digits>-YYYYmmdd-HHMM.json
DOWNLOAD_NAME = re.compile(r"lead-manage-(?P<who>[a-z0-9]+(?:-[a-z0-9]+)*)-(?P<when>[0-9]{8}-[0-9]{4})\.(?P<suffix>json|zip)")


def check_download_name(name: str, who: str, suffix: str) -> None:
    """Check a download's name: the learner's part, a time within the last few minutes, and the suffix."""
    found = DOWNLOAD_NAME.fullmatch(name)
    assert found, f"{name!r} is not lead-manage-<name or 8 hex>-YYYYmmdd-HHMM.{suffix}"
    assert found["who"] == who and found["suffix"] == suffix, name
    made = datetime.strptime(found["when"], "%Y%m%d-%H%M")
    assert timedelta(minutes=-1) <= datetime.now() - made <= timedelta(minutes=10), f"{name}: not the time of the click"


def button_contrast(locator) -> float:
    colours = locator.evaluate("e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor]; }")
    return contrast(css_rgb(colours[0]), css_rgb(colours[1]))


def test_the_download_panel_gives_two_one_click_downloads(lab, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    set_theme(lab, None)
    page = run_lesson(browser, lab, "00_start_here.ipynb", "ui-download")
    panel = page.locator(".lm-download")
    panel.scroll_into_view_if_needed()
    assert "So far you have answered 4 questions (9 checks) and written 2 reflections." in panel.inner_text()
    json_button = panel.get_by_role("button", name="Answers and reflections (.json, ")
    zip_button = panel.get_by_role("button", name="Everything as a .zip")
    assert json_button.inner_text().strip().startswith("Answers and reflections (.json, ")
    for button in (json_button, zip_button):
        assert button.bounding_box()["height"] >= 30, "sized like a button"
        assert button_contrast(button) >= 4.5
    assert json_button.evaluate("e => getComputedStyle(e).backgroundColor") != \
        zip_button.evaluate("e => getComputedStyle(e).backgroundColor"), "the main action stands out"
    panel.screenshot(path=str(SHOTS / "ui-download-panel.png"))

    with page.expect_download(timeout=15_000) as done:
        json_button.click()  # the kernel builds the file at this click, and the page downloads it at once
    export = json.loads(open(done.value.path(), encoding="utf-8").read())
    short_id = export["learner_id"][:8]
    check_download_name(done.value.suggested_filename, short_id, "json")
    assert len(export["attempts"]) == 9
    # The hand-in line names the file just downloaded.
    panel.locator(".lm-handin", has_text=f"send {done.value.suggested_filename} (the .json").wait_for(timeout=15_000)

    # Words typed a moment before the click are in the file: the click builds it from the work as it is then.
    words = "Typed just before the download: <b>my team</b> & me."
    reflection = page.locator(".lm-reflection").filter(has_text="What brings you")
    reflection.scroll_into_view_if_needed()
    reflection.locator("textarea").fill(words)
    panel.scroll_into_view_if_needed()
    with page.expect_download(timeout=15_000) as done:
        json_button.click()
    export = json.loads(open(done.value.path(), encoding="utf-8").read())
    assert words in [row["text"] for row in export["reflections"]]
    panel.get_by_text("So far you have answered 4 questions (9 checks) and written 3 reflections.").wait_for(timeout=15_000)

    with page.expect_download(timeout=30_000) as done:
        zip_button.click()  # one click: no second link to find
    check_download_name(done.value.suggested_filename, short_id, "zip")
    names = zipfile.ZipFile(done.value.path()).namelist()
    assert "lead-manage-export.json" in names and "reflections-portfolio.md" in names
    panel.get_by_role("status").filter(has_text="Your .zip is ready").wait_for(timeout=15_000)
    panel.screenshot(path=str(SHOTS / "ui-download-panel-after-zip.png"))

    # A second view of the same output draws the panel again, and with it the request to click the .zip
    # link: each request is honoured once, so nothing downloads again.
    downloads = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    panel.click(button="right", position={"x": 5, "y": 5})
    page.locator('.lm-Menu-item[data-command="notebook:create-output-view"]').click()
    page.locator(".jp-LinkedOutputView .lm-download .lm-button-primary").wait_for(timeout=30_000)
    page.wait_for_timeout(3_000)
    assert downloads == []
    page.close()


def test_the_chosen_rating_shows_without_colour(lab, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    set_theme(lab, None)
    page = run_lesson(browser, lab, "00_start_here.ipynb", "ui-ratings")
    card = page.locator(".lm-self-assessment")
    card.scroll_into_view_if_needed()
    first = card.locator(".lm-rating").first
    statement = first.locator(".lm-statement")
    scale = first.locator(".lm-scale")
    assert statement.bounding_box()["x"] < scale.bounding_box()["x"] or \
        statement.bounding_box()["y"] < scale.bounding_box()["y"], "the statement is read first"
    assert scale.inner_text().split() == ["Rarely", "or", "never", "1", "2", "3", "4", "5", "Almost", "always"]
    first.get_by_role("radio", name="4").click()
    card.locator(".lm-muted", has_text="1 of 12 rated").wait_for(timeout=15_000)
    assert first.get_by_role("radio", name="4").is_checked(), "the browser reports the choice to screen readers"
    labels = first.locator(".widget-radio-box label")
    marks = labels.evaluate_all("""ls => ls.map(l => ({
        text: l.textContent.trim(), mark: getComputedStyle(l, '::before').content,
        weight: getComputedStyle(l).fontWeight, border: getComputedStyle(l).borderTopWidth }))""")
    for mark in marks:
        chosen = mark["text"] == "4"
        assert (mark["mark"] == '"✓"') is chosen, mark
        assert (mark["weight"] == "700") is chosen, mark
        assert (mark["border"] == "2px") is chosen, mark
    assert button_contrast(labels.nth(3)) >= 4.5 and button_contrast(labels.nth(0)) >= 4.5
    second = card.locator(".lm-rating").nth(1)
    second.get_by_role("radio", name="2").click()
    card.locator(".lm-muted", has_text="2 of 12 rated").wait_for(timeout=15_000)
    page.screenshot(path=str(SHOTS / "ui-rating-buttons.png"))
    page.close()


def test_the_plan_downloads_at_the_first_click(lab, browser):
    set_theme(lab, None)
    page = run_lesson(browser, lab, "13_capstone_plan.ipynb", "ui-plan")
    plan = page.locator(".lm-plan")
    plan.scroll_into_view_if_needed()
    button = plan.get_by_role("button", name="Download my plan (.md,")
    with page.expect_download(timeout=15_000) as done:
        button.click()
    assert done.value.suggested_filename == "my-90-day-plan.md"
    assert open(done.value.path(), encoding="utf-8").read().startswith("# ")
    button.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "ui-plan-download.png"))
    page.close()


@pytest.mark.parametrize("theme", [None, "JupyterLab Dark"], ids=["light", "dark"])
def test_chart_text_is_readable_on_either_theme(lab, browser, theme):
    from PIL import Image

    SHOTS.mkdir(parents=True, exist_ok=True)
    set_theme(lab, theme)
    try:
        page = run_lesson(browser, lab, "12_self_assessment.ipynb", f"ui-chart-{theme or 'light'}".replace(" ", "-"))
    finally:
        set_theme(lab, None)
    dark = page.evaluate("() => document.body.dataset.jpThemeLight") == "false"
    assert dark is bool(theme), "the theme asked for is the one shown"
    card = page.locator(".lm-self-assessment")
    for n in range(6):
        card.locator(".lm-rating").nth(n).get_by_role("radio", name=str(1 + n % 5)).click()
    name = "dark" if theme else "light"
    card.locator(".lm-rating").first.screenshot(path=str(SHOTS / f"ui-rating-first-item-{name}.png"))
    chart = page.locator(".lm-profile img")
    chart.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("() => { const i = document.querySelector('.lm-profile img'); "
                           "return i && i.complete && i.naturalWidth > 0; }", timeout=15_000)
    chart.scroll_into_view_if_needed()
    shot = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
    page.locator(".lm-profile").screenshot(path=str(SHOTS / f"ui-chart-{name}.png"))
    colours = Counter(zip(*(shot.getchannel(band).tobytes() for band in "RGB")))
    background = colours.most_common(1)[0][0]
    # Text, axes and ticks are grey (r = g = b); the bars are coloured. The grey furthest from the
    # background, among those that cover more than a few pixels, is the text's ink.
    greys = [c for c, n in colours.items() if max(c) - min(c) <= 6 and n >= 20 and c != background]
    ink = max(greys, key=lambda c: contrast(c, background))
    assert contrast(ink, background) >= 4.5, f"chart text {ink} on {background}: {contrast(ink, background):.2f}:1"
    page.close()
