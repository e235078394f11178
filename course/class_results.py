"""Class results: read learners' export files, aggregate them into tables, and render charts and a report.

The work comes in three steps, each in its own section below:

- **Reading** (`load_folder`, `read_submission`, `dedupe`): submissions are untrusted. Each file is
  size-checked, parsed as JSON and checked against the export schema (`course.exchange.parse_export`);
  a bad file is skipped with its reason and the rest aggregate. Nothing is executed or unpickled, no
  link is followed, and nothing but a regular file is opened.
- **Aggregating** (`aggregate`): one pass over each learner's export reduces it to what the tables
  count, then the class tables are built from those reductions. Lesson completion is
  `course.completion`'s rule, the same one the learner's progress view uses.
- **Rendering** (`charts`, `summary_lines`, `tables_html`, `report_html`): every piece of learner text is
  escaped where it is shown; the report's page is `course/templates/report.html.j2`.

The 90-day plan (lesson 13, stored as reflections whose id starts with `plan-`) is counted, never
quoted: how many learners wrote a plan, how many filled each field, and how many plans meet each point
of the plan's checklist. The plan's text stays with the learner.
"""
from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import json
import operator
import stat
import statistics
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from course.exchange import ExportError, NotAFile, file_kind, parse_export, read_export_file


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Submission:
    """One learner's accepted export.

    `load_folder` reduces each export to what the tables count as soon as it is read (`work`) and
    keeps only the export's learner id in `doc`, so a class needs the memory of one file at a time.
    """

    source: str
    learner: str
    exported_at: str
    doc: dict = field(repr=False, compare=False)
    work: _Work | None = field(default=None, repr=False, compare=False)

    @property
    def identity(self) -> str:
        """Who this is: the export's random learner id (version 2), else the typed name (version 1)."""
        learner_id = self.doc.get("learner_id") if isinstance(self.doc, dict) else None
        return f"id:{learner_id}" if learner_id else f"name:{self.learner.casefold()}"


@dataclass(frozen=True)
class Skipped:
    """A file that was not used, and why.

    An older export of a learner also names the file that replaced it (`newer`), so that with names
    hidden the reason can be written again with that file's alias (`superseded_reason`).
    """

    source: str
    reason: str
    newer: str | None = None  # the source of the newer export of the same learner
    renamed: bool = False     # that newer export carries another typed name


def superseded_reason(newer: str, renamed: bool) -> str:
    """Say why an older export of a learner is skipped, naming the newer file (or its alias) as given."""
    return ((f"the same learner id as {newer}, under another typed name; check who handed it in: " if renamed
             else "an older export of the same learner; ") + f"{newer} is newer")


def read_submission(name: str, data: bytes) -> Submission:
    """Parse one submission's bytes; raise ExportError with the reason when it is unusable."""
    return _submission(name, parse_export(data))


def _submission(name: str, doc: dict) -> Submission:
    learner = doc.get("learner") or ""
    if not learner.strip():
        stem = name[:-len(".json")] if name.lower().endswith(".json") else name  # keeps a sub-folder: "Ann Lee/export"
        learner = f"unnamed ({stem[:60]})"
    return Submission(name, learner.strip(), doc.get("exported_at", ""), doc)


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while many parsed files pile up or are reduced.

    Parsed JSON is millions of dicts and lists, none of them in a cycle; every so many new objects
    the collector walked them all again, which took longer than parsing the files.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _entries(folder: Path, inside: str = "") -> list[tuple[str, Path, int | None]]:
    """List a folder's entries, sorted and without hidden ones, as (displayable name, path, st_mode without
    following links; None when it cannot be read)."""
    out = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        try:
            mode = path.lstat().st_mode
        except OSError:
            mode = None
        out.append((inside + safe_name(path.name), path, mode))
    return out


