"""The quiz view: questions from the bank, Check, per-option feedback, Why not the others, Try again, a score."""
from __future__ import annotations

from html import escape
from typing import Any, Callable

import ipywidgets as W
from traitlets import Any as AnyTrait
from traitlets import Bool, Int, TraitError, observe, validate

from course.bank import Lesson, Question
from course.kinds import AnswerError, Remark, Result, kind_of
from course.order import SHARED, display_order
from widgets._style import CSS, Fallback, notice_html

LABEL_NAMES = {"leading": "Leading", "managing": "Managing", "both": "Both"}
SHOW_KEY_AFTER = 2  # a classify statement still wrong after this many checks names the key's label


def _in_order(remarks, order: tuple[int, ...]) -> list[Remark]:
    position = {bank: shown for shown, bank in enumerate(order)}
    return sorted(remarks, key=lambda r: position.get(r.index, r.index))


def feedback_html(question: Question, result: Result, restored: bool = False, order: tuple[int, ...] = (),
                  name_key: bool = False) -> str:
    """Render a checked answer: a verdict in words and an icon, then the feedback on each part.

    Parts are listed in the order the learner sees them (`order`, bank indices). With `name_key`,
    a classify statement sorted differently from the key says which label the key gives.
    """
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
    for remark in _in_order(result.remarks, order):
        mark = "✔ Right" if remark.ok else "✘ Not this one"
        extra = ""
        if question.type == "classify":
            mark = "✔ Matches the key" if remark.ok else "✘ Not the key's label"
            if name_key and not remark.ok:
                label = LABEL_NAMES[question.statements[remark.index].label]
                extra = f'<br><span class="lm-keylabel">The key sorts this as <b>{label}</b>.</span>'
        items.append(f'<li class="{"lm-ok" if remark.ok else "lm-no"}"><b>{mark}</b>: <i>{escape(remark.text)}</i>'
                     f'<br>{escape(remark.feedback)}{extra}</li>')
    missed = ""
    if result.missed:
        missed = (f'<div>There {"is" if result.missed == 1 else "are"} still {result.missed} right '
                  f'option{"" if result.missed == 1 else "s"} you have not picked.</div>')
    return (f'<div class="lm-feedback" role="status" aria-live="polite">{lead}'
            f'<div class="lm-verdict">{icon} {escape(verdict)}</div>{missed}<ul>{"".join(items)}</ul></div>')


def explain_all_html(question: Question, order: tuple[int, ...]) -> str:
    """Render the explanation of every option (or every statement with its key), in the order shown."""
    kind = kind_of(question)
    items = []
    for remark in _in_order(kind.explain_all(question), order):
        if question.type == "classify":
            label = LABEL_NAMES[question.statements[remark.index].label]
            items.append(f'<li class="lm-ok"><b>Key: {label}</b>: <i>{escape(remark.text)}</i>'
                         f'<br>{escape(remark.feedback)}</li>')
        else:
            mark = "✔ Right" if remark.ok else "✘ Not this one"
            items.append(f'<li class="{"lm-ok" if remark.ok else "lm-no"}"><b>{mark}</b>: <i>{escape(remark.text)}</i>'
                         f'<br>{escape(remark.feedback)}</li>')
    title = "The key's label for every statement" if question.type == "classify" else "Why each option is right or wrong"
    return (f'<div class="lm-feedback lm-explain" role="region" aria-label="{title}">'
            f'<div class="lm-verdict">{title}</div>'
            f'<div class="lm-muted">Reading these records nothing and does not change your score.</div>'
            f'<ul>{"".join(items)}</ul></div>')


def key_html(question: Question) -> str:
    """Render the answer key and discussion note (instructor mode only)."""
    rows = "".join(f"<li><b>{escape(line)}</b></li>" for line in kind_of(question).key_text(question))
    note = f"<div><b>Discussion:</b> {escape(question.discussion)}</div>" if question.discussion else ""
    return f'<div class="lm-key"><div class="lm-kicker">Instructor: answer key</div><ul>{rows}</ul>{note}</div>'


