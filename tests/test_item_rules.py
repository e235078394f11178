"""Item-writing rules: each rule fails at one past its limit and passes at the limit, naming file and question."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from course.bank import BankError, check_paths, load_file
from course.item_rules import course_problems, key_length_rank, question_problems

GOOD = (Path(__file__).parent / "data" / "sample.yaml").read_text()


def single(qid, key_len, other_lens, key_at=0):
    lens = list(other_lens)
    lens.insert(key_at, key_len)
    return {"id": qid, "type": "single", "prompt": "Which <b>one</b>?",
            "options": [{"text": chr(97 + i) + "x" * (n - 1), "correct": i == key_at, "feedback": "Why <b>so</b>."}
                        for i, n in enumerate(lens)]}


def truefalse(qid, answer):
    return {"id": qid, "type": "truefalse", "prompt": "A claim.", "answer": answer,
            "feedback_true": "Because.", "feedback_false": "Because not."}


def test_duplicate_option_text_is_refused_at_load_naming_file_question_and_field(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(GOOD.replace('"Budgeting"', '"Setting a  DIRECTION!"'))
    with pytest.raises(BankError) as info:
        load_file(path)
    assert f"{path}, question 'pick-many', field 'options[2].text': repeats the text of options[0]" in str(info.value)


def test_duplicate_statement_text_in_a_classify_question_is_refused(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(GOOD.replace('"Painting a picture of next year"', '"Checking results against the plan"'))
    with pytest.raises(BankError) as info:
        load_file(path)
    assert "question 'sort', field 'statements[1].text'" in str(info.value)


@pytest.mark.parametrize("text", ["All of the above", "none of the above.", "Both A and B", "Neither of the options"])
def test_all_or_none_of_the_above_fails_the_check(tmp_path, text):
    path = tmp_path / "above.yaml"
    path.write_text(GOOD.replace('"Budgeting"', f'"{text}"'))
    problems = [str(p) for p in check_paths([path])]
    assert any("question 'pick-many', field 'options[2].text'" in p and "all/none of the above" in p for p in problems)


def test_key_may_be_one_and_a_half_times_the_longest_distractor_but_no_more():
    at_limit = {"questions": [single("ok", 150, [100, 90, 80])]}
    past = {"questions": [single("long-key", 151, [100, 90, 80])]}
    assert question_problems("b.yaml", at_limit) == []
    found = question_problems("b.yaml", past)
    assert len(found) == 1 and found[0].question == "long-key" and found[0].field == "options[0].text"
    assert "1.51x" in found[0].message
    assert question_problems("b.yaml", past, authoring=False) == [], "a learner's lesson still loads"


def test_key_longest_in_a_third_of_questions_passes_and_one_more_fails():
    longest = [single(f"l{i}", 120, [100, 90, 80]) for i in range(3)]
    spread = [single(f"s{i}", 100 - 10 * (i % 3 + 1) + 5, [100, 90, 80, 70][: 3]) for i in range(6)]
    banks = [("a.yaml", {"questions": longest + spread})]
    assert not [p for p in course_problems(banks) if "at most a third" in p.message]
    banks = [("a.yaml", {"questions": longest + [single("l3", 120, [100, 90, 80])] + spread[:5]})]
    found = [p for p in course_problems(banks) if "at most a third" in p.message]
    assert len(found) == 1 and "4 of 9" in found[0].message and "a.yaml: l3" in found[0].message


def test_no_place_by_length_may_hold_the_key_in_more_than_forty_percent():
    # key second longest (rank 1) in 4 of 10: allowed; in 5 of 10: 'pick the second longest' beats chance.
    def rank(qid, r):
        return single(qid, [105, 95, 85, 75][r], [100, 90, 80])

    def bank(ranks):
        return [("a.yaml", {"questions": [rank(f"q{i}", r) for i, r in enumerate(ranks)]})]

    assert [key_length_rank(rank("x", r))[0] for r in range(4)] == [0, 1, 2, 3]
    assert not course_problems(bank([1, 1, 1, 1, 0, 0, 2, 2, 3, 3]))
    found = [p for p in course_problems(bank([1, 1, 1, 1, 1, 0, 2, 2, 3, 3])) if "second longest option" in p.message]
    assert len(found) == 1 and "5 of 10" in found[0].message
    found = [p for p in course_problems(bank([3, 3, 3, 3, 3, 0, 2, 2, 1, 1])) if "shortest option" in p.message]
    assert len(found) == 1


@pytest.mark.parametrize("true, total, ok", [(4, 10, True), (6, 10, True), (3, 10, False), (7, 10, False)])
def test_true_false_balance_between_forty_and_sixty_percent(true, total, ok):
    banks = [("a.yaml", {"questions": [truefalse(f"t{i}", i < true) for i in range(total)]})]
    found = [p for p in course_problems(banks) if "true/false" in p.message]
    assert (not found) == ok


def test_the_shipped_bank_passes_every_item_writing_check():
    result = subprocess.run([sys.executable, "-m", "course", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "item-writing" in result.stdout


def test_check_judges_given_files_as_a_course_only_when_asked(tmp_path):
    data = yaml.safe_load(GOOD)
    data["questions"] = [truefalse(f"t{i}", False) for i in range(4)]
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(data))
    assert check_paths([path]) == []
    assert any("true/false" in p.message for p in check_paths([path], course_wide=True))


@pytest.mark.parametrize("twin", ["Setting a direc\u200btion", "Setting a ｄirection", "setting a direction ",
                                  "Setting a dire\u0301ction", "Setting a direction!"])
def test_near_duplicates_that_look_identical_are_refused(tmp_path, twin):
    path = tmp_path / "dup.yaml"
    path.write_text(GOOD.replace('"Budgeting"', f'"{twin}"'), encoding="utf-8")
    with pytest.raises(BankError):
        load_file(path)


@pytest.mark.parametrize("text, flagged", [("All the above", True), ("all of these", True), ("Any of the above", True),
                                           ("A and B only", True), ("Every option above", True),
                                           ("Plan A and a plan B", False), ("each week, all teams", False)])
def test_above_variants(text, flagged):
    from course.item_rules import _ABOVE

    assert bool(_ABOVE.search(text)) is flagged


def test_padding_a_distractor_with_spaces_does_not_hide_a_long_key():
    q = single("padded", 151, [100, 90, 80])
    q["options"][1]["text"] = q["options"][1]["text"][:10] + " " * 200
    assert question_problems("b.yaml", {"questions": [q]})
