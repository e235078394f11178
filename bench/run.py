"""Benchmark the course against baselines measured in the same run; print ratios and targets.

    .venv/bin/python bench/run.py [--repeat N] [--skip-browser] [--skip-install] [--only MEASURE ...]

1. Kernel memory (RSS) after running lesson 01 / a notebook that only shows one ipywidgets button.
   And a learner's walk: five lessons opened in turn in a real Jupyter Server with the course's idle-kernel
   settings (.jupyter/jupyter_server_config.py, a short timeout here), the memory of the kernels left / one
   lesson's kernel.
2. `import course, widgets` time, and the first quiz() built (imports included) / `import ipywidgets`
   time, in fresh interpreters that keep compiled bytecode as an installed package has it.
3. Click-to-feedback in JupyterLab (measured inside the page): a Quiz Check / a bare button that sets a label.
4. Executing every lesson headless / as many trivial notebooks.
5. Class results for 2,000 exports / reading and json-parsing the same files (and 2,000 / 200 exports).
6. JupyterLab page load to the first interactive quiz (lesson 01) / a one-widget notebook.
7. Install size of the course environment / jupyterlab + ipywidgets alone.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RSS_CELL = "print(int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]))"
BARE_NOTEBOOK = ["import ipywidgets as W", "W.Button(description='Go')"]


def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(LEAD_MANAGE_DATA_DIR=str(tmp / "data"), IPYTHONDIR=str(tmp / "ipython"),
               MPLCONFIGDIR=str(tmp / "mpl"), JUPYTER_DATA_DIR=str(tmp / "jdata"))
    return env


def kernel_rss_kib(cells: list[str], cwd: Path) -> int:
    """Run cells in a fresh kernel and return its resident memory afterwards, in KiB."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells + [RSS_CELL]]
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return int(nb.cells[-1].outputs[-1]["text"].strip())


def lesson_cells(notebook: str) -> list[str]:
    nb = json.loads((ROOT / "modules" / notebook).read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def import_seconds(statement: str, env: dict | None = None) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                env=env).stdout)


