"""The quiz view: questions from the bank, Check, per-option feedback, Why not the others, Try again, a score.

In instructor mode each question also has Reveal, which shows the room the key and why each option is
right or wrong, and a separate Trainer notes control for what only the trainer should read (the bank's
discussion note and a guide's debrief notes). Neither is sent to the page until its control is used.
"""
from __future__ import annotations

from html import escape
from typing import Any, Callable

import ipywidgets as W
from traitlets import Any as AnyTrait
from traitlets import Bool, Int, TraitError, observe, validate

from course.bank import LABEL_NAMES, Lesson, Question
from course.kinds import AnswerError, Remark, Result, kind_of
from course.order import SHARED, display_order
from widgets._style import CSS, Fallback, notice_html

SHOW_KEY_AFTER = 2  # a classify statement still wrong after this many checks names the key's label
# Instructor mode only: the trainer's notes look unlike anything the room is meant to read.
INSTRUCTOR_CSS = """<style>
.lm-card .lm-trainer { border: 1px solid var(--jp-warn-color1, #ef6c00); border-left-width: 5px; border-radius: 6px;
  padding: 6px 12px; margin: 4px 0; background: var(--jp-layout-color2, #fff8e1); }
.lm-card .lm-trainer p { margin: 2px 0 8px 0; }
.lm-card .lm-trainer ol { margin: 2px 0 6px 0; padding-left: 1.6em; }
.lm-card .lm-trainer li p { margin: 2px 0; }
.lm-card .lm-trainer-toggle { margin-top: 6px; }
.lm-card .lm-key-lines { margin: 2px 0 8px 0; padding-left: 1.2em; }
</style>"""


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


def _explain_items(question: Question, order: tuple[int, ...]) -> str:
    """Render every option (or statement) with its feedback and its place in the key, in the order shown."""
    items = []
    for remark in _in_order(kind_of(question).explain_all(question), order):
        if question.type == "classify":
            label = LABEL_NAMES[question.statements[remark.index].label]
            items.append(f'<li class="lm-ok"><b>Key: {label}</b>: <i>{escape(remark.text)}</i>'
                         f'<br>{escape(remark.feedback)}</li>')
        else:
            mark = "✔ Right" if remark.ok else "✘ Not this one"
            items.append(f'<li class="{"lm-ok" if remark.ok else "lm-no"}"><b>{mark}</b>: <i>{escape(remark.text)}</i>'
                         f'<br>{escape(remark.feedback)}</li>')
    return "".join(items)


def explain_all_html(question: Question, order: tuple[int, ...]) -> str:
    """Render the explanation of every option (or every statement with its key), in the order shown."""
    title = "The key's label for every statement" if question.type == "classify" else "Why each option is right or wrong"
    return (f'<div class="lm-feedback lm-explain" role="region" aria-label="{title}">'
            f'<div class="lm-verdict">{title}</div>'
            f'<div class="lm-muted">Reading these records nothing and does not change your score.</div>'
            f'<ul>{_explain_items(question, order)}</ul></div>')


def key_html(question: Question, order: tuple[int, ...] = ()) -> str:
    """Render what Reveal shows the room (instructor mode): the key, then why each option is right or wrong.

    A classify question's key is its label for each statement, with the reason. Never the bank's
    discussion note: that is for the trainer alone (`trainer_notes_html`).
    """
    if question.type == "classify":  # the key and the explanations are one list: each statement's label and why
        body = f"<ul>{_explain_items(question, order)}</ul>"
    else:
        rows = "".join(f"<li><b>{escape(line)}</b></li>" for line in kind_of(question).key_text(question))
        body = (f'<ul class="lm-key-lines">{rows}</ul><div class="lm-verdict">Why each option is right or wrong</div>'
                f"<ul>{_explain_items(question, order)}</ul>")
    return (f'<div class="lm-key lm-feedback" role="region" aria-label="Answer key">'
            f'<div class="lm-kicker">Answer key</div>{body}</div>')


def _markdown(text: str) -> str:
    """Render a note's Markdown (emphasis, lists), with any HTML in the text escaped."""
    import mistune

    return mistune.create_markdown(escape=True)(text)


def trainer_notes_html(question: Question, notes=None) -> str:
    """Render the trainer-only notes on a question: a guide's debrief (a `course.guides.Debrief`) and the
    bank's discussion note. Shown only in instructor mode, behind the Trainer notes control; never to the room."""
    parts = []
    if notes is not None:
        asks = "".join(f"<li>{_markdown(q)}</li>" for q in notes.ask)
        parts += [f"<div><b>Keyed answer</b></div>{_markdown(notes.key_note)}",
                  f"<div><b>Why learners miss it</b></div>{_markdown(notes.why_missed)}",
                  f"<div><b>After the reveal, ask</b></div><ol>{asks}</ol>"]
    if question.discussion:
        parts.append(f"<div><b>Discussion note</b></div>{_markdown(question.discussion)}")
    if not parts:
        parts.append('<p class="lm-muted">No notes for this question.</p>')
    return (f'<div class="lm-trainer" role="region" aria-label="Trainer notes">'
            f'<div class="lm-kicker">Trainer notes: for you, not for the room</div>{"".join(parts)}</div>')


