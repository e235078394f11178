"""Promises a one-line slip would break: answer bounds, escaping of bank text, restoring a view's state,
instructor mode asking afresh, the 1-5 ratings, the plan's word threshold, all-or-nothing imports, the
export size limit, saving typed text at exit, one best response per scenario, and the store's file
permissions as an ordinary (non-root) learner meets them.
"""
import json
import sqlite3
import subprocess
import sys
import textwrap
from html import escape
from pathlib import Path

import pytest
import yaml
from traitlets import TraitError

from course.bank import BankError, check_paths, load_file
from course.kinds import AnswerError, kind_of
from course.scoring import score
from course.store import ProgressStore
from widgets.quiz_view import Quiz
from widgets.reflection_view import ReflectionBox

DATA = Path(__file__).parent / "data"


# -- 1. an answer one past the last option ----------------------------------------------------------
@pytest.mark.parametrize("qid", ["pick-one", "judge", "case", "pick-many"])
def test_the_last_option_scores_and_one_past_it_is_refused(sample, qid):
    question = sample.question(qid)
    last = len(question.choices) - 1
    as_answer = (lambda i: [i]) if question.type == "multiple" else (lambda i: i)
    assert score(question, as_answer(last)).remarks[-1].feedback == question.choices[last].feedback
    with pytest.raises(AnswerError, match="no option"):
        score(question, as_answer(last + 1))


def test_a_view_refuses_an_answer_one_past_the_last_option(sample, store):
    view = Quiz(sample, [sample.question("pick-one")], store).views[0]
    with pytest.raises(TraitError):
        view.set_answer(len(sample.question("pick-one").choices))
    assert view.value is None and store.attempts() == []


# -- 2. bank text is escaped wherever it becomes HTML -----------------------------------------------
def _hostile(where: str) -> str:
    return f"<script>alert('{where}')</script><img src=x onerror=alert('{where}')>"


@pytest.fixture
def hostile(tmp_path):
    """The sample bank with a script and an <img onerror> added to every text a view renders as HTML."""
    data = yaml.safe_load((DATA / "sample.yaml").read_text())
    for q in data["questions"]:
        for field in ("prompt", "situation", "discussion", "feedback_true", "feedback_false"):
            if field in q:
                q[field] += " " + _hostile(f"{q['id']}.{field}")
        for group, texts in (("options", ("text", "feedback")), ("responses", ("text", "consequence")),
                             ("statements", ("text", "feedback"))):
            for i, entry in enumerate(q.get(group, [])):
                for field in texts:
                    entry[field] += " " + _hostile(f"{q['id']}.{group}[{i}].{field}")
    for r in data["reflections"]:
        for field in ("prompt", "hint"):
            if field in r:
                r[field] += " " + _hostile(f"{r['id']}.{field}")
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return load_file(path)


def _html_values(widget) -> str:
    """Return the value of every HTML widget in a view's tree."""
    import ipywidgets as W

    found = [widget.value] if isinstance(widget, (W.HTML, W.HTMLMath)) else []
    for child in getattr(widget, "children", ()):
        found.append(_html_values(child))
    return "\n".join(found)


def _assert_inert(html: str) -> None:
    assert "<script" not in html.lower() and "<img" not in html.lower(), "bank text reached the page as HTML"


def _check_every_option(quiz):
    for view in quiz.views:
        q = view.question
        parts = kind_of(q).parts(q)
        if q.type == "classify":
            answers = [[s.label for s in q.statements], ["leading"] * len(q.statements)]
        elif q.type == "multiple":
            answers = [[i] for i in range(len(parts))]
        else:
            answers = list(range(len(parts)))
        for answer in answers:
            view.set_answer(answer)
            view.check_button.click()
            yield view


