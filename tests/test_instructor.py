"""Instructor mode, class results from untrusted submissions, and the HTML report."""
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import widgets
from course.class_results import (Submission, aggregate, class_results_from_folder, demo_class, load_folder,
                                  read_submission, report_html)
from course.demo_class import synthetic_export
from course.exchange import MAX_BYTES, ExportError, export_json
from course.store import ProgressStore


@pytest.fixture(autouse=True)
def instructor_off(monkeypatch):
    monkeypatch.delenv("LEAD_MANAGE_INSTRUCTOR", raising=False)
    monkeypatch.setattr(widgets, "_instructor", None)


def first_quiz():
    from course.bank import lessons

    lesson = lessons()[1]
    return widgets.quiz(lesson.id), lesson


def test_learner_mode_never_shows_keys():
    quiz, _ = first_quiz()
    for view in quiz.views:
        assert not hasattr(view, "reveal") and not hasattr(view, "key"), "no key is even sent to a learner's page"
        assert "answer key" not in repr(view._repr_mimebundle_()).lower()
    assert "answer key" not in quiz.children[0].value.lower()


def test_instructor_mode_by_call_reveals_key_and_explanations_and_saves_nothing(store):
    widgets.instructor_mode()
    quiz, lesson = first_quiz()
    view = quiz.views[0]
    question = lesson.questions[0]
    assert "Instructor mode" in quiz.children[0].value and view.key.value == ""
    view.reveal.value = True
    keyed = [c.text for c in question.choices if c.correct] or [s.text for s in question.statements]
    assert keyed[0].replace("'", "&#x27;") in view.key.value
    for part in (question.choices or question.statements):  # the room hears why each option is right or wrong
        assert part.feedback.replace("'", "&#x27;") in view.key.value
    assert question.discussion, "the first question has a trainer-only note"
    assert question.discussion.replace("'", "&#x27;") not in view.key.value and "Discussion" not in view.key.value
    assert view.trainer_notes.value is False and view.trainer_text.value == ""
    view.reveal.value = False
    assert view.key.value == ""
    before = widgets._store().counts()
    view.set_answer(question.keyed[0] if question.choices else [s.label for s in question.statements])
    view.check_button.click()
    assert widgets._store().counts() == before, "instructor mode changes no learner data"
    widgets.instructor_mode(False)
    assert not hasattr(first_quiz()[0].views[0], "reveal")


def test_instructor_mode_by_environment(monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_INSTRUCTOR", "1")
    assert first_quiz()[0].views[0].reveal.description == "Reveal answer"


def write_exports(folder, count=3):
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"learner-{i}.json").write_text(json.dumps(synthetic_export(f"Person {i}", seed=i)))


def test_every_rejection_reason_is_listed_and_the_rest_aggregate(tmp_path):
    folder = tmp_path / "class"
    write_exports(folder, 2)
    (folder / "broken.json").write_text("{not json")
    (folder / "old-version.json").write_text(json.dumps({"format": "lead-manage-export", "version": 0}))
    (folder / "foreign.json").write_text(json.dumps({"name": "something else"}))
    (folder / "huge.json").write_bytes(b" " * (MAX_BYTES + 1))
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 10)
    older = synthetic_export("Person 0", seed=99)
    older["exported_at"] = "2000-01-01T00:00:00+00:00"
    (folder / "person0-early.json").write_text(json.dumps(older))
    accepted, skipped = load_folder(folder)
    reasons = {s.source: s.reason for s in skipped}
    assert [s.learner for s in accepted] == ["Person 0", "Person 1"]
    assert "not valid JSON" in reasons["broken.json"]
    assert "version 0 is not supported" in reasons["old-version.json"]
    assert "not a Lead & Manage export" in reasons["foreign.json"]
    assert "at most" in reasons["huge.json"]
    assert "not UTF-8" in reasons["junk.bin"]
    assert "older export of the same learner" in reasons["person0-early.json"]
    results = class_results_from_folder(folder)
    assert results.learners == 2 and len(results.skipped) == 6
    assert set(results.roster["learner"]) == {"Learner 01", "Learner 02"}, "names are pseudonymised by default"
    assert set(class_results_from_folder(folder, names=True).roster["learner"]) == {"Person 0", "Person 1"}


