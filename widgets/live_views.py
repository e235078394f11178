"""Live class sessions in the notebook: the instructor's dashboard and the learner's share bar.

`LiveDashboard` shows a session's join code and, per question, how many people answered, how many were
right at their first try and how their first answers spread over the options (bars, with the counts in
text), refreshed every few seconds by a background thread, in the projector view's large type and with
its lettering (the room's shared option order). Reveal marks the key; discussion notes are never shown.

`ShareBar` is the learner's control, shown in each quiz of a lesson on a hub with the service (see
`lesson_share_bar`): hidden unless a session for the lesson is open, off by default, one click to share and
one to stop, and it says exactly what is shared. Every bar of a lesson is a view of one `LessonSharing`, the
kernel's single sharing state for that lesson. All of them talk to the service only through
`course.live.client`; the counting rules live in `course.live.rules`.
"""
from __future__ import annotations

import base64
import functools
import logging
import threading
from datetime import datetime
from html import escape
from typing import Callable

import ipywidgets as W
from traitlets import Bool, Enum, HasTraits, Int, TraitError, Unicode, observe, validate
from traitlets import List as TList

from course.bank import Lesson
from course.kinds import kind_of
from course.live.client import (LiveError, Service, forget_left, has_left, leave_in_background, mark_left,
                                release_sharing, sender_for, start_sharing, stop_sharing)
from course.live.rules import QuestionTally
from widgets._style import CSS, Fallback
from widgets.projector_view import PROJECTOR_CSS, shown_options

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # a problem in a background thread is logged, never printed into a cell,
log.propagate = False                   # not even after something in the kernel called `logging.basicConfig()`
REFRESH_SECONDS = 2.0   # the dashboard asks the service for new counts this often
LOOK_SECONDS = 15.0     # the share bar looks for an open (or closed) session this often

LIVE_CSS = """<style>
.lm-live-code { font-size: 1.5em; font-weight: 800; letter-spacing: .12em; font-family: var(--jp-code-font-family, monospace); }
.lm-live-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0.3em 1em; }
.lm-live-meta { font-size: 0.7em; color: var(--lm-ink2); }
.lm-live-summary { font-size: 0.8em; margin: 0 0 0.4em 0; }
.lm-live-bar { height: 0.55em; margin-top: 0.15em; border-radius: 4px; background: var(--lm-soft); overflow: hidden; }
.lm-live-bar > span { display: block; height: 100%; background: var(--lm-accent); }
.lm-proj-keyed .lm-live-bar > span { background: var(--lm-good); }
.lm-live-count { font-size: 0.8em; font-weight: 700; white-space: nowrap; }
.lm-live-detail { font-size: 0.65em; color: var(--lm-ink2); }
.lm-live-key { font-size: 0.75em; border: 2px dashed var(--lm-good); border-radius: 8px; padding: 0.2em 0.6em; margin-top: 0.4em; }
.lm-live-question + .lm-live-question { border-top: 1px solid var(--lm-edge); margin-top: 0.6em; padding-top: 0.4em; }
.lm-share .widget-checkbox { width: auto !important; }
.lm-share .widget-checkbox label { font-weight: 600; }
</style>"""

_QUESTION = """\
<div class="lm-live-question" role="region" aria-label="Question {{ number }}">
<div class="lm-proj-top"><span class="lm-proj-count">Question {{ number }} of {{ total }} · {{ how }}</span>\
<span class="lm-proj-lesson">{{ lesson }}</span></div>
<div class="lm-proj-stem">{{ prompt }}</div>
<div class="lm-live-summary"><b>{{ answered }}</b> answered{% if answered %} · <b>{{ first }}</b> right at the first try\
 · <b>{{ right_now }}</b> right now{% endif %} <span class="lm-live-detail">(bars: first answers)</span></div>
<ul class="lm-proj-options">
{% for bar in bars %}<li class="lm-proj-option{% if revealed and bar.keyed %} lm-proj-keyed{% endif %}">\
<span class="lm-proj-letter">{{ bar.letter }}</span><div class="lm-proj-body">{{ bar.text }}\
{% if revealed and bar.mark %} <span class="lm-proj-mark">{{ bar.mark }}</span>{% endif %}
<div class="lm-live-bar" aria-hidden="true"><span style="width: {{ bar.width }}%"></span></div>
<span class="lm-live-count">{{ bar.count_text }}</span>{% if bar.detail %} <span class="lm-live-detail">{{ bar.detail }}</span>{% endif %}\
</div></li>
{% endfor %}</ul>
{% if revealed %}<div class="lm-live-key"><b>Key:</b> {{ key|join("; ") }}</div>{% endif %}
</div>"""


