import time

import pytest

from course.store import ProgressStore
from widgets.course_views import DownloadWork, Progress, UploadWork, course_map_markdown
from widgets.quiz_view import Quiz
from widgets.reflection_view import ReflectionBox


def make_quiz(sample, store, *ids):
    questions = [sample.question(i) for i in ids] if ids else list(sample.questions)
    return Quiz(sample, questions, store)


def test_wrong_then_right_shows_each_feedback_and_records_each_attempt(sample, store):
    quiz = make_quiz(sample, store, "pick-one")
    view = quiz.views[0]
    assert view.check_button.disabled, "nothing to check before an answer is picked"
    view.set_answer(1)
    view.check_button.click()
    assert "✘ Not quite" in view.feedback.value and "That gives meaning and direction." in view.feedback.value
    assert view.retry_button.layout.display != "none"
    assert "0 of 1" in quiz.score_line.value
    view.set_answer(0)
    assert not view.checked
    view.check_button.click()
    assert "✔ Correct" in view.feedback.value and "Rotas organise people and time." in view.feedback.value
    assert view.retry_button.layout.display == "none"
    assert "1 of 1" in quiz.score_line.value and "all correct" in quiz.score_line.value
    assert [(a["answer"], a["correct"]) for a in store.attempts("sample")] == [(1, False), (0, True)]


def test_retry_clears_the_answer_and_feedback(sample, store):
    view = make_quiz(sample, store, "pick-one").views[0]
    view.set_answer(1)
    view.check_button.click()
    view.retry_button.click()
    assert view.feedback.value == "" and view.value is None and view.check_button.disabled


def test_multiple_select_partial_then_full(sample, store):
    view = make_quiz(sample, store, "pick-many").views[0]
    view.set_answer([0])
    view.check_button.click()
    assert "Partly right" in view.feedback.value and "still 1 right option" in view.feedback.value
    view.set_answer([0, 1])
    view.check_button.click()
    assert view.correct and store.last_answer("sample", "pick-many") == [0, 1]


def test_classify_needs_every_statement_and_escapes_text(sample, store):
    view = make_quiz(sample, store, "sort").views[0]
    view.set_answer(["managing", "leading", None])
    assert view.check_button.disabled
    view.set_answer(["managing", "managing", "both"])
    view.check_button.click()
    assert "2 of 3 sorted" in view.feedback.value
    third = view.input.dropdowns[view.order.index(2)]
    assert third.description.endswith("<b>now</b>") and third.description_allow_html is False  # shown as text
    assert "<b>now</b>" not in view.feedback.value


def test_scenario_and_true_false(sample, store):
    quiz = make_quiz(sample, store, "case", "judge")
    quiz.views[0].set_answer(1)
    quiz.views[0].check_button.click()
    assert "The trucks are still late." in quiz.views[0].feedback.value
    quiz.views[1].set_answer(0)
    quiz.views[1].check_button.click()
    assert quiz.views[1].correct and "1 of 2" in quiz.score_line.value


def test_rerun_restores_the_last_answer_and_its_feedback(sample, store):
    first = make_quiz(sample, store)
    first.views[3].set_answer(["managing", "leading", "both"])
    first.views[3].check_button.click()
    again = make_quiz(sample, store)
    view = again.views[3]
    assert view.value == ["managing", "leading", "both"]
    assert [d.value for d in view.input.dropdowns] == [["managing", "leading", "both"][i] for i in view.order]
    assert "Your last answer" in view.feedback.value and view.correct
    assert "1 of 5" in again.score_line.value


def test_no_answer_key_in_learner_mode(sample, store):
    assert not hasattr(make_quiz(sample, store).views[0], "key")


