"""Instructor views: the class results panel."""
from __future__ import annotations

from html import escape

import ipywidgets as W

from widgets._style import CSS, Fallback


class ClassResultsView(Fallback, W.VBox):
    """Tables and charts of a class's results, with the files that were skipped and why."""

    def fallback_html(self) -> str:
        from course.class_results import summary_lines

        return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in summary_lines(self.results)) + "</ul>"

    def __init__(self, results, source: str, **kwargs):
        from course.class_results import charts, summary_lines, tables_html

        self.results = results
        tables = tables_html(results)
        summary = "".join(f"<li>{escape(line)}</li>" for line in summary_lines(results))
        parts = [W.HTML(CSS + f'<div class="lm-kicker">Class results · {escape(source)}</div><ul>{summary}</ul>')]
        for title, png in charts(results).items():
            parts += [W.HTML(f"<b>{escape(title)}</b>"), W.Image(value=png, format="png", layout=W.Layout(max_width="760px"))]
        sections = [("Completion per lesson", tables["completion"]), ("Questions", tables["questions"]),
                    ("Reflections written", tables["reflections"]),
                    ("Warm-up before and after (lesson 00, again in lesson 13)",
                     tables["pre_post"] or "<p>No learner has taken the post-test in lesson 13 yet.</p>"),
                    ("Self-assessment, before and after", tables["profile"] or "<p>No before-and-after pairs yet.</p>"),
                    ("Learners included", tables["roster"])]
        accordion = W.Accordion(children=[W.HTML(f'<div style="overflow-x:auto">{html}</div>') for _, html in sections])
        for i, (title, _) in enumerate(sections):
            accordion.set_title(i, title)
        parts.append(accordion)
        skipped = "".join(f"<li><b>{escape(s.source)}</b>: {escape(s.reason)}</li>" for s in results.skipped)
        parts.append(W.HTML(f"<b>Files skipped</b><ul>{skipped}</ul>" if skipped else "<i>No files skipped.</i>"))
        super().__init__(children=parts, **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-class-results")