def test_tables_count_what_learners_did(tmp_path):
    from course.bank import lessons

    lesson = lessons()[1]
    q = next(q for q in lesson.questions if q.type == "single")
    wrong = next(i for i, c in enumerate(q.choices) if not c.correct)
    stores = []
    for name, answers in (("Ann", [wrong, q.keyed[0]]), ("Bo", [q.keyed[0]]), ("Cy", [wrong])):
        store = ProgressStore(tmp_path / f"{name}.sqlite3")
        for answer in answers:
            store.record_attempt(lesson.id, q.id, answer, answer in q.keyed, 1.0 if answer in q.keyed else 0.0)
        store.save_reflection(lesson.id, lesson.reflections[0].id, "one two three")
        stores.append((name, store))
    subs = [read_submission(f"{n}.json", export_json(s, n).encode()) for n, s in stores]
    results = aggregate(subs)
    row = results.questions[results.questions["question"] == q.id].iloc[0]
    assert row["answered"] == 3
    assert row["first try correct"] == pytest.approx(1 / 3)
    assert row["correct in the end"] == pytest.approx(2 / 3)
    assert row["most common wrong answer"] == q.choices[wrong].text and row["times chosen"] == 2
    refl = results.reflections[results.reflections["reflection"] == lesson.reflections[0].id].iloc[0]
    assert refl["learners who wrote"] == 3 and refl["median words"] == 3


def test_learner_text_is_escaped_in_the_report_and_the_view(tmp_path):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    export = synthetic_export(evil, seed=3)
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "evil<b>.json").write_text(json.dumps(export))
    (folder / "bad<i>name.json").write_text("<script>alert(2)</script>")
    html = report_html(class_results_from_folder(folder, names=True), names=True)
    assert "<script>alert" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;" in html
    view = widgets.class_results(str(folder), names=True)
    shown = "".join(getattr(c, "value", "") if isinstance(getattr(c, "value", ""), str) else "" for c in view.children)
    shown += "".join(c.value for c in view.children[-2].children)
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_report_command_writes_a_self_contained_file(tmp_path):
    folder = tmp_path / "class"
    write_exports(folder, 3)
    (folder / "broken.json").write_text("nope")
    out = tmp_path / "report.html"
    run = subprocess.run([sys.executable, "-m", "course", "report", str(folder), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "3 learners, 1 files skipped" in run.stdout and "broken.json" not in run.stdout and "file 1" in run.stdout
    html = out.read_text()
    assert html.count("data:image/png;base64,") >= 1 and "broken.json" not in html and "Person 0" not in html
    assert "Only questions answered by at least 5 people are ranked" in html, "three learners rank no question"
    assert "Hardest questions" not in html and html.index("class debrief") < html.index("Question by question")
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    named = subprocess.run([sys.executable, "-m", "course", "report", str(folder), "-o", str(out), "--names"],
                           capture_output=True, text=True)
    assert "broken.json" in named.stdout and "broken.json" in out.read_text()
    assert not list(tmp_path.glob(".report-*")), "no temporary file left behind"


def test_a_learner_is_an_id_not_a_name(tmp_path):
    import json as _json

    from course.class_results import class_results_from_folder
    from course.demo_class import synthetic_export

    folder = tmp_path / "class"
    folder.mkdir()
    for i, (name, learner_id, stamp) in enumerate([("Sam", "1" * 32, "2026-11-01"), ("Sam", "2" * 32, "2026-11-02"),
                                                   ("Sam", "1" * 32, "2026-11-03"), ("Ann", None, "2026-11-01"),
                                                   ("ann", None, "2026-11-05")]):
        doc = synthetic_export(name, i)
        doc["exported_at"] = stamp + "T10:00:00+00:00"
        if learner_id:
            doc["learner_id"] = learner_id
        else:
            doc["version"] = 1
        (folder / f"export-{i}.json").write_text(_json.dumps(doc))
    results = class_results_from_folder(folder, names=True)
    assert results.learners == 3, "two Sams (two ids, the first one's older export skipped) and one Ann (version 1, by name)"
    assert sorted(results.roster["learner"]) == ["Sam (1)", "Sam (2)", "ann"]
    assert sorted(sk.source for sk in results.skipped) == ["export-0.json", "export-3.json"]
    assert results.shared_names == ["'Sam' was typed by 2 learners (shown numbered)"]
    hidden = class_results_from_folder(folder)
    assert hidden.shared_names == ["2 learners typed the same name"]
    from course.class_results import summary_lines

    assert any(line.startswith("Check the names: 2 learners typed") for line in summary_lines(hidden))
    assert "Sam" not in " ".join(summary_lines(hidden))
    assert set(hidden.roster["file"]) == {"(hidden with the names)"}


def test_links_are_not_followed_and_odd_file_names_do_not_stop_the_report(tmp_path):
    import os

    from course.class_results import class_results_from_folder, report_html

    folder = tmp_path / "class"
    write_exports(folder, 2)
    outside = tmp_path / "outside.json"
    outside.write_text((folder / sorted(os.listdir(folder))[0]).read_text())
    (folder / "link.json").symlink_to(outside)
    os.rename(folder / sorted(os.listdir(folder))[1], os.path.join(os.fsencode(folder), b"bad-\xff-name.json"))
    results = class_results_from_folder(folder, names=True)
    assert results.learners == 2
    assert any(sk.source == "link.json" and "not followed" in sk.reason for sk in results.skipped)
    report_html(results, names=True).encode("utf-8")


def test_report_command_on_a_missing_folder(tmp_path):
    run = subprocess.run([sys.executable, "-m", "course", "report", str(tmp_path / "nope")], capture_output=True, text=True)
    assert run.returncode == 2 and "no folder" in run.stderr


def test_demo_class_has_every_table():
    results = demo_class(6)
    assert results.learners == 6 and len(results.completion) == len(results.reflections.lesson.unique())
    assert widgets.class_results().children


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_accepted_or_rejected_with_a_reason(data):
    try:
        sub = read_submission("x.json", data)
    except ExportError as exc:
        assert str(exc)
    else:
        assert isinstance(sub, Submission)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
                    max_leaves=20))
