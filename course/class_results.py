"""Class results: read learners' export files, aggregate them into tables, and render a debrief report.

The work comes in three steps, each in its own section below:

- **Reading** (`load_folder`, `read_submission`, `dedupe`): submissions are untrusted. Each file is
  size-checked, parsed as JSON (or as a course-made .zip holding the export) and checked against the
  export schema (`course.exchange.parse_export`); a bad file is skipped with its reason and the rest
  aggregate. Nothing is executed or unpickled, no link is followed, and nothing but a regular file is opened.
- **Aggregating** (`aggregate`): one pass over each learner's export reduces it to what the tables
  count, then the class tables are built from those reductions, limited to the lessons and questions a
  session used (`Scope`). Questions count people, not checks: a learner's first try and latest try at
  each question. Every try is scored again against the bank (`course.completion.is_right`): an export's
  own `correct` flag is never read. Lesson completion is `course.completion`'s rule, the same one the
  learner's progress view uses. Learners are kept apart by `Submission.identity`, never by a shown name.
- **Rendering** (`charts`, `summary_lines`, `tables_html`, `csv_tables`, `report_html`): every piece of
  learner text is escaped where it is shown (Jinja2 autoescape, `course/templates/report.html.j2` and
  `class_parts.html.j2`), and every CSV cell that a spreadsheet would read as a formula is neutralised.

Reflections are quoted only from learners whose export says `"share_reflections": true`, a few per
prompt, cut short, in a shuffled order and with no name or pseudonym beside them. The 90-day plan
(lesson 13, stored as reflections whose id starts with `plan-`) is counted, never quoted: how many
learners wrote a plan, how many filled each field, and how many plans meet each point of the plan's
checklist.
"""
from __future__ import annotations