@_collector_paused()
def load_folder(folder: str | Path) -> tuple[list[Submission], list[Skipped]]:
    """Read the exports in a folder as submissions; the latest export per learner wins.

    Every file in the folder is read as an export, and so is every `.json` file in its sub-folders
    (an LMS's bulk download makes one folder per learner). Everything else is listed as skipped with
    its reason: other files in sub-folders, folders deeper down, links (never followed, so reading stays
    inside the folder) and pipes, sockets and devices (never opened: a pipe would wait for ever).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    accepted: list[Submission] = []
    skipped: list[Skipped] = []
    course = _course()
    files: list[tuple[str, Path, int | None]] = []
    for name, path, mode in _entries(folder):
        if mode is not None and stat.S_ISDIR(mode):
            try:
                inner = _entries(path, name + "/")
            except OSError as exc:
                skipped.append(Skipped(name + "/", f"a folder that cannot be read ({exc.strerror or exc})"))
                continue
            for inner_name, inner_path, inner_mode in inner:
                if inner_mode is not None and stat.S_ISREG(inner_mode) and not inner_name.lower().endswith(".json"):
                    skipped.append(Skipped(inner_name, "not a .json file; in a sub-folder only .json files are read"))
                elif inner_mode is not None and stat.S_ISDIR(inner_mode):
                    skipped.append(Skipped(inner_name + "/", "a folder two levels down; only one level of "
                                                             "sub-folders is read"))
                else:
                    files.append((inner_name, inner_path, inner_mode))
        else:
            files.append((name, path, mode))
    for name, path, mode in files:
        if mode is not None and stat.S_ISLNK(mode):  # stay inside the folder: a link may point at any file
            skipped.append(Skipped(name, "a link to another file; links are not followed"))
            continue
        if mode is not None and not stat.S_ISREG(mode):
            skipped.append(Skipped(name, f"{file_kind(mode)}, not a file; it was not opened"))
            continue
        try:
            doc = parse_export(read_export_file(path, follow_links=False))
            accepted.append(replace(_submission(name, doc), doc={"learner_id": doc.get("learner_id")},
                                    work=_reduce(doc, course)))
        except NotAFile as exc:
            skipped.append(Skipped(name, f"{exc.kind}, not a file; it was not opened"))
        except ExportError as exc:
            skipped.append(Skipped(name, str(exc)))
        except OSError as exc:
            skipped.append(Skipped(name, f"cannot be read ({exc.strerror or exc})"))
    return dedupe(accepted, skipped)


def safe_name(name: str) -> str:
    """Return a file name as displayable text (bytes that are not UTF-8, and control characters, become U+FFFD)."""
    import os
    import unicodedata

    text = os.fsencode(name).decode("utf-8", "replace")
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def dedupe(accepted: list[Submission], skipped: list[Skipped]) -> tuple[list[Submission], list[Skipped]]:
    """Keep the latest export of each learner (by learner id, else by name); list the older ones as skipped."""
    latest: dict[str, Submission] = {}
    for sub in accepted:
        key = sub.identity
        if key not in latest or (sub.exported_at, sub.source) > (latest[key].exported_at, latest[key].source):
            older, newer = latest.get(key), sub
        else:
            older, newer = sub, latest[key]
        if older is not None:
            renamed = older.learner.casefold() != newer.learner.casefold()
            skipped.append(Skipped(older.source, superseded_reason(newer.source, renamed), newer.source, renamed))
        latest[key] = newer
    return sorted(latest.values(), key=lambda s: (s.learner.casefold(), s.identity)), skipped


def shared_names(submissions: list[Submission]) -> dict[str, list[Submission]]:
    """Return the typed names that two or more different learners (ids) handed in, for the instructor."""
    by_name: dict[str, list[Submission]] = {}
    for s in submissions:
        by_name.setdefault(s.learner.casefold(), []).append(s)
    return {name: subs for name, subs in by_name.items() if len({s.identity for s in subs}) > 1}


def pseudonyms(submissions: list[Submission], names: bool = False) -> dict[str, str]:
    """Map each learner (by identity) to a display name: 'Learner 01', ... unless real names are asked for.

    With real names, learners who typed the same name are told apart as 'Sam (1)', 'Sam (2)'.
    """
    if names:
        out = {s.identity: s.learner for s in submissions}
        for subs in shared_names(submissions).values():
            for i, s in enumerate(sorted(subs, key=lambda s: s.identity), start=1):
                out[s.identity] = f"{s.learner} ({i})"
        return out
    ordered = sorted(submissions, key=lambda s: hashlib.sha256(s.identity.encode("utf-8", "replace")).hexdigest())
    width = max(2, len(str(len(ordered))))
    return {s.identity: f"Learner {i:0{width}d}" for i, s in enumerate(ordered, start=1)}




# -- aggregating -------------------------------------------------------------------------------
@dataclass
class ClassResults:
    """The aggregated tables for a class (pandas DataFrames) and the files skipped."""

    learners: int
    completion: object
    questions: object
    reflections: object
    profile_shift: object
    roster: object
    skipped: list[Skipped]
    pre_post: object = None
    shared_names: list[str] = field(default_factory=list)  # one line per typed name shared by different learners
    plans: object = None        # per plan field: how many learners filled it (never what they wrote)
    plan_checks: object = None  # per point of the plan's checklist: how many plans meet it
    plan_writers: int = 0       # learners who filled at least one plan field
    plan_fields_median: float = float("nan")  # among them, the median number of fields filled


@dataclass
class _Work:
    """One learner's export reduced to what the class tables count; no text is kept."""

    first: dict       # (lesson, question) -> whether the first try was correct
    solved: set       # (lesson, question) answered correctly at least once
    post_first: dict  # warm-up question id -> whether the first post-test try was correct
    words: dict       # (lesson, reflection) -> words in the latest revision, for written ones
    plan_filled: set  # plan field ids whose latest text is written
    plan_met: dict    # checklist rule -> met (empty when no plan field is written)
    ratings: dict     # (phase, item) -> latest value, for known items with a value
    wrong: Counter    # ((lesson, question), answer key) -> times that wrong answer was checked


