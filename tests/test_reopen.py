"""A saved lesson reopens readably: the save hook, its shipped config, a real Jupyter server, and nbgitpuller updates.

The browser half (Run All, save, the kernel goes away, reopen in JupyterLab) is in test_browser.py.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the test extra brings tomli
    import tomli as tomllib
import urllib.request
from pathlib import Path

import nbformat
import pytest

from course.jupyter_hooks import (FALLBACK_START, WIDGET_STATE, WIDGET_VIEW, keep_readable_copies,
                                  keep_readable_copies_in, readable_copies)
from tests.jupyterlab import REPO, Lab

LESSON = "03_vision_and_goals.ipynb"


def course_output(count: int | None = 3) -> dict:
    """Return a real course view's output, as the kernel sends it after `quiz(...)`."""
    from widgets import quiz

    bundle = quiz("vision-goals", "why-before-what")._repr_mimebundle_()
    return {"output_type": "execute_result", "execution_count": count, "metadata": {}, "data": bundle}


def other_widget_output() -> dict:
    import ipywidgets

    return {"output_type": "display_data", "metadata": {}, "data": ipywidgets.IntSlider()._repr_mimebundle_()}


def code_cell(*outputs, count=3) -> dict:
    return {"cell_type": "code", "execution_count": count, "id": f"c{count}", "metadata": {},
            "outputs": list(outputs), "source": "quiz(...)"}


def notebook(*cells) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


# -- the hook on its own ---------------------------------------------------------------------------
def test_the_copy_a_course_view_shows_starts_with_the_marker_the_hooks_look_for():
    data = course_output()["data"]
    assert data["text/html"].startswith(FALLBACK_START) and WIDGET_VIEW in data
    assert "Run this cell (or Run › Run All Cells) to use it; your answers are saved." in data["text/html"]


def test_saving_removes_the_widget_entry_from_course_views_and_from_nothing_else():
    ours, slider = course_output(), other_widget_output()
    mentions = {"output_type": "display_data", "metadata": {},
                "data": {"text/html": f'<p>A note about {FALLBACK_START}</p>', WIDGET_VIEW: {"model_id": "x"}}}
    nb = notebook(code_cell(ours, count=3), code_cell(slider, count=4), code_cell(mentions, count=5))
    before = copy.deepcopy(nb)
    assert keep_readable_copies_in(nb) == 1
    assert WIDGET_VIEW not in nb["cells"][0]["outputs"][0]["data"]
    kept = {k: v for k, v in before["cells"][0]["outputs"][0]["data"].items() if k != WIDGET_VIEW}
    assert nb["cells"][0]["outputs"][0]["data"] == kept, "the readable copy and the text stay as they were"
    assert nb["cells"][1:] == before["cells"][1:], "someone else's widget, and HTML that only mentions the marker"


def test_a_saved_cell_that_only_shows_course_views_loses_its_count_and_a_mixed_one_keeps_it():
    stream = {"output_type": "stream", "name": "stdout", "text": "hello\n"}
    nb = notebook(code_cell(course_output(3), count=3), code_cell(stream, course_output(4), count=4),
                  code_cell(count=5))
    keep_readable_copies({"type": "notebook", "content": nb}, path="lesson.ipynb")
    only, mixed, empty = nb["cells"]
    assert only["execution_count"] is None and only["outputs"][0]["execution_count"] is None
    assert mixed["execution_count"] == 4 and mixed["outputs"][1]["execution_count"] == 4
    assert WIDGET_VIEW not in mixed["outputs"][1]["data"]
    assert empty["execution_count"] == 5, "a cell without outputs is not a course view"
    nbformat.validate(nbformat.from_dict(nb))


def test_the_hook_reads_split_text_and_leaves_files_and_odd_notebooks_alone():
    split = course_output()
    split["data"]["text/html"] = [split["data"]["text/html"][:20], split["data"]["text/html"][20:]]
    nb = notebook(code_cell(split))
    assert keep_readable_copies_in(nb) == 1 and WIDGET_VIEW not in split["data"]
    text = {"type": "file", "format": "text", "content": FALLBACK_START}
    keep_readable_copies(text, path="notes.txt")
    assert text["content"] == FALLBACK_START
    for odd in (None, {}, {"cells": None}, {"cells": [None, 3, {"cell_type": "code", "outputs": None}]},
                notebook({"cell_type": "code", "outputs": [None, {"output_type": "stream"}, {"output_type": "display_data"}]})):
        keep_readable_copies({"type": "notebook", "content": odd}, path="odd.ipynb")


