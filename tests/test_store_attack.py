"""The progress store under harder faults: two kernels recovering one damaged file at once, views stopped
and started while they are being told of a save, a kernel killed while its saves wait for another
program's lock, a named pipe where the file should be, and damage to the file's header alone."""
import fcntl
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import uuid

import pytest

from course import store_file, store_salvage
from course.store import ProgressStore
from tests.test_store_faults import _overwrite_in_a_row, _three_hundred_rows, held, on_disk


def _damaged(path, rows=2000):
    """Write `rows` reflections and damage one of them so that the file fails SQLite's quick check."""
    store = ProgressStore(path)
    store.merge([], [{"uid": uuid.uuid4().hex, "lesson": "l", "reflection": f"r{i}", "text": f"text {i} " * 20,
                      "at": "2026-01-01T00:00:00+00:00"} for i in range(rows)], [])
    store.close()
    _overwrite_in_a_row(path, 0)
    assert on_disk(path, "PRAGMA quick_check")[0][0] != "ok"


# -- two kernels opening the same damaged file -------------------------------------------------------------
KERNEL = textwrap.dedent("""
    import json, sys
    from course.store import ProgressStore
    print("ready", flush=True)
    sys.stdin.readline()  # every kernel opens the file the moment the test says so
    store = ProgressStore(sys.argv[1])
    store.save_reflection("mine", sys.argv[2], "words of kernel " + sys.argv[2])
    print(json.dumps({"warning": store.warning, "where": store.where}), flush=True)
    store.close()
""")


def test_two_kernels_opening_one_damaged_file_at_once_both_save_into_it(tmp_path):
    for trial in range(5):
        folder = tmp_path / f"trial{trial}"
        folder.mkdir()
        path = folder / "progress.sqlite3"
        _damaged(path)
        kernels = [subprocess.Popen([sys.executable, "-c", KERNEL, str(path), who], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True) for who in "AB"]
        try:
            assert [k.stdout.readline().strip() for k in kernels] == ["ready", "ready"]
            for k in kernels:
                k.stdin.write("go\n")
                k.stdin.flush()
            said = [json.loads(k.communicate(timeout=60)[0]) for k in kernels]
        finally:
            for k in kernels:
                if k.poll() is None:
                    k.kill()
        assert said == [{"warning": None, "where": str(path)}] * 2, f"trial {trial}: no kernel was sent to memory"
        assert on_disk(path, "SELECT reflection FROM reflections WHERE lesson = 'mine' ORDER BY reflection") == \
            [("A",), ("B",)], f"trial {trial}: both kernels' words are in the file the course reads"
        salvaged = on_disk(path, "SELECT count(*) FROM reflections WHERE lesson = 'l'")[0][0]
        assert 1900 <= salvaged < 2000, "what could be read, salvaged once"
        assert len(list(folder.glob("progress.corrupt-*.sqlite3"))) == 1, "moved aside once, by one kernel"


def test_a_kernel_waiting_its_turn_uses_the_file_another_kernel_has_just_replaced(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    _damaged(path, rows=50)
    real, wants_turn, other_has_it = store_salvage.taking_turns, threading.Event(), threading.Event()

    def turns(where, alone):
        if alone:  # this kernel found the file damaged and is about to wait for its turn to replace it
            wants_turn.set()
            other_has_it.wait(20)
        return real(where, alone)

    monkeypatch.setattr(store_file, "taking_turns", turns)
    opened = []
    kernel = threading.Thread(target=lambda: opened.append(ProgressStore(path)))
    kernel.start()
    assert wants_turn.wait(20)
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)  # another kernel's turn: it moves the file aside and starts a fresh one
        other_has_it.set()
        os.rename(path, tmp_path / "elsewhere.sqlite3")
        fresh = ProgressStore(tmp_path / "other" / "progress.sqlite3")  # made elsewhere: this folder is locked
        fresh.save_reflection("l", "r", "the other kernel's words")
        fresh.close()
        os.rename(fresh.path, path)
    finally:
        os.close(folder)
    kernel.join(20)
    (store,) = opened
    assert store.notice is None and store.warning is None, "looked again: the file is healthy now"
    assert store.reflection("l", "r").text == "the other kernel's words"
    assert not list(tmp_path.glob("progress.corrupt-*")), "a healthy file is never moved aside"
    store.close()