def bytecode_env(tmp: Path) -> dict:
    """Return an environment whose interpreters write and reuse compiled bytecode, in a folder of their own.

    A learner's kernel imports from .pyc files (pip compiles a package when it installs it; a checkout gets
    __pycache__ on first use). Where PYTHONDONTWRITEBYTECODE is set, every run would compile the course
    from source while ipywidgets' .pyc files came with its install, which is not the comparison a learner sees.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def median_pair(a, b, repeat):
    """Measure a and b alternately (so drift hits both) and return their medians."""
    xs, ys = [], []
    for _ in range(repeat):
        xs.append(a())
        ys.append(b())
    return statistics.median(xs), statistics.median(ys)


CLICK_JS = """async ([buttonSel, watchSel]) => {
  const button = document.querySelector(buttonSel);
  const watch = document.querySelector(watchSel);
  const before = watch.textContent;
  return await new Promise((resolve, reject) => {
    const start = performance.now();
    const obs = new MutationObserver(() => {
      if (watch.textContent !== before) { obs.disconnect(); resolve(performance.now() - start); }
    });
    obs.observe(watch, {childList: true, subtree: true, characterData: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('no feedback within 10 s')); }, 10000);
    button.click();
  });
}"""


def click_times(repeat: int) -> tuple[float, float]:
    """Return median click-to-feedback (ms) for a Quiz and for a bare button, in JupyterLab."""
    import nbformat
    from playwright.sync_api import sync_playwright

    from course.bank import lesson
    from tests.jupyterlab import Lab, chromium_context, menu, open_notebook

    work = Path(tempfile.mkdtemp(prefix="lm-bench-"))
    lab = Lab(work)
    question = lesson("two-words").questions[0]
    wrong = next(c.text for c in question.choices if not c.correct)
    right = next(c.text for c in question.choices if c.correct)
    notebooks = {
        "bench_quiz.ipynb": ["from widgets import quiz", f'quiz("two-words", "{question.id}")'],
        "bench_bare.ipynb": ["import ipywidgets as W\nn = [0]\nlabel = W.Label('none')\nbutton = W.Button(description='Go')\n"
                             "def on_click(_):\n    n[0] += 1\n    label.value = f'clicked {n[0]}'\n"
                             "button.on_click(on_click)\nW.VBox([button, label])"],
    }
    for name, cells in notebooks.items():
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                                               "language": "python"}})
        nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
        nbformat.write(nb, lab.root / "modules" / name)
    results = {}
    try:
        with sync_playwright() as p:
            context = chromium_context(p, work / "profile")
            for name in notebooks:
                page = context.new_page()
                open_notebook(page, lab, name)
                menu(page, "Run", "runmenu:run-all")
                times = []
                if name == "bench_quiz.ipynb":
                    view = page.locator(".lm-question").first
                    view.wait_for(timeout=60_000)
                    for i in range(repeat):
                        view.get_by_role("radio", name=wrong if i % 2 == 0 else right, exact=True).check()
                        page.wait_for_timeout(300)  # let the choice reach the kernel first
                        times.append(page.evaluate(CLICK_JS, [".lm-question .jp-mod-styled.widget-button.mod-primary, "
                                                              ".lm-question button.mod-primary", ".lm-question"]))
                else:
                    page.get_by_text("none").wait_for(timeout=60_000)
                    for _ in range(repeat):
                        page.wait_for_timeout(100)
                        times.append(page.evaluate(CLICK_JS, [".jp-OutputArea button.widget-button",
                                                              ".jp-OutputArea .widget-label"]))
                results[name] = statistics.median(times)
                page.close()
            context.close()
    finally:
        lab.stop()
    return results["bench_quiz.ipynb"], results["bench_bare.ipynb"]


CLASS_SIZE = 2000


def class_results_rows(repeat: int) -> list[tuple]:
    """Class results for a folder of 2,000 synthetic exports / reading and json-parsing the same files.

    Both are timed alternately in this run, so a busy machine slows both. Class results here is
    `class_results_from_folder`: size check, parse, schema check, de-duplication and every table.
    """
    from course.class_results import class_results_from_folder
    from course.demo_class import synthetic_export

    work = Path(tempfile.mkdtemp(prefix="lm-bench-class-"))
    folders = {n: work / f"class-{n}" for n in (CLASS_SIZE // 10, CLASS_SIZE)}
    for folder in folders.values():
        folder.mkdir()
    for i in range(CLASS_SIZE):  # written as the course writes exports
        text = json.dumps(synthetic_export(f"Learner {i}", seed=i), ensure_ascii=False, indent=1)
        for n, folder in folders.items():
            if i < n:
                (folder / f"learner-{i:04d}.json").write_text(text, encoding="utf-8")

    def parse_only(folder: Path) -> float:
        start = time.perf_counter()
        for path in sorted(folder.iterdir()):
            json.loads(path.read_bytes())
        return time.perf_counter() - start

    def class_results(folder: Path) -> float:
        return _time(lambda: class_results_from_folder(folder))

    class_results(folders[CLASS_SIZE // 10])  # warm up imports (pandas, the bank, the schema) outside the timing
    big, small = folders[CLASS_SIZE], folders[CLASS_SIZE // 10]
    ours, base = median_pair(lambda: class_results(big), lambda: parse_only(big), max(3, repeat))
    tenth = statistics.median(class_results(small) for _ in range(max(3, repeat)))
    return [
        (f"class results / parse-only: {CLASS_SIZE:,} exports", f"{ours:.2f} / {base:.2f} s", ours / base, 5.0),
        (f"  class results: {CLASS_SIZE:,} / {CLASS_SIZE // 10:,} exports", f"{ours:.2f} / {tenth:.2f} s", ours / tenth, 12),
    ]


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def execute_seconds(cells: list[str], cwd: Path) -> float:
    """Run cells in a fresh kernel (start included) and return the wall time."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - start