# -- one input per question kind ---------------------------------------------------------------
class ChoiceInput:
    """Radio buttons for one option (single choice, true/false, scenario), shown in `order`."""

    def __init__(self, question: Question, order: tuple[int, ...]):
        self.question = question
        self.widget = W.RadioButtons(options=[(question.choices[i].text, i) for i in order], value=None,
                                     layout=W.Layout(width="100%"))

    def read(self) -> Any:
        return self.widget.value

    def write(self, answer: Any) -> None:
        self.widget.value = answer

    def on_change(self, callback: Callable) -> None:
        self.widget.observe(callback, names="value")


class ChecksInput:
    """A checkbox per option (multiple select), shown in `order`; answers list bank indices."""

    def __init__(self, question: Question, order: tuple[int, ...]):
        self.order = order
        self.boxes = [W.Checkbox(value=False, description=question.choices[i].text, indent=False,
                                 layout=W.Layout(width="100%")) for i in order]
        self.widget = W.VBox(self.boxes)

    def read(self) -> Any:
        return sorted(i for i, box in zip(self.order, self.boxes) if box.value)

    def write(self, answer: Any) -> None:
        picks = set(answer or [])
        for i, box in zip(self.order, self.boxes):
            box.value = i in picks

    def on_change(self, callback: Callable) -> None:
        for box in self.boxes:
            box.observe(callback, names="value")


class SortInput:
    """A dropdown per statement (classify), shown in `order`; answers list labels in bank order."""

    def __init__(self, question: Question, order: tuple[int, ...]):
        self.order = order
        self.dropdowns = []
        for shown, i in enumerate(order, start=1):
            # The statement is the dropdown's own label (plain text, never HTML).
            dd = W.Dropdown(options=[("Choose…", "")] + [(LABEL_NAMES[k], k) for k in LABEL_NAMES],
                            value="", description=f"{shown}. {question.statements[i].text}",
                            description_allow_html=False,
                            style={"description_width": "calc(100% - 190px)"}, layout=W.Layout(width="100%"))
            dd.add_class("lm-classify")
            self.dropdowns.append(dd)
        self.widget = W.VBox(self.dropdowns)

    def read(self) -> Any:
        labels: list = [None] * len(self.order)
        for i, dd in zip(self.order, self.dropdowns):
            labels[i] = dd.value or None
        return labels

    def write(self, answer: Any) -> None:
        answer = answer or [None] * len(self.order)
        for i, dd in zip(self.order, self.dropdowns):
            dd.value = answer[i] or ""

    def on_change(self, callback: Callable) -> None:
        for dd in self.dropdowns:
            dd.observe(callback, names="value")


INPUTS = {"single": ChoiceInput, "truefalse": ChoiceInput, "scenario": ChoiceInput,
          "multiple": ChecksInput, "classify": SortInput}


