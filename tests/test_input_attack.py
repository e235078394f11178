"""Untrusted input cannot stall, mislead or half-change the course: plan texts, export times, invalid exports,
bank files, odd entries in a class folder, file names in pseudonym mode, and paths that are not files."""
import json
import os
import re
import signal
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.bank import BankError, check_paths, load_file
from course.demo_class import synthetic_export
from course.exchange import ExportError, export_json, import_export, parse_export
from course.plan import BEHAVIOURS, LESSON, field_key, has_date, has_when, has_who, plan_gaps
from course.store import ProgressStore

AT = "2026-11-01T10:00:00+00:00"
DATA = Path(__file__).parent / "data"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
needs_alarm = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the time limit uses SIGALRM")


class Overran(BaseException):
    """A call ran past its time limit (a BaseException, so no `except OSError` or `except ExportError` hides it)."""


@contextmanager
def time_limit(seconds: float):
    """Stop the code inside after `seconds`: a regex or a blocking open is interrupted, not waited on for ever."""
    def expired(signum, frame):
        raise Overran(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(seconds: float, call, *args):
    """Run a call under a time limit; return its result and how long it took."""
    with time_limit(seconds * 4):  # past this it is surely stuck; the caller asserts the real limit
        start = time.perf_counter()
        result = call(*args)
        return result, time.perf_counter() - start


def export(**rows) -> dict:
    return {"format": "lead-manage-export", "version": 2, "exported_at": AT, "learner": "Ada", "learner_id": "a" * 32,
            "attempts": [], "reflections": [], "ratings": [], **rows}


def reflection(at=AT, uid="b" * 32, text="SECRET words") -> dict:
    return {"uid": uid, "lesson": "two-words", "reflection": "r1", "text": text, "at": at}


# -- 1. the plan checker is linear in its text ---------------------------------------------------
PLAN_FIELDS = ("context", "practice", "feedback", "indicators", "review-30", "review-60", "review-90", *BEHAVIOURS)
MILLION = 1_000_000
LONG_TEXTS = {
    "newlines": "\n" * MILLION,
    "newline space": "\n " * (MILLION // 2),
    "space newline": " \n" * (MILLION // 2),
    "a name on every line": "Sam\n" * (MILLION // 4),
    "a name, then blank lines": "Sam" + "\n" * MILLION,
    "a name, then spaces": "Sam" + " " * MILLION,
    "a name and a comma, then spaces": "Sam," + " " * MILLION,
    "a day, then spaces": "1" + " " * MILLION,
    "impossible dates": "31/02 " * (MILLION // 6),
    "words": "a " * (MILLION // 2),
    "other line breaks": "\r\x0b\x0c\u2028" * (MILLION // 4),
}


@needs_alarm
@pytest.mark.parametrize("check", [has_who, has_date, has_when], ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", sorted(LONG_TEXTS))
def test_each_plan_check_reads_a_million_characters_in_under_a_second(check, name):
    _, took = timed(1, check, LONG_TEXTS[name])
    assert took < 1


@needs_alarm
@pytest.mark.parametrize("name", sorted(LONG_TEXTS))
def test_the_whole_checklist_over_a_million_characters_in_every_field_in_under_a_second(name):
    _, took = timed(1, plan_gaps, {f: LONG_TEXTS[name] for f in PLAN_FIELDS}, {})
    assert took < 1


PIECES = ["\n", " ", "\t", "\r", "Sam", "Sam ", "sam", "HR", ",", " my", "(", " will", "and", "at", "Every", "I",
          "14", "1", "/", "-", ".", "of ", "March", "may", "end of ", "mid-", "T", "3rd", "daily", "x", "é", "\u2028"]
# Long texts made of runs: a short piece repeated thousands of times, a few runs in a row (up to 200 KB).
runs = st.lists(st.tuples(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
                          st.integers(1, 20_000)), min_size=1, max_size=4)


@needs_alarm
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=runs)
def test_random_long_texts_are_checked_in_under_a_second(parts):
    text = "".join(piece * times for piece, times in parts)[:200_000]
    for check in (has_who, has_date, has_when):
        _, took = timed(1, check, text)
        assert took < 1, check.__name__
    _, took = timed(1, plan_gaps, {f: text for f in PLAN_FIELDS}, {})
    assert took < 1


def test_the_plan_rules_still_read_names_dates_and_times():
    assert has_who("Sam\n\n\n\nwill watch me") and has_who("  \n  Sam will watch me") and has_who("Sam,\n my peer")
    assert not has_who("\n" * 1000 + "Every Friday I will check") and not has_who("I won't tell anyone" + "\n" * 1000)
    assert has_date("\n" * 1000 + "14 March") and not has_date("31/02 " * 1000)
    assert has_when(" " * 1000 + "every Monday") and not has_when("\n" * 1000 + "when I can")


@needs_alarm
def test_a_class_report_over_a_plan_of_blank_lines_is_written(tmp_path):
    from course.class_results import class_results_from_folder, report_html

    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(2):
        (folder / f"l{i}.json").write_text(json.dumps(synthetic_export(f"L{i}", i)))
    doc = synthetic_export("Mallory", 99)
    doc["reflections"].append(reflection(uid="c" * 32, text="Sam" + "\n" * 1_000_000) | {
        "lesson": LESSON, "reflection": field_key("feedback")})
    (folder / "mallory.json").write_text(json.dumps(doc))
    with time_limit(60):
        results = class_results_from_folder(folder)
        html = report_html(results)
    assert results.learners == 3 and results.plan_writers >= 1 and html.startswith("<!doctype html>")


# -- 2. every time in an export is a real date and time ------------------------------------------
NOT_TIMES = ["SECRET-not-a-time", "2026-W01-1T00:00", "2026-01-01", "20260101T000000Z", "2026-305T10:00",
             "2026-13-01T10:00:00", "2026-02-30T10:00:00", "2026-11-01T24:00:00", "2026-11-01 10:00:00",
             "2026-11-02T10:00:00+00:00\n", "٢٠٢٦-١١-٠١T10:00:00", "2026-11-01T10:00:00+0000",
             "9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-12:00"]
TIMES = ["2026-11-01T10:00:00+00:00", "2026-11-01T10:00", "2026-11-01T10:00:00.123456-05:30", "2026-11-01T10:00:00",
         "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+01:00",
         pytest.param("2026-11-01T10:00:00Z", marks=pytest.mark.skipif(sys.version_info < (3, 11),
                                                                       reason="Python 3.10 reads no 'Z'"))]


@pytest.mark.parametrize("at", NOT_TIMES)
@pytest.mark.parametrize("where", ["exported_at", "attempts/0/at", "reflections/0/at", "ratings/0/at"])
def test_a_time_that_is_not_a_date_and_time_is_refused_naming_the_place_not_the_value(at, where):
    doc = export(attempts=[{"uid": "d" * 32, "lesson": "l", "question": "q", "answer": 1, "correct": True,
                            "score": 1.0, "at": AT}],
                 reflections=[reflection()], ratings=[{"uid": "e" * 32, "phase": "before", "item": "i", "value": 3,
                                                       "at": AT}])
    if where == "exported_at":
        doc["exported_at"] = at
    else:
        rows, _, _ = where.split("/")
        doc[rows][0]["at"] = at
    with pytest.raises(ExportError, match=f"at {where}: a time that is not an ISO 8601 date and time") as info:
        parse_export(json.dumps(doc))
    assert "SECRET" not in str(info.value) and at.strip() not in str(info.value)


@pytest.mark.parametrize("at", TIMES)
def test_real_date_times_are_accepted_and_stored(store, at):
    doc = export(reflections=[reflection(at=at)])
    doc["exported_at"] = at
    assert import_export(store, json.dumps(doc))["reflections"] == 1


def test_a_refused_import_changes_nothing_not_even_the_learner_id(tmp_path):
    path = tmp_path / "p.sqlite3"
    store = ProgressStore(path)
    before = store.learner_id
    doc = export(reflections=[reflection(at="not-a-time!")])
    doc["learner_id"] = "f" * 32
    with pytest.raises(ExportError, match="reflections/0/at"):
        import_export(store, json.dumps(doc))
    assert store.learner_id == before and not any(store.counts().values())
    store.close()
    again = ProgressStore(path)
    assert again.learner_id == before
    again.close()


def test_a_merge_the_store_refuses_leaves_the_learner_id_as_it_was(store, tmp_path, monkeypatch):
    other = ProgressStore(tmp_path / "other.sqlite3")
    other.save_reflection("two-words", "r1", "written elsewhere")
    before = store.learner_id

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "merge", refuse)
    with pytest.raises(OSError):
        import_export(store, export_json(other))
    assert store.learner_id == before
    monkeypatch.undo()
    import_export(store, export_json(other))
    assert store.learner_id == other.learner_id, "a store with no work of its own takes the file's id"
    other.close()


def test_class_results_skip_an_export_with_a_time_that_is_not_one(tmp_path):
    from course.class_results import load_folder

    (tmp_path / "good.json").write_text(json.dumps(export(reflections=[reflection()])))
    bad = export(reflections=[reflection(at="9999-12-31T23:59:59-12:00")])
    bad["learner_id"] = "9" * 32
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    accepted, skipped = load_folder(tmp_path)
    assert [s.source for s in accepted] == ["good.json"]
    assert [(s.source, "reflections/0/at" in s.reason) for s in skipped] == [("bad.json", True)]


# -- 3. an invalid export is refused about as fast as a valid one is read ---------------------------
def _large_export(break_it) -> bytes:
    attempt = {"uid": "a" * 32, "lesson": "l", "question": "q", "answer": None, "correct": True, "score": 1, "at": AT}
    rating = {"uid": "b" * 32, "phase": "before", "item": "i", "value": 3, "at": AT}
    doc = export(attempts=[dict(attempt) for _ in range(16_000)], ratings=[dict(rating) for _ in range(16_000)])
    break_it(doc)
    data = json.dumps(doc).encode()
    assert 4 * 1024 * 1024 < len(data) <= 5 * 1024 * 1024
    return data


def _seconds(data: bytes) -> float:
    start = time.perf_counter()
    try:
        parse_export(data)
    except ExportError:
        pass
    return time.perf_counter() - start


@pytest.mark.parametrize("break_it", [
    lambda doc: [a.update(score=2) for a in doc["attempts"]],
    lambda doc: doc["attempts"][-1].update(score=2),
    lambda doc: doc["ratings"][-1].update(value=9),
    lambda doc: doc["ratings"][-1].pop("at"),
], ids=["every score wrong", "the last score wrong", "the last rating wrong", "the last rating without a time"])
def test_a_large_invalid_export_is_refused_about_as_fast_as_a_valid_one_is_read(break_it):
    valid, invalid = _large_export(lambda doc: None), _large_export(break_it)
    with pytest.raises(ExportError):
        parse_export(invalid)
    accepted = min(_seconds(valid) for _ in range(2))
    refused = min(_seconds(invalid) for _ in range(2))
    assert refused <= 5 * accepted + 0.05, (refused, accepted)


def test_refusing_a_large_invalid_export_takes_no_more_memory_than_reading_a_valid_one():
    import tracemalloc

    def peak(data: bytes) -> int:
        tracemalloc.start()
        try:
            parse_export(data)
        except ExportError:
            pass
        finally:
            used = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return used

    valid = peak(_large_export(lambda doc: None))
    invalid = peak(_large_export(lambda doc: [a.update(score=2) for a in doc["attempts"]]))
    assert invalid <= 1.5 * valid, (invalid, valid)


def test_the_refusal_names_the_first_broken_row():
    data = _large_export(lambda doc: doc["ratings"][14_999].update(value=9))
    with pytest.raises(ExportError, match="at ratings/14999/value: a number above 5"):
        parse_export(data)


# -- 4. bank checks name each field, put a location in its place, and stop in time ---------------------
def test_each_missing_field_is_named_once(tmp_path):
    path = tmp_path / "missing.yaml"
    path.write_text("lesson: x\nnumber: 1\ntitle: t\n")
    fields = [p.field for p in check_paths([path])]
    assert sorted(fields) == ["minutes", "notebook", "questions", "reflections"]


def test_each_missing_field_of_a_question_is_named_once(tmp_path):
    path = tmp_path / "missing_q.yaml"
    path.write_text("lesson: x\nnumber: 1\ntitle: t\nnotebook: 01_x.ipynb\nminutes: 5\nreflections: []\n"
                    "questions:\n  - id: q1\n    type: truefalse\n")
    fields = sorted(p.field for p in check_paths([path]) if p.question == "q1")
    assert fields == ["answer", "feedback_false", "feedback_true", "prompt"]


def test_a_yaml_syntax_error_gives_a_location_not_a_field(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("lesson: " + "[" * 2000 + "]" * 2000 + "\n")
    [problem] = check_paths([path])
    assert problem.field is None and "is not valid YAML" in problem.message and "line 1, column" in problem.message
    path.write_text((DATA / "sample.yaml").read_text().replace('title: "A sample', 'title: ["A sample'))
    [problem] = check_paths([path])
    assert problem.field is None and "line" in problem.message


QUESTION = ("  - id: q{i}\n    type: single\n    prompt: Which is it?\n    extra{i}: x\n    options:\n"
            "      - text: a\n        correct: true\n        feedback: f\n      - text: b\n        feedback: f\n")
HEAD = "lesson: x\nnumber: 1\ntitle: t\nnotebook: 01_x.ipynb\nminutes: 5\nreflections: []\nquestions:\n"


@pytest.mark.parametrize("questions, listed, more", [(50, 50, False), (51, 50, True)])
def test_a_file_lists_at_most_50_problems_then_says_there_are_more(tmp_path, questions, listed, more):
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + "".join(QUESTION.format(i=i) for i in range(questions)))
    problems = check_paths([path])
    named = [p for p in problems if p.question]
    assert len(named) == listed and [p.question for p in named] == [f"q{i}" for i in range(listed)]
    assert any("more problems than the 50 listed" in p.message for p in problems) is more


@needs_alarm
def test_a_bank_of_20000_bad_questions_is_judged_in_time_that_grows_with_its_size_alone(tmp_path):
    """Ten times the questions, at most about ten times the time (best of three, interleaved, so a busy machine
    slows both alike); a quadratic checker would take a hundred times. And never anywhere near stuck."""
    def bank(count: int) -> Path:
        path = tmp_path / f"many-{count}.yaml"
        path.write_text(HEAD + "".join(f"- {{id: q{i}, x: 1}}\n" for i in range(count)))
        return path

    big, small = bank(20_000), bank(2_000)
    assert big.stat().st_size <= 512 * 1024
    big_times, small_times = [], []
    for _ in range(3):
        problems, took = timed(2, check_paths, [big])
        big_times.append(took)
        small_times.append(timed(2, check_paths, [small])[1])
    assert len(problems) == 51 and "more problems" in problems[-1].message
    assert min(big_times) / min(small_times) < 20, (big_times, small_times)


@needs_alarm
def test_a_bank_file_over_512_kb_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(HEAD + "".join(QUESTION.format(i=i) for i in range(20_000)))
    problems, took = timed(2, check_paths, [path])
    assert took < 2 and len(problems) == 1 and "larger than 524,288 bytes" in problems[0].message


@pytest.mark.parametrize("extra, read", [(0, True), (1, False)])
def test_the_bank_size_limit_on_both_sides(tmp_path, extra, read):
    text = (DATA / "sample.yaml").read_text()
    padding = 512 * 1024 + extra - len(text.encode()) - 3
    path = tmp_path / "sample.yaml"
    path.write_text(text + "\n#" + "x" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == 512 * 1024 + extra
    problems = check_paths([path])
    assert (not any("larger than" in p.message for p in problems)) is read
    if read:
        assert load_file(path).id == "sample"


@needs_fifo
@needs_alarm
def test_a_pipe_among_bank_files_is_reported_not_opened(tmp_path):
    (tmp_path / "sample.yaml").write_text((DATA / "sample.yaml").read_text())
    os.mkfifo(tmp_path / "zz.yaml")
    with time_limit(5):
        problems = check_paths([tmp_path])
        direct = check_paths([tmp_path / "zz.yaml"])
        with pytest.raises(BankError, match="not a file"):
            load_file(tmp_path / "zz.yaml")
    assert [(Path(p.file).name, "not a file" in p.message) for p in problems] == [("zz.yaml", True)]
    assert [Path(p.file).name for p in direct] == ["zz.yaml"]


# -- 5. class results read one level of sub-folders and list everything they skip --------------------------
@needs_fifo
@needs_alarm
def test_sub_folders_are_read_one_level_deep_and_odd_entries_are_listed(tmp_path):
    from course.class_results import class_results_from_folder, load_folder

    folder = tmp_path / "class"
    (folder / "Ann Lee" / "deeper").mkdir(parents=True)
    (folder / "bo.json").write_text(json.dumps(synthetic_export("Bo", 1)))
    (folder / "Ann Lee" / "export.json").write_text(json.dumps(synthetic_export("Ann", 2)))
    (folder / "Ann Lee" / "feedback.html").write_text("<p>well done</p>")
    (folder / "Ann Lee" / "deeper" / "x.json").write_text(json.dumps(synthetic_export("Deep", 3)))
    (folder / "Ann Lee" / "link.json").symlink_to(folder / "bo.json")
    (folder / "outside").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(folder / "pipe.json")
    os.mkfifo(folder / "Ann Lee" / "pipe.json")
    if len(str(folder / "sock.json")) > 100:
        pytest.skip("a socket's path has a short length limit")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "sock.json"))
        with time_limit(30):
            accepted, skipped = load_folder(folder)
            results = class_results_from_folder(folder)
    finally:
        server.close()
    reasons = {s.source: s.reason for s in skipped}
    assert sorted(s.learner for s in accepted) == ["Ann", "Bo"]
    assert "not followed" in reasons["Ann Lee/link.json"] and "not followed" in reasons["outside"]
    assert "only .json files" in reasons["Ann Lee/feedback.html"]
    assert "two levels down" in reasons["Ann Lee/deeper/"]
    assert "a pipe (FIFO), not a file; it was not opened" == reasons["pipe.json"] == reasons["Ann Lee/pipe.json"]
    assert "a socket, not a file" in reasons["sock.json"]
    assert len(skipped) == 7 and results.learners == 2 and len(results.skipped) == 7


# -- 6. pseudonyms replace file names, never words of a reason ---------------------------------------------
def test_file_names_that_are_words_do_not_garble_the_reasons(tmp_path):
    from course.class_results import class_results_from_folder

    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("is", "file", "export", "json", "newer"):
        (folder / name).write_text("not json")
    older = synthetic_export("Sam", 1)
    older["exported_at"], older["learner_id"] = "2026-10-01T10:00:00+00:00", "7" * 32
    newer = synthetic_export("Sam", 2)
    newer["exported_at"], newer["learner_id"] = "2026-11-01T10:00:00+00:00", "7" * 32
    (folder / "older.json").write_text(json.dumps(older))
    (folder / "latest.json").write_text(json.dumps(newer))
    named = class_results_from_folder(folder, names=True)
    hidden = class_results_from_folder(folder)
    not_json = ["file is not valid JSON (Expecting value)"] * 5
    assert [sk.reason for sk in named.skipped if sk.source != "older.json"] == not_json
    assert [sk.reason for sk in hidden.skipped if "newer" not in sk.reason] == not_json
    [superseded] = [sk for sk in hidden.skipped if "newer" in sk.reason]
    assert superseded.reason == "an older export of the same learner; the file of Learner 01 is newer"
    assert {sk.source for sk in hidden.skipped} == {f"file {i}" for i in range(1, 7)}


# -- 7. a path that is not a file is refused before it is opened ------------------------------------------
@needs_fifo
@needs_alarm
def test_importing_a_pipe_is_refused_without_waiting(store, tmp_path):
    pipe = tmp_path / "upload.json"
    os.mkfifo(pipe)
    with time_limit(5), pytest.raises(ExportError, match=r"upload\.json is a pipe \(FIFO\), not a file"):
        import_export(store, pipe)
    assert not any(store.counts().values())


def test_importing_a_folder_is_refused_with_its_name(store, tmp_path):
    with pytest.raises(ExportError, match=f"{tmp_path.name} is a folder, not a file"):
        import_export(store, tmp_path)


# -- from a second attack ------------------------------------------------------------------------------
def test_whole_numbers_written_as_decimals_still_build_the_course(tmp_path):
    from course.bank import load_file

    text = (Path(__file__).parent / "data" / "sample.yaml").read_text()
    text = re.sub(r"(?m)^number: (\d+)$", r"number: \1.0", text)
    path = tmp_path / "decimal.yaml"
    path.write_text(text)
    loaded = load_file(path)
    assert isinstance(loaded.number, int) and isinstance(loaded.minutes, int)
    assert f"{loaded.number:02d}"


@pytest.mark.parametrize("field, value", [("title", "\x85"), ("title", "\u2028"), ("title", "\ufeff"),
                                          ("title", "\x1c"), ("lesson", "sample\n")])
def test_blank_text_and_ids_with_a_line_break_are_refused_by_both_validators(tmp_path, field, value):
    import yaml

    from course import bank

    doc = yaml.safe_load((Path(__file__).parent / "data" / "sample.yaml").read_text())
    doc[field] = value
    assert not bank._schema_valid(doc)
    assert any(True for _ in bank._validator().iter_errors(doc))
    assert bank.check_text(yaml.safe_dump(doc), "odd.yaml")[1], "the checker reports it"


@pytest.mark.parametrize("source, refused", [("quiz({'a': 1})", True), ("quiz(['a'])", True),
                                             ("quiz(lesson_id='two-words')", True),
                                             ("quiz(" + "-" * 200_000 + "1)", False)])
def test_the_course_page_refuses_calls_it_cannot_read_in_words(tmp_path, source, refused):
    import json as _json
    import shutil

    from course.static_site import LessonFileError, course_html

    folder = tmp_path / "modules"
    shutil.copytree(Path(__file__).parent.parent / "modules", folder)
    first = sorted(folder.glob("00_*.ipynb"))[0]
    nb = _json.loads(first.read_text())
    nb["cells"].append({"cell_type": "code", "id": "odd", "metadata": {}, "execution_count": None, "outputs": [],
                        "source": [source]})
    first.write_text(_json.dumps(nb))
    if refused:
        with pytest.raises(LessonFileError) as info:
            course_html(folder)
        assert "cannot be read" in str(info.value) and len(str(info.value)) < 1000
    else:  # too deep for Python to parse: not a call the page can read, so it is left out, never run
        assert "<html" in course_html(folder)


def test_every_helper_message_keeps_a_readable_copy_when_saved():
    import widgets
    from course.jupyter_hooks import FALLBACK_START

    for shown in (widgets.quiz("no-such-lesson"), widgets.quiz("two-words", "x" * 5000),
                  widgets.reflection("two-words", "nope"), widgets.where_saved(), widgets.instructor_mode(False),
                  widgets.class_results("/no/such/folder")):
        html = shown._repr_mimebundle_()["text/html"]
        assert html.startswith(FALLBACK_START), type(shown)
        assert "x" * 100 not in html, "a long id is never repeated whole"