def test_feedback_on_every_option_escapes_bank_text(hostile, store):
    quiz = Quiz(hostile, list(hostile.questions), store)
    seen = ""
    for view in _check_every_option(quiz):
        _assert_inert(_html_values(quiz))
        seen += view.feedback.value
        view.explain_button.value = True
        _assert_inert(view.explanation.value)
        seen += view.explanation.value
    for q in hostile.questions:
        for part in kind_of(q).parts(q):
            assert escape(part.feedback) in seen, f"{q.id}: the feedback is shown, escaped"
            assert escape(part.text) in seen, f"{q.id}: the option is named, escaped"
    for q in hostile.questions:
        assert escape(q.prompt) in _html_values(quiz)
    assert escape(hostile.question("case").situation) in _html_values(quiz)


def test_the_instructors_key_and_trainer_notes_escape_bank_text(hostile, store):
    quiz = Quiz(hostile, list(hostile.questions), store, show_key=True)
    for view in quiz.views:
        view.reveal.value = True
        _assert_inert(_html_values(quiz))
        q = view.question
        for line in ([] if q.type == "classify" else kind_of(q).key_text(q)):
            assert escape(line) in view.key.value
        for part in kind_of(q).parts(q):  # Reveal also gives why each option is right or wrong
            assert escape(part.text) in view.key.value and escape(part.feedback) in view.key.value
        if q.discussion:  # the discussion note is the trainer's, behind its own control, never in the key
            assert escape(q.discussion) not in view.key.value
            view.trainer_notes.value = True
            _assert_inert(_html_values(quiz))
            assert "&lt;script&gt;alert(" in view.trainer_text.value
    assert quiz.views[3].question.discussion and "Discussion note" in quiz.views[3].trainer_text.value


def test_a_restored_answer_and_a_printed_quiz_escape_bank_text(hostile, store):
    first = Quiz(hostile, list(hostile.questions), store)
    list(_check_every_option(first))
    again = Quiz(hostile, list(hostile.questions), store)
    _assert_inert(_html_values(again) + again.fallback_html())
    assert all("Your last answer" in v.feedback.value for v in again.views)


def test_a_reflection_escapes_its_prompt_and_hint(hostile, store):
    prompt = hostile.reflection("example")
    box = ReflectionBox(hostile, prompt, store, debounce=0)
    box.area.value = _hostile("typed")
    shown = _html_values(box) + box.fallback_html()
    _assert_inert(shown)
    assert escape(prompt.prompt) in shown and escape(prompt.hint) in shown
    assert escape(_hostile("typed")) not in box.fallback_html(), "the notebook's plain copy never holds the learner's words"


def test_class_results_escape_file_names_and_learner_text(tmp_path):
    import widgets
    from course.exchange import export_json

    folder = tmp_path / "<img src=x onerror=alert(0)>"
    folder.mkdir()
    evil = _hostile("learner")
    for n in (1, 2):  # two learners under one name: the summary asks to check it, naming it
        learner = ProgressStore(tmp_path / f"learner-{n}.sqlite3")
        learner.record_attempt("two-words", "q", 0, True, 1.0)
        learner.save_reflection("two-words", "own", evil)
        (folder / f"ok-{n}.json").write_text(export_json(learner, evil))
    (folder / "<script>alert(2)<script>.json").write_text("not json")  # a name cannot hold a slash
    (folder / "<img src=x onerror=alert(3)>.json").write_text(json.dumps({"format": evil}))
    for names in (False, True):
        view = widgets.class_results(str(folder), names=names)
        shown = _html_values(view) + view.fallback_html()
        _assert_inert(shown)
        assert escape(str(folder)) in shown, "the folder is named, escaped"
    assert "&lt;script&gt;alert(2)&lt;script&gt;.json" in shown, "with names on, a skipped file is named, escaped"
    assert escape(evil, quote=False) in shown, "and so is a learner's name"
    assert "Check the names" in view.fallback_html() and "&lt;script&gt;" in view.fallback_html()


