"""The reflection view: a prompt, a text area saved as the learner types, and a 'saved at' line."""
from __future__ import annotations

import atexit
import os
import signal
import threading
import time
import weakref
from datetime import datetime
from html import escape

import ipywidgets as W
from traitlets import Bool, Float, Unicode, validate

from course.bank import Lesson, Reflection as ReflectionPrompt
from widgets._style import CSS, Fallback, notice_html

_LIVE: "weakref.WeakSet[ReflectionBox]" = weakref.WeakSet()  # open boxes, flushed at exit
_UNSAVED: "set[ReflectionBox]" = set()  # closed boxes whose text could not be stored: kept until it is


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%H:%M:%S on %d %b")
    except ValueError:
        return iso


class ReflectionBox(Fallback, W.VBox):
    """A reflection prompt whose text is saved while typing (debounced), whenever it is flushed and when it is closed."""

    text = Unicode("", help="The learner's text as last received from the page.")
    saved_text = Unicode("", help="The text as last stored.")
    saved_at = Unicode("", help="When the text was last stored (ISO 8601, UTC).")
    pending = Bool(False, help="Whether typed text is waiting to be stored.")
    debounce = Float(1.0, help="Seconds of quiet typing before the text is stored.")
    max_wait = Float(2.0, help="Seconds of steady typing after which the text is stored anyway.")

    def __init__(self, lesson: Lesson, prompt: ReflectionPrompt, store, debounce: float = 1.0,
                 kicker: str = "Reflection", **kwargs):
        self.lesson, self.prompt, self.store = lesson, prompt, store
        self._lock = threading.Lock()
        self._timer = None
        self._pending_since: float | None = None
        self._clock = time.monotonic
        self._showing_delay = False
        _flush_on_signals()
        hint = f'<div class="lm-muted">{escape(prompt.hint)}</div>' if prompt.hint else ""
        self._header = W.HTML(CSS + notice_html(store) +
                              (f'<div class="lm-kicker">{escape(kicker)}</div>' if kicker else "") + f'<div class="lm-prompt">{escape(prompt.prompt)}</div>{hint}')
        self.area = W.Textarea(value="", placeholder="Write here. Your words are saved as you type.",
                               description="Your reflection", continuous_update=True, rows=6,
                               style={"description_width": "initial"},
                               layout=W.Layout(width="100%", flex_flow="column"))
        self.status_line = W.HTML("", layout=W.Layout(min_height="1.6em"))
        extra = []
        if prompt.example:  # a model answer, offered once the learner has written something of their own
            self.example_button = W.ToggleButton(value=False, description="One way to answer", icon="lightbulb-o",
                                                 tooltip="Compare your answer with one written by another learner",
                                                 disabled=True, layout=W.Layout(width="auto"))
            self.example = W.HTML("")
            self.example_button.observe(self._on_example, names="value")
            extra = [self.example_button, self.example]
        super().__init__(children=[self._header, self.area, self.status_line, *extra], **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-reflection")
        self.debounce = debounce
        try:
            saved = store.reflection(lesson.id, prompt.id)
        except Exception:
            saved = None
        if saved is not None:
            self.saved_text, self.saved_at = saved.text, saved.at
            self.area.value = saved.text
            self.text = saved.text
        self._render_status()
        self.area.observe(self._on_typing, names="value")
        self.observe(self._on_text, names="text")
        self._on_text()
        self._adopt_unsaved()
        self.listen(store, self._on_store_write)
        _LIVE.add(self)

    def _on_store_write(self) -> None:
        # Delayed rows reached the file (another program let go of it): replace "delayed" with "Saved".
        if self._showing_delay and not self.store.status_message():
            self._render_status()

    def _adopt_unsaved(self) -> None:
        # A box closed by a re-run whose last save failed still holds the words: carry them on here.
        for earlier in list(_UNSAVED):
            if earlier.store is self.store and (earlier.lesson.id, earlier.prompt.id) == (self.lesson.id, self.prompt.id):
                _UNSAVED.discard(earlier)
                self.area.value = earlier.text

    def _on_text(self, change=None) -> None:
        if self.prompt.example:
            self.example_button.disabled = not self.text.strip()
            if self.example_button.disabled:
                self.example_button.value = False

    def _on_example(self, change) -> None:
        self.example.value = (f'<div class="lm-feedback lm-example"><div class="lm-verdict">One way to answer</div>'
                              f'<div class="lm-muted">Not the answer: one learner\'s, to compare with yours.</div>'
                              f'<blockquote>{escape(self.prompt.example)}</blockquote></div>') if change["new"] else ""

    def fallback_html(self) -> str:
        # Never the learner's words: they live in the progress file, not in the notebook, and may have changed since.
        return (f"<p><b>Reflection:</b> {escape(self.prompt.prompt)}</p>"
                "<p>What you write here is kept in your progress file. Run this cell to see it and carry on.</p>")

    @validate("debounce")
    def _validate_debounce(self, proposal):
        if proposal["value"] < 0:
            from traitlets import TraitError

            raise TraitError("debounce must be zero or more seconds")
        return proposal["value"]

    def _on_typing(self, change) -> None:
        self.text = change["new"]
        if self.text == self.saved_text:  # typed back to what is stored: nothing waits to be saved
            if self.pending:
                self.pending = False
                self._render_status()
            return
        self.pending = True
        self._render_status()
        now = self._clock()
        if self._pending_since is None:
            self._pending_since = now
        waited = now - self._pending_since
        if self.debounce <= 0 or waited >= self.max_wait:  # steady typing still saves every max_wait seconds
            self.flush()
            return
        self._schedule(min(self.debounce, self.max_wait - waited))

    def _schedule(self, delay: float | None = None) -> None:
        """Store the text after a quiet moment, on the kernel's event loop when there is one."""
        delay = self.debounce if delay is None else delay
        if self._timer is not None:
            self._timer.cancel()
        import asyncio  # already loaded in a kernel; kept out of `import widgets`

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self._timer = loop.call_later(delay, self.flush)
        else:
            timer = threading.Timer(delay, self.flush)
            timer.daemon = True
            timer.start()
            self._timer = timer

    def flush(self, wait: bool = True) -> bool:
        """Store the current text now if it changed since the last save.

        With `wait=False` (a signal handler), give up at once if a save is already under way in this
        thread or another, instead of waiting on it; return whether the text is now stored.
        """
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            text = self.text
            self._pending_since = None
            if text != self.saved_text:
                try:
                    saved = self.store.save_reflection(self.lesson.id, self.prompt.id, text)
                except Exception as exc:  # keep the text in the box and say so; never lose it silently
                    self.status_line.value = (f'<div class="lm-warning" role="alert">⚠ Not saved: {escape(str(exc))}. '
                                              "Your text is still in the box; copy it somewhere safe.</div>")
                    return False
                self.saved_text, self.saved_at = saved.text, saved.at
            self.pending = False
        finally:
            self._lock.release()
        self._render_status()
        return True

    def _retire(self) -> None:
        """Store waiting text (which stops the timer too) before the box is closed."""
        _LIVE.discard(self)
        if not self.flush():  # kept for the box that replaces this one, and for the exit flush
            _UNSAVED.add(self)
        super()._retire()

    def _render_status(self) -> None:
        delayed = self.store.status_message()
        self._showing_delay = bool(delayed)
        if delayed:
            message = delayed
        elif self.pending:
            message = "✎ Saving…"
        elif self.saved_at:
            where = " (in memory only: download your work before you leave)" if self.store.warning else ""
            message = f"✔ Saved at {_local_time(self.saved_at)}{where}."
        else:
            message = "Nothing written yet."
        words = len(self.text.split())
        self.status_line.value = (f'<div class="lm-muted" role="status" aria-live="polite">{escape(message)} '
                                  f'· {words} word{"" if words == 1 else "s"}</div>')


@atexit.register
def _flush_all(wait: bool = True) -> None:
    """Store any text still waiting when the kernel shuts down."""
    for box in [*_LIVE, *_UNSAVED]:
        try:
            box.flush(wait=wait)
        except Exception:  # at shutdown there is nowhere left to show an error; keep flushing the others
            pass


_SIGNALS_HOOKED = False


def _flush_on_signals() -> None:
    """Flush waiting text on SIGTERM and SIGHUP too (a stopped or culled kernel), then do what was done before."""
    global _SIGNALS_HOOKED
    if _SIGNALS_HOOKED or threading.current_thread() is not threading.main_thread():
        return
    _SIGNALS_HOOKED = True
    for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if sig is None:
            continue
        previous = signal.getsignal(sig)

        def handler(signum, frame, previous=previous):
            # Never wait here: the signal may have interrupted a save holding a box's lock in this very thread.
            _flush_all(wait=False)
            try:  # text queued behind another program's lock: give it a last short chance to reach the file
                from course.store import flush_all

                flush_all(2)
            except Exception:
                pass
            if callable(previous):
                previous(signum, frame)
            elif previous != signal.SIG_IGN:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)

        signal.signal(sig, handler)
