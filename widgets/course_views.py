"""Course-wide views: progress, the course map, where work is saved, download and upload of work."""
from __future__ import annotations

import base64
from datetime import datetime
from html import escape

import ipywidgets as W

from course.bank import Lesson
from widgets._style import CSS, Fallback, notice_html


def lesson_completion(lesson: Lesson, solved: set, written: set) -> tuple[int, int]:
    """Return (done, total) for a lesson: questions answered correctly plus reflections written."""
    total = len(lesson.questions) + len(lesson.reflections)
    done = sum((lesson.id, q.id) in solved for q in lesson.questions)
    done += sum((lesson.id, r.id) in written for r in lesson.reflections)
    return done, total


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
        """Return (done, total) per lesson id."""
        solved = self.store.solved()
        written = {key for key, saved in self.store.latest_reflections().items() if saved.text.strip()}
        return {lesson.id: lesson_completion(lesson, solved, written) for lesson in self.lessons}

    def refresh(self) -> None:
        """Read the store again and redraw."""
        data = self.completion()
        rows = []
        for lesson in self.lessons:
            done, total = data[lesson.id]
            pct = round(100 * done / total) if total else 100
            label = "✔ complete" if total and done == total else f"{done} of {total} done"
            bar = W.IntProgress(value=done, min=0, max=max(total, 1), description=f"{lesson.number:02d}",
                                tooltip=f"{lesson.title}: {label}", layout=W.Layout(width="260px"),
                                style={"description_width": "2.5em"})
            rows.append(W.HBox([bar, W.HTML(f"<span><b>{escape(lesson.title)}</b> · {escape(label)} ({pct}%)</span>")]))
        self.rows.children = rows
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


def data_link(content: str | bytes, filename: str, mime: str, label: str) -> str:
    """Return an HTML link that downloads the content in the browser, with no server file involved."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    payload = base64.b64encode(raw).decode("ascii")
    charset = ";charset=utf-8" if isinstance(content, str) else ""
    return (f'<a download="{escape(filename)}" href="data:{mime}{charset};base64,{payload}" '
            f'style="font-weight:600">⬇ {escape(label)}</a>')


class DownloadWork(Fallback, W.VBox):
    """A button that packs the learner's work into two downloads: a JSON export and a Markdown portfolio."""

    def __init__(self, store, **kwargs):
        self.store = store
        self.name = W.Text(value=store.get("learner_name", "") or "", description="Your name (optional)",
                           placeholder="Shown on your portfolio", style={"description_width": "initial"},
                           continuous_update=False, layout=W.Layout(width="420px"))
        self.export_link = W.HTML("")
        self.button = W.Button(description="Also make a .zip of everything", icon="file-archive-o",
                               tooltip="Export, reflection portfolio, profile chart and plan in one .zip",
                               layout=W.Layout(width="auto"))
        self.links = W.HTML("")
        self.button.on_click(self._on_click)
        self.name.observe(lambda _c: self.refresh_export(), names="value")
        note = ('<div class="lm-muted">On Binder, your session and everything saved in it disappear when it '
                'closes or sits idle. Download your work before you leave; you can upload it again later.</div>')
        super().__init__(children=[W.HTML(CSS + notice_html(store) + '<div class="lm-kicker">Keep your work</div>' + note),
                                   self.name, self.export_link, self.button, self.links], **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-download")
        self.refresh_export()
        store.on_change(self.refresh_export)

    def refresh_export(self) -> None:
        """Rebuild the one-click export link so it always holds the learner's latest work."""
        from course.exchange import export_json

        learner = self.name.value.strip() or None
        counts = self.store.counts()
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        self.export_link.value = (
            '<div role="status">'
            + data_link(export_json(self.store, learner), f"lead-manage-export-{stamp}.json", "application/json",
                        "Download my work (.json): one click, always up to date")
            + f'<div class="lm-muted">Holds {counts["attempts"]} quiz answers, {counts["reflections"]} reflection '
              f'revisions and {counts["ratings"]} ratings. Upload it again later, or hand it to your instructor.</div></div>')

    def fallback_html(self) -> str:
        return ("<p><b>Keep your work.</b> The download button needs the widgets extension. On Binder, your "
                "session disappears when it closes: copy your reflections somewhere safe before you leave.</p>")

    def _on_click(self, _button=None) -> None:
        from course.exchange import bundle_zip

        learner = self.name.value.strip() or None
        if learner:
            try:
                self.store.set("learner_name", learner)
            except Exception:
                pass
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        archive, names = bundle_zip(self.store, learner)
        self.links.value = (
            '<div role="status">Ready: '
            + data_link(archive, f"lead-manage-work-{stamp}.zip", "application/zip", "all my work (.zip)")
            + f'<div class="lm-muted">The .zip holds {escape(", ".join(names))}.</div></div>')


class UploadWork(Fallback, W.VBox):
    """Upload a JSON export made earlier (on Binder, say) and merge it into this store."""

    def __init__(self, store, **kwargs):
        self.store = store
        self.upload = W.FileUpload(accept=".json,application/json", multiple=False,
                                   description="Upload my work", tooltip="Choose a lead-manage-export JSON file",
                                   layout=W.Layout(width="auto"))
        self.result = W.HTML("")
        self.upload.observe(self._on_upload, names="value")
        super().__init__(children=[W.HTML(CSS + '<div class="lm-kicker">Continue from a download</div>'
                                          '<div class="lm-muted">Pick a <code>lead-manage-export-….json</code> file you '
                                          'downloaded earlier. Nothing already saved here is changed or lost; re-run '
                                          'a lesson to see your answers again.</div>'),
                                   self.upload, self.result], **kwargs)
        self.add_class("lm-card")

    def fallback_html(self) -> str:
        return "<p><b>Continue from a download:</b> uploading needs the widgets extension.</p>"

    def merge_bytes(self, name: str, content: bytes) -> None:
        """Merge one uploaded file and report what was added, or why it was refused."""
        import sqlite3

        from course.exchange import ExportError, import_export

        try:
            added = import_export(self.store, bytes(content))
        except ExportError as exc:
            self.result.value = f'<div class="lm-warning" role="alert">✘ {escape(name)} was not imported: {escape(str(exc))}.</div>'
            return
        except (sqlite3.Error, OSError, ValueError) as exc:  # a busy or failing store: nothing was merged
            self.result.value = (f'<div class="lm-warning" role="alert">✘ {escape(name)} was not imported: your progress '
                                 f'file could not take it just now ({escape(str(exc))}). Nothing was changed; try again '
                                 "in a moment.</div>")
            return
        self.result.value = (f'<div role="status">✔ {escape(name)} imported: {added["attempts"]} new quiz answers, '
                             f'{added["reflections"]} new reflection revisions, {added["ratings"]} new ratings '
                             "(anything already here was kept as it was).</div>")

    def _on_upload(self, change) -> None:
        for item in change["new"] or ():
            self.merge_bytes(item["name"], item["content"])
