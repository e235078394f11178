"""Spaced retrieval and measured gain: the warm-up review that opens a lesson, and the post-test.

Retrieval beats re-reading (Roediger and Karpicke 2006, "Test-enhanced learning", Psychological
Science 17(3)); short mixed reviews spaced over later lessons teach more than a longer quiz on
the day (Cepeda et al. 2006, Psychological Bulletin 132(3)).

- `choose_review` picks three questions from earlier lessons: first those the learner last got
  wrong (oldest first), then those seen longest ago, then unseen ones, mixing lessons, and never
  the questions of the review shown just before.
- The post-test repeats lesson 00's warm-up in lesson 13. Its answers are stored under the lesson id
  `POST_TEST` with the warm-up's own question ids, so `pre_post` can set the first answer before
  the course against the first answer after it, for one learner or a whole class.
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Iterable

from course.bank import Lesson, Question
from course.store_schema import read_iso

PRE_TEST = "start-here"
POST_TEST = "post-test"
LAST_REVIEW_KEY = "review:last"
REVIEW_SIZE = 3


def moment(at) -> datetime:
    """Read an attempt's ISO 8601 time as a UTC datetime (anything unreadable counts as long ago)."""
    try:
        when = read_iso(str(at))
    except ValueError:
        return _LONG_AGO
    return when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc)


_LONG_AGO = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _last_seen(attempts: Iterable[dict]) -> dict[tuple[str, str], dict]:
    """Return each question's latest attempt: the last written (attempts come in the order written).

    An attempt's `at` may come from another machine's clock, so it says how long ago, never which is latest.
    """
    return {(a["lesson"], a["question"]): a for a in attempts}


def choose_review(current: Lesson, course: Iterable[Lesson], attempts: Iterable[dict], learner_id: str,
                  last_shown: Iterable[tuple[str, str]] = (), size: int = REVIEW_SIZE) -> list[tuple[Lesson, Question]]:
    """Choose the questions of a lesson's opening review.

    Parameters
    ----------
    current:
        The lesson being opened; only lessons numbered below it (and above 00, whose warm-up is
        kept for the post-test) are drawn from.
    course:
        Every lesson of the course.
    attempts:
        The learner's attempts (dicts with lesson, question, correct, at), as the store returns them.
    learner_id:
        Seeds the choice among unseen questions, so an empty store gets a varied, stable default.
    last_shown:
        (lesson, question) pairs of the review shown just before; they are not shown again in a
        row unless nothing else is left.
    size:
        How many questions to pick.

    Returns
    -------
    Up to `size` (lesson, question) pairs, mixed across lessons where possible.
    """
    pool = [(lesson, q) for lesson in course if 0 < lesson.number < current.number for q in lesson.questions]
    if not pool:
        return []
    seen = _last_seen(attempts)
    avoid = {tuple(x) for x in last_shown}
    rng = random.Random(hashlib.sha256(f"{learner_id}\x00{current.id}".encode()).digest())
    unseen = [item for item in pool if (item[0].id, item[1].id) not in seen]
    rng.shuffle(unseen)
    unseen.sort(key=lambda item: -item[0].number)  # stable: the most recent lessons first

    def last_time(item):
        return moment(seen[(item[0].id, item[1].id)]["at"])

    wrong = sorted((item for item in pool if (item[0].id, item[1].id) in seen
                    and not seen[(item[0].id, item[1].id)]["correct"]), key=last_time)
    right = sorted((item for item in pool if (item[0].id, item[1].id) in seen
                    and seen[(item[0].id, item[1].id)]["correct"]), key=last_time)
    chosen: list[tuple[Lesson, Question]] = []
    used_lessons: set[str] = set()
    # Questions shown in the review just before wait their turn; within each group (wrong, seen longest
    # ago, unseen) lessons are mixed where they can be, but a group is used up before the next begins.
    groups = [wrong, right, unseen]
    fresh_groups = [[i for i in g if (i[0].id, i[1].id) not in avoid] for g in groups]
    stale_groups = [[i for i in g if (i[0].id, i[1].id) in avoid] for g in groups]
    for group in fresh_groups + stale_groups:
        for mixed_only in (True, False):
            for item in group:
                if len(chosen) == size:
                    break
                if item in chosen or (mixed_only and item[0].id in used_lessons):
                    continue
                chosen.append(item)
                used_lessons.add(item[0].id)
    # Wrong answers come first in priority, but the order shown follows the course.
    return sorted(chosen, key=lambda item: (item[0].number, [q.id for q in item[0].questions].index(item[1].id)))


def encode_shown(chosen: Iterable[tuple[Lesson, Question]]) -> str:
    """Return the chosen review as JSON, to remember as the last review shown."""
    return json.dumps([[lesson.id, q.id] for lesson, q in chosen])


def decode_shown(raw: str | None) -> list[tuple[str, str]]:
    """Read what `encode_shown` wrote (anything unreadable counts as nothing shown)."""
    try:
        data = json.loads(raw or "[]")
        return [(str(a), str(b)) for a, b in data]
    except (ValueError, TypeError, RecursionError):
        return []


def post_test_lesson(pre: Lesson) -> Lesson:
    """Return lesson 00's warm-up as the post-test: the same questions, stored under `POST_TEST`."""
    return replace(pre, id=POST_TEST, title="The warm-up again: after the course")


@dataclass(frozen=True)
class PrePost:
    """One warm-up question: was the first answer right before the course, and after it (None: not yet)."""

    question: Question
    before: bool | None
    after: bool | None


def _first_correct(attempts: Iterable[dict], lesson_id: str) -> dict[str, bool]:
    first: dict[str, bool] = {}
    for a in attempts:  # in the order written: the first one is the first answer, whatever its clock said
        if a["lesson"] == lesson_id and a["question"] not in first:
            first[a["question"]] = bool(a["correct"])
    return first


def pre_post(pre: Lesson, attempts: Iterable[dict]) -> list[PrePost]:
    """Set one learner's first warm-up answers (lesson 00) against their first post-test answers."""
    attempts = list(attempts)
    before = _first_correct(attempts, PRE_TEST if pre.id == PRE_TEST else pre.id)
    after = _first_correct(attempts, POST_TEST)
    return [PrePost(q, before.get(q.id), after.get(q.id)) for q in pre.questions]
