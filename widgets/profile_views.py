"""Views for the self-assessment, the profile chart and the capstone plan."""
from __future__ import annotations

from html import escape

import ipywidgets as W
from traitlets import Int

from course.instruments import Instrument, PlanForm
from course.plan import BEHAVIOURS, LESSON, TAGS, field_key, missing_line, plan_gaps, plan_markdown, read_plan, tag_key
from widgets._style import CSS, Fallback, notice_html
from widgets.course_views import DownloadTrigger, data_link, size_text
from widgets.reflection_view import ReflectionBox


class SelfAssessment(Fallback, W.VBox):
    """Rate behaviours 1 to 5; every click is stored at once."""

    answered = Int(0, help="How many items of this phase have a rating.")

    def __init__(self, instrument: Instrument, phase: str, store, **kwargs):
        self.instrument, self.phase, self.store = instrument, phase, store
        self.items = instrument.for_phase(phase)
        saved = store.ratings(phase)
        before = store.ratings("before") if phase == "after" else {}
        scale = ", ".join(f"{k} = {v.lower()}" for k, v in instrument.scale.items())
        head = (CSS + notice_html(store) + f'<div class="lm-kicker">Self-assessment · '
                f'{"short version, before the course" if phase == "before" else "full version"}</div>'
                f'<div class="lm-prompt">{escape(instrument.title)}</div>'
                f'<div class="lm-muted">{escape(instrument.disclaimer)}</div>'
                f'<div>How often do you do each of these? Pick one number for each statement: {escape(scale)}. '
                "Your choice is marked with a tick, and it is saved as you click.</div>")
        lowest, highest = min(instrument.scale), max(instrument.scale)
        self.buttons: dict[str, W.RadioButtons] = {}
        rows = [W.HTML(head)]
        names = {c.id: c.name for c in instrument.clusters}
        current = None
        for n, item in enumerate(self.items, start=1):
            if item.cluster != current:
                current = item.cluster
                rows.append(W.HTML(f'<div class="lm-kicker" style="margin-top:10px">{escape(names[current])}</div>'))
            # Radio buttons drawn as a row of boxes: the browser tells screen readers which one is chosen.
            choice = W.RadioButtons(options=[(str(k), k) for k in instrument.scale], value=saved.get(item.id),
                                    orientation="horizontal", layout=W.Layout(width="auto"))
            choice.observe(lambda change, item_id=item.id: self._on_rate(item_id, change["new"]), names="value")
            self.buttons[item.id] = choice
            earlier = before.get(item.id)
            note = f' <span class="lm-muted">(before the course: {earlier})</span>' if earlier else ""
            scale_row = W.HBox([W.HTML(f'<span class="lm-scale-end">{escape(instrument.scale[lowest])}</span>'),
                                choice,
                                W.HTML(f'<span class="lm-scale-end">{escape(instrument.scale[highest])}</span>')])
            scale_row.add_class("lm-scale")
            row = W.HBox([W.HTML(f'<div class="lm-item-number">{n}.</div>'),
                          W.HTML(f'<div class="lm-statement">{escape(item.text)}{note}</div>'), scale_row])
            row.add_class("lm-rating")
            rows.append(row)
        self.count_line = W.HTML()
        rows.append(self.count_line)
        super().__init__(children=rows, **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-self-assessment")
        self._count()

    def fallback_html(self) -> str:
        items = "".join(f"<li>{escape(i.text)}</li>" for i in self.items)
        return f"<p><b>{escape(self.instrument.title)}</b>: rate each from 1 to 5.</p><ol>{items}</ol>"

    def rate(self, item_id: str, value: int | None) -> None:
        """Set a rating as if the learner had clicked it."""
        self.buttons[item_id].value = value

    def _on_rate(self, item_id: str, value) -> None:
        try:
            self.store.save_rating(self.phase, item_id, value)
        except Exception as exc:
            self.count_line.value = f'<div class="lm-warning" role="alert">⚠ Not saved: {escape(str(exc))}</div>'
            return
        self._count()

    def _count(self) -> None:
        self.answered = sum(1 for b in self.buttons.values() if b.value is not None)
        total = len(self.buttons)
        where = ("you will see your profile in lesson 12, where you rate yourself again" if self.phase == "before"
                 else "see your profile below")
        done = f" All rated: {where}." if self.answered == total else ""
        self.count_line.value = f'<div class="lm-muted" role="status">{self.answered} of {total} rated.{done}</div>'


class ProfileView(Fallback, W.VBox):
    """The profile chart with its text summary, redrawn on Refresh."""

    def __init__(self, instrument: Instrument, store, **kwargs):
        self.instrument, self.store = instrument, store
        self.image = W.Image(format="png", layout=W.Layout(max_width="760px"))
        self.summary = W.HTML()
        self.refresh_button = W.Button(description="Refresh", icon="refresh", tooltip="Redraw with your latest ratings")
        self.refresh_button.on_click(lambda _b: self.refresh())
        super().__init__(children=[W.HTML(CSS + '<div class="lm-kicker">Your profile</div>'), self.image, self.summary,
                                   self.refresh_button], **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-profile")
        self._pending = None
        self.refresh()
        self.listen(store, self._on_store_change)

    def _on_store_change(self) -> None:
        """Redraw shortly after ratings change (a burst of clicks redraws once)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.refresh()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(0.8, self.refresh)

    def fallback_html(self) -> str:
        return f"<p><b>Your profile</b></p>{self.summary.value}"

    def _retire(self) -> None:
        if self._pending is not None:  # a redraw still waiting would draw into a closed view
            self._pending.cancel()
            self._pending = None
        super()._retire()

    def refresh(self) -> None:
        """Score the stored ratings and redraw the chart and summary."""
        from course.profile import chart_png, profiles, summary_lines

        scored = profiles(self.instrument, self.store)
        lines = summary_lines(self.instrument, scored)
        if scored:
            self.image.value = chart_png(self.instrument, scored)
            self.image.layout.display = ""
        else:
            self.image.layout.display = "none"
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        self.summary.value = (f'<div role="note"><b>In words:</b><ul>{items}</ul>'
                              f'<div class="lm-muted">{escape(self.instrument.disclaimer)}</div></div>')


class ActionPlanForm(Fallback, W.VBox):
    """The capstone plan: fields saved as typed, behaviour tags, a rubric checklist and a Markdown download."""

    def __init__(self, form: PlanForm, lesson, store, debounce: float = 1.0, **kwargs):
        from course.bank import Reflection as Prompt

        self.form, self.store = form, store
        self.boxes: dict[str, ReflectionBox] = {}
        self.tags: dict[str, W.Dropdown] = {}
        _, saved_tags = read_plan(store, form)
        self.download_button = W.Button(description="Download my plan (.md)", icon="download",
                                        tooltip="A Markdown copy of your plan and its checklist",
                                        layout=W.Layout(width="auto"))
        self.download_button.add_class("lm-button")
        self.download_button.add_class("lm-button-primary")
        self.download_button.on_click(self._on_download)
        download_row = W.HBox([self.download_button,
                               W.HTML('<span class="lm-muted">A Markdown file with your plan and its checklist, '
                                      "to print, share or keep.</span>", layout=W.Layout(flex="1 1 260px"))])
        download_row.add_class("lm-download-row")
        self.links = W.HTML()
        self.trigger = DownloadTrigger()
        children = [W.HTML(CSS + notice_html(store) + f'<div class="lm-kicker">Capstone</div>'
                           f'<div class="lm-prompt">{escape(form.title)}</div><div>{escape(form.intro)}</div>')]
        for field in form.fields:
            box = ReflectionBox(lesson, Prompt(field_key(field.id), field.prompt), store, debounce=debounce, kicker="")
            box.area.rows = 4
            box.area.placeholder = field.placeholder or box.area.placeholder
            box.area.description = field.label
            box.remove_class("lm-card")
            box.remove_class("lm-reflection")
            box.add_class("lm-plan-field")
            box.observe(lambda _c: self.update_checklist(), names="saved_text")
            self.boxes[field.id] = box
            children.append(box)
            if field.id in BEHAVIOURS:
                tag = W.Dropdown(options=[("Choose…", "")] + [(t.capitalize(), t) for t in TAGS],
                                 value=saved_tags.get(field.id) or "",
                                 description=f"Behaviour {field.id.rsplit('-', 1)[1]} is mainly",
                                 style={"description_width": "initial"}, layout=W.Layout(width="320px"))
                tag.observe(lambda change, b=field.id: self._on_tag(b, change["new"]), names="value")
                self.tags[field.id] = tag
                children.append(tag)
        self.checklist = W.HTML()
        children += [self.checklist, download_row, self.links, self.trigger]
        super().__init__(children=children, **kwargs)
        self.add_class("lm-card")
        self.add_class("lm-plan")
        self.update_checklist()

    def fallback_html(self) -> str:
        fields = "".join(f"<li><b>{escape(f.label)}</b>: {escape(f.prompt)}</li>" for f in self.form.fields)
        return f"<p><b>{escape(self.form.title)}</b></p><ul>{fields}</ul>"

    def _retire(self) -> None:
        for box in self.boxes.values():  # every field's words are stored before any part of the form closes
            box.flush()
        super()._retire()

    def _on_tag(self, behaviour: str, value) -> None:
        try:
            self.store.save_reflection(LESSON, tag_key(behaviour), value or "")
        except Exception as exc:
            self.checklist.value = f'<div class="lm-warning" role="alert">⚠ Not saved: {escape(str(exc))}</div>'
            return
        self.update_checklist()

    def values(self) -> tuple[dict[str, str], dict[str, str]]:
        """Return the plan as the learner sees it now."""
        return ({fid: box.text for fid, box in self.boxes.items()},
                {b: (dd.value or "") for b, dd in self.tags.items()})

    def update_checklist(self) -> None:
        """Recheck the plan against the rubric and show gentle prompts for what is missing."""
        values, tags = self.values()
        gaps = plan_gaps(values, tags)
        results = {rule: not missing for rule, missing in gaps.items()}
        items = []
        for rule, met in results.items():
            prompt, done = self.form.rubric[rule]
            detail = "" if met else f'<br><span class="lm-muted">{escape(missing_line(gaps[rule]))}</span>'
            items.append(f'<li class="{"lm-ok" if met else "lm-no"}">{"✔ Done" if met else "○ To do"}: '
                         f"{escape(done if met else prompt)}{detail}</li>")
        count = sum(results.values())
        self.checklist.value = (f'<div class="lm-feedback" role="status" aria-live="polite"><div class="lm-verdict">'
                                f'Checklist: {count} of {len(results)} in place</div><ul>{"".join(items)}</ul></div>')
        self.download_button.description = f"Download my plan (.md, {size_text(len(self.plan_text().encode('utf-8')))})"

    def plan_text(self) -> str:
        """Return the plan as the Markdown file the learner downloads."""
        values, tags = self.values()
        return plan_markdown(self.form, values, tags, self.store.get("learner_name"))

    def _on_download(self, _button=None) -> None:
        import uuid

        for box in self.boxes.values():
            box.flush()
        text = self.plan_text()
        token = uuid.uuid4().hex
        self.links.value = (f'<div role="status">✔ Your plan is ready ({size_text(len(text.encode("utf-8")))}) and '
                            "should be downloading now. If it does not arrive, use this link: "
                            + data_link(text, "my-90-day-plan.md", "text/markdown", "my-90-day-plan.md", token=token)
                            + '<div class="lm-muted">On Binder, download before you leave: the session and its files '
                            "vanish when it ends.</div></div>")
        self.trigger.start(token)
