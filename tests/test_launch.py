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
        if path.parent == ROOT / "course" / "live":
            continue  # live class sessions: reached only on a hub whose admin set LEAD_MANAGE_LIVE_URL (test_live_*)
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in NETWORK_MODULES, f"{path.name} imports {name}"


def _get(url: str, token: str | None = None):
    """Return (status, body) of a GET on the local server; a refusal is a status too."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _start_kernel(base: str, token: str) -> str:
    """Start a kernel through the server's REST API, as JupyterLab does; return its id."""
    import json
    import urllib.request

    request = urllib.request.Request(f"{base}/api/kernels", data=b"{}", method="POST",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["id"]


def _jupyter_env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    for var, folder in {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "jdata", "JUPYTER_RUNTIME_DIR": "runtime",
                        "JUPYTERLAB_SETTINGS_DIR": "lab-settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
                        "IPYTHONDIR": "ipython", "MPLCONFIGDIR": "mpl"}.items():
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp_path / folder)
    env["LEAD_MANAGE_DATA_DIR"] = str(tmp_path / "learner-data")
    env.pop("JUPYTER_TOKEN", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Output:
    """Collect a process's merged output in a thread; wait for a pattern in it."""

    def __init__(self, proc: subprocess.Popen):
        import threading

        self.proc, self.text, self._lock = proc, "", threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._lock:
                self.text += line

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = re.search(pattern, self.text)
            if found:
                return found
            assert self.proc.poll() is None or time.monotonic() < deadline, self.text[-3000:]
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in the output:\n{self.text[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _course_copy(tmp_path) -> Path:
    course = tmp_path / "course"
    (course / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "start.sh", course / "start.sh")
    shutil.copytree(ROOT / ".jupyter", course / ".jupyter")
    shutil.copytree(ROOT / "modules", course / "modules", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (course / "scripts" / "setup-env.sh").write_text("exit 0\n")  # the environment is this test's own
    (course / ".venv").symlink_to(sys.prefix)
    return course


def test_start_sh_prints_a_link_that_opens_the_start_lesson_and_how_to_stop(tmp_path):
    """What a newcomer without a desktop browser sees: the start lesson's own link, with its token."""
    course = _course_copy(tmp_path)
    proc = subprocess.Popen(["bash", str(course / "start.sh"), "--no-browser"], cwd=tmp_path, env=_jupyter_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = _Output(proc)
    try:
        link = output.wait_for(r"http://127\.0\.0\.1:(\d+)/lab/tree/modules/00_start_here\.ipynb\?token=(\w+)", 60)
        base, token = f"http://127.0.0.1:{link.group(1)}", link.group(2)
        assert "press Ctrl+C" in output.text
        output.wait_for(r"Jupyter Server .* is running at", 90)
        status, page = _get(link.group(0))
        assert status == 200 and '"treePath": "modules/00_start_here.ipynb"' in page, "the link opens the start lesson"
        status, model = _get(f"{base}/api/contents/modules/00_start_here.ipynb?content=0", token)
        assert status == 200 and '"type": "notebook"' in model
        assert _get(f"{base}/api/status", "not-" + token)[0] == 403, "the token in the link is the one that counts"
        _start_kernel(base, token)  # the server sets up culling with its first kernel
        output.wait_for(r"Culling kernels with idle durations > 1200 seconds at 60 second intervals", 60)
        assert "Culling kernels even with connected clients" not in output.text, "an open lesson keeps its kernel"
    finally:
        _stop(proc)


@pytest.mark.parametrize("form", ["--port={}", "--port {}", "--ServerApp.port={}"])
def test_start_sh_uses_a_port_given_as_an_argument_in_its_link(tmp_path, form):
    course = _course_copy(tmp_path)
    port = _free_port()
    proc = subprocess.Popen(["bash", str(course / "start.sh"), "--no-browser", *form.format(port).split()],
                            cwd=tmp_path, env=_jupyter_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = _Output(proc)
    try:
        link = output.wait_for(r"http://127\.0\.0\.1:(\d+)/lab/tree/modules/00_start_here\.ipynb\?token=(\w+)", 60)
        assert link.group(1) == str(port)
        assert _get(f"http://127.0.0.1:{port}/api/status", link.group(2))[0] == 200
    finally:
        _stop(proc)


def test_start_sh_refuses_a_port_that_is_not_a_number(tmp_path):
    course = _course_copy(tmp_path)
    run = subprocess.run(["bash", str(course / "start.sh"), "--port", "eighty"], cwd=tmp_path,
                         env=_jupyter_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "The port must be a number, not 'eighty'." in run.stderr


def test_a_kernel_stopped_for_being_idle_stores_the_reflection_still_waiting(tmp_path):
    """The course's culling settings, with a 3 s timeout: the text typed last is stored as the kernel stops."""
    import secrets
    import time

    from jupyter_client import BlockingKernelClient

    from course.store import ProgressStore

    env = _jupyter_env(tmp_path)
    env["JUPYTER_CONFIG_PATH"] = str(ROOT / ".jupyter")
    token = secrets.token_hex(16)
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
           "--MappingKernelManager.cull_idle_timeout=3", "--MappingKernelManager.cull_interval=1"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    output = _Output(proc)
    base = f"http://127.0.0.1:{port}"
    try:
        output.wait_for(r"Jupyter Server .* is running at", 90)
        kernel_id = _start_kernel(base, token)
        output.wait_for(r"Culling kernels with idle durations > 3 seconds at 1 second intervals", 30)
        assert "Culling kernels even with connected clients" not in output.text, "an open lesson keeps its kernel"
        client = BlockingKernelClient(connection_file=str(tmp_path / "runtime" / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels(hb=False)  # a heartbeat late on a busy machine would read as a dead kernel
        shown = []
        try:
            client.wait_for_ready(timeout=60)
            code = ("from widgets import reflection\n"
                    "box = reflection('two-words', 'my-own-mix')\n"
                    "box.debounce = box.max_wait = 600  # the save is still waiting when the kernel is stopped\n"
                    "box.area.value = 'Typed just before a long break.'\n"
                    "print(box.pending, repr(box.saved_text))")
            reply = client.execute_interactive(code, timeout=60, output_hook=lambda m: shown.append(m))
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            client.stop_channels()
        printed = "".join(m["content"].get("text", "") for m in shown if m["msg_type"] == "stream")
        assert printed.strip() == "True ''", "the text is waiting, not stored yet"
        deadline = time.monotonic() + 60
        while kernel_id in _get(f"{base}/api/kernels", token)[1] and time.monotonic() < deadline:
            time.sleep(0.5)
        assert kernel_id not in _get(f"{base}/api/kernels", token)[1], "the idle kernel was stopped"
        assert re.search(r"Culling 'idle' kernel .*due to \d+ seconds of inactivity", output.text)
    finally:
        _stop(proc)
    saved = ProgressStore(tmp_path / "learner-data" / "progress.sqlite3").reflection("two-words", "my-own-mix")
    assert saved is not None and saved.text == "Typed just before a long break."
