"""Running a lesson's cells again replaces their views: nothing old stays alive, listens or loses words."""
import ast
import json
import os
import sys
from pathlib import Path

import ipywidgets
import pytest
from ipywidgets.widgets.widget import _instances as LIVE_WIDGETS  # Widget.widgets, without its deprecation warning

import widgets
from course.store import default_store

MODULES = Path(__file__).resolve().parent.parent / "modules"
CAPSTONE = MODULES / "13_capstone_plan.ipynb"  # review, quizzes, plan, reflections, progress, download, post-test
PROFILE = MODULES / "12_self_assessment.ipynb"  # review, self-assessment, the profile (a store listener), quizzes
START = MODULES / "00_start_here.ipynb"  # download (a store listener) and upload panels, self-assessment, quizzes
RUNS = 5


@pytest.fixture(autouse=True)
def no_views_from_other_tests():
    widgets.close_views()
    yield
    widgets.close_views()


def code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def run_lesson(path: Path, namespace: dict, out: list) -> list:
    """Run every code cell in one namespace as a kernel does; return what the cells showed.

    Like IPython's `Out`, `out` keeps every shown value alive, so an old view that still listens
    to the store is still counted.
    """
    shown = []
    for code in code_cells(path):
        tree = ast.parse(code)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, path.name, "exec"), namespace)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), path.name, "eval"), namespace))
    out.extend(shown)
    return shown


def held(values) -> int:
    """Count the widgets reachable from `values`: children, layouts and styles included."""
    seen, stack = set(), [v for v in values if isinstance(v, ipywidgets.Widget)]
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        for name in widget.keys:
            value = getattr(widget, name)
            stack += [v for v in (value if isinstance(value, (list, tuple)) else [value]) if isinstance(v, ipywidgets.Widget)]
    return len(seen)


@pytest.mark.parametrize("path", [CAPSTONE, PROFILE, START], ids=lambda p: p.name)
def test_running_a_lesson_again_leaves_only_the_views_on_the_page_alive(path):
    namespace, out, spare = {}, [], []
    for _ in range(RUNS):
        shown = run_lesson(path, namespace, out)
        # The review draws other questions each run, so a run's own count varies; what is alive
        # beyond the views now on the page must not grow.
        spare.append(len(LIVE_WIDGETS) - held(shown))
    assert held(shown) > 300, "the lesson's views are counted"
    assert spare == [spare[0]] * RUNS


@pytest.mark.parametrize("path", [CAPSTONE, PROFILE, START], ids=lambda p: p.name)
def test_running_a_lesson_again_leaves_one_store_listener_per_view(path):
    namespace, out, listeners = {}, [], []
    for _ in range(RUNS):
        run_lesson(path, namespace, out)
        listeners.append(default_store().listener_count)
    assert listeners[0] >= 1
    assert listeners == [listeners[0]] * RUNS


def test_a_replaced_view_is_closed_with_every_widget_inside_it():
    first = widgets.action_plan()
    inside = [first.checklist, first.download_button, first.download_button.layout, first.download_button.style,
              *[box.area for box in first.boxes.values()], *[box.area.layout for box in first.boxes.values()]]
    again = widgets.action_plan()
    assert first.comm is None and all(w.comm is None for w in inside)
    assert again.comm is not None and again.checklist.comm is not None
    alive = {id(w) for w in LIVE_WIDGETS.values()}
    assert not any(id(w) in alive for w in inside)


def test_other_calls_keep_their_views():
    first = widgets.reflection("capstone-plan", "sharpen-both")
    other = widgets.reflection("capstone-plan", "what-changed")
    quiz = widgets.quiz("capstone-plan", "vague-to-specific")
    assert first.comm is not None and other.comm is not None and quiz.comm is not None
    widgets.close_views()
    assert first.comm is None and other.comm is None and quiz.comm is None


def test_words_waiting_to_be_saved_are_stored_when_their_cell_runs_again():
    box = widgets.reflection("capstone-plan", "sharpen-both")
    box.debounce = box.max_wait = 60.0  # still waiting when the cell runs again
    box.area.value = "Ask the <b>team</b> what they need first."
    assert box.pending and default_store().reflection("capstone-plan", "sharpen-both") is None
    again = widgets.reflection("capstone-plan", "sharpen-both")
    assert default_store().reflection("capstone-plan", "sharpen-both").text == "Ask the <b>team</b> what they need first."
    assert again.area.value == "Ask the <b>team</b> what they need first." and not again.pending
    assert box.comm is None


