"""Course-wide views: progress, the course map, where work is saved, download and upload of work."""
from __future__ import annotations

import base64
import logging
import threading
from datetime import datetime
from html import escape

import ipywidgets as W
from traitlets import Bool, Float, Int, TraitError, Unicode, validate

from course.bank import Lesson
from widgets._style import CSS, Fallback, close_whole, notice_html

log = logging.getLogger(__name__)


class Progress(Fallback, W.VBox):
    """Per-lesson completion across the course, read from the progress store."""

    def __init__(self, lessons: tuple[Lesson, ...], store, **kwargs):
        self.lessons, self.store = lessons, store
        self.refresh_button = W.Button(description="Refresh", icon="refresh", tooltip="Read progress again")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.rows = W.VBox()
        self.total_line = W.HTML()
        super().__init__(children=[W.HTML(CSS + notice_html(store) + '<div class="lm-kicker">Your progress</div>'),
                                   self.rows, self.total_line, self.refresh_button], **kwargs)
        self.add_class("lm-card")
        self.refresh()

    def fallback_html(self) -> str:
        rows = "".join(f"<li>{escape(lesson.title)}: {done} of {total} done</li>"
                       for lesson in self.lessons for done, total in [self.completion()[lesson.id]])
        return f"<p><b>Your progress</b></p><ul>{rows}</ul>"

    def completion(self) -> dict[str, tuple[int, int]]:
        """Return (done, total) per lesson id, by the course's one rule (`course.completion`)."""
        from course.completion import store_progress

        return store_progress(self.lessons, self.store)

    def refresh(self) -> None:
        """Read the store again and redraw."""
        data = self.completion()
        rows = []
        for lesson in self.lessons:
            progress = data[lesson.id]
            done, total = progress
            pct = round(100 * progress.fraction)
            label = "✔ complete" if progress.complete else f"{done} of {total} done"
            bar = W.IntProgress(value=done, min=0, max=max(total, 1), description=f"{lesson.number:02d}",
                                tooltip=f"{lesson.title}: {label}", layout=W.Layout(width="260px"),
                                style={"description_width": "2.5em"})
            rows.append(W.HBox([bar, W.HTML(f"<span><b>{escape(lesson.title)}</b> · {escape(label)} ({pct}%)</span>")]))
        old, self.rows.children = self.rows.children, tuple(rows)
        for row in old:  # a redraw must not leave the old rows alive
            close_whole(row)
        all_done = sum(d for d, _ in data.values())
        all_total = sum(t for _, t in data.values())
        self.total_line.value = f'<div class="lm-muted">Whole course: {all_done} of {all_total} activities done.</div>'


def course_map_markdown(lessons: tuple[Lesson, ...]) -> str:
    """Return the course map as a Markdown table with links to each lesson."""
    def cell(text: str) -> str:
        return escape(text).replace("|", "\\|")

    rows = ["| # | Lesson | What it covers | Minutes |", "|---|---|---|---|"]
    for lesson in lessons:
        rows.append(f"| {lesson.number:02d} | [{cell(lesson.title)}]({lesson.notebook}) | "
                    f"{cell(lesson.summary or '')} | {lesson.minutes} |")
    total = sum(lesson.minutes for lesson in lessons)
    rows.append(f"|  | **Whole course** |  | **{total}** (about {total / 60:.1f} hours) |")
    return "\n".join(rows)


def where_saved_html(store) -> str:
    """Describe where progress is kept and whether saving works."""
    if store.warning:
        return CSS + notice_html(store)
    return (CSS + notice_html(store) + '<div class="lm-card" role="status">✔ Saving works. Your answers and reflections '
            f'are kept in <code>{escape(str(store.path))}</code>, on this machine, outside the course folder.</div>')


def data_link(content: str | bytes, filename: str, mime: str, label: str, css_class: str = "lm-download-link",
              token: str = "") -> str:
    """Return an HTML link that downloads the content in the browser, with no server file involved.

    Parameters
    ----------
    css_class:
        `lm-button lm-button-primary` draws the link as a button.
    token:
        Marks the link so that `DownloadTrigger.start(token)` can click it for the learner.
    """
    raw = content.encode("utf-8") if isinstance(content, str) else content
    payload = base64.b64encode(raw).decode("ascii")
    charset = ";charset=utf-8" if isinstance(content, str) else ""
    marker = f' data-lm-download="{escape(token)}"' if token else ""
    # A button-like link takes the same icon as the widget buttons beside it; a plain link, an arrow.
    icon = '<i class="fa fa-download" aria-hidden="true"></i> ' if "lm-button" in css_class.split() else "⬇ "
    return (f'<a class="{escape(css_class)}" download="{escape(filename)}" href="data:{mime}{charset};base64,{payload}"'
            f'{marker}>{icon}{escape(label)}</a>')


