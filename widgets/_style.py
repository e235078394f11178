"""Shared look and life of the course widgets: one theme-aware style block, the plain copy, closing a view whole."""
from __future__ import annotations

import sys
from html import escape

from ipywidgets import HTML, Widget

CSS = """
<style>
.lm-card { border: 1px solid var(--jp-border-color2, #ccc); border-radius: 8px; padding: 10px 14px;
  margin: 6px 0 12px 0; background: var(--jp-layout-color1, #fff); max-width: 860px; }
.lm-card .widget-html-content, .lm-card .widget-label { white-space: normal; line-height: 1.45;
  font-size: var(--jp-content-font-size1, 14px); color: var(--jp-content-font-color1, #222); }
.lm-card .widget-radio-box label, .lm-card .widget-checkbox label, .lm-card .widget-checkbox .widget-label-basic
  { white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.4; margin: 2px 0; }
.lm-card .widget-radio-box { width: 100%; }
.lm-card .widget-radio-box label { display: flex; gap: 6px; align-items: flex-start; }
.lm-card .widget-radio-box input { margin: 3px 2px 0 0; flex: none; order: -1; }
.lm-card .widget-checkbox { width: 100% !important; height: auto !important; }
.lm-card .widget-checkbox .widget-label-basic { display: flex; gap: 6px; align-items: flex-start; }
.lm-card .widget-checkbox .widget-label-basic span { white-space: normal; }
.lm-card .widget-checkbox input { margin: 3px 2px 0 0; flex: none; order: -1; }
.lm-card textarea { font-size: var(--jp-content-font-size1, 14px); line-height: 1.45; }
.lm-kicker { font-size: 0.85em; text-transform: uppercase; letter-spacing: .04em;
  color: var(--jp-content-font-color2, #555); }
.lm-prompt { font-weight: 600; margin: 2px 0 4px 0; }
.lm-situation { border-left: 4px solid var(--jp-brand-color1, #1976d2); padding: 6px 10px; margin: 4px 0 8px 0;
  background: var(--jp-layout-color2, #f3f3f3); }
.lm-feedback { margin: 6px 0 2px 0; }
.lm-feedback ul { margin: 4px 0 0 0; padding-left: 0; list-style: none; }
.lm-feedback li { margin: 4px 0; padding: 6px 8px; border-radius: 6px; background: var(--jp-layout-color2, #f3f3f3); }
.lm-ok { border-left: 4px solid var(--jp-success-color1, #2e7d32); }
.lm-no { border-left: 4px solid var(--jp-error-color1, #c62828); }
.lm-verdict { font-weight: 700; }
.lm-muted { color: var(--jp-content-font-color2, #555); font-size: 0.92em; }
.lm-warning { border: 1px solid var(--jp-warn-color1, #ef6c00); border-radius: 6px; padding: 6px 10px;
  margin: 4px 0; background: var(--jp-layout-color2, #fff8e1); }
.lm-error { border: 1px solid var(--jp-error-color1, #c62828); border-radius: 6px; padding: 8px 12px;
  background: var(--jp-layout-color2, #fdecea); white-space: pre-wrap; font-family: var(--jp-code-font-family, monospace);
  font-size: 0.9em; }
.lm-statement { padding: 4px 0; }
.lm-card .lm-classify { height: auto !important; align-items: flex-start; margin: 5px 0; }
.lm-card .lm-classify > label { white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.4; text-align: left !important; padding: 3px 12px 0 0;
  color: var(--jp-content-font-color1, #222); font-size: var(--jp-content-font-size1, 14px); }
.lm-card .lm-classify > select { flex: 0 0 150px; width: 150px; }
.lm-question + .lm-question { border-top: 1px solid var(--jp-border-color2, #ddd); padding-top: 10px; margin-top: 8px; }
.lm-table { border-collapse: collapse; margin: 6px 0; }
.lm-table th, .lm-table td { border-bottom: 1px solid var(--jp-border-color2, #ddd); padding: 4px 10px 4px 0;
  text-align: left; vertical-align: top; }
.lm-keylabel { display: inline-block; margin-top: 3px; }
.lm-key { border: 1px dashed var(--jp-brand-color1, #1976d2); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.lm-download-row { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 12px; margin: 8px 0; }
.lm-card a.lm-button, .lm-card .jupyter-button.lm-button { display: inline-flex; align-items: center; gap: 6px;
  box-sizing: border-box; min-height: 34px; height: auto; padding: 4px 14px; border-radius: 4px; font-weight: 600;
  font-size: var(--jp-ui-font-size1, 13px); line-height: 1.3; text-decoration: none; cursor: pointer; flex: none; }
.lm-card a.lm-button-primary, .lm-card .jupyter-button.lm-button-primary { background: #1565c0; color: #fff;
  border: 1px solid #1565c0; }
.lm-card a.lm-button-primary:hover, .lm-card .jupyter-button.lm-button-primary:hover { background: #0d47a1; }
.lm-card .jupyter-button.lm-button-secondary { background: var(--jp-layout-color1, #fff);
  color: var(--jp-content-font-color1, #222); border: 1px solid var(--jp-content-font-color2, #555); }
.lm-card .jupyter-button.lm-button-secondary:hover { background: var(--jp-layout-color2, #eee); }
.lm-card a.lm-button:focus-visible, .lm-card .jupyter-button.lm-button:focus-visible
  { outline: 2px solid var(--jp-brand-color1, #1976d2); outline-offset: 2px; }
.lm-card a.lm-download-link { font-weight: 600; }
.lm-card .lm-rating { flex-wrap: wrap; align-items: center; gap: 2px 10px; padding: 6px 0; }
.lm-card .lm-rating + .lm-rating { border-top: 1px solid var(--jp-border-color2, #ddd); }
.lm-card .lm-rating > .widget-html:first-child { flex: 0 0 1.8em; }
.lm-card .lm-rating > .widget-html:nth-child(2) { flex: 1 1 320px; margin: 0; }
.lm-item-number { font-weight: 600; color: var(--jp-content-font-color2, #555); }
.lm-card .lm-scale { flex: none; align-items: center; gap: 8px; }
.lm-card .lm-scale > .widget-html { margin: 0; }
.lm-card .lm-scale-end { font-size: 0.85em; color: var(--jp-content-font-color2, #555); }
.lm-card .lm-scale .widget-radio { width: auto; margin: 0; }
.lm-card .lm-scale .widget-radio-box { flex-direction: row; gap: 4px; width: auto; }
.lm-card .lm-scale .widget-radio-box label { position: relative; display: flex; justify-content: center; align-items: center;
  box-sizing: border-box; width: 2.9em; height: 2.2em !important; margin: 0; padding: 0; line-height: 1;
  border: 1px solid var(--jp-content-font-color2, #555); border-radius: 4px; background: var(--jp-layout-color1, #fff);
  color: var(--jp-content-font-color1, #222); cursor: pointer; }
.lm-card .lm-scale .widget-radio-box label:hover { background: var(--jp-layout-color2, #eee); }
.lm-card .lm-scale .widget-radio-box input { position: absolute; inset: 0; width: 100%; height: 100%; margin: 0;
  opacity: 0; cursor: pointer; }
.lm-card .lm-scale .widget-radio-box label:has(input:checked) { background: #1565c0; border: 2px solid #0d47a1;
  color: #fff; font-weight: 700; box-shadow: 0 0 0 2px var(--jp-layout-color1, #fff), 0 0 0 4px #1565c0; }
.lm-card .lm-scale .widget-radio-box label:has(input:checked)::before { content: "✓"; margin-right: 3px; }
.lm-card .lm-scale .widget-radio-box label:has(input:focus-visible) { outline: 2px solid var(--jp-brand-color1, #1976d2);
  outline-offset: 3px; }
</style>
"""