def test_plan_fields_waiting_to_be_saved_are_stored_when_the_plan_runs_again():
    plan = widgets.action_plan()
    waiting = {}
    for n, (field, box) in enumerate(plan.boxes.items()):
        box.debounce = box.max_wait = 60.0
        box.area.value = waiting[field] = f"Field {n}: still typing"
    assert all(box.pending for box in plan.boxes.values())
    again = widgets.action_plan()
    assert {field: box.area.value for field, box in again.boxes.items()} == waiting
    assert not any(box.pending for box in again.boxes.values())
    assert plan.comm is None


def test_words_that_cannot_be_stored_on_a_rerun_move_to_the_new_box(monkeypatch):
    store = default_store()
    box = widgets.reflection("capstone-plan", "sharpen-both")
    box.debounce = box.max_wait = 60.0
    box.area.value = "Words the disk refused"

    def refuse(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(store, "save_reflection", refuse)
    again = widgets.reflection("capstone-plan", "sharpen-both")
    assert box.comm is None
    assert again.area.value == "Words the disk refused" and again.pending
    monkeypatch.undo()
    assert again.flush()
    assert store.reflection("capstone-plan", "sharpen-both").text == "Words the disk refused"


# -- in a real kernel, with the cell ids JupyterLab sends ----------------------------------------
def _kernel(tmp_path):
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, LEAD_MANAGE_DATA_DIR=str(tmp_path / "kernel-data"), MPLBACKEND="Agg",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path), startup_timeout=60)


def _run(kc, code: str, cell_id: str, **expressions) -> tuple[int, dict]:
    """Run `code` as JupyterLab runs a cell, its id in the request's metadata; return its count and the expressions."""
    content = {"code": code, "silent": False, "store_history": True, "allow_stdin": False, "stop_on_error": True,
               "user_expressions": expressions}
    msg = kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
    kc.shell_channel.send(msg)
    while True:
        reply = kc.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            break
    assert reply["content"]["status"] == "ok", reply["content"]
    values = {k: ast.literal_eval(v["data"]["text/plain"]) for k, v in reply["content"]["user_expressions"].items()}
    return reply["content"]["execution_count"], values


HELD_IN_KERNEL = """
import ipywidgets
from ipywidgets.widgets.widget import _instances
from course.store import default_store

def held(values):
    seen, stack = set(), [v for v in values if isinstance(v, ipywidgets.Widget)]
    while stack:
        widget = stack.pop()
        if id(widget) not in seen:
            seen.add(id(widget))
            for name in widget.keys:
                value = getattr(widget, name)
                stack += [v for v in (value if isinstance(value, (list, tuple)) else [value]) if isinstance(v, ipywidgets.Widget)]
    return len(seen)
"""


def test_in_a_kernel_a_cell_run_again_replaces_all_it_showed_and_only_that(tmp_path):
    km, kc = _kernel(tmp_path)
    try:
        _run(kc, HELD_IN_KERNEL, "probe-setup")
        cells = json.loads(PROFILE.read_text(encoding="utf-8"))["cells"]
        code = [(c["id"], "".join(c["source"])) for c in cells if c["cell_type"] == "code"]
        counts = []
        for _ in range(RUNS):
            shown = [_run(kc, source, cell_id)[0] for cell_id, source in code]
            # One cell showing two views keeps both; running it again replaces both.
            _run(kc, 'pair = (quiz("two-words", "define-managing"), reflection("two-words", "my-own-mix"))', "pair-cell")
            counts.append(_run(kc, "pass", "probe", pair="[v.comm is not None for v in pair]",
                               listeners="default_store().listener_count",
                               boxes="len(__import__('widgets.reflection_view', fromlist=['_LIVE'])._LIVE)",
                               spare=f"len(_instances) - held([Out.get(n) for n in {shown}] + list(pair))")[1])
        assert counts[0]["pair"] == [True, True]
        assert counts == [counts[0]] * RUNS
        # The profile redraws when ratings change; each reflection box on the page updates its saving status.
        assert counts[0]["listeners"] == 1 + counts[0]["boxes"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_refreshing_the_progress_view_closes_the_rows_it_replaces(sample, store):
    import ipywidgets
    from ipywidgets.widgets.widget import _instances

    from widgets.course_views import Progress

    view = Progress((sample,), store)
    view.refresh()
    before = len(_instances)
    for _ in range(5):
        view.refresh()
    assert len(_instances) == before
    assert all(isinstance(row, ipywidgets.HBox) and row.comm is not None for row in view.rows.children)