def test_arbitrary_json_shaped_like_an_export_never_crashes(value):
    doc = {"format": "lead-manage-export", "version": 1, "exported_at": "2026-11-01T10:00:00+00:00", "attempts": value,
           "reflections": [], "ratings": []}
    try:
        sub = read_submission("x.json", json.dumps(doc).encode())
    except ExportError:
        return
    aggregate([sub])


def test_one_id_under_two_names_is_flagged_and_reasons_hide_file_names(tmp_path):
    import json as _json

    from course.class_results import class_results_from_folder
    from course.demo_class import synthetic_export

    folder = tmp_path / "class"
    folder.mkdir()
    for name, learner, stamp in [("sam-smith-week1.json", "Sam", "01"), ("sam-smith-final.json", "Sam", "02"),
                                 ("bob.json", "Bob", "03")]:
        doc = synthetic_export(learner, 1)
        doc["exported_at"] = f"2026-11-{stamp}T10:00:00+00:00"
        doc["learner_id"] = "7" * 32
        (folder / name).write_text(_json.dumps(doc))
    named = class_results_from_folder(folder, names=True)
    assert named.learners == 1
    assert any("under another typed name" in sk.reason for sk in named.skipped)
    hidden = class_results_from_folder(folder)
    text = " ".join(f"{sk.source} {sk.reason}" for sk in hidden.skipped)
    assert "sam-smith" not in text and "bob.json" not in text and "the file of Learner" in text


def test_partial_self_assessments_do_not_stop_class_results(tmp_path):
    import json as _json

    from course.class_results import class_results_from_folder
    from course.demo_class import synthetic_export

    folder = tmp_path / "class"
    folder.mkdir()
    doc = synthetic_export("Ada", 3)
    item = doc["ratings"][0]["item"] if doc["ratings"] else "a1"
    doc["ratings"] = [{"uid": f"{i:032x}", "phase": phase, "item": item, "value": 3, "at": f"2026-11-0{i + 1}T10:00:00+00:00"}
                      for i, phase in enumerate(("before", "after"))]
    (folder / "ada.json").write_text(_json.dumps(doc))
    results = class_results_from_folder(folder)
    assert results.learners == 1 and len(results.profile_shift) > 0


@pytest.mark.parametrize("where", ["missing-folder/report.html", "."])
def test_report_command_says_why_it_cannot_write(tmp_path, where):
    folder = tmp_path / "class"
    write_exports(folder, 1)
    run = subprocess.run([sys.executable, "-m", "course", "report", str(folder), "-o", str(tmp_path / where)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr and run.stderr.strip()