@functools.lru_cache(maxsize=1)
def _question_template():
    import jinja2

    return jinja2.Environment(autoescape=True).from_string(_QUESTION)


def question_html(lesson: Lesson, counts: QuestionTally, total: int, revealed: bool) -> str:
    """Render one question's counts for the room (escaped HTML): bars in the shared, lettered order; the key if revealed."""
    question = lesson.question(counts.question)
    kind = kind_of(question)
    bars = []
    for shown in shown_options(lesson, question):  # the projector's letters, order and key marks
        bar = counts.bars[shown.index]
        share = bar.count / counts.answered if counts.answered else 0.0
        if question.type == "classify":
            count_text = f"{bar.count} of {counts.answered} sorted it as the key does"
        else:
            count_text = f"{bar.count} ({share:.0%})" if counts.answered else "0"
        bars.append({"letter": shown.letter, "text": bar.label, "keyed": bar.keyed, "mark": shown.mark,
                     "width": round(100 * share), "count_text": count_text, "detail": bar.detail})
    first = f"{counts.first_right} ({counts.first_right_share:.0%})" if counts.answered else ""
    return _question_template().render(number=counts.number, total=total, how=kind.title, lesson=lesson.title,
                                       prompt=question.prompt, answered=counts.answered, first=first,
                                       right_now=counts.right_now, bars=bars,
                                       revealed=revealed, key=counts.key)