def test_a_kernel_stuck_replacing_the_file_holds_the_others_up_for_a_bounded_time(tmp_path, monkeypatch):
    monkeypatch.setattr(store_salvage, "RECOVERY_WAIT", 1.0)
    path = tmp_path / "progress.sqlite3"
    ProgressStore(path).close()
    folder = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(folder, fcntl.LOCK_EX)  # another kernel is replacing the file, and stays stuck at it
    try:
        store = ProgressStore(path)
    finally:
        os.close(folder)
    assert store.warning and "another kernel has been repairing" in store.warning and "in memory" in store.warning
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.sqlite3"], "nothing made or moved"
    store.close()


# -- views that listen while the retry thread tells them of a save ------------------------------------------
def test_a_view_may_stop_and_start_views_while_it_is_told_of_a_save(store):
    calls, stops = [], {}

    def first():
        calls.append("first")
        if "third" not in stops:  # as a re-run cell does: the old views stop, a new one starts
            stops["second"]()
            stops["third"] = store.on_change(lambda: calls.append("third"))
            stops["first"]()

    stops["first"] = store.on_change(first)
    stops["second"] = store.on_change(lambda: calls.append("second"))
    store.save_reflection("l", "r", "one")
    assert calls == ["first"], "a view stopped before its turn is not called"
    calls.clear()
    store.save_reflection("l", "r", "two")
    assert calls == ["third"] and store.listener_count == 1, "stopped views stay stopped, the new one listens"


def test_views_added_while_another_thread_notifies_are_kept(store):
    entered, go_on = threading.Event(), threading.Event()
    calls = []

    def slow():
        entered.set()
        go_on.wait(10)

    stop_slow = store.on_change(slow)
    notifying = threading.Thread(target=store._changed)  # as the retry thread does once waiting rows land
    notifying.start()
    assert entered.wait(10)
    stop_slow()
    store.on_change(lambda: calls.append("new"))
    go_on.set()
    notifying.join(10)
    store.save_reflection("l", "r", "later")
    assert calls == ["new"] and store.listener_count == 1


# -- saves waiting for another program's lock survive a killed kernel ---------------------------------------
TYPING = textwrap.dedent("""
    import sys, time
    from course.store import ProgressStore
    store = ProgressStore(sys.argv[1])
    for i in range(int(sys.argv[2])):
        store.save_reflection("l", "r", f"typed {i}")
        print(i, store.delayed, flush=True)
    time.sleep(60)  # killed here, with every revision still waiting for the lock
""")


def _typed_then_killed(path, revisions):
    kernel = subprocess.Popen([sys.executable, "-c", TYPING, str(path), str(revisions)], stdout=subprocess.PIPE,
                              text=True)
    try:
        lines = [kernel.stdout.readline().split() for _ in range(revisions)]
    finally:
        kernel.send_signal(signal.SIGKILL)
        kernel.wait(30)
    assert lines[-1] == [str(revisions - 1), str(revisions)], "every save waited for the lock"


