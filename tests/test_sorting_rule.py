"""One sorting rule everywhere: every classify statement tagged with an edge case carries the rule's label."""
import pytest

from course.bank import lessons
from course.sorting import EDGE_CASES, listing, statements_by_case

COURSE = lessons()
BY_CASE = statements_by_case(COURSE)


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_statements_under_one_edge_case_share_the_rules_label(case):
    items = BY_CASE[case]
    wrong = [f"{lesson.number:02d} {qid} [{i + 1}] keyed {s.label}: {s.text}" for lesson, qid, i, s in items
             if s.label != EDGE_CASES[case].label]
    assert not wrong, f"{case} gives {EDGE_CASES[case].label}:\n" + "\n".join(wrong) + "\n\n" + listing(COURSE)


@pytest.mark.parametrize("case", ["target-setting", "delegation-follow-up", "developing-people", "formal-authority",
                                  "outside-chain", "decided-change"])
def test_the_edge_cases_the_course_names_are_each_taught_by_an_item(case):
    assert BY_CASE[case], f"no classify statement is tagged {case}"


def test_lesson_01_teaches_every_edge_case_by_name():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "modules" / "01_two_words.ipynb").read_text("utf-8").lower()
    for words in ("target", "delegat", "calculated risk", "formal authority", "chain of command", "developing people"):
        assert words in text, words


def test_listing_flags_a_disagreement():
    from dataclasses import replace

    lesson = COURSE[1]
    q = next(q for q in lesson.questions if q.type == "classify")
    bad = replace(q.statements[0], rule="outside-chain", label="managing")
    odd = replace(lesson, questions=(replace(q, statements=(bad,) + q.statements[1:]),))
    assert "<-- disagrees" in listing((odd,))
