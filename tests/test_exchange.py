import json

import pytest

from course.exchange import (MAX_BYTES, ExportError, export_json, import_export, parse_export, portfolio_markdown,
                             write_export)
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


# -- every export the course makes passes its own import and class results -----------------------
def bank_reflections():
    from course.bank import lessons

    return [(lesson.id, r.id) for lesson in lessons() for r in lesson.reflections]


def revision(n, key, text):
    return {"uid": f"{n:032x}", "lesson": key[0], "reflection": key[1], "text": text,
            "at": f"2026-11-{1 + n // 86400:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00"}


def long_reflection(store):
    """One reflection of 150,000 characters."""
    key = bank_reflections()[0]
    store.save_reflection(*key, "word " * 30_000)
    return 1


def prolific(store):
    """30 prompts, each revised 120 times (about 2,000 characters a revision): over 7 MB in all."""
    keys = bank_reflections()[:30]
    text = "word " * 400
    store.merge([], [revision(n, keys[n % 30], f"{text}{n}") for n in range(30 * 120)], [])
    return 30


@pytest.mark.parametrize("learner", [long_reflection, prolific])
def test_every_export_the_course_makes_imports_and_loads_in_class_results(store, tmp_path, learner):
    from course.class_results import class_results_from_folder
    from course.exchange import export_file

    prompts = learner(store)
    export = export_file(store, "Ada")
    assert export.size == len(export.text.encode()) <= MAX_BYTES
    assert export.trimmed == (learner is prolific)
    fresh = ProgressStore(tmp_path / "fresh.sqlite3")
    import_export(fresh, export.text.encode())
    assert fresh.latest_reflections() == store.latest_reflections() and len(fresh.latest_reflections()) == prompts
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.json").write_text(export.text, encoding="utf-8")
    results = class_results_from_folder(folder)
    assert results.learners == 1 and results.skipped == []
    assert results.reflections["learners who wrote"].sum() == prompts


def sized_store(path, length):
    s = ProgressStore(path)
    key = bank_reflections()[0]
    s.merge([], [revision(1, key, "first"), revision(2, key, "x" * length)], [])
    return s


def test_the_whole_history_is_kept_up_to_the_limit_and_trimmed_one_byte_past_it(tmp_path):
    from course.exchange import export_file

    base = export_file(sized_store(tmp_path / "a.sqlite3", 10)).size - 10
    at_limit = export_file(sized_store(tmp_path / "b.sqlite3", MAX_BYTES - base))
    past = export_file(sized_store(tmp_path / "c.sqlite3", MAX_BYTES - base + 1))
    assert at_limit.size == MAX_BYTES and at_limit.reflection_history == "full" and at_limit.rows["reflections"] == 2
    assert past.reflection_history == "latest" and past.rows["reflections"] == 1 and past.size < MAX_BYTES


# -- the download panel -------------------------------------------------------------------------
def downloaded(view):
    import base64
    import re

    view.json_button.click()
    (payload,) = re.findall(r'href="data:application/json;charset=utf-8;base64,([^"]+)"', view.export_link.value)
    return base64.b64decode(payload)


def test_the_download_panel_shows_the_file_and_its_size(store):
    from widgets.course_views import DownloadWork, size_text

    store.save_reflection("two-words", "r1", "a few words")
    view = DownloadWork(store)
    data = downloaded(view)
    assert view.export_size == len(data) and view.reflection_history == "full"
    assert view.json_button.description == f"Answers and reflections (.json, {size_text(len(data))})"
    assert "So far you have written 1 reflection." in view.export_link.value
    assert "keeps only the latest" not in view.export_link.value


def test_the_download_panel_says_when_history_was_trimmed(store):
    from widgets.course_views import DownloadWork

    prolific(store)
    view = DownloadWork(store)
    data = downloaded(view)
    assert view.reflection_history == "latest" and view.export_size == len(data) <= MAX_BYTES
    assert json.loads(data)["reflection_history"] == "latest"
    assert (f"Your file keeps only the latest version of each reflection, because the full history is over "
            f"{MAX_BYTES // (1024 * 1024)} MB") in view.export_link.value
    assert "So far you have written 30 reflections." in view.export_link.value


def test_work_too_large_for_one_file_is_said_and_the_zip_keeps_the_portfolio(store):
    import io
    import zipfile

    from widgets.course_views import DownloadWork

    keys = bank_reflections()[:3]
    share = MAX_BYTES // 2  # three latest reflections of half the limit each: too large even when trimmed
    store.merge([], [revision(n, key, "y" * share) for n, key in enumerate(keys)], [])
    view = DownloadWork(store)
    assert view.export_size == 0 and view.reflection_history == ""
    assert "too large for one file" in view.export_link.value and "data:application/json" not in view.export_link.value
    view.button.click()
    (archive,) = _zip_links(view.links.value)
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert "reflections-portfolio.md" in names and "lead-manage-export.json" not in names


