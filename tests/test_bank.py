import subprocess
import sys
from pathlib import Path

import pytest

from course import bank
from course.bank import BankError, check_paths, load_file

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "sample.yaml").read_text()


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_for(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(BankError) as info:
        load_file(path)
    return path, info.value


def test_good_file_loads_into_model_objects(sample):
    assert sample.id == "sample"
    assert [q.type for q in sample.questions] == ["single", "multiple", "truefalse", "classify", "scenario"]
    assert sample.question("pick-many").keyed == (0, 1)
    assert sample.question("judge").keyed == (0,)
    assert sample.question("case").keyed == (0,)
    assert sample.question("case").situation == "Deliveries are late every Monday."
    assert [s.label for s in sample.question("sort").statements] == ["managing", "leading", "both"]
    assert sample.reflection("example").hint == "Any setting counts."


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path, err = problems_for(tmp_path, GOOD.replace("title: \"A sample", "title: [\"A sample"))
    assert str(path) in str(err)
    assert "line" in str(err) and "not valid YAML" in str(err)


def test_unknown_type_names_question_and_field(tmp_path):
    path, err = problems_for(tmp_path, GOOD.replace("type: truefalse", "type: essay"))
    assert f"{path}, question 'judge', field 'type': unknown question type 'essay'" in str(err)


def test_duplicate_id(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("id: pick-many", "id: pick-one"))
    assert "question 'pick-one', field 'id': duplicate id" in str(err)


def test_no_keyed_answer(tmp_path):
    text = GOOD.replace("        correct: true\n        feedback: \"Rotas", "        feedback: \"Rotas")
    _, err = problems_for(tmp_path, text)
    assert "question 'pick-one', field 'options': no option is keyed" in str(err)


def test_two_keyed_answers_in_single_choice(tmp_path):
    text = GOOD.replace("      - text: \"Explaining why the change matters\"\n",
                        "      - text: \"Explaining why the change matters\"\n        correct: true\n")
    _, err = problems_for(tmp_path, text)
    assert "question 'pick-one', field 'options': 2 options are keyed" in str(err)


def test_scenario_without_best_response(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("        best: true\n", ""))
    assert "question 'case', field 'responses'" in str(err)


def test_classify_statement_without_label(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("        label: leading\n", ""))
    assert "question 'sort', field 'statements[1].label': is missing" in str(err)


def test_classify_statement_with_unknown_label(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("label: leading", "label: leader"))
    assert "field 'statements[1].label': label 'leader' is not one of" in str(err)


def test_missing_feedback(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("        feedback: \"Budgeting is <b>managing</b> work.\"\n", ""))
    assert "question 'pick-many', field 'options[2].feedback': is missing" in str(err)


def test_empty_feedback(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("\"Budgeting is <b>managing</b> work.\"", "\"  \""))
    assert "question 'pick-many', field 'options[2].feedback'" in str(err)


def test_field_that_does_not_belong(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("    answer: true\n", "    answer: true\n    options: []\n"))
    assert "question 'judge', field 'options': is not a field" in str(err)


def test_every_problem_in_a_file_is_reported(tmp_path):
    text = GOOD.replace("type: truefalse", "type: essay").replace("        label: leading\n", "")
    _, err = problems_for(tmp_path, text)
    assert len(err.problems) == 2


def test_not_a_mapping(tmp_path):
    _, err = problems_for(tmp_path, "- just\n- a list\n")
    assert "must be a YAML mapping" in str(err)


def test_cli_reports_and_fails(tmp_path):
    bad = write(tmp_path, GOOD.replace("type: truefalse", "type: essay"))
    good = write(tmp_path, GOOD, "good.yaml")
    run = subprocess.run([sys.executable, "-m", "course", "check", str(good), str(bad)], capture_output=True, text=True)
    assert run.returncode == 1
    assert f"{bad}, question 'judge', field 'type'" in run.stderr
    assert str(good) not in run.stderr


def test_cli_passes_good_file(tmp_path):
    good = write(tmp_path, GOOD, "good.yaml")
    run = subprocess.run([sys.executable, "-m", "course", "check", str(good)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_duplicate_lesson_ids_across_files(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("number: 90", "number: 91"), "b.yaml")
    problems = check_paths([tmp_path])
    assert any("lesson id 'sample' is also used" in str(p) for p in problems)


def test_shipped_bank_passes_the_checker():
    run = subprocess.run([sys.executable, "-m", "course", "check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert bank.lessons(), "the course ships at least one lesson"


def test_bad_bank_in_a_notebook_shows_the_message_not_a_traceback(tmp_path, monkeypatch):
    import widgets

    bad = write(tmp_path, GOOD.replace("type: truefalse", "type: essay"), "90_sample.yaml")
    monkeypatch.setattr(bank, "_bank_files", lambda: [bad])
    bank.clear_cache()
    try:
        shown = widgets.quiz("sample")
    finally:
        bank.clear_cache()
    assert "question &#x27;judge&#x27;, field &#x27;type&#x27;: unknown question type" in shown.value
    assert "Traceback" not in shown.value


def test_unknown_lesson_or_question_is_explained():
    import widgets

    assert "no lesson &#x27;nope&#x27;" in widgets.quiz("nope").value
    first = bank.lessons()[0]
    assert "has no question &#x27;nope&#x27;" in widgets.quiz(first.id, "nope").value


def test_one_bad_lesson_file_does_not_stop_the_others(tmp_path, monkeypatch):
    good = write(tmp_path, GOOD, "90_sample.yaml")
    bad = write(tmp_path, GOOD.replace("lesson: sample", "lesson: broken").replace("type: truefalse", "type: essay"),
                "91_broken.yaml")
    monkeypatch.setattr(bank, "_bank_files", lambda: [good, bad])
    bank.clear_cache()
    try:
        assert bank.lesson("sample").id == "sample"
        with pytest.raises(BankError, match="91_broken.yaml, question 'judge'"):
            bank.lesson("broken")
        with pytest.raises(BankError):
            bank.lessons()
    finally:
        bank.clear_cache()


def test_a_repeated_key_is_refused_naming_file_question_and_field(tmp_path):
    text = GOOD.replace('    prompt: "Which is a managing activity?"\n',
                        '    prompt: "Which is a managing activity?"\n    prompt: "A second prompt"\n')
    path, err = problems_for(tmp_path, text)
    assert f"{path}, question 'pick-one', field 'prompt': appears twice" in str(err)


def test_yaml_aliases_are_refused_and_an_alias_bomb_is_never_expanded(tmp_path):
    path, err = problems_for(tmp_path, GOOD.replace('title: "A sample lesson for tests"', 'title: &t "A sample"')
                             .replace('summary: "Used by the unit tests only."', "summary: *t"))
    assert "alias" in str(err)
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f'{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},'
        f'*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n' for i in range(9))
    problems = check_paths([write(tmp_path, bomb, "bomb.yaml")])  # refused at the first alias, never expanded
    assert len(problems) == 1 and "alias" in str(problems[0])


def test_a_long_bad_value_is_not_repeated_in_full(tmp_path):
    _, err = problems_for(tmp_path, GOOD.replace("number: 90", "number: \"" + "9" * 5000 + "\""))
    assert len(str(err)) < 1000


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "lesson: " + "9" * 5000 + "\n"])
def test_yaml_the_loader_cannot_hold_is_a_problem_not_a_crash(tmp_path, text):
    problems = check_paths([write(tmp_path, text, "odd.yaml")])
    assert len(problems) == 1 and "odd.yaml" in str(problems[0])


# -- open-ended input: whatever an author (or a stray file) puts in a bank, the checker answers in words ----
import time as _time  # noqa: E402

import yaml as _yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SAMPLE = _yaml.safe_load(GOOD)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                       max_leaves=12)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


_ALL_PATHS = [p for p in _paths(_SAMPLE) if p]


def _replaced(doc, path, value):
    import copy

    doc = copy.deepcopy(doc)
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(_ALL_PATHS), value=_VALUES)
def test_any_value_anywhere_in_a_bank_is_a_problem_in_words_never_an_escaped_error(tmp_path, path, value):
    text = _yaml.safe_dump(_replaced(_SAMPLE, path, value), allow_unicode=True)
    started = _time.perf_counter()
    problems = check_paths([write(tmp_path, text, "fuzzed.yaml")], course_wide=True)
    assert _time.perf_counter() - started < 2
    assert all("fuzzed.yaml" in str(p) and len(str(p)) < 2000 for p in problems)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_any_text_as_a_bank_file_is_judged_quickly_and_in_words(tmp_path, text):
    path = tmp_path / "any.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = _time.perf_counter()
    problems = check_paths([path])
    assert _time.perf_counter() - started < 2
    assert all("any.yaml" in str(p) for p in problems)


