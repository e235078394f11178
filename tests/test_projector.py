"""The projector view, the guides' debrief notes and the trainer-only notes, driven without a browser.

What the room may see is what the page is sent: every string in a view's widget state is read, not
just what CSS shows.
"""
from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import ipywidgets as W
import pytest
from traitlets import TraitError

import widgets
from course import guides
from course.bank import lesson, lessons
from course.guides import GUIDES, check_text, debrief_notes, debriefs
from course.kinds import kind_of
from course.order import display_order
from course.order import letter
from widgets.projector_view import Projector
from widgets.quiz_view import Quiz

REPO = Path(__file__).resolve().parent.parent
GUIDE_NOTEBOOKS = {name: REPO / "modules" / "facilitator" / f"{name}.ipynb" for name in GUIDES}
SHIPPED_TEXT = (REPO / "course" / "guides" / "debriefs.yaml").read_text("utf-8")


@pytest.fixture(autouse=True)
def instructor_off(monkeypatch):
    monkeypatch.delenv("LEAD_MANAGE_INSTRUCTOR", raising=False)
    monkeypatch.setattr(widgets, "_instructor", None)


def page_text(widget) -> str:
    """Return every string a view sends to the page (values, descriptions, options, tooltips...), unescaped."""
    found, seen, stack = [], set(), [widget]
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        for name in w.keys:
            value = getattr(w, name, None)
            for item in (value if isinstance(value, (list, tuple)) else (value,)):
                if isinstance(item, W.Widget):
                    stack.append(item)
                elif isinstance(item, str):
                    found.append(item)
                elif isinstance(item, (list, tuple)):  # (label, value) options
                    found += [str(part) for part in item]
    return html.unescape("\n".join(found))


def trainer_only(lesson_id: str, question) -> list[str]:
    """Every trainer-only text about a question: its discussion note and every guide's debrief wording."""
    texts = [question.discussion] if question.discussion else []
    for note in debriefs():
        if (note.lesson, note.question) == (lesson_id, question.id):
            texts += [note.key_note, note.why_missed, *note.ask]
    return texts


def feedback_of(question) -> list[str]:
    return [part.feedback for part in kind_of(question).parts(question)]


def options_shown(view: Projector) -> list[tuple[str, str, bool]]:
    """Return (letter, rest of the item's text, whether it is marked keyed) for each option on the stage."""
    items = re.findall(r'<li class="lm-proj-option( lm-proj-keyed)?">(.*?)</li>', view.stage.value, re.S)
    out = []
    for keyed, body in items:
        found = re.match(r'<span class="lm-proj-letter">([A-Z]+)</span>(.*)', body, re.S)
        out.append((found.group(1), html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))), bool(keyed)))
    return out


# -- the projector view --------------------------------------------------------------------------------
def test_before_reveal_the_page_holds_no_key_no_feedback_and_no_trainer_notes():
    found = lesson("two-words")
    view = widgets.project("two-words")
    assert isinstance(view, Projector) and len(view.questions) == len(found.questions)
    for index, question in enumerate(found.questions):
        view.index = index
        shown = page_text(view)
        assert f"Question {index + 1} of {len(found.questions)}" in shown
        assert question.prompt in shown
        assert "✔ Key" not in shown and "Key:" not in shown, question.id
        for text in feedback_of(question) + trainer_only("two-words", question):
            assert text not in shown, f"{question.id}: '{text[:40]}' reached the page before Reveal"
        view.reveal_button.value = True  # the room presses Reveal
        shown = page_text(view)
        for text in feedback_of(question):
            assert text in shown, f"{question.id}: every option's explanation shows after Reveal"
        for text in trainer_only("two-words", question):
            assert text not in shown, f"{question.id}: trainer notes never reach the projector"
        marks = [keyed for _, _, keyed in options_shown(view)]
        if question.type == "classify":
            assert all(marks) and shown.count("✔ Key: ") == len(question.statements)
        else:
            assert marks.count(True) == len(question.keyed) == shown.count("✔ Key")
    assert any(trainer_only("two-words", q) for q in found.questions), "the lesson has notes to leak"


