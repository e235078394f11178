"""What a live session accepts and how it counts the room's answers: pure functions, no database, no web.

A learner's kernel sends one checked answer at a time (`check_answer` decides whether the service takes it).
The instructor's dashboard shows, per question, how many people answered, how many were right at their
first try, and how the room's first answers spread over the options (`tally`). A closed session's answers
become export-shaped documents (`export_docs`) that `course.class_results` reads like files handed in, so
the report after a live session is the same report, made by the same code.

Limits (each tested on both sides): a request body is at most `MAX_BODY_BYTES`; a session names at most
`MAX_LESSONS` lessons and `MAX_GROUPS` hub groups; a learner sends at most `answer_cap` answers to one session
(`ANSWERS_PER_QUESTION` per question of its lessons); a session takes at most `MAX_MEMBERS` learners; an
instructor has at most `MAX_OPEN` sessions open at once.

A session open to everyone on the hub lists no groups; one restricted to hub groups is offered to, and joined
by, members of those groups only (`may_take_part`).
"""
from __future__ import annotations

import functools
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Iterable

MAX_BODY_BYTES = 4096   # one request's body; a real answer takes about 200 bytes
MAX_LESSONS = 20        # lessons one session covers (the course has 14)
ANSWERS_PER_QUESTION = 10  # answers one learner sends to one session, per question of its lessons
MAX_GROUPS = 20         # hub groups one session is restricted to
MAX_MEMBERS = 5000      # learners one session takes
MAX_OPEN = 10           # sessions one instructor has open at once
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from a projector
CODE_LENGTH = 6
CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
SESSION_ID = re.compile(r"[0-9a-f]{32}")

_KEY = {"type": "string", "minLength": 1, "maxLength": 80}
ANSWER_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "One checked answer shared with a live session",
    "type": "object",
    "required": ["uid", "lesson", "question", "answer", "correct", "at"],
    "additionalProperties": False,
    "properties": {
        "uid": {"type": "string", "pattern": "^[0-9a-f]{32}$", "maxLength": 32},
        "lesson": _KEY,
        "question": _KEY,
        "answer": {"anyOf": [
            {"type": "null"}, {"type": "integer", "minimum": 0, "maximum": 99},
            {"type": "array", "maxItems": 20, "items": {"type": ["integer", "string", "null"], "maxLength": 20}},
        ]},
        "correct": {"type": "boolean"},
        "at": {"type": "string", "minLength": 10, "maxLength": 40},
    },
}
OPEN_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "required": ["lessons"], "additionalProperties": False,
    "properties": {"lessons": {"type": "array", "maxItems": MAX_LESSONS, "items": _KEY},
                   "groups": {"type": "array", "maxItems": MAX_GROUPS,
                              "items": {"type": "string", "minLength": 1, "maxLength": 255}}},
}
JOIN_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "required": ["code"], "additionalProperties": False,
    "properties": {"code": {"type": "string", "maxLength": 12}},
}


class Refused(ValueError):
    """A request the service does not take; the message says why without quoting what was sent.

    `status` is the HTTP status to answer with (400 malformed, 403 not allowed, 404 unknown, 409 a session
    that is closed or not joined, 413 too large, 429 a learner's answers past the session's cap, 503 the
    database busy: try again shortly).
    """

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Answer:
    """One checked answer as the service stores it, built from validated fields only."""

    uid: str
    lesson: str
    question: str
    answer: Any      # normalised: an option index, a sorted list of indices, or a label per statement
    correct: bool    # as the service's own scoring finds it (the learner's claim must agree)
    score: float     # 0 to 1
    at: str          # the learner's check time, UTC ISO 8601


@functools.lru_cache(maxsize=None)
def _checker(name: str):
    from course.schemas import Checker

    return Checker({"answer": ANSWER_SCHEMA, "open": OPEN_SCHEMA, "join": JOIN_SCHEMA}[name])


def _reject_constant(name: str):
    raise Refused("the body holds a number JSON does not allow")


def _unique_keys(pairs):
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise Refused("the body repeats a key")
    return doc


def parse_body(body: bytes, schema: str) -> dict:
    """Parse a request body as strict JSON and check it against one of the service's schemas.

    Parameters
    ----------
    body:
        The raw bytes, at most `MAX_BODY_BYTES`.
    schema:
        "answer", "open" or "join".

    Raises
    ------
    Refused
        413 when the body is too large, 400 when it is not UTF-8 JSON of the schema's shape.
    """
    if len(body) > MAX_BODY_BYTES:
        raise Refused(f"a request body is at most {MAX_BODY_BYTES:,} bytes", 413)
    try:
        text = body.decode("utf-8")
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except Refused:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused("the body is not UTF-8 JSON") from None
    try:
        text.encode("utf-8")  # a \ud800 escape decodes to a lone surrogate, which no database column takes
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Refused("the body holds a broken character") from None
    if not _checker(schema).is_valid(doc):
        raise Refused(f"the body does not have the shape of a '{schema}' request")
    return doc


