"""Item-writing rules: a learner who does not read must score at chance.

Per question (checked in every bank file): no two options with the same text, no "all/none of the
above", and no keyed option more than `MAX_KEY_RATIO` times as long as its longest distractor.
Across the course (checked over the shipped bank): the keyed option is the longest in at most
`MAX_KEY_LONGEST_SHARE` of single-choice and scenario questions, no place by length (longest,
second longest, ..., shortest) holds the key in more than `MAX_KEY_RANK_SHARE` of them (so no
"pick the second longest" beats chance), "pick the option with the most (or fewest) commas or
words" scores at most `MAX_CUE_SCORE`, no sorting label is keyed on more than `MAX_LABEL_SHARE`
of classify statements, and between `TRUE_SHARE[0]` and
`TRUE_SHARE[1]` of true/false statements are keyed True.

Following Haladyna, Downing and Rodriguez (2002), "A review of multiple-choice item-writing
guidelines for classroom assessment", Applied Measurement in Education 15(3), 309-333.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from course.bank import Problem

MAX_KEY_RATIO = 1.5
MAX_KEY_LONGEST_SHARE = 1 / 3
MAX_KEY_RANK_SHARE = 0.40  # no length rank (longest, second longest, ..., shortest) holds more keys than this
MAX_CUE_SCORE = 0.40       # "pick the option with the most (or fewest) commas/words" scores at most this
MAX_LABEL_SHARE = 0.40     # "always answer Managing" on sorting questions scores at most this
CUES = {
    "clause marks (, ; : parentheses, dashes)": lambda text: len(re.findall(r"[,;:()\u2013\u2014]", text)),
    "words": lambda text: len(text.split()),
}
TRUE_SHARE = (0.40, 0.60)
_ABOVE = re.compile(
    r"\b(all|none|any|every|each|both|neither)\s+(of\s+)?(the\s+)?(above|these|those|others|other\s+options?|"
    r"options?(\s+above)?|answers?(\s+above)?|choices?(\s+above)?)\b|"
    r"\b(both\s+)?(?-i:[A-F])\s+(and|&)\s+(?-i:[A-F])(\s+only)?\b(?!\w)", re.I)


def _norm(text: str) -> str:
    """Fold text so near-duplicates compare equal: compatibility forms, case, invisible marks, punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Cf"))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"['’`-]", "", text)
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _length(text: str) -> int:
    """Count an option's visible characters (runs of spaces count once)."""
    return len(" ".join(text.split()))


def _options(q: dict) -> tuple[str, list[dict], str] | None:
    """Return (field name, option entries, keyed flag name) for choice-like questions."""
    if q.get("type") in ("single", "multiple"):
        return "options", q.get("options") or [], "correct"
    if q.get("type") == "scenario":
        return "responses", q.get("responses") or [], "best"
    if q.get("type") == "classify":
        return "statements", q.get("statements") or [], ""
    return None


def question_problems(name: str, data: dict, authoring: bool = True) -> list[Problem]:
    """Check each question of one (schema-valid) bank file against the per-question rules.

    Duplicate option text is always a problem (a learner could not tell the options apart);
    `authoring` adds the rules that guard against test-wise cues (length, "all of the above").
    """
    problems: list[Problem] = []
    for q in data.get("questions") or []:
        found = _options(q)
        if found is None:
            continue
        field, entries, flag = found
        seen: dict[str, int] = {}
        for i, entry in enumerate(entries):
            text = entry.get("text", "")
            key = _norm(text)
            if key in seen:
                problems.append(Problem(name, q["id"], f"{field}[{i}].text",
                                        f"repeats the text of {field}[{seen[key]}]; every option must differ"))
            seen.setdefault(key, i)
            if authoring and _ABOVE.search(text):
                problems.append(Problem(name, q["id"], f"{field}[{i}].text",
                                        "uses 'all/none of the above' (or the like); write a real option instead"))
        if authoring and q.get("type") in ("single", "scenario") and entries:
            keyed = [i for i, e in enumerate(entries) if e.get(flag)]
            others = [_length(e["text"]) for i, e in enumerate(entries) if not e.get(flag)]
            if len(keyed) == 1 and others:
                ratio = _length(entries[keyed[0]]["text"]) / max(others)
                if ratio > MAX_KEY_RATIO:
                    problems.append(Problem(
                        name, q["id"], f"{field}[{keyed[0]}].text",
                        f"the keyed option is {ratio:.2f}x as long as the longest distractor (at most {MAX_KEY_RATIO}); "
                        "make the distractors as specific as the key, and move explanation into the feedback"))
    return problems


def key_is_longest(q: dict) -> bool:
    """Tell whether a single-choice or scenario question's keyed option is (or ties for) the longest."""
    field, entries, flag = _options(q)
    lengths = [_length(e["text"]) for e in entries]
    keyed = [i for i, e in enumerate(entries) if e.get(flag)]
    return bool(keyed) and lengths[keyed[0]] == max(lengths)


def key_length_rank(q: dict) -> tuple[int, int]:
    """Return the keyed option's place by length (0: longest; ties take the higher place) and the option count."""
    field, entries, flag = _options(q)
    lengths = [_length(e["text"]) for e in entries]
    keyed = next(i for i, e in enumerate(entries) if e.get(flag))
    return sum(1 for n in lengths if n > lengths[keyed]), len(entries)


def _rank_name(rank: int) -> str:
    return {0: "longest", 1: "second longest", 2: "third longest"}.get(rank, f"{rank + 1}th longest")


def course_problems(banks: Iterable[tuple[str, dict]]) -> list[Problem]:
    """Check the whole course (pairs of file name and bank data) against the course-wide rules."""
    banks = list(banks)
    where = "the course bank" if len(banks) != 1 else banks[0][0]
    choice = [(name, q) for name, data in banks for q in data.get("questions") or []
              if q.get("type") in ("single", "scenario")]
    problems: list[Problem] = []
    longest = [(name, q["id"]) for name, q in choice if key_is_longest(q)]
    if choice and len(longest) > MAX_KEY_LONGEST_SHARE * len(choice):
        listed = ", ".join(f"{n.rsplit('/', 1)[-1]}: {qid}" for n, qid in longest)
        problems.append(Problem(where, None, None,
                                f"the keyed option is the longest in {len(longest)} of {len(choice)} single-choice and "
                                f"scenario questions (at most a third may be): {listed}"))
    by_rank: dict[str, list[str]] = {}
    for name, q in choice:
        rank, count = key_length_rank(q)
        place = "shortest" if rank == count - 1 else _rank_name(rank)
        by_rank.setdefault(place, []).append(f"{name.rsplit('/', 1)[-1]}: {q['id']}")
    for place, found in sorted(by_rank.items()):
        if len(found) > MAX_KEY_RANK_SHARE * len(choice):
            problems.append(Problem(where, None, None,
                                    f"the keyed option is the {place} option in {len(found)} of {len(choice)} single-choice "
                                    f"and scenario questions (at most {MAX_KEY_RANK_SHARE:.0%}), so 'pick the {place}' beats "
                                    f"chance; vary which option is keyed by length: {', '.join(found)}"))
    for cue, measure in CUES.items():
        for most in (True, False):
            score, hits = 0.0, []
            for name, q in choice:
                field, entries, flag = _options(q)
                values = [measure(e["text"]) for e in entries]
                pick = max(values) if most else min(values)
                tied = [i for i, v in enumerate(values) if v == pick]
                keyed = next(i for i, e in enumerate(entries) if e.get(flag))
                if keyed in tied:
                    score += 1 / len(tied)
                    if len(tied) == 1:
                        hits.append(f"{name.rsplit('/', 1)[-1]}: {q['id']}")
            if choice and score > MAX_CUE_SCORE * len(choice):
                word = "most" if most else "fewest"
                problems.append(Problem(where, None, None,
                                        f"'pick the option with the {word} {cue}' scores {score:.1f} of {len(choice)} "
                                        f"single-choice and scenario questions (at most {MAX_CUE_SCORE:.0%}); the key "
                                        f"alone has the {word} in: {', '.join(hits)}"))
    statements = [s for _, data in banks for q in data.get("questions") or [] if q.get("type") == "classify"
                  for s in q.get("statements") or []]
    for label in ("leading", "managing", "both"):
        count = sum(1 for s in statements if s.get("label") == label)
        if statements and count > MAX_LABEL_SHARE * len(statements):
            problems.append(Problem(where, None, None,
                                    f"{count} of {len(statements)} sorting statements are keyed {label} "
                                    f"({count / len(statements):.0%}); 'always answer {label}' must score at most "
                                    f"{MAX_LABEL_SHARE:.0%}: write more statements that the rule sorts otherwise"))
    tf = [(name, q) for name, data in banks for q in data.get("questions") or [] if q.get("type") == "truefalse"]
    if tf:
        true = sum(1 for _, q in tf if q.get("answer") is True)
        share = true / len(tf)
        if not TRUE_SHARE[0] <= share <= TRUE_SHARE[1]:
            problems.append(Problem(where, None, None,
                                    f"{true} of {len(tf)} true/false statements are keyed True ({share:.0%}); "
                                    f"keep between {TRUE_SHARE[0]:.0%} and {TRUE_SHARE[1]:.0%}"))
    return problems
