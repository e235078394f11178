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


def _words(text: str | None) -> int:
    return len((text or "").split())


def check_plan(values: dict[str, str], tags: dict[str, str]) -> dict[str, bool]:
    """Check a plan against the rubric; return rule id -> met."""
    written = [b for b in BEHAVIOURS if _words(values.get(b)) >= 3]
    chosen = [tags.get(b) for b in written]
    leading = sum(t == "leading" for t in chosen)
    managing = sum(t == "managing" for t in chosen)
    both = sum(t == "both" for t in chosen)
    return {
        "context-detail": _words(values.get("context")) >= 15,
        "two-behaviours": len(written) >= 2,
        "leading-and-managing": leading + both >= 1 and managing + both >= 1 and leading + managing + both >= 2,
        "practice-when": _words(values.get("practice")) >= 2 and bool(_WHEN.search(values.get("practice") or "")),
        "feedback-who": _words(values.get("feedback")) >= 2,
        "indicators-observable": _words(values.get("indicators")) >= 4,
        "reviews-set": all(_words(values.get(f"review-{d}")) >= 1 for d in (30, 60, 90)),
    }


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
    lines = [f"# {form.title}" + (f": {learner}" if learner else ""), "",
             f"Written with Lead & Manage, {datetime.now().strftime('%d %B %Y')}.", ""]
    for field in form.fields:
        text = (values.get(field.id) or "").strip()
        if field.id == "behaviour-3" and not text:
            continue
        heading = field.label
        if field.id in BEHAVIOURS and tags.get(field.id):
            heading += f" ({tags[field.id]})"
        lines += [f"## {heading}", "", text or "*Not written yet.*", ""]
    lines += ["## Checklist", ""]
    for rule, met in check_plan(values, tags).items():
        prompt, done = form.rubric[rule]
        lines.append(f"- [{'x' if met else ' '}] {done if met else prompt}")
    return "\n".join(lines) + "\n"
