"""The projector view: one question at a time for a room to vote on by letter, then Reveal.

Large type sized to the window (options 24 px at 1280 x 720, the question larger), options lettered
A, B, C... in the shared order instructor mode uses, Previous, Next and Reveal, and a Present control
that makes the view fill the browser window. No Check button, no score, nothing saved. It reads only
the bank's questions, options and per-option feedback: the discussion note and the guides' debrief
notes are never read here, so they cannot reach the page.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets as W
from traitlets import Bool, Int, TraitError, observe, validate

from course.bank import Lesson, Question
from course.kinds import kind_of
from course.order import display_order, letter
from widgets._style import Fallback


# Sizes follow the window, as slides do: the option text is 3.4% of the window's height (24.5 px at
# 720 px) unless the window is narrow for its height. Browser zoom shrinks the window in CSS pixels,
# so at 150% the view keeps its layout and still fits; a projector at 1080p gets larger type.
PROJECTOR_CSS = """<style>
.lm-projector { --lm-p: clamp(12px, min(3.4vh, 1.95vw), 46px); --lm-ink: var(--jp-content-font-color0, #111);
  --lm-ink2: var(--jp-content-font-color1, #222); --lm-soft: var(--jp-layout-color2, #eef1f5);
  --lm-edge: var(--jp-border-color1, #9aa3ad); --lm-accent: #1565c0; --lm-good: #1b5e20; --lm-good-ink: #fff;
  font-size: var(--lm-p); color: var(--lm-ink); background: var(--jp-layout-color0, #fff);
  box-sizing: border-box; width: 100%; max-width: none; padding: 0.35em 0.8em 0.35em 0.8em; margin: 2px 0;
  border: 1px solid var(--lm-edge); border-radius: 12px; gap: 0.2em; }
body[data-jp-theme-light="false"] .lm-projector { --lm-good: #81c784; --lm-good-ink: #0a1f0b; }
.lm-projector .widget-html, .lm-projector .widget-html-content { width: 100%; margin: 0; }
.lm-projector .widget-html-content { font-size: var(--lm-p); line-height: 1.3; white-space: normal;
  color: var(--lm-ink); }
.lm-projector.lm-present { position: fixed; inset: 0; z-index: 10000; margin: 0; border: none; border-radius: 0;
  width: 100vw; height: 100vh; padding: 2vh 3.5vw 1.6vh 3.5vw; overflow: hidden; }
/* The question scrolls (only a long explanation after Reveal needs to); the buttons always stay in view. */
.lm-projector.lm-present > .lm-proj-stagebox { flex: 1 1 auto; min-height: 0; overflow-y: auto; }
.lm-projector.lm-present > .lm-proj-controls { flex: none; }
/* Present: JupyterLab's panels and cells contain their layout (CSS contain, content-visibility) and stack below
   its menu and status bar, which would keep a fixed element inside the notebook; while a view presents, the
   panels around it drop their containment and rise, so it covers the whole window. */
.lm-Widget:has(.lm-projector.lm-present) { contain: none !important; content-visibility: visible !important;
  z-index: 10000 !important; }
.lm-proj-top { display: flex; justify-content: space-between; gap: 1em; font-size: 0.7em; font-weight: 600;
  letter-spacing: .03em; color: var(--lm-ink2); }
.lm-proj-count { white-space: nowrap; }
.lm-proj-lesson { text-align: right; font-weight: 400; }
.lm-proj-situation { font-size: 0.88em; margin: 0.35em 0 0 0; padding: 0.2em 0.6em; border-left: 0.25em solid var(--lm-accent);
  background: var(--lm-soft); border-radius: 0 6px 6px 0; }
.lm-proj-stem { font-size: 1.2em; font-weight: 700; line-height: 1.18; margin: 0.15em 0 0.3em 0; }
.lm-proj-options { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.24em; }
.lm-projector.lm-present .lm-proj-options.lm-proj-many { display: grid; grid-template-columns: 1fr 1fr;
  gap: 0.3em 0.6em; align-content: start; }
.lm-proj-option { display: flex; align-items: flex-start; gap: 0.5em; padding: 0.1em 0.5em 0.1em 0.25em;
  border: 2px solid var(--lm-edge); border-radius: 10px; background: var(--jp-layout-color1, #fff); }
.lm-proj-letter { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 1.36em; height: 1.36em;
  margin-top: 0; border-radius: 50%; background: var(--lm-accent); color: #fff; font-weight: 800;
  font-size: 0.95em; }
.lm-proj-body { flex: 1 1 auto; min-width: 0; padding-top: 0.03em; }
.lm-proj-mark { float: right; margin: 0.05em 0 0.1em 0.5em; padding: 0 0.4em; border-radius: 6px; font-size: 0.8em;
  font-weight: 800; background: var(--lm-good); color: var(--lm-good-ink); white-space: nowrap; }
.lm-proj-keyed { border: 0.16em solid var(--lm-good); }
.lm-proj-keyed .lm-proj-letter { background: var(--lm-good); color: var(--lm-good-ink); }
.lm-proj-why { font-size: 0.7em; line-height: 1.3; color: var(--lm-ink2); margin-top: 0.12em; }
.lm-projector .lm-proj-controls { display: flex; flex-wrap: wrap; gap: 0.4em; align-items: center; margin-top: 0.1em; }
.lm-projector .lm-proj-controls .jupyter-button { font-size: 0.72em; height: auto; min-height: 1.9em;
  padding: 0.2em 0.9em; width: auto; border-radius: 6px; font-weight: 600; }
.lm-projector .lm-proj-controls .jupyter-button:focus-visible { outline: 3px solid var(--lm-accent); outline-offset: 2px; }
.lm-projector .lm-proj-controls .lm-proj-present { margin-left: auto; }
</style>"""

_TEMPLATE = """\
<div class="lm-proj-stage" role="region" aria-label="{{ position }}" aria-live="polite">
<div class="lm-proj-top"><span class="lm-proj-count">{{ position }} · {{ how }}</span>\
<span class="lm-proj-lesson">{{ lesson }}</span></div>
{% if situation %}<div class="lm-proj-situation">{{ situation }}</div>{% endif %}
<div class="lm-proj-stem">{{ prompt }}</div>
<ul class="lm-proj-options{% if items|length > 4 %} lm-proj-many{% endif %}" aria-label="Options">
{% for item in items %}<li class="lm-proj-option{% if revealed and item.keyed %} lm-proj-keyed{% endif %}">\
<span class="lm-proj-letter">{{ item.letter }}</span><div class="lm-proj-body">\
{% if revealed and item.mark %}<span class="lm-proj-mark">{{ item.mark }}</span>{% endif %}{{ item.text }}\
{% if revealed %}<div class="lm-proj-why">{{ item.why }}</div>{% endif %}</div></li>
{% endfor %}</ul>
</div>"""


@functools.lru_cache(maxsize=1)
def _template():
    import jinja2

    return jinja2.Environment(autoescape=True).from_string(_TEMPLATE)


@dataclass(frozen=True)
class Shown:
    """One option (or statement) as the room sees it: its letter, text, and what Reveal adds."""

    letter: str
    index: int  # its place in the bank, as answers and counts name it
    text: str
    keyed: bool
    mark: str
    why: str


def shown_options(lesson: Lesson, question: Question) -> list[Shown]:
    """Return a question's options (or statements) lettered in the shared room order, with their key and feedback:
    the order and key of the course page and the paper kit (`course.static_site.shown_question`)."""
    from course.static_site import shown_question

    options = shown_question(lesson, question).options
    marks = [f"✔ Key: {o.label}" if o.label else ("✔ Key" if o.keyed else "") for o in options]
    return [Shown(letter(position), index, o.text, o.keyed, mark, o.feedback)
            for position, (index, o, mark) in enumerate(zip(display_order(lesson, question), options, marks))]


def stage_html(lesson: Lesson, question: Question, number: int, total: int, revealed: bool) -> str:
    """Render one question for the room (escaped HTML); the key and explanations only when `revealed`."""
    return _template().render(position=f"Question {number} of {total}", how="For each letter: Leading, Managing or Both?" if question.type == "classify"
                              else kind_of(question).title,
                              lesson=lesson.title, situation=question.situation, prompt=question.prompt,
                              classify=question.type == "classify", items=shown_options(lesson, question),
                              revealed=revealed)


class Projector(Fallback, W.VBox):
    """A lesson's questions for a room, one at a time: lettered options, Previous, Next, Reveal, Present.

    `index` is the question shown (0 is the first); setting it outside the list raises `TraitError`.
    Moving to another question hides the key again. Nothing is saved.
    """

    index = Int(0, help="Which question is shown, counted from 0.")
    revealed = Bool(False, help="Whether the key and each option's explanation are shown.")
    presenting = Bool(False, help="Whether the view fills the browser window.")
    interactive = False  # the copy says what to do itself: the shared preface promises saved answers


    def __init__(self, lesson: Lesson, questions: list[Question], **kwargs):
        """Build the view.

        Parameters
        ----------
        lesson:
            The lesson the questions come from.
        questions:
            One or more of its questions, in the order to show them. Raises ValueError when empty.
        """
        if not questions:
            raise ValueError("a projector view needs at least one question")
        self.lesson, self.questions = lesson, list(questions)
        self.stage = W.HTML("")
        self.stage.add_class("lm-proj-stagebox")
        self.previous_button = W.Button(description="Previous", icon="arrow-left", tooltip="Show the previous question")
        self.next_button = W.Button(description="Next", icon="arrow-right", tooltip="Show the next question")
        self.reveal_button = W.ToggleButton(value=False, description="Reveal answer", icon="eye", button_style="primary",
                                            tooltip="Show the room the key and why each option is right or wrong")
        self.present_button = W.ToggleButton(value=False, description="Present", icon="expand",
                                             tooltip="Fill the browser window with this question")
        self.present_button.add_class("lm-proj-present")
        self.previous_button.on_click(self._on_previous)
        self.next_button.on_click(self._on_next)
        self._links = [W.link((self.reveal_button, "value"), (self, "revealed")),
                       W.link((self.present_button, "value"), (self, "presenting"))]
        controls = W.HBox([self.previous_button, self.next_button, self.reveal_button, self.present_button])
        controls.add_class("lm-proj-controls")
        super().__init__(children=[W.HTML(PROJECTOR_CSS), self.stage, controls], **kwargs)
        self.add_class("lm-projector")
        self._render()

    @validate("index")
    def _validate_index(self, proposal):
        value = proposal["value"]
        if not 0 <= value < len(self.questions):
            raise TraitError(f"there is no question {value} here (0 to {len(self.questions) - 1})")
        return value

    @observe("index")
    def _on_index(self, change) -> None:
        self.revealed = False  # a new question starts with its key hidden; this also renders it
        self._render()

    @observe("revealed")
    def _on_revealed(self, change) -> None:
        self._render()

    @observe("presenting")
    def _on_presenting(self, change) -> None:
        if change["new"]:
            self.add_class("lm-present")
        else:
            self.remove_class("lm-present")
        self.present_button.description = "Close presentation" if change["new"] else "Present"
        self.present_button.icon = "compress" if change["new"] else "expand"

    def _on_previous(self, _button=None) -> None:
        if self.index > 0:
            self.index -= 1

    def _on_next(self, _button=None) -> None:
        if self.index < len(self.questions) - 1:
            self.index += 1

    def _render(self) -> None:
        total = len(self.questions)
        self.stage.value = stage_html(self.lesson, self.questions[self.index], self.index + 1, total, self.revealed)
        self.previous_button.disabled = self.index == 0
        self.next_button.disabled = self.index == total - 1
        self.reveal_button.description = "Hide answer" if self.revealed else "Reveal answer"
        self.reveal_button.icon = "eye-slash" if self.revealed else "eye"

    def _retire(self) -> None:
        for link in self._links:
            link.unlink()
        self._links = []
        super()._retire()

    def fallback_html(self) -> str:
        # The saved copy is shown to whoever reopens the notebook, maybe a room: questions and options, no key.
        from html import escape

        parts = ["<p><b>This is a readable copy, without the key. Run this cell (or Run › Run All Cells) to "
                 "project the questions one at a time.</b></p>",
                 f"<p><b>Projector: {escape(self.lesson.title)}</b></p><ol>"]
        for q in self.questions:
            situation = f"<p>{escape(q.situation)}</p>" if q.situation else ""
            options = "".join(f"<li>{escape(s.letter)}. {escape(s.text)}</li>" for s in shown_options(self.lesson, q))
            parts.append(f'<li>{situation}<p>{escape(q.prompt)}</p><ul style="list-style:none">{options}</ul></li>')
        return "".join(parts) + "</ol>"
