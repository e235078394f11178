"""The capstone 90-day plan: its rubric and its Markdown export."""
from __future__ import annotations

import re
from datetime import datetime

from course.instruments import PlanForm

LESSON = "capstone-plan"
BEHAVIOURS = ("behaviour-1", "behaviour-2", "behaviour-3")
TAGS = ("leading", "managing", "both")
_WHEN = re.compile(r"\b(daily|weekly|fortnightly|monthly|every|each|once|twice|times|mondays?|tuesdays?|"
                   r"wednesdays?|thursdays?|fridays?|saturdays?|sundays?|morning|afternoon|evening|week|day)\b|\d",
                   re.IGNORECASE)


def field_key(field_id: str) -> str:
    """Return the store key (a reflection id in the capstone lesson) for a plan field."""
    return f"plan-{field_id}"


def tag_key(behaviour_id: str) -> str:
    """Return the store key for a behaviour's leading/managing/both tag."""
    return f"plan-{behaviour_id}-tag"


_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_MONTH_NAME = _MONTH.replace("(?:jan", "(?:Jan").replace("|feb", "|Feb").replace("|mar", "|Mar").replace("|apr", "|Apr") \
    .replace("|may", "|May").replace("|jun", "|Jun").replace("|jul", "|Jul").replace("|aug", "|Aug") \
    .replace("|sep", "|Sep").replace("|oct", "|Oct").replace("|nov", "|Nov").replace("|dec", "|Dec")
_NUMERIC_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?=\b|T)|\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\b")
_WORD_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?i:{_MONTH})\b|"   # 14 March, 3rd of may
                        rf"\b{_MONTH_NAME}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|"               # March 14 (not "may 2")
                        rf"\b(?i:end|start|beginning|middle)\s+of\s+(?i:{_MONTH})\b|\b(?i:mid|early|late)[- ](?i:{_MONTH})\b")
# A name that starts a line: `[^\S\n]*` and `(?<=\s)` keep a run of blank lines or spaces from being scanned
# again from each line start and each split of the run, which made the search quadratic in the text's length.
_WHO = re.compile(r"\b(?:team|teams|manager|managers|boss|peer|peers|colleague|colleagues|mentor|coach|staff|"
                  r"supervisor|deputy|director|customer|customers|client|clients|member|members|everyone|"
                  r"person|people|partner|volunteers?|residents?|assistant|nurses?|reports|friend|friends|"
                  r"drivers?|crew|group|board|owner|trainees?|apprentices?|him|her)\b|\b[A-Z]{2,4}\b|"
                  r"^[^\S\n]*(?!(?:Every|Each|This|That|It|We|They|She|He|My|Our|The|Once|After|Before|When|If|Then)\b)"
                  r"[A-Z][a-z]+(?=\s*(?:,\s*my\b|\(|(?<=\s)(?:will|can|could|and|from|at)\b))|"
                  r"(?<![.!?:]\s)(?<!^)\b(?!I\b|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|"
                  r"February|March|April|May|June|July|August|September|October|November|December)[A-Z][a-z]+",
                  re.MULTILINE)
BEHAVIOUR_WORDS = 3   # a behaviour counts as written from this many words
CONTEXT_WORDS = 15
INDICATOR_WORDS = 4
# A plan field is a few sentences. The checks read this much of each, so a pasted book (an export may
# carry megabytes in one field) cannot stall the plan form, which checks on every change, or class results.
CHECKED_CHARS = 20_000


def _has_words(text: str | None, n: int) -> bool:
    """Tell whether a text has at least n words (splitting no further than needed)."""
    return len((text or "").split(None, n - 1)) >= n


def _checked(text: str | None) -> str:
    return (text or "")[:CHECKED_CHARS]


def has_date(text: str | None) -> bool:
    """Tell whether a review note names a date: '14 March', 'March 14', 'end of May', '2027-03-14', '14/03/2027'.

    Numeric dates must be real days (day first, as in Britain): '31/02' and '2027-13-45' are not dates.
    Only the first `CHECKED_CHARS` characters are read.
    """
    from datetime import date

    text = _checked(text)
    if _WORD_DATE.search(text):
        return True
    for m in _NUMERIC_DATE.finditer(text):
        year, month, day = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
        try:
            date(int(year) if year and len(year) == 4 else 2000 + int(year or 0) if year else 2024, int(month), int(day))
        except ValueError:
            continue
        return True
    return False


def has_when(text: str | None) -> bool:
    """Tell whether a text says when or how often (e.g. 'every Monday', 'at 3 pm', 'twice a week').

    Only the first `CHECKED_CHARS` characters are read.
    """
    return bool(_WHEN.search(_checked(text)))


