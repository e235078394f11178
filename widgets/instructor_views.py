"""Instructor views: the class results panel."""
from __future__ import annotations

from html import escape

import ipywidgets as W
from traitlets import Int, Unicode

from widgets._style import CSS, Fallback

# The per-question and per-learner parts come from course's templates; this only styles them in the notebook.
RESULTS_CSS = """
<style>
.lm-class-results .question { border-top: 1px solid var(--jp-border-color2, #ddd); padding: 8px 0 4px; }
.lm-class-results .question h3, .lm-class-results .quotes h3 { font-size: 1em; margin: 0 0 2px; }
.lm-class-results .qnum, .lm-class-results .meta, .lm-class-results .legend, .lm-class-results .what
  { color: var(--jp-content-font-color2, #555); }
.lm-class-results .meta, .lm-class-results .legend, .lm-class-results .what { font-size: 0.88em; }
.lm-class-results .qid { font-family: var(--jp-code-font-family, monospace); }
.lm-class-results .figures { margin: 2px 0 4px; }
.lm-class-results .flag { margin-left: 6px; padding: 0 4px; border: 1px solid var(--jp-content-font-color2, #555);
  border-radius: 3px; font-size: 0.85em; }
.lm-class-results table { border-collapse: collapse; margin: 4px 0 8px; width: 100%; }
.lm-class-results th, .lm-class-results td { border-bottom: 1px solid var(--jp-border-color2, #ddd);
  padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
.lm-class-results td.n, .lm-class-results th.n { text-align: right; white-space: nowrap; }
.lm-class-results table.parts td:first-child { width: 62%; }
.lm-class-results .barcol { width: 24%; }
.lm-class-results .tick { color: var(--jp-success-color1, #2e7d32); font-weight: 700; white-space: nowrap; }
.lm-class-results tr.keyed td:first-child { font-weight: 600; }
.lm-class-results .bar-track { display: block; height: 0.8em; margin-top: 0.3em; border-radius: 2px;
  background: var(--jp-layout-color2, #eee); }
.lm-class-results .bar { display: block; height: 100%; border-radius: 2px; background: #8a8a8a; }
.lm-class-results .bar.ok { background: #2e7d32; }
.lm-class-results .bar.wrong { background: #c25100; }
.lm-class-results td.right { font-weight: 700; }
.lm-class-results td.wrong { color: var(--jp-warn-color0, #c25100); font-weight: 600; }
.lm-class-results .quotes ul { list-style: none; padding: 0; margin: 4px 0 10px; }
.lm-class-results blockquote { margin: 4px 0; padding: 4px 10px; border-left: 4px solid var(--jp-brand-color1, #1976d2);
  background: var(--jp-layout-color2, #f3f3f3); }
.lm-class-results .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
</style>
"""

CSV_LABELS = {"questions.csv": "Questions (CSV)", "learners.csv": "Learners (CSV)", "options.csv": "First answers per option (CSV)"}


class ClassResultsView(Fallback, W.VBox):
    """A class's results for a debrief: summary, each question in people, each learner's lessons, shared
    reflections, charts, CSV downloads, and the files that were skipped and why."""

    scope = Unicode("", read_only=True, help="What the results cover: the whole course, or the session's lessons.")
    people = Int(0, read_only=True, help="Learners counted (one per learner id, whatever the number of files).")
    csv_files = Int(0, read_only=True, help="CSV tables offered for download.")

    def fallback_html(self) -> str:
        from course.class_results import summary_lines

        return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in summary_lines(self.results)) + "</ul>"

    def __init__(self, results, source: str, names: bool = False, **kwargs):
        from course.class_results import (CSV_ENCODING, charts, csv_tables, learners_html, question_sections_html,
                                          reflections_html, scope_line, summary_lines, tables_html)
        from widgets.course_views import data_link

        self.results = results
        tables = tables_html(results)
        summary = "".join(f"<li>{escape(line)}</li>" for line in summary_lines(results))
        parts = [W.HTML(CSS + RESULTS_CSS + f'<div class="lm-kicker">Class results · {escape(source)}</div><ul>{summary}</ul>')]
        files = csv_tables(results, names)
        links = "".join(data_link(text.encode(CSV_ENCODING), name, "text/csv", CSV_LABELS.get(name, name),
                                  "lm-button lm-button-primary") for name, text in files.items())
        downloads = W.HTML(f'<div class="lm-download-row">{links}</div>')
        parts.append(downloads)
        for title, png in charts(results).items():
            parts += [W.HTML(f"<b>{escape(title)}</b>"), W.Image(value=png, format="png", layout=W.Layout(max_width="760px"))]
        legend = (f'<p class="legend">{escape(scope_line(results))} Counts are people: each learner\'s first try at a '
                  "question, and their latest. For a one-answer question the bars count first choices (✓ marks the key); "
                  "for a select-all question, keyed options left out and other options ticked; for sorting, each "
                  "label given.</p>")
        sections = [("Question by question", legend + question_sections_html(results)),
                    ("Learners: lessons done", learners_html(results, names)),
                    ("Completion per lesson", tables["completion"]),
                    ("Reflections", reflections_html(results))]
        if results.shows("pre_post"):
            sections.append(("Warm-up before and after (lesson 00, again in lesson 13)",
                             tables["pre_post"] or "<p>No learner has taken the post-test in lesson 13 yet.</p>"))
        if results.shows("profile"):
            sections.append(("Self-assessment, before and after", tables["profile"] or "<p>No before-and-after pairs yet.</p>"))
        if results.shows("plans"):
            sections.append(("90-day plans (counts only)", (tables["plans"] + tables["plan_checks"])
                             or "<p>No learner has written a plan yet.</p>"))
        sections.append(("Files used", tables["roster"]))
        accordion = W.Accordion(children=[W.HTML(f'<div style="overflow-x:auto">{html}</div>') for _, html in sections])
        for i, (title, _) in enumerate(sections):
            accordion.set_title(i, title)
        parts.append(accordion)
        skipped = "".join(f"<li><b>{escape(s.source)}</b>: {escape(s.reason)}</li>" for s in results.skipped)
        parts.append(W.HTML(f"<b>Files skipped</b><ul>{skipped}</ul>" if skipped else "<i>No files skipped.</i>"))
        super().__init__(children=parts, **kwargs)
        self.set_trait("scope", scope_line(results))
        self.set_trait("people", results.learners)
        self.set_trait("csv_files", len(files))
        self.downloads = downloads
        self.add_class("lm-card")
        self.add_class("lm-class-results")