def _zip_links(html):
    import base64
    import re

    return [base64.b64decode(p) for p in re.findall(r'href="data:application/zip;base64,([^"]+)"', html)]


def test_size_text_reads_like_a_file_browser():
    from widgets.course_views import size_text

    assert [size_text(n) for n in (812, 1023, 1024, 41 * 1024 + 100, MAX_BYTES, MAX_BYTES + MAX_BYTES // 10)] == [
        "812 bytes", "1,023 bytes", "1 KB", "41 KB", f"{MAX_BYTES // (1024 * 1024)} MB", "5.5 MB"]


# -- the upload panel ---------------------------------------------------------------------------
def _raise(error):
    def merge(*args, **kwargs):
        raise error
    return merge


@pytest.mark.parametrize("error, says", [
    (ValueError("attempt 1 has a time ('at') that is not an ISO 8601 date and time"), "a value this course cannot store"),
    (__import__("sqlite3").OperationalError("database is locked"), "busy"),
    (__import__("sqlite3").OperationalError("disk I/O error"), "not working just now"),
    (__import__("sqlite3").DatabaseError("database disk image is malformed"), "could not take it"),
    (OSError(28, "No space left on device"), "No space left on device"),
    (RuntimeError("<b>surprise</b>"), "something unexpected went wrong (RuntimeError)"),
    (KeyError("uid"), "something unexpected went wrong (KeyError)"),
])
def test_the_upload_panel_explains_every_failure(store, tmp_path, monkeypatch, caplog, error, says):
    from widgets.course_views import UploadWork

    other = ProgressStore(tmp_path / "other.sqlite3")
    other.save_reflection("two-words", "r1", "from Binder")
    monkeypatch.setattr(store, "merge", _raise(error))
    view = UploadWork(store)
    view.merge_bytes("<i>work</i>.json", export_json(other).encode())
    shown = view.result.value
    assert 'role="alert"' in shown and "&lt;i&gt;work&lt;/i&gt;.json was not imported" in shown and says in shown
    assert "<b>" not in shown and "Traceback" not in shown
    unexpected = not isinstance(error, (ValueError, OSError, __import__("sqlite3").Error))
    assert any(r.levelname == "ERROR" for r in caplog.records) == unexpected, "the unexpected is logged"


def test_the_upload_panel_explains_a_file_that_is_not_an_export(store):
    from widgets.course_views import UploadWork

    view = UploadWork(store)
    view.merge_bytes("notes.json", b'{"hello": "world"}')
    assert 'role="alert"' in view.result.value and "not a Lead &amp; Manage export" in view.result.value


def test_answers_from_another_copy_of_the_course_are_announced(store, tmp_path):
    from widgets.course_views import UploadWork

    store.save_reflection("two-words", "r1", "written here")
    mine = store.learner_id
    other = ProgressStore(tmp_path / "other.sqlite3")
    other.save_reflection("two-words", "r2", "written on Binder")
    theirs = other.learner_id
    view = UploadWork(store)
    view.merge_bytes("binder.json", export_json(other).encode())
    assert f"These answers came from another copy of the course (id {theirs[:8]})" in view.result.value
    assert f"this copy's record (id {mine[:8]})" in view.result.value and store.learner_id == mine
    view.merge_bytes("mine.json", export_json(store).encode())  # its own export: nothing to say
    assert "✔" in view.result.value and "another copy" not in view.result.value
    fresh = ProgressStore(tmp_path / "fresh.sqlite3")
    view = UploadWork(fresh)
    view.merge_bytes("binder.json", export_json(other).encode())  # a fresh copy takes the file's id
    assert "another copy" not in view.result.value and fresh.learner_id == theirs


def test_write_export_names_its_files_as_the_downloads_are(store, tmp_path):
    import re

    fill(store)
    json_path, md_path = write_export(store, tmp_path, "Ann Lee")
    short = store.learner_id[:8]
    assert re.fullmatch(rf"lead-manage-ann-lee-{short}-[0-9]{{8}}-[0-9]{{4}}\.json", json_path.name)
    assert re.fullmatch(rf"lead-manage-portfolio-ann-lee-{short}-[0-9]{{8}}-[0-9]{{4}}\.md", md_path.name)
    assert parse_export(json_path.read_bytes())["learner"] == "Ann Lee"
    unnamed, _ = write_export(store, tmp_path / "x")
    assert unnamed.name.startswith(f"lead-manage-{store.learner_id[:8]}-")