def lesson_ids(requested: Iterable[str]) -> tuple[str, ...]:
    """Return the bank's ids of the requested lessons (a notebook name is accepted too), each once, in the order given.

    Raises Refused (400) for an empty list, more than `MAX_LESSONS`, or a lesson the bank does not have.
    """
    from course.bank import BankError, lesson

    out: list[str] = []
    for name in requested:
        try:
            found = lesson(name)
        except (BankError, KeyError):
            raise Refused("a session names a lesson the course does not have") from None
        if found.id not in out:
            out.append(found.id)
    if not out:
        raise Refused("a session needs at least one lesson")
    if len(out) > MAX_LESSONS:
        raise Refused(f"a session covers at most {MAX_LESSONS} lessons")
    return tuple(out)


def check_answer(doc: dict, lessons: Iterable[str]) -> Answer:
    """Turn a parsed answer document (see `ANSWER_SCHEMA`) into an `Answer`, or refuse it.

    The lesson must be one of the session's, the question one of that lesson's, the answer of the shape its
    question type takes and complete, and `correct` what the course's own scoring says of it.

    Raises
    ------
    Refused
        400, saying which rule the answer breaks.
    """
    from course.bank import BankError, lesson
    from course.exchange import is_time
    from course.kinds import AnswerError, kind_of
    from course.store import utc_time

    if doc["lesson"] not in set(lessons):
        raise Refused("the answer is for a lesson this session does not cover")
    try:
        question = lesson(doc["lesson"]).question(doc["question"])
    except (BankError, KeyError):
        raise Refused("the answer is for a question the lesson does not have") from None
    kind = kind_of(question)
    try:
        answer = kind.normalise(question, doc["answer"])
        if not kind.is_complete(question, answer):
            raise Refused("the answer leaves part of the question unanswered")
        result = kind.score(question, answer)
    except AnswerError:
        raise Refused("the answer does not fit its question") from None
    if bool(result.correct) != doc["correct"]:
        raise Refused("the answer's 'correct' does not match the course's key")
    if not is_time(doc["at"]):  # the form and range an export's times must have too
        raise Refused("the answer's time is not an ISO 8601 date and time")
    at = utc_time(doc["at"])
    return Answer(doc["uid"], doc["lesson"], doc["question"], answer, result.correct, float(result.score), at)


def answer_cap(lessons: Iterable[str]) -> int:
    """Return how many answers one learner may send to a session of these lessons: `ANSWERS_PER_QUESTION` per question.

    Raises Refused (400) for a lesson the bank does not have.
    """
    from course.bank import BankError, lesson

    try:
        return ANSWERS_PER_QUESTION * sum(len(lesson(lesson_id).questions) for lesson_id in lessons)
    except (BankError, KeyError):
        raise Refused("a session names a lesson the course does not have") from None


def group_names(requested: Iterable[str]) -> tuple[str, ...]:
    """Return the hub groups a session is restricted to, each once and sorted (empty: open to every hub user).

    Raises Refused (400) past `MAX_GROUPS` groups.
    """
    out = tuple(sorted(set(requested)))
    if len(out) > MAX_GROUPS:
        raise Refused(f"a session is restricted to at most {MAX_GROUPS} hub groups")
    return out


def may_take_part(session_groups: Iterable[str], user_groups: Iterable[str] | None) -> bool:
    """Tell whether a hub user (their groups, from the hub's user model) may see and join a session.

    A session that names no groups is open to every hub user; one that does, to members of any of them.
    """
    wanted = set(session_groups)
    return not wanted or bool(wanted & set(user_groups or ()))


def new_learner_id() -> str:
    """Return a learner id for one person in one session: 32 random hex digits, drawn when they join.

    Nothing about the person goes into it, so knowing the class list does not tell whose it is.
    """
    return secrets.token_hex(16)