def test_opening_a_lesson_does_not_import_jsonschema(tmp_path):
    """The compiled validator judges a good bank; jsonschema is only imported to explain a bad one."""
    code = ("import sys; from widgets import quiz; quiz('two-words'); "
            "print('jsonschema' in sys.modules, 'jsonschema_rs' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "LEAD_MANAGE_DATA_DIR": str(tmp_path)})
    assert run.stdout.split() == ["False", "True"], run.stderr


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(codec="utf-8", categories=("Zs", "Cc", "Ll", "Zl", "Zp")), max_size=6),
       ident=st.text("ab-1\n_ ", max_size=6))
def test_the_compiled_and_reference_bank_validators_agree(text, ident):
    doc = _replaced(_replaced(_SAMPLE, ("questions", 0, "options", 0, "text"), text), ("questions", 0, "id"), ident)
    reference = not any(True for _ in bank._validator().iter_errors(doc))
    assert bank._schema_valid(doc) == reference or (reference and ident.endswith("\n")), \
        "only a trailing newline, which Python's $ lets through, may be judged more strictly"


def _fresh_lessons():
    bank.clear_cache()
    try:
        return {f.name: bank._shipped(f.name) for f in bank._bank_files()}
    finally:
        bank.clear_cache()


def test_a_checked_bank_read_back_is_the_same_lesson_and_needs_no_yaml(tmp_path):
    """The second kernel reads the JSON kept after a full check: equal lessons, and neither YAML nor the schema."""
    first = _fresh_lessons()  # checks every file and keeps each passed one
    kept = list((tmp_path / "learner-data" / bank.CHECKED_DIR).glob("*.json"))
    assert len(kept) == len(first)
    again = _fresh_lessons()
    assert again == first
    code = ("import sys; from widgets import quiz; quiz('two-words'); "
            "print('yaml' in sys.modules, 'jsonschema_rs' in sys.modules)")
    env = {**__import__("os").environ, "LEAD_MANAGE_DATA_DIR": str(tmp_path / "learner-data")}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert run.stdout.split() == ["False", "False"], run.stderr