def test_store_warning_is_visible_in_the_quiz(sample, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = ProgressStore(blocker / "sub" / "p.sqlite3")
    quiz = make_quiz(sample, store, "pick-one")
    assert "Saving to disk is not working" in quiz.children[0].value
    quiz.views[0].set_answer(0)
    quiz.views[0].check_button.click()
    assert store.last_answer("sample", "pick-one") == 0


def test_reflection_saves_typing_and_restores_on_rerun(sample, store):
    box = ReflectionBox(sample, sample.reflection("own-words"), store, debounce=0)
    box.area.value = "Leading sets direction"
    assert store.reflection("sample", "own-words").text == "Leading sets direction"
    assert "Saved at" in box.status_line.value and "3 words" in box.status_line.value
    again = ReflectionBox(sample, sample.reflection("own-words"), store)
    assert again.area.value == "Leading sets direction" and "Saved at" in again.status_line.value


def test_reflection_debounces_then_saves(sample, store):
    box = ReflectionBox(sample, sample.reflection("example"), store, debounce=0.2)
    for text in ("I", "I led", "I led a move"):
        box.area.value = text
    assert box.pending and "Saving" in box.status_line.value
    assert store.reflection("sample", "example") is None
    deadline = time.time() + 5
    while box.pending and time.time() < deadline:
        time.sleep(0.05)
    assert [r["text"] for r in store.reflection_revisions()] == ["I led a move"]


def test_reflection_flush_saves_pending_text_at_once(sample, store):
    box = ReflectionBox(sample, sample.reflection("example"), store, debounce=60)
    box.area.value = "kept even if the kernel stops now"
    box.flush()
    assert store.reflection("sample", "example").text == "kept even if the kernel stops now"


def test_reflection_escapes_the_prompt_and_keeps_text_when_saving_fails(sample, store):
    box = ReflectionBox(sample, sample.reflection("own-words"), store, debounce=0)
    store.close()  # every write now fails
    box.area.value = "words that must not vanish"
    assert "Not saved" in box.status_line.value
    assert box.area.value == "words that must not vanish"


def test_negative_debounce_is_rejected(sample, store):
    from traitlets import TraitError

    with pytest.raises(TraitError):
        ReflectionBox(sample, sample.reflection("own-words"), store, debounce=-1)


def test_progress_counts_solved_questions_and_written_reflections(sample, store):
    store.record_attempt("sample", "pick-one", 1, False, 0)
    store.record_attempt("sample", "judge", 0, True, 1)
    store.save_reflection("sample", "own-words", "text")
    store.save_reflection("sample", "example", "   ")
    view = Progress((sample,), store)
    assert view.completion() == {"sample": (2, 7)}
    assert "2 of 7 done" in view.rows.children[0].children[1].value
    store.record_attempt("sample", "pick-one", 0, True, 1)
    view.refresh()
    assert view.rows.children[0].children[0].value == 3


def test_course_map_links_every_lesson(sample):
    text = course_map_markdown((sample,))
    assert "[A sample lesson for tests](90_sample.ipynb)" in text and "| 10 |" in text


def _links(html):
    import base64
    import re

    return {name: base64.b64decode(data) for name, data in
            re.findall(r'download="([^"]+)" href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)"', html)}


def test_the_json_download_holds_the_work_as_of_each_click(sample, store):
    import json
    import re

    view = DownloadWork(store)
    assert _links(view.export_link.value) == {}, "no file is sent to the page before a click"
    view.json_button.click()
    (first,) = _links(view.export_link.value).values()
    assert json.loads(first)["reflections"] == []
    store.save_reflection("sample", "own-words", "<img src=x onerror=alert(1)>")
    view.json_button.click()
    (latest,) = _links(view.export_link.value).values()
    assert json.loads(latest)["reflections"][0]["text"] == "<img src=x onerror=alert(1)>"
    assert "<img" not in re.sub(r'href="[^"]+"', "", view.export_link.value)
    view.name.value = "Ada"
    view.json_button.click()
    (named,) = _links(view.export_link.value).values()
    assert json.loads(named)["learner"] == "Ada"


def test_zip_bundle_holds_everything(sample, store):
    import io
    import zipfile

    store.save_reflection("sample", "own-words", "kept")
    view = DownloadWork(store)
    view.name.value = "Ada"
    view.button.click()
    (archive,) = _links(view.links.value).values()
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert "lead-manage-export.json" in names and "reflections-portfolio.md" in names
    assert store.get("learner_name") == "Ada"


def test_upload_merges_or_explains(store, tmp_path):
    from course.exchange import export_json

    other = ProgressStore(tmp_path / "other.sqlite3")
    other.save_reflection("sample", "own-words", "from Binder")
    view = UploadWork(store)
    view.merge_bytes("work.json", export_json(other).encode())
    assert "0 new quiz answers, 1 new reflection revision, 0 new ratings" in view.result.value
    assert store.reflection("sample", "own-words").text == "from Binder"
    view.merge_bytes("<evil>.json", b"\x00\x01 junk")
    assert "was not imported" in view.result.value and "&lt;evil&gt;" in view.result.value


def test_steady_typing_still_saves_every_two_seconds(sample, store):
    box = ReflectionBox(sample, sample.reflection("example"), store, debounce=1.0)
    clock = [100.0]
    box._clock = lambda: clock[0]
    text = ""
    for step in range(4):  # a keystroke every 0.5 s re-arms the 1 s debounce: 0, 0.5, 1.0, 1.5 s
        text += "word "
        box.area.value = text
        clock[0] += 0.5
    assert store.reflection(sample.id, "example") is None, "still within two seconds"
    box.area.value = text + "more"  # at 2.0 s
    assert store.reflection(sample.id, "example").text == text + "more", "saved at 2 s despite steady typing"
    assert box.max_wait == 2.0


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_stopped_kernel_flushes_pending_text(tmp_path, signame):
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal
        from course.bank import lesson
        from course.store import ProgressStore
        from widgets.reflection_view import ReflectionBox
        two = lesson("two-words")
        box = ReflectionBox(two, two.reflections[0], ProgressStore({str(tmp_path / 'p.sqlite3')!r}), debounce=60)
        box.area.value = "typed just before the kernel stopped"
        os.kill(os.getpid(), signal.{signame})
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0, "the signal still ends the process"
    from course.bank import lesson

    two = lesson("two-words")
    saved = ProgressStore(tmp_path / "p.sqlite3").reflection(two.id, two.reflections[0].id)
    assert saved is not None and saved.text == "typed just before the kernel stopped"


def test_upload_says_when_the_store_is_busy(sample, store, monkeypatch):
    import sqlite3

    from course.exchange import export_json

    def busy(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "merge", busy)
    view = UploadWork(store)
    view.merge_bytes("mine.json", export_json(store, "Ada").encode())
    assert "was not imported" in view.result.value and "database is locked" in view.result.value


def test_a_signal_during_a_save_does_not_hang_the_kernel(tmp_path):
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal
        from course.bank import lesson
        from course.store import ProgressStore
        from widgets.reflection_view import ReflectionBox
        two = lesson("two-words")
        box = ReflectionBox(two, two.reflections[0], ProgressStore({str(tmp_path / 'p.sqlite3')!r}), debounce=60)
        box.area.value = "typed"
        box._lock.acquire()  # as if the signal arrived in the middle of this thread's own save
        os.kill(os.getpid(), signal.SIGTERM)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0, "the process ended instead of hanging"


def test_deleting_back_to_the_saved_text_shows_saved(sample, store):
    box = ReflectionBox(sample, sample.reflection("example"), store, debounce=60)
    box.area.value = "kept"
    box.flush()
    box.area.value = "kept!"
    assert "Saving" in box.status_line.value
    box.area.value = "kept"
    assert "Saving" not in box.status_line.value and "Saved at" in box.status_line.value


def test_a_locked_file_says_saving_is_delayed_then_saved(sample, store):
    import sqlite3

    other = sqlite3.connect(store.path, isolation_level=None)  # another program holds the write lock
    other.execute("BEGIN IMMEDIATE")
    box = ReflectionBox(sample, sample.reflection("own-words"), store, debounce=0)
    started = time.monotonic()
    box.area.value = "words typed while the file is locked"
    assert time.monotonic() - started < 1.5, "a keystroke must not block the kernel on a lock"
    assert "delayed" in box.status_line.value and "kept" in box.status_line.value
    other.execute("ROLLBACK")
    other.close()
    deadline = time.time() + 10
    while "delayed" in box.status_line.value and time.time() < deadline:
        time.sleep(0.05)
    assert "Saved at" in box.status_line.value
    on_disk = sqlite3.connect(store.path).execute("SELECT text FROM reflections").fetchall()
    assert on_disk == [("words typed while the file is locked",)]


def test_a_killed_kernel_loses_at_most_the_last_two_seconds_of_steady_typing(tmp_path):
    """SIGKILL cannot be caught: what was typed more than max_wait (2 s) before it must be on disk."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal, sys, time
        from course.bank import lesson
        from course.store import ProgressStore
        from widgets.reflection_view import ReflectionBox
        two = lesson("two-words")
        box = ReflectionBox(two, two.reflections[0], ProgressStore({str(tmp_path / 'p.sqlite3')!r}), debounce=1.0)
        start, text = time.monotonic(), ""
        while time.monotonic() - start < 7:  # a keystroke every 0.1 s, so the 1 s debounce never runs out
            text += "w{{:04d}} ".format(int((time.monotonic() - start) * 100))
            box.area.value = text
            time.sleep(0.1)
        print(text, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == -9
    typed = run.stdout.split()
    from course.bank import lesson

    two = lesson("two-words")
    saved = ProgressStore(tmp_path / "p.sqlite3").reflection(two.id, two.reflections[0].id)
    assert saved is not None, "steady typing for 7 s saved nothing before the kill"
    kept = saved.text.split()
    assert kept == typed[:len(kept)], "what is on disk is exactly what was typed, in order"
    lost_hundredths = int(typed[-1][1:]) - int(kept[-1][1:])
    assert lost_hundredths <= 250, f"lost {lost_hundredths / 100} s of typing"