@dataclass(frozen=True)
class _Course:
    """What aggregating looks up, built once per call from the bank and the instruments.

    The key dicts map a (lesson, question), (lesson, reflection) or (phase, item) pair to one shared
    tuple: what each learner's reduction keeps then points at these, instead of holding tuples of its
    own for the garbage collector to walk.
    """

    lessons: tuple
    questions: dict   # (lesson, question) -> Question
    question_keys: dict
    reflection_keys: dict
    rating_keys: dict  # only the phases 'before' and 'after'
    warm_up: object     # lesson 00, whose questions the post-test asks again (None without it)
    warm_up_ids: frozenset
    post_test: str
    plan_lesson: str
    plan_fields: dict  # reflection id -> plan field id
    plan_tags: dict    # reflection id -> behaviour id
    items: dict        # self-assessment item id -> (cluster, pole)


def _course() -> _Course:
    from course.bank import lessons
    from course.instruments import action_plan, self_assessment
    from course.plan import BEHAVIOURS, LESSON, field_key, tag_key
    from course.review import POST_TEST, PRE_TEST

    course_lessons = lessons()
    warm_up = next((lesson for lesson in course_lessons if lesson.id == PRE_TEST), None)
    questions = {(lesson.id, q.id): q for lesson in course_lessons for q in lesson.questions}
    items = self_assessment().items
    return _Course(
        course_lessons, questions, {key: key for key in questions},
        {key: key for key in ((lesson.id, r.id) for lesson in course_lessons for r in lesson.reflections)},
        {key: key for key in ((phase, i.id) for phase in ("before", "after") for i in items)},
        warm_up, frozenset(q.id for q in warm_up.questions) if warm_up else frozenset(), POST_TEST, LESSON,
        {field_key(f.id): f.id for f in action_plan().fields},
        {tag_key(b): b for b in BEHAVIOURS},
        {i.id: (i.cluster, i.pole) for i in items})