def test_saves_waiting_for_a_lock_survive_a_killed_kernel(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore(path).close()
    with held(path, "EXCLUSIVE"):
        _typed_then_killed(path, 20)
        queue = tmp_path / "progress.sqlite3-pending"
        assert on_disk(queue, "SELECT count(*) FROM reflections") == [(20,)], "queued in a file, not the lock's"
        assert stat.S_IMODE(queue.stat().st_mode) == 0o600
    store = ProgressStore(path)  # the next session, after the other program has let go
    assert [r["text"] for r in store.reflection_revisions()] == [f"typed {i}" for i in range(20)]
    assert store.delayed == 0 and store.warning is None
    assert [t for (t,) in on_disk(path, "SELECT text FROM reflections ORDER BY rowid")] == \
        [f"typed {i}" for i in range(20)], "written into the progress file itself"
    assert on_disk(queue, "SELECT count(*) FROM reflections") == [(0,)], "and the queue emptied"
    store.close()


def test_a_session_opened_while_the_lock_is_still_held_writes_the_queue_once_it_clears(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore(path).close()
    with held(path) as release:
        _typed_then_killed(path, 5)
        store = ProgressStore(path)
        assert store.reflection("l", "r").text == "typed 4" and store.delayed == 5, "shown while it waits"
        release()
        assert store.flush(10)
    assert on_disk(path, "SELECT text FROM reflections ORDER BY rowid") == [(f"typed {i}",) for i in range(5)]
    store.close()


def test_rows_written_and_still_queued_are_kept_once(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore(path).close()
    with held(path):
        _typed_then_killed(path, 5)
    queue = tmp_path / "progress.sqlite3-pending"
    conn = sqlite3.connect(path)  # as if the kernel was killed after writing the queue but before emptying it
    conn.execute("ATTACH DATABASE ? AS pending", (str(queue),))
    conn.execute("INSERT INTO main.reflections SELECT * FROM pending.reflections WHERE rowid <= 3")
    conn.commit()
    conn.close()
    store = ProgressStore(path)
    assert [r["text"] for r in store.reflection_revisions()] == [f"typed {i}" for i in range(5)]
    assert on_disk(path, "SELECT count(*), count(DISTINCT uid) FROM reflections") == [(5, 5)]
    store.close()


def test_two_stores_draining_one_queue_write_each_row_once(tmp_path):
    path = tmp_path / "progress.sqlite3"
    first = ProgressStore(path)
    with held(path) as release:
        for i in range(4):
            first.save_reflection("l", "r", f"first {i}")
        second = ProgressStore(path)  # opened while the rows wait: it finds them and writes them too
        second.save_reflection("l", "r2", "second")
        assert second.delayed == first.delayed == 5
        release()
        assert first.flush(10) and second.flush(10)
    assert on_disk(path, "SELECT count(*), count(DISTINCT uid) FROM reflections") == [(5, 5)]
    assert [r["text"] for r in ProgressStore(path).reflection_revisions()] == [*(f"first {i}" for i in range(4)),
                                                                              "second"]
    first.close()
    second.close()


def test_a_store_that_never_waits_leaves_no_queue_file(tmp_path):
    store = ProgressStore(tmp_path / "progress.sqlite3")
    store.save_reflection("l", "r", "written at once")
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.sqlite3"]


# -- something that is not a file where the progress file should be ----------------------------------------
ODD = textwrap.dedent("""
    import json, os, socket, sys
    from course.store import ProgressStore
    path = sys.argv[1]
    if sys.argv[2] == "named pipe":
        os.mkfifo(path)
    elif sys.argv[2] == "socket":
        socket.socket(socket.AF_UNIX).bind(path)
    else:
        os.mkdir(path)
    store = ProgressStore(path)
    store.save_reflection("l", "r", "kept for this session")
    print(json.dumps({"warning": store.warning, "where": store.where, "text": store.reflection("l", "r").text}))
""")


@pytest.mark.parametrize("kind", ["named pipe", "socket", "folder"])
def test_something_that_is_not_a_file_is_never_opened(tmp_path, kind):
    path = tmp_path / "progress.sqlite3"
    done = subprocess.run([sys.executable, "-c", ODD, str(path), kind], capture_output=True, text=True, timeout=20)
    seen = json.loads(done.stdout)
    assert seen["warning"] and f"{path} is a {kind}, not a file" in seen["warning"] and "in memory" in seen["warning"]
    assert seen["where"] == "in memory only (this session)" and seen["text"] == "kept for this session"


# -- damage to the header alone --------------------------------------------------------------------------------
@pytest.mark.parametrize("offset, garble", [(0, b"XXXXXX"), (0, b"\x00" * 16), (16, b"\x00\x03")],
                         ids=["header string", "header string zeroed", "page size"])
def test_damage_to_the_header_alone_keeps_every_row(tmp_path, offset, garble):
    path = tmp_path / "progress.sqlite3"
    _three_hundred_rows(path)
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(garble)
    damaged = path.read_bytes()
    store = ProgressStore(path)
    assert store.counts() == {"attempts": 100, "reflections": 100, "ratings": 100}
    assert "300 of its 300 rows were recovered" in store.notice and store.warning is None
    (moved,) = tmp_path.glob("progress.corrupt-*.sqlite3")
    assert moved.read_bytes() == damaged, "the damaged copy is kept as it was"
    store.close()


def test_settings_are_not_counted_as_rows_of_work(tmp_path):
    path = tmp_path / "progress.sqlite3"
    _three_hundred_rows(path)
    store = ProgressStore(path)
    store.learner_id
    store.set("learner_name", "Ada")
    store.close()
    _overwrite_in_a_row(path, 0)
    store = ProgressStore(path)
    kept = sum(store.counts().values())
    assert 290 <= kept < 300 and f"{kept} of its 300 rows were recovered" in store.notice
    assert store.get("learner_name") == "Ada"
    store.close()


def test_a_file_whose_only_readable_rows_are_settings_says_no_work_was_read(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore(path)
    store.save_reflection("l", "r", "my words")
    store.set("learner_name", "Ada")
    store.close()
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reflections'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:  # the reflections' one page garbled: the only work there was is gone
        f.seek((root - 1) * size + 8)
        f.write(b"\xff" * (size - 8))
    store = ProgressStore(path)
    assert store.counts()["reflections"] == 0
    assert "none of its rows could be read" in store.notice
    store.close()
