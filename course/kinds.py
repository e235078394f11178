"""The question kinds: one object per kind knows its answer's shape, how to check it and what was wrong.

Every rule that depends on a question's type lives here (the views keep one input class per kind
in `widgets.quiz_view.INPUTS`). An answer is always stored by the identity of what was picked in
the bank: an option's index in its file, or a label per statement in file order. Display order
(see `course.order`) never reaches the store.
"""
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
    index: int = 0


@dataclass(frozen=True)
class Result:
    """The outcome of checking one answer.

    `score` runs from 0 to 1; `missed` counts keyed options a multiple-select answer left out.
    """

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


def _index(question: Question, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(question.choices):
        raise AnswerError(f"question '{question.id}' has no option {value!r}")
    return value


class Kind:
    """What every question kind provides. Subclasses fill in the answer's shape and the scoring."""

    name = ""
    title = ""
    shuffled = True  # whether the options (or statements) are shown in a per-learner order

    def parts(self, question: Question) -> tuple:
        """Return what the learner sees as options, in bank order (choices or statements)."""
        return question.choices

    def empty(self, question: Question) -> Any:
        """Return the answer of a learner who has picked nothing yet."""
        return None

    def normalise(self, question: Question, answer: Any) -> Any:
        """Return the answer in its canonical, storable shape, or raise AnswerError."""
        raise NotImplementedError

    def is_complete(self, question: Question, answer: Any) -> bool:
        """Tell whether an answer gives something for every part of the question."""
        return answer is not None

    def score(self, question: Question, answer: Any) -> Result:
        """Check a (normalised) answer against the key."""
        raise NotImplementedError

    def wrong_parts(self, question: Question, answer: Any) -> list[str]:
        """Name each wrong part of an answer, in bank order (e.g. an option's text)."""
        raise NotImplementedError

    def explain_all(self, question: Question) -> tuple[Remark, ...]:
        """Return every option with its feedback and whether the key has it, in bank order."""
        return tuple(Remark(c.text, c.correct, c.feedback, i) for i, c in enumerate(question.choices))

    def key_text(self, question: Question) -> list[str]:
        """Return the key in words, one line per keyed option or statement."""
        return [c.text for c in question.choices if c.correct]

    def sample(self, question: Question, rng, right: bool) -> Any:
        """Return an invented answer (the key if `right`, else a random one), for demo classes and tests."""
        return question.keyed[0] if right else rng.randrange(len(question.choices))


class OneOption(Kind):
    """One option picked by its index: single choice, true/false and scenario."""

    def __init__(self, name: str, title: str, shuffled: bool = True):
        self.name, self.title, self.shuffled = name, title, shuffled

    def normalise(self, question, answer):
        if answer is None:
            return None
        return _index(question, answer)

    def score(self, question, answer):
        answer = self.normalise(question, answer)
        if answer is None:
            return Result(False, 0.0, ())
        choice = question.choices[answer]
        return Result(choice.correct, 1.0 if choice.correct else 0.0,
                      (Remark(choice.text, choice.correct, choice.feedback, answer),))

    def wrong_parts(self, question, answer):
        answer = self.normalise(question, answer)
        if answer is None or question.choices[answer].correct:
            return []
        return [question.choices[answer].text]


class ManyOptions(Kind):
    """Any number of options picked by their indices: multiple select."""

    name, title = "multiple", "Choose all that apply"

    def empty(self, question):
        return []

    def normalise(self, question, answer):
        if not isinstance(answer, (list, tuple, set, frozenset)):
            raise AnswerError(f"question '{question.id}' takes a list of option numbers")
        return sorted({_index(question, p) for p in answer})

    def is_complete(self, question, answer):
        return bool(answer)

    def score(self, question, answer):
        picked = set(self.normalise(question, answer))
        keyed = set(question.keyed)
        remarks = tuple(Remark(question.choices[i].text, i in keyed, question.choices[i].feedback, i)
                        for i in sorted(picked))
        hits, wrong, missed = len(picked & keyed), len(picked - keyed), len(keyed - picked)
        return Result(picked == keyed, max(0.0, (hits - wrong) / len(keyed)), remarks, missed)

    def wrong_parts(self, question, answer):
        return [question.choices[i].text for i in self.normalise(question, answer) if not question.choices[i].correct]

    def sample(self, question, rng, right):
        return list(question.keyed) if right else sorted({rng.randrange(len(question.choices))})


class Sorting(Kind):
    """A label (leading, managing or both) for each statement, in bank order: classify."""

    name, title = "classify", "Leading, managing or both?"

    def parts(self, question):
        return question.statements

    def empty(self, question):
        return [None] * len(question.statements)

    def normalise(self, question, answer):
        if not isinstance(answer, (list, tuple)) or len(answer) != len(question.statements):
            raise AnswerError(f"question '{question.id}' needs one label per statement ({len(question.statements)})")
        for label in answer:
            if label is not None and label not in LABELS:
                raise AnswerError(f"label {label!r} is not one of {', '.join(LABELS)}")
        return list(answer)

    def is_complete(self, question, answer):
        return answer is not None and all(label is not None for label in answer)

    def score(self, question, answer):
        answer = self.normalise(question, answer)
        remarks = tuple(Remark(s.text, label == s.label, s.feedback if label is not None else "Not yet sorted.", i)
                        for i, (s, label) in enumerate(zip(question.statements, answer)))
        right = sum(r.ok for r in remarks)
        return Result(right == len(remarks), right / len(remarks), remarks)

    def wrong_parts(self, question, answer):
        answer = self.normalise(question, answer)
        return [f"{s.text[:60]} → {label}" for s, label in zip(question.statements, answer)
                if label is not None and label != s.label]

    def explain_all(self, question):
        return tuple(Remark(s.text, True, s.feedback, i) for i, s in enumerate(question.statements))

    def key_text(self, question):
        return [f"{s.text} → {s.label.capitalize()}" for s in question.statements]

    def sample(self, question, rng, right):
        return [s.label if right or rng.random() < 0.5 else rng.choice(LABELS) for s in question.statements]


KINDS: dict[str, Kind] = {
    "single": OneOption("single", "Choose one"),
    "multiple": ManyOptions(),
    "truefalse": OneOption("truefalse", "True or false", shuffled=False),
    "classify": Sorting(),
    "scenario": OneOption("scenario", "Scenario"),
}


def kind_of(question: Question) -> Kind:
    """Return the kind object for a question's type."""
    return KINDS[question.type]
