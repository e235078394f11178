"""When a lesson counts as done: one rule for the learner's progress view and the instructor's class results.

A lesson is complete when each of its questions has been answered correctly at least once (any
try counts) and each of its reflection prompts has a latest revision that holds more than blank
space. The latest revision is the last one written: in a progress store the last saved, in an
export the last in the file (exports list rows in the order they were written). A learner who
empties a reflection has not written it. Only the lesson's own questions and prompts in the bank
count: the post-test, the self-assessment and the fields of the 90-day plan have views of their own
and are reported apart. A lesson with nothing to do is complete.

"Answered correctly" is what the course's scoring (`course.scoring.score`) says of the stored answer
against the bank as it is now (`is_right`), never the `correct` flag stored beside it: a flag written
by an older bank, or typed into an export by hand, counts for nothing. An answer that no longer fits
its question (an option the bank dropped, the wrong shape) is not right.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping, NamedTuple

from course.bank import Lesson, Question


class LessonProgress(NamedTuple):
    """How much of one lesson is done: `done` of `total` activities (questions and reflections)."""

    done: int
    total: int

    @property
    def complete(self) -> bool:
        """Tell whether every activity of the lesson is done."""
        return self.done >= self.total

    @property
    def started(self) -> bool:
        """Tell whether at least one activity is done."""
        return self.done > 0

    @property
    def fraction(self) -> float:
        """Return the share done, from 0 to 1 (1 for a lesson with nothing to do)."""
        return self.done / self.total if self.total else 1.0


def is_right(question: Question, answer: Any) -> bool:
    """Tell whether an answer is right by the bank's key as it is now (`course.scoring.score`).

    Any value may be given: an answer that does not fit the question (an option out of range, a list
    where one option is expected, a label the course does not have) is not right. Raises nothing.
    """
    from course.scoring import AnswerError, score

    try:
        return score(question, answer).correct
    except AnswerError:
        return False


def solved_questions(attempts: Iterable[dict], questions: Mapping[tuple[str, str], Question]) -> set[tuple[str, str]]:
    """Return the (lesson id, question id) pairs that some attempt answers right (`is_right`).

    Parameters
    ----------
    attempts:
        Attempts as dicts with at least "lesson", "question" and "answer" (a store's or an export's rows);
        their "correct" is not read.
    questions:
        The questions that count, by (lesson id, question id); an attempt at any other is ignored.
    """
    solved = set()
    for attempt in attempts:
        key = (attempt["lesson"], attempt["question"])
        if key not in solved and key in questions and is_right(questions[key], attempt["answer"]):
            solved.add(key)
    return solved


def is_written(text: str | None) -> bool:
    """Tell whether a reflection's latest text counts as written: more than blank space."""
    return bool(text and text.strip())


class Activities:
    """The activities that count towards each lesson's completion, looked up once for many learners.

    Parameters
    ----------
    lessons:
        The lessons, with their questions and reflection prompts.
    """

    def __init__(self, lessons: Iterable[Lesson]):
        self.lessons = tuple(lessons)
        self._questions = {(lesson.id, q.id): lesson.id for lesson in self.lessons for q in lesson.questions}
        self._reflections = {(lesson.id, r.id): lesson.id for lesson in self.lessons for r in lesson.reflections}

    def progress(self, solved: Iterable, written: Iterable) -> dict[str, LessonProgress]:
        """Return each lesson's progress, by lesson id.

        Parameters
        ----------
        solved:
            (lesson id, question id) pairs answered correctly at least once.
        written:
            (lesson id, reflection id) pairs whose latest revision `is_written`.
        """
        questions, reflections = self._questions, self._reflections
        done = Counter(map(questions.__getitem__, questions.keys() & solved))
        done.update(map(reflections.__getitem__, reflections.keys() & written))
        return {lesson.id: LessonProgress(done[lesson.id], len(lesson.questions) + len(lesson.reflections))
                for lesson in self.lessons}


def lesson_completion(lesson: Lesson, solved: Iterable, written: Iterable) -> LessonProgress:
    """Return how much of one lesson is done (see `Activities.progress` for the parameters)."""
    return Activities((lesson,)).progress(solved, written)[lesson.id]


def store_progress(lessons: Iterable[Lesson], store) -> dict[str, LessonProgress]:
    """Return each lesson's progress (by lesson id) from one learner's progress store, its answers scored again."""
    activities = Activities(lessons)
    questions = {(lesson.id, q.id): q for lesson in activities.lessons for q in lesson.questions}
    written = {key for key, saved in store.latest_reflections().items() if is_written(saved.text)}
    return activities.progress(solved_questions(store.attempts(), questions), written)
