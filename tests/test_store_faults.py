"""The progress store under real-world faults: a long lock held by another program, a file another
program or a newer course wrote, a read-only folder or file, a damaged file, and times from other clocks."""
import contextlib
import re
import sqlite3
import struct
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.store import ProgressStore

# -- another program holding the file's write lock ------------------------------------------------------
HOLDER = textwrap.dedent("""
    import select, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN " + sys.argv[2])
    conn.execute("INSERT INTO attempts VALUES (?, 'l', 'other', '0', 0, 0.0, '2026-01-01T00:00:00+00:00')", ("f" * 32,))
    print("locked", flush=True)
    select.select([sys.stdin], [], [], 30)  # held until the test says so (or 30 s, whatever happens to the test)
    conn.execute("COMMIT")
""")


@contextlib.contextmanager
def held(path, how="IMMEDIATE"):
    """Hold the file's write lock in a second process (which also writes one row) until `release()`."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), how], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)

    def release():
        if proc.poll() is None:
            proc.stdin.write("go\n")
            proc.stdin.flush()
            assert proc.wait(timeout=30) == 0

    try:
        assert proc.stdout.readline().strip() == "locked"
        yield release
        release()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def on_disk(path, sql):
    """Read the file with a connection of its own, as another program would."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def timed(call, *args):
    start = time.monotonic()
    call(*args)
    return time.monotonic() - start


@pytest.mark.parametrize("how", ["IMMEDIATE", "EXCLUSIVE"])
def test_a_long_lock_delays_saves_without_blocking_and_loses_none(tmp_path, how):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore(path)
    store.save_reflection("l", "r", "before the lock")
    texts = [f"typed while locked {i}" for i in range(6)]
    with held(path, how) as release:
        took = []
        for i, text in enumerate(texts):
            took += [timed(store.save_reflection, "l", "r", text), timed(store.record_attempt, "l", "q", i, True, 1.0),
                     timed(store.save_rating, "before", "item", 1 + i % 5)]
        took.append(timed(store.set, "learner_name", "Ada"))
        assert max(took) < 1.0, "no save waits on the other program"
        waiting = store.delayed
        assert waiting == 19 and "Saving is delayed" in store.status_message()
        assert store.save_reflection("l", "r", texts[-1]).text == texts[-1] and store.delayed == waiting, \
            "the same text is not queued twice"
        assert store.reflection("l", "r").text == texts[-1] and store.last_answer("l", "q") == 5
        assert store.attempt_count("l", "q") == 6 and store.ratings("before") == {"item": 1} and \
            store.get("learner_name") == "Ada"
        assert [r["text"] for r in store.reflection_revisions()] == ["before the lock", *texts]
        assert on_disk(path, "SELECT text FROM reflections") == [("before the lock",)], "still held"
        release()
        assert store.flush(10)
    assert store.delayed == 0 and store.status_message() is None
    assert store.warning is None and store.where == str(path), "a busy file never sends the store to memory"
    assert [t for (t,) in on_disk(path, "SELECT text FROM reflections ORDER BY rowid")] == ["before the lock", *texts]
    assert on_disk(path, "SELECT question, answer FROM attempts ORDER BY rowid") == \
        [("other", "0")] + [("q", str(i)) for i in range(6)], "the other program's row, then ours in order"
    assert [v for (v,) in on_disk(path, "SELECT value FROM ratings ORDER BY rowid")] == [1 + i % 5 for i in range(6)]
    assert on_disk(path, "SELECT value FROM meta WHERE key = 'learner_name'") == [("Ada",)]
    store.close()


