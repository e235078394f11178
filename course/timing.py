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
_LINK = re.compile(r"\]\([^)\]]*\)|<[^<>]+>")  # each run stops at the next bracket: linear on any text
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
    calls = _calls("\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"))
    texts = [prose]
    asked: set[str] = set()
    everything = False
    for name, args in calls:
        if name == "quiz":
            everything = everything or len(args) <= 1
            asked.update(args[1:])
    questions = [q for q in lesson.questions if everything or q.id in asked]
    for q in questions:
        texts += [q.prompt, q.situation or ""]
        texts += [c.text + " " + c.feedback for c in q.choices]
        texts += [s.text + " " + s.feedback for s in q.statements]
    for r in lesson.reflections:
        texts += [r.prompt, r.hint or ""]
    activities = 0.0
    names = [name for name, _ in calls]
    activities += REVIEW * names.count("review")
    if "post_test" in names:
        from course.bank import lesson as find
        from course.review import PRE_TEST

        activities += len(find(PRE_TEST).questions) * (PER_QUESTION + 0.5)
    phases = [args[0] if args else "after" for name, args in calls if name == "self_assessment"]
    if phases:
        instrument = self_assessment()
        activities += sum(len(instrument.for_phase(p)) for p in phases) * PER_RATING
    activities += PLAN_FORM * names.count("action_plan")
    return Estimate(reading=sum(map(words, texts)) / WORDS_PER_MINUTE,
                    questions=len(questions) * PER_QUESTION,
                    reflections=len(lesson.reflections) * PER_REFLECTION,
                    activities=activities)


_KEYWORDS = {"quiz": ("lesson_id",), "review": ("lesson_id",), "self_assessment": ("phase",)}


def _calls(code: str) -> list[tuple[str, list[str]]]:
    """Return the course's one-line calls in notebook code (name, string arguments), comments ignored."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            for keyword in _KEYWORDS.get(node.func.id, ()):
                for k in node.keywords:
                    if k.arg == keyword and isinstance(k.value, ast.Constant):
                        args.insert(0, k.value.value)
            out.append((node.func.id, args))
    return out


def stated_in_notebook(notebook: str | Path) -> int | None:
    """Return the minutes a notebook states under its title ("⏱ About N minutes"), or None."""
    found = STATED.search(Path(notebook).read_text(encoding="utf-8"))
    return int(found.group(1)) if found else None