def has_who(text: str | None) -> bool:
    """Tell whether a text names someone: a person's name or a role such as 'my manager' or 'the team'.

    Only the first `CHECKED_CHARS` characters are read.
    """
    return bool(_WHO.search(_checked(text)))


def plan_gaps(values: dict[str, str], tags: dict[str, str]) -> dict[str, list[str]]:
    """Check a plan against the rubric; return rule id -> what is missing (empty: the rule is met).

    Each written behaviour needs a when (in its own text, or in the practice schedule); the feedback
    sources must name someone, by name or role; each review point needs a date ("x" is not one).
    """
    written = [b for b in BEHAVIOURS if _has_words(values.get(b), BEHAVIOUR_WORDS)]
    chosen = [tags.get(b) for b in written]
    leading = sum(t == "leading" for t in chosen)
    managing = sum(t == "managing" for t in chosen)
    both = sum(t == "both" for t in chosen)
    label = {b: f"behaviour {b.rsplit('-', 1)[1]}" for b in BEHAVIOURS}
    schedule_when = has_when(values.get("practice")) and _has_words(values.get("practice"), 2)
    sources_who = has_who(values.get("feedback")) and _has_words(values.get("feedback"), 2)
    gaps = {
        "context-detail": [] if _has_words(values.get("context"), CONTEXT_WORDS) else ["a few sentences of context"],
        "two-behaviours": [] if len(written) >= 2 else ["a second behaviour"],
        "leading-and-managing": ([] if leading + both >= 1 and managing + both >= 1 and leading + managing + both >= 2
                                 else ["one behaviour tagged leading (or both) and one managing (or both)"]),
        "practice-when": [f"when you will practise {label[b]}" for b in written
                          if not (has_when(values.get(b)) or schedule_when)] or
                         ([] if written else ["a behaviour with a time to practise it"]),
        "feedback-who": [] if sources_who else
                        ["a feedback source, by name or role (such as 'my manager')"] +
                        [f"who is involved in {label[b]}" for b in written if not has_who(values.get(b))],
        "indicators-observable": ([] if _has_words(values.get("indicators"), INDICATOR_WORDS)
                                  else ["something you can count"]),
        "reviews-set": [f"a date for the day {d} review" for d in (30, 60, 90) if not has_date(values.get(f"review-{d}"))],
    }
    return gaps


def check_plan(values: dict[str, str], tags: dict[str, str]) -> dict[str, bool]:
    """Check a plan against the rubric; return rule id -> met (see `plan_gaps` for what is missing)."""
    return {rule: not missing for rule, missing in plan_gaps(values, tags).items()}


def missing_line(missing: list[str]) -> str:
    """Say in words what a rule still needs, e.g. 'Missing: a date for the day 60 review.'"""
    return f"Missing: {'; '.join(missing)}." if missing else ""


def read_plan(store, form: PlanForm) -> tuple[dict[str, str], dict[str, str]]:
    """Return the plan's field texts and behaviour tags as stored."""
    values = {}
    for field in form.fields:
        saved = store.reflection(LESSON, field_key(field.id))
        values[field.id] = saved.text if saved else ""
    tags = {}
    for b in BEHAVIOURS:
        saved = store.reflection(LESSON, tag_key(b))
        tags[b] = saved.text if saved and saved.text in TAGS else ""
    return values, tags


def plan_markdown(form: PlanForm, values: dict[str, str], tags: dict[str, str], learner: str | None = None) -> str:
    """Return the plan as a Markdown document, with the rubric checklist at the end."""
    from course.exchange import markdown_text

    lines = [f"# {form.title}" + (f": {markdown_text(learner)}" if learner else ""), "",
             f"Written with Lead & Manage, {datetime.now().strftime('%d %B %Y')}.", ""]
    for field in form.fields:
        text = (values.get(field.id) or "").strip()
        if field.id == "behaviour-3" and not text:
            continue
        heading = field.label
        if field.id in BEHAVIOURS and tags.get(field.id):
            heading += f" ({tags[field.id]})"
        lines += [f"## {heading}", "", markdown_text(text) if text else "*Not written yet.*", ""]
    lines += ["## Checklist", ""]
    for rule, missing in plan_gaps(values, tags).items():
        prompt, done = form.rubric[rule]
        lines.append(f"- [{' ' if missing else 'x'}] {prompt + ' ' + missing_line(missing) if missing else done}")
    return "\n".join(lines) + "\n"
