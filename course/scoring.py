"""Score a learner's answer to a question and explain each part of it (rules per kind: `course.kinds`)."""
from __future__ import annotations

from typing import Any

from course.bank import Question
from course.kinds import AnswerError, Remark, Result, kind_of

__all__ = ["AnswerError", "Remark", "Result", "normalise", "is_complete", "score"]


def normalise(question: Question, answer: Any) -> Any:
    """Return the answer in its canonical, storable shape, or raise AnswerError."""
    return kind_of(question).normalise(question, answer)


def is_complete(question: Question, answer: Any) -> bool:
    """Tell whether an answer gives something for every part of the question."""
    return kind_of(question).is_complete(question, answer)


def score(question: Question, answer: Any) -> Result:
    """Check an answer against the key.

    Parameters
    ----------
    question:
        The question from the bank.
    answer:
        An option index in bank order (single, true/false, scenario), a list of option indices
        (multiple), or a list with one label per statement in bank order (classify; None for a
        statement left open).

    Raises
    ------
    AnswerError
        The answer does not fit the question.
    """
    return kind_of(question).score(question, answer)