def _in_background(work: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    return thread


class LiveDashboard(Fallback, W.VBox):
    """An instructor's live session: join code, counts per question refreshed every few seconds, Reveal, Close, Export.

    `index` is the question shown one at a time (0 is the first; outside the list raises `TraitError`);
    `show_all` shows every question at once. `answers` is the number of people who answered the question
    shown (all questions: the sum), as the last refresh found it.

    Parameters
    ----------
    service:
        The live service (`course.live.client.Service`).
    lessons:
        The session's lessons, from the bank.
    session:
        The session as the service described it when it was opened (`id`, `code`, `lessons`, `open`).
    refresh:
        Seconds between refreshes; 0 starts no refresh thread (call `refresh_now()`).
    """

    index = Int(0, help="Which question is shown when one at a time, counted from 0 over the session's questions.")
    show_all = Bool(False, help="Whether every question is shown at once.")
    revealed = Bool(False, help="Whether the key is marked (the discussion notes never are).")
    closed = Bool(False, help="Whether the session is closed (its join code no longer works).")
    joined = Int(0, help="How many learners share their answers now, at the last refresh.")
    answers = Int(0, help="People who answered the question shown (every question's, summed, when all are shown).")
    refreshes = Int(0, help="How many refreshes have arrived from the service.")
    gone = Unicode("", help="Why the dashboard stopped for good (the session was deleted, or is no longer yours); "
                            "empty while it runs.")

    def __init__(self, service: Service, lessons: list[Lesson], session: dict, refresh: float = REFRESH_SECONDS, **kwargs):
        self.service, self.session_id, self.code = service, session["id"], session.get("code") or ""
        self.groups = tuple(str(g) for g in session.get("groups") or ())
        self.lessons = {lesson.id: lesson for lesson in lessons}
        self.questions = [(lesson.id, q.id) for lesson in lessons for q in lesson.questions]
        self._sizes = {(lesson.id, q.id): len(kind_of(q).parts(q)) for lesson in lessons for q in lesson.questions}
        if not self.questions:
            raise ValueError("a live session needs at least one question")
        self.counts: dict[tuple[str, str], QuestionTally] = {}
        self.report: str | None = None
        self._refresh_failed = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.head = W.HTML("")
        self.stage = W.HTML("")
        self.status = W.HTML("")
        self.download = W.HTML("")
        self.previous_button = W.Button(description="Previous", icon="arrow-left", tooltip="Show the previous question")
        self.next_button = W.Button(description="Next", icon="arrow-right", tooltip="Show the next question")
        self.all_button = W.ToggleButton(value=False, description="All questions", icon="list",
                                         tooltip="Show every question of the session at once")
        self.reveal_button = W.ToggleButton(value=False, description="Reveal answer", icon="eye",
                                            tooltip="Mark the key for the room (trainer notes stay hidden)")
        self.close_button = W.Button(description="Close session", icon="stop", button_style="warning",
                                     tooltip="End the session: its join code stops working and nothing more arrives")
        self.export_button = W.Button(description="Export results", icon="download", disabled=True,
                                      tooltip="Make the class report of this session (after closing it)")
        self.delete_button = W.Button(description="Delete session data", icon="trash", button_style="danger",
                                      tooltip="Delete every answer shared with this session from the service")
        self.delete_button.layout.display = "none"
        self.previous_button.on_click(self._on_previous)
        self.next_button.on_click(self._on_next)
        self.close_button.on_click(self._on_close)
        self.export_button.on_click(self._on_export)
        self.delete_button.on_click(self._on_delete)
        self._links = [W.link((self.all_button, "value"), (self, "show_all")),
                       W.link((self.reveal_button, "value"), (self, "revealed"))]
        controls = W.HBox([self.previous_button, self.next_button, self.all_button, self.reveal_button,
                           self.close_button, self.export_button, self.delete_button])
        controls.add_class("lm-proj-controls")
        super().__init__(children=[W.HTML(CSS + PROJECTOR_CSS + LIVE_CSS), self.head, self.stage, controls, self.status,
                                   self.download], **kwargs)
        self.add_class("lm-projector")
        self.add_class("lm-live")
        self.closed = not session.get("open", True)
        self._render()
        self._interval = refresh  # set before the thread that reads it starts
        self._thread = _in_background(self._poll, "lead-manage-live-dashboard") if refresh > 0 else None

    # -- state -----------------------------------------------------------------------------
    @validate("index")
    def _validate_index(self, proposal):
        value = proposal["value"]
        if not 0 <= value < len(self.questions):
            raise TraitError(f"there is no question {value} here (0 to {len(self.questions) - 1})")
        return value

    @observe("index")
    def _on_index(self, change) -> None:
        self.revealed = False  # as on the projector: a new question starts with its key hidden
        self._render()

    @observe("show_all", "revealed", "closed")
    def _on_view(self, change) -> None:
        self._render()

    def _on_previous(self, _button=None) -> None:
        if self.index > 0:
            self.index -= 1

    def _on_next(self, _button=None) -> None:
        if self.index < len(self.questions) - 1:
            self.index += 1

    # -- refreshing ------------------------------------------------------------------------
    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh_now()
            except Exception:  # whatever went wrong, the next refresh tries again; nothing reaches the cell
                log.warning("A live-session refresh failed", exc_info=True)
                self._refresh_failed = True
                self.status.value = '<div class="lm-muted" role="status">The counts could not be shown. Trying again shortly.</div>'
            if self.closed or self._stop.wait(self._interval):
                return

    def refresh_now(self) -> bool:
        """Fetch the counts from the service once and show them; return whether the service answered."""
        try:
            doc = self.service.results(self.session_id)
        except LiveError as exc:
            if exc.status in (403, 404):
                self._end(exc)
            elif not self._stop.is_set():
                self._refresh_failed = True
                self.status.value = f'<div class="lm-muted" role="status">{escape(_say(exc))} Trying again shortly.</div>'
            return False
        # Only counts that fit the session's questions are shown (a bar per option, in the bank's order).
        counts: dict[tuple[str, str], QuestionTally] = {
            (t.lesson, t.question): t for t in doc["questions"]
            if (t.lesson, t.question) in self._sizes and len(t.bars) == self._sizes[(t.lesson, t.question)]}
        if self._stop.is_set():
            return True
        with self._lock:
            self.counts = counts
            self.joined = int(doc["members"]["sharing"])
            self.closed = self.closed or not doc["session"].get("open", True)
            self.refreshes += 1
            if self._refresh_failed:  # the service is back: its "trying again" note goes
                self._refresh_failed = False
                self.status.value = ""
            self._render()
        return True

    def _end(self, exc: LiveError) -> None:
        """Stop for good: the session is gone (404) or no longer this instructor's to see (403)."""
        if self._stop.is_set():
            return
        self._stop.set()  # no more refreshes
        if exc.status == 404:
            self.gone = "This session was deleted (from another tab or by a hub admin): its join code no longer works."
        else:
            self.gone = ("This session can no longer be shown to you: the hub no longer lets this account run it. "
                         "The counts stopped.")
        self.code = ""
        self.status.value = f'<div class="lm-warning" role="alert">{escape(self.gone)}</div>'
        self._render()

    def _render(self) -> None:
        state = (escape(self.gone) if self.gone else "Closed: the join code no longer works." if self.closed else
                 f"Join code <span class=\"lm-live-code\">{escape(self.code)}</span>")
        titles = ", ".join(f"{lesson.number:02d} {lesson.title}" for lesson in self.lessons.values())
        who = f"members of {', '.join(self.groups)}" if self.groups else "everyone on the hub"
        stamp = datetime.now().strftime("%H:%M:%S") if self.refreshes else "waiting for the first counts"
        self.head.value = (f'<div class="lm-live-head"><div class="lm-proj-stem">{state}</div>'
                           f'<div class="lm-live-meta">Live session · {escape(titles)} · open to {escape(who)} · '
                           f'<b>{self.joined}</b> sharing · updated {escape(stamp)}</div></div>')
        shown = self.questions if self.show_all else [self.questions[self.index]]
        parts, answers = [], 0
        for lesson_id, question_id in shown:
            counts = self.counts.get((lesson_id, question_id))
            if counts is None:
                continue
            answers += counts.answered
            total = len(self.lessons[lesson_id].questions)
            parts.append(question_html(self.lessons[lesson_id], counts, total, self.revealed))
        self.stage.value = "".join(parts) or '<div class="lm-live-meta">Counts appear here once the service answers.</div>'
        self.answers = answers
        self.previous_button.disabled = self.show_all or self.index == 0
        self.next_button.disabled = self.show_all or self.index == len(self.questions) - 1
        self.reveal_button.description = "Hide answer" if self.revealed else "Reveal answer"
        self.close_button.disabled = self.closed
        self.export_button.disabled = not self.closed
        self.delete_button.layout.display = "" if self.closed else "none"
        if self.gone:  # nothing here works any more
            for button in (self.previous_button, self.next_button, self.all_button, self.reveal_button,
                           self.close_button, self.export_button, self.delete_button):
                button.disabled = True

    # -- closing, exporting, deleting --------------------------------------------------------
    def close_session(self) -> bool:
        """Close the session on the service; return whether it is closed."""
        try:
            self.service.close(self.session_id)
        except LiveError as exc:
            if exc.status in (403, 404):
                self._end(exc)
                return False
            self.status.value = f'<div class="lm-warning" role="alert">The session was not closed: {escape(_say(exc))}</div>'
            return False
        self.closed = True
        self.refresh_now()
        self.status.value = '<div class="lm-muted" role="status">Session closed. Export the results, then delete the data.</div>'
        return True

    def export(self) -> str | None:
        """Fetch the closed session's class report (the same report `class_results` makes) and offer it as a download."""
        try:
            self.report = self.service.report(self.session_id)
        except LiveError as exc:
            if exc.status in (403, 404):
                self._end(exc)
                return None
            self.status.value = f'<div class="lm-warning" role="alert">No report: {escape(_say(exc))}</div>'
            return None
        data = base64.b64encode(self.report.encode("utf-8")).decode("ascii")
        name = f"live-session-{datetime.now():%Y%m%d-%H%M}.html"
        self.download.value = (f'<div class="lm-download-row"><a class="lm-download-link" download="{name}" '
                               f'href="data:text/html;base64,{data}">Download the class report ({escape(name)})</a></div>')
        return self.report

    def results(self):
        """Return the closed session's `course.class_results.ClassResults` (its tables as pandas DataFrames)."""
        from course.live.rules import class_results

        return class_results(self.service.exports(self.session_id))

    def delete(self) -> bool:
        """Delete the session and every answer shared with it from the service."""
        try:
            self.service.delete(self.session_id)
        except LiveError as exc:
            self.status.value = f'<div class="lm-warning" role="alert">Not deleted: {escape(_say(exc))}</div>'
            return False
        self.delete_button.disabled = True
        self.status.value = '<div class="lm-muted" role="status">The session and its answers are deleted from the service.</div>'
        return True

    def _on_close(self, _button=None) -> None:
        self.close_session()

    def _on_export(self, _button=None) -> None:
        self.status.value = '<div class="lm-muted" role="status">Making the report…</div>'
        if self.export() is not None:
            self.status.value = '<div class="lm-muted" role="status">The report is ready below.</div>'

    def _on_delete(self, _button=None) -> None:
        self.delete()

    def _retire(self) -> None:
        self._stop.set()
        for link in self._links:
            link.unlink()
        self._links = []
        super()._retire()

    def fallback_html(self) -> str:
        return ("<p><b>Live session dashboard.</b> The counts were live while the kernel ran; run this cell again "
                "to see the session.</p>")


def _say(exc: LiveError) -> str:
    if exc.status == 0:
        return "The live-session service did not answer."
    return f"The live-session service said: {exc}."


_SHARED_WHAT = ("the question, your answer, whether it was right, and the time you checked it, under the made-up "
                "name the session gives you. Never your name, reflections or ratings. Your own record stays here; "
                "the session gets a copy.")


class LessonSharing(HasTraits):
    """One lesson's sharing with live class sessions in this kernel, which every share bar of the lesson shows.

    There is one per (service, store, lesson), from `LessonSharing.of`; each `ShareBar` of the lesson is a view of
    it, so ticking the box in one quiz ticks it in all, and leaving in one leaves in all. While at least one bar
    is open, one background thread looks for open sessions every `look_every` seconds and, once joined, one
    sender shares the answers checked in the session's lessons. When the last bar closes both stop and the store
    is no longer listened to; the learner stays a member of the session, so a bar shown again (a re-run cell)
    finds the membership and carries on sharing.

    Parameters
    ----------
    service:
        The live service.
    lesson_id:
        The lesson whose sessions it offers.
    store:
        The learner's progress store (its `on_attempt` feeds the sender).
    look_every:
        Seconds between looks for an open or closed session; 0 looks once.
    """

    available = Bool(False, help="Whether a session for this lesson is open (the bars show only then).")
    sharing = Bool(False, help="Whether this learner has joined a session and shares their checked answers with it.")
    code = Unicode("", help="The join code of the session offered or joined.")
    pseudonym = Unicode("", help="The name the joined session shows for this learner.")
    codes = TList(Unicode(), help="The join codes of the lesson's open sessions, as the last look found them.")
    pending = Enum(("", "join", "leave"), default_value="", help="A join or leave asked for and not yet done.")
    details = Unicode("", help="What the bars say about the session and what is shared (escaped HTML).")
    notice = Unicode("", help="The last problem or note to show under the bars (escaped HTML), or empty.")

    def __init__(self, service: Service, lesson_id: str, store, look_every: float = LOOK_SECONDS):
        super().__init__()
        self.service, self.lesson_id, self.store, self.look_every = service, lesson_id, store, look_every
        self.sessions: list[dict] = []
        self.session: dict | None = None
        self.views: list = []
        self._state = threading.RLock()   # guards what the bars show; never held while the service is asked
        self._turns = threading.Lock()    # one join or leave at a time, in the order asked
        self._changes = 0                 # joins and leaves done: a look begun before one of them is stale
        self._asked = 0
        self._workers: list[threading.Thread] = []
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    # -- one per lesson ------------------------------------------------------------------------
    @classmethod
    def of(cls, service: Service, lesson_id: str, store, look_every: float = LOOK_SECONDS) -> "LessonSharing":
        """Return this kernel's sharing state for the lesson (made on first use; `look_every` counts only then)."""
        key = (service, id(store), lesson_id)  # the state holds the store, so its id is not reused meanwhile
        with _lessons_lock:
            found = _lessons.get(key)
            if found is None:
                found = _lessons[key] = cls(service, lesson_id, store, look_every)
            return found

    def attach(self, view) -> None:
        """Show this state in one more bar; the first bar starts the looking."""
        with _lessons_lock:
            self.views.append(view)
            if self._watcher is None:
                self._watcher = _in_background(self._watch, "lead-manage-live-share")

    def detach(self, view) -> None:
        """Stop showing this state in a bar; after the last one, stop looking and sending (the membership stays)."""
        with _lessons_lock:
            if view in self.views:
                self.views.remove(view)
            if self.views:
                return
            for key, found in list(_lessons.items()):
                if found is self:
                    del _lessons[key]
        self._stop.set()
        with self._state:
            if self.session is not None:
                release_sharing(self.service, self.session["id"], self.store, self)

    @property
    def watching(self) -> bool:
        """Tell whether the thread that looks for sessions still runs."""
        return self._watcher is not None and self._watcher.is_alive()

    @property
    def sender(self):
        """Return the running `course.live.client.Sender` of the joined session, or None."""
        session = self.session
        return sender_for(self.service, session["id"], self.store) if session is not None else None

    # -- looking for sessions ------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.look()
            except Exception:  # the lesson behaves as it does without a service; the next look tries again
                log.warning("Looking for live sessions failed", exc_info=True)
            if self.look_every <= 0 or self._stop.wait(self.look_every):
                return

    def look(self) -> None:
        """Ask the service for open sessions of this lesson and show or hide the bars accordingly."""
        with self._state:
            begun = self._changes
        try:
            sessions = self.service.open_sessions(self.lesson_id)
        except LiveError:
            return  # the service away or slow: the lesson behaves as it does without one
        with self._state:
            if self._stop.is_set() or begun != self._changes or self.pending:
                return  # closed meanwhile, or a join or leave made this answer stale
            self.sessions = sessions
            members = [s for s in sessions if s.get("joined")]
            left = [s for s in members if has_left(self.service, s["id"], self.store)]
            for session in left:  # the learner left it here but the service did not hear: only a tick resumes it
                leave_in_background(self.service, session["id"], self.store)
            members = [s for s in members if s not in left]
            held = self.session["id"] if self.session is not None else None
            # The session already held stays while it is still joined; another one is taken only when it is not.
            joined = next((s for s in members if s["id"] == held), members[0] if members else None)
            if joined is not None:  # joined earlier (a bar closed since, a restarted kernel): keep sharing it
                self._take(joined)
            elif self.session is not None:  # the instructor closed it, or the learner left it elsewhere
                stop_sharing(self.service, self.session["id"], self.store)
                self.session = None
                self.pseudonym = ""
            self._sync()

    def _take(self, session: dict) -> None:
        if self.session is not None and self.session["id"] != session["id"]:
            release_sharing(self.service, self.session["id"], self.store, self)
        self.session, self.pseudonym = session, session.get("pseudonym") or ""
        if not self._stop.is_set():
            start_sharing(self.service, session, self.store, self._on_note, holder=self)

    def _sync(self) -> None:
        codes = [s["code"] for s in self.sessions if s.get("code")]
        if self.session is not None:
            code = self.session.get("code") or ""
        else:
            code = self.code if self.code in codes else (codes[0] if codes else "")
        with self.hold_trait_notifications():
            self.codes = codes
            self.code = code
            self.sharing = self.session is not None
            self.available = bool(codes) or self.sharing
            self.details = self._details()

    def _details(self) -> str:
        if self.sharing:
            sender = self.sender
            sent = f" Shared so far from this notebook: {sender.sent}." if sender is not None and sender.sent else ""
            return (f'<div class="lm-muted">Sharing with session <b>{escape(self.code)}</b> as '
                    f'<b>{escape(self.pseudonym)}</b>. For each question you check in this session\'s '
                    f'lessons the session gets {escape(_SHARED_WHAT)}{escape(sent)} Untick the box to '
                    "stop; answers already shared stay with the session until your instructor deletes it.</div>")
        if self.available:
            return (f'<div class="lm-muted">Your instructor has opened a live session (code '
                    f'<b>{escape(self.code)}</b>). Sharing is off. Tick the box to send, for each question '
                    f"you check, {escape(_SHARED_WHAT)}</div>")
        return ""

    def choose(self, code: str) -> None:
        """Offer the session with this join code (one of `codes`) when several are open and none is joined."""
        with self._state:
            if self.session is None and code in self.codes:
                self.code = code
                self.details = self._details()

    # -- joining and leaving -------------------------------------------------------------------
    def ask(self, share: bool) -> None:
        """Join (True) or leave (False) in the background, as one click on any bar does."""
        with self._state:
            if self.pending == ("join" if share else "leave") or (not self.pending and self.sharing == share):
                return  # already asked, or already so
            self._asked += 1
            self.pending = "join" if share else "leave"
        self._workers = [t for t in self._workers if t.is_alive()]
        self._workers.append(_in_background(lambda: self._answer(share), "lead-manage-live-join"))

    def _answer(self, share: bool) -> None:
        try:
            with self._turns:
                self.join() if share else self.leave()
        except Exception:  # nothing a reply holds may end up as a traceback in the learner's notebook
            log.warning("Joining or leaving a live session failed", exc_info=True)
            with self._state:
                self._changes += 1
                self.notice = '<div class="lm-warning" role="alert">The class session could not be reached properly.</div>'
                self._sync()
        finally:
            with self._state:
                self._asked -= 1
                if not self._asked:
                    self.pending = ""

    def settle(self, timeout: float = 10) -> None:
        """Wait for the joins and leaves asked for to finish (tests)."""
        for worker in list(self._workers):
            worker.join(timeout)

    def join(self) -> bool:
        """Join the offered session (`code`) and start sharing; return whether it worked."""
        with self._state:
            code = self.code
            offered = next((s["id"] for s in self.sessions if s.get("code") == code), None)
        if offered is not None:  # an explicit tick: a leave of this session still retrying gives way
            forget_left(self.service, offered, self.store)
        try:
            joined = self.service.join(code)
        except LiveError as exc:
            with self._state:
                self._changes += 1
                self.notice = f'<div class="lm-warning" role="alert">Not shared: {escape(_say(exc))}</div>'
                self._sync()
            return False
        forget_left(self.service, joined["id"], self.store)
        with self._state:
            self._changes += 1
            self._take(joined)
            self.notice = ""
            self._sync()
        return True

    def leave(self) -> None:
        """Stop sharing here and leave every session of this lesson the learner is a member of; answers already
        shared stay with them. Each is recorded as left in this kernel: no look resumes it, only a tick does; a
        leave the service did not get is tried again in the background."""
        with self._state:
            self._changes += 1
            session, self.session = self.session, None
            leaving = [session] if session is not None else []
            leaving += [s for s in self.sessions if s.get("joined") and s["id"] not in {x["id"] for x in leaving}]
            for each in leaving:
                mark_left(self.service, each["id"], self.store)
                stop_sharing(self.service, each["id"], self.store)
            self.pseudonym = ""
            self._sync()
        try:  # memberships the last look did not see (joined in another lesson's quiz since) are left too
            fresh = [s for s in self.service.open_sessions(self.lesson_id) if s.get("joined")]
        except LiveError:
            fresh = []
        for each in fresh:
            if each["id"] not in {x["id"] for x in leaving}:
                mark_left(self.service, each["id"], self.store)
                stop_sharing(self.service, each["id"], self.store)
                leaving.append(each)
        failed = None
        for each in leaving:
            try:
                self.service.leave(each["id"])
            except LiveError as exc:
                if not (400 <= exc.status < 500 and exc.status not in (408, 429)):  # 404: not a member any more
                    failed = failed or exc
                    leave_in_background(self.service, each["id"], self.store)
        if failed is not None:
            self.notice = (f'<div class="lm-muted" role="status">Sharing stopped here; the session was not told yet '
                           f'({escape(_say(failed))}) and is told again shortly.</div>')

    def _on_note(self, sentence: str) -> None:
        self.notice = f'<div class="lm-muted" role="status">{escape(sentence)}</div>'


# Each lesson's sharing state in this kernel, while a bar shows it: (service, id of the store, lesson) -> state.
_lessons: dict[tuple, LessonSharing] = {}
_lessons_lock = threading.Lock()


class ShareBar(Fallback, W.VBox):
    """A learner's "Share my answers with the class session" control: a view of its lesson's `LessonSharing`.

    Hidden (`available` False) unless the service has an open session for the lesson. `sharing` is off until the
    learner ticks the box in any bar of the lesson; then each answer they check in the session's lessons is sent
    in the background. Every bar of a lesson shows the same state; closing one leaves the others sharing.

    Parameters
    ----------
    service:
        The live service, or None outside a hub: the bar then stays hidden and does nothing.
    lesson_id:
        The lesson whose sessions it offers.
    store:
        The learner's progress store (its `on_attempt` feeds the sender).
    look_every:
        Seconds between looks for an open or closed session; 0 looks once. Only the lesson's first bar sets it.
    """

    available = Bool(False, help="Whether a session for this lesson is open (the bar shows only then).")
    sharing = Bool(False, help="Whether this learner's checked answers are being shared.")
    code = Unicode("", help="The join code of the session offered or joined.")
    pseudonym = Unicode("", help="The name the joined session shows for this learner.")

    _MIRRORED = ("available", "sharing", "code", "pseudonym", "codes", "pending", "details", "notice")

    def __init__(self, service: Service | None, lesson_id: str, store, look_every: float = LOOK_SECONDS, **kwargs):
        self.service, self.lesson_id, self.store = service, lesson_id, store
        self._syncing = False
        self.toggle = W.Checkbox(value=False, description="Share my answers with the class session", indent=False)
        self.choice = W.Dropdown(options=[], description="Session code", layout=W.Layout(display="none", width="auto"))
        self.details = W.HTML("")
        self.note = W.HTML("")
        self.toggle.observe(self._on_toggle, names="value")
        self.choice.observe(self._on_choice, names="value")
        super().__init__(children=[W.HTML(CSS + LIVE_CSS), W.HBox([self.toggle, self.choice]), self.details, self.note],
                         **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-share")
        self.layout.display = "none"
        self.lesson_sharing: LessonSharing | None = None  # None outside a hub
        if service is not None:
            self.lesson_sharing = LessonSharing.of(service, lesson_id, store, look_every)
            self.lesson_sharing.observe(self._on_state, names=list(self._MIRRORED))
            self._on_state()
            self.lesson_sharing.attach(self)

    @property
    def session(self) -> dict | None:
        """The session joined, as the service described it, or None."""
        return self.lesson_sharing.session if self.lesson_sharing is not None else None

    @property
    def sender(self):
        """The running sender of the lesson's joined session, or None."""
        return self.lesson_sharing.sender if self.lesson_sharing is not None else None

    def look(self) -> None:
        """Ask the service for the lesson's open sessions now (every bar of the lesson shows the answer)."""
        if self.lesson_sharing is not None:
            self.lesson_sharing.look()

    def settle(self, timeout: float = 10) -> None:
        """Wait for a join or leave under way to finish (tests)."""
        if self.lesson_sharing is not None:
            self.lesson_sharing.settle(timeout)

    # -- showing the lesson's state -------------------------------------------------------------
    def _on_state(self, change=None) -> None:
        state = self.lesson_sharing
        if state is None or self.comm is None:  # closed: a late change from a background thread
            return
        self._syncing = True
        try:
            self.available, self.sharing = state.available, state.sharing
            self.code, self.pseudonym = state.code, state.pseudonym
            self.toggle.value = state.pending == "join" or (state.sharing and state.pending != "leave")
            self.toggle.disabled = bool(state.pending)
            if list(self.choice.options) != list(state.codes):
                self.choice.options = list(state.codes)
            if state.code in state.codes:
                self.choice.value = state.code
            self.choice.layout.display = "" if len(state.codes) > 1 and not state.sharing else "none"
            self.details.value = state.details
            self.note.value = state.notice
        finally:
            self._syncing = False

    @observe("available")
    def _on_available(self, change) -> None:
        self.layout.display = "" if change["new"] else "none"

    # -- one click to join, one to leave ----------------------------------------------------------
    def _on_choice(self, change) -> None:
        if not self._syncing and change["new"] and self.lesson_sharing is not None:
            self.lesson_sharing.choose(change["new"])

    def _on_toggle(self, change) -> None:
        if not self._syncing and self.lesson_sharing is not None:
            self.lesson_sharing.ask(bool(change["new"]))

    def _retire(self) -> None:
        state, self.lesson_sharing = self.lesson_sharing, None
        if state is not None:
            state.unobserve(self._on_state, names=list(self._MIRRORED))
            state.detach(self)
        super()._retire()

    def fallback_html(self) -> str:
        return ("<p>Sharing answers with a live class session is offered here while your instructor runs one on "
                "your course hub. Run this cell to see it.</p>")


def lesson_share_bar(lesson_id: str, store) -> ShareBar | None:
    """Return a share bar for the lesson when the environment names a live service (`Service.from_env`), else None."""
    service = Service.from_env()
    return ShareBar(service, lesson_id, store) if service is not None else None