def test_the_html_preprocessor_drops_the_widget_state_only_when_no_other_widget_is_left():
    state = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {}}}
    ours = notebook(code_cell(course_output()))
    ours["metadata"]["widgets"] = copy.deepcopy(state)
    readable_copies(ours, {})
    assert "widgets" not in ours["metadata"] and WIDGET_VIEW not in ours["cells"][0]["outputs"][0]["data"]
    assert ours["cells"][0]["execution_count"] == 3, "a static page keeps its prompts"

    mixed = notebook(code_cell(course_output()), code_cell(other_widget_output(), count=4))
    mixed["metadata"]["widgets"] = copy.deepcopy(state)
    readable_copies(mixed, {})
    assert mixed["metadata"]["widgets"] == state and WIDGET_VIEW in mixed["cells"][1]["outputs"][0]["data"]

    theirs = notebook(code_cell(other_widget_output()))
    theirs["metadata"]["widgets"] = copy.deepcopy(state)
    assert readable_copies(copy.deepcopy(theirs), {})[0] == theirs


def test_saving_drops_stored_widget_state_that_would_hold_a_revealed_key_only_when_no_other_widget_is_left():
    """JupyterLab can be set to store widget state on save: a guide saved with its notes open would keep them."""
    from widgets import debrief

    view = debrief("start-here", "born-or-made", "half_day_workshop")
    question = view.views[0]
    question.reveal.value, question.trainer_notes.value = True, True
    shown = {"state": {w.model_id: {"state": w.get_state()} for w in _held(view)}}
    secret = question.trainer_text.value
    assert secret and secret[40:90] in str(shown), "the state JupyterLab would store holds the notes"
    state = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, **shown}}
    ours = notebook(code_cell(course_output()))
    ours["metadata"]["widgets"] = copy.deepcopy(state)
    keep_readable_copies({"type": "notebook", "content": ours})
    assert "widgets" not in ours["metadata"] and secret[40:90] not in str(ours)

    mixed = notebook(code_cell(course_output()), code_cell(other_widget_output(), count=4))
    mixed["metadata"]["widgets"] = copy.deepcopy(state)
    keep_readable_copies({"type": "notebook", "content": mixed})
    assert mixed["metadata"]["widgets"] == state, "another widget's state is the notebook author's to keep"


def _held(widget, seen=None) -> list:
    import ipywidgets

    seen = {} if seen is None else seen
    if widget.model_id not in seen:
        seen[widget.model_id] = widget
        for name in ("children", "layout", "style"):
            value = getattr(widget, name, None)
            for inner in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(inner, ipywidgets.Widget):
                    _held(inner, seen)
    return list(seen.values())


# -- the shipped config ----------------------------------------------------------------------------
SHIPPED = {"etc/jupyter/jupyter_server_config.d": "etc/jupyter/jupyter_server_config.d/lead-manage.json",
           "etc/jupyter": "etc/jupyter/jupyter_nbconvert_config.json"}


def test_the_jupyter_config_is_shipped_with_the_package_and_put_in_place_by_both_setups():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert declared == {folder: [path] for folder, path in SHIPPED.items()}
    server = json.loads((REPO / SHIPPED["etc/jupyter/jupyter_server_config.d"]).read_text())
    assert server == {"ServerApp": {"jpserver_extensions": {"course.jupyter_hooks": True}}}
    nbconvert = json.loads((REPO / SHIPPED["etc/jupyter"]).read_text())
    assert nbconvert == {"HTMLExporter": {"preprocessors": ["course.jupyter_hooks.readable_copies"]}}
    # An editable install (setup-env.sh, Binder's postBuild) leaves data files out: both copy them.
    for script in ("scripts/setup-env.sh", "postBuild"):
        text = (REPO / script).read_text()
        for path in SHIPPED.values():
            assert f"cp {path} " in text, f"{script} does not put {path} in place"


def test_this_environment_has_the_config_where_jupyter_reads_it():
    from jupyter_core.paths import jupyter_config_path

    prefix = Path(sys.prefix) / "etc" / "jupyter"
    assert str(prefix) in jupyter_config_path()
    for path in SHIPPED.values():
        installed = prefix / Path(path).relative_to("etc/jupyter")
        assert installed.is_file(), f"{installed} is missing: run scripts/setup-env.sh"
        assert installed.read_text() == (REPO / path).read_text()
    listed = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                            capture_output=True, text=True, timeout=120)
    line = next(line for line in (listed.stdout + listed.stderr).splitlines() if "course.jupyter_hooks" in line)
    assert "enabled" in line