def test_the_key_marks_the_keyed_letters_in_the_order_the_room_shares():
    found = lesson("overlap-critics")
    question = found.question("spot-the-flawed-claims")
    view = widgets.project("overlap-critics", "spot-the-flawed-claims")
    view.revealed = True
    order = display_order(found, question)
    assert order == Quiz(found, [question], None, show_key=True).views[0].order, "the instructor quiz's order"
    shown = options_shown(view)
    assert [s[0] for s in shown] == list("ABCDEF")
    for (mark, text, keyed), index in zip(shown, order):
        choice = question.choices[index]
        assert text.strip().startswith(("✔ Key " if choice.correct else "") + choice.text)
        assert keyed == choice.correct


def test_classify_statements_are_lettered_and_reveal_gives_each_label():
    found = lesson("when-to-lead")
    question = found.question("diagnose-the-mix")
    view = widgets.project("when-to-lead", ["diagnose-the-mix"])
    assert "Leading, Managing or Both" in page_text(view)
    assert [s[0] for s in options_shown(view)] == list("ABCDEF")[:len(question.statements)]
    assert not any(f"Key: {label}" in page_text(view) for label in ("Leading", "Managing", "Both"))
    view.revealed = True
    for (_, text, _), index in zip(options_shown(view), display_order(found, question)):
        statement = question.statements[index]
        assert f"✔ Key: {statement.label.capitalize()}" in text and statement.feedback in text


@pytest.mark.parametrize("count", [2, 5, 6, 8, 9])
def test_letters_match_the_option_count(count):
    found, question = next((lsn, q) for lsn in lessons() for q in lsn.questions
                           if len(kind_of(q).parts(q)) == count)
    view = Projector(found, [question])
    letters = [s[0] for s in options_shown(view)]
    assert letters == [chr(ord("A") + i) for i in range(count)]


def test_letters_run_past_z():
    assert (letter(0), letter(25), letter(26), letter(27), letter(51), letter(52)) == ("A", "Z", "AA", "AB", "AZ", "BA")


def test_navigation_one_question_at_a_time():
    found = lesson("two-words")
    ids = [q.id for q in found.questions[:3]]
    view = widgets.project("two-words", ids)
    assert [q.id for q in view.questions] == ids
    assert view.previous_button.disabled and not view.next_button.disabled
    assert "Question 1 of 3" in view.stage.value
    view.next_button.click()
    assert view.index == 1 and "Question 2 of 3" in view.stage.value and not view.previous_button.disabled
    view.reveal_button.value = True
    assert view.revealed and view.reveal_button.description == "Hide answer"
    view.next_button.click()
    assert view.index == 2 and view.next_button.disabled, "the last question: Next is off"
    assert not view.revealed and not view.reveal_button.value, "a new question starts with its key hidden"
    assert view.reveal_button.description == "Reveal answer" and "✔ Key" not in view.stage.value
    view.next_button.click()
    assert view.index == 2
    view.previous_button.click()
    assert view.index == 1 and found.questions[1].prompt in html.unescape(view.stage.value)
    view.index = 0
    view.previous_button.click()
    assert view.index == 0
    for bad in (3, -1):
        with pytest.raises(TraitError):
            view.index = bad
    assert view.index == 0


def test_one_id_a_list_or_none():
    found = lesson("two-words")
    assert len(widgets.project("two-words", found.questions[1].id).questions) == 1
    assert [q.id for q in widgets.project("two-words", [found.questions[2].id, found.questions[0].id]).questions] == \
        [found.questions[2].id, found.questions[0].id]
    assert len(widgets.project("two-words").questions) == len(found.questions)
    assert len(widgets.project("two-words", []).questions) == len(found.questions)
    with pytest.raises(ValueError):
        Projector(found, [])


def test_no_check_no_score_real_buttons_with_labels():
    view = widgets.project("two-words")
    buttons = [w for w in (view.previous_button, view.next_button, view.reveal_button, view.present_button)]
    assert all(isinstance(b, (W.Button, W.ToggleButton)) and b.description and b.tooltip for b in buttons)
    shown = page_text(view)
    assert "Check" not in shown and "Score" not in shown and "score" not in shown