def card_html(*parts: str) -> str:
    """Join already-escaped HTML fragments after the course style block."""
    return CSS + "".join(parts)


def notice_html(store) -> str:
    """Return the store's warning and notice as HTML boxes (empty when all is well)."""
    out = ""
    for message in (getattr(store, "notice", None), getattr(store, "warning", None)):
        if message:
            out += f'<div class="lm-warning" role="alert">⚠ {escape(message)}</div>'
    return out


def error_html(title: str, message: str) -> str:
    """Return a readable error box for a notebook cell (no traceback)."""
    return card_html(f'<div class="lm-warning" role="alert"><b>{escape(title)}</b></div>'
                     f'<div class="lm-error">{escape(message)}</div>')


RUN_SENTENCE = "This is a readable copy. Run this cell (or Run › Run All Cells) to use it; your answers are saved."
FIX_SENTENCE = ("If this copy is still here after you run the cell, the Jupyter widgets extension is missing: "
                "open the course with ./start.sh, or ask whoever runs your JupyterHub to install ipywidgets 8 "
                "with jupyterlab_widgets beside JupyterLab, then reload the page.")


def close_whole(widget) -> None:
    """Close a widget and every widget it holds (children, layout, style), each once.

    A course view first stops what it started (`CourseView._retire`): its pending text is stored
    before anything inside it is closed.
    """
    if widget.comm is None:  # closed already, with what it holds
        return
    if isinstance(widget, CourseView):
        widget._retire()
    held = []
    for name in widget.keys:
        value = getattr(widget, name, None)
        held += [part for part in (value if isinstance(value, (list, tuple)) else (value,))
                 if isinstance(part, Widget) and part is not widget]
    Widget.close(widget)  # this widget alone: what it holds is closed below, a course view by its own rules
    for part in held:
        close_whole(part)