# -- widgets a quiz shares --------------------------------------------------------------------
class SharedParts:
    """The layouts and styles that no code changes, made once per quiz and shared by its controls.

    Each ipywidgets control otherwise brings a Layout and a Style widget of its own, each a model the page
    must create; sharing the unchanging ones leaves a lesson's quiz with about half as many widgets. A
    control whose layout changes (shown or hidden later) gets its own. Closing the quiz closes these too.
    """

    def __init__(self):
        self.layout = W.Layout()
        self.full_width = W.Layout(width="100%")
        self._styles: dict = {}

    def make(self, cls, layout: W.Layout | None = None, style: dict | None = None, **kwargs):
        """Build a `cls` control with the shared `layout` (default: the plain one) and the shared style for
        its kind and `style` traits."""
        traits = cls.class_traits()
        if "layout" in traits:
            kwargs["layout"] = layout or self.layout
        if "style" in traits:
            key = (traits["style"].klass, tuple(sorted((style or {}).items())))
            if key not in self._styles:
                self._styles[key] = key[0](**(style or {}))
            kwargs["style"] = self._styles[key]
        return cls(**kwargs)


# -- one input per question kind ---------------------------------------------------------------
class ChoiceInput:
    """Radio buttons for one option (single choice, true/false, scenario), shown in `order`."""

    def __init__(self, question: Question, order: tuple[int, ...], parts: SharedParts | None = None):
        parts = parts or SharedParts()
        self.question = question
        self.widget = parts.make(W.RadioButtons, options=[(question.choices[i].text, i) for i in order], value=None,
                                 layout=parts.full_width)

    def read(self) -> Any:
        return self.widget.value

    def write(self, answer: Any) -> None:
        self.widget.value = answer

    def on_change(self, callback: Callable) -> None:
        self.widget.observe(callback, names="value")