def _answer_key(answer):
    """Return an answer in a hashable form: a list becomes a tuple, anything else but a whole number JSON text."""
    kind = type(answer)
    return answer if answer is None or kind is int else tuple(answer) if kind is list else json.dumps(answer)


def _answer(key):
    """Return the answer an `_answer_key` stands for."""
    return list(key) if type(key) is tuple else json.loads(key) if type(key) is str else key


_ATTEMPT = operator.itemgetter("lesson", "question", "correct")
_REFLECTION = operator.itemgetter("lesson", "reflection", "text")
_RATING = operator.itemgetter("phase", "item", "value")


def _reduce(doc: dict, course: _Course) -> _Work:
    """Reduce one (checked) export to what the class tables count.

    An export lists rows in the order they were written, as the learner's store keeps them: the first
    try at a question is the first in the file, and the latest revision or rating the last, whatever
    time a row carries (an imported row's time comes from another machine's clock).
    """
    from course.completion import is_written
    from course.plan import TAGS, check_plan

    questions, warm_up, post_test = course.question_keys, course.warm_up_ids, course.post_test
    wrong: Counter = Counter()
    first: dict = {}  # (lesson, question) -> whether the first try was correct
    solved: set = set()
    post: dict = {}   # warm-up question id -> whether the first post-test try was correct
    for a in doc["attempts"]:
        lesson_id, question_id, correct = _ATTEMPT(a)
        key = questions.get((lesson_id, question_id))
        if key is not None:
            if key not in first:
                first[key] = correct
            if correct:
                solved.add(key)
            else:
                wrong[key, _answer_key(a["answer"])] += 1
        if lesson_id == post_test and question_id in warm_up and question_id not in post:
            post[question_id] = correct

    latest = {(lesson_id, reflection_id): text for lesson_id, reflection_id, text in map(_REFLECTION, doc["reflections"])}
    known = course.reflection_keys
    words = {known[key]: len(text.split()) for key, text in latest.items() if key in known and is_written(text)}
    values, tags = {}, {}
    for (lesson_id, reflection_id), text in latest.items():
        if lesson_id != course.plan_lesson:
            continue
        if reflection_id in course.plan_fields:
            values[course.plan_fields[reflection_id]] = text
        elif reflection_id in course.plan_tags and text in TAGS:
            tags[course.plan_tags[reflection_id]] = text
    plan_filled = {field_id for field_id, text in values.items() if is_written(text)}
    plan_met = check_plan(values, tags) if plan_filled else {}

    known = course.rating_keys
    rated = {(phase, item): value for phase, item, value in map(_RATING, doc["ratings"]) if (phase, item) in known}
    ratings = {known[key]: value for key, value in rated.items() if value is not None}
    return _Work(first, solved, post, words, plan_filled, plan_met, ratings, wrong)


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


