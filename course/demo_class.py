"""An invented class: plausible exports for demos, tests and the benchmark, and the class results they give."""
from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course.class_results import ClassResults

# Invented 90-day plan text, by plan field: enough for the plan counts and checklist to show something.
_PLAN_TEXT = {
    "context": "I lead a team of nine in a busy depot. A new routing system arrives in spring, and our delivery "
               "targets must not slip while we learn it. My profile points to the change and horizon clusters.",
    "behaviour-1": "At every Monday meeting I explain one reason for the change and ask one driver what would help.",
    "behaviour-2": "Every Friday I check the training log against the plan and book catch-up time with the team.",
    "behaviour-3": "Once a month I hand one routine report to a team member and check in halfway through.",
    "practice": "Behaviour 1 every Monday at 9; behaviour 2 every Friday at 3 pm, blocked in my calendar.",
    "feedback": "Priya (peer) after Monday meetings, and my manager at our monthly one-to-one.",
    "indicators": "Mondays where I gave a reason, aim 11 of 13; training log on plan by week 8.",
    "review-30": "14 March: count my tally and ask Priya for one comment.",
    "review-60": "11 April: compare the training log with the plan and adjust behaviour 2.",
    "review-90": "9 May: retake the lesson 12 profile and draft the next plan.",
}

# Invented reflection sentences; a reflection is one to four of them.
_REFLECTION_SENTENCES = (
    "Most of my week went on rotas and stock checks, which is managing work.",
    "I explained why the new booking system matters only once, and people still ask.",
    "Next month I will ask two people on the team what slows them down.",
    "I tend to fix problems myself instead of asking who else could take them on.",
    "Our weekly meeting covers the numbers but never where we are heading.",
    "When the deadline moved, I kept the plan steady and forgot to explain the change.",
    "I listen better in one-to-ones than in the big Monday meeting.",
    "Writing the goal down as a number made it easier to see whether we were on track.",
    "The team trusted the change more once they helped choose the first step.",
    "I want to spend one hour a week looking further ahead than this quarter.",
    "A colleague pointed out that I only give feedback when something goes wrong.",
    "Sorting my tasks showed me that the leading work keeps slipping to Friday afternoon.",
)


def synthetic_export(learner: str, seed: int, share_reflections: bool = False) -> dict:
    """Make a plausible export for an invented learner, for demos, tests and the benchmark.

    With `share_reflections`, the export says the learner agreed to have reflections quoted in class results.
    """
    from course.bank import lessons
    from course.exchange import FORMAT, VERSION
    from course.instruments import self_assessment
    from course.kinds import kind_of
    from course.plan import BEHAVIOURS, LESSON, TAGS, field_key, tag_key

    rng = random.Random(seed)
    skill = rng.uniform(0.35, 0.9)
    reach = rng.randint(3, len(lessons()))
    attempts, reflections, ratings = [], [], []
    minute = 0

    def stamp() -> str:
        nonlocal minute
        minute += rng.randint(1, 4)
        return f"2026-10-{1 + minute // 1440:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00+00:00"

    def uid() -> str:
        return "%032x" % rng.getrandbits(128)

    for lesson in lessons()[:reach]:
        for q in lesson.questions:
            for _ in range(3):
                right = rng.random() < skill
                kind = kind_of(q)
                answer = kind.sample(q, rng, right)
                correct = kind.score(q, answer).correct
                attempts.append({"uid": uid(), "lesson": lesson.id, "question": q.id, "answer": answer,
                                 "correct": correct, "score": 1.0 if correct else 0.0, "at": stamp()})
                if correct:
                    break
        for r in lesson.reflections:
            if rng.random() < 0.8:
                reflections.append({"uid": uid(), "lesson": lesson.id, "reflection": r.id,
                                    "text": " ".join(rng.sample(_REFLECTION_SENTENCES, rng.randint(1, 4))),
                                    "at": stamp()})
    if reach == len(lessons()):  # lesson 13: the post-test (the warm-up again, a little better) and the plan
        from course.review import POST_TEST

        for q in lessons()[0].questions:
            answer = kind_of(q).sample(q, rng, rng.random() < min(1.0, skill + 0.15))
            correct = kind_of(q).score(q, answer).correct
            attempts.append({"uid": uid(), "lesson": POST_TEST, "question": q.id, "answer": answer,
                             "correct": correct, "score": 1.0 if correct else 0.0, "at": stamp()})
        for field_id, text in _PLAN_TEXT.items():
            if rng.random() < 0.8:
                reflections.append({"uid": uid(), "lesson": LESSON, "reflection": field_key(field_id), "text": text,
                                    "at": stamp()})
        for behaviour in BEHAVIOURS[:2]:
            reflections.append({"uid": uid(), "lesson": LESSON, "reflection": tag_key(behaviour),
                                "text": rng.choice(TAGS), "at": stamp()})
    instrument = self_assessment()
    for phase in ("before", "after"):
        if phase == "after" and reach < 13:
            continue
        for item in instrument.for_phase(phase):
            ratings.append({"uid": uid(), "phase": phase, "item": item.id, "value": rng.randint(1, 5), "at": stamp()})
    doc = {"format": FORMAT, "version": VERSION, "exported_at": stamp(), "learner": learner,
           "attempts": attempts, "reflections": reflections, "ratings": ratings}
    if share_reflections:
        doc["share_reflections"] = True
    return doc


def demo_class(size: int = 12, seed: int = 7, lessons=None, questions=None) -> ClassResults:
    """Aggregate a small invented class, so an instructor can see the views before real exports arrive.

    Two in three invented learners agree to share their reflections. `lessons` and `questions` limit the
    results to a session (see `course.class_results.session_scope`).
    """
    from course.class_results import Submission, aggregate, session_scope

    scope = session_scope(lessons, questions)
    subs = [Submission(f"demo-{i:02d}.json", f"Demo learner {i:02d}", "",
                       synthetic_export(f"Demo learner {i:02d}", seed + i, share_reflections=i % 3 != 0))
            for i in range(1, size + 1)]
    return aggregate(subs, [], scope=scope)
