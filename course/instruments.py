"""The self-assessment instrument and the action-plan form, loaded from YAML and checked against a schema."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from course.bank import BankError, Problem, _yaml_load


@dataclass(frozen=True)
class Item:
    """One self-assessment behaviour, rated 1 to 5."""

    id: str
    cluster: str
    pole: str
    short: bool
    text: str


@dataclass(frozen=True)
class Cluster:
    """A pair of poles (leading and managing) that the profile compares."""

    id: str
    name: str
    leading: str
    managing: str


@dataclass(frozen=True)
class Instrument:
    """The self-assessment: clusters, items and the rating scale."""

    title: str
    disclaimer: str
    scale: dict
    clusters: tuple[Cluster, ...]
    items: tuple[Item, ...]

    def for_phase(self, phase: str) -> tuple[Item, ...]:
        """Return the items asked in a phase: the short set 'before', all of them 'after'."""
        if phase not in PHASES:
            raise KeyError(f"unknown self-assessment phase '{phase}' (use 'before' or 'after')")
        return tuple(i for i in self.items if i.short) if phase == "before" else self.items


@dataclass(frozen=True)
class PlanField:
    """One field of the 90-day plan."""

    id: str
    label: str
    prompt: str
    placeholder: str


@dataclass(frozen=True)
class PlanForm:
    """The capstone plan form: its fields and the rubric's gentle prompts."""

    title: str
    intro: str
    fields: tuple[PlanField, ...]
    rubric: dict  # rule id -> (prompt when not met, message when met)


PHASES = ("before", "after")


def _load(name: str, definition: str) -> dict:
    from course.schemas import validator

    where = f"course/instruments/{name}"
    data = _yaml_load(resources.files("course").joinpath("instruments", name).read_text("utf-8"))
    if isinstance(data, dict) and isinstance(data.get("scale"), dict):
        data["scale"] = {str(k): v for k, v in data["scale"].items()}  # YAML reads 1: as a number
    errors = list(validator("instruments.schema.json", definition).iter_errors(data))
    if errors:
        raise BankError([Problem(where, None, "/".join(map(str, e.absolute_path)) or None, e.message) for e in errors])
    return data


@functools.lru_cache(maxsize=1)
def self_assessment() -> Instrument:
    """Return the self-assessment instrument."""
    data = _load("self_assessment.yaml", "self_assessment")
    clusters = tuple(Cluster(c["id"], c["name"], c["leading"], c["managing"]) for c in data["clusters"])
    items = tuple(Item(i["id"], c["id"], i["pole"], bool(i.get("short")), i["text"])
                  for c in data["clusters"] for i in c["items"])
    ids = [i.id for i in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BankError([Problem("course/instruments/self_assessment.yaml", d, "id", "duplicate id") for d in duplicates])
    return Instrument(data["title"], data["disclaimer"], {int(k): v for k, v in data["scale"].items()}, clusters, items)


@functools.lru_cache(maxsize=1)
def action_plan() -> PlanForm:
    """Return the capstone plan form."""
    data = _load("action_plan.yaml", "action_plan")
    fields = tuple(PlanField(f["id"], f["label"], f["prompt"], f.get("placeholder", "")) for f in data["fields"])
    rubric = {r["id"]: (r["prompt"], r["met"]) for r in data["rubric"]}
    return PlanForm(data["title"], data["intro"], fields, rubric)