def test_present_fills_the_window_and_closes():
    view = widgets.project("two-words")
    assert "lm-present" not in view._dom_classes
    view.present_button.value = True
    assert view.presenting and "lm-present" in view._dom_classes
    assert view.present_button.description == "Close presentation"
    view.present_button.value = False
    assert "lm-present" not in view._dom_classes and view.present_button.description == "Present"


def test_projecting_saves_nothing():
    before = widgets._store().counts()
    view = widgets.project("two-words")
    for index in range(len(view.questions)):
        view.index = index
        view.revealed = True
    assert widgets._store().counts() == before


def test_bank_text_is_escaped_on_the_stage(sample):
    view = Projector(sample, list(sample.questions))
    for index in range(len(view.questions)):
        view.index = index
        view.revealed = True
        assert "<b>" not in view.stage.value
    view.index = [q.id for q in sample.questions].index("sort")
    view.revealed = True
    assert "&lt;b&gt;now&lt;/b&gt;" in view.stage.value
    view.index = [q.id for q in sample.questions].index("pick-many")
    view.revealed = True
    assert "&lt;b&gt;managing&lt;/b&gt;" in view.stage.value


def test_the_readable_copy_holds_no_key():
    found = lesson("two-words")
    view = widgets.project("two-words")
    view.revealed = True  # what the copy holds does not depend on what was on screen
    copy = html.unescape(view._repr_mimebundle_()["text/html"])
    for question in found.questions:
        assert question.prompt in copy
        for text in feedback_of(question) + trainer_only("two-words", question):
            assert text not in copy
    assert "Key" not in copy and "✔" not in copy
    assert "A. " in copy and "your answers are saved" not in copy


@pytest.mark.parametrize("show", [lambda: widgets.project("no-such-lesson"),
                                  lambda: widgets.project("two-words", "no-such-question"),
                                  lambda: widgets.project("two-words", ["different-people", "no-such-question"]),
                                  lambda: widgets.debrief("no-such-lesson", "different-people"),
                                  lambda: widgets.debrief("two-words", "no-such-question")])
def test_an_unknown_id_gives_the_usual_readable_message(show):
    view = show()
    assert not isinstance(view, (Projector, Quiz))
    text = html.unescape(view.value)
    assert "This lesson needs a newer course package." in text and "no-such-" in text and "Traceback" not in text


