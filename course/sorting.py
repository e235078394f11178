"""The course's Leading / Managing / Both sorting rule, as data: its edge cases and the label each gives.

Lesson 01 teaches the rule; every classify statement that falls under an edge case names it in its
bank entry (`rule:`), and a test checks that every such statement carries the label the rule gives.
The rule follows Kotter (1990), "What leaders really do", Harvard Business Review 68(3): managing
plans and budgets, organises and staffs, controls and solves problems; leading sets a direction,
aligns people and motivates them.
"""
from __future__ import annotations

from dataclasses import dataclass

from course.bank import Lesson


@dataclass(frozen=True)
class EdgeCase:
    """One edge case of the sorting rule: what it covers and the label it gives."""

    id: str
    label: str
    covers: str


EDGE_CASES: dict[str, EdgeCase] = {e.id: e for e in (
    EdgeCase("target-setting", "managing", "turning an agreed goal or direction into measurable targets or a timetable"),
    EdgeCase("choosing-direction", "leading", "choosing or explaining where to go and why it matters"),
    EdgeCase("delegation-follow-up", "managing", "handing over a task with a standard and a check-in"),
    EdgeCase("developing-people", "both", "coaching, mentoring, development reviews, stretch work chosen to grow someone"),
    EdgeCase("risk-commit", "leading", "committing people to a new, uncertain direction"),
    EdgeCase("risk-control", "managing", "sizing, capping or hedging a risk: limits, pilots, fallbacks, checkpoints"),
    EdgeCase("risk-both", "both", "a bet on a new direction taken together with its cap or checkpoints"),
    EdgeCase("formal-authority", "managing", "getting something done by instruction, rule or position"),
    EdgeCase("outside-chain", "leading", "winning over people you cannot instruct"),
    EdgeCase("contingent-reward", "managing", "agreeing targets and rewarding their delivery (Bass's transactional leadership)"),
    EdgeCase("decided-change", "managing", "working out how to deliver a change that is already decided"),
    EdgeCase("communicating-plan", "managing", "telling the people who carry out a plan what it is (organising and staffing)"),
)}


def statements_by_case(course: tuple[Lesson, ...]) -> dict[str, list[tuple[Lesson, str, int, object]]]:
    """Return, per edge case id, every classify statement tagged with it: (lesson, question id, index, statement)."""
    out: dict[str, list] = {case: [] for case in EDGE_CASES}
    for lesson in course:
        for q in lesson.questions:
            for i, s in enumerate(q.statements):
                if s.rule:
                    out.setdefault(s.rule, []).append((lesson, q.id, i, s))
    return out


def listing(course: tuple[Lesson, ...]) -> str:
    """Return the tagged statements grouped by edge case, for a reviewer to read side by side."""
    lines = []
    for case, items in statements_by_case(course).items():
        rule = EDGE_CASES.get(case)
        lines.append(f"## {case}: {rule.label if rule else '?'} ({rule.covers if rule else 'unknown edge case'})")
        for lesson, qid, i, s in items:
            mark = "" if rule and s.label == rule.label else "   <-- disagrees"
            lines.append(f"  {lesson.number:02d} {qid} [{i + 1}] {s.label}: {s.text}{mark}")
    return "\n".join(lines)
