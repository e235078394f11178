"""The quiz view: questions from the bank, Check, per-option feedback, Try again, a score line."""
from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as W
from traitlets import Bool, Int, observe

from course.bank import Lesson, Question
from course.scoring import AnswerError, Result, is_complete, score
from widgets._style import CSS, Fallback, notice_html

LABEL_NAMES = {"leading": "Leading", "managing": "Managing", "both": "Both"}
TYPE_NAMES = {"single": "Choose one", "multiple": "Choose all that apply", "truefalse": "True or false",
              "classify": "Leading, managing or both?", "scenario": "Scenario"}


def feedback_html(question: Question, result: Result, restored: bool = False) -> str:
    """Render a checked answer: a verdict in words and an icon, then the feedback on each part."""
    icon = "✔" if result.correct else ("◐" if result.score > 0 else "✘")
    verdict = result.summary
    if question.type == "classify":
        right = sum(r.ok for r in result.remarks)
        verdict += f": {right} of {len(result.remarks)} sorted as the key has them."
    elif result.correct:
        verdict += "."
    else:
        verdict += ". Read why below, then try again."
    lead = '<div class="lm-muted">Your last answer, checked earlier:</div>' if restored else ""
    items = []
    for remark in result.remarks:
        mark = "✔ Right" if remark.ok else "✘ Not this one"
        if question.type == "classify":
            mark = "✔ Matches the key" if remark.ok else "✘ Not the key's label"
        items.append(f'<li class="{"lm-ok" if remark.ok else "lm-no"}"><b>{mark}</b>: <i>{escape(remark.text)}</i>'
                     f'<br>{escape(remark.feedback)}</li>')
    missed = ""
    if result.missed:
        missed = (f'<div>There {"is" if result.missed == 1 else "are"} still {result.missed} right '
                  f'option{"" if result.missed == 1 else "s"} you have not picked.</div>')
    return (f'<div class="lm-feedback" role="status" aria-live="polite">{lead}'
            f'<div class="lm-verdict">{icon} {escape(verdict)}</div>{missed}<ul>{"".join(items)}</ul></div>')


def key_html(question: Question) -> str:
    """Render the answer key and discussion note (instructor mode only)."""
    if question.type == "classify":
        rows = "".join(f"<li>{escape(s.text)} → <b>{LABEL_NAMES[s.label]}</b></li>" for s in question.statements)
    else:
        rows = "".join(f"<li><b>{escape(c.text)}</b></li>" for c in question.choices if c.correct)
    note = f"<div><b>Discussion:</b> {escape(question.discussion)}</div>" if question.discussion else ""
    return f'<div class="lm-key"><div class="lm-kicker">Instructor: answer key</div><ul>{rows}</ul>{note}</div>'