import functools
import hashlib
import json
import operator
import random
import stat
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from course.collector import collector_paused
from course.exchange import ExportError, NotAFile, file_kind, parse_export, read_export_file, shares_reflections


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Submission:
    """One learner's accepted export.

    `load_folder` reduces each export to what the tables count as soon as it is read (`work`) and
    keeps only the export's learner id in `doc`, so a class needs the memory of one file at a time.
    `learner` is the typed name as displayable text (see `displayable`).
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


_READ = (".json", ".zip")  # what is read in a sub-folder: exports, and the .zip the course makes around one


def _submission(name: str, doc: dict) -> Submission:
    # The one place a typed name enters the results: cleaned here, it is cleaned in every table, report and CSV.
    learner = displayable(doc.get("learner") or "")
    if not learner.strip():
        stem = next((name[:-len(ext)] for ext in _READ if name.lower().endswith(ext)), name)  # keeps a sub-folder
        learner = f"unnamed ({stem[:60]})"
    return Submission(name, learner.strip(), doc.get("exported_at", ""), doc)


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


@collector_paused()
def load_folder(folder: str | Path, names: bool = False) -> tuple[list[Submission], list[Skipped]]:
    """Read the exports in a folder as submissions; the latest export per learner wins.

    Every file in the folder is read as an export, and so is every `.json` and `.zip` file in its
    sub-folders (an LMS's bulk download makes one folder per learner). A `.zip` is read only as the
    archive the course makes around an export (`course.exchange.parse_export` decides, with its own
    limits); one it cannot read is skipped with the reason. Everything else is listed as skipped with
    its reason: other files in sub-folders, folders deeper down, links (never followed, so reading stays
    inside the folder) and pipes, sockets and devices (never opened: a pipe would wait for ever).

    With `names` (the report shows learners' names), a refused .zip's reason names the .json to hand
    in instead, after the .zip's own name; without, it says only which kind of file to hand in.
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
                if inner_mode is not None and stat.S_ISREG(inner_mode) and not inner_name.lower().endswith(_READ):
                    skipped.append(Skipped(inner_name, "neither a .json nor a .zip file; in a sub-folder only .json files "
                                                       "and the .zip files the course makes are read"))
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
            # The file's name goes to the parser only when names are shown: a refused .zip's reason then names
            # the .json to hand in, which the course names after the learner ("lead-manage-ann-lee-….json").
            # With pseudonyms the report replaces each file's name by an alias but prints reasons as written,
            # so a reason must not carry the name; the generic one says which kind of file to ask for.
            doc = parse_export(read_export_file(path, follow_links=False), name if names else None)
            accepted.append(replace(_submission(name, doc), doc={"learner_id": doc.get("learner_id")},
                                    work=_reduce(doc, course)))
        except NotAFile as exc:
            skipped.append(Skipped(name, f"{exc.kind}, not a file; it was not opened"))
        except ExportError as exc:
            skipped.append(Skipped(name, str(exc)))
        except OSError as exc:
            skipped.append(Skipped(name, f"cannot be read ({exc.strerror or exc})"))
    return dedupe(accepted, skipped)


def displayable(text: str) -> str:
    """Return text with every control or format character (Unicode categories Cc and Cf) as U+FFFD.

    Such characters in a typed name or a file name would act instead of being read: a right-to-left
    override (U+202E) turns the rest of a line around in the report and in a spreadsheet, a zero-width
    space makes two names look the same, a line break or NUL splits a cell.
    """
    import unicodedata

    category = unicodedata.category
    return "".join("\ufffd" if category(c) in ("Cc", "Cf") else c for c in text)


def safe_name(name: str) -> str:
    """Return a file name as displayable text (bytes that are not UTF-8, and control characters, become U+FFFD)."""
    import os

    return displayable(os.fsencode(name).decode("utf-8", "replace"))


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

    Display names are unique, letter case aside. With real names, learners who typed the same name
    are told apart as 'Sam (1)', 'Sam (2)', with numbers that no learner typed: beside a typed
    'Sam (1)', two learners who typed 'Sam' show as 'Sam (2)' and 'Sam (3)'.
    """
    if names:
        out = {s.identity: s.learner for s in submissions}
        taken = {s.learner.casefold() for s in submissions}  # numbered names never take a name someone typed
        for subs in shared_names(submissions).values():
            number = 0
            for s in sorted(subs, key=lambda s: s.identity):
                number += 1
                while f"{s.learner} ({number})".casefold() in taken:
                    number += 1
                out[s.identity] = f"{s.learner} ({number})"
                taken.add(out[s.identity].casefold())
        return out
    ordered = sorted(submissions, key=lambda s: hashlib.sha256(s.identity.encode("utf-8", "replace")).hexdigest())
    width = max(2, len(str(len(ordered))))
    return {s.identity: f"Learner {i:0{width}d}" for i, s in enumerate(ordered, start=1)}


# -- scope -------------------------------------------------------------------------------------
class ScopeError(ValueError):
    """A session's scope names a lesson or question the course does not have; the message says which."""


@dataclass(frozen=True)
class Scope:
    """The lessons and questions a session used: what the class results count and the report shows.

    `lessons` are lesson ids and `questions` (lesson id, question id) pairs, both in course order.
    `whole` is true when nothing was narrowed (the whole course).
    """

    lessons: tuple[str, ...]
    questions: tuple[tuple[str, str], ...]
    whole: bool = True

    def has_lesson(self, lesson_id: str) -> bool:
        """Tell whether the session used this lesson."""
        return lesson_id in self.lessons


def session_scope(lessons=None, questions=None, course_lessons=None) -> Scope:
    """Return the scope of a session from the lessons and questions it used.

    Parameters
    ----------
    lessons:
        A lesson or a list (tuple, set, range) of them, each as its id ("two-words"), its number (1, "1" or
        "01"; 0 is lesson 00, Start here) or its notebook name; None for no limit by lesson.
    questions:
        A question or a list of them, each as a (lesson, question id) pair or as "lesson/question" text;
        one pair alone is a tuple such as ("two-words", "different-people"). None for no limit.
        For a lesson that has questions listed here, only those count; a lesson listed in `lessons`
        with none of its questions listed counts all of them; a listed question's lesson is in the scope.
    course_lessons:
        The course's lessons (default: the shipped bank).

    With both None the scope is the whole course. Lists that are all empty would be a session that used
    nothing, and are refused.

    Raises
    ------
    ScopeError
        When a lesson or question is not in the course, a question is not written lesson/question, a value
        is neither a lesson, a question nor a list of them, or the lists given are all empty.
    """
    if course_lessons is None:
        from course.bank import lessons as shipped

        course_lessons = shipped()
    if lessons is None and questions is None:
        return Scope(tuple(lesson.id for lesson in course_lessons),
                     tuple((lesson.id, q.id) for lesson in course_lessons for q in lesson.questions), True)
    lesson_items = _scope_items(lessons, _is_lesson, "lessons")
    question_items = _scope_items(questions, _is_question, "questions")
    if not lesson_items and not question_items:
        raise ScopeError("no lesson or question is given (an empty list); give at least one, or None for the whole course")
    by_name, by_number = {}, {}
    for lesson in course_lessons:
        by_name.update({f"{lesson.number:02d}": lesson, str(lesson.number): lesson, lesson.id: lesson,
                        lesson.notebook: lesson, lesson.notebook.removesuffix(".ipynb"): lesson})
        by_number[lesson.number] = lesson

    def find(name) -> object:
        if not _is_lesson(name):
            raise ScopeError(f"give a lesson as its id (such as two-words), its number or its notebook name, "
                             f"not {_described(name)}")
        found = by_number.get(name) if isinstance(name, int) else by_name.get(name)
        if found is None:
            known = ", ".join(lesson.id for lesson in course_lessons)
            raise ScopeError(f"no lesson {_described(name)} in the course (lessons: {known})")
        return found

    chosen = {find(name).id for name in lesson_items}
    picked: dict[str, set] = {}
    for item in question_items:
        if isinstance(item, str):
            lesson_name, slash, question_id = item.partition("/")
            if not slash:
                raise ScopeError(f"write a question as lesson/question, such as two-words/different-people "
                                 f"(not '{_short(item)}')")
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            lesson_name, question_id = item
        else:
            raise ScopeError(f"give a question as (lesson, question) or 'lesson/question', not {_described(item)}")
        lesson = find(lesson_name)
        if not isinstance(question_id, str):
            raise ScopeError(f"give a question id as text, such as different-people, not {_described(question_id)}")
        if question_id not in {q.id for q in lesson.questions}:
            raise ScopeError(f"no question '{_short(question_id)}' in lesson '{lesson.id}' "
                             f"(its questions: {', '.join(q.id for q in lesson.questions)})")
        picked.setdefault(lesson.id, set()).add(question_id)
    used = chosen | picked.keys()
    return Scope(tuple(lesson.id for lesson in course_lessons if lesson.id in used),
                 tuple((lesson.id, q.id) for lesson in course_lessons if lesson.id in used for q in lesson.questions
                       if lesson.id not in picked or q.id in picked[lesson.id]), False)


def _is_lesson(value) -> bool:
    """Tell whether a value can name a lesson: text, or a whole number (True and False are not numbers here)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _is_question(value) -> bool:
    """Tell whether a value is one question: 'lesson/question' text, or a (lesson, question id) tuple of two."""
    return isinstance(value, str) or (isinstance(value, tuple) and len(value) == 2 and _is_lesson(value[0])
                                      and not (isinstance(value[0], str) and "/" in value[0])
                                      and isinstance(value[1], str) and "/" not in value[1])


def _scope_items(value, one, what: str) -> list:
    """Return a scope argument as a list: None gives [], one item alone [item], a list, tuple, set or range its items."""
    if value is None:
        return []
    if one(value):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset, range)):
        return list(value)
    raise ScopeError(f"give the {what} as one or as a list, not {_described(value)}")


def _described(value) -> str:
    """Name a value given where a lesson or a question was expected, briefly and without running its own repr."""
    if isinstance(value, str):
        return f"'{_short(value)}'"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return str(value) if -10**12 < value < 10**12 else "a number that large"
    if isinstance(value, float):
        return _short(repr(value))
    if isinstance(value, (list, tuple)) and len(value) <= 5 and all(
            isinstance(v, (str, int, float)) or v is None for v in value):
        inner = ", ".join(_described(v) for v in value)
        return _short(f"({inner})" if isinstance(value, tuple) else f"[{inner}]", 90)
    return f"a {type(value).__name__}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


# -- aggregating -------------------------------------------------------------------------------
MIN_RANKED = 5        # a question answered by fewer people is never ranked as hard (nor is one under half the class)
MAX_QUOTES = 3        # reflections quoted per prompt
QUOTE_CHARS = 280     # a quote longer than this is cut at a word


def ranking_minimum(learners: int) -> int:
    """Return how many people must have answered a question for it to be ranked: half the class, at least MIN_RANKED."""
    return max(MIN_RANKED, -(-learners // 2))


@dataclass(frozen=True)
class PartCount:
    """What the people who answered a question did with one of its parts in their first answer.

    `text` is the option or statement as in the bank; `key` is "key" for a keyed option ("" for
    another) or, for a sorted statement, its label. `counts` pairs what was counted with how many
    people: ("chose it", n) for a one-option question; ("missed it", n) for a keyed option of a
    select-all question and ("ticked it wrongly", n) for another; ("leading", n), ("managing", n),
    ("both", n) for a statement to sort.
    """

    text: str
    key: str
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class QuestionResult:
    """One question's results, counted in people: each learner's first and latest try.

    A first answer that no longer fits the question (the bank changed) counts as answered and in no part.
    """

    lesson_id: str
    question_id: str
    lesson: str        # "01 Two words, one job?"
    stem: str          # the question's wording
    type: str
    answered: int      # people who tried it at least once
    first_right: int   # people whose first try was right
    final_right: int   # people whose latest try is right
    parts: tuple[PartCount, ...]
    ranked: bool       # answered by enough people to be ranked (see `ranking_minimum`)

    @property
    def first_share(self) -> float:
        """Return the share of those who answered who were right at the first try (nan when no one answered)."""
        return self.first_right / self.answered if self.answered else float("nan")

    @property
    def final_share(self) -> float:
        """Return the share of those who answered whose latest try is right (nan when no one answered)."""
        return self.final_right / self.answered if self.answered else float("nan")


@dataclass(frozen=True)
class ReflectionQuotes:
    """A few reflections on one prompt, from learners who agreed to share them; no name goes with them."""

    lesson: str
    prompt: str
    quotes: tuple[str, ...]  # at most MAX_QUOTES, each at most QUOTE_CHARS, shuffled
    shared: int              # learners who wrote on this prompt and agreed to share
    written: int             # learners who wrote on this prompt
    median_words: float = float("nan")  # in what they wrote (nan when no one wrote)


@dataclass
class ClassResults:
    """The aggregated tables for a class (pandas DataFrames), the per-question results and the files skipped.

    Every table but the pre/post, self-assessment and plan tables is limited to the `scope`. Counts are
    people: `questions` has one row per scoped question with "answered" (people), "first try correct"
    and "correct in the end" (shares of them, from 0 to 1: their first try, their latest), the "most
    common wrong answer" in first answers and "times chosen" (people whose first answer had it), and
    "ranked"; `by_learner` one row per learner with "lessons done" of "lessons", "not finished yet",
    a status per scoped lesson, "questions answered" and "right at the first try".
    """

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
    scope: Scope | None = None
    question_results: tuple = ()    # QuestionResult per scoped question, in course order
    by_learner: object = None       # per learner: lessons done, what is not finished, first tries
    quotes: tuple = ()              # ReflectionQuotes per scoped prompt
    sharing: int = 0                # learners who agreed to share their reflections
    min_ranked: int = MIN_RANKED    # answered by fewer people, a question is not ranked
    lesson_labels: dict = field(default_factory=dict)  # lesson id -> "01 Two words, one job?"

    def hardest(self, count: int = 3) -> list[QuestionResult]:
        """Return the ranked scoped questions fewest people got right at the first try, hardest first."""
        ranked = [q for q in self.question_results if q.ranked]
        return sorted(ranked, key=lambda q: (q.first_share, q.final_share))[:count]

    def shows(self, part: str) -> bool:
        """Tell whether a course-wide part ('plans', 'pre_post', 'profile') belongs to this scope's report."""
        from course.plan import LESSON

        scope = self.scope
        if scope is None or scope.whole:
            return True
        wanted = {"plans": (LESSON,), "pre_post": (LESSON,), "profile": (_PROFILE_LESSON, LESSON)}[part]
        return any(scope.has_lesson(lesson_id) for lesson_id in wanted)


_PROFILE_LESSON = "self-assessment"  # lesson 12, where the first self-assessment is taken


@dataclass
class _Work:
    """One learner's export reduced to what the class tables count; no text is kept but consented quotes."""

    first: dict       # (lesson, question) -> (first answer as an `_answer_key`, whether it was right)
    last: dict        # (lesson, question) -> whether the latest try was right
    solved: set       # (lesson, question) answered correctly at least once
    post_first: dict  # warm-up question id -> whether the first post-test try was correct
    words: dict       # (lesson, reflection) -> words in the latest revision, for written ones
    plan_filled: set  # plan field ids whose latest text is written
    plan_met: dict    # checklist rule -> met (empty when no plan field is written)
    ratings: dict     # (phase, item) -> latest value, for known items with a value
    quotes: dict = field(default_factory=dict)  # (lesson, reflection) -> latest text, cut; only with consent
    shares: bool = False  # the learner agreed to have reflections quoted


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
    verdicts: dict = field(default_factory=dict, compare=False)  # (question key, answer key) -> right, see is_right

    def is_right(self, key: tuple[str, str], answer_key) -> bool:
        """Tell whether an answer (as an `_answer_key`) to a bank question is right, scoring each distinct answer once.

        A class gives the same few answers to each question again and again; the cache is emptied past
        `_VERDICTS` entries, so files full of distinct answers cost time, never memory.
        """
        from course.completion import is_right

        verdicts = self.verdicts
        try:
            found = verdicts.get((key, answer_key))
        except TypeError:  # a list inside a list (no export the schema passes has one): scored, not kept
            return is_right(self.questions[key], _answer(answer_key))
        if found is None:
            if len(verdicts) >= _VERDICTS:
                verdicts.clear()
            found = verdicts[key, answer_key] = is_right(self.questions[key], _answer(answer_key))
        return found


_VERDICTS = 50_000  # distinct (question, answer) verdicts kept while a class is read


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


def quote_text(text: str) -> str:
    """Return a reflection as a one-paragraph quote of at most QUOTE_CHARS characters, cut at a word."""
    flat = " ".join(text[:QUOTE_CHARS * 4].split())
    if len(flat) <= QUOTE_CHARS:
        return flat
    cut = flat[:QUOTE_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[QUOTE_CHARS // 2:] else cut).rstrip(" ,;:.") + "…"


_ATTEMPT = operator.itemgetter("lesson", "question", "answer")  # never "correct": every answer is scored again
_REFLECTION = operator.itemgetter("lesson", "reflection", "text")
_RATING = operator.itemgetter("phase", "item", "value")


def _reduce(doc: dict, course: _Course) -> _Work:
    """Reduce one (checked) export to what the class tables count.

    An export lists rows in the order they were written, as the learner's store keeps them: the first
    try at a question is the first in the file, and the latest revision or rating the last, whatever
    time a row carries (an imported row's time comes from another machine's clock). Whether a try is
    right is scored again against the bank as it is now (`course.completion.is_right`); the export's
    own `correct` flag is not read, and an answer that does not fit its question is not right.
    """
    from course.completion import is_written
    from course.plan import TAGS, check_plan

    questions, warm_up, post_test = course.question_keys, course.warm_up_ids, course.post_test
    right = course.is_right
    first: dict = {}  # (lesson, question) -> (first answer, whether it was right)
    last: dict = {}
    solved: set = set()
    post: dict = {}   # warm-up question id -> whether the first post-test try was correct
    for a in doc["attempts"]:
        lesson_id, question_id, answer = _ATTEMPT(a)
        key = questions.get((lesson_id, question_id))
        if key is not None:
            answer_key = _answer_key(answer)
            correct = right(key, answer_key)
            if key not in first:
                first[key] = (answer_key, correct)
            last[key] = correct
            if correct:
                solved.add(key)
        if lesson_id == post_test and question_id in warm_up and question_id not in post:
            post[question_id] = right((course.warm_up.id, question_id), _answer_key(answer))

    latest = {(lesson_id, reflection_id): text for lesson_id, reflection_id, text in map(_REFLECTION, doc["reflections"])}
    known = course.reflection_keys
    written = {known[key]: text for key, text in latest.items() if key in known and is_written(text)}
    words = {key: len(text.split()) for key, text in written.items()}
    quotes = {key: quote_text(text) for key, text in written.items()} if shares_reflections(doc) else {}
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
    return _Work(first, last, solved, post, words, plan_filled, plan_met, ratings, quotes, shares_reflections(doc))


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def _first_answers(question, answers: list) -> tuple[tuple[PartCount, ...], Counter]:
    """Count what people's first answers did with each part of a question, and each wrong part named.

    Returns the part counts (see `PartCount`) and, per wrong part (an option's text, or "statement →
    label"), how many people's first answer had it. An answer that does not fit the question counts nowhere.
    """
    from course.bank import LABELS
    from course.kinds import AnswerError, kind_of

    kind = kind_of(question)
    fitting, wrong = [], Counter()
    for answer in answers:
        try:
            fitting.append(kind.normalise(question, answer))
            wrong.update(set(kind.wrong_parts(question, answer)))
        except AnswerError:
            continue
    if question.type == "classify":
        parts = tuple(PartCount(s.text, s.label, tuple((label, sum(1 for a in fitting if a[i] == label))
                                                       for label in LABELS))
                      for i, s in enumerate(question.statements))
    elif question.type == "multiple":
        parts = tuple(PartCount(c.text, "key", (("missed it", sum(1 for a in fitting if i not in a)),)) if c.correct
                      else PartCount(c.text, "", (("ticked it wrongly", sum(1 for a in fitting if i in a)),))
                      for i, c in enumerate(question.choices))
    else:
        parts = tuple(PartCount(c.text, "key" if c.correct else "", (("chose it", sum(1 for a in fitting if a == i)),))
                      for i, c in enumerate(question.choices))
    return parts, wrong


def _lesson_status(progress) -> str:
    """Say how far a learner is with one lesson: 'done', '3 of 9' or 'not started'."""
    return "done" if progress.complete else f"{progress.done} of {progress.total}" if progress.started else "not started"


@collector_paused()
def aggregate(submissions: list[Submission], skipped: list[Skipped] | None = None, names: bool = False,
              scope: Scope | None = None) -> ClassResults:
    """Build the class tables from accepted submissions.

    Parameters
    ----------
    submissions:
        Accepted, de-duplicated submissions.
    skipped:
        Files that were not used, to list in the report.
    names:
        Show learners' own names instead of pseudonyms.
    scope:
        The lessons and questions a session used (`session_scope`); None for the whole course.
    """
    import pandas as pd

    from course.completion import Activities
    from course.instruments import action_plan, self_assessment

    course = _course()
    scope = scope if scope is not None else session_scope(course_lessons=course.lessons)
    display = pseudonyms(submissions, names)
    # Per-learner data is keyed by who handed it in (`Submission.identity`), never by a shown name.
    work = {s.identity: s.work if s.work is not None else _reduce(s.doc, course) for s in submissions}
    n = len(submissions)
    scoped_lessons = [lesson for lesson in course.lessons if scope.has_lesson(lesson.id)]

    def label(lesson) -> str:
        return f"{lesson.number:02d} {lesson.title}"

    labels = {lesson.id: label(lesson) for lesson in course.lessons}

    # Per question, in people: first try right, latest try right, and what first answers did with each part.
    minimum = ranking_minimum(n)
    results, q_rows = [], []
    for key in scope.questions:
        q = course.questions[key]
        firsts = [w.first[key] for w in work.values() if key in w.first]
        parts, wrong = _first_answers(q, [_answer(answer) for answer, _ in firsts])
        result = QuestionResult(key[0], key[1], labels[key[0]], q.prompt, q.type, len(firsts),
                                sum(1 for _, right in firsts if right), sum(1 for w in work.values() if w.last.get(key)),
                                parts, len(firsts) >= minimum)
        results.append(result)
        common = sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:1]  # ties: A to Z
        q_rows.append({
            "lesson": result.lesson, "question": q.id, "stem": q.prompt, "type": q.type, "answered": result.answered,
            "first try correct": result.first_share, "correct in the end": result.final_share,
            "most common wrong answer": common[0][0] if common else "", "times chosen": common[0][1] if common else 0,
            "ranked": result.ranked,
        })
    question_table = pd.DataFrame(q_rows, columns=["lesson", "question", "stem", "type", "answered", "first try correct",
                                                   "correct in the end", "most common wrong answer", "times chosen",
                                                   "ranked"])

    # Reflections: how many learners wrote something, and how much; quotes only from those who agreed.
    r_rows, quotes = [], []
    for lesson in scoped_lessons:
        for r in lesson.reflections:
            key = (lesson.id, r.id)
            counts = [w.words[key] for w in work.values() if key in w.words]
            median = float(statistics.median(counts)) if counts else float("nan")
            r_rows.append({"lesson": label(lesson), "reflection": r.id, "learners who wrote": len(counts),
                           "median words": median})
            texts = sorted(w.quotes[key] for w in work.values() if key in w.quotes)
            # Shuffled by the texts themselves: the same class gives the same order, which follows no learner list.
            seed = hashlib.sha256("\x00".join([*key, *texts]).encode("utf-8", "replace")).digest()
            random.Random(seed).shuffle(texts)
            quotes.append(ReflectionQuotes(label(lesson), r.prompt, tuple(texts[:MAX_QUOTES]), len(texts), len(counts),
                                           median))
    reflection_table = pd.DataFrame(r_rows, columns=["lesson", "reflection", "learners who wrote", "median words"])

    # Completion per lesson and per learner, by the rule the learner's progress view uses.
    activities = Activities(scoped_lessons)
    by_learner = {identity: activities.progress(w.solved, w.words) for identity, w in work.items()}
    c_rows = []
    for lesson in scoped_lessons:
        progress = [learner[lesson.id] for learner in by_learner.values()]
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
        paired = [(w.first[key][1], w.post_first[q.id]) for w in work.values()
                  if key in w.first and q.id in w.post_first]
        before, after = _mean(b for b, _ in paired), _mean(a for _, a in paired)
        pp_rows.append({"question": q.id, "prompt": q.prompt[:80], "learners": len(paired),
                        "right before": before, "right after": after, "gain": after - before})
    pre_post_table = pd.DataFrame(pp_rows, columns=["question", "prompt", "learners", "right before", "right after", "gain"])

    roster = pd.DataFrame([{"learner": display[s.identity], "file": s.source if names else "(hidden with the names)",
                            "exported": s.exported_at[:16]} for s in submissions], columns=["learner", "file", "exported"])
    people = []
    for s in sorted(submissions, key=lambda s: (display[s.identity].casefold(), s.identity)):
        w, progress = work[s.identity], by_learner[s.identity]
        row = {"learner": display[s.identity], "lessons done": sum(p.complete for p in progress.values()), "lessons": len(scoped_lessons),
               "not finished yet": ", ".join(f"{lesson.number:02d} ({_lesson_status(progress[lesson.id])})"
                                             for lesson in scoped_lessons if not progress[lesson.id].complete)}
        row.update({label(lesson): _lesson_status(progress[lesson.id]) for lesson in scoped_lessons})
        row["questions answered"] = sum(1 for key in scope.questions if key in w.first)
        row["right at the first try"] = sum(1 for key in scope.questions if w.first.get(key, (None, False))[1])
        row["exported"] = s.exported_at[:16]
        row["file"] = s.source if names else "(hidden with the names)"
        people.append(row)
    learner_table = pd.DataFrame(people, columns=["learner", "lessons done", "lessons", "not finished yet",
                                                  *(label(lesson) for lesson in scoped_lessons), "questions answered",
                                                  "right at the first try", "exported", "file"])
    if not names:  # file names often carry a learner's name: hide them with the names, reasons included
        # Only a superseded export's reason names a file, and it is written again around the alias: a name is
        # never searched for in free text, where "is" or "file" would match words of every reason.
        aliases = {sk.source: f"file {i}" for i, sk in enumerate(skipped or [], start=1)}
        aliases.update({s.source: f"the file of {display[s.identity]}" for s in submissions})
        skipped = [Skipped(aliases[sk.source], superseded_reason(aliases.get(sk.newer, "another file"), sk.renamed)
                           if sk.newer is not None else sk.reason) for sk in (skipped or [])]
    flagged = [(f"'{subs[0].learner}' was typed by {len(subs)} learners (shown numbered)" if names
                else f"{len(subs)} learners typed the same name") for subs in shared_names(submissions).values()]
    sharing = sum(1 for w in work.values() if w.shares)
    return ClassResults(n, completion_table, question_table, reflection_table, profile_table, roster,
                        list(skipped or []), pre_post_table, flagged, plan_table, check_table, len(writers), fields_median,
                        scope, tuple(results), learner_table, tuple(quotes), sharing, minimum, labels)


@collector_paused()
def class_results_from_folder(folder: str | Path, names: bool = False, lessons=None, questions=None) -> ClassResults:
    """Load a folder of exports and aggregate them, limited to a session's lessons and questions.

    Parameters
    ----------
    folder:
        The folder of exports (see `load_folder`).
    names:
        Show learners' own names instead of pseudonyms.
    lessons, questions:
        The session's scope (see `session_scope`); both None for the whole course.

    Raises
    ------
    FileNotFoundError
        When the folder does not exist.
    ScopeError
        When the scope names a lesson or question the course does not have (checked before any file is read).
    """
    scope = session_scope(lessons, questions)
    accepted, skipped = load_folder(folder, names)
    return aggregate(accepted, skipped, names, scope)


def demo_class(size: int = 12, seed: int = 7, lessons=None, questions=None) -> ClassResults:
    """Aggregate a small invented class (see `course.demo_class`), so an instructor can see the views first."""
    from course import demo_class as demo

    return demo.demo_class(size, seed, lessons, questions)


# -- rendering ---------------------------------------------------------------------------------
def _chart_text(text: str, limit: int = 52) -> str:
    """Return bank text short enough for a chart label, with '$' kept from starting matplotlib's maths."""
    return _short(" ".join(text.split()), limit).replace("$", r"\$")


def charts(results: ClassResults, for_file: bool = False) -> dict[str, bytes]:
    """Draw the class charts as PNG bytes: completion, hardest questions, self-assessment shift.

    Completion is drawn for three lessons or more (the table says as much for fewer); the hardest
    questions are the ranked ones of the scope (see `ranking_minimum`), at most 12; the shift only
    when the scope covers the self-assessment.
    """
    from course.charts import figure, png

    out = {}
    comp = results.completion
    if len(comp) >= 3:
        fig, ax, _ = figure(8, 0.4 + 0.3 * len(comp), for_file)
        ax.barh(comp["lesson"], comp["mean completion"].fillna(0) * 100, color="#1f77b4")
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Mean completion (%)")
        out["Completion per lesson"] = png(fig, for_file)

    hardest = results.hardest(12)
    if hardest:
        fig, ax, _ = figure(8, 0.6 + 0.32 * len(hardest), for_file)
        ax.barh([_chart_text(q.stem) for q in hardest], [q.first_share * 100 for q in hardest], color="#e07b00")
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Right at the first try (% of those who answered): the hardest questions first")
        out["Hardest questions"] = png(fig, for_file)

    shift = results.profile_shift.dropna(subset=["shift"])
    if len(shift) and results.shows("profile"):
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


def scope_line(results: ClassResults) -> str:
    """Say what the results cover: the whole course, or the session's lessons and how many questions."""
    scope = results.scope
    count = len(results.question_results)
    questions = f"{count} question{'s' if count != 1 else ''}"
    if scope is None or scope.whole:
        return f"The whole course: {len(results.completion)} lessons, {questions}."
    lessons = "; ".join(results.lesson_labels.get(lesson_id, lesson_id) for lesson_id in scope.lessons)
    return f"This session: {lessons} — {questions}."


def ranking_note(results: ClassResults) -> str:
    """Say which questions are ranked as hard and why the others are not."""
    return (f"Only questions answered by at least {results.min_ranked} people are ranked (half the class, and never "
            f"fewer than {MIN_RANKED}): a handful of answers says little about a class.")


def name_checks(results: ClassResults) -> list[str]:
    """Ask the instructor to check typed names that different learners share."""
    return [f"Check the names: {clash}. Their exports carry different learner ids (or, from an older version of the "
            "course, none), so they are counted as different people." for clash in results.shared_names]


def course_wide_lines(results: ClassResults) -> list[str]:
    """Describe the 90-day plans and the self-assessment shift, when the scope covers them."""
    lines = []
    if results.plan_writers and results.shows("plans"):
        lines.append(f"90-day plans: {results.plan_writers} of {results.learners} learners wrote one, filling a median of "
                     f"{results.plan_fields_median:.0f} of {len(results.plans)} fields.")
    shift = results.profile_shift.dropna(subset=["shift"])
    if len(shift) and results.shows("profile"):
        biggest = shift.iloc[shift["shift"].abs().argmax()]
        lines.append(f"Largest self-assessment shift: {biggest['cluster']} ({biggest['pole']}), "
                     f"{biggest['shift']:+.1f} on average for {int(biggest['learners'])} learners with both ratings.")
    return lines


def finished_count(results: ClassResults) -> int:
    """Return how many learners finished every lesson of the scope."""
    table = results.by_learner
    return int((table["lessons done"] == table["lessons"]).sum()) if table is not None and len(table) else 0


def unfinished(results: ClassResults) -> list[str]:
    """Return the learners (as shown: pseudonyms unless names are on) who have not finished every scoped lesson."""
    table = results.by_learner
    if table is None or not len(table):
        return []
    return list(table.loc[table["lessons done"] < table["lessons"], "learner"])


def summary_lines(results: ClassResults) -> list[str]:
    """Describe the class results in words (for the report and for people who cannot see the charts)."""
    lines = [scope_line(results),
             f"{results.learners} learner{'s' if results.learners != 1 else ''} included; "
             f"{len(results.skipped)} file{'s' if len(results.skipped) != 1 else ''} skipped."]
    lines += name_checks(results)
    if results.learners and len(results.completion):
        whole = results.scope is None or results.scope.whole
        lines.append(f"{finished_count(results)} of {results.learners} finished every lesson "
                     f"{'of the course' if whole else 'of this session'}.")
    hardest = results.hardest(3)
    if hardest:
        named = "; ".join(f"“{_short(q.stem, 90)}” ({q.lesson_id}/{q.question_id}), {q.first_share:.0%} of "
                          f"{q.answered}" for q in hardest)
        lines.append(f"Hardest question{'s' if len(hardest) > 1 else ''} (right at the first try): {named}.")
    elif results.question_results:
        lines.append(f"No question is ranked as hard yet: none was answered by at least {results.min_ranked} people.")
    return lines + course_wide_lines(results)


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
        "plans": table(results.plans) if results.plan_writers and results.shows("plans") else "",
        "plan_checks": table(results.plan_checks) if results.plan_writers and results.shows("plans") else "",
        "profile": (table(results.profile_shift) if len(results.profile_shift.dropna(subset=["shift"]))
                    and results.shows("profile") else ""),
        "roster": table(results.roster),
        "pre_post": (table(results.pre_post, ["right before", "right after"])
                     if results.pre_post is not None and results.pre_post["learners"].sum() and results.shows("pre_post")
                     else ""),
    }


# With a byte order mark, Excel reads the files as UTF-8 (learners' names are often not ASCII). Every CSV the
# course hands out is encoded with it: the command's files, the widget's and the report's downloads.
CSV_ENCODING = "utf-8-sig"
# A spreadsheet runs a cell that starts with one of these as a formula; learners' names and file names reach the CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """Return a value as a safe CSV cell: text a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers stay numbers (a share as a fraction from 0 to 1, to 4 places); a missing number is an empty cell.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if value != value else round(value, 4)
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: list[str], rows) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()


def csv_tables(results: ClassResults, names: bool = False) -> dict[str, str]:
    """Return the per-question, per-option and per-learner tables as CSV text, by file name.

    `questions.csv` has one row per scoped question, `options.csv` one row per part of each question
    and what was counted, `learners.csv` one row per learner (the file column only with `names`).
    Cells that a spreadsheet would run as a formula are neutralised (`csv_cell`).
    """
    question_rows = []
    option_rows = []
    wrong = results.questions.set_index(["lesson", "question"]) if len(results.questions) else None
    for q in results.question_results:
        common = wrong.loc[(q.lesson, q.question_id)] if wrong is not None else None
        question_rows.append([q.lesson, q.question_id, q.stem, q.type, q.answered, q.first_right, q.first_share,
                              q.final_right, q.final_share, q.ranked,
                              common["most common wrong answer"] if common is not None else "",
                              int(common["times chosen"]) if common is not None else 0])
        for part in q.parts:
            for what, people in part.counts:
                option_rows.append([q.lesson, q.question_id, part.text, part.key, what, people])
    learners = results.by_learner
    columns = [c for c in learners.columns if c != "file" or names]
    return {
        "questions.csv": _csv(["lesson", "question id", "question", "type", "answered", "right at the first try",
                               "share right at the first try", "right in the end", "share right in the end", "ranked",
                               "most common wrong first answer", "people who gave it"], question_rows),
        "options.csv": _csv(["lesson", "question id", "option or statement", "key", "first answers", "people"],
                            option_rows),
        "learners.csv": _csv(columns, learners[columns].itertuples(index=False, name=None)),
    }


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("course", "templates"), autoescape=True)
    env.filters["percent"] = lambda v: "–" if v != v else f"{v:.0%}"
    return env


