"""Launching anywhere: Binder's own builder, read-only course folders, the README's promises, no network."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_binder_builds_with_the_conda_pack_and_installs_the_course_after_copying_it(tmp_path):
    repo = tmp_path / "repo"
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files + ["environment.yml", "postBuild", "pyproject.toml"]:
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    r2d = Path(sys.executable).with_name("repo2docker")
    run = subprocess.run([str(r2d), "--no-build", "--debug", str(repo)], capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-2000:]
    assert "Building conda environment" in out, "repo2docker must pick the conda build pack"
    assert re.search(r'env update .*--file "environment.yml"', out)
    copy_repo = out.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    post_build = out.index("RUN ./postBuild")
    assert copy_repo < post_build, "the course is installed after the repository is copied in"


def test_readme_badge_opens_the_start_page_and_gives_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/gh/" in readme and "urlpath=lab/tree/modules/00_start_here.ipynb" in readme
    commands = re.findall(r"^\./\S+\.sh", readme, flags=re.M)
    assert commands == ["./start.sh", "./test.sh"]
    assert (ROOT / "start.sh").stat().st_mode & 0o111 and (ROOT / "test.sh").stat().st_mode & 0o111


def test_lessons_run_from_a_read_only_copy_and_write_nothing_beside_them(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    copy = tmp_path / "course" / "modules"
    shutil.copytree(ROOT / "modules", copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in sorted(copy.rglob("*"), reverse=True) + [copy]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in copy.rglob("*")}
    data = tmp_path / "learner-data"
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(data))
    try:
        for notebook in sorted(copy.glob("[0-9][0-9]_*.ipynb")):
            nb = nbformat.read(notebook, as_version=4)
            NotebookClient(nb, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(notebook.parent)}}).execute()
            errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
            assert errors == [], f"{notebook.name}: {errors[:1]}"
        after = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in copy.rglob("*")}
        assert after == before, "nothing is written next to the notebooks"
        assert (data / "progress.sqlite3").exists(), "the store lives in the learner's data directory"
    finally:
        for path in [copy] + sorted(copy.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)


NETWORK_MODULES = {"urllib", "http", "socket", "requests", "httpx", "aiohttp", "ftplib", "smtplib"}


@pytest.mark.parametrize("package", ["course", "widgets"])
def test_the_course_code_never_reaches_the_network(package):
    import ast

    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in NETWORK_MODULES, f"{path.name} imports {name}"