def new_code() -> str:
    """Return a fresh join code: `CODE_LENGTH` characters that cannot be misread from a projector."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """Return a typed join code in its stored form (upper case, spaces and dashes dropped), or None if it is not one."""
    code = re.sub(r"[\s-]", "", text or "").upper()
    return code if CODE.fullmatch(code) else None


_FIRST = ("Amber", "Birch", "Cedar", "Coral", "Dune", "Ember", "Fern", "Flint", "Harbour", "Heather", "Indigo",
          "Juniper", "Linen", "Maple", "Meadow", "Olive", "Pebble", "Quartz", "Rowan", "Saffron", "Slate", "Willow")
_SECOND = ("Falcon", "Otter", "Heron", "Badger", "Wren", "Lynx", "Marten", "Plover", "Stoat", "Finch", "Hare",
           "Kestrel", "Robin", "Salmon", "Swift", "Tern", "Vole", "Crane", "Owl", "Seal", "Moth", "Newt")


def pseudonym(taken: set[str]) -> str:
    """Return a two-word name for a learner in one session, not among `taken` (numbered once the pairs run out)."""
    free = [f"{a} {b}" for a in _FIRST for b in _SECOND if f"{a} {b}" not in taken]
    if free:
        return secrets.choice(free)
    n = len(taken) + 1
    while f"Learner {n}" in taken:
        n += 1
    return f"Learner {n}"


# -- counting the room -------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    """One bar of a question's distribution: an option (or a classify statement) and how many people it counts."""

    label: str
    count: int
    keyed: bool       # the option is in the key (classify: always True, the bar counts those who sorted it as keyed)
    detail: str = ""  # classify: how the room sorted the statement, in words ("Leading 3 · Managing 1 · Both 0")


@dataclass(frozen=True)
class QuestionTally:
    """What the dashboard shows for one question: people who answered, first tries right, the first answers' spread."""

    lesson: str
    question: str
    number: int        # the question's place in its lesson, from 1
    prompt: str
    kind: str          # the question type, as in the bank
    answered: int      # people who checked an answer
    first_right: int   # of them, people whose first answer was right
    bars: tuple[Bar, ...]
    key: tuple[str, ...]  # the key in words (no discussion notes: they are the trainer's)
    right_now: int = 0    # people whose latest answer is right

    @property
    def first_right_share(self) -> float | None:
        """Return first tries right as a share of people who answered (None when nobody has)."""
        return self.first_right / self.answered if self.answered else None

    def as_json(self) -> dict:
        """Return the tally as a JSON-ready dict."""
        return {"lesson": self.lesson, "question": self.question, "number": self.number, "prompt": self.prompt,
                "kind": self.kind, "answered": self.answered, "first_right": self.first_right,
                "right_now": self.right_now,
                "bars": [{"label": b.label, "count": b.count, "keyed": b.keyed, "detail": b.detail} for b in self.bars],
                "key": list(self.key)}

    @classmethod
    def from_json(cls, doc: dict) -> "QuestionTally":
        """Rebuild a tally from `as_json` output (the dashboard reads the service's answer this way).

        Raises KeyError, TypeError or ValueError when `doc` is not of that shape.
        """
        bars = tuple(Bar(str(b["label"]), int(b["count"]), bool(b["keyed"]), str(b.get("detail", ""))) for b in doc["bars"])
        return cls(str(doc["lesson"]), str(doc["question"]), int(doc["number"]), str(doc["prompt"]), str(doc["kind"]),
                   int(doc["answered"]), int(doc["first_right"]), bars, tuple(str(k) for k in doc["key"]),
                   int(doc["right_now"]))


# What the service keeps per session as answers arrive, and all the dashboard reads:
#   first answers: (lesson, question, answer, correct, people) - how many people's first answer it was;
#   right now:     (lesson, question) -> people whose latest answer is right.
FirstAnswers = Iterable[tuple[str, str, Any, bool, int]]


def first_and_latest(rows: Iterable[tuple[str, str, str, Any, bool]]) -> tuple[list[tuple[str, str, Any, bool, int]],
                                                                              dict[tuple[str, str], int]]:
    """Count raw answer rows the way the service's store keeps them: each person's first and latest answer per question.

    Parameters
    ----------
    rows:
        (person, lesson, question, answer, correct) in the order received.

    Returns
    -------
    (first answers, right now), as `tally` takes them.
    """
    first: dict[tuple[str, str, str], tuple[Any, bool]] = {}
    latest: dict[tuple[str, str, str], bool] = {}
    for person, lesson_id, question_id, answer, correct in rows:
        first.setdefault((lesson_id, question_id, person), (answer, bool(correct)))
        latest[(lesson_id, question_id, person)] = bool(correct)
    grouped: dict[tuple[str, str, str, bool], list] = {}
    for (lesson_id, question_id, _), (answer, correct) in first.items():
        key = (lesson_id, question_id, json.dumps(answer), correct)
        grouped.setdefault(key, [answer, 0])[1] += 1
    firsts = [(lesson_id, question_id, answer, correct, n)
              for (lesson_id, question_id, _, correct), (answer, n) in grouped.items()]
    right: dict[tuple[str, str], int] = {}
    for (lesson_id, question_id, _), correct in latest.items():
        right[(lesson_id, question_id)] = right.get((lesson_id, question_id), 0) + int(correct)
    return firsts, right