class ChecksInput:
    """A checkbox per option (multiple select), shown in `order`; answers list bank indices."""

    def __init__(self, question: Question, order: tuple[int, ...], parts: SharedParts | None = None):
        parts = parts or SharedParts()
        self.order = order
        self.boxes = [parts.make(W.Checkbox, value=False, description=question.choices[i].text, indent=False,
                                 layout=parts.full_width) for i in order]
        self.widget = parts.make(W.VBox, children=self.boxes)

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

    def __init__(self, question: Question, order: tuple[int, ...], parts: SharedParts | None = None):
        parts = parts or SharedParts()
        self.order = order
        self.dropdowns = []
        for shown, i in enumerate(order, start=1):
            # The statement is the dropdown's own label (plain text, never HTML).
            dd = parts.make(W.Dropdown, options=[("Choose…", "")] + [(LABEL_NAMES[k], k) for k in LABEL_NAMES],
                            value="", description=f"{shown}. {question.statements[i].text}",
                            description_allow_html=False,
                            style={"description_width": "calc(100% - 190px)"}, layout=parts.full_width)
            dd.add_class("lm-classify")
            self.dropdowns.append(dd)
        self.widget = parts.make(W.VBox, children=self.dropdowns)

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
                 learner_id: str | None = None, restore: bool = True, notes=None, trainer_notes: bool | None = None,
                 parts: SharedParts | None = None, **kwargs):
        """Build one question.

        With `show_key` (instructor mode) it gets Reveal, and a Trainer notes control holding `notes` (a
        `course.guides.Debrief`, or None) and the bank's discussion note. `trainer_notes` forces that control
        on (a guide's debrief shows it even with no notes) or off; None shows it when there is a note.
        `parts` holds the layouts and styles shared with the rest of the quiz.
        """
        parts = parts or SharedParts()
        self.lesson, self.question, self.store = lesson, question, store
        self.notes = notes
        self.kind = kind_of(question)
        self.show_key = show_key
        self.order = display_order(lesson, question, SHARED if show_key or learner_id is None else learner_id)
        header = f'<div class="lm-kicker">Question {number} of {total} · {self.kind.title}</div>'
        if question.situation:
            header += f'<div class="lm-situation">{escape(question.situation)}</div>'
        header += f'<div class="lm-prompt">{escape(question.prompt)}</div>'
        self._header = parts.make(W.HTML, value=header)
        self.input = INPUTS[question.type](question, self.order, parts)
        self.check_button = parts.make(W.Button, description="Check answer", icon="check", button_style="primary",
                                     tooltip="Check your answer and see why", disabled=True)
        self.retry_button = parts.make(W.Button, layout=W.Layout(), description="Try again", icon="redo",
                                       tooltip="Clear your answer and try again")
        self.retry_button.layout.display = "none"
        self.explain_button = parts.make(
            W.ToggleButton,
            value=False, icon="question-circle",
            description="Show the key's labels" if question.type == "classify" else "Why not the others?",
            tooltip="Read the explanation of every option; records nothing and changes no score",
            layout=W.Layout(width="auto"))
        self.explain_button.layout.display = "none"
        self.feedback = parts.make(W.HTML, value="")
        self.explanation = parts.make(W.HTML, value="")
        buttons = [self.check_button, self.retry_button, self.explain_button]
        extra = []
        if show_key:  # only instructor mode builds the key and its Reveal control
            self.key = W.HTML("")
            self.reveal = W.ToggleButton(value=False, description="Reveal answer", icon="eye",
                                         tooltip="Show the room the answer key and why each option is right or wrong")
            self.reveal.observe(self._on_reveal, names="value")
            buttons.append(self.reveal)
            extra.append(self.key)
            if trainer_notes or (trainer_notes is None and (notes is not None or question.discussion)):
                # A control of its own, away from Reveal: these notes are for the trainer, not the room.
                self.trainer_notes = W.ToggleButton(
                    value=False, description="Trainer notes", icon="chevron-right",
                    layout=W.Layout(width="auto", align_self="flex-start"),
                    tooltip="Open your notes on this question (not for the room): they show only while open")
                self.trainer_notes.add_class("lm-trainer-toggle")
                self.trainer_text = W.HTML("")
                self.trainer_notes.observe(self._on_trainer_notes, names="value")
                extra.append(W.VBox([self.trainer_notes, self.trainer_text]))
        self._syncing = False
        self.input.on_change(self._on_input)
        self.check_button.on_click(self._on_check)
        self.retry_button.on_click(self._on_retry)
        self.explain_button.observe(self._on_explain, names="value")
        super().__init__(children=[self._header, self.input.widget, parts.make(W.HBox, children=buttons), self.feedback,
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
        self.key.value = key_html(self.question, self.order) if change["new"] else ""
        self.reveal.description = "Hide answer" if change["new"] else "Reveal answer"

    def _on_trainer_notes(self, change) -> None:
        # Filled only while open, so a closed control sends nothing the room could read.
        self.trainer_text.value = trainer_notes_html(self.question, self.notes) if change["new"] else ""
        self.trainer_notes.icon = "chevron-down" if change["new"] else "chevron-right"

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
                 intro: str = "", restore: bool = True, notes: dict | None = None, **kwargs):
        """Build the quiz.

        For a learner on a hub whose admin set up the live service (`LEAD_MANAGE_LIVE_URL` and the server's
        `JUPYTERHUB_API_TOKEN` in the environment), the quiz starts with the lesson's "Share my answers with the
        class session" bar (`share_bar`, a `widgets.live_views.ShareBar`; None elsewhere and in instructor mode).

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
        notes:
            Instructor mode in a guide: question id -> its debrief notes (`course.guides.Debrief` or None).
            Each named question gets the Trainer notes control, even with no notes to hold.
        """
        self.lesson = lesson
        self.title = title or lesson.title
        items = [q if isinstance(q, tuple) else (lesson, q) for q in questions]
        learner_id = None if show_key else _learner_id(store)
        notes = notes or {}
        parts = SharedParts()
        self.views = [QuestionView(owner, q, i, len(items), store, show_key=show_key, learner_id=learner_id,
                                   restore=restore, notes=notes.get(q.id), trainer_notes=(q.id in notes) or None,
                                   parts=parts)
                      for i, (owner, q) in enumerate(items, start=1)]
        self.score_line = W.HTML("")
        banner = ('<div class="lm-key" role="note">Instructor mode: <b>Reveal answer</b> shows the room the key and '
                  "why each option is right or wrong. <b>Trainer notes</b> are for you alone. Answers checked here "
                  "are not saved.</div>") if show_key else ""
        top = W.HTML(CSS + (INSTRUCTOR_CSS if show_key else "") + notice_html(store) + banner + intro)
        self.share_bar = None
        if not show_key:  # a learner on a hub with the live service; looked up first, so other lessons import nothing
            import os

            from course.live import URL_ENV

            if os.environ.get(URL_ENV) and os.environ.get("JUPYTERHUB_API_TOKEN"):
                from widgets.live_views import lesson_share_bar

                self.share_bar = lesson_share_bar(lesson.id, store)
        for view in self.views:
            view.observe(self._on_view_change, names=["checked", "correct"])
        bar = [self.share_bar] if self.share_bar is not None else []
        super().__init__(children=[top, *bar, *self.views, self.score_line], **kwargs)
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