@_collector_paused()
def aggregate(submissions: list[Submission], skipped: list[Skipped] | None = None, names: bool = False) -> ClassResults:
    """Build the class tables from accepted submissions.

    Parameters
    ----------
    submissions:
        Accepted, de-duplicated submissions.
    skipped:
        Files that were not used, to list in the report.
    names:
        Show learners' own names instead of pseudonyms.
    """
    import pandas as pd

    from course.completion import Activities
    from course.instruments import action_plan, self_assessment

    course = _course()
    display = pseudonyms(submissions, names)
    work = {display[s.identity]: s.work if s.work is not None else _reduce(s.doc, course) for s in submissions}
    n = len(submissions)

    def label(lesson) -> str:
        return f"{lesson.number:02d} {lesson.title}"

    # Per question: first try correct, correct in the end, the most common wrong option.
    tried, first_right, solved, wrong = Counter(), Counter(), Counter(), Counter()
    for w in work.values():
        wrong.update(w.wrong)
        tried.update(w.first.keys())
        first_right.update(itertools.compress(w.first.keys(), w.first.values()))
        solved.update(w.solved)
    options: dict = {}  # (lesson, question) -> Counter of wrong options
    for (key, answer), times in wrong.items():
        option = _wrong_option(course.questions[key], _answer(answer))
        if option:
            options.setdefault(key, Counter())[option] += times
    q_rows = []
    for lesson in course.lessons:
        for q in lesson.questions:
            key = (lesson.id, q.id)
            count = tried[key]
            common = sorted(options.get(key, {}).items(), key=lambda item: (-item[1], item[0]))[:1]  # ties: A to Z
            q_rows.append({
                "lesson": label(lesson), "question": q.id, "type": q.type, "answered": count,
                "first try correct": first_right[key] / count if count else float("nan"),
                "correct in the end": solved[key] / count if count else float("nan"),
                "most common wrong answer": common[0][0] if common else "",
                "times chosen": common[0][1] if common else 0,
            })
    question_table = pd.DataFrame(q_rows, columns=["lesson", "question", "type", "answered", "first try correct",
                                                   "correct in the end", "most common wrong answer", "times chosen"])

    # Reflections: how many learners wrote something, and how much.
    r_rows = []
    for lesson in course.lessons:
        for r in lesson.reflections:
            key = (lesson.id, r.id)
            counts = [w.words[key] for w in work.values() if key in w.words]
            r_rows.append({"lesson": label(lesson), "reflection": r.id, "learners who wrote": len(counts),
                           "median words": float(statistics.median(counts)) if counts else float("nan")})
    reflection_table = pd.DataFrame(r_rows, columns=["lesson", "reflection", "learners who wrote", "median words"])

    # Completion per lesson, by the rule the learner's progress view uses.
    activities = Activities(course.lessons)
    by_learner = [activities.progress(w.solved, w.words) for w in work.values()]
    c_rows = []
    for lesson in course.lessons:
        progress = [learner[lesson.id] for learner in by_learner]
        c_rows.append({"lesson": label(lesson), "learners finished": sum(p.complete for p in progress),
                       "learners started": sum(p.started for p in progress),
                       "mean completion": _mean(p.fraction for p in progress)})
    completion_table = pd.DataFrame(c_rows, columns=["lesson", "learners finished", "learners started", "mean completion"])

    # 90-day plans: counts only.
    form = action_plan()
    writers = [w for w in work.values() if w.plan_filled]
    plan_table = pd.DataFrame([(f.label, sum(f.id in w.plan_filled for w in writers)) for f in form.fields],
                              columns=["plan field", "learners who filled it"])
    check_table = pd.DataFrame([(rule, sum(bool(w.plan_met.get(rule)) for w in writers), len(writers))
                                for rule in form.rubric], columns=["checklist point", "plans that meet it", "plans"])
    fields_median = float(statistics.median(len(w.plan_filled) for w in writers)) if writers else float("nan")

    # Self-assessment: mean per cluster and pole, before and after, for learners with both.
    instrument = self_assessment()
    shift_rows = []
    if any(w.ratings for w in work.values()):
        pairs: dict = {}  # (cluster, pole) -> [(before mean, after mean)] per learner with both
        for w in work.values():
            means: dict = {}
            for (phase, item), value in w.ratings.items():
                means.setdefault((course.items[item], phase), []).append(value)
            for (cluster_pole, phase), values in means.items():
                if phase == "before" and (cluster_pole, "after") in means:
                    pairs.setdefault(cluster_pole, []).append((_mean(values), _mean(means[cluster_pole, "after"])))
        for cluster in instrument.clusters:
            for pole in ("leading", "managing"):
                both = pairs.get((cluster.id, pole), [])
                shift_rows.append({"cluster": cluster.name, "pole": pole, "learners": len(both),
                                   "before": _mean(b for b, _ in both), "after": _mean(a for _, a in both),
                                   "shift": _mean(a - b for b, a in both)})
    profile_table = pd.DataFrame(shift_rows, columns=["cluster", "pole", "learners", "before", "after", "shift"])

    # Pre/post: the lesson 00 warm-up against the same questions asked again in lesson 13 (first tries).
    pp_rows = []
    for q in (course.warm_up.questions if course.warm_up else ()):
        key = (course.warm_up.id, q.id)
        paired = [(w.first[key], w.post_first[q.id]) for w in work.values() if key in w.first and q.id in w.post_first]
        before, after = _mean(b for b, _ in paired), _mean(a for _, a in paired)
        pp_rows.append({"question": q.id, "prompt": q.prompt[:80], "learners": len(paired),
                        "right before": before, "right after": after, "gain": after - before})
    pre_post_table = pd.DataFrame(pp_rows, columns=["question", "prompt", "learners", "right before", "right after", "gain"])

    roster = pd.DataFrame([{"learner": display[s.identity], "file": s.source if names else "(hidden with the names)",
                            "exported": s.exported_at[:16]} for s in submissions], columns=["learner", "file", "exported"])
    if not names:  # file names often carry a learner's name: hide them with the names, reasons included
        # Only a superseded export's reason names a file, and it is written again around the alias: a name is
        # never searched for in free text, where "is" or "file" would match words of every reason.
        aliases = {sk.source: f"file {i}" for i, sk in enumerate(skipped or [], start=1)}
        aliases.update({s.source: f"the file of {display[s.identity]}" for s in submissions})
        skipped = [Skipped(aliases[sk.source], superseded_reason(aliases.get(sk.newer, "another file"), sk.renamed)
                           if sk.newer is not None else sk.reason) for sk in (skipped or [])]
    flagged = [(f"'{subs[0].learner}' was typed by {len(subs)} learners (shown numbered)" if names
                else f"{len(subs)} learners typed the same name") for subs in shared_names(submissions).values()]
    return ClassResults(n, completion_table, question_table, reflection_table, profile_table, roster,
                        list(skipped or []), pre_post_table, flagged, plan_table, check_table, len(writers), fields_median)


