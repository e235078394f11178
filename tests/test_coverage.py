"""The coverage map: every item of the brief's section 1 is taught, and every reference is real."""
from importlib import resources

import yaml

from course.bank import lessons

REQUIRED = ([f"D{i}" for i in range(1, 15)] + [f"X{i}" for i in range(1, 5)] + [f"SIM{i}" for i in range(1, 13)]
            + [f"LS{i}" for i in range(1, 19)] + [f"MS{i}" for i in range(1, 17)] + [f"T{i}" for i in range(1, 14)]
            + [f"FAQ{i}" for i in range(1, 7)])


def coverage():
    return yaml.safe_load(resources.files("course").joinpath("coverage.yaml").read_text("utf-8"))


def problems(mapping, known):
    found = [f"{item} has no lesson" for item in REQUIRED if not mapping.get(item)]
    for item, entries in mapping.items():
        for entry in entries or []:
            if entry["lesson"] not in known:
                found.append(f"{item} names lesson '{entry['lesson']}', which does not exist")
                continue
            if not entry.get("questions"):
                found.append(f"{item} in '{entry['lesson']}' names no question")
            for q in entry.get("questions", []):
                if q not in known[entry["lesson"]]:
                    found.append(f"{item} names question '{q}', which lesson '{entry['lesson']}' does not have")
    return found


KNOWN = {lesson.id: {q.id for q in lesson.questions} for lesson in lessons()}


def test_every_item_is_taught_and_every_reference_exists():
    assert problems(coverage(), KNOWN) == []


def test_the_check_catches_a_missing_item_a_bad_lesson_and_a_bad_question():
    mapping = coverage()
    del mapping["D7"]
    mapping["D1"] = [{"lesson": "no-such-lesson", "questions": ["x"]}]
    mapping["D2"] = [{"lesson": "vision-goals", "questions": ["no-such-question"]}]
    found = problems(mapping, KNOWN)
    assert "D7 has no lesson" in found
    assert any("no-such-lesson" in p for p in found) and any("no-such-question" in p for p in found)


def test_every_lesson_after_the_start_teaches_something_on_the_map():
    taught = {entry["lesson"] for entries in coverage().values() for entry in entries}
    missing = [lesson.id for lesson in lessons() if lesson.number > 0 and lesson.id not in taught]
    assert missing == []