class CourseView:
    """Mixin: a view that stops listening and closes with every widget inside it.

    A notebook cell that is run again replaces its views; closing the old one must leave nothing
    that still reacts to the store or keeps widgets alive in the kernel.
    """

    def listen(self, store, callback) -> None:
        """Call `callback()` after every store write until this view is closed."""
        if not hasattr(self, "_stops"):
            self._stops = []
        self._stops.append(store.on_change(callback))

    def close(self) -> None:
        """Store what waits, stop listening and timers, then close this view and every widget inside it."""
        if sys.is_finalizing():  # Widget.__del__ as Python exits: the exit flush has stored the text already
            super().close()
            return
        close_whole(self)

    def _retire(self) -> None:
        # Views with more to stop (timers, text waiting to be stored) do that first, then call this.
        for stop in getattr(self, "_stops", ()):
            stop()
        self._stops = []


class Fallback(CourseView):
    """Mixin: add a readable HTML copy to a widget's display data, and close the view whole.

    JupyterLab shows the copy when it has no widget manager. A saved lesson keeps only the copy
    (`course.jupyter_hooks` removes the widget entry as the notebook is saved or converted to HTML),
    so a lesson reopened after its kernel stopped shows it too, instead of "Error displaying widget".
    The copy says to run the cell to use the view again; its outer element starts with
    `course.jupyter_hooks.FALLBACK_START`, which is how those hooks know a course view.
    """

    interactive = True  # False: a message that reads the same as a copy, so the copy says nothing about running it

    def fallback_html(self) -> str:
        """Return the body of the plain copy (escaped HTML)."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        from course.jupyter_hooks import FALLBACK_START

        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            # What to do comes first, so a reader knows why the view looks plain before reading it.
            preface = (f'<p style="margin:0 0 2px 0"><b>{escape(RUN_SENTENCE)}</b></p>'
                       f'<p style="margin:0 0 8px 0;font-size:0.9em">{escape(FIX_SENTENCE)}</p>') if self.interactive else ""
            bundle["text/html"] = (f'{FALLBACK_START} style="border:1px solid #999;border-radius:6px;padding:8px 12px">'
                                   f"{preface}{self.fallback_html()}</div>")
        return bundle


class Note(Fallback, HTML):
    """A course message (escaped HTML) as a widget whose readable copy is the message itself.

    Every helper's output carries a readable copy, so a saved and reopened lesson never shows a widget error.
    """

    interactive = False

    def fallback_html(self) -> str:
        return self.value


def note(html: str) -> Note:
    """Return a course message (escaped HTML) as a `Note`."""
    return Note(html)