# -- ids given in the wrong form or the wrong place ------------------------------------------------------
def _said(view) -> str:
    """Return a message view's text as a reader sees it: tags dropped, entities unescaped, spaces joined."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", view.value.split("</style>")[-1]))).strip()


def _homes(item_id: str, kind: str = "question") -> list[str]:
    return [x.id for x in lessons()
            if any(item.id == item_id for item in (x.questions if kind == "question" else x.reflections))]


@pytest.mark.parametrize("args", [("different-people", "title-names-the-post"),
                                  (["different-people", "title-names-the-post"],),
                                  (("different-people", "title-names-the-post"),)])
def test_project_takes_question_ids_as_separate_arguments_or_as_one_list(args):
    view = widgets.project("two-words", *args)
    assert isinstance(view, Projector)
    assert [q.id for q in view.questions] == ["different-people", "title-names-the-post"], "in the order given"


@pytest.mark.parametrize("args", [(), (None,), ([],), ((),)])
def test_project_with_no_ids_none_or_an_empty_list_shows_every_question(args):
    view = widgets.project("two-words", *args)
    assert [q.id for q in view.questions] == [q.id for q in lesson("two-words").questions]


@pytest.mark.parametrize("args, shown", [((3,), "int: 3"), ((0,), "int: 0"), (([3],), "int: 3"), ((False,), "bool"),
                                         (({"different-people"},), "set"), ((["different-people"], ["x"]), "list"),
                                         ((["different-people", ["x"]],), "list"), (("different-people", None), "None")])
def test_project_turns_an_id_that_is_not_text_into_a_sentence(args, shown):
    view = widgets.project("two-words", *args)
    assert not isinstance(view, Projector), "never a view of some other questions"
    text = _said(view)
    assert "a question id is text in quotes" in text and shown in text
    assert text.startswith("The projector view cannot be shown.")
    assert "newer course package" not in text and "question bank has a problem" not in text


@pytest.mark.parametrize("show, helper", [(lambda q: widgets.project(q), "project"),
                                          (lambda q: widgets.quiz(q), "quiz")])
def test_a_question_id_given_as_the_lesson_names_its_lessons_and_the_call_to_write(show, helper):
    homes = _homes("born-or-made")
    assert len(homes) >= 2, "the bank has this id in more than one lesson"
    text = _said(show("born-or-made"))
    assert "'born-or-made' is a question in lessons " in text and "not a lesson" in text
    for home in homes:
        assert f"'{home}'" in text and f'{helper}("{home}", "born-or-made")' in text
    assert "newer course package" not in text
    single = next(q.id for x in lessons() for q in x.questions if len(_homes(q.id)) == 1)
    text = _said(show(single))
    assert f"'{single}' is a question in lesson '{_homes(single)[0]}', not a lesson" in text
    assert f'{helper}("{_homes(single)[0]}", "{single}")' in text


def test_the_brief_call_is_written_out():
    assert 'project("start-here", "born-or-made")' in _said(widgets.project("born-or-made"))


@pytest.mark.parametrize("show", [lambda: widgets.project("two-words", "nope"),
                                  lambda: widgets.project("two-words", ["different-people", "nope"]),
                                  lambda: widgets.quiz("two-words", "nope"),
                                  lambda: widgets.debrief("two-words", "nope")])
def test_a_question_unknown_to_the_whole_bank_lists_the_lessons_questions(show):
    text = _said(show())
    assert "This lesson needs a newer course package." in text and "has no question 'nope' in lesson 'two-words'" in text
    ids = [q.id for q in lesson("two-words").questions]
    assert f"The questions of lesson 'two-words': {', '.join(ids)}." in text


def test_a_reflection_unknown_to_the_whole_bank_lists_the_lessons_reflections():
    text = _said(widgets.reflection("two-words", "nope"))
    ids = [r.id for r in lesson("two-words").reflections]
    assert "This lesson needs a newer course package." in text
    assert f"The reflections of lesson 'two-words': {', '.join(ids)}." in text


def test_a_lesson_unknown_to_the_whole_bank_lists_the_lessons():
    text = _said(widgets.project("nope"))
    assert "This lesson needs a newer course package." in text and "has no lesson 'nope'" in text
    assert f"The course's lessons: {', '.join(x.id for x in lessons())}." in text


@pytest.mark.parametrize("show, call", [
    (lambda: widgets.quiz("two-words", "born-or-made"), 'quiz("start-here", "born-or-made")'),
    (lambda: widgets.project("two-words", "born-or-made"), 'project("start-here", "born-or-made")'),
    (lambda: widgets.debrief("two-words", "born-or-made", "six_sessions"),
     'debrief("start-here", "born-or-made", "six_sessions")'),
    (lambda: widgets.debrief("two-words", "born-or-made"), 'debrief("start-here", "born-or-made")'),
])
def test_a_question_of_another_lesson_names_that_lesson_and_keeps_the_other_arguments(show, call):
    text = _said(show())
    assert "Lesson 'two-words' has no question 'born-or-made': it is a question in lessons" in text
    assert call in text and "newer course package" not in text


def test_a_reflection_asked_for_as_a_question_and_back_is_sent_to_the_right_helper():
    reflection_id = lesson("two-words").reflections[0].id
    text = _said(widgets.project("two-words", reflection_id))
    assert "it is a reflection in lesson 'two-words'" in text
    assert f'reflection("two-words", "{reflection_id}")' in text and "newer course package" not in text
    question_id = lesson("two-words").questions[0].id
    text = _said(widgets.reflection("two-words", question_id))
    assert f"Lesson 'two-words' has no reflection '{question_id}'" in text
    assert f'quiz("two-words", "{question_id}")' in text and "newer course package" not in text


@pytest.mark.parametrize("show, meant, call", [
    (lambda: widgets.project("two-words", "different-people "), "different-people",
     'project("two-words", "different-people")'),
    (lambda: widgets.debrief("two-words", "diferent-people", "six_sessions"), "different-people",
     'debrief("two-words", "different-people", "six_sessions")'),
    (lambda: widgets.quiz("two-word"), "two-words", None),
])
def test_a_near_miss_is_answered_with_did_you_mean(show, meant, call):
    text = _said(show())
    assert f"Did you mean '{meant}'?" in text
    assert call is None or call in text
    assert "This lesson needs a newer course package." not in text, "not the heading: a slip is more likely"
    assert "is right, this lesson needs a newer course package." in text, "but still said, should the id be right"


def test_ids_in_the_messages_are_escaped_and_cut():
    view = widgets.project("two-words", "<b>nope</b>")
    assert "<b>nope" not in view.value and "&lt;b&gt;nope&lt;/b&gt;" in view.value
    view = widgets.project("<b>born</b>")
    assert "<b>born" not in view.value
    text = _said(widgets.project("two-words", "x" * 500))
    assert "x" * 77 + "…" in text and "x" * 81 not in text


def test_every_project_and_debrief_call_in_the_guides_shows_its_view():
    calls = []
    for path in GUIDE_NOTEBOOKS.values():
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and source.startswith(("project(", "debrief(")):
                calls.append(source)
    assert len(calls) >= 10
    for source in calls:
        call = ast.parse(source, mode="eval").body
        args = [ast.literal_eval(a) for a in call.args]
        view = getattr(widgets, call.func.id)(*args)
        assert isinstance(view, (Projector, Quiz)), source


def test_an_unknown_guide_is_named_with_the_guides():
    text = html.unescape(widgets.debrief("two-words", "different-people", guide="three_days").value)
    assert "no guide 'three_days'" in text and "half_day_workshop, six_sessions" in text


# -- debrief(): the quiz for the room, the notes for the trainer -----------------------------------------
def test_debrief_shows_the_quiz_with_reveal_and_closed_trainer_notes():
    question = lesson("two-words").question("different-people")
    note = debrief_notes("two-words", "different-people")
    before = widgets._store().counts()
    quiz = widgets.debrief("two-words", "different-people")
    view = quiz.views[0]
    assert view.reveal.value is False and view.key.value == ""
    assert view.trainer_notes.description == "Trainer notes" and view.trainer_notes.value is False
    shown = page_text(quiz)
    for text in trainer_only("two-words", question) + feedback_of(question):
        assert text not in shown, "nothing for the trainer, and no key, until asked"
    view.reveal.value = True
    shown = page_text(quiz)
    assert all(text in shown for text in feedback_of(question)), "Reveal: why each option is right or wrong"
    assert next(c.text for c in question.choices if c.correct) in html.unescape(view.key.value)
    assert question.discussion not in shown and note.why_missed not in shown, "Reveal shows no trainer note"
    view.trainer_notes.value = True
    notes = html.unescape(re.sub(r"</?em>", "*", view.trainer_text.value))
    for text in (note.key_note, note.why_missed, *note.ask, question.discussion):
        assert text in notes
    view.trainer_notes.value = False
    assert view.trainer_text.value == "" and question.discussion not in page_text(quiz)
    view.set_answer(question.keyed[0])
    view.check_button.click()
    assert widgets._store().counts() == before, "a guide's quiz records nothing"


def test_debrief_gives_a_guides_own_wording():
    shared = debrief_notes("two-words", "different-people")
    own = debrief_notes("two-words", "different-people", "six_sessions")
    assert own.guide == "six_sessions" and shared.guide is None and own.ask != shared.ask
    assert own.key_note == shared.key_note, "a field the guide does not reword is shared"
    assert debrief_notes("two-words", "different-people", "half_day_workshop") == shared
    view = widgets.debrief("two-words", "different-people", guide="six_sessions").views[0]
    view.trainer_notes.value = True
    assert html.unescape(own.ask[2]) in html.unescape(view.trainer_text.value)
    assert shared.ask[2] not in html.unescape(view.trainer_text.value)


def test_debrief_of_a_question_without_notes_still_has_the_control(sample, store):
    noted = {(n.lesson, n.question) for n in debriefs()}
    question = next(q for q in lesson("two-words").questions if ("two-words", q.id) not in noted)
    view = widgets.debrief("two-words", question.id).views[0]
    assert view.trainer_notes.value is False
    view.trainer_notes.value = True
    assert "Trainer notes" in view.trainer_text.value and "Keyed answer" not in view.trainer_text.value
    bare = Quiz(sample, [sample.question("pick-one")], store, show_key=True, notes={"pick-one": None}).views[0]
    assert not sample.question("pick-one").discussion
    bare.trainer_notes.value = True
    assert "No notes for this question." in bare.trainer_text.value


def test_debrief_copy_holds_no_key_and_no_notes():
    question = lesson("two-words").question("different-people")
    quiz = widgets.debrief("two-words", "different-people", guide="six_sessions")
    quiz.views[0].reveal.value = True
    quiz.views[0].trainer_notes.value = True
    copy = html.unescape(quiz._repr_mimebundle_()["text/html"])
    assert question.prompt in copy
    for text in feedback_of(question) + trainer_only("two-words", question):
        assert text not in copy
    assert "Key" not in copy and "Trainer notes" not in copy


def test_trainer_notes_escape_bank_text(sample, store):
    quiz = Quiz(sample, [sample.question("sort")], store, show_key=True)
    view = quiz.views[0]
    view.trainer_notes.value = True
    assert "&lt;b&gt;both&lt;/b&gt;" in view.trainer_text.value and "<b>both</b>" not in view.trainer_text.value
    view.reveal.value = True
    assert "both</b> fits" not in view.key.value and "fits the third" not in view.key.value


def test_an_instructor_quiz_shows_trainer_notes_only_where_there_is_a_note(sample, store):
    quiz = Quiz(sample, list(sample.questions), store, show_key=True)
    for view in quiz.views:
        assert hasattr(view, "trainer_notes") == bool(view.question.discussion)
    learner = Quiz(sample, list(sample.questions), store)
    assert not any(hasattr(v, "trainer_notes") or hasattr(v, "reveal") for v in learner.views)


# -- the debrief notes as data ---------------------------------------------------------------------------
def test_every_note_names_a_question_in_the_bank():
    for note in debriefs():
        lesson(note.lesson).question(note.question)  # raises when either id is unknown
        assert note.guide in (None, *GUIDES)
        assert 1 <= len(note.ask) <= 3


def _guide_cells(path: Path) -> list[tuple[str, str, str | None, str]]:
    """Return (lesson, question, guide keyword, the markdown cell after it) for each quiz or debrief call."""
    cells = json.loads(path.read_text("utf-8"))["cells"]
    found = []
    for i, cell in enumerate(cells):
        source = "".join(cell["source"]).strip()
        if cell["cell_type"] != "code" or not source.startswith(("quiz(", "debrief(")):
            continue
        call = ast.parse(source).body[0].value
        args = [a.value for a in call.args]
        guide = args[2] if len(args) > 2 else next((k.value.value for k in call.keywords if k.arg == "guide"), None)
        after = "".join(cells[i + 1]["source"]) if i + 1 < len(cells) else ""
        found.append((args[0], args[1], guide, after))
    return found


NOTE = re.compile(r"\*\*Keyed answer:\*\* (?P<key>.+?)\n\n\*\*Why learners miss it\.\*\* (?P<why>.+?)\n\n"
                  r"\*\*After the reveal, ask:\*\*\n\n(?P<ask>(?:\d\. .+\n?)+)$", re.S)


@pytest.mark.parametrize("guide", GUIDES)
def test_every_question_a_guide_projects_has_notes_copied_faithfully(guide):
    calls = _guide_cells(GUIDE_NOTEBOOKS[guide])
    assert calls, "the guide projects questions"
    for lesson_id, question_id, named, after in calls:
        assert named in (None, guide), f"{question_id}: debrief(..., guide=) names the guide it sits in"
        note = debrief_notes(lesson_id, question_id, guide)
        assert note is not None, f"{guide}: no debrief notes for {lesson_id} / {question_id}"
        written = NOTE.match(after)
        if written:  # the guide still holds its notes under the quiz: the data says the same
            asks = tuple(re.sub(r"^\d\. ", "", line) for line in written["ask"].strip().split("\n"))
            assert (note.key_note, note.why_missed, note.ask) == (written["key"], written["why"], asks)


def _problems(text: str) -> list[str]:
    notes, problems = check_text(text, "debriefs.yaml")
    assert not notes if problems else notes
    return [str(p) for p in problems]


def test_the_shipped_file_is_valid():
    assert _problems(SHIPPED_TEXT) == []


@pytest.mark.parametrize("change, expected", [
    (("    why_missed: >-", "    why_missd: >-"), "field 'why_missed': is missing"),
    (("    key_note: >-", "    colour: red\n    key_note: >-"), "field 'colour': is not a field this entry has"),
    (("      six_sessions:", "      three_days:"), "field 'in_guide.three_days': is not a guide"),
    (("    question: born-or-made", "    question: Born Or Made"), "field 'question'"),
    (("    ask:\n", "    ask: []\n    asked:\n"), "field 'asked'"),
])
def test_a_malformed_entry_names_the_file_the_entry_and_the_field(change, expected):
    problems = _problems(SHIPPED_TEXT.replace(*change, 1))
    assert len(problems) == 1 and problems[0].startswith("debriefs.yaml, entry '") and expected in problems[0]


ONE = """debriefs:
  - lesson: two-words
    question: different-people
    key_note: "A key."
    why_missed: "A reason."
    ask: [{asks}]
