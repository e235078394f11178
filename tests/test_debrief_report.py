"""A trainer's debrief: a simulated workshop of 20 team leads, scoped to the session, counted in people.

The class is built as it happens: one real progress store per learner, answers picked by a seeded
random generator, exports handed in as the course names them, one as the course's .zip, one twice,
one renamed, two learners under the same typed name. The expected figures are worked out here from
the raw attempts, plainly, without calling the code under test.
"""
from __future__ import annotations

import base64
import csv
import io
import json
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

import widgets
from course.bank import LABELS, lessons
from course.class_results import (ScopeError, class_results_from_folder, csv_cell, csv_tables, load_folder,
                                  report_html, session_scope)
from course.exchange import bundle_zip, export_json, parse_export
from course.store import ProgressStore

REPO = Path(__file__).resolve().parent.parent
SESSION_LESSONS = ["start-here", "two-words"]
# Every warm-up question and five of lesson 01's seven: the nine questions the session used.
SESSION_QUESTIONS = [("start-here", q) for q in ("who-leads", "born-or-made", "warm-up-sort", "first-week")] + [
    ("two-words", q) for q in ("define-managing", "fernhill-sort", "kotter-bennis-position", "different-people",
                               "fernhill-hire")]
PEOPLE = 20
SHARED_NAME = "Sam Lee"
FORMULA_NAME = "=HYPERLINK(\"http://x\",\"click\")"
LONG = " and then ".join(["we tried a new rota"] * 40)  # far past the quote limit


def lesson_by_id():
    return {lesson.id: lesson for lesson in lessons()}


def is_right(question, answer) -> bool:
    """The key, read straight from the bank: what a quiz marks as right."""
    if question.type == "classify":
        return list(answer) == [s.label for s in question.statements]
    if question.type == "multiple":
        return sorted(answer) == sorted(i for i, c in enumerate(question.choices) if c.correct)
    return question.choices[answer].correct


def pick_answer(question, rng):
    """An answer a learner might give: right about half the time, otherwise a plausible slip."""
    if question.type == "classify":
        return [s.label if rng.random() < 0.7 else rng.choice(LABELS) for s in question.statements]
    if question.type == "multiple":
        keyed = [i for i, c in enumerate(question.choices) if c.correct]
        picked = {i for i in keyed if rng.random() < 0.8}
        picked |= {i for i, c in enumerate(question.choices) if not c.correct and rng.random() < 0.25}
        return sorted(picked or {keyed[0]})
    keyed = [i for i, c in enumerate(question.choices) if c.correct]
    return keyed[0] if rng.random() < 0.55 else rng.randrange(len(question.choices))


@dataclass
class Learner:
    name: str
    shares: bool
    tries: dict = field(default_factory=dict)      # (lesson, question) -> [(answer, right), ...] in order
    written: dict = field(default_factory=dict)    # (lesson, reflection) -> latest text
    store: ProgressStore | None = None


@dataclass
class Workshop:
    folder: Path
    learners: list
    zip_bytes: bytes
    duplicate: str
    renamed: str


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "learner"