# -- a real Jupyter Server, and nbgitpuller ------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("server"), app="server", render_all_cells=False)
    yield lab
    lab.stop()


def _api(server, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(f"{server.base}/api/contents/{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {server.token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def run_all(path: Path) -> dict:
    """Run a lesson top to bottom in a fresh kernel, as Run All does, and return what JupyterLab would save.

    Outputs made in the learner's own session are trusted: JupyterLab sends each code cell with
    `trusted: true`, and the server signs the notebook only then.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    saved = json.loads(nbformat.writes(nb))  # as a file has it (writing drops `trusted`), then as the page sends it
    for cell in saved["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"]["trusted"] = True
    return saved


def views(nb: dict) -> list[dict]:
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
            if "".join(o.get("data", {}).get("text/html", "")).startswith(FALLBACK_START)]


def test_jupyter_server_saves_a_lesson_with_readable_copies_and_signs_it(server):
    ran = run_all(server.root / "modules" / LESSON)
    assert views(ran) and all(WIDGET_VIEW in o["data"] for o in views(ran)), "Run All shows live widgets"
    _api(server, "PUT", f"modules/{LESSON}", {"type": "notebook", "format": "json", "content": ran})
    saved = json.loads((server.root / "modules" / LESSON).read_text())
    assert len(views(saved)) == len(views(ran)) == 5  # the review, two quizzes, two reflections
    assert not any(WIDGET_VIEW in o["data"] for o in views(saved))
    assert all(c["execution_count"] is None for c in saved["cells"] if c["cell_type"] == "code" and c["outputs"]
               and all(o in views(saved) for o in c["outputs"]))
    reopened = _api(server, "GET", f"modules/{LESSON}?content=1")["content"]
    assert all(c["metadata"].get("trusted") for c in reopened["cells"] if c["cell_type"] == "code"), \
        "signed after the hook ran, so JupyterLab shows the copies as they are"


def _git(*args, cwd: Path) -> str:
    return subprocess.run(["git", "-c", "user.name=Course author", "-c", "user.email=author@example.org", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


def _pull(url: str, target: Path) -> None:
    from nbgitpuller.pull import GitPuller

    for _ in GitPuller(url, str(target), branch="main", depth=0).pull():
        pass


def test_an_nbgitpuller_update_after_run_all_and_save_brings_the_new_lesson_text(server):
    upstream = server.workdir / "upstream"
    shutil.copytree(REPO / "modules", upstream / "modules", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _git("init", "-q", "-b", "main", cwd=upstream)
    _git("add", ".", cwd=upstream)
    _git("commit", "-q", "-m", "The course", cwd=upstream)
    learner = server.root / "lead-manage"
    _pull(upstream.as_uri(), learner)

    # The learner runs the lesson and JupyterLab saves it, through the server and its hook.
    ran = run_all(learner / "modules" / LESSON)
    _api(server, "PUT", f"lead-manage/modules/{LESSON}", {"type": "notebook", "format": "json", "content": ran})

    # The course changes: new words in every Markdown cell, first and last lines, and a quiz asks one question fewer.
    path = upstream / "modules" / LESSON
    course = nbformat.read(path, as_version=4)
    for cell in course.cells:
        if cell.cell_type == "markdown":
            cell.source = f"Updated opening of {cell.id}.\n\n{cell.source}\n\nUpdated close of {cell.id}."
    asks = next(c for c in course.cells if c.source.startswith('quiz("vision-goals", "why-before-what"'))
    asks.source = 'quiz("vision-goals", "why-before-what", "strategy-label")'
    nbformat.write(course, path)
    _git("commit", "-q", "-am", "Clearer lesson 03", cwd=upstream)

    _pull(upstream.as_uri(), learner)
    text = (learner / "modules" / LESSON).read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    merged = nbformat.reads(text, as_version=4)
    nbformat.validate(merged)
    for cell in course.cells:
        if cell.cell_type == "markdown":
            assert f"Updated opening of {cell.id}." in text and f"Updated close of {cell.id}." in text
    assert any(c.source == asks.source for c in merged.cells), "the changed call arrives too"
    assert len(views(json.loads(text))) == 5, "the learner's readable copies stay until the cells run again"
    assert _git("status", "--porcelain", "--untracked-files=no", cwd=learner).strip() == ""
