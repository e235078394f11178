"""Score a learner's answer to a question and explain each part of it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from course.bank import LABELS, Question


class AnswerError(ValueError):
    """An answer does not fit its question (wrong shape, index out of range, unknown label)."""


@dataclass(frozen=True)
class Remark:
    """Feedback on one part of an answer: an option picked, or one classified statement."""

    text: str
    ok: bool
    feedback: str


@dataclass(frozen=True)
class Result:
    """The outcome of checking one answer."""

    correct: bool
    score: float
    remarks: tuple[Remark, ...]
    missed: int = 0

    @property
    def summary(self) -> str:
        """Return a one-line verdict in words."""
        if self.correct:
            return "Correct"
        if self.score > 0:
            return "Partly right"
        return "Not quite"


def normalise(question: Question, answer: Any) -> Any:
    """Return the answer in its canonical, storable shape, or raise AnswerError."""
    if question.type == "classify":
        if not isinstance(answer, (list, tuple)) or len(answer) != len(question.statements):
            raise AnswerError(f"question '{question.id}' needs one label per statement ({len(question.statements)})")
        out = []
        for label in answer:
            if label is not None and label not in LABELS:
                raise AnswerError(f"label {label!r} is not one of {', '.join(LABELS)}")
            out.append(label)
        return out
    if question.type == "multiple":
        if not isinstance(answer, (list, tuple, set, frozenset)):
            raise AnswerError(f"question '{question.id}' takes a list of option numbers")
        picks = sorted(set(answer))
    else:
        if answer is None:
            return None
        picks = [answer]
    for p in picks:
        if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < len(question.choices):
            raise AnswerError(f"question '{question.id}' has no option {p!r}")
    return picks if question.type == "multiple" else picks[0]


def is_complete(question: Question, answer: Any) -> bool:
    """Tell whether an answer gives something for every part of the question."""
    if question.type == "classify":
        return answer is not None and all(label is not None for label in answer)
    if question.type == "multiple":
        return bool(answer)
    return answer is not None


def score(question: Question, answer: Any) -> Result:
    """Check an answer against the key.

    Parameters
    ----------
    question:
        The question from the bank.
    answer:
        An option index (single, true/false, scenario), a list of option indices (multiple),
        or a list with one label per statement (classify; None for a statement left open).
    """
    answer = normalise(question, answer)
    if question.type == "classify":
        remarks = []
        for statement, label in zip(question.statements, answer):
            ok = label == statement.label
            remarks.append(Remark(statement.text, ok, statement.feedback if label is not None else "Not yet sorted."))
        right = sum(r.ok for r in remarks)
        return Result(right == len(remarks), right / len(remarks), tuple(remarks))
    if question.type == "multiple":
        keyed = set(question.keyed)
        picked = set(answer)
        remarks = tuple(Remark(question.choices[i].text, i in keyed, question.choices[i].feedback) for i in sorted(picked))
        hits = len(picked & keyed)
        wrong = len(picked - keyed)
        missed = len(keyed - picked)
        return Result(picked == keyed, max(0.0, (hits - wrong) / len(keyed)), remarks, missed)
    if answer is None:
        return Result(False, 0.0, ())
    choice = question.choices[answer]
    return Result(choice.correct, 1.0 if choice.correct else 0.0, (Remark(choice.text, choice.correct, choice.feedback),))