def whole_course_rows(repeat: int) -> list[tuple]:
    """Executing every lesson headless against as many trivial notebooks (kernel start is the floor).

    Each lesson is timed next to a trivial notebook, alternately, and the medians are summed, so a slow
    kernel start on a busy machine does not land on one side only.
    """
    lessons = sorted(p.name for p in (ROOT / "modules").glob("[0-9][0-9]_*.ipynb"))
    ours = base = 0.0
    for name in lessons:
        a, b = median_pair(lambda: execute_seconds(lesson_cells(name), ROOT / "modules"),
                           lambda: execute_seconds(["print(1)"], ROOT / "modules"), max(3, repeat // 2))
        ours, base = ours + a, base + b
    return [(f"execute all {len(lessons)} lessons / {len(lessons)} trivial notebooks", f"{ours:.1f} / {base:.1f} s",
             ours / base, 1.5)]


def page_load_rows(repeat: int) -> list[tuple]:
    """JupyterLab: from navigation to the first interactive quiz (lesson 01) vs a one-widget notebook."""
    import nbformat
    from playwright.sync_api import sync_playwright

    from tests.jupyterlab import Lab, chromium_context, menu, open_notebook

    work = Path(tempfile.mkdtemp(prefix="lm-bench-"))
    lab = Lab(work, render_all_cells=False)  # JupyterLab as a learner has it
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as W\nW.Button(description='Go')")]
    nbformat.write(nb, lab.root / "modules" / "bench_trivial.ipynb")
    targets = {"01_two_words.ipynb": ".lm-question input[type=radio]",
               "bench_trivial.ipynb": ".jp-OutputArea button.widget-button"}
    times: dict[str, list[float]] = {name: [] for name in targets}
    try:
        with sync_playwright() as p:
            context = chromium_context(p, work / "profile")
            for i in range(max(3, repeat)):
                for name, selector in targets.items():
                    page = context.new_page()
                    open_notebook(page, lab, name, workspace=f"bench-{i}-{name[:-6].replace('_', '-')}")
                    menu(page, "Run", "runmenu:run-all")
                    page.wait_for_function(f"() => {{ const e = document.querySelector({json.dumps(selector)}); "
                                           "if (e && !e.disabled) { window.__ready = window.__ready || performance.now(); "
                                           "return true; } return false; }", polling="raf", timeout=120_000)
                    times[name].append(page.evaluate("() => window.__ready") / 1000)
                    page.close()
                    for kernel in json.loads(_get(f"{lab.base}/api/kernels", lab.token)):
                        _delete(f"{lab.base}/api/kernels/{kernel['id']}", lab.token)
            context.close()
    finally:
        lab.stop()
    ours, base = statistics.median(times["01_two_words.ipynb"]), statistics.median(times["bench_trivial.ipynb"])
    return [("page load to first interactive quiz: lesson 01 / one-widget notebook", f"{ours:.1f} / {base:.1f} s",
             ours / base, 1.2)]


def _get(url: str, token: str) -> str:
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def _delete(url: str, token: str) -> None:
    import urllib.request

    request = urllib.request.Request(url, method="DELETE", headers={"Authorization": f"token {token}"})
    urllib.request.urlopen(request, timeout=10).close()


def install_size_rows() -> list[tuple]:
    """Size on disk of the course's environment against one with only jupyterlab and ipywidgets."""
    def build(target: Path, *packages: str) -> int:
        subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
        subprocess.run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", *packages],
                       check=True, capture_output=True)
        return sum(f.stat().st_size for f in target.rglob("*") if f.is_file() and not f.is_symlink())

    work = Path(tempfile.mkdtemp(prefix="lm-bench-venv-"))
    ours = build(work / "course", str(ROOT))
    base = build(work / "base", "jupyterlab>=4,<5", "ipywidgets>=8,<9")
    return [("install size: course environment / jupyterlab + ipywidgets", f"{ours / 2**20:.0f} / {base / 2**20:.0f} MiB",
             ours / base, None)]


NOTES: list[str] = []  # printed under the table
WALK = ("01_two_words.ipynb", "02_frameworks.ipynb", "03_vision_and_goals.ipynb", "04_change_and_stability.ipynb",
        "05_time_horizon.ipynb")
WALK_TIMEOUT, WALK_INTERVAL = 10, 2  # seconds: the idle timeout and culling interval this bench sets


def course_culling() -> tuple[int, int, bool]:
    """Return the idle timeout, culling interval and cull-connected setting that ./start.sh gives the server."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("jupyter_server_config.py", path=str(ROOT / ".jupyter")).load_config()
    manager = config.MappingKernelManager
    return manager.cull_idle_timeout, manager.cull_interval, manager.cull_connected


def kernel_pids() -> dict[str, int]:
    """Map each running kernel's id to its process id (from the connection file on its command line)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for arg in args:
            name = Path(arg.decode(errors="replace")).name
            if name.startswith("kernel-") and name.endswith(".json"):
                found[name[len("kernel-"):-len(".json")]] = int(proc.name)
    return found


def rss_kib(pid: int) -> int:
    return int((Path("/proc") / str(pid) / "status").read_text().split("VmRSS:")[1].split()[0])


class KernelTab:
    """One notebook open in JupyterLab: a session for its path and a websocket to its kernel, kept open."""

    def __init__(self, base: str, token: str, path: str):
        self.base, self.token, self.path = base, token, path
        self.session = os.urandom(16).hex()
        self.kernel_id = ""
        self.ws = None

    async def open(self) -> None:
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        body = json.dumps({"path": self.path, "type": "notebook", "name": Path(self.path).name,
                           "kernel": {"name": "python3"}})
        response = await AsyncHTTPClient().fetch(HTTPRequest(f"{self.base}/api/sessions", method="POST", body=body,
                                                             headers=self._headers(), request_timeout=120))
        self.kernel_id = json.loads(response.body)["kernel"]["id"]
        url = f"{self.base.replace('http', 'ws', 1)}/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        self.ws = await websocket_connect(HTTPRequest(url, headers=self._headers()))

    def _headers(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    async def run(self, code: str) -> None:
        """Run one cell as JupyterLab does (execute_request on the shell channel) and wait until it is done."""
        import asyncio
        import uuid
        from datetime import datetime, timezone

        msg_id = uuid.uuid4().hex
        await self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "learner", "session": self.session,
                       "date": datetime.now(timezone.utc).isoformat(), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        replied = idle = False
        while not (replied and idle):
            raw = await asyncio.wait_for(self.ws.read_message(), timeout=300)
            if raw is None:
                raise RuntimeError(f"{self.path}: the kernel's websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "execute_reply":
                if msg["content"]["status"] != "ok":
                    raise RuntimeError(f"{self.path}: {msg['content'].get('evalue', msg['content'])}")
                replied = True
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True


def lesson_walk_rows() -> list[tuple]:
    """Open five lessons in turn, as "Next →" does, in a Jupyter Server with the course's culling settings.

    Each lesson gets a session and a websocket and runs every code cell; the learner then closes its tab (as
    each lesson's last line asks) without shutting its kernel down, and opens the next. The learner then works on in the fifth lesson (a cell every 2 s) while the server stops the idle
    kernels; the memory of the kernels left is compared with one lesson's kernel (the median of the five,
    measured right after each lesson ran).
    """
    import asyncio
    import secrets
    import shutil

    from tests.jupyterlab import free_port

    timeout, interval, connected = course_culling()
    work = Path(tempfile.mkdtemp(prefix="lm-bench-walk-"))
    shutil.copytree(ROOT / "modules", work / "root" / "modules", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = _env(work)
    for var, name in {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_RUNTIME_DIR": "runtime"}.items():
        (work / name).mkdir()
        env[var] = str(work / name)
    env["JUPYTER_CONFIG_PATH"] = str(ROOT / ".jupyter")  # as ./start.sh sets it
    env.pop("JUPYTER_TOKEN", None)
    token, port = secrets.token_hex(16), free_port()
    cmd = [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work / 'root'}",
           f"--MappingKernelManager.cull_idle_timeout={WALK_TIMEOUT}",
           f"--MappingKernelManager.cull_interval={WALK_INTERVAL}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(work / "server.log", "wb")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"

    async def walk() -> tuple[list[int], list[int]]:
        tabs, each = [], []
        for notebook in WALK:
            tab = KernelTab(base, token, f"modules/{notebook}")
            await tab.open()
            for cell in lesson_cells(notebook):
                await tab.run(cell)
            await tab.run("import gc; gc.collect()")
            each.append(rss_kib(kernel_pids()[tab.kernel_id]))
            tabs.append(tab)
            if notebook != WALK[-1]:  # the lesson's last line asks the learner to close it before the next
                tab.ws.close()
        deadline = time.monotonic() + WALK_TIMEOUT + 3 * WALK_INTERVAL + 30
        while time.monotonic() < deadline:  # the learner works on in the last lesson
            await tabs[-1].run("1")
            running = json.loads(_get(f"{base}/api/kernels", token))
            if len(running) <= 1:
                break
            await asyncio.sleep(2)
        pids = kernel_pids()
        left = [rss_kib(pids[k["id"]]) for k in json.loads(_get(f"{base}/api/kernels", token)) if k["id"] in pids]
        for tab in tabs:
            tab.ws.close()
        return each, left

    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/api/status", token)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((work / "server.log").read_text()[-3000:])
                time.sleep(0.2)
        each, left = asyncio.run(walk())
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    one = statistics.median(each)
    NOTES.append(f"Idle kernels: ./start.sh stops a kernel after {timeout} s without activity (checked every {interval} s, "
                 f"{'open notebooks included' if connected else 'open notebooks spared'}); the five-lesson walk here "
                 f"uses {WALK_TIMEOUT} s, checked every {WALK_INTERVAL} s.")
    return [
        ("five lessons opened in turn: kernels left / one lesson kernel",
         f"{sum(left) / 1024:.0f} / {one / 1024:.0f} MiB", sum(left) / one, 1.5),
        ("  the same five, no kernel stopped / one lesson kernel",
         f"{sum(each) / 1024:.0f} / {one / 1024:.0f} MiB", sum(each) / one, None),
    ]


MEASURES = ("memory", "import", "lessons", "class-results", "browser", "install")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-install", action="store_true", help="skip building two venvs to compare install size")
    parser.add_argument("--only", action="append", choices=MEASURES, help="run only these measures (repeatable)")
    args = parser.parse_args()
    chosen = set(args.only or MEASURES)
    if args.skip_browser:
        chosen.discard("browser")
    if args.skip_install:
        chosen.discard("install")
    tmp = Path(tempfile.mkdtemp(prefix="lm-bench-"))
    os.environ.update(_env(tmp))
    rows = []

    if "memory" in chosen:
        lesson_kib, bare_kib = median_pair(lambda: kernel_rss_kib(lesson_cells("01_two_words.ipynb"), ROOT / "modules"),
                                           lambda: kernel_rss_kib(BARE_NOTEBOOK, ROOT / "modules"), max(3, args.repeat // 2))
        rows.append(("kernel RSS: lesson 01 / ipywidgets only", f"{lesson_kib / 1024:.0f} / {bare_kib / 1024:.0f} MiB",
                     lesson_kib / bare_kib, 1.15))
        for notebook in sorted(p.name for p in (ROOT / "modules").glob("[0-9][0-9]_*.ipynb")):
            kib = kernel_rss_kib(lesson_cells(notebook), ROOT / "modules")
            rows.append((f"  kernel RSS: {notebook} / ipywidgets only", f"{kib / 1024:.0f} MiB", kib / bare_kib,
                         None if notebook.startswith("12_") else 1.15))
        rows += lesson_walk_rows()

    if "import" in chosen:
        env = bytecode_env(tmp)
        first_quiz = "from widgets import quiz; quiz('two-words')"
        for statement in ("import ipywidgets", "import course, widgets", first_quiz):
            import_seconds(statement, env)  # compile once, as an install does
        ours, base = median_pair(lambda: import_seconds("import course, widgets", env),
                                 lambda: import_seconds("import ipywidgets", env), max(7, args.repeat))
        rows.append(("import course, widgets / import ipywidgets", f"{ours * 1000:.1f} / {base * 1000:.0f} ms",
                     ours / base, 1.2))
        first, base = median_pair(lambda: import_seconds(first_quiz, env),
                                  lambda: import_seconds("import ipywidgets", env), max(9, args.repeat))
        rows.append(("first quiz() built (imports included) / import ipywidgets",
                     f"{first * 1000:.0f} / {base * 1000:.0f} ms", first / base, 1.5))

    if "lessons" in chosen:
        rows += whole_course_rows(args.repeat)
    if "class-results" in chosen:
        rows += class_results_rows(args.repeat)

    if "browser" in chosen:
        quiz_ms, bare_ms = click_times(max(10, args.repeat * 2))
        rows.append(("click to feedback: Quiz / bare button (in page)", f"{quiz_ms:.0f} / {bare_ms:.0f} ms",
                     quiz_ms / bare_ms, 1.5))
        rows += page_load_rows(args.repeat)
    if "install" in chosen:
        rows += install_size_rows()

    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'figures':>18}  ratio  target  ok")
    failed = 0
    for label, figures, ratio, target in rows:
        ok = "" if target is None else ("yes" if ratio <= target else "NO")
        failed += ok == "NO"
        print(f"{label.ljust(width)}  {figures:>18}  {ratio:5.2f}  {'' if target is None else f'≤{target}':>6}  {ok}")
    for note in NOTES:
        print(note)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
