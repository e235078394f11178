"""Start a real JupyterLab on 127.0.0.1 for browser tests, isolated from the user's settings."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
REPO = Path(__file__).resolve().parent.parent


def chromium_context(playwright, profile: Path, **options):
    """Launch Debian's Chromium headless with a fresh profile, as every browser test and the bench do."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        **{"viewport": {"width": 1280, "height": 1100}, **options})


def open_notebook(page, lab, notebook, folder="modules", workspace=None):
    """Open a notebook in a workspace of its own and wait until its kernel is ready."""
    workspace = workspace or notebook.removesuffix(".ipynb").replace("_", "-")
    page.goto(f"{lab.base}/lab/workspaces/{workspace}/tree/{folder}/{notebook}?reset&token={lab.token}")
    page.locator(".jp-NotebookPanel-toolbar", has_text="Python 3 (ipykernel)").wait_for(timeout=60_000)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=60_000)


def menu(page, top: str, command: str):
    """Choose a command from JupyterLab's menu bar, as a person would."""
    page.locator(".lm-MenuBar-item", has_text=top).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def wait_all_executed(page, timeout=120_000):
    """Wait until every code cell of the open notebook has run and the kernel is idle."""
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""", timeout=timeout)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab serving a temporary copy of the course."""

    def __init__(self, workdir: Path, extra_args: list[str] | None = None, read_only: bool = False,
                 disabled_extensions: list[str] | None = None, app: str = "lab", render_all_cells: bool = True,
                 server_config: dict | None = None):
        self.workdir = workdir
        self.root = workdir / "root"
        self.data = workdir / "learner-data"
        self.token = secrets.token_hex(16)
        self.port = free_port()
        shutil.copytree(REPO / "modules", self.root / "modules", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        env = dict(os.environ)
        dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "jdata", "JUPYTER_RUNTIME_DIR": "runtime",
                "JUPYTERLAB_SETTINGS_DIR": "lab-settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
                "IPYTHONDIR": "ipython", "MPLCONFIGDIR": "mpl"}
        for var, name in dirs.items():
            (workdir / name).mkdir(parents=True, exist_ok=True)
            env[var] = str(workdir / name)
        env["LEAD_MANAGE_DATA_DIR"] = str(self.data)
        disabled = {"@jupyterlab/apputils-extension:announcements": True}
        for ext in disabled_extensions or []:
            disabled[ext] = True
        (workdir / "config" / "labconfig").mkdir(parents=True, exist_ok=True)
        (workdir / "config" / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
        if server_config:  # the user's own server config, read after the environment's (extensions: per name)
            (workdir / "config" / "jupyter_server_config.json").write_text(json.dumps(server_config))
        if render_all_cells:  # tests reach every cell; a learner's JupyterLab keeps its default windowing
            settings = workdir / "lab-settings" / "@jupyterlab" / "notebook-extension"
            settings.mkdir(parents=True, exist_ok=True)
            (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        if read_only:
            for path in sorted(self.root.rglob("*"), reverse=True) + [self.root]:
                path.chmod(0o555 if path.is_dir() else 0o444)
        cmd = [sys.executable, "-m", "jupyter", app, "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--LabApp.news_url=None", *(extra_args or [])]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(workdir / "server.log", "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=workdir)
        self._wait_ready()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path}?token={self.token}"

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        request = urllib.request.Request(f"{self.base}/api/status", headers={"Authorization": f"token {self.token}"})
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{(self.workdir / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("JupyterLab did not answer /api/status in time")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
