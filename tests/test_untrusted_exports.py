"""Every malformed export is an ExportError whose reason never quotes learner text; Markdown never runs HTML."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.exchange import ExportError, markdown_text, parse_export, portfolio_markdown

SECRET = "my-private-reflection-text"


def export(**changes):
    doc = {"format": "lead-manage-export", "version": 2, "exported_at": "2026-11-01T10:00:00+00:00", "learner": "Ada",
           "attempts": [], "reflections": [], "ratings": []}
    doc.update(changes)
    return doc


def reflection(text):
    return {"uid": "a" * 32, "lesson": "two-words", "reflection": "x", "text": text, "at": "2026-11-01T10:00:00+00:00"}


@pytest.mark.parametrize("raw, reason", [
    (json.dumps(export()).replace('"version": 2', '"version": 1.0'), "version 1.0 is not supported"),
    (json.dumps(export()).replace('"version": 2', '"version": true'), "version True is not supported"),
    ('{"format": "lead-manage-export", "format": "x", "version": 2}', "repeats a key"),
    (json.dumps(export()).replace('"ratings": []', '"ratings": [], "n": ' + "9" * 4301), "number too long"),
    (json.dumps(export()).replace('"ratings": []', '"ratings": [], "n": NaN'), "NaN"),
    (json.dumps(export()).replace('"ratings": []', '"ratings": [], "n": -Infinity'), "Infinity"),
    (json.dumps(export(reflections=[reflection("half an emoji \ud83d")])), "not valid Unicode"),
])
def test_malformed_exports_are_export_errors(raw, reason):
    with pytest.raises(ExportError, match=reason):
        parse_export(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)


def test_a_reason_never_quotes_the_learners_words():
    from course.exchange import MAX_NAME_CHARS

    too_long = SECRET + "x" * MAX_NAME_CHARS
    with pytest.raises(ExportError) as info:
        parse_export(json.dumps(export(learner=too_long)))
    assert SECRET not in str(info.value) and f"longer than {MAX_NAME_CHARS:,} characters" in str(info.value)
    assert "at learner:" in str(info.value)
    with pytest.raises(ExportError) as info:
        parse_export(json.dumps(export(learner={"name": SECRET})))
    assert SECRET not in str(info.value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(field=st.sampled_from(["attempts", "reflections", "ratings", "learner", "learner_id", "version", "exported_at",
                              "profile"]), value=json_values)
def test_arbitrary_values_in_an_export_never_escape_as_other_errors(field, value):
    doc = export(**{field: value})
    try:
        raw = json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError):
        return
    try:
        parse_export(raw)
    except ExportError:
        pass


def test_markdown_shows_learner_text_and_never_html():
    hostile = '<img src=x onerror="alert(1)"> <style>body{display:none}</style> [link](javascript:x) ![i](y) # title'
    out = markdown_text(hostile)
    assert "<" not in out and ">" not in out and "](" not in out
    assert out.startswith("&lt;img") and "\\# title" in out


def test_portfolio_and_plan_escape_learner_text_and_name(store):
    from course.instruments import action_plan
    from course.plan import plan_markdown

    store.save_reflection("two-words", "what-you-lead", "<img src=x onerror=alert(1)>")
    text = portfolio_markdown(store, "<b>Ada</b>")
    assert "<img" not in text and "&lt;img src=x onerror=alert\\(1\\)&gt;" in text and "<b>" not in text
    plan = plan_markdown(action_plan(), {"context": "<style>x</style>"}, {}, "<script>")
    assert "<style>" not in plan and "<script>" not in plan


def test_a_prolific_learners_export_still_imports(store, tmp_path):
    from course.exchange import MAX_BYTES, export_json, export_learner, import_export
    from course.store import ProgressStore

    text = "word " * 400
    for prompt in range(30):
        for revision in range(120):  # 30 prompts, 120 autosaved revisions of about 2,000 characters: 7 MB in all
            store.save_reflection("two-words", f"prompt-{prompt}", f"{text}{revision}")
    full = export_learner(store)
    assert full["reflection_history"] == "latest" and len(full["reflections"]) == 30
    data = export_json(store, "Ada").encode()
    assert len(data) <= MAX_BYTES == 5 * 1024 * 1024
    other = ProgressStore(tmp_path / "other.sqlite3")
    import_export(other, data)
    assert other.reflection("two-words", "prompt-3").text == store.reflection("two-words", "prompt-3").text


def test_a_small_export_keeps_every_revision(store):
    from course.exchange import export_learner

    store.save_reflection("two-words", "x", "first")
    store.save_reflection("two-words", "x", "second")
    doc = export_learner(store, "Ad\ud800a")
    assert doc["reflection_history"] == "full" and len(doc["reflections"]) == 2
    assert doc["learner"] == "Ad\ufffda", "a broken character in the name cannot break the download"


def test_error_locations_never_quote_keys_from_the_file_and_versions_stay_short():
    doc = export(profile={"before": {"<script>SECRET-NAME</script>" + "x" * 10_000: {"x": 9}}})
    with pytest.raises(ExportError) as info:
        parse_export(json.dumps(doc))
    assert "SECRET" not in str(info.value) and len(str(info.value)) < 300
    with pytest.raises(ExportError) as info:
        parse_export(json.dumps(export(version=list(range(100_000)))))
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("field", ["learner_id", "uid"])
def test_an_id_with_a_trailing_newline_is_not_an_id(field):
    doc = export(learner_id="a" * 32 + "\n") if field == "learner_id" else export(
        reflections=[{**reflection("x"), "uid": "a" * 32 + "\n"}])
    with pytest.raises(ExportError):
        parse_export(json.dumps(doc))


def test_markdown_keeps_structure_out_of_learner_text():
    out = markdown_text("x\n===\n- a\n1986. A good year.\n    indented\nhttps://example.org/x")
    lines = out.split("  \n")
    assert lines[1] == "\\===" and lines[2] == "\\- a" and lines[3].startswith("1986\\.")
    assert lines[4].startswith("&nbsp;&nbsp;&nbsp;&nbsp;indented") and "https\\:" in lines[5]


# -- class results over arbitrary exports ---------------------------------------------------------
def _bank_keys():
    from course.bank import lessons
    from course.instruments import action_plan, self_assessment
    from course.plan import BEHAVIOURS, field_key, tag_key
    from course.review import POST_TEST

    found = lessons()
    return {"questions": [(lesson.id, q.id) for lesson in found for q in lesson.questions]
            + [(POST_TEST, q.id) for q in found[0].questions] + [("<b>x</b>", "q"), ("two-words", "nope")],
            "reflections": [(lesson.id, r.id) for lesson in found for r in lesson.reflections] + [("x", "<b>x</b>")],
            "plan": [field_key(f.id) for f in action_plan().fields] + [tag_key(b) for b in BEHAVIOURS],
            "items": [i.id for i in self_assessment().items] + ["<i>item</i>"]}


KEYS = _bank_keys()
# Mostly real times, so most generated files get past the time check and reach the rest; now and then a bad one.
times = st.sampled_from(["2026-11-01T10:00:00+00:00", "2026-11-01T09:00:00+00:00", "2026-11-01T12:00:00+05:00",
                         "2026-11-01T08:00:00Z"] * 4 + ["not a time", "2026-11-01"])
hostile = st.sampled_from(["", "   ", "<script>alert(1)</script>", "every Monday with Sam on 14 March", "x " * 20])
uids = st.integers(0, 2 ** 128 - 1).map(lambda n: f"{n:032x}")
answers = (st.none() | st.integers(-2, 12) | st.sampled_from([1.0, 3.0])
           | st.lists(st.none() | st.integers(-1, 9) | st.sampled_from(["leading", "managing", "both", "<b>"]), max_size=8))
attempt = st.builds(lambda uid, key, answer, correct, score, at: {
    "uid": uid, "lesson": key[0], "question": key[1], "answer": answer, "correct": correct, "score": score, "at": at},
    uids, st.sampled_from(KEYS["questions"]), answers, st.booleans(), st.sampled_from([0, 0.5, 1.0, 1]), times)
reflection_row = st.builds(lambda uid, key, text, at: {
    "uid": uid, "lesson": key[0], "reflection": key[1], "text": text, "at": at},
    uids, st.sampled_from(KEYS["reflections"]) | st.sampled_from(KEYS["plan"]).map(lambda r: ("capstone-plan", r)),
    hostile | st.sampled_from(["leading", "managing", "both"]) | st.text(max_size=40), times)
rating = st.fixed_dictionaries({
    "uid": uids, "phase": st.sampled_from(["before", "after", "after", "during"]), "item": st.sampled_from(KEYS["items"]),
    "value": st.none() | st.integers(1, 5) | st.just(2.0), "at": times})
exports = st.fixed_dictionaries({
    "format": st.just("lead-manage-export"), "version": st.sampled_from([1, 2]), "exported_at": times,
    "attempts": st.lists(attempt, max_size=12), "reflections": st.lists(reflection_row, max_size=12),
    "ratings": st.lists(rating, max_size=10)},
    optional={"learner": st.none() | hostile | st.text(max_size=30),
              "learner_id": st.sampled_from(["a" * 32, "b" * 32, "c" * 32, "c" * 31]),
              "reflection_history": st.sampled_from(["full", "latest", "some"]),
              "profile": st.just({}) | json_values})
# Now and then one part of an export is anything at all.
exports = st.one_of(exports, exports, exports, st.builds(
    lambda doc, field, value: {**doc, field: value}, exports,
    st.sampled_from(["attempts", "reflections", "ratings", "learner", "exported_at", "profile"]), json_values))


def _submissions(docs):
    from course.class_results import read_submission

    subs = []
    for i, doc in enumerate(docs):
        try:
            raw = json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")
        except (ValueError, TypeError):
            continue
        try:
            subs.append(read_submission(f"<b>{i}</b>.json", raw))
        except ExportError:
            pass
    return subs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(docs=st.lists(exports, min_size=1, max_size=4), names=st.booleans())
def test_class_results_over_arbitrary_exports_never_escape_as_errors(docs, names):
    from course.class_results import aggregate, dedupe, summary_lines, tables_html

    accepted, skipped = dedupe(_submissions(docs), [])
    results = aggregate(accepted, skipped, names=names)
    assert results.learners == len(accepted)
    shown = " ".join(summary_lines(results)) + "".join(tables_html(results).values())
    assert "<script>" not in shown and "<b>x</b>" not in shown


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(docs=st.lists(exports, min_size=1, max_size=3))
def test_the_report_over_arbitrary_exports_is_always_written(docs):
    from course.class_results import aggregate, dedupe, report_html

    html = report_html(aggregate(*dedupe(_submissions(docs), [])), names=True)
    assert html.startswith("<!doctype html>") and "<script>" not in html
