"""Static checks of the lessons: clean notebooks, one-line calls that name real bank entries, complete lessons."""
import ast
import json
from pathlib import Path

import pytest

from course.bank import lessons

MODULES = Path(__file__).resolve().parent.parent / "modules"
NOTEBOOKS = sorted(MODULES.glob("[0-9][0-9]_*.ipynb"))


def code_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"], nb


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def calls(path):
    """Return (function, args) for each call cell, parsed (never executed)."""
    out = []
    for cell in code_cells(path)[0][1:]:
        tree = ast.parse(source(cell))
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), f"{path.name}: one call per cell"
        call = tree.body[0].value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        out.append((call.func.id, [ast.literal_eval(a) for a in call.args]))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    cells, nb = code_cells(path)
    for cell in cells:
        assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} carries outputs"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_is_one_import_then_one_line_calls(path):
    cells, _ = code_cells(path)
    assert source(cells[0]).startswith("from widgets import "), "the first code cell is the one import line"
    imported = {n.strip() for n in source(cells[0]).split("import", 1)[1].split(",")}
    for cell in cells[1:]:
        assert "\n" not in source(cell).strip(), f"{path.name}: code cells are one line"
    for name, _ in calls(path):
        assert name in imported, f"{path.name} calls {name} without importing it"


def test_every_lesson_has_its_notebook_and_every_notebook_its_lesson():
    assert sorted(lesson.notebook for lesson in lessons()) == [p.name for p in NOTEBOOKS]
    assert [lesson.number for lesson in lessons()] == list(range(len(NOTEBOOKS)))


@pytest.mark.parametrize("lesson", lessons(), ids=lambda x: x.id)
def test_every_call_names_real_entries_and_every_entry_is_used(lesson):
    shown_q, shown_r = [], []
    for name, args in calls(MODULES / lesson.notebook):
        if name == "quiz":
            assert args[0] == lesson.id
            ids = args[1:] or [q.id for q in lesson.questions]
            shown_q += [lesson.question(i).id for i in ids]
        elif name == "reflection":
            assert args[0] == lesson.id
            shown_r.append(lesson.reflection(args[1]).id)
    assert sorted(shown_q) == sorted(q.id for q in lesson.questions), "each question shown exactly once"
    assert sorted(shown_r) == sorted(r.id for r in lesson.reflections), "each reflection shown exactly once"


@pytest.mark.parametrize("lesson", [x for x in lessons() if x.number > 0], ids=lambda x: x.id)
def test_lesson_meets_the_course_standard(lesson):
    types = {q.type for q in lesson.questions}
    assert len(lesson.questions) >= 5
    assert len(types) >= 3 and {"classify", "scenario"} <= types
    assert len(lesson.reflections) >= 2
    assert lesson.minutes <= 75, "one sitting at most; timing is checked against the estimate in test_timing.py"
    text = "".join(source(c) for c in json.loads((MODULES / lesson.notebook).read_text())["cells"])
    for heading in ("Objectives", "Summary", "Sources"):
        assert heading in text, f"{lesson.notebook} has no {heading}"


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)), ids=lambda i: NOTEBOOKS[i].name)
def test_lessons_link_to_their_neighbours(index):
    text = NOTEBOOKS[index].read_text()
    if index + 1 < len(NOTEBOOKS):
        assert f"]({NOTEBOOKS[index + 1].name})" in text
    if index > 0:
        assert f"]({NOTEBOOKS[index - 1].name})" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_reaches_the_network_or_installs(path):
    for cell in code_cells(path)[0]:
        code = source(cell)
        assert "http" not in code and "pip" not in code and not code.lstrip().startswith("!")


FACILITATOR = sorted((MODULES / "facilitator").glob("*.ipynb"))


def test_there_are_guides_for_both_formats():
    assert {p.name for p in FACILITATOR} >= {"half_day_workshop.ipynb", "six_sessions.ipynb"}


@pytest.mark.parametrize("path", FACILITATOR, ids=lambda p: p.name)
def test_facilitator_guides_are_clean_and_name_real_questions(path):
    from course.bank import lesson
    from course.guides import debrief_notes
    from course.kit import PAGES

    test_notebook_is_committed_clean(path)
    test_notebook_code_is_one_import_then_one_line_calls(path)
    used = calls(path)
    assert not [args for name, args in used if name in ("quiz", "instructor_mode")], \
        "a guide shows questions with debrief() and project(), never a learner's quiz"
    debriefs = [args for name, args in used if name == "debrief"]
    assert debriefs
    for lesson_id, question_id, guide in debriefs:
        assert guide == path.stem
        lesson(lesson_id).question(question_id)
        assert debrief_notes(lesson_id, question_id, guide) is not None, f"no trainer notes for {question_id}"
    projected = [(args[0], q) for name, args in used if name == "project" for q in args[1]]
    assert projected
    for lesson_id, question_id in projected:
        lesson(lesson_id).question(question_id)
    assert set(projected) <= {(lesson_id, q) for lesson_id, q, _ in debriefs}, \
        "every projected question has its debrief, with the trainer's notes, in the same guide"
    sheets = [args for name, args in used if name == "kit_sheet"]
    assert sheets and all(len(args) == 1 and args[0] in PAGES for args in sheets)