"""


@pytest.mark.parametrize("count, ok", [(0, False), (1, True), (3, True), (4, False)])
def test_one_to_three_questions_to_ask(count, ok):
    problems = _problems(ONE.format(asks=", ".join(f'"Question {i}?"' for i in range(count))))
    assert (problems == []) == ok
    if not ok:
        assert "entry 'two-words / different-people', field 'ask'" in problems[0]


@pytest.mark.parametrize("text, expected", [
    (ONE.format(asks='"Why?"') + ONE.format(asks='"Why?"').removeprefix("debriefs:\n"), "appears twice"),
    (ONE.format(asks='"   "'), "field 'ask[0]': is empty"),
    (ONE.format(asks='"Why?"').replace('"A key."', '"  "'), "field 'key_note': is empty"),
    (ONE.format(asks='"Why?"') + "    in_guide:\n      six_sessions: {}\n", "field 'in_guide.six_sessions': is empty"),
    ("debriefs:\n  - &a {lesson: x}\n  - *a\n", "alias"),
    ("- just a list\n", "must be a YAML mapping"),
    ("debriefs: [\n", "is not valid YAML"),
])
def test_other_problems_are_named(text, expected):
    problems = _problems(text)
    assert problems and expected in problems[0], problems


def test_importing_reads_nothing_and_loading_is_cached():
    import subprocess
    import sys

    code = ("import sys, course, widgets, course.guides; "
            "print(sorted(m for m in ('yaml', 'jsonschema', 'jsonschema_rs', 'mistune', 'jinja2', 'ipywidgets') "
            "if m in sys.modules), course.guides.debriefs.cache_info().currsize)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["[]", "0"], "the notes are read on first use, not at import"
    guides.clear_cache()
    first = debriefs()
    assert debriefs() is first and guides.debriefs.cache_info().hits >= 1


def test_a_broken_shipped_file_is_a_readable_problem_in_the_guide(monkeypatch):
    broken = SHIPPED_TEXT.replace("    why_missed: >-", "    why_missd: >-", 1)
    monkeypatch.setattr(guides, "debriefs", lambda: (_ for _ in ()).throw(
        guides.DebriefError(check_text(broken)[1])))
    text = html.unescape(widgets.debrief("two-words", "different-people").value)
    assert "course/guides/debriefs.yaml, entry 'start-here / born-or-made', field 'why_missed': is missing" in text


def test_the_notes_are_declared_as_package_data():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    from fnmatch import fnmatch

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["course"]
    for path in ("guides/debriefs.yaml", "schema/debriefs.schema.json"):
        assert any(fnmatch(path, pattern) for pattern in declared), \
            f'course/{path} ships in the wheel only if [tool.setuptools.package-data] course lists it ("guides/*.yaml")'