@pytest.fixture(scope="module")
def workshop(tmp_path_factory) -> Workshop:
    base = tmp_path_factory.mktemp("workshop")
    folder = base / "handed-in"
    folder.mkdir()
    rng = random.Random(20261130)
    bank = lesson_by_id()
    names = [f"Team lead {i:02d}" for i in range(PEOPLE)]
    names[3] = names[11] = SHARED_NAME
    names[7] = FORMULA_NAME
    # Who answers each session question: most do; one is answered by 9 people and one by 10, either side of
    # the ranking minimum for 20 people (half the class).
    answering = {}
    for n, key in enumerate(SESSION_QUESTIONS):
        count = {0: 9, 1: 10}.get(n, rng.randint(14, PEOPLE))
        answering[key] = set(rng.sample(range(PEOPLE), count))
    outside = ("two-words", "title-names-the-post")  # in the session's lesson but not a session question
    zip_learner, duplicate_learner, renamed_learner = 5, 9, 14
    learners = []
    for i, name in enumerate(names):
        # Two in three agree to share; the .zip carries what its learner chose in the course, which is not to.
        learner = Learner(name, shares=i % 3 != 0 and i != zip_learner)
        store = ProgressStore(base / "stores" / f"{i:02d}.sqlite3")
        for lesson_id in SESSION_LESSONS + ["frameworks"]:
            for question in bank[lesson_id].questions:
                key = (lesson_id, question.id)
                if key in answering and i not in answering[key]:
                    continue
                if key not in answering and key != outside and rng.random() < 0.3:
                    continue
                for _ in range(rng.randint(1, 3)):
                    answer = pick_answer(question, rng)
                    right = is_right(question, answer)
                    store.record_attempt(lesson_id, question.id, answer, right, 1.0 if right else 0.0)
                    learner.tries.setdefault(key, []).append((answer, right))
                    if right and rng.random() < 0.8:
                        break
        for lesson_id in SESSION_LESSONS:
            for reflection in bank[lesson_id].reflections:
                if rng.random() < 0.85:
                    marker = "shared" if learner.shares else "private"
                    text = f"{marker}-words-{i:02d} on <b>{reflection.id}</b>: we talk about the rota each Monday."
                    if i == 1 and reflection.id == "my-own-mix":
                        text = f"shared-words-{i:02d} {LONG}"
                    store.save_reflection(lesson_id, reflection.id, text)
                    learner.written[(lesson_id, reflection.id)] = text
        learner.store = store
        learners.append(learner)

    stamp = "20261130-1504"
    zip_bytes = b""
    for i, learner in enumerate(learners):
        file_name = f"lead-manage-{slug(learner.name)}-{stamp}"
        if i == zip_learner:
            zip_bytes, _ = bundle_zip(learner.store, learner.name)
            (folder / f"{file_name}.zip").write_bytes(zip_bytes)
            continue
        doc = json.loads(export_json(learner.store, learner.name))
        if learner.shares:
            doc["share_reflections"] = True
        elif i % 2:  # an export from before the choice existed has no such field: no consent either
            doc.pop("share_reflections", None)
        else:
            doc["share_reflections"] = False
        text = json.dumps(doc)
        if i == renamed_learner:
            file_name = "final answers"
        if learner.name == SHARED_NAME:
            file_name += f"-{i}"  # two files handed in under one typed name: one was saved under another
        (folder / f"{file_name}.json").write_text(text, encoding="utf-8")
        if i == duplicate_learner:
            (folder / f"{file_name} (1).json").write_text(text, encoding="utf-8")
    for learner in learners:
        learner.store.close()
    return Workshop(folder, learners, zip_bytes, f"lead-manage-{slug(names[duplicate_learner])}-{stamp}.json",
                    "final answers.json")


# -- what the figures should be, from the raw attempts --------------------------------------------
def expected(workshop: Workshop) -> dict:
    bank = lesson_by_id()
    out = {}
    for key in SESSION_QUESTIONS:
        question = bank[key[0]].question(key[1])
        tries = [learner.tries[key] for learner in workshop.learners if key in learner.tries]
        firsts = [t[0][0] for t in tries]
        figures = {"answered": len(tries), "first_right": sum(1 for t in tries if t[0][1]),
                   "final_right": sum(1 for t in tries if t[-1][1])}
        if question.type == "classify":
            parts = [[sum(1 for a in firsts if a[s] == label) for label in LABELS] for s in range(len(question.statements))]
        elif question.type == "multiple":
            parts = [[sum(1 for a in firsts if i not in a)] if c.correct else [sum(1 for a in firsts if i in a)]
                     for i, c in enumerate(question.choices)]
        else:
            parts = [[sum(1 for a in firsts if a == i)] for i in range(len(question.choices))]
        figures["parts"] = parts
        out[key] = figures
    return out


def expected_lessons_done(learner: Learner) -> int:
    bank = lesson_by_id()
    done = 0
    for lesson_id in SESSION_LESSONS:
        lesson = bank[lesson_id]
        solved = all(any(right for _, right in learner.tries.get((lesson_id, q.id), [])) for q in lesson.questions)
        written = all(learner.written.get((lesson_id, r.id), "").strip() for r in lesson.reflections)
        done += solved and written
    return done


