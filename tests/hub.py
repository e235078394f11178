"""Start a real JupyterHub on 127.0.0.1 with the live-session service, for tests and the bench.

The hub is JupyterHub from pip with `DummyAuthenticator` (any password), `SimpleLocalProcessSpawner`
(servers run as the test's own user, each in a home folder of its own under the work folder) and
`configurable-http-proxy` from npm, installed into `.venv/chp` on first use. The live service is a
managed service, configured as the README tells a hub admin to: the users' role and their servers'
tokens both hold `access:services!service=live`.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.jupyterlab import REPO, free_port

CHP = REPO / ".venv" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
SERVICE = "live"
INSTRUCTOR_GROUP = "instructors"
TEAM_GROUP = "team-a"  # a hub group a session can be restricted to


def ensure_proxy() -> Path:
    """Return configurable-http-proxy, installing it from npm into .venv/chp when it is missing."""
    if CHP.exists():
        return CHP
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("The JupyterHub tests need npm for configurable-http-proxy (apt-get install npm)")
    subprocess.run([npm, "install", "--prefix", str(CHP.parents[2]), "--no-audit", "--no-fund", "--silent",
                    "configurable-http-proxy@4"], check=True, stdout=subprocess.DEVNULL, timeout=600)
    return CHP


def _config(hub: "Hub") -> str:
    venv_bin = Path(sys.executable).parent
    singleuser = venv_bin / "jupyterhub-singleuser"
    args = ["--allow-root"] if os.geteuid() == 0 else []
    return textwrap.dedent(f"""
        import sys
        c = get_config()  # noqa
        c.JupyterHub.ip = "127.0.0.1"
        c.JupyterHub.port = {hub.port}
        c.JupyterHub.hub_ip = "127.0.0.1"
        c.JupyterHub.hub_port = {hub.hub_port}
        c.JupyterHub.db_url = "sqlite:///{hub.workdir / 'jupyterhub.sqlite'}"
        c.JupyterHub.cookie_secret_file = "{hub.workdir / 'jupyterhub_cookie_secret'}"
        c.JupyterHub.cleanup_servers = True
        c.JupyterHub.log_level = "INFO"
        c.ConfigurableHTTPProxy.command = ["{hub.proxy}"]
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{hub.proxy_api_port}"
        c.ConfigurableHTTPProxy.auth_token = "{secrets.token_hex(16)}"
        c.ConfigurableHTTPProxy.debug = False

        c.JupyterHub.authenticator_class = "dummy"
        c.Authenticator.allow_all = True
        c.Authenticator.admin_users = {{"ada"}}
        c.JupyterHub.load_groups = {{"{INSTRUCTOR_GROUP}": {{"users": {sorted(hub.instructors)!r}}},
                                     "{TEAM_GROUP}": {{"users": {sorted(hub.team)!r}}}}}

        c.JupyterHub.spawner_class = "simple"
        c.SimpleLocalProcessSpawner.home_dir_template = "{hub.workdir / 'homes'}/{{username}}"
        c.Spawner.cmd = ["{singleuser}"]
        c.Spawner.args = {args!r}
        c.Spawner.default_url = "/lab"
        c.Spawner.start_timeout = 90
        c.Spawner.http_timeout = 90
        c.Spawner.environment = {{"LEAD_MANAGE_LIVE_URL": "{hub.url}/services/{SERVICE}/",
                                  "JUPYTERLAB_SETTINGS_DIR": "{hub.workdir / 'lab-settings'}",
                                  "JUPYTER_CONFIG_DIR": "{hub.workdir / 'jupyter-config'}"}}
        # What a hub admin adds for the live service (README): the servers' tokens and the users' role.
        c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server",
                                         "access:services!service={SERVICE}"]
        c.JupyterHub.load_roles = [
            {{"name": "user", "scopes": ["self", "access:services!service={SERVICE}"]}},
            {{"name": "tester", "scopes": ["admin:users", "tokens", "admin:servers", "admin:groups", "list:users",
                                                      "read:services"],
              "services": ["tester"]}},
        ]
        c.JupyterHub.services = [
            {{"name": "{SERVICE}", "url": "http://127.0.0.1:{hub.service_port}",
              "command": [sys.executable, "-m", "course.live", "--data-dir", "{hub.workdir / 'live'}"],
              "cwd": "{hub.workdir}", "oauth_no_confirm": True,
              "environment": {{"LEAD_MANAGE_LIVE_GROUP": "{INSTRUCTOR_GROUP}"}}}},
            {{"name": "tester", "api_token": "{hub.admin_token}"}},
        ]
        """)


class Hub:
    """A running JupyterHub with the live service; `stop()` ends it and everything it started.

    Parameters
    ----------
    workdir:
        An empty folder for the hub's database, the service's data and the users' home folders.
    instructors:
        Users in the `instructors` group ("ada" is a hub admin and in no group).
    team:
        Users in the `team-a` group.
    """

    def __init__(self, workdir: Path, instructors: tuple[str, ...] = ("ines",), team: tuple[str, ...] = ("amy",)):
        self.workdir = Path(workdir)
        self.instructors = set(instructors)
        self.team = set(team)
        self.port, self.hub_port, self.proxy_api_port, self.service_port = (free_port() for _ in range(4))
        self.admin_token = secrets.token_hex(24)
        self.proxy = ensure_proxy()
        (self.workdir / "homes").mkdir(parents=True, exist_ok=True)
        settings = self.workdir / "lab-settings" / "@jupyterlab"
        (settings / "notebook-extension").mkdir(parents=True, exist_ok=True)
        (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        labconfig = self.workdir / "jupyter-config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        (self.workdir / "jupyterhub_config.py").write_text(_config(self))
        self.log = open(self.workdir / "hub.log", "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
        self.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(self.workdir / "jupyterhub_config.py")],
                                     cwd=self.workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._tokens: dict[str, str] = {}
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        """The service's address through the proxy, as learners' kernels reach it."""
        return f"{self.url}/services/{SERVICE}/"

    @property
    def direct_url(self) -> str:
        """The service's own address (without the proxy), for the flood and the bench."""
        return f"http://127.0.0.1:{self.service_port}/services/{SERVICE}/"

    def log_text(self) -> str:
        return (self.workdir / "hub.log").read_text(errors="replace")

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited early:\n{self.log_text()[-4000:]}")
            try:
                hub_status, _ = request("GET", self.url + "/hub/api/", timeout=2)
                status, _ = request("GET", self.service_url + "api/me", timeout=2)
                if hub_status == 200 and status == 403:  # the service answers, and refuses a request without a token
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"JupyterHub or the live service did not answer in time:\n{self.log_text()[-4000:]}")

    def api(self, method: str, path: str, body: dict | None = None) -> dict | list | None:
        """Call the hub's REST API as the admin test service; raise on an error status."""
        status, doc = request(method, self.url + path, body, self.admin_token, timeout=120)  # 300 users at once
        if status >= 400:
            raise RuntimeError(f"hub API {method} {path} answered {status}: {doc}")
        return doc

    def user_token(self, name: str, scopes: tuple[str, ...] = (f"access:services!service={SERVICE}",)) -> str:
        """Create the user if needed and return a new API token of theirs with these scopes (as a server's token has)."""
        key = f"{name} {' '.join(scopes)}"
        if key not in self._tokens:
            status, _ = request("GET", f"{self.url}/hub/api/users/{name}", token=self.admin_token)
            if status == 404:
                self.api("POST", f"/hub/api/users/{name}")
            doc = self.api("POST", f"/hub/api/users/{name}/tokens", {"scopes": list(scopes), "note": "test"})
            self._tokens[key] = doc["token"]
        return self._tokens[key]

    def new_token(self, name: str, scopes: tuple[str, ...] = (f"access:services!service={SERVICE}",)) -> str:
        """Return a token of an existing user never used before (the service knows nothing of it yet)."""
        return self.api("POST", f"/hub/api/users/{name}/tokens", {"scopes": list(scopes), "note": "test"})["token"]

    def service_pid(self) -> int:
        """Return the live service's process id (the hub starts it, and starts it again if it dies)."""
        return int(self.api("GET", f"/hub/api/services/{SERVICE}")["pid"])

    def stop(self) -> None:
        """Stop the hub (it stops the proxy, the service and the users' servers), then anything left in its group."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # only this hub's own process group
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()


def request(method: str, url: str, body=None, token: str | None = None, raw: bytes | None = None,
            headers: dict | None = None, timeout: float = 10) -> tuple[int, object]:
    """Send one HTTP request; return (status, parsed JSON or text). Network errors raise OSError."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is None and method in ("POST", "PUT", "PATCH"):
        data = b""
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if token:
        req.add_header("Authorization", f"token {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, payload = response.status, response.read()
            kind = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        status, payload, kind = exc.code, exc.read(), exc.headers.get("Content-Type", "")
    text = payload.decode("utf-8", "replace")
    if "json" in kind:
        try:
            return status, json.loads(text)
        except ValueError:
            pass
    return status, text