def _wrong_option(question, answer) -> str | None:
    from course.kinds import AnswerError, kind_of

    try:
        wrong = kind_of(question).wrong_parts(question, answer)
    except AnswerError:
        return None
    return wrong[0] if wrong else None


@_collector_paused()
def class_results_from_folder(folder: str | Path, names: bool = False) -> ClassResults:
    """Load a folder of exports and aggregate them."""
    accepted, skipped = load_folder(folder)
    return aggregate(accepted, skipped, names)


def demo_class(size: int = 12, seed: int = 7) -> ClassResults:
    """Aggregate a small invented class (see `course.demo_class`), so an instructor can see the views first."""
    from course import demo_class as demo

    return demo.demo_class(size, seed)


# -- rendering ---------------------------------------------------------------------------------
def charts(results: ClassResults, for_file: bool = False) -> dict[str, bytes]:
    """Draw the class charts as PNG bytes: completion, hardest questions, self-assessment shift."""
    from course.charts import figure, png

    out = {}
    comp = results.completion
    fig, ax, _ = figure(8, 0.4 + 0.3 * len(comp), for_file)
    ax.barh(comp["lesson"], comp["mean completion"].fillna(0) * 100, color="#1f77b4")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Mean completion (%)")
    out["Completion per lesson"] = png(fig, for_file)

    answered = results.questions[results.questions["answered"] > 0].sort_values("first try correct").head(12)
    if len(answered):
        fig, ax, _ = figure(8, 0.6 + 0.32 * len(answered), for_file)
        ax.barh(answered["question"], answered["first try correct"] * 100, color="#e07b00")
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Correct at the first try (%): the hardest questions first")
        out["Hardest questions"] = png(fig, for_file)

    shift = results.profile_shift.dropna(subset=["shift"])
    if len(shift):
        labels = [f"{c} ({p})" for c, p in zip(shift["cluster"], shift["pole"])]
        fig, ax, ink = figure(8, 0.6 + 0.3 * len(shift), for_file)
        colours = ["#1f77b4" if p == "leading" else "#e07b00" for p in shift["pole"]]
        hatches = [None if p == "leading" else "///" for p in shift["pole"]]
        bars = ax.barh(labels, shift["shift"], color=colours)
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
        ax.axvline(0, color=ink, linewidth=0.8)
        ax.invert_yaxis()
        ax.set_xlabel("Mean change in self-rating, after minus before (leading plain, managing hatched)")
        out["Self-assessment shift"] = png(fig, for_file)
    return out


