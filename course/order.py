"""The order in which a question's options are shown: shuffled per learner, stable, never stored.

A learner sees one order per question, seeded from their random learner id and the question's id,
so it survives re-runs, kernel restarts and a move to another machine with an imported export.
Instructor mode and static copies use one shared order (the same for the whole room), which is
never the bank's own order. Answers are always stored in bank order (`course.kinds`).
"""
from __future__ import annotations

import hashlib
import random

from course.bank import Lesson, Question
from course.kinds import kind_of

SHARED = "shared-room-order"


def display_order(lesson: Lesson | str, question: Question, learner_id: str = SHARED) -> tuple[int, ...]:
    """Return the bank indices of the question's options (or statements) in the order to show them.

    Parameters
    ----------
    lesson:
        The lesson (or its id) the question belongs to.
    question:
        The question.
    learner_id:
        The learner's random id; the default gives the shared order used in instructor mode and
        static copies, which always differs from the bank's order when there are two or more options.
    """
    lesson_id = lesson if isinstance(lesson, str) else lesson.id
    n = len(kind_of(question).parts(question))
    order = list(range(n))
    if not kind_of(question).shuffled or n < 2:
        return tuple(order)
    seed = hashlib.sha256(f"{learner_id}\x00{lesson_id}\x00{question.id}".encode()).digest()
    random.Random(seed).shuffle(order)
    if learner_id == SHARED and order == sorted(order):
        order = order[1:] + order[:1]  # a room never sees the bank's order, where keys once sat first
    return tuple(order)


def letter(position: int) -> str:
    """Return the voting letter of the option shown at `position` in the room's order (0 -> A, 25 -> Z, 26 -> AA):
    the projector, the live dashboard and the paper kit letter options alike."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[position] if position < 26 else letter(position // 26 - 1) + letters[position % 26]