def tally(lessons: Iterable[str], firsts: FirstAnswers, right_now: dict[tuple[str, str], int] | None = None
          ) -> list[QuestionTally]:
    """Count a session's answers per question, every question of the session's lessons in course order.

    Parameters
    ----------
    lessons:
        The session's lesson ids.
    firsts:
        (lesson, question, answer, correct, people): how many people gave this answer at their first try. Rows for
        questions the bank no longer has are left out.
    right_now:
        (lesson, question) -> how many people's latest answer is right (missing: none).
    """
    from course.bank import LABELS, lesson
    from course.kinds import kind_of

    by_question: dict[tuple[str, str], list[tuple[Any, bool, int]]] = {}
    for lesson_id, question_id, answer, correct, people in firsts:
        by_question.setdefault((lesson_id, question_id), []).append((answer, bool(correct), int(people)))
    right_now = right_now or {}
    out = []
    for lesson_id in lessons:
        for number, q in enumerate(lesson(lesson_id).questions, start=1):
            answers = by_question.get((lesson_id, q.id), [])
            answered = sum(n for _, _, n in answers)
            if q.type == "classify":
                bars = []
                for i, s in enumerate(q.statements):
                    labels: dict[Any, int] = {}
                    for a, _, n in answers:
                        label = a[i] if isinstance(a, list) and i < len(a) else None
                        labels[label] = labels.get(label, 0) + n
                    detail = " · ".join(f"{label.capitalize()} {labels.get(label, 0)}" for label in LABELS)
                    bars.append(Bar(s.text, labels.get(s.label, 0), True, detail))
            else:
                picks = [(set(a) if isinstance(a, list) else {a}, n) for a, _, n in answers]
                bars = [Bar(c.text, sum(n for p, n in picks if i in p), c.correct) for i, c in enumerate(q.choices)]
            out.append(QuestionTally(lesson_id, q.id, number, q.prompt, q.type, answered,
                                     sum(n for _, ok, n in answers if ok), tuple(bars), tuple(kind_of(q).key_text(q)),
                                     min(answered, right_now.get((lesson_id, q.id), 0))))
    return out


# -- after the session: the class report's input ----------------------------------------------
def export_docs(closed_at: str, rows: Iterable[tuple[str, str, Answer]]) -> list[dict]:
    """Return one export-shaped document per person who shared answers, as `course.exchange` writes them.

    Parameters
    ----------
    closed_at:
        When the session closed (the documents' `exported_at`).
    rows:
        (learner id, pseudonym, answer) in the order received; the learner id is the random one drawn when the
        person joined (`new_learner_id`). Reflections, ratings and names are never part of a live session, so the
        documents hold none; the pseudonym stands in the `learner` field.
    """
    docs: dict[str, dict] = {}
    for learner_id, name, a in rows:
        doc = docs.get(learner_id)
        if doc is None:
            doc = docs[learner_id] = {
                "format": "lead-manage-export", "version": 2, "exported_at": closed_at, "learner": name,
                "learner_id": learner_id, "attempts": [], "reflections": [], "ratings": [],
                "profile": {}, "reflection_history": "full"}
        doc["attempts"].append({"uid": a.uid, "lesson": a.lesson, "question": a.question, "answer": a.answer,
                                "correct": a.correct, "score": a.score, "at": a.at})
    return list(docs.values())


def class_results(docs: list[dict]):
    """Aggregate export-shaped documents with `course.class_results` (the same tables as files handed in).

    Each document goes through the same parsing and schema check as a file would (`read_submission`).
    """
    from course.class_results import aggregate, dedupe, read_submission

    submissions = [read_submission(f"{doc['learner']}.json", json.dumps(doc).encode("utf-8")) for doc in docs]
    accepted, skipped = dedupe(submissions, [])
    return aggregate(accepted, skipped)


def report_html(docs: list[dict]) -> str:
    """Return the class report (`course.class_results.report_html`) for a closed session's documents."""
    from course.class_results import report_html as render

    return render(class_results(docs))