class ReportReader(HTMLParser):
    """Read each question's figures and its rows of counts out of the report's HTML."""

    def __init__(self):
        super().__init__()
        self.questions, self.current, self.cell, self.row, self.in_figures = [], None, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "question" in (attrs.get("class") or ""):
            self.current = {"figures": "", "rows": []}
            self.questions.append(self.current)
        elif self.current is not None and tag == "p" and attrs.get("class") == "figures":
            self.in_figures = True
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag == "td":
            self.cell = [attrs.get("class") or "", ""]

    def handle_endtag(self, tag):
        if tag == "article":
            self.current = None
        elif tag == "p":
            self.in_figures = False
        elif tag == "td" and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            counts = [int(re.match(r"\s*(\d+)", text).group(1)) for css, text in self.row if "n" in css.split()]
            if counts:
                self.current["rows"].append(counts)
            self.row = None

    def handle_data(self, data):
        if self.in_figures and self.current is not None:
            self.current["figures"] += data
        if self.cell is not None:
            self.cell[1] += data


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture(scope="module")
def results(workshop):
    return class_results_from_folder(workshop.folder, lessons=SESSION_LESSONS, questions=SESSION_QUESTIONS)


@pytest.fixture(scope="module")
def named(workshop):
    return class_results_from_folder(workshop.folder, names=True, lessons=SESSION_LESSONS, questions=SESSION_QUESTIONS)


# -- the class ------------------------------------------------------------------------------------
def test_the_course_made_zip_is_read_as_an_export(workshop):
    doc = parse_export(workshop.zip_bytes)
    assert doc["learner"] == workshop.learners[5].name and doc["attempts"]


def test_twenty_people_are_counted_whatever_the_files(workshop, results, named):
    assert results.learners == PEOPLE
    [skipped] = results.skipped
    assert "older export of the same learner" in skipped.reason
    assert workshop.duplicate not in skipped.reason, "with names hidden, a reason names no file"
    named_skips = {sk.source for sk in named.skipped}
    assert named_skips & {workshop.duplicate, workshop.duplicate.replace(".json", " (1).json")}
    assert workshop.renamed in set(named.roster["file"])
    assert any(source.endswith(".zip") for source in named.roster["file"]), "the .zip learner is counted"
    assert results.shared_names == ["2 learners typed the same name"]
    assert sorted(n for n in named.roster["learner"] if n.startswith(SHARED_NAME)) == [f"{SHARED_NAME} (1)",
                                                                                        f"{SHARED_NAME} (2)"]


def test_the_scope_is_the_session(results):
    assert [(q.lesson_id, q.question_id) for q in results.question_results] == SESSION_QUESTIONS
    assert list(results.questions["question"]) == [q for _, q in SESSION_QUESTIONS]
    assert "title-names-the-post" not in set(results.questions["question"]), "answered by all, but not in the session"
    assert len(results.completion) == 2 and len(results.reflections) == 3
    assert not results.shows("plans") and not results.shows("profile") and not results.shows("pre_post")


def test_each_question_counts_people_as_worked_out_from_the_raw_attempts(workshop, results):
    want = expected(workshop)
    for q in results.question_results:
        figures = want[(q.lesson_id, q.question_id)]
        assert (q.answered, q.first_right, q.final_right) == (figures["answered"], figures["first_right"],
                                                              figures["final_right"]), q.question_id
        assert q.first_share == pytest.approx(figures["first_right"] / figures["answered"])
        assert q.final_share == pytest.approx(figures["final_right"] / figures["answered"])
        assert [[n for _, n in part.counts] for part in q.parts] == figures["parts"], q.question_id
    table = results.questions.set_index("question")
    for (_, question_id), figures in want.items():
        assert table.loc[question_id, "answered"] == figures["answered"]
        assert table.loc[question_id, "first try correct"] == pytest.approx(figures["first_right"] / figures["answered"])


def test_the_report_shows_the_same_numbers_and_the_wording(workshop, results):
    want = expected(workshop)
    html = report_html(results)
    reader = ReportReader()
    reader.feed(html)
    assert len(reader.questions) == len(SESSION_QUESTIONS)
    bank = lesson_by_id()
    for shown, key in zip(reader.questions, SESSION_QUESTIONS):
        figures = want[key]
        text = " ".join(shown["figures"].split())
        assert f"answered by {figures['answered']} " in text
        first = f"{figures['first_right'] / figures['answered']:.0%}"
        final = f"{figures['final_right'] / figures['answered']:.0%}"
        assert f"right at the first try {first} ({figures['first_right']})" in text
        assert f"right in the end {final} ({figures['final_right']})" in text
        assert shown["rows"] == figures["parts"], key
    stem = bank["two-words"].question("different-people").prompt
    assert str(escape(stem)) in html, "the wording is shown, escaped"