@pytest.mark.parametrize("damage", ["", "{", "[]", '{"questions": 3}', '{"questions": [{"id": 1}]}',
                                    '{"lesson": "x", "questions": []}'])
def test_a_damaged_checked_copy_is_ignored_and_the_text_checked_again(tmp_path, damage):
    first = _fresh_lessons()
    for path in (tmp_path / "learner-data" / bank.CHECKED_DIR).glob("*.json"):
        path.write_text(damage, encoding="utf-8")
    again = _fresh_lessons()
    assert again == first


def test_an_edited_bank_is_checked_again_not_read_from_the_kept_copy(tmp_path, monkeypatch):
    good = write(tmp_path, GOOD, "90_sample.yaml")
    monkeypatch.setattr(bank, "_bank_files", lambda: [good])
    bank.clear_cache()
    try:
        assert bank.lesson("sample").id == "sample"
        good.write_text(GOOD.replace("type: truefalse", "type: essay"), encoding="utf-8")
        bank.clear_cache()
        with pytest.raises(BankError, match="90_sample.yaml, question 'judge', field 'type'"):
            bank.lesson("sample")
    finally:
        bank.clear_cache()


def test_a_data_folder_that_cannot_be_written_only_costs_a_check(tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(blocked))
    assert _fresh_lessons() == _fresh_lessons()


@pytest.mark.parametrize("call", [lambda w: w.quiz(["two-words"]), lambda w: w.quiz("two-words", ["different-people"]),
                                  lambda w: w.quiz(None), lambda w: w.reflection("two-words", 3)])
def test_an_id_that_is_not_text_is_explained_not_a_traceback(call):
    import widgets

    shown = call(widgets)
    text = getattr(shown, "value", "") or str(getattr(shown, "fallback_html", lambda: "")())
    assert "id is text in quotes" in text, text
    assert "older than" not in text, "not mistaken for an out-of-date package"


def test_a_kept_copy_changed_on_disk_is_not_believed(tmp_path):
    """A copy whose data no longer matches its digest (a flipped key, say) is checked afresh from the text."""
    import json as _json

    first = _fresh_lessons()
    for path in (tmp_path / "learner-data" / bank.CHECKED_DIR).glob("*.json"):
        kept = _json.loads(path.read_text("utf-8"))
        for q in kept["data"]["questions"]:
            q["prompt"] = "<b>TAMPERED</b>"
        path.write_text(_json.dumps(kept), encoding="utf-8")
    assert _fresh_lessons() == first


def test_a_pipe_where_a_kept_copy_should_be_is_never_opened(tmp_path):
    import os

    first = _fresh_lessons()
    for path in (tmp_path / "learner-data" / bank.CHECKED_DIR).glob("*.json"):
        path.unlink()
        os.mkfifo(path)
    assert _fresh_lessons() == first  # returns at once: a read of the pipe would wait for ever


def test_a_changed_bank_file_replaces_its_old_kept_copy(tmp_path, monkeypatch):
    good = write(tmp_path, GOOD, "90_sample.yaml")
    monkeypatch.setattr(bank, "_bank_files", lambda: [good])
    folder = tmp_path / "learner-data" / bank.CHECKED_DIR
    try:
        bank.clear_cache()
        bank.lesson("sample")
        before = sorted(p.name for p in folder.glob("90_sample-*.json"))
        good.write_text(GOOD.replace("Which is a managing activity?", "Which one is a managing activity?"),
                        encoding="utf-8")
        bank.clear_cache()
        bank.lesson("sample")
        after = sorted(p.name for p in folder.glob("90_sample-*.json"))
    finally:
        bank.clear_cache()
    assert len(before) == len(after) == 1 and before != after


def test_no_checked_copy_is_kept_on_a_nearly_full_disk(tmp_path, monkeypatch):
    """The copies only speed up opening a lesson; the learner's own work needs the last free space more."""
    import collections
    import shutil

    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 64 * 2**20 + 1, 64 * 2**20 - 1))
    first = _fresh_lessons()
    assert list((tmp_path / "learner-data" / bank.CHECKED_DIR).glob("*.json")) == []
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 64 * 2**20, 64 * 2**20))
    assert _fresh_lessons() == first
    assert len(list((tmp_path / "learner-data" / bank.CHECKED_DIR).glob("*.json"))) == len(first)
