"""How long a lesson takes: an estimate from what the learner reads, answers and writes.

The stated minutes of each lesson (its bank's `minutes`, and the "About N minutes" line under its
title) must stay within `TOLERANCE` of this estimate; a test checks every lesson.

Reading runs at about 200 words a minute for study text (Brysbaert 2019, "How many words do we
read per minute?", Journal of Memory and Language 109, puts silent reading of non-fiction at about
238; study with checking and re-reading is slower). Feedback counts too: learners read it for the
options they pick and, through "Why not the others?", for the rest.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from course.bank import Lesson

WORDS_PER_MINUTE = 200
PER_QUESTION = 1.5          # minutes to weigh the options, check and try again
PER_REFLECTION = 5.0        # minutes to think and write a few honest lines
PER_RATING = 0.25           # minutes per self-assessment statement
PLAN_FORM = 20.0            # minutes for the capstone plan form
REVIEW = 3 * (PER_QUESTION + 0.5)  # three questions from earlier lessons, with their feedback
TOLERANCE = 0.20
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_LINK = re.compile(r"\]\([^)]*\)|<[^>]+>")
STATED = re.compile(r"⏱\s*\**\s*About\s+(\d+)\s+minutes")


@dataclass(frozen=True)
class Estimate:
    """A lesson's estimated time in minutes, with its parts."""

    reading: float
    questions: float
    reflections: float
    activities: float

    @property
    def minutes(self) -> float:
        """Return the whole estimate in minutes."""
        return self.reading + self.questions + self.reflections + self.activities


def words(text: str) -> int:
    """Count the words a learner reads in a piece of Markdown (link targets and tags left out)."""
    return len(_WORD.findall(_LINK.sub(" ", text)))


def estimate(lesson: Lesson, notebook: str | Path) -> Estimate:
    """Estimate a lesson's minutes from its notebook's prose and its bank.

    Parameters
    ----------
    lesson:
        The lesson's bank (questions with options and feedback, reflections).
    notebook:
        Path of the lesson's .ipynb: its Markdown is read, and its code cells are scanned for the
        one-line activities (review, self-assessment, plan form, post-test).
    """
    from course.instruments import self_assessment

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    prose = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    texts = [prose]
    shown = set(re.findall(r"""quiz\(\s*["'][^"']+["']((?:\s*,\s*["'][^"']+["'])*)""", code))
    asked = {q for group in shown for q in re.findall(r"""["']([^"']+)["']""", group)}
    everything = any(not group.strip() for group in shown)
    questions = [q for q in lesson.questions if everything or q.id in asked]
    for q in questions:
        texts += [q.prompt, q.situation or ""]
        texts += [c.text + " " + c.feedback for c in q.choices]
        texts += [s.text + " " + s.feedback for s in q.statements]
    for r in lesson.reflections:
        texts += [r.prompt, r.hint or ""]
    activities = 0.0
    if "review(" in code:
        activities += REVIEW
    if "post_test(" in code:
        from course.bank import lesson as find
        from course.review import PRE_TEST

        activities += len(find(PRE_TEST).questions) * (PER_QUESTION + 0.5)
    phases = re.findall(r"""self_assessment\(\s*["']?(\w*)""", code)
    if phases:
        instrument = self_assessment()
        activities += sum(len(instrument.for_phase(p or "after")) for p in phases) * PER_RATING
    if "action_plan(" in code:
        activities += PLAN_FORM
    return Estimate(reading=sum(map(words, texts)) / WORDS_PER_MINUTE,
                    questions=len(questions) * PER_QUESTION,
                    reflections=len(lesson.reflections) * PER_REFLECTION,
                    activities=activities)


def stated_in_notebook(notebook: str | Path) -> int | None:
    """Return the minutes a notebook states under its title ("⏱ About N minutes"), or None."""
    found = STATED.search(Path(notebook).read_text(encoding="utf-8"))
    return int(found.group(1)) if found else None