def _template():
    return _environment().get_template("report.html.j2")


def _parts():
    return _environment().get_template("class_parts.html.j2").module


def question_sections_html(results: ClassResults) -> str:
    """Return the per-question sections (wording, figures in people, first answers per part) as escaped HTML."""
    return str(_parts().questions(results))


def learners_html(results: ClassResults, names: bool = False) -> str:
    """Return the per-learner table (lessons done, what is not finished) as escaped HTML."""
    return str(_parts().learners(results, names))


def reflections_html(results: ClassResults) -> str:
    """Return each scoped prompt with how many wrote on it and, from those who agreed, a few quotes without names,
    as escaped HTML."""
    return str(_parts().reflections(results))


def report_html(results: ClassResults, names: bool = False) -> str:
    """Return one self-contained HTML report that prints well on A4.

    A one-page summary first (scope, people, completion, the three hardest scoped questions), then one
    section per scoped question, the learners, reflections, the course-wide parts the scope covers,
    charts and the files skipped. The CSV tables are inline downloads, hidden in print, with the same bytes
    as the command's files (`CSV_ENCODING`).
    """
    import base64
    from datetime import datetime

    from markupsafe import Markup

    tables = {k: Markup(v) for k, v in tables_html(results).items()}  # to_html(escape=True) already escaped
    pngs = [(title, base64.b64encode(png).decode("ascii")) for title, png in charts(results, for_file=True).items()]
    downloads = [(name, base64.b64encode(text.encode(CSV_ENCODING)).decode("ascii"))
                 for name, text in csv_tables(results, names).items()]
    return _template().render(
        generated=datetime.now().strftime("%d %B %Y %H:%M"), names=names, results=results,
        scope=scope_line(results), ranking=ranking_note(results), checks=name_checks(results),
        course_wide=course_wide_lines(results), finished=finished_count(results), unfinished=unfinished(results),
        charts=pngs, skipped=results.skipped, downloads=downloads, **tables)