# -- 3. reopening a view restores its state, not only what is on screen -------------------------------
def test_a_reopened_reflection_holds_the_saved_text_in_its_state(sample, store):
    prompt = sample.reflection("own-words")
    box = ReflectionBox(sample, prompt, store, debounce=60)
    box.area.value = "Leading sets the direction"
    assert box.flush()
    saved = store.reflection(sample.id, prompt.id)
    again = ReflectionBox(sample, prompt, store, debounce=60)
    assert again.area.value == again.text == again.saved_text == "Leading sets the direction"
    assert again.saved_at == saved.at and not again.pending
    assert "4 words" in again.status_line.value and "Saved at" in again.status_line.value
    assert again.flush()
    assert [r["text"] for r in store.reflection_revisions()] == ["Leading sets the direction"], \
        "reopening and flushing stores nothing new"
    again.area.value = "Leading sets the direction"  # the page echoes the same text back
    assert not again.pending and len(store.reflection_revisions()) == 1


def test_a_reopened_reflection_with_an_example_offers_it_at_once(store):
    from course.bank import Reflection, lesson

    two = lesson("two-words")
    prompt = Reflection("try-it", "Write something.", example="One learner wrote this.")
    ReflectionBox(two, prompt, store, debounce=0).area.value = "My own words."
    again = ReflectionBox(two, prompt, store, debounce=0)
    assert again.text == "My own words." and not again.example_button.disabled


def test_a_reopened_quiz_holds_each_answer_in_its_state(sample, store):
    answers = {"pick-one": 1, "pick-many": [0, 1], "judge": 0, "sort": ["managing", "managing", "both"], "case": 1}
    first = Quiz(sample, list(sample.questions), store)
    for view in first.views:
        view.set_answer(answers[view.question.id])
        view.check_button.click()
    expected = {v.question.id: v.correct for v in first.views}
    assert sorted(expected.values()) == [False, False, False, True, True]
    again = Quiz(sample, list(sample.questions), store)
    for view in again.views:
        qid = view.question.id
        assert view.value == answers[qid], qid
        assert view.input.read() == answers[qid], qid
        assert view.checked and view.correct is expected[qid] and view.tries == 1, qid
        assert view.check_button.disabled, f"{qid}: an unchanged answer cannot be checked again"
    assert again.correct_count == 2 and "2 of 5" in again.score_line.value


# -- 4. instructor mode asks every question afresh ------------------------------------------------------
def test_instructor_mode_never_shows_the_stores_answers(sample, store):
    learner = Quiz(sample, list(sample.questions), store)
    right = {"pick-one": 0, "pick-many": [0, 1], "judge": 0, "sort": ["managing", "leading", "both"], "case": 0}
    for view in learner.views:
        view.set_answer(right[view.question.id])
        view.check_button.click()
    assert learner.correct_count == 5
    projected = Quiz(sample, list(sample.questions), store, show_key=True)
    for view in projected.views:
        assert view.value == kind_of(view.question).empty(view.question), view.question.id
        assert not view.checked and not view.correct and view.tries == 0 and view.feedback.value == ""
    assert projected.correct_count == 0 and "0 of 5" in projected.score_line.value


def test_instructor_mode_from_the_environment_shows_a_fresh_quiz(monkeypatch):
    import widgets
    from course.bank import lesson
    from course.store import default_store

    two = lesson("two-words")
    for q in two.questions:
        default_store().record_attempt(two.id, q.id, kind_of(q).sample(q, None, right=True), True, 1.0)
    monkeypatch.setattr(widgets, "_instructor", None)
    monkeypatch.setenv("LEAD_MANAGE_INSTRUCTOR", "1")
    quiz = widgets.quiz("two-words")
    assert all(not v.checked and v.tries == 0 and v.feedback.value == "" for v in quiz.views)
    monkeypatch.delenv("LEAD_MANAGE_INSTRUCTOR")
    assert all(v.checked for v in widgets.quiz("two-words").views), "a learner sees their answers again"


