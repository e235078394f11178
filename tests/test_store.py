import sqlite3
import subprocess
import sys
import textwrap

import pytest

from course.store import ProgressStore, data_dir, default_store


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_MANAGE_DATA_DIR", str(tmp_path / "here"))
    assert data_dir() == tmp_path / "here"
    assert default_store().path == tmp_path / "here" / "progress.sqlite3"
    assert (tmp_path / "here" / "progress.sqlite3").exists()


def test_the_file_is_in_wal_mode_so_reading_never_waits_on_a_writer(store):
    store.save_reflection("l", "r", "words")
    other = sqlite3.connect(store.path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()


def test_everything_survives_a_restart(tmp_path):
    path = tmp_path / "p.sqlite3"
    first = ProgressStore(path)
    first.record_attempt("l", "q", [0, 2], False, 0.5)
    first.record_attempt("l", "q", [0, 1], True, 1.0)
    first.save_reflection("l", "r", "draft")
    first.save_reflection("l", "r", "draft, then more")
    first.save_rating("before", "item", 4)
    first.close()
    again = ProgressStore(path)
    assert again.last_answer("l", "q") == [0, 1]
    assert again.reflection("l", "r").text == "draft, then more"
    assert [r["text"] for r in again.reflection_revisions()] == ["draft", "draft, then more"]
    assert again.ratings("before") == {"item": 4}
    assert again.solved() == {("l", "q")}
    assert again.warning is None and again.notice is None


def test_unchanged_reflection_is_not_stored_twice(store):
    store.save_reflection("l", "r", "same")
    store.save_reflection("l", "r", "same")
    assert len(store.reflection_revisions()) == 1


WRITER = textwrap.dedent("""
    import sys
    from course.store import ProgressStore
    store = ProgressStore(sys.argv[1])
    who = sys.argv[2]
    for i in range(150):
        store.save_reflection("l", who, f"{who} revision {i}")
        store.record_attempt("l", who, i % 3, i % 2 == 0, 1.0)
    store.close()
""")


def test_two_processes_writing_at_once_keep_every_write(tmp_path):
    path = tmp_path / "shared.sqlite3"
    ProgressStore(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who]) for who in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = ProgressStore(path)
    revisions = store.reflection_revisions()
    for who in ("a", "b"):
        texts = [r["text"] for r in revisions if r["reflection"] == who]
        assert texts == [f"{who} revision {i}" for i in range(150)]
    assert store.counts()["attempts"] == 300


def test_corrupt_file_is_moved_aside_and_a_fresh_store_started(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"this is not a database " * 500)
    store = ProgressStore(path)
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("progress.corrupt-")]
    assert len(moved) == 1 and moved[0].read_bytes().startswith(b"this is not a database")
    assert store.notice and moved[0].name in store.notice
    assert store.warning is None
    store.save_reflection("l", "r", "kept")
    assert ProgressStore(path).reflection("l", "r").text == "kept"


def test_folder_that_cannot_be_created_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ProgressStore(blocker / "data" / "progress.sqlite3")
    assert store.warning and "in memory" in store.warning and "Download my work" in store.warning
    store.save_reflection("l", "r", "still here")
    assert store.reflection("l", "r").text == "still here"
    assert store.where == "in memory only (this session)"


def test_a_write_that_fails_mid_session_moves_to_memory_keeping_everything(store):
    store.save_reflection("l", "r", "before the failure")
    store._conn.execute("PRAGMA query_only = ON")  # the file stops accepting writes, as on a full or read-only disk
    saved = store.save_reflection("l", "r", "after the failure")
    assert saved.text == "after the failure"
    assert store.warning and "could not be written" in store.warning
    assert [r["text"] for r in store.reflection_revisions()] == ["before the failure", "after the failure"]


def test_settings(store):
    assert store.get("learner_name") is None
    store.set("learner_name", "Ada")
    store.set("learner_name", "Ada L.")
    assert store.get("learner_name") == "Ada L."


def test_the_course_keeps_its_folder_and_files_private(tmp_path):
    import stat

    folder = tmp_path / "lead-manage"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # as an older version of the course left it
    s = ProgressStore(folder / "progress.sqlite3")
    s.save_reflection("two-words", "x", "private words")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for f in folder.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, f.name
    chosen = tmp_path / "shared-folder"
    chosen.mkdir(mode=0o755)
    chosen.chmod(0o755)
    ProgressStore(chosen / "progress.sqlite3")
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o755, "a folder the learner chose is left alone"
    fresh = tmp_path / "new" / "deeper"
    ProgressStore(fresh / "progress.sqlite3")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700


def test_merge_skips_only_true_duplicates_and_refuses_non_finite_scores(store):
    row = {"uid": "b" * 32, "lesson": "two-words", "question": "q", "answer": 1, "correct": True, "score": 1.0,
           "at": "2026-11-01T10:00:00+00:00"}
    assert store.merge([row], [], [])["attempts"] == 1
    assert store.merge([row], [], [])["attempts"] == 0
    for bad in (float("nan"), float("inf"), "1"):
        with pytest.raises(ValueError):
            store.merge([{**row, "uid": "c" * 32, "score": bad}], [], [])
    assert store.counts()["attempts"] == 1


def test_typed_text_with_a_broken_character_is_kept_not_refused(store):
    saved = store.save_reflection("two-words", "x", "half an emoji \ud83d and a whole one \U0001F600")
    assert saved.text == "half an emoji \ufffd and a whole one \U0001F600"
    assert store.reflection("two-words", "x").text == saved.text


@pytest.mark.parametrize("value, ok", [(1, True), (5, True), (None, True), (0, False), (6, False), (True, False),
                                       (2.5, False)])
def test_ratings_run_from_one_to_five(store, value, ok):
    if ok:
        store.save_rating("before", "item", value)
        assert store.ratings("before") == {"item": value}
    else:
        with pytest.raises(ValueError):
            store.save_rating("before", "item", value)