def test_the_csv_tables_carry_the_same_numbers(workshop, results):
    want = expected(workshop)
    tables = csv_tables(results)
    rows = {row["question id"]: row for row in read_csv(tables["questions.csv"])}
    assert list(rows) == [q for _, q in SESSION_QUESTIONS]
    for (_, question_id), figures in want.items():
        row = rows[question_id]
        assert int(row["answered"]) == figures["answered"]
        assert int(row["right at the first try"]) == figures["first_right"]
        assert int(row["right in the end"]) == figures["final_right"]
        assert float(row["share right at the first try"]) == pytest.approx(figures["first_right"] / figures["answered"],
                                                                           abs=1e-4)
    options = read_csv(tables["options.csv"])
    for (_, question_id), figures in want.items():
        counts = [int(row["people"]) for row in options if row["question id"] == question_id]
        assert counts == [n for part in figures["parts"] for n in part], question_id
    assert len(read_csv(tables["learners.csv"])) == PEOPLE


def test_a_question_answered_by_too_few_is_never_ranked(results):
    by_id = {q.question_id: q for q in results.question_results}
    assert results.min_ranked == 10, "half of 20"
    assert by_id["who-leads"].answered == 9 and not by_id["who-leads"].ranked
    assert by_id["born-or-made"].answered == 10 and by_id["born-or-made"].ranked
    hardest = results.hardest(3)
    ranked = [q for q in results.question_results if q.answered >= 10]
    ranked.sort(key=lambda q: (q.first_right / q.answered, q.final_right / q.answered))
    assert [q.question_id for q in hardest] == [q.question_id for q in ranked[:3]]
    html = report_html(results)
    assert html.count("not ranked: fewer than 10 answered") == 1
    assert "Only questions answered by at least 10 people are ranked" in html


def test_each_learner_shows_the_lessons_done(workshop, named):
    table = named.by_learner.set_index("learner")
    for learner in workshop.learners:
        if learner.name == SHARED_NAME:
            continue
        assert table.loc[learner.name, "lessons done"] == expected_lessons_done(learner), learner.name
        assert table.loc[learner.name, "lessons"] == 2
    shared = sorted(table.loc[[f"{SHARED_NAME} (1)", f"{SHARED_NAME} (2)"], "lessons done"])
    assert shared == sorted(expected_lessons_done(x) for x in workshop.learners if x.name == SHARED_NAME)
    for name, row in table.iterrows():
        assert bool(row["not finished yet"]) == (row["lessons done"] < 2), name


# -- reflections: quoted only with consent --------------------------------------------------------
def widget_text(view) -> str:
    """Everything the view holds as text, with its download links decoded."""
    import ipywidgets as W

    found = []

    def walk(widget):
        for name in widget.keys:
            value = getattr(widget, name)
            if isinstance(value, str):
                found.append(value)
        for child in getattr(widget, "children", ()):
            walk(child)
        if isinstance(widget, W.Accordion):
            found.extend(widget.titles)

    walk(view)
    text = "\n".join(found) + view.fallback_html()
    for payload in re.findall(r"base64,([A-Za-z0-9+/=]+)", text):
        decoded = base64.b64decode(payload)
        if not decoded.startswith(b"\x89PNG"):
            text += decoded.decode("utf-8-sig")
    return text