# -- 5. ratings run from 1 to 5 --------------------------------------------------------------------------
@pytest.mark.parametrize("value, kept", [(5, True), (6, False), (1, True), (0, False)])
def test_the_store_keeps_ratings_from_one_to_five_only(store, value, kept):
    store.save_rating("after", "item", 3)
    if kept:
        store.save_rating("after", "item", value)
    else:
        with pytest.raises(ValueError):
            store.save_rating("after", "item", value)
    assert store.ratings("after") == {"item": value if kept else 3}


def test_the_self_assessment_offers_one_to_five_and_refuses_six(store):
    from course.instruments import self_assessment
    from widgets.profile_views import SelfAssessment

    view = SelfAssessment(self_assessment(), "before", store)
    item = view.items[0].id
    assert [value for _, value in view.buttons[item].options] == [1, 2, 3, 4, 5]
    view.rate(item, 5)
    assert store.ratings("before") == {item: 5} and view.answered == 1
    with pytest.raises(TraitError):
        view.rate(item, 6)
    assert store.ratings("before") == {item: 5} and view.buttons[item].value == 5


@pytest.mark.parametrize("value, ok", [(5, True), (6, False)])
def test_a_merged_rating_above_five_is_refused(store, value, ok):
    row = {"uid": "a" * 32, "phase": "before", "item": "direction-l1", "value": value, "at": "2026-11-01T10:00:00+00:00"}
    if ok:
        assert store.merge([], [], [row])["ratings"] == 1
    else:
        with pytest.raises(ValueError):
            store.merge([], [], [row])
    assert store.ratings("before") == ({"direction-l1": value} if ok else {})


@pytest.mark.parametrize("value, ok", [(5, True), (6, False)])
def test_an_imported_rating_above_five_is_refused(store, tmp_path, value, ok):
    from course.exchange import ExportError, export_json, import_export

    source = ProgressStore(tmp_path / "source.sqlite3")
    source.save_rating("before", "direction-l1", 4)
    doc = json.loads(export_json(source))
    doc["ratings"][0]["value"] = value
    if ok:
        import_export(store, json.dumps(doc))
        assert store.ratings("before") == {"direction-l1": value}
    else:
        with pytest.raises(ExportError):
            import_export(store, json.dumps(doc))
        assert store.counts() == {"attempts": 0, "reflections": 0, "ratings": 0}


# -- 6. the plan's word threshold for a behaviour -------------------------------------------------------
PLAN = {
    "context": "I lead a team of nine in a regional warehouse that is moving to a new stock system next spring.",
    "behaviour-1": "Hold a weekly one-to-one with each team member",
    "practice": "Every Monday morning, before the first shift",
    "feedback": "My manager Priya and two of the shift leads",
    "indicators": "Number of one-to-ones held each month",
    "review-30": "14 March", "review-60": "14 April", "review-90": "14 May",
}
TAGS = {"behaviour-1": "leading", "behaviour-2": "managing"}


def test_a_behaviour_counts_from_three_words():
    from course.plan import BEHAVIOUR_WORDS, check_plan

    assert BEHAVIOUR_WORDS == 3, "the threshold the rubric and its tests are built on"
    words = ["Check", "rotas", "weekly", "with", "Sam", "and", "Ola"]
    at = " ".join(words[:BEHAVIOUR_WORDS])
    below = " ".join(words[:BEHAVIOUR_WORDS - 1])
    assert check_plan({**PLAN, "behaviour-2": at}, TAGS)["two-behaviours"]
    assert check_plan({**PLAN, "behaviour-2": at}, TAGS)["leading-and-managing"], "its tag counts too"
    assert not check_plan({**PLAN, "behaviour-2": below}, TAGS)["two-behaviours"]
    assert not check_plan({**PLAN, "behaviour-2": below}, TAGS)["leading-and-managing"], "an unwritten one's tag does not"
    assert all(check_plan({**PLAN, "behaviour-2": at}, TAGS).values()), "the rest of the plan meets every rule"