def test_opening_a_file_another_program_holds_does_not_wait(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore(path).close()
    with held(path, "EXCLUSIVE"):
        start = time.monotonic()
        store = ProgressStore(path)
        assert time.monotonic() - start < 1.0 and store.warning is None and store.notice is None
        assert timed(store.save_reflection, "l", "r", "first words") < 1.0 and store.delayed == 1
        assert len(store.learner_id) == 32 and store.learner_id == store.learner_id
    assert store.flush(10)
    assert on_disk(path, "SELECT text FROM reflections") == [("first words",)]
    assert on_disk(path, "SELECT value FROM meta WHERE key = 'learner_id'") == [(store.learner_id,)]


def test_close_writes_what_waits_once_the_lock_clears(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore(path)
    with held(path) as release:
        store.save_reflection("l", "r", "saved while locked")
        assert store.delayed == 1
        threading.Timer(1.0, release).start()
        assert store.close(timeout=20)
    assert on_disk(path, "SELECT text FROM reflections") == [("saved while locked",)]


def test_flush_all_writes_what_waits_in_every_open_store(tmp_path):
    from course.store import flush_all

    path = tmp_path / "progress.sqlite3"
    stores = [ProgressStore(path), ProgressStore(path)]
    with held(path) as release:
        for n, store in enumerate(stores):
            store.save_reflection("l", f"r{n}", f"store {n}")
        assert not flush_all(0.3), "still held"
        threading.Timer(0.5, release).start()
        assert flush_all(20)
    assert on_disk(path, "SELECT text FROM reflections ORDER BY text") == [("store 0",), ("store 1",)]


def test_a_normal_exit_writes_what_waits(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore(path).close()
    child = textwrap.dedent("""
        import sys
        from course.store import ProgressStore
        store = ProgressStore(sys.argv[1])
        store.save_reflection("l", "r", "typed just before the kernel exits")
        print(store.delayed, flush=True)
    """)  # no close(): the kernel simply exits
    with held(path) as release:
        proc = subprocess.Popen([sys.executable, "-c", child, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "1", "the save waits for the lock"
        time.sleep(0.5)
        release()
        assert proc.wait(timeout=30) == 0
    assert on_disk(path, "SELECT text FROM reflections") == [("typed just before the kernel exits",)]


def test_a_lock_during_an_import_delays_it_without_duplicates(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore(path)
    rows = [{"uid": f"{i:032x}", "lesson": "l", "reflection": "r", "text": f"imported {i}",
             "at": "2026-11-01T10:00:00+00:00"} for i in range(3)]
    store.merge([], rows[:1], [])
    with held(path):
        broken = [{**r, "uid": f"{9 + i:032x}"} for i, r in enumerate(rows)]
        broken[-1]["text"] = None
        with pytest.raises(sqlite3.IntegrityError):
            store.merge([], broken, [])
        assert store.delayed == 0, "a merge that fails halfway leaves nothing waiting either"
        assert store.merge([], rows, [])["reflections"] == 2, "the one already in the file is skipped"
        assert store.merge([], rows, [])["reflections"] == 0, "and so are the two waiting"
    assert store.flush(10)
    assert on_disk(path, "SELECT text FROM reflections ORDER BY rowid") == [(r["text"],) for r in rows]


def test_a_file_that_fails_while_rows_wait_keeps_them_in_memory(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore(path)
    store.save_reflection("l", "r", "written")
    with held(path):
        store.save_reflection("l", "r", "waiting")
        store._conn.execute("PRAGMA query_only = ON")  # from now on the file refuses writes, as on a full disk
    assert store.flush(10)
    assert store.warning and "could not be written" in store.warning
    assert [r["text"] for r in store.reflection_revisions()] == ["written", "waiting"]
    store.save_reflection("l", "r", "after")
    assert store.reflection("l", "r").text == "after"


def test_a_save_re_entered_during_a_save_is_refused_not_sent_to_memory(store):
    store.save_reflection("l", "r", "kept")
    store._conn.execute("BEGIN")  # as when a signal handler saves while this thread is inside a save
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        store.save_reflection("l", "r", "from the handler")
    store._conn.execute("ROLLBACK")
    assert store.warning is None and store.delayed == 0
    store.save_reflection("l", "r", "later")
    assert [r["text"] for r in ProgressStore(store.path).reflection_revisions()] == ["kept", "later"]


# -- a file the course did not write --------------------------------------------------------------------
def test_a_file_another_program_wrote_is_moved_aside_unchanged(tmp_path):
    path = tmp_path / "progress.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE attempts (id INTEGER PRIMARY KEY, title TEXT, done INTEGER)")
    other.executemany("INSERT INTO attempts (title, done) VALUES (?, ?)", [("a chore", 0), ("another", 1)])
    other.commit()
    other.close()
    original = path.read_bytes()
    store = ProgressStore(path)
    (moved,) = [p for p in tmp_path.iterdir() if ".other-program-" in p.name]
    assert moved.read_bytes() == original
    assert store.notice and moved.name in store.notice and "not written by this course" in store.notice
    assert store.warning is None and store.counts() == {"attempts": 0, "reflections": 0, "ratings": 0}
    store.save_reflection("l", "r", "kept")
    store.close()
    assert ProgressStore(path).reflection("l", "r").text == "kept"


def test_a_file_from_a_newer_course_is_read_but_never_written(tmp_path):
    path = tmp_path / "progress.sqlite3"
    first = ProgressStore(path)
    first.save_reflection("l", "r", "written by a newer course")
    first.record_attempt("l", "q", [1, 2], True, 1.0)
    first.close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    store = ProgressStore(path)
    assert store.reflection("l", "r").text == "written by a newer course" and store.last_answer("l", "q") == [1, 2]
    assert store.warning and "Download my work" in store.warning and store.where == "in memory only (this session)"
    assert "pip install --upgrade lead-manage" in store.notice and "newer version" in store.notice
    store.save_reflection("l", "r", "this session")
    assert store.reflection("l", "r").text == "this session"
    store.close()
    assert path.read_bytes() == before, "never rewritten"
    assert on_disk(path, "PRAGMA user_version") == [(2,)], "never stamped back"
    assert not [p for p in tmp_path.iterdir() if "-20" in p.name], "nothing moved aside"


# -- read what can be read: a read-only folder or file, as an ordinary learner meets them ----------------
READ_ONLY = """
    from course.store import ProgressStore
    data = folder / "data"
    first = ProgressStore(data / "progress.sqlite3")
    for i in range(3):
        first.record_attempt("l", f"q{{i}}", i, True, 1.0)
    first.save_reflection("l", "r", "written before")
    first.save_rating("before", "item", 4)
    first.close()
    locked = {locked}
    locked.chmod({mode})
    try:
        store = ProgressStore(data / "progress.sqlite3")
        at_open = store.warning
        store.save_reflection("l", "r2", "new words")
        seen = {{"at_open": at_open, "counts": store.counts(), "old": store.reflection("l", "r").text,
                 "new": store.reflection("l", "r2").text, "answers": [a["answer"] for a in store.attempts()],
                 "ratings": [r["value"] for r in store.rating_rows()], "where": store.where}}
    finally:
        locked.chmod({restore})
    print(json.dumps(seen))
"""


@pytest.mark.parametrize("locked, mode, restore", [("data", "0o500", "0o700"),
                                                   ('data / "progress.sqlite3"', "0o400", "0o600")],
                         ids=["read-only folder", "read-only file"])
def test_earlier_work_in_a_read_only_place_stays_visible_and_downloadable(as_learner, locked, mode, restore):
    seen = as_learner.json(READ_ONLY.format(locked=locked, mode=mode, restore=restore))
    assert seen["at_open"] and "Saving to disk is not working" in seen["at_open"], "said at once, before a save"
    assert "earlier work" in seen["at_open"] and "Download my work" in seen["at_open"]
    assert seen["counts"] == {"attempts": 3, "reflections": 2, "ratings": 1}
    assert seen["old"] == "written before" and seen["new"] == "new words"
    assert seen["answers"] == [0, 1, 2] and seen["ratings"] == [4]
    assert seen["where"] == "in memory only (this session)"


# -- a damaged file: salvage what can be read -----------------------------------------------------------
def _leaf_cells(path, table):
    """Return (page size, [(page number, [cell offsets])]) of a table's leaf pages, walking its b-tree."""
    data = path.read_bytes()
    size = struct.unpack(">H", data[16:18])[0]
    size = 65536 if size == 1 else size
    todo = [on_disk(path, f"SELECT rootpage FROM sqlite_master WHERE name = '{table}'")[0][0]]
    leaves = []
    while todo:
        page = todo.pop(0)
        start = (page - 1) * size
        head = start + (100 if page == 1 else 0)
        cells = struct.unpack(">H", data[head + 3:head + 5])[0]
        if data[head] == 0x0D:  # a leaf of a table
            offsets = [struct.unpack(">H", data[head + 8 + 2 * i:head + 10 + 2 * i])[0] for i in range(cells)]
            leaves.append((page, offsets))
            continue
        pointers = [struct.unpack(">H", data[head + 12 + 2 * i:head + 14 + 2 * i])[0] for i in range(cells)]
        todo += [struct.unpack(">I", data[start + p:start + p + 4])[0] for p in pointers]
        todo.append(struct.unpack(">I", data[head + 8:head + 12])[0])
    return size, leaves


def _three_hundred_rows(path):
    store = ProgressStore(path)
    for i in range(100):
        store.record_attempt("l", f"q{i}", i, i % 2 == 0, 1.0)
        store.save_reflection("l", f"r{i}", f"reflection {i}: " + "my own words " * 10)
        store.save_rating("before", f"item{i}", 1 + i % 5)
    store.close()


def _overwrite_in_a_row(path, into_cell):
    """Overwrite 16 bytes in the middle leaf page of `reflections`: at a row's start, or `into_cell` bytes in."""
    size, leaves = _leaf_cells(path, "reflections")
    page, cells = leaves[len(leaves) // 2]
    with open(path, "r+b") as f:
        f.seek((page - 1) * size + cells[len(cells) // 2] + into_cell)
        f.write(b"\xff" * 16)


@pytest.mark.parametrize("into_cell, check", [(0, "fails"), (40, "passes")])
def test_a_damaged_file_keeps_every_row_that_can_still_be_read(tmp_path, into_cell, check):
    path = tmp_path / "progress.sqlite3"
    _three_hundred_rows(path)
    _overwrite_in_a_row(path, into_cell)
    damaged = path.read_bytes()
    assert (on_disk(path, "PRAGMA quick_check")[0][0] == "ok") == (check == "passes")
    store = ProgressStore(path)
    counts = store.counts()
    kept = sum(counts.values())
    assert 290 <= kept < 300 and counts["attempts"] == counts["ratings"] == 100
    assert f"{kept} of its 300 rows were recovered" in store.notice and store.warning is None
    (moved,) = [p for p in tmp_path.iterdir() if p.name.startswith("progress.corrupt-") and p.suffix == ".sqlite3"]
    assert moved.name in store.notice and moved.read_bytes() == damaged, "the damaged copy is kept as it was"
    texts = [r["text"] for r in store.reflection_revisions()]
    assert texts == [t for t in (f"reflection {i}: " + "my own words " * 10 for i in range(100)) if t in texts]
    store.close()
    assert on_disk(path, "PRAGMA quick_check") == [("ok",)]
    assert sum(ProgressStore(path).counts().values()) == kept, "the fresh file on disk holds them"


# -- times from other clocks ----------------------------------------------------------------------------
FAR_FUTURE = "9999-12-31T23:59:59+00:00"


def _attempt(uid, answer, at):
    return {"uid": uid, "lesson": "l", "question": "q", "answer": answer, "correct": True, "score": 1.0, "at": at}


def _reflection(uid, text, at):
    return {"uid": uid, "lesson": "l", "reflection": "r", "text": text, "at": at}


def _rating(uid, value, at):
    return {"uid": uid, "phase": "before", "item": "item", "value": value, "at": at}


def test_latest_is_the_last_written_whatever_an_imported_clock_says(store):
    store.save_reflection("l", "r", "mine")
    store.record_attempt("l", "q", 0, False, 0.0)
    store.save_rating("before", "item", 2)
    store.merge([_attempt("a" * 32, 1, FAR_FUTURE)], [_reflection("b" * 32, "imported", FAR_FUTURE)],
                [_rating("c" * 32, 5, FAR_FUTURE)])
    assert store.reflection("l", "r").text == "imported", "an import counts as written when it arrives"
    store.save_reflection("l", "r", "mine, later")
    store.record_attempt("l", "q", 2, True, 1.0)
    store.save_rating("before", "item", 3)
    assert store.reflection("l", "r").text == "mine, later"
    assert store.latest_reflections()[("l", "r")].text == "mine, later"
    assert store.last_answer("l", "q") == 2 and store.ratings("before") == {"item": 3}
    assert [r["text"] for r in store.reflection_revisions()] == ["mine", "imported", "mine, later"]
    assert [a["answer"] for a in store.attempts()] == [0, 1, 2]


@pytest.mark.parametrize("given, stored", [
    ("2026-11-01T12:00:00+05:00", "2026-11-01T07:00:00.000000+00:00"),
    ("2026-11-01T10:00:00.123456-01:30", "2026-11-01T11:30:00.123456+00:00"),
    ("2026-11-01T10:00:00Z", "2026-11-01T10:00:00.000000+00:00"),
    ("2026-11-01T10:00:00", "2026-11-01T10:00:00.000000+00:00"),  # no offset: read as UTC
])
def test_imported_times_are_stored_in_utc(store, given, stored):
    store.merge([_attempt("a" * 32, 1, given)], [_reflection("b" * 32, "t", given)], [_rating("c" * 32, 4, given)])
    assert store.attempts()[0]["at"] == store.reflection_revisions()[0]["at"] == store.rating_rows()[0]["at"] == stored


@pytest.mark.parametrize("bad", ["not a time", "", "2026-13-01T00:00:00+00:00", "2026-11-01T25:00:00",
                                 "0001-01-01T00:00:00+01:00", 20261101, None])
def test_a_malformed_time_is_refused_and_nothing_is_added(store, bad):
    good = "2026-11-01T10:00:00+00:00"
    with pytest.raises(ValueError, match="ISO 8601"):
        store.merge([_attempt("a" * 32, 1, good)], [_reflection("b" * 32, "t", bad)], [_rating("c" * 32, 4, good)])
    assert store.counts() == {"attempts": 0, "reflections": 0, "ratings": 0}


offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
stamps = st.one_of(st.datetimes().map(datetime.isoformat),
                   st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), st.datetimes(), offsets))


@given(st.one_of(st.text(max_size=40), stamps))
def test_any_imported_time_is_stored_in_utc_or_refused_with_a_value_error(at):
    store = ProgressStore(":memory:")
    try:
        store.merge([], [_reflection("b" * 32, "t", at)], [])
    except ValueError:
        assert store.counts()["reflections"] == 0
        return
    stored = store.reflection_revisions()[0]["at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", stored)
    given_time = datetime.fromisoformat(at)
    if given_time.tzinfo is None:
        given_time = given_time.replace(tzinfo=timezone.utc)
    assert datetime.fromisoformat(stored) == given_time


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=5)


@given(st.lists(st.tuples(st.booleans(), texts, stamps), min_size=1, max_size=8))
def test_the_latest_revision_is_always_the_last_written(steps):
    store = ProgressStore(":memory:")
    for n, (imported, text, at) in enumerate(steps):
        try:
            if imported:
                store.merge([], [_reflection(f"{n:032x}", text, at)], [])
            else:
                store.save_reflection("l", "r", text)
        except ValueError:  # a time too close to year 1 or 9999 to exist in UTC: refused, nothing written
            continue
        assert store.reflection("l", "r").text == text
