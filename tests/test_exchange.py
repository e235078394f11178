import json

import pytest

from course.exchange import MAX_BYTES, ExportError, export_json, import_export, parse_export, portfolio_markdown
from course.store import ProgressStore


def fill(store):
    store.record_attempt("two-words", "q1", 1, False, 0.0)
    store.record_attempt("two-words", "q1", 0, True, 1.0)
    store.save_reflection("two-words", "r1", "first thought")
    store.save_reflection("two-words", "r1", "first thought, <script>alert(1)</script> revised")
    store.save_rating("before", "vision-1", 3)


def test_round_trip_into_an_empty_store(store, tmp_path):
    fill(store)
    text = export_json(store, "Ada")
    doc = json.loads(text)
    assert doc["format"] == "lead-manage-export" and doc["version"] == 2 and doc["learner"] == "Ada"
    other = ProgressStore(tmp_path / "other.sqlite3")
    added = import_export(other, text.encode())
    assert added == {"attempts": 2, "reflections": 2, "ratings": 1}
    assert other.attempts() == store.attempts()
    assert other.reflection_revisions() == store.reflection_revisions()
    assert other.ratings("before") == {"vision-1": 3}


def test_import_is_idempotent_and_merges(store, tmp_path):
    fill(store)
    text = export_json(store)
    other = ProgressStore(tmp_path / "other.sqlite3")
    other.save_reflection("two-words", "r2", "written here")
    import_export(other, text)
    assert import_export(other, text) == {"attempts": 0, "reflections": 0, "ratings": 0}
    assert other.counts() == {"attempts": 2, "reflections": 3, "ratings": 1}
    assert other.reflection("two-words", "r2").text == "written here"


def test_import_from_a_path(store, tmp_path):
    fill(store)
    path = tmp_path / "export.json"
    path.write_text(export_json(store))
    other = ProgressStore(tmp_path / "other.sqlite3")
    assert import_export(other, path)["attempts"] == 2


BAD = {
    "not json": (b"{not json", "not valid JSON"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "foreign": (b'{"hello": "world"}', "not a Lead & Manage export"),
    "list": (b"[1, 2, 3]", "not a Lead & Manage export"),
    "version": (b'{"format": "lead-manage-export", "version": 99}', "version 99 is not supported"),
    "schema": (json.dumps({"format": "lead-manage-export", "version": 1, "exported_at": "x", "attempts": [{"uid": "x"}],
                           "reflections": [], "ratings": []}).encode(), "does not match the format at attempts/0"),
    "deep": (b"[" * 100000 + b"]" * 100000, "not"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_are_rejected_with_a_reason_and_change_nothing(store, name):
    fill(store)
    before = store.counts()
    data, reason = BAD[name]
    with pytest.raises(ExportError, match=reason):
        import_export(store, data)
    assert store.counts() == before


def test_oversized_file_is_rejected(store):
    with pytest.raises(ExportError, match="at most"):
        parse_export(b" " * (MAX_BYTES + 1))


def test_portfolio_lists_latest_reflections_with_prompts(tmp_path):
    from course.bank import lessons

    lesson = lessons()[1]
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.save_reflection(lesson.id, lesson.reflections[0].id, "old")
    store.save_reflection(lesson.id, lesson.reflections[0].id, "my newest words")
    text = portfolio_markdown(store, "Ada")
    assert "of Ada" in text
    assert lesson.reflections[0].prompt in text and "my newest words" in text and "old\n" not in text
    assert lesson.title in text


def test_empty_portfolio_says_so(store):
    assert "No reflections written yet." in portfolio_markdown(store)