# -- 7. an import merges all of its rows or none ----------------------------------------------------------
def _rows(prefix: str, n: int) -> tuple[list, list, list]:
    at = "2026-11-01T10:00:00+00:00"
    attempts = [{"uid": f"{prefix}a{i:030d}", "lesson": "two-words", "question": "q", "answer": i, "correct": True,
                 "score": 1.0, "at": at} for i in range(n)]
    reflections = [{"uid": f"{prefix}r{i:030d}", "lesson": "two-words", "reflection": "r", "text": f"text {i}", "at": at}
                   for i in range(n)]
    ratings = [{"uid": f"{prefix}g{i:030d}", "phase": "before", "item": f"item-{i}", "value": 3, "at": at}
               for i in range(n)]
    return attempts, reflections, ratings


@pytest.mark.parametrize("table, field", [("ratings", "phase"), ("reflections", "text"), ("attempts", "lesson")])
def test_a_merge_that_fails_halfway_leaves_the_store_as_it_was(store, table, field):
    store.save_reflection("two-words", "own", "mine")
    before = store.counts()
    attempts, reflections, ratings = _rows("b", 5)
    rows = {"attempts": attempts, "reflections": reflections, "ratings": ratings}
    rows[table].append({**rows[table][0], "uid": "f" * 32, field: None})  # NOT NULL, after valid rows
    with pytest.raises((sqlite3.DatabaseError, ValueError, TypeError)):
        store.merge(attempts, reflections, ratings)
    assert store.counts() == before
    assert ProgressStore(store.path).counts() == before, "nothing reached the file either"
    rows[table].pop()
    assert store.merge(attempts, reflections, ratings) == {"attempts": 5, "reflections": 5, "ratings": 5}, \
        "the store still takes a good import afterwards"


# -- 8. the 5 MB export limit -----------------------------------------------------------------------------
def test_an_export_is_at_most_five_mebibytes(store, tmp_path):
    from course.exchange import MAX_BYTES, ExportError, export_json, import_export, parse_export

    assert MAX_BYTES == 5 * 1024 * 1024
    store.save_reflection("two-words", "own", "kept")
    doc = export_json(store).encode()
    at_limit = doc + b" " * (5 * 1024 * 1024 - len(doc))  # JSON allows trailing white space
    assert len(at_limit) == MAX_BYTES
    assert parse_export(at_limit)["reflections"][0]["text"] == "kept"
    with pytest.raises(ExportError, match="at most"):
        parse_export(at_limit + b" ")
    (tmp_path / "at.json").write_bytes(at_limit)
    (tmp_path / "over.json").write_bytes(at_limit + b" ")
    other = ProgressStore(tmp_path / "other.sqlite3")
    assert import_export(other, tmp_path / "at.json")["reflections"] == 1
    with pytest.raises(ExportError, match="at most"):
        import_export(other, tmp_path / "over.json")


def test_class_results_take_an_export_at_the_limit_and_skip_one_past_it(store, tmp_path):
    from course.class_results import load_folder
    from course.exchange import export_json

    store.save_reflection("two-words", "own", "kept")
    doc = export_json(store, "Ada").encode()
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "at.json").write_bytes(doc + b" " * (5 * 1024 * 1024 - len(doc)))
    (folder / "over.json").write_bytes(doc + b" " * (5 * 1024 * 1024 + 1 - len(doc)))
    accepted, skipped = load_folder(folder)
    assert [s.source for s in accepted] == ["at.json"]
    assert [(s.source, "at most" in s.reason) for s in skipped] == [("over.json", True)]