def test_reflections_of_learners_who_did_not_agree_appear_nowhere(workshop, results, named, tmp_path):
    private = [text for learner in workshop.learners if not learner.shares for text in learner.written.values()]
    assert private and all("private-words" in text for text in private)
    out = tmp_path / "csv"
    run = subprocess.run([sys.executable, "-m", "course", "report", str(workshop.folder), "-o", str(tmp_path / "r.html"),
                          "--names", "--csv", str(out)], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    view = widgets.class_results(str(workshop.folder), names=True, lessons=SESSION_LESSONS, questions=SESSION_QUESTIONS)
    assert view.people == PEOPLE
    shown = {
        "report": report_html(results) + report_html(named, names=True),
        "csv": "".join(csv_tables(named, names=True).values()) + "".join(p.read_text("utf-8-sig") for p in out.iterdir()),
        "command's report": (tmp_path / "r.html").read_text(),
        "widget": widget_text(view),
    }
    for where, text in shown.items():
        assert "private-words" not in text, f"a learner who did not agree is quoted in the {where}"
    assert "shared-words" in shown["report"] and "shared-words" in shown["widget"]
    assert "shared-words" not in shown["csv"], "quotes stay out of the tables"


def test_quotes_are_few_short_escaped_unnamed_and_in_a_steady_order(workshop, results):
    bank = lesson_by_id()
    for block in results.quotes:
        assert len(block.quotes) <= 3
        assert all(len(quote) <= 280 for quote in block.quotes)
        sharing = [x for x in workshop.learners if x.shares]
        key = next((lesson_id, r.id) for lesson_id in SESSION_LESSONS for r in bank[lesson_id].reflections
                   if r.prompt == block.prompt)
        assert block.shared == sum(1 for x in sharing if key in x.written)
        assert block.written == sum(1 for x in workshop.learners if key in x.written)
    cut = [q for block in results.quotes for q in block.quotes if q.startswith("shared-words-01 we tried")]
    assert not cut or (cut[0].endswith("…") and len(cut[0]) <= 280)
    html = report_html(results)
    assert html.count("<blockquote>") == sum(len(b.quotes) for b in results.quotes) > 0
    assert "<b>my-own-mix</b>" not in html and "&lt;b&gt;" in html
    section = html[html.index("<h2>Reflections</h2>"):]
    section = section[:section.index("</section>")]
    assert not re.search(r"Learner \d\d", section), "no pseudonym goes with a quote"
    again = class_results_from_folder(workshop.folder, lessons=SESSION_LESSONS, questions=SESSION_QUESTIONS)
    assert [b.quotes for b in again.quotes] == [b.quotes for b in results.quotes], "the same class, the same order"


@pytest.mark.parametrize("value, shared", [(True, True), (False, False), ("true", False), (1, False), (None, False)])
def test_only_a_true_share_flag_lets_a_reflection_be_quoted(tmp_path, value, shared):
    store = ProgressStore(tmp_path / "one.sqlite3")
    store.save_reflection("two-words", "my-own-mix", "quoted-only-with-consent")
    doc = json.loads(export_json(store, "Ada"))
    doc.pop("share_reflections", None)
    if value is not None:
        doc["share_reflections"] = value
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.json").write_text(json.dumps(doc))
    results = class_results_from_folder(tmp_path / "class", lessons=["two-words"])
    html = report_html(results)
    if isinstance(value, bool) or value is None:
        assert results.learners == 1 and results.sharing == int(shared)
        assert ("quoted-only-with-consent" in html) is shared
    else:  # the schema takes only true or false; anything else is not a usable export
        assert results.learners == 0 and "quoted-only-with-consent" not in html


# -- CSV ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_csv_cell_a_spreadsheet_would_run_is_neutralised(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Ada", "1+1", " =1", "'quoted", "", "Learner 01"])
def test_a_csv_cell_that_is_not_a_formula_is_kept(text):
    assert csv_cell(text) == text


def test_a_learners_typed_name_cannot_run_in_a_spreadsheet(named):
    rows = read_csv(csv_tables(named, names=True)["learners.csv"])
    [row] = [r for r in rows if "HYPERLINK" in r["learner"]]
    assert row["learner"] == "'" + FORMULA_NAME
    for table in csv_tables(named, names=True).values():
        for record in csv.reader(io.StringIO(table.lstrip("\ufeff"))):
            assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in record)
            assert not any(cell.startswith("-") for cell in record)


