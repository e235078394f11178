"""The facilitator guides' debrief notes: for each question a guide projects, the key in a line, why
learners miss it, and what to ask the room after the reveal.

The notes are trainer-only text, read from `course/guides/debriefs.yaml` on first use and checked
against `course/schema/debriefs.schema.json`. A question's shared notes serve every guide; a guide that
words a note differently (it speaks of its own sessions and cases) keeps its own fields under `in_guide`,
and `debrief_notes(..., guide=...)` gives that guide's wording. The projector view never reads this module.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from course.bank import BankError

GUIDES = ("half_day_workshop", "six_sessions")  # the guides' notebook names in modules/facilitator/
FIELDS = ("key_note", "why_missed", "ask")
SHIPPED = "course/guides/debriefs.yaml"


@dataclass(frozen=True)
class Debrief:
    """A guide's notes on one projected question (Markdown text, *emphasis* only).

    `guide` is the guide whose own wording this is, or None for the notes every guide shares.
    """

    lesson: str
    question: str
    key_note: str
    why_missed: str
    ask: tuple[str, ...]
    guide: str | None = None


@dataclass(frozen=True)
class GuideProblem:
    """One thing wrong in a debrief file: the file, the entry ("lesson / question") and the field."""

    file: str
    entry: str | None
    field: str | None
    message: str

    entry_format = "entry '{}'"  # how the entry is named in the message (a kit's entry carries its own quotes)

    def __str__(self) -> str:
        where = [self.file]
        if self.entry:
            where.append(self.entry_format.format(self.entry))
        if self.field:
            where.append(f"field '{self.field}'")
        return ": ".join([", ".join(where), self.message])


class DebriefError(BankError):
    """The debrief file is malformed; the message names the file, the entry and the field."""


@functools.lru_cache(maxsize=1)
def _checker():
    from course.schemas import Checker, load

    return Checker(load("debriefs.schema.json"))


def _entry_name(data, index) -> str:
    try:
        item = data["debriefs"][index]
    except (KeyError, IndexError, TypeError):
        return f"debriefs[{index}]"
    if isinstance(item, dict) and isinstance(item.get("lesson"), str) and isinstance(item.get("question"), str):
        return f"{item['lesson']} / {item['question']}"
    return f"debriefs[{index}]"


def _schema_problem(name: str, data, error) -> GuideProblem:
    from course.bank import _path_str

    path = list(error.absolute_path)
    entry = None
    if len(path) >= 2 and path[0] == "debriefs" and isinstance(path[1], int):
        entry, path = _entry_name(data, path[1]), path[2:]
    message = error.message
    if error.validator == "required" and isinstance(error.instance, dict):
        path = path + [p for p in error.validator_value if p not in error.instance][:1]
        message = "is missing"
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        path = path + [k for k in error.instance if k not in allowed][:1]
        message = ("is not a guide (guides: " + ", ".join(GUIDES) + ")" if path[-2:-1] == ["in_guide"]
                   else "is not a field this entry has")
    elif error.validator == "maxItems":
        message = f"has {len(error.instance)} questions; a debrief asks at most {error.validator_value}"
    elif error.validator in ("minLength", "pattern") and isinstance(error.instance, str) and not error.instance.strip():
        message = "is empty"
    if len(message) > 300:  # a long value in the file is not repeated back in full
        message = message[:300] + "…"
    return GuideProblem(name, entry, _path_str(path) or None, message)


def check_text(text: str, name: str = SHIPPED) -> tuple[tuple[Debrief, ...], list[GuideProblem]]:
    """Parse and check a debrief file's text; return its notes (shared ones and each guide's own) and the problems.

    Notes come back only when there is no problem. The schema's first error is reported, then
    (for a file the schema accepts) every repeated entry and every entry with nothing to ask.
    """
    import yaml

    from course.bank import _BankYAMLError, _yaml_load

    try:
        data = _yaml_load(text)
    except _BankYAMLError as exc:
        where = f" (line {exc.problem_mark.line + 1})" if exc.problem_mark else ""
        return (), [GuideProblem(name, None, exc.field, exc.problem + where)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return (), [GuideProblem(name, None, None, f"is not valid YAML: {getattr(exc, 'problem', None) or exc}{where}")]
    except (TypeError, ValueError) as exc:
        return (), [GuideProblem(name, None, None, f"is not valid for debrief notes: {str(exc)[:200]}")]
    if not isinstance(data, dict):
        return (), [GuideProblem(name, None, None, "must be a YAML mapping with a 'debriefs' list")]
    error = _checker().first_error(data)
    if error is not None:
        return (), [_schema_problem(name, data, error)]
    problems, seen, notes = [], set(), []
    for item in data["debriefs"]:
        key, entry = (item["lesson"], item["question"]), f"{item['lesson']} / {item['question']}"
        if key in seen:
            problems.append(GuideProblem(name, entry, "question", "appears twice; keep one entry per question "
                                                                  "and put a guide's own wording under in_guide"))
        seen.add(key)
        wordings = [(None, item), *((item.get("in_guide") or {}).items())]
        for guide, own in wordings:
            field = "ask" if guide is None else f"in_guide.{guide}.ask"
            if "ask" in own and not own["ask"]:
                problems.append(GuideProblem(name, entry, field, "is empty; give one to three questions to ask"))
            elif guide is not None and not own:
                problems.append(GuideProblem(name, entry, f"in_guide.{guide}", "is empty; leave it out instead"))
            merged = {**{f: item[f] for f in FIELDS}, **own} if guide else item
            notes.append(Debrief(item["lesson"], item["question"], merged["key_note"], merged["why_missed"],
                                 tuple(merged["ask"]), guide))
    return (() if problems else tuple(notes)), problems


@functools.lru_cache(maxsize=1)
def debriefs() -> tuple[Debrief, ...]:
    """Return every shipped note: each question's shared notes, then any guide's own, in file order.

    Raises DebriefError (a BankError) naming the file, entry and field when the file is malformed.
    """
    text = resources.files("course").joinpath("guides", "debriefs.yaml").read_text("utf-8")
    notes, problems = check_text(text, SHIPPED)
    if problems:
        raise DebriefError(problems)
    return notes


def debrief_notes(lesson_id: str, question_id: str, guide: str | None = None) -> Debrief | None:
    """Return the notes a guide has on one question (its own wording if it has one), or None if there are none.

    Parameters
    ----------
    lesson_id, question_id:
        The question, as in the bank.
    guide:
        A guide's notebook name (one of `GUIDES`); None gives the shared notes.

    Raises KeyError for a guide that is not one of `GUIDES`, DebriefError for a malformed file.
    """
    if guide is not None and guide not in GUIDES:
        raise KeyError(f"no guide '{str(guide)[:80]}' (guides: {', '.join(GUIDES)})")
    found = {n.guide: n for n in debriefs() if (n.lesson, n.question) == (lesson_id, question_id)}
    return found.get(guide) or found.get(None)


def clear_cache() -> None:
    """Forget loaded notes, so an edited file is read again."""
    debriefs.cache_clear()