# Runs in the page once per token: a re-drawn or re-opened view must not download the file again.
_CLICK_LINK = """(() => {
  const token = %s;
  try {
    if (sessionStorage.getItem("lm-download-" + token)) { return; }
    sessionStorage.setItem("lm-download-" + token, "1");
  } catch (error) { /* no session storage: click once all the same */ }
  const until = Date.now() + 5000;
  const click = () => {
    const link = document.querySelector('a[data-lm-download="' + token + '"]');
    if (link) { link.click(); } else if (Date.now() < until) { setTimeout(click, 50); }
  };
  click();
})();"""


class DownloadTrigger(W.Output):
    """An invisible output that makes the browser click one marked download link, once.

    A button's click reaches the kernel, not the browser: the kernel builds the file, shows it as a
    link marked with a token (`data_link(..., token=...)`), then asks the page to click that link.
    JupyterLab runs the request (tests/test_browser_ui.py); where a front end runs no scripts, the
    link is there to click.
    """

    def __init__(self, **kwargs):
        super().__init__(layout=W.Layout(display="none"), **kwargs)

    def start(self, token: str) -> None:
        """Ask the page to click the link marked with `token`."""
        import json

        script = _CLICK_LINK % json.dumps(token)
        self.outputs = ({"output_type": "display_data", "metadata": {},
                         "data": {"application/javascript": script, "text/plain": ""}},)


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """Return '1 question', '97 questions': a number with its noun in the right form."""
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def listed(names: list[str]) -> str:
    """Join names as a sentence does: 'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def work_summary(doc: dict) -> str:
    """Say in one sentence what an export holds, counting questions (not checks) and written reflections."""
    from course.completion import is_written
    from course.instruments import action_plan
    from course.plan import BEHAVIOURS, LESSON, field_key, tag_key

    plan_fields = {(LESSON, field_key(field.id)) for field in action_plan().fields}
    plan_parts = plan_fields | {(LESSON, tag_key(b)) for b in BEHAVIOURS}
    latest: dict[tuple[str, str], str] = {}
    for row in doc["reflections"]:  # in the order written: the last one per prompt is the latest
        latest[(row["lesson"], row["reflection"])] = row["text"]
    rated: dict[tuple[str, str], object] = {}
    for row in doc["ratings"]:
        rated[(row["phase"], row["item"])] = row["value"]
    questions = len({(row["lesson"], row["question"]) for row in doc["attempts"]})
    checks = len(doc["attempts"])
    reflections = sum(1 for key, text in latest.items() if key not in plan_parts and is_written(text))
    ratings = sum(1 for value in rated.values() if value is not None)
    plan = any(is_written(latest.get(key)) for key in plan_fields)
    done = []
    if questions:
        done.append(f"answered {counted(questions, 'question')} ({counted(checks, 'check')})")
    if reflections:
        done.append(f"written {counted(reflections, 'reflection')}")
    if ratings:
        done.append(f"given {counted(ratings, 'self-assessment rating')}")
    if plan:
        done.append("started your 90-day plan")
    if not done:
        return "You have not answered any questions or written any reflections yet, so the file is nearly empty."
    return f"So far you have {listed(done)}."


def size_text(size: int) -> str:
    """Say how large a file is, as people read it: '812 bytes', '41 KB', '4.8 MB', '5 MB' (1 KB = 1,024 bytes)."""
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


SHARE_LABEL = "Let my trainer quote my reflections, without my name, in the class discussion"


def call_later(delay: float, callback):
    """Run `callback()` once after `delay` seconds; return a handle whose `cancel()` stops it.

    On the kernel's event loop when called from it (as a button click or a save from a notebook is);
    elsewhere (a store's background thread, plain Python) on a daemon timer thread.
    """
    import asyncio  # already loaded in a kernel; kept out of `import widgets`

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()
        return timer
    return loop.call_later(delay, callback)


def _store_waiting_text() -> None:
    # Text typed into a reflection less than a quiet moment ago is stored now, so a download made at this
    # click holds every word on the page. (The reflection module's exit flush does exactly that.)
    from widgets.reflection_view import _flush_all

    _flush_all()


_SHARE_CHANGED = ("You changed your choice about quoting your reflections, so the links to your earlier downloads "
                  "are gone. A file you saved before still holds the earlier choice: download again for one that "
                  "holds this choice.")
_SHARE_NOT_KEPT = ("Your choice could not be saved for next time. The files you download here follow the box as it "
                   "is now; check it again when you come back.")
_NAME_CHANGED = ("You changed your name, so the links to your earlier downloads are gone. A file you saved before "
                 "still carries the earlier name: download again for one with this name.")


class DownloadWork(Fallback, W.VBox):
    """Two one-click downloads of the learner's work: the JSON export, and a .zip of everything.

    Each file is built when its button is clicked, so it holds the work as of the click, text typed
    into a reflection a moment before included. Between clicks the panel shows what the export holds
    and its size as last counted: after the store changes (it reports every save, even of a reflection
    being typed), the panel counts again once `recount_delay` seconds later, however many writes came
    in between, and never after it is closed. A prolific learner's export takes megabytes; building it
    at every save would send it to the page every couple of seconds.

    Both files are named after the learner (`course.exchange.export_filename`), so that a class's files
    can share one folder, and carry the learner's choice about quoting their reflections (`share`). When
    that choice or the typed name changes, the links built by earlier clicks leave the page (even when the
    store cannot keep the new choice), so no link on it gives a file that says otherwise.

    Parameters
    ----------
    store:
        The progress store whose work is downloaded.
    recount_delay:
        Seconds from a store write to the recount (see the trait); 0 counts again at every write.
    """

    export_size = Int(0, help="Size in bytes of the export as last counted or downloaded (0 when none could be made).")
    reflection_history = Unicode("full", help="'full', or 'latest' when the export keeps only each reflection's "
                                              "latest version to stay within the export limit; '' when none could be "
                                              "made. As last counted or downloaded.")
    json_filename = Unicode("", help="The name the .json download is saved under ('' when none could be made); the "
                                     "hand-in line names it.")
    zip_filename = Unicode("", help="The name the .zip download is saved under; the same as the .json's but for "
                                    "the suffix, so a learner can tell the two files of one download apart.")
    recount_delay = Float(3.0, help="Seconds from a store write to the recount of what the export holds and its "
                                    "size; writes meanwhile share that one recount. 0 counts at every write.")
    recount_pending = Bool(False, read_only=True, help="Whether a recount is waiting for its time or under way.")

    def __init__(self, store, recount_delay: float = 3.0, **kwargs):
        from course.exchange import sharing_chosen

        self.store = store
        self._timing = threading.Lock()  # guards the waiting recount: store writes may come from another thread
        self._drawing = threading.RLock()  # one count or download at a time, whichever thread asks
        self._waiting = None  # (handle, token) of the recount that waits, or None
        self._retired = False
        self._counted_html = ""  # what the export holds, or why there is none, as last counted
        self._json_status = ""  # the latest .json download's message and link, until the counts change
        self.name = W.Text(value=store.get("learner_name", "") or "", description="Your name (optional)",
                           placeholder="Shown on your portfolio", style={"description_width": "initial"},
                           continuous_update=False, layout=W.Layout(width="420px"))
        self.share = W.Checkbox(value=sharing_chosen(store), description=SHARE_LABEL, indent=False,
                                tooltip="Off unless you tick it. Your files say yes or no; you can change it at any "
                                        "time and download again.", layout=W.Layout(width="auto"))
        self.json_button = W.Button(description="Answers and reflections (.json)", icon="download",
                                    tooltip="Everything you have done, in one file you can upload again or hand in",
                                    layout=W.Layout(width="auto"))
        self.json_button.add_class("lm-button")
        self.json_button.add_class("lm-button-primary")
        self.json_row = W.HBox([self.json_button, W.HTML('<span class="lm-muted">Upload it again later to carry on '
                                                         "where you left off.</span>")])
        self.json_row.add_class("lm-download-row")
        self.export_link = W.HTML("")
        self.button = W.Button(description="Everything as a .zip", icon="download",
                               tooltip="Your .json file, a portfolio of your reflections, and your profile chart "
                                       "and plan once you have them, in one .zip",
                               layout=W.Layout(width="auto"))
        self.button.add_class("lm-button")
        self.button.add_class("lm-button-secondary")
        self.zip_note = W.HTML("", layout=W.Layout(flex="1 1 260px"))
        zip_row = W.HBox([self.button, self.zip_note])
        zip_row.add_class("lm-download-row")
        self.links = W.HTML("")
        self.trigger = DownloadTrigger()
        self.json_button.on_click(self._on_json_click)
        self.button.on_click(self._on_click)
        self.name.observe(self._on_name, names="value")
        self.share.observe(self._on_share, names="value")
        note = ('<div class="lm-muted">On Binder, your session and everything saved in it disappear when it '
                'closes or sits idle. Download your work before you leave; you can upload it again later.</div>')
        super().__init__(children=[W.HTML(CSS + notice_html(store) + '<div class="lm-kicker">Keep your work</div>' + note),
                                   self.name, self.share, self.json_row, self.export_link, zip_row, self.links,
                                   self.trigger], **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-download")
        self.recount_delay = recount_delay
        self.recount()
        self.listen(store, self._count_later)

    @validate("recount_delay")
    def _validate_recount_delay(self, proposal):
        if proposal["value"] < 0:
            raise TraitError("recount_delay must be zero or more seconds")
        return proposal["value"]

    def fallback_html(self) -> str:
        return ("<p><b>Keep your work.</b> The download button needs the widgets extension. On Binder, your "
                "session disappears when it closes: copy your reflections somewhere safe before you leave.</p>")

    # -- counting -----------------------------------------------------------------------------------
    def recount(self) -> None:
        """Count the learner's work now: build the export once, show what it holds and its size, and name both files.

        A recount that was waiting is dropped: this one is newer. Raises what the store raises when it
        cannot be read (`sqlite3.Error`, `OSError`); the counts shown are then those of the last count.
        """
        self._drop_waiting()
        self._count(datetime.now())

    def _count(self, when: datetime):
        """Build the export, show its counts, size and names as of `when`; return it, or None when too large."""
        from course.exchange import MAX_BYTES, ExportTooLarge, export_file

        with self._drawing:
            self._json_status = ""
            try:
                export = export_file(self.store, self._learner(), self.share.value)
            except ExportTooLarge as exc:
                self.export_size, self.reflection_history = 0, ""
                self._counted_html = (
                    f'<div class="lm-warning" role="alert">✘ Your work is too large for one file: it takes '
                    f"{size_text(exc.size)} even with only the latest version of each reflection, and a file holds at "
                    f"most {size_text(MAX_BYTES)}. The .zip below still holds every reflection, in your portfolio.</div>")
                self.json_row.layout.display = "none"
                self.zip_note.value = ('<span class="lm-muted">A readable portfolio of your reflections, and your '
                                       "profile chart and plan once you have them.</span>")
                self._name_files(when)
                return None
            self.export_size, self.reflection_history = export.size, export.reflection_history
            trimmed = (f'<div class="lm-muted">Your file keeps only the latest version of each reflection, because the '
                       f"full history is over {size_text(MAX_BYTES)}.</div>" if export.trimmed else "")
            self._counted_html = f"<div>{escape(work_summary(export.doc))}</div>" + trimmed
            self.json_button.description = f"Answers and reflections (.json, {size_text(export.size)})"
            self.json_row.layout.display = None
            self.zip_note.value = ('<span class="lm-muted">The .json file, a readable portfolio of your reflections, '
                                   "and your profile chart and plan once you have them.</span>")
            self._name_files(when)
            return export

    def _name_files(self, when: datetime) -> None:
        """Name both downloads as of `when` (no .json name when the last count made no file) and redraw."""
        from course.exchange import export_filename

        with self._drawing:
            learner, learner_id = self._learner(), self.store.learner_id
            self.zip_filename = export_filename(learner, learner_id, when, "zip")
            json_name = export_filename(learner, learner_id, when, "json") if self.reflection_history else ""
            if json_name != self.json_filename:
                self._json_status = ""  # its link saves under the old name: the line below names the new one
                self.json_filename = json_name
            self._draw()

    def _draw(self) -> None:
        # What the export holds, the latest .json download's message and link, then how to hand the file in.
        handin = (f'<div class="lm-handin">To hand in your work, send <code>{escape(self.json_filename)}</code> '
                  "(the .json, not the .zip) the way your trainer asks: a shared folder, an LMS upload or "
                  "email.</div>" if self.json_filename else "")
        self.export_link.value = self._counted_html + self._json_status + handin

    def _count_later(self) -> None:
        # The store calls this after every write, each save of a reflection being typed included: count once, later.
        if self.recount_delay <= 0:
            self.recount()
            return
        with self._timing:
            if self._waiting is not None or self._retired:
                return
            token = object()
            self._waiting = (call_later(self.recount_delay, lambda: self._on_recount_due(token)), token)
            self.set_trait("recount_pending", True)

    def _on_recount_due(self, token) -> None:
        import sqlite3

        with self._timing:
            if self._waiting is None or self._waiting[1] is not token:  # dropped meanwhile: counted or closed
                return
            self._waiting = None  # a write from now on waits for a recount of its own
        try:
            self._count(datetime.now())
        except (sqlite3.Error, OSError):  # the counts stay as last shown; the next write or click counts again
            log.warning("could not count the learner's work for the download panel", exc_info=True)
        finally:
            with self._timing:
                if self._waiting is None:
                    self.set_trait("recount_pending", False)

    def _drop_waiting(self) -> None:
        with self._timing:
            if self._waiting is not None:
                self._waiting[0].cancel()
                self._waiting = None
                self.set_trait("recount_pending", False)

    def _retire(self) -> None:
        """Drop a waiting recount and stop listening: a closed or replaced panel counts nothing more."""
        with self._timing:
            self._retired = True
        self._drop_waiting()
        super()._retire()

    # -- the learner's changes and clicks ----------------------------------------------------------
    def _learner(self) -> str | None:
        return self.name.value.strip() or None

    def _on_name(self, _change) -> None:
        self._drop_links(_NAME_CHANGED)
        self._name_files(datetime.now())
        self._count_later()  # the name is in the file, so its size changes a little

    def _on_share(self, change) -> None:
        import sqlite3

        from course.exchange import choose_sharing

        # First, and whether or not the store keeps the choice: a link built before would still say the old one.
        self._drop_links(_SHARE_CHANGED)
        try:
            choose_sharing(self.store, change["new"])
        except (sqlite3.Error, OSError):  # not remembered for next time; each download still says what is ticked
            log.warning("could not keep the learner's choice about quoting reflections", exc_info=True)
            warning = f'<div class="lm-warning" role="alert">⚠ {escape(_SHARE_NOT_KEPT)}</div>'
            with self._drawing:
                if warning not in self.links.value:
                    self.links.value += warning

    def _drop_links(self, why: str) -> None:
        """Take the .json and .zip links built by earlier clicks off the page, saying why when there were any.

        Each file holds the name and the choice about quoting reflections as they were at its click; once
        either changes, the next click builds the files afresh.
        """
        with self._drawing:
            if 'href="data:' in self._json_status + self.links.value:
                self.links.value = f'<div class="lm-muted" role="status">{escape(why)}</div>'
            self._json_status = ""
            self.trigger.outputs = ()  # nothing left for it to click
            self._draw()

    def _before_download(self) -> str | None:
        """Keep the typed name for next time and store text still waiting; return the name."""
        import sqlite3

        from course.store import clean_text

        learner = self._learner()
        kept = clean_text(learner) if learner else ""  # a broken character is kept as U+FFFD, as in the export
        try:
            if kept != (self.store.get("learner_name") or ""):  # an emptied box forgets the name too
                self.store.set("learner_name", kept)
        except (sqlite3.Error, OSError):  # the name is a convenience for next time: the download goes on
            log.warning("could not keep the learner's name for next time", exc_info=True)
        _store_waiting_text()
        return learner

    def _on_json_click(self, _button=None) -> None:
        import sqlite3
        import uuid

        self._before_download()
        self._drop_waiting()  # this click counts everything written so far
        with self._drawing:
            try:
                export = self._count(datetime.now())
            except (sqlite3.Error, OSError) as exc:
                log.warning("could not build the learner's export", exc_info=True)
                self._json_status = _unreadable(exc)
                self._draw()
                return
            if export is None:  # too large for one file: the panel now says so, and the .zip still works
                return
            token = uuid.uuid4().hex
            self._json_status = (
                f'<div role="status">✔ Your .json file is ready ({size_text(export.size)}) and should be downloading '
                "now. If it does not arrive, use this link: "
                + data_link(export.text, self.json_filename, "application/json", "the .json", token=token) + "</div>")
            self._draw()
        self.trigger.start(token)

    def _on_click(self, _button=None) -> None:
        import sqlite3
        import uuid

        from course.exchange import bundle_zip

        learner = self._before_download()
        self._name_files(datetime.now())  # both names as of now, so the two files of one download match
        try:
            archive, names = bundle_zip(self.store, learner, self.share.value)
        except (sqlite3.Error, OSError) as exc:
            log.warning("could not build the learner's .zip", exc_info=True)
            self.links.value = _unreadable(exc)
            return
        token = uuid.uuid4().hex
        self.links.value = (
            f'<div role="status">✔ Your .zip is ready ({size_text(len(archive))}) and should be downloading now. '
            f"It holds {escape(listed(names))}. If it does not arrive, use this link: "
            + data_link(archive, self.zip_filename, "application/zip", "the .zip", token=token)
            + "</div>")
        self.trigger.start(token)


def _unreadable(exc: Exception) -> str:
    """Say that a download could not be built because the store could not be read (nothing is lost)."""
    return (f'<div class="lm-warning" role="alert">✘ Your work could not be read just now ({escape(str(exc))}). '
            "Nothing is lost; try again in a moment.</div>")


class UploadWork(Fallback, W.VBox):
    """Upload a JSON export made earlier (on Binder, say) and merge it into this store."""

    def __init__(self, store, **kwargs):
        self.store = store
        self.upload = W.FileUpload(accept=".json,application/json,.zip,application/zip", multiple=False,
                                   description="Upload my work", tooltip="Choose a lead-manage-….json file you downloaded",
                                   layout=W.Layout(width="auto"))
        self.result = W.HTML("")
        self.upload.observe(self._on_upload, names="value")
        super().__init__(children=[W.HTML(CSS + '<div class="lm-kicker">Continue from a download</div>'
                                          '<div class="lm-muted">Pick a <code>lead-manage-….json</code> file you '
                                          'downloaded earlier (its .zip works too). Nothing already saved here is '
                                          'changed or lost; re-run a lesson to see your answers again.</div>'),
                                   self.upload, self.result], **kwargs)
        self.add_class("lm-card")

    def fallback_html(self) -> str:
        return "<p><b>Continue from a download:</b> uploading needs the widgets extension.</p>"

    def merge_bytes(self, name: str, content: bytes) -> None:
        """Merge one uploaded file and report what was added, or why it was refused.

        Every failure ends in a message here, never in a traceback: a file the course cannot read,
        a value the store cannot take, a busy or failing progress file, or anything unexpected
        (which is also logged).
        """
        import sqlite3

        from course.exchange import ExportError, import_work

        shown = escape(name)
        kept = "Nothing was changed; your work saved here is as it was."
        try:
            imported = import_work(self.store, bytes(content), name)
        except ExportError as exc:
            self._refused(f"{shown} was not imported: {escape(str(exc))}.")
        except ValueError as exc:  # a value the store refuses, such as a time that is not a date
            self._refused(f"{shown} was not imported: it holds a value this course cannot store "
                          f"({escape(str(exc))}). {kept}")
        except sqlite3.OperationalError as exc:
            busy = any(word in str(exc).lower() for word in ("locked", "busy"))
            self._refused(f"{shown} was not imported: your progress file is "
                          + ("busy, perhaps saving from another notebook" if busy else "not working just now")
                          + f" ({escape(str(exc))}). {kept} Try again in a moment.")
        except sqlite3.Error as exc:
            self._refused(f"{shown} was not imported: your progress file could not take it ({escape(str(exc))}). "
                          f"{kept} Try again in a moment.")
        except OSError as exc:
            self._refused(f"{shown} was not imported: a file could not be read or written "
                          f"({escape(exc.strerror or str(exc))}). {kept} Try again in a moment.")
        except Exception as exc:  # noqa: BLE001 - the learner gets a sentence, the log gets the traceback
            log.exception("importing %r failed", name)
            self._refused(f"{shown} was not imported: something unexpected went wrong ({escape(type(exc).__name__)}). "
                          "Try again; if it happens again, tell your instructor.")
        else:
            added = imported.added
            message = (f"✔ {shown} imported: {counted(added['attempts'], 'new quiz answer')}, "
                       f"{counted(added['reflections'], 'new reflection revision')}, "
                       f"{counted(added['ratings'], 'new rating')} (anything already here was kept as it was).")
            if imported.from_another_copy:
                message += (f" These answers came from another copy of the course (id {escape(imported.from_id[:8])}); "
                            f"they are now part of this copy's record (id {escape(imported.kept_id[:8])}). "
                            "From now on, download and hand in your work from this copy.")
            self.result.value = f'<div role="status">{message}</div>'

    def _refused(self, message: str) -> None:
        self.result.value = f'<div class="lm-warning" role="alert">✘ {message}</div>'

    def _on_upload(self, change) -> None:
        for item in change["new"] or ():
            self.merge_bytes(item["name"], item["content"])