class QuestionView(W.VBox):
    """One question: its prompt, an input that fits its kind, Check, Why not the others, Try again, feedback.

    `value` is the learner's answer in bank terms (see `course.kinds`): an option index, a list of
    option indices, or a list of labels in bank order. Setting it to something the question cannot
    take raises `TraitError`.
    """

    value = AnyTrait(None, allow_none=True, help="The current answer, by bank identity (never display position).")
    checked = Bool(False, help="Whether the current answer has been checked.")
    correct = Bool(False, help="Whether the last check was correct.")
    tries = Int(0, help="How many times this question has been checked (earlier sessions included).")

    def __init__(self, lesson: Lesson, question: Question, number: int, total: int, store, show_key: bool = False,
                 learner_id: str | None = None, restore: bool = True, **kwargs):
        self.lesson, self.question, self.store = lesson, question, store
        self.kind = kind_of(question)
        self.show_key = show_key
        self.order = display_order(lesson, question, SHARED if show_key or learner_id is None else learner_id)
        header = f'<div class="lm-kicker">Question {number} of {total} · {self.kind.title}</div>'
        if question.situation:
            header += f'<div class="lm-situation">{escape(question.situation)}</div>'
        header += f'<div class="lm-prompt">{escape(question.prompt)}</div>'
        self._header = W.HTML(header)
        self.input = INPUTS[question.type](question, self.order)
        self.check_button = W.Button(description="Check answer", icon="check", button_style="primary",
                                     tooltip="Check your answer and see why", disabled=True)
        self.retry_button = W.Button(description="Try again", icon="redo", tooltip="Clear your answer and try again")
        self.retry_button.layout.display = "none"
        self.explain_button = W.ToggleButton(
            value=False, icon="question-circle",
            description="Show the key's labels" if question.type == "classify" else "Why not the others?",
            tooltip="Read the explanation of every option; records nothing and changes no score",
            layout=W.Layout(width="auto"))
        self.explain_button.layout.display = "none"
        self.feedback = W.HTML("")
        self.explanation = W.HTML("")
        buttons = [self.check_button, self.retry_button, self.explain_button]
        extra = []
        if show_key:  # only instructor mode builds the key and its Reveal control
            self.key = W.HTML("")
            self.reveal = W.ToggleButton(value=False, description="Reveal answer", icon="eye",
                                         tooltip="Show the answer key and discussion note to the room")
            self.reveal.observe(self._on_reveal, names="value")
            buttons.append(self.reveal)
            extra.append(self.key)
        self._syncing = False
        self.input.on_change(self._on_input)
        self.check_button.on_click(self._on_check)
        self.retry_button.on_click(self._on_retry)
        self.explain_button.observe(self._on_explain, names="value")
        super().__init__(children=[self._header, self.input.widget, W.HBox(buttons), self.feedback,
                                   self.explanation, *extra], **kwargs)
        self.add_class("lm-question")
        self.value = self.kind.empty(question)
        if restore:
            self._restore()

    # -- the answer ----------------------------------------------------------------------------
    @validate("value")
    def _validate_value(self, proposal):
        if proposal["value"] is None and self.question.type in ("multiple", "classify"):
            return self.kind.empty(self.question)
        try:
            return self.kind.normalise(self.question, proposal["value"])
        except AnswerError as exc:
            raise TraitError(str(exc)) from None

    @observe("value")
    def _on_value(self, change) -> None:
        if not self._syncing:
            self._syncing = True
            try:
                self.input.write(change["new"])
            finally:
                self._syncing = False
        self.check_button.disabled = not self.kind.is_complete(self.question, change["new"])
        if self.checked:  # the feedback on screen was for another answer
            self.checked = False
            self.correct = False

    def set_answer(self, answer: Any) -> None:
        """Set the learner's answer as if they had picked it (bank index, list of indices, or labels)."""
        self.value = answer

    def _on_input(self, change=None) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.value = self.input.read()
        finally:
            self._syncing = False

    @observe("checked")
    def _on_checked(self, change) -> None:
        if not change["new"]:
            self.feedback.value = ""
            self.retry_button.layout.display = "none"
            self.explain_button.layout.display = "none"
            self.explain_button.value = False

    # -- events --------------------------------------------------------------------------------
    def _on_reveal(self, change) -> None:
        self.key.value = key_html(self.question) if change["new"] else ""
        self.reveal.description = "Hide answer" if change["new"] else "Reveal answer"

    def _on_explain(self, change) -> None:
        self.explanation.value = explain_all_html(self.question, self.order) if change["new"] else ""

    def _on_check(self, _button=None) -> None:
        current = self.value
        try:
            result = self.kind.score(self.question, current)
        except AnswerError as exc:
            self.feedback.value = f'<div class="lm-warning">{escape(str(exc))}</div>'
            return
        self.tries += 1
        if self.show_key:
            self._show(result)
            self.feedback.value += '<div class="lm-muted">Instructor mode: this answer is not saved.</div>'
            return
        problem = ""
        try:  # saved before the feedback shows, so anything watching `checked` sees the stored attempt
            self.store.record_attempt(self.lesson.id, self.question.id, current, result.correct, result.score)
        except Exception as exc:  # the learner still sees the feedback; the store says why it could not save
            problem = f'<div class="lm-warning" role="alert">⚠ This answer could not be saved: {escape(str(exc))}</div>'
        self._show(result)
        self.feedback.value += problem + (notice_html(self.store) if self.store.warning else "")

    def _on_retry(self, _button=None) -> None:
        self.value = self.kind.empty(self.question)
        self.checked = False

    def _show(self, result: Result, restored: bool = False) -> None:
        self.feedback.value = feedback_html(self.question, result, restored, self.order,
                                            name_key=self.tries >= SHOW_KEY_AFTER)
        self.correct = result.correct
        self.checked = True
        self.check_button.disabled = True  # checked once; changing the answer makes it checkable again
        self.retry_button.layout.display = "none" if result.correct else ""
        self.explain_button.layout.display = ""

    def _restore(self) -> None:
        if self.show_key:
            return  # instructor mode starts clean: a projected question shows no learner's answer
        try:
            last = self.store.last_answer(self.lesson.id, self.question.id)
            count = self.store.attempt_count(self.lesson.id, self.question.id) if last is not None else 0
        except Exception:  # an unreadable store: the question simply starts fresh
            return
        if not count:
            return
        try:
            result = self.kind.score(self.question, last)
            self.value = last
        except (AnswerError, TraitError):
            return  # the question changed since this answer was given; start fresh
        self.tries = count
        self._show(result, restored=True)