# -- 9. typed text is saved when the kernel exits normally before the debounce fires ------------------------
def test_text_typed_just_before_a_normal_exit_is_saved(tmp_path):
    script = textwrap.dedent(f"""
        from course.bank import load_file
        from course.store import ProgressStore
        from widgets.reflection_view import ReflectionBox
        sample = load_file({str(DATA / 'sample.yaml')!r})
        box = ReflectionBox(sample, sample.reflection("own-words"), ProgressStore({str(tmp_path / 'p.sqlite3')!r}),
                            debounce=60)
        box.area.value = "typed a moment before the kernel shut down"
        assert box.pending
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    saved = ProgressStore(tmp_path / "p.sqlite3").reflection("sample", "own-words")
    assert saved is not None and saved.text == "typed a moment before the kernel shut down"


# -- 10. a scenario keys exactly one best response ----------------------------------------------------------
SAMPLE = (DATA / "sample.yaml").read_text()
ONE_BEST = '      - text: "Announce a new vision"\n'


@pytest.mark.parametrize("text, best", [
    (SAMPLE, 1),
    (SAMPLE.replace(ONE_BEST, ONE_BEST + "        best: true\n"), 2),
    (SAMPLE.replace("        best: true\n", ""), 0),
])
def test_a_scenario_keys_exactly_one_best_response(tmp_path, text, best):
    path = tmp_path / "bank.yaml"
    path.write_text(text)
    assert text.count("best: true") == best
    if best == 1:
        assert load_file(path).question("case").keyed == (0,)
        assert check_paths([path]) == []
        return
    with pytest.raises(BankError) as info:
        load_file(path)
    assert f"question 'case', field 'responses': {best} responses are keyed best" in str(info.value)
    assert any(p.question == "case" and p.field == "responses" for p in check_paths([path]))


# -- file permissions, as an ordinary learner meets them (run as `nobody` when the tests run as root) ---------
def test_the_learners_process_is_unprivileged(as_learner):
    seen = as_learner.json("""
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
        print(json.dumps({"euid": os.geteuid(), "caps": int(status.get("CapEff", "0").strip(), 16),
                          "owns_folder": folder.stat().st_uid == os.geteuid()}))
    """)
    assert seen["euid"] != 0 and seen["caps"] == 0 and seen["owns_folder"]


READ_ONLY_FOLDER = """
        from course.store import ProgressStore
        ro = folder / "ro"
        ro.mkdir()
        first = ProgressStore(ro / "progress.sqlite3")
        first.save_reflection("l", "r", "written before")
        first.close()
        files = sorted((p.name, p.stat().st_size) for p in ro.iterdir())
        ro.chmod(0o500)
        try:
            try:
                (ro / "probe").write_text("x")
                writable = True
            except PermissionError:
                writable = False
            store = ProgressStore(ro / "progress.sqlite3")
            store.save_reflection("l", "r2", "new words")
            old = store.reflection("l", "r")
            seen = {"writable": writable, "warning": store.warning, "where": store.where,
                    "old": old.text if old else None, "new": store.reflection("l", "r2").text,
                    "unchanged": sorted((p.name, p.stat().st_size) for p in ro.iterdir()) == files}
        finally:
            ro.chmod(0o700)
        print(json.dumps(seen))
    """


def test_a_read_only_folder_falls_back_to_memory_and_keeps_old_work(as_learner):
    seen = as_learner.json(READ_ONLY_FOLDER)
    assert seen["writable"] is False, "the learner really cannot write there"
    assert seen["warning"] and "in memory" in seen["warning"] and seen["where"] == "in memory only (this session)"
    assert seen["new"] == "new words"
    assert seen["old"] == "written before", "the work saved before is still there to read and download"
    assert seen["unchanged"], "nothing was written into the read-only folder"


def test_a_progress_file_the_learner_cannot_read_is_not_taken_for_damage(as_learner):
    seen = as_learner.json("""
        from course.store import ProgressStore
        data = folder / "data"
        first = ProgressStore(data / "progress.sqlite3")
        first.save_reflection("l", "r", "written before")
        first.close()
        (data / "progress.sqlite3").chmod(0)
        try:
            try:
                (data / "progress.sqlite3").read_bytes()
                readable = True
            except PermissionError:
                readable = False
            store = ProgressStore(data / "progress.sqlite3")
            store.save_reflection("l", "r2", "new words")
            seen = {"readable": readable, "warning": store.warning, "notice": store.notice,
                    "new": store.reflection("l", "r2").text, "files": sorted(p.name for p in data.iterdir())}
        finally:
            (data / "progress.sqlite3").chmod(0o600)
        again = ProgressStore(data / "progress.sqlite3")
        seen["kept"] = again.reflection("l", "r").text
        print(json.dumps(seen))
    """)
    assert seen["readable"] is False, "the learner really cannot read the file"
    assert seen["warning"] and "in memory" in seen["warning"] and seen["new"] == "new words"
    assert seen["notice"] is None and seen["files"] == ["progress.sqlite3"], "not moved aside as if damaged"
    assert seen["kept"] == "written before"


def test_a_course_folder_someone_else_owns_is_still_used(as_learner):
    import os
    import stat

    if not as_learner.runtime.root:
        pytest.skip("only root can give the learner a folder that someone else owns")
    shared = as_learner.folder / "shared" / "lead-manage"
    shared.mkdir(parents=True)
    for path in (shared.parent, shared):
        path.chmod(0o777)  # owned by root, open to all: the learner can write here but not change its mode
    seen = as_learner.json(f"""
        from course.store import ProgressStore
        store = ProgressStore({str(shared / 'progress.sqlite3')!r})
        store.save_reflection("l", "r", "saved anyway")
        print(json.dumps({{"warning": store.warning, "text": ProgressStore(store.path).reflection("l", "r").text}}))
    """)
    assert seen == {"warning": None, "text": "saved anyway"}
    assert shared.stat().st_uid == 0 and stat.S_IMODE(shared.stat().st_mode) == 0o777
    assert stat.S_IMODE((shared / "progress.sqlite3").stat().st_mode) == 0o600
    assert (shared / "progress.sqlite3").stat().st_uid == as_learner.runtime.learner.uid != os.geteuid()


def test_other_people_on_a_shared_machine_cannot_read_the_learners_progress(as_learner):
    import stat

    seen = as_learner.json("""
        from course.store import default_store
        store = default_store()  # the default place: the learner's data folder under HOME
        store.save_reflection("l", "r", "private words")
        store.record_attempt("l", "q", 0, True, 1.0)
        print(json.dumps({"path": str(store.path), "warning": store.warning}))
    """)
    path = Path(seen["path"])
    assert seen["warning"] is None and path.parent.name == "lead-manage"
    assert path.is_relative_to(as_learner.folder), "under the learner's home"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    files = sorted(path.parent.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) & 0o077 == 0 for f in files), \
        [(f.name, oct(f.stat().st_mode)) for f in files]
    if not as_learner.runtime.root:
        return  # an ordinary user cannot become someone else; the modes above are what keeps others out
    other = as_learner.json(f"""
        seen = {{}}
        for name, read in (("folder", lambda: os.listdir({str(path.parent)!r})),
                           ("file", lambda: open({str(path)!r}, "rb").read(16))):
            try:
                read()
                seen[name] = "read"
            except PermissionError:
                seen[name] = "refused"
        print(json.dumps(seen))
    """, as_other=True)
    assert other == {"folder": "refused", "file": "refused"}
    path.parent.chmod(0o755)  # with the folder opened up, the files themselves still refuse a stranger
    try:
        files_seen = as_learner.json(f"""
            seen = {{}}
            for f in {[str(f) for f in files]!r}:
                try:
                    open(f, "rb").read(16)
                    seen[os.path.basename(f)] = "read"
                except PermissionError:
                    seen[os.path.basename(f)] = "refused"
            print(json.dumps(seen))
        """, as_other=True)
    finally:
        path.parent.chmod(0o700)
    assert set(files_seen.values()) == {"refused"}, files_seen
