"""A live class session, end to end in headless Chromium on a real JupyterHub: an instructor opens a session,
two learners open the real lesson 01 notebook in JupyterLab, share through the bar inside its quizzes and
answer a question, and the dashboard counts them; a learner who did not join is not counted and no learner
reads the results."""
from __future__ import annotations

import os
import shutil
import time

import pytest

from tests.hub import Hub, request
from tests.jupyterlab import CHROMIUM, REPO, chromium_context, menu, wait_all_executed

pytestmark = pytest.mark.browser
SHOTS = REPO / "test-artifacts" / "screenshots"
LESSON = "two-words"
QUESTION = "define-managing"  # the first question of lesson 01's first quiz
LESSON_NOTEBOOK = "01_two_words.ipynb"
SHARE = "Share my answers with the class session"


def notebook(cells: list[str]) -> str:
    import nbformat

    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return nbformat.writes(book)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    workdir = tmp_path_factory.mktemp("hub-browser")
    for name in ("amy", "bob", "cy"):  # learners open the lesson itself, as committed
        (workdir / "homes" / name).mkdir(parents=True)
        shutil.copy(REPO / "modules" / LESSON_NOTEBOOK, workdir / "homes" / name / LESSON_NOTEBOOK)
    (workdir / "homes" / "ines").mkdir(parents=True)
    (workdir / "homes" / "ines" / "live.ipynb").write_text(
        notebook(["from widgets import live_session", f'live_session("{LESSON}")']))
    server = Hub(workdir, instructors=("ines",))
    yield server
    server.stop()


def log_in(playwright, hub, tmp_path_factory, name: str, path: str = "live.ipynb"):
    """Log in as a person would, wait for the user's JupyterLab, open the notebook at `path` and run it; return the page."""
    context = chromium_context(playwright, tmp_path_factory.mktemp(f"profile-{name}"))
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", "any password")
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}/**", timeout=90_000)
    page.goto(f"{hub.url}/user/{name}/lab/workspaces/live/tree/{path}?reset")
    page.locator(".jp-NotebookPanel-toolbar", has_text="Python 3 (ipykernel)").wait_for(timeout=90_000)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=90_000)
    menu(page, "Run", "runmenu:run-all")
    wait_all_executed(page)
    return page


def pick_and_check(page, option_text: str):
    question = page.locator(".lm-question").first
    question.get_by_role("radio", name=option_text).click()
    question.get_by_role("button", name="Check answer").click()
    question.locator(".lm-verdict").wait_for(timeout=15_000)


def test_two_learners_answer_and_the_dashboard_counts_them(hub, playwright, tmp_path_factory):
    from course.bank import lesson

    question = lesson(LESSON).question(QUESTION)
    right, wrong = question.choices[0].text, question.choices[1].text
    assert question.choices[0].correct and not question.choices[1].correct

    teacher = log_in(playwright, hub, tmp_path_factory, "ines")
    board = teacher.locator(".lm-live")
    board.wait_for(timeout=30_000)
    code = board.locator(".lm-live-code").inner_text(timeout=15_000).strip()
    assert len(code) == 6
    board.get_by_text("0 answered").wait_for(timeout=15_000)

    learners = {}
    for name in ("amy", "bob", "cy"):
        page = log_in(playwright, hub, tmp_path_factory, name, LESSON_NOTEBOOK)
        quizzes = page.locator(".lm-quiz")
        assert quizzes.count() == 3  # lesson 01 has three quiz cells, each with the bar inside
        for n in range(3):
            bar = quizzes.nth(n).locator(".lm-share")
            box = bar.get_by_role("checkbox", name=SHARE)
            box.wait_for(timeout=30_000)  # shown: a session for lesson 01 is open
            assert code in bar.inner_text() and "Sharing is off" in bar.inner_text()
            assert not box.is_checked(), "sharing is off until the learner turns it on"
        learners[name] = page
    for name in ("amy", "bob"):
        quizzes = learners[name].locator(".lm-quiz")
        bar = quizzes.first.locator(".lm-share")
        bar.get_by_role("checkbox", name=SHARE).check()  # one click, in the first quiz
        bar.get_by_text("Sharing with session").wait_for(timeout=15_000)
        shown = bar.inner_text()
        assert "Never your name, reflections or ratings" in shown and code in shown
        for n in range(1, 3):  # the lesson's other quizzes show the same sharing, ticked
            other = quizzes.nth(n).locator(".lm-share")
            other.get_by_text("Sharing with session").wait_for(timeout=15_000)
            assert other.get_by_role("checkbox", name=SHARE).is_checked()
    learners["bob"].locator(".lm-quiz").first.locator(".lm-share").screenshot(path=str(SHOTS / "live-share-bar.png"))

    pick_and_check(learners["cy"], wrong)   # did not join: must not be counted
    pick_and_check(learners["amy"], right)
    started = time.monotonic()
    pick_and_check(learners["bob"], wrong)
    board.get_by_text("2 answered").wait_for(timeout=5_000)
    latency = time.monotonic() - started
    assert "1 (50%) right at the first try" in " ".join(board.locator(".lm-live-summary").inner_text().split())
    bars = {}
    for option in board.locator(".lm-proj-option").all():
        bars[option.locator(".lm-proj-body").inner_text().split("\n")[0].strip()] = \
            option.locator(".lm-live-count").inner_text().strip()
    assert bars[right] == "1 (50%)" and bars[wrong] == "1 (50%)"
    assert sorted(bars.values()) == ["0 (0%)", "0 (0%)", "1 (50%)", "1 (50%)"]
    board.get_by_role("button", name="Reveal answer").click()
    board.locator(".lm-proj-keyed").wait_for(timeout=5_000)
    assert "Discussion" not in board.inner_text()
    board.screenshot(path=str(SHOTS / "live-dashboard.png"))
    print(f"\nCheck to dashboard: {latency:.2f} s")

    # No learner reads the results, with their token or with the login cookie of their browser.
    sessions = request("GET", hub.service_url + "api/sessions/mine", token=hub.user_token("ines"))[1]["sessions"]
    session_id = next(s["id"] for s in sessions if s["open"])
    amy = learners["amy"]
    response = amy.request.get(f"{hub.service_url}api/sessions/{session_id}/results")
    assert response.status == 403
    amy.goto(hub.service_url)  # the hub's OAuth login for the service
    amy.get_by_text("Signed in as").wait_for(timeout=30_000)
    assert amy.request.get(f"{hub.service_url}api/sessions/{session_id}/results").status == 403
    # A change riding on the login cookie without the _xsrf token is refused; answers stay as they were.
    assert amy.request.post(f"{hub.service_url}api/sessions/{session_id}/leave").status == 403
    assert amy.request.get(f"{hub.service_url}api/me").status == 200

    board.get_by_role("button", name="Close session").click()
    board.get_by_text("Closed: the join code no longer works").wait_for(timeout=10_000)
    assert request("POST", hub.service_url + "api/join", {"code": code}, hub.user_token("cy"))[0] == 404
    for page in (teacher, *learners.values()):
        page.context.close()