class Quiz(Fallback, W.VBox):
    """A quiz over one or more questions of a lesson, with a running score line."""

    correct_count = Int(0, help="How many questions are currently answered correctly.")

    def __init__(self, lesson: Lesson, questions: list, store, show_key: bool = False, title: str | None = None,
                 intro: str = "", restore: bool = True, **kwargs):
        """Build the quiz.

        Parameters
        ----------
        lesson:
            The lesson the quiz belongs to (its title heads the printable copy).
        questions:
            Questions of `lesson`, or (lesson, question) pairs for a review drawn from several lessons.
        store:
            The progress store; its learner id seeds the order of each question's options.
        show_key:
            Instructor mode: a Reveal control per question, one shared option order, nothing saved.
        restore:
            Show each question's last stored answer (off for a review, which asks afresh).
        """
        self.lesson = lesson
        self.title = title or lesson.title
        items = [q if isinstance(q, tuple) else (lesson, q) for q in questions]
        learner_id = None if show_key else _learner_id(store)
        self.views = [QuestionView(owner, q, i, len(items), store, show_key=show_key, learner_id=learner_id,
                                   restore=restore) for i, (owner, q) in enumerate(items, start=1)]
        self.score_line = W.HTML("")
        banner = ('<div class="lm-key" role="note">Instructor mode: use <b>Reveal answer</b> to show the key and '
                  "a discussion note. Answers checked here are not saved.</div>") if show_key else ""
        top = W.HTML(CSS + notice_html(store) + banner + intro)
        for view in self.views:
            view.observe(self._on_view_change, names=["checked", "correct"])
        super().__init__(children=[top, *self.views, self.score_line], **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-quiz")
        self._on_view_change()

    def fallback_html(self) -> str:
        parts = [f"<p><b>Quiz: {escape(self.title)}</b></p><ol>"]
        for view in self.views:
            q = view.question
            parts_of = kind_of(q).parts(q)
            options = "".join(f"<li>{escape(parts_of[i].text)}</li>" for i in display_order(view.lesson, q))
            situation = f"<p>{escape(q.situation)}</p>" if q.situation else ""
            kind = kind_of(q).title
            how = f'<p class="lm-muted"><i>{escape(kind)}</i></p>' if kind else ""
            parts.append(f"<li>{situation}<p>{escape(q.prompt)}</p>{how}<ul>{options}</ul></li>")
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
        done = " Well done: all correct." if total and self.correct_count == total else ""
        self.score_line.value = (f'<div class="lm-muted" role="status">Score: <b>{self.correct_count} of {total}</b> '
                                 f'correct · {checked} of {total} checked.{done}</div>')


def _learner_id(store) -> str | None:
    try:
        return store.learner_id
    except Exception:  # an unreadable store still shows the quiz, in the shared order
        return None