def test_the_command_writes_the_scoped_report_and_csv(workshop, tmp_path):
    out = tmp_path / "tables"
    report = tmp_path / "debrief.html"
    args = [sys.executable, "-m", "course", "report", str(workshop.folder), "-o", str(report), "--lesson", "two-words",
            "--question", "two-words/different-people", "--csv", str(out)]
    run = subprocess.run(args, capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert f"Wrote {report}: {PEOPLE} learners, 1 files skipped." in run.stdout
    questions = read_csv((out / "questions.csv").read_text("utf-8-sig"))
    assert [row["question id"] for row in questions] == ["different-people"]
    assert (out / "questions.csv").read_bytes().startswith(b"\xef\xbb\xbf"), "Excel reads it as UTF-8"
    html = report.read_text()
    assert html.count('class="question"') == 1 and "This session: 01 Two words, one job? — 1 question." in html
    bad = subprocess.run(args[:7] + ["--question", "two-words/no-such-question"], capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 2 and "no question 'no-such-question' in lesson 'two-words'" in bad.stderr
    assert "Traceback" not in bad.stderr


# -- scope ----------------------------------------------------------------------------------------
def test_a_scope_by_lesson_question_or_both():
    bank = lesson_by_id()
    whole = session_scope()
    assert whole.whole and len(whole.questions) == sum(len(x.questions) for x in lessons())
    by_lesson = session_scope(["two-words", "00"])
    assert by_lesson.lessons == ("start-here", "two-words") and not by_lesson.whole
    assert len(by_lesson.questions) == len(bank["start-here"].questions) + len(bank["two-words"].questions)
    both = session_scope(["start-here", "two-words"], [("two-words", "different-people")])
    assert both.questions == tuple(("start-here", q.id) for q in bank["start-here"].questions) + (
        ("two-words", "different-people"),)
    by_question = session_scope(questions=["frameworks/kotter-pairs"])
    assert by_question.lessons == ("frameworks",) and by_question.questions == (("frameworks", "kotter-pairs"),)


@pytest.mark.parametrize("lessons_, questions_, message", [
    (["no-such-lesson"], None, "no lesson 'no-such-lesson'"),
    (None, ["two-words"], "write a question as lesson/question"),
    (None, [("two-words", "<b>x</b>")], "no question '<b>x</b>' in lesson 'two-words'"),
    (None, ["nowhere/who-leads"], "no lesson 'nowhere'"),
])
def test_a_scope_naming_what_the_course_lacks_is_refused(lessons_, questions_, message):
    with pytest.raises(ScopeError, match=re.escape(message)):
        session_scope(lessons_, questions_)


def test_the_widget_says_what_is_wrong_with_a_scope(tmp_path):
    view = widgets.class_results(str(tmp_path), lessons=["<b>nope</b>"])
    html = view._repr_mimebundle_()["text/html"]
    assert "cannot be used" in html and "no lesson" in html and "<b>nope</b>" not in html and "&lt;b&gt;nope&lt;/b&gt;" in html


# -- handing in: zips in sub-folders --------------------------------------------------------------
def test_a_course_made_zip_in_a_sub_folder_is_read_and_other_files_are_listed(workshop, tmp_path):
    folder = tmp_path / "lms"
    (folder / "Ada Obi").mkdir(parents=True)
    shutil.copy(next(workshop.folder.glob("*.zip")), folder / "Ada Obi" / "submission.zip")
    (folder / "Ada Obi" / "notes.txt").write_text("see attached")
    (folder / "Ada Obi" / "other.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    accepted, skipped = load_folder(folder)
    assert [s.source for s in accepted] == ["Ada Obi/submission.zip"]
    reasons = {s.source: s.reason for s in skipped}
    assert "only .json files" in reasons["Ada Obi/notes.txt"]
    assert "zip" in reasons["Ada Obi/other.zip"], "an archive the course did not make is skipped with its reason"


# -- print ----------------------------------------------------------------------------------------
@pytest.mark.browser
def test_the_scoped_report_prints_as_a_short_a4_document(results, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.jupyterlab import chromium_context

    page_file = tmp_path / "report.html"
    page_file.write_text(report_html(results), encoding="utf-8")
    shots = REPO / "test-artifacts"
    shots.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        # 186 mm: the width of an A4 page inside the report's margins, at 96 pixels to the inch
        context = chromium_context(playwright, tmp_path / "profile", viewport={"width": 703, "height": 1000})
        try:
            page = context.new_page()
            requested = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(page_file.as_uri())
            pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))
            assert 2 <= pages <= 5, f"a workshop's report of 9 questions takes {pages} A4 pages"
            page.emulate_media(media="print")
            layout = page.evaluate("""() => {
                const sections = [...document.querySelectorAll('body > section')];
                const style = (el, name) => getComputedStyle(el).getPropertyValue(name);
                return {
                    first: sections[0].className,
                    summaryHeight: sections[0].getBoundingClientRect().height,
                    breaks: sections.slice(1, 3).map(s => style(s, 'break-before')),
                    downloads: style(document.querySelector('.downloads'), 'display'),
                    images: [...document.images].map(i => i.getBoundingClientRect().height),
                };
            }""")
            assert layout["first"] == "summary", "the summary comes first"
            a4_content_height = (297 - 12 - 13) / 25.4 * 96
            assert layout["summaryHeight"] < a4_content_height, "the summary fits on one page"
            assert layout["breaks"] == ["page", "page"], "questions and learners start on a page of their own"
            assert layout["downloads"] == "none", "no buttons on paper"
            assert all(h <= 90 / 25.4 * 96 + 1 for h in layout["images"]), "charts are sized for the page"
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 pixels to the inch
            page.evaluate("document.body.style.padding = '45px'")  # the page's margins, for the picture only
            page.screenshot(path=str(shots / "report-scoped.png"))
            page.screenshot(path=str(shots / "report-scoped-full.png"), full_page=True)
            assert [url for url in requested if not url.startswith(("file:", "data:"))] == []
        finally:
            context.close()


@pytest.mark.parametrize("people, minimum", [(1, 5), (10, 5), (11, 6), (20, 10), (21, 11)])
def test_the_ranking_minimum_is_half_the_class_and_never_below_five(people, minimum):
    from course.class_results import ranking_minimum

    assert ranking_minimum(people) == minimum


def test_the_widget_offers_the_csv_tables_for_download(results, workshop):
    view = widgets.class_results(str(workshop.folder), lessons=SESSION_LESSONS, questions=SESSION_QUESTIONS)
    links = dict(re.findall(r'download="([^"]+)" href="data:text/csv;base64,([A-Za-z0-9+/=]+)"', view.downloads.value))
    assert view.csv_files == len(links) == 3
    for name, text in csv_tables(results).items():
        assert base64.b64decode(links[name]).decode("utf-8-sig") == text
    assert view.scope == "This session: 00 Start here; 01 Two words, one job? — 9 questions."


def test_one_lesson_or_question_may_be_given_alone_and_a_malformed_one_is_refused():
    assert session_scope("two-words") == session_scope(["two-words"])
    assert session_scope(questions="two-words/different-people").questions == (("two-words", "different-people"),)
    with pytest.raises(ScopeError, match="give a question as"):
        session_scope(questions=[("two-words", "different-people", "extra")])


def test_every_csv_download_has_the_same_bytes_as_the_commands_files(workshop, results, tmp_path):
    out = tmp_path / "csv"
    args = [sys.executable, "-m", "course", "report", str(workshop.folder), "-o", str(tmp_path / "r.html"), "--csv",
            str(out)]
    args += [arg for lesson_id in SESSION_LESSONS for arg in ("--lesson", lesson_id)]
    args += [arg for lesson_id, question_id in SESSION_QUESTIONS for arg in ("--question", f"{lesson_id}/{question_id}")]
    run = subprocess.run(args, capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    report = dict(re.findall(r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"',
                             report_html(results)))
    view = widgets.class_results(str(workshop.folder), lessons=SESSION_LESSONS, questions=SESSION_QUESTIONS)
    widget = dict(re.findall(r'download="([^"]+)" href="data:text/csv;base64,([A-Za-z0-9+/=]+)"', view.downloads.value))
    assert set(report) == set(widget) == {p.name for p in out.iterdir()} == {"questions.csv", "options.csv",
                                                                               "learners.csv"}
    for name, payload in report.items():
        written = (out / name).read_bytes()
        assert written.startswith(b"\xef\xbb\xbf"), "a byte order mark: Excel reads the file as UTF-8"
        assert base64.b64decode(payload) == base64.b64decode(widget[name]) == written, name
