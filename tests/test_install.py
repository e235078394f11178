"""Installing the course where lessons are opened: a hub's environment keeps its JupyterLab and Notebook,
and a package older than the lessons says so, with the command that updates it."""
import json
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import widgets
from course import bank

ROOT = Path(__file__).resolve().parent.parent


class _Dist:
    """Stands in for the installed distribution's metadata."""

    version = "0.1.0"

    def __init__(self, direct_url: dict | None):
        self._direct = direct_url

    def read_text(self, name: str):
        return json.dumps(self._direct) if name == "direct_url.json" and self._direct is not None else None


def _installed_as(monkeypatch, tmp_path, direct_url: dict | None, checkout: bool):
    """Make `bank.bank_source` see an install of one kind: a git checkout in use, or a package."""
    from importlib import metadata

    package = tmp_path / ("checkout" if checkout else "site-packages")
    (package / "course").mkdir(parents=True, exist_ok=True)
    if checkout:
        (package / ".git").mkdir()
    monkeypatch.setattr(bank, "__file__", str(package / "course" / "bank.py"))
    monkeypatch.setattr(metadata, "distribution", lambda name: _Dist(direct_url))
    return package


def _message(view) -> str:
    import html

    return html.unescape(view.value)


def test_a_question_the_bank_lacks_says_the_package_is_older_and_how_to_update_a_wheel(monkeypatch, tmp_path):
    _installed_as(monkeypatch, tmp_path, {"url": "file:///tmp/lead_manage-0.1.0-py3-none-any.whl",
                                          "archive_info": {}}, checkout=False)
    text = _message(widgets.quiz("two-words", "a-question-from-newer-lessons"))
    assert "This lesson needs a newer course package." in text
    assert ("The course package installed here (lead-manage 0.1.0) has no question 'a-question-from-newer-lessons' "
            "in lesson 'two-words': the lessons are newer than the package") in text
    assert f"<code>{shlex.quote(sys.executable)} -m pip install --upgrade lead-manage</code>" in text
    assert "restart the kernel" in text and "whoever runs the hub" in text
    assert "Traceback" not in text


def test_a_package_installed_from_git_is_reinstalled_from_the_same_url(monkeypatch, tmp_path):
    url = "https://github.com/lead-manage/lead-manage"
    _installed_as(monkeypatch, tmp_path, {"url": url, "vcs_info": {"vcs": "git", "commit_id": "a" * 40}}, checkout=False)
    text = _message(widgets.quiz("a-lesson-from-newer-lessons"))
    assert "has no lesson 'a-lesson-from-newer-lessons'" in text
    # The version may not have changed, and pip leaves a same-version install alone unless forced.
    assert f'-m pip install --force-reinstall --no-deps "lead-manage @ git+{url}"</code>' in text

    _installed_as(monkeypatch, tmp_path, {"url": url, "vcs_info": {"vcs": "git", "commit_id": "a" * 40,
                                                                   "requested_revision": "main"}}, checkout=False)
    assert f'"lead-manage @ git+{url}@main"' in _message(widgets.quiz("a-lesson-from-newer-lessons"))


def test_a_git_checkout_in_use_is_updated_with_git(monkeypatch, tmp_path):
    checkout = _installed_as(monkeypatch, tmp_path, {"url": "file:///somewhere", "dir_info": {"editable": True}},
                             checkout=True)
    text = _message(widgets.reflection("two-words", "a-reflection-from-newer-lessons"))
    assert "has no reflection 'a-reflection-from-newer-lessons' in lesson 'two-words'" in text
    assert f"It is read from the git checkout in {checkout}." in text
    assert f"<code>git -C {shlex.quote(str(checkout))} pull</code>" in text


def test_a_folder_in_use_without_git_is_replaced_by_a_newer_copy(monkeypatch, tmp_path):
    folder = _installed_as(monkeypatch, tmp_path, {"url": "file:///somewhere", "dir_info": {"editable": True}},
                           checkout=False)
    text = _message(widgets.quiz("a-lesson-from-newer-lessons"))
    assert f"It is read from the folder {folder}. Put a newer copy of the course in its place, run ./start.sh" in text
    assert "<code>" not in text and "pip install" not in text


@pytest.mark.parametrize("show", [
    lambda: widgets.quiz("a-lesson-from-newer-lessons"),
    lambda: widgets.review("a-lesson-from-newer-lessons"),
    lambda: widgets.reflection("a-lesson-from-newer-lessons", "r"),
    lambda: widgets.quiz("two-words", "define-managing", "a-question-from-newer-lessons"),
])
def test_every_helper_that_names_an_id_explains_drift(show):
    assert "This lesson needs a newer course package." in _message(show())


def test_a_malformed_bank_is_still_reported_as_a_bank_problem_not_as_drift(monkeypatch, tmp_path):
    bad = tmp_path / "90_sample.yaml"
    bad.write_text("lesson: sample\nnumber: 90\n")
    monkeypatch.setattr(bank, "_bank_files", lambda: [bad])
    bank.clear_cache()
    try:
        text = _message(widgets.quiz("sample"))
    finally:
        bank.clear_cache()
    assert "the question bank has a problem" in text and "newer course package" not in text


SMOKE = """
import json, sys
import course, widgets
from course.bank import lessons
from widgets.quiz_view import Quiz
found = lessons()
view = widgets.quiz("two-words")
drift = widgets.quiz("two-words", "a-question-from-newer-lessons").value
print(json.dumps({"lessons": len(found), "quiz": isinstance(view, Quiz), "questions": len(view.views),
                  "course": course.__file__, "drift": drift,
                  "heavy": sorted(m for m in ("jupyterlab", "notebook", "jupyter_server") if m in sys.modules)}))
"""


@pytest.mark.install
def test_the_wheel_installs_without_jupyterlab_or_notebook_and_the_course_runs(tmp_path):
    """Build the wheel, install it into a fresh environment with its run-time packages only, and use it."""
    source = tmp_path / "source"  # built from a copy, so the build leaves nothing in the work tree
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", "test-artifacts",
        ".ipynb_checkpoints", ".pytest_cache", "node_modules"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("lead_manage-*.whl"))

    env_dir = tmp_path / "hub-env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                               capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]

    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True,
                            check=True).stdout
    names = {d["name"].lower().replace("_", "-") for d in json.loads(listed)}
    assert "lead-manage" in names and "ipywidgets" in names
    assert not names & {"jupyterlab", "notebook", "jupyter-server", "nbval"}, "a hub's JupyterLab is left alone"

    run_dir = tmp_path / "elsewhere"  # not the source folder: the installed package must be used
    run_dir.mkdir()
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LEAD_MANAGE_DATA_DIR": str(tmp_path / "data"),
           "MPLCONFIGDIR": str(tmp_path / "mpl")}
    smoke = subprocess.run([str(python), "-c", SMOKE], cwd=run_dir, env=env, capture_output=True, text=True, timeout=300)
    assert smoke.returncode == 0, smoke.stderr[-3000:]
    found = json.loads(smoke.stdout.strip().splitlines()[-1])
    assert found["lessons"] == 14 and found["quiz"] and found["questions"] > 0
    assert found["course"].startswith(str(env_dir)), "the course came from the installed wheel"
    assert found["heavy"] == []
    assert f"{shlex.quote(str(python))} -m pip install --upgrade lead-manage" in found["drift"]

    checked = subprocess.run([str(env_dir / "bin" / "lead-manage"), "check"], cwd=run_dir, env=env,
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