class QuestionView(W.VBox):
    """One question: its prompt, an input that fits its type, Check, Try again and feedback."""

    checked = Bool(False, help="Whether the current answer has been checked.")
    correct = Bool(False, help="Whether the last check was correct.")

    def __init__(self, lesson: Lesson, question: Question, number: int, total: int, store, show_key: bool = False,
                 **kwargs):
        self.lesson, self.question, self.store = lesson, question, store
        header = (f'<div class="lm-kicker">Question {number} of {total} · {TYPE_NAMES[question.type]}</div>')
        if question.situation:
            header += f'<div class="lm-situation">{escape(question.situation)}</div>'
        header += f'<div class="lm-prompt">{escape(question.prompt)}</div>'
        self._header = W.HTML(header)
        self._inputs = self._build_inputs()
        self.check_button = W.Button(description="Check answer", icon="check", button_style="primary",
                                     tooltip="Check your answer and see why", disabled=True)
        self.retry_button = W.Button(description="Try again", icon="redo", tooltip="Clear your answer and try again")
        self.retry_button.layout.display = "none"
        self.feedback = W.HTML("")
        self.show_key = show_key
        buttons = [self.check_button, self.retry_button]
        extra = []
        if show_key:  # only instructor mode builds the key and its Reveal control
            self.key = W.HTML("")
            self.reveal = W.ToggleButton(value=False, description="Reveal answer", icon="eye",
                                         tooltip="Show the answer key and discussion note to the room")
            self.reveal.observe(self._on_reveal, names="value")
            buttons.append(self.reveal)
            extra.append(self.key)
        self.check_button.on_click(self._on_check)
        self.retry_button.on_click(self._on_retry)
        super().__init__(children=[self._header, self._inputs, W.HBox(buttons), self.feedback, *extra], **kwargs)
        self.add_class("lm-question")
        self._restore()

    def _on_reveal(self, change) -> None:
        self.key.value = key_html(self.question) if change["new"] else ""
        self.reveal.description = "Hide answer" if change["new"] else "Reveal answer"

    # -- inputs ------------------------------------------------------------------------------
    def _build_inputs(self) -> W.Widget:
        q = self.question
        if q.type == "multiple":
            self._boxes = [W.Checkbox(value=False, description=c.text, indent=False,
                                      layout=W.Layout(width="100%")) for c in q.choices]
            for box in self._boxes:
                box.observe(self._on_input, names="value")
            return W.VBox(self._boxes)
        if q.type == "classify":
            # One widget per statement: the statement is the dropdown's own label (plain text, never HTML).
            self._dropdowns = []
            for i, s in enumerate(q.statements, start=1):
                dd = W.Dropdown(options=[("Choose…", "")] + [(LABEL_NAMES[k], k) for k in LABEL_NAMES],
                                value="", description=f"{i}. {s.text}", description_allow_html=False,
                                style={"description_width": "calc(100% - 190px)"}, layout=W.Layout(width="100%"))
                dd.add_class("lm-classify")
                dd.observe(self._on_input, names="value")
                self._dropdowns.append(dd)
            return W.VBox(self._dropdowns)
        self._radio = W.RadioButtons(options=[(c.text, i) for i, c in enumerate(q.choices)], value=None,
                                     layout=W.Layout(width="100%"))
        self._radio.observe(self._on_input, names="value")
        return self._radio

    def _read_inputs(self) -> Any:
        q = self.question
        if q.type == "multiple":
            return [i for i, box in enumerate(self._boxes) if box.value]
        if q.type == "classify":
            return [dd.value or None for dd in self._dropdowns]
        return self._radio.value

    def _write_inputs(self, answer: Any) -> None:
        q = self.question
        if q.type == "multiple":
            picks = set(answer or [])
            for i, box in enumerate(self._boxes):
                box.value = i in picks
        elif q.type == "classify":
            for dd, label in zip(self._dropdowns, answer or [None] * len(self._dropdowns)):
                dd.value = label or ""
        else:
            self._radio.value = answer

    def set_answer(self, answer: Any) -> None:
        """Set the learner's answer as if they had picked it (index, list of indices, or list of labels)."""
        self._write_inputs(answer)

    # -- events ------------------------------------------------------------------------------
    def _on_input(self, change=None) -> None:
        current = self._read_inputs()
        self.check_button.disabled = not is_complete(self.question, current)
        if self.checked:
            self.checked = False

    def _on_check(self, _button=None) -> None:
        current = self._read_inputs()
        try:
            result = score(self.question, current)
        except AnswerError as exc:
            self.feedback.value = f'<div class="lm-warning">{escape(str(exc))}</div>'
            return
        self._show(result)
        if self.show_key:
            self.feedback.value += '<div class="lm-muted">Instructor mode: this answer is not saved.</div>'
            return
        try:
            self.store.record_attempt(self.lesson.id, self.question.id, current, result.correct, result.score)
        except Exception as exc:  # the learner still sees the feedback; the store says why it could not save
            self.feedback.value += f'<div class="lm-warning" role="alert">⚠ This answer could not be saved: {escape(str(exc))}</div>'
        self.feedback.value += notice_html(self.store) if self.store.warning else ""

    def _on_retry(self, _button=None) -> None:
        q = self.question
        self._write_inputs([] if q.type == "multiple" else ([None] * len(q.statements) if q.type == "classify" else None))
        self.feedback.value = ""
        self.checked = False
        self.retry_button.layout.display = "none"

    def _show(self, result: Result, restored: bool = False) -> None:
        self.feedback.value = feedback_html(self.question, result, restored)
        self.correct = result.correct
        self.checked = True
        self.retry_button.layout.display = "none" if result.correct else ""

    def _restore(self) -> None:
        if self.show_key:
            return  # instructor mode starts clean: a projected question shows no learner's answer
        try:
            last = self.store.last_answer(self.lesson.id, self.question.id)
        except Exception:
            last = None
        if last is None:
            return
        try:
            result = score(self.question, last)
        except AnswerError:
            return  # the question changed since this answer was given; start fresh
        self._write_inputs(last)
        self._on_input()
        self._show(result, restored=True)


class Quiz(Fallback, W.VBox):
    """A quiz over one or more questions of a lesson, with a running score line."""

    correct_count = Int(0, help="How many questions are currently answered correctly.")

    def __init__(self, lesson: Lesson, questions: list[Question], store, show_key: bool = False, **kwargs):
        self.lesson = lesson
        self.views = [QuestionView(lesson, q, i, len(questions), store, show_key=show_key)
                      for i, q in enumerate(questions, start=1)]
        self.score_line = W.HTML("")
        banner = ('<div class="lm-key" role="note">Instructor mode: use <b>Reveal answer</b> to show the key and '
                  "a discussion note. Answers checked here are not saved.</div>") if show_key else ""
        top = W.HTML(CSS + notice_html(store) + banner)
        for view in self.views:
            view.observe(self._on_view_change, names=["checked", "correct"])
        super().__init__(children=[top, *self.views, self.score_line], **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-quiz")
        self._on_view_change()

    def fallback_html(self) -> str:
        parts = [f"<p><b>Quiz: {escape(self.lesson.title)}</b></p><ol>"]
        for view in self.views:
            q = view.question
            items = q.statements if q.type == "classify" else q.choices
            options = "".join(f"<li>{escape(i.text)}</li>" for i in items)
            situation = f"<p>{escape(q.situation)}</p>" if q.situation else ""
            hint = " (leading, managing or both?)" if q.type == "classify" else ""
            parts.append(f"<li>{situation}<p>{escape(q.prompt)}{hint}</p><ul>{options}</ul></li>")
        return "".join(parts) + "</ol>"

    @observe("correct_count")
    def _on_correct_count(self, change) -> None:
        self._render_score()

    def _on_view_change(self, change=None) -> None:
        self.correct_count = sum(1 for v in self.views if v.checked and v.correct)
        self._render_score()

    def _render_score(self) -> None:
        checked = sum(1 for v in self.views if v.checked)
        total = len(self.views)
        done = " Well done: all correct." if self.correct_count == total else ""
        self.score_line.value = (f'<div class="lm-muted" role="status">Score: <b>{self.correct_count} of {total}</b> '
                                 f'correct · {checked} of {total} checked.{done}</div>')
