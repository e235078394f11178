"""One cast: a name stands for one person, appears only where the cast says, and is not easily confused."""
import difflib
import itertools
import re
from pathlib import Path

import pytest
import yaml

from course.bank import lessons

ROOT = Path(__file__).resolve().parent.parent
CAST = yaml.safe_load((ROOT / "course" / "cast.yaml").read_text(encoding="utf-8"))


def texts_by_lesson() -> dict[str, str]:
    out = {}
    for found in lessons():
        bank = ROOT / "course" / "banks" / found.notebook.replace(".ipynb", ".yaml")
        out[found.id] = (ROOT / "modules" / found.notebook).read_text("utf-8") + bank.read_text("utf-8")
    # The guides' text: the notebooks, their debrief notes and the trainer's kit they show.
    guide_files = [*sorted((ROOT / "modules" / "facilitator").glob("*.ipynb")), ROOT / "course" / "guides" / "debriefs.yaml",
                   *sorted((ROOT / "course" / "kit").glob("*.yaml"))]
    out["facilitator"] = "".join(p.read_text("utf-8") for p in guide_files)
    return out


TEXTS = texts_by_lesson()


def confusable_people(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return (a.startswith(b) or b.startswith(a) or a[:3] == b[:3]
            or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8)


def confusable_places(a: str, b: str) -> bool:
    return a.split()[0][:4].lower() == b.split()[0][:4].lower()


@pytest.mark.parametrize("entry", CAST["people"] + CAST["organisations"], ids=lambda e: e["name"])
def test_each_name_appears_only_in_its_lessons(entry):
    pattern = re.compile(rf"\b{re.escape(entry['name'])}\b")
    found = {lesson for lesson, text in TEXTS.items() if pattern.search(text)}
    assert found == set(entry["lessons"]), f"{entry['name']} appears in {sorted(found)}"


def test_no_two_people_share_or_nearly_share_a_name():
    names = [p["name"] for p in CAST["people"]]
    assert len(names) == len(set(names))
    clashes = [(a, b) for a, b in itertools.combinations(names, 2) if confusable_people(a, b)]
    assert clashes == []


def test_no_two_organisations_are_easily_confused():
    names = [o["name"] for o in CAST["organisations"] if not o["name"].startswith("Brackenford Council")]
    clashes = [(a, b) for a, b in itertools.combinations(names, 2) if confusable_places(a, b)]
    assert clashes == []


@pytest.mark.parametrize("a, b", [("Tom", "Tomasz"), ("Sam", "Sami"), ("Hana", "Hannah"), ("Jo", "Joel"),
                                  ("Malik", "Malcolm")])
def test_the_confusion_rule_catches_the_cases_it_is_for(a, b):
    assert confusable_people(a, b)


def test_the_place_rule_catches_millfield_and_millbrook():
    assert confusable_places("Millfield Library", "Millbrook Libraries")
    assert not confusable_places("Millfield Library", "Brackenford Libraries")