def summary_lines(results: ClassResults) -> list[str]:
    """Describe the class results in words (for the report and for people who cannot see the charts)."""
    lines = [f"{results.learners} learner{'s' if results.learners != 1 else ''} included; "
             f"{len(results.skipped)} file{'s' if len(results.skipped) != 1 else ''} skipped."]
    for clash in results.shared_names:
        lines.append(f"Check the names: {clash}. Their exports carry different learner ids (or, from an older "
                     "version of the course, none), so they are counted as different people.")
    answered = results.questions[results.questions["answered"] > 0]
    if len(answered):
        hardest = answered.sort_values("first try correct").iloc[0]
        lines.append(f"Hardest question: {hardest['question']} ({hardest['lesson']}), right at the first try for "
                     f"{hardest['first try correct']:.0%} of those who answered it.")
    comp = results.completion
    if results.learners:
        best = comp.sort_values("mean completion", ascending=False).iloc[0]
        lines.append(f"Most completed lesson: {best['lesson']} ({best['mean completion']:.0%} on average).")
    if results.plan_writers:
        lines.append(f"90-day plans: {results.plan_writers} of {results.learners} learners wrote one, filling a median of "
                     f"{results.plan_fields_median:.0f} of {len(results.plans)} fields.")
    shift = results.profile_shift.dropna(subset=["shift"])
    if len(shift):
        biggest = shift.iloc[shift["shift"].abs().argmax()]
        lines.append(f"Largest self-assessment shift: {biggest['cluster']} ({biggest['pole']}), "
                     f"{biggest['shift']:+.1f} on average for {int(biggest['learners'])} learners with both ratings.")
    return lines


def tables_html(results: ClassResults) -> dict[str, str]:
    """Render each table as escaped HTML."""
    def table(frame, percent=()):
        formatters = {c: (lambda v: "" if v != v else f"{v:.0%}") for c in percent}
        return frame.to_html(index=False, escape=True, na_rep="", formatters=formatters, float_format=lambda v: f"{v:.2f}",
                             border=0)

    return {
        "completion": table(results.completion, ["mean completion"]),
        "questions": table(results.questions, ["first try correct", "correct in the end"]),
        "reflections": table(results.reflections),
        "plans": table(results.plans) if results.plan_writers else "",
        "plan_checks": table(results.plan_checks) if results.plan_writers else "",
        "profile": table(results.profile_shift) if len(results.profile_shift.dropna(subset=["shift"])) else "",
        "roster": table(results.roster),
        "pre_post": (table(results.pre_post, ["right before", "right after"])
                     if results.pre_post is not None and results.pre_post["learners"].sum() else ""),
    }


@functools.lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("course", "templates"), autoescape=True)
    return env.get_template("report.html.j2")


def report_html(results: ClassResults, names: bool = False) -> str:
    """Return one self-contained HTML report (tables, charts as inline images, skipped files)."""
    import base64
    from datetime import datetime

    from markupsafe import Markup

    tables = {k: Markup(v) for k, v in tables_html(results).items()}  # to_html(escape=True) already escaped
    pngs = [(title, base64.b64encode(png).decode("ascii")) for title, png in charts(results, for_file=True).items()]
    return _template().render(
        generated=datetime.now().strftime("%d %B %Y %H:%M"), names=names, summary=summary_lines(results),
        charts=pngs, skipped=results.skipped, **tables)
