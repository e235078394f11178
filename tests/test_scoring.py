import pytest

from course.scoring import AnswerError, is_complete, score


def test_single_choice(sample):
    q = sample.question("pick-one")
    right, wrong = score(q, 0), score(q, 1)
    assert right.correct and right.score == 1 and right.remarks[0].feedback == "Rotas organise people and time."
    assert not wrong.correct and wrong.score == 0 and wrong.summary == "Not quite"


def test_true_false_maps_to_choices(sample):
    q = sample.question("judge")
    assert score(q, 0).correct
    assert score(q, 1).remarks[0].feedback == "Calculation is a form of evaluation."


def test_multiple_needs_exactly_the_keyed_set(sample):
    q = sample.question("pick-many")
    assert score(q, [1, 0]).correct
    partial = score(q, [0])
    assert not partial.correct and partial.score == 0.5 and partial.missed == 1 and partial.summary == "Partly right"
    over = score(q, [0, 1, 2])
    assert not over.correct and over.score == 0.5
    assert score(q, [2]).score == 0


def test_classify_scores_each_statement(sample):
    q = sample.question("sort")
    assert score(q, ["managing", "leading", "both"]).correct
    mixed = score(q, ["leading", "leading", None])
    assert not mixed.correct and mixed.score == pytest.approx(1 / 3)
    assert [r.ok for r in mixed.remarks] == [False, True, False]
    assert mixed.remarks[2].feedback == "Not yet sorted."


def test_scenario(sample):
    q = sample.question("case")
    assert score(q, 0).correct and score(q, 0).remarks[0].feedback == "You learn the cause."


@pytest.mark.parametrize("qid, answer", [("pick-one", 5), ("pick-one", True), ("pick-many", 1),
                                          ("sort", ["leading"]), ("sort", ["boss", None, None]), ("pick-many", [9])])
def test_answers_that_do_not_fit_are_rejected(sample, qid, answer):
    with pytest.raises(AnswerError):
        score(sample.question(qid), answer)


def test_completeness(sample):
    assert not is_complete(sample.question("sort"), ["leading", None, "both"])
    assert is_complete(sample.question("sort"), ["leading", "both", "both"])
    assert not is_complete(sample.question("pick-many"), [])
    assert not is_complete(sample.question("pick-one"), None)
