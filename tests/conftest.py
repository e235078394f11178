from pathlib import Path

import pytest

from course.bank import load_file
from course.store import ProgressStore, reset_default_store

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def playwright():
    """Playwright for the browser tests of one test module (each drives Debian's Chromium, never a download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def store(tmp_path):
    s = ProgressStore(tmp_path / "progress.sqlite3")
    yield s
    s.close()


@pytest.fixture
def sample():
    return load_file(DATA / "sample.yaml")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(tmp_path / "learner-data"))
    reset_default_store()
    yield
    reset_default_store()


# Property tests keep no example database: nothing is written into the repository.
from hypothesis import settings  # noqa: E402

settings.register_profile("course", database=None)
settings.load_profile("course")


# -- running code as an ordinary learner ------------------------------------------------------------
# Permission rules (a read-only folder, a file no one may read, a private folder) mean nothing to root,
# and CI runs as root. So such tests run their code in a child process as an unprivileged user
# (`nobody` when the tests run as root, else the current user), in a folder that user owns, against
# a copy of this checkout's `course` that the user can read wherever the checkout lives.
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
from dataclasses import dataclass  # noqa: E402

_STDLIB_SKIP = ("site-packages", "dist-packages", "test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip",
                "lib2to3", "__pycache__", "config-*")


@dataclass
class _Account:
    uid: int | None  # None: run as the current (unprivileged) user
    gid: int | None


def _reachable_by_others(folder: Path) -> bool:
    """Tell whether every folder from / down to `folder` lets other users through (o+x)."""
    return all(p.stat().st_mode & 0o001 for p in [folder.resolve(), *folder.resolve().parents])


def _free_id(start: int = 61000) -> int:
    import grp
    import pwd

    n = start
    while True:
        try:
            pwd.getpwuid(n)
        except KeyError:
            try:
                grp.getgrgid(n)
            except KeyError:
                return n
        n += 1


class LearnerRuntime:
    """What an unprivileged child process needs: a readable copy of the code and a Python it may run."""

    def __init__(self):
        import pwd

        self.root = os.geteuid() == 0
        if self.root:
            try:
                nobody = pwd.getpwnam("nobody")
                self.learner = _Account(nobody.pw_uid, nobody.pw_gid)
            except KeyError:
                self.learner = _Account(65534, 65534)
            other = _free_id()
            self.other = _Account(other, other)
        else:
            self.learner = self.other = _Account(None, None)
        places = [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")]
        place = next((p for p in places if p.is_dir() and _reachable_by_others(p)), None)
        if place is None:
            self.base, self.problem = None, "no temporary folder that other users can reach"
            return
        self.base = Path(tempfile.mkdtemp(prefix="lead-manage-learner-", dir=place))
        self.base.chmod(0o755)
        self.code = self.base / "code"
        import course
        import platformdirs

        for package in (course, platformdirs):  # platformdirs: the store's default folder, as a learner gets it
            source = Path(package.__file__).parent
            shutil.copytree(source, self.code / source.name, ignore=shutil.ignore_patterns("__pycache__"))
        for path in [self.code, *self.code.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.count = 0
        self.python, self.env, self.problem = self._find_python()

    def _find_python(self) -> tuple[str | None, dict, str | None]:
        """Return the first interpreter the learner can run: ours, the same version elsewhere, or a copy of ours."""
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        candidates = [sys.executable, shutil.which(version), f"/usr/bin/{version}", f"/usr/local/bin/{version}"]
        tried = []
        for python in dict.fromkeys(c for c in candidates if c):
            tried.append(python)
            if Path(python).exists() and self._works(python, {}):
                return python, {}, None
        copied = self._copy_python(version)
        if copied and self._works(*copied):
            return (*copied, None)
        for python in dict.fromkeys(c for c in (shutil.which("python3"), "/usr/bin/python3") if c):
            if Path(python).exists() and self._works(python, {}):
                return python, {}, None
        return None, {}, f"no Python that the unprivileged user can run (tried {', '.join(tried)} and a copy)"

    def _copy_python(self, version: str) -> tuple[str, dict] | None:
        """Copy this interpreter and its standard library where the learner can read them (e.g. from a private /root)."""
        prefix = Path(sys.base_prefix)
        binary = Path(getattr(sys, "_base_executable", "") or prefix / "bin" / version).resolve()
        stdlib = prefix / "lib" / version
        if not binary.is_file() or not (stdlib / "os.py").is_file():
            return None
        home = self.base / "python"
        (home / "bin").mkdir(parents=True)
        shutil.copy2(binary, home / "bin" / version)
        shutil.copytree(stdlib, home / "lib" / version, ignore=shutil.ignore_patterns(*_STDLIB_SKIP), symlinks=True)
        for lib in (prefix / "lib").glob("libpython*.so*"):  # a shared-library build finds it by LD_LIBRARY_PATH
            shutil.copy2(lib, home / "lib" / lib.name)
        for path in [home, *home.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or path.parent.name == "bin" or ".so" in path.name else 0o644)
        return str(home / "bin" / version), {"PYTHONHOME": str(home), "LD_LIBRARY_PATH": str(home / "lib")}

    def _works(self, python: str, env: dict) -> bool:
        check = "import sqlite3, sys; print(sys.version_info >= (3, 10))"
        try:
            run = self.run([python, "-s", "-c", check], self.base, env, self.learner, timeout=60)
        except OSError:
            return False
        return run.returncode == 0 and run.stdout.strip() == "True"

    def run(self, cmd: list[str], cwd: Path, env: dict, account: _Account, timeout: float):
        extra = {} if account.uid is None else {"user": account.uid, "group": account.gid, "extra_groups": []}
        full_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
                    "PYTHONPATH": str(self.code), **env}
        return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
                              umask=0o022, **extra)

    def new_folder(self) -> Path:
        """Return a fresh folder the learner owns (others may pass through it, as with a home folder)."""
        self.count += 1
        folder = self.base / f"learner-{self.count}"
        folder.mkdir(mode=0o755)
        folder.chmod(0o755)
        if self.learner.uid is not None:
            os.chown(folder, self.learner.uid, self.learner.gid)
        return folder

    def cleanup(self) -> None:
        if self.base is None:
            return
        for top, folders, _ in os.walk(self.base):  # a failed test may leave a folder read-only or closed
            for name in folders:
                try:
                    os.chmod(os.path.join(top, name), 0o700)
                except OSError:
                    pass  # owned by someone else: only possible as root, who needs no permission to delete
        shutil.rmtree(self.base, ignore_errors=True)


class AsLearner:
    """Run Python code as an unprivileged learner; call it like a function, get a CompletedProcess.

    The code runs in `folder` (which the learner owns), with `folder` bound to its Path, HOME set to
    it and LEAD_MANAGE_DATA_DIR unset (pass `env` to set variables). `as_other=True` runs it as a
    second unprivileged user instead, to check what other people on a shared machine can see (only
    when the tests run as root: `runtime.root`; an ordinary user cannot become someone else).
    """

    def __init__(self, runtime: LearnerRuntime, folder: Path):
        self.runtime, self.folder = runtime, folder

    def __call__(self, code: str, env: dict | None = None, as_other: bool = False, timeout: float = 120):
        if as_other and not self.runtime.root:
            raise RuntimeError("only root can run code as a second user; check `runtime.root` first")
        prelude = f"import json, os, sys\nfrom pathlib import Path\nfolder = Path({str(self.folder)!r})\n"
        account = self.runtime.other if as_other else self.runtime.learner
        return self.runtime.run([self.runtime.python, "-s", "-c", prelude + textwrap.dedent(code)], self.folder,
                                {"HOME": str(self.folder), **self.runtime.env, **(env or {})}, account, timeout)

    def json(self, code: str, **kwargs):
        """Run the code and return the JSON it printed last; fail the test with its output if it failed."""
        run = self(code, **kwargs)
        assert run.returncode == 0, f"the learner's process failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
        return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def _learner_runtime():
    runtime = LearnerRuntime()
    yield runtime
    runtime.cleanup()


@pytest.fixture
def as_learner(_learner_runtime) -> AsLearner:
    """Run code as an unprivileged learner (as `nobody` when the tests run as root, as in CI)."""
    if _learner_runtime.problem:
        pytest.skip(f"cannot run code as an unprivileged user: {_learner_runtime.problem}")
    return AsLearner(_learner_runtime, _learner_runtime.new_folder())
