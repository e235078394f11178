"""What a learner reads and clicks: the Run All line, the two downloads, the rating scale, readable charts."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

MODULES = Path(__file__).resolve().parent.parent / "modules"
NOTEBOOKS = sorted(MODULES.glob("[0-9][0-9]_*.ipynb"))


# -- every lesson says how to start -------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_lesson_opens_by_saying_run_all_and_that_answers_are_saved(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = next(c for c in cells if c["cell_type"] == "markdown")
    assert first is cells[0], "the line is read before any code cell"
    lines = [line for line in "".join(first["source"]).splitlines() if "Run All Cells" in line]
    assert len(lines) == 1, f"{path.name}: one line names Run All Cells"
    line = lines[0]
    assert "Run › Run All Cells" in line, "named as in the menu, as lesson 00's table names it"
    assert "quizzes" in line and "reflection" in line, "says what running all cells makes appear"
    assert "saved" in line, "says that answers are kept"


# -- the download panel ---------------------------------------------------------------------------------
def anchors(html: str) -> list[dict]:
    """Return each download link in some HTML as its attributes and label."""
    out = []
    for attrs, label in re.findall(r"<a ([^>]*)>(.*?)</a>", html):
        found = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        if "download" in found:
            found["label"] = re.sub(r"<[^>]+>", "", label).strip()
            found["icon"] = label.split("</i>")[0] + "</i>" if "</i>" in label else label[:1]
            found["bytes"] = base64.b64decode(found["href"].split(",", 1)[1])
            out.append(found)
    return out


def script_of(trigger) -> str:
    (output,) = trigger.outputs
    return output["data"]["application/javascript"]


def test_the_json_download_is_one_button_that_says_what_it_holds_and_its_size(store):
    from widgets.course_views import DownloadWork, size_text

    store.save_reflection("two-words", "r1", "a few words")
    view = DownloadWork(store)
    button = view.json_button
    assert button.description == f"Answers and reflections (.json, {size_text(view.export_size)})"
    assert {"lm-button", "lm-button-primary"} <= set(button._dom_classes), "drawn as the main button, not as text"
    assert button.icon == view.button.icon == "download", "the icon of the .zip button beside it"
    assert re.fullmatch(rf"lead-manage-{store.learner_id[:8]}-[0-9]{{8}}-[0-9]{{4}}\.json", view.json_filename), \
        "named after the learner"
    assert "Upload it again later to carry on where you left off." in view.json_row.children[1].value
    assert (f"To hand in your work, send <code>{view.json_filename}</code> (the .json, not the .zip) the way your "
            "trainer asks: a shared folder, an LMS upload or email.") in view.export_link.value
    assert anchors(view.export_link.value) == [] and view.trigger.outputs == (), "no file is sent before the click"
    button.click()
    (link,) = anchors(view.export_link.value)
    assert link["download"] == view.json_filename and link["label"] == "⬇ the .json", "a plain link, as the .zip's"
    assert len(link["bytes"]) == view.export_size and button.description.endswith(f", {size_text(len(link['bytes']))})")
    assert json.loads(link["bytes"])["reflections"][0]["text"] == "a few words"
    token = link["data-lm-download"]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    script = script_of(view.trigger)
    assert f'"{token}"' in script and "link.click()" in script, "the page is asked to click this very link"
    assert (f"Your .json file is ready ({size_text(len(link['bytes']))}) and should be downloading now."
            in view.export_link.value)
    assert (f"To hand in your work, send <code>{link['download']}</code> (the .json, not the .zip)"
            in view.export_link.value), "the hand-in line names the file just downloaded"
    button.click()
    (again,) = anchors(view.export_link.value)
    assert again["data-lm-download"] != token and f'"{again["data-lm-download"]}"' in script_of(view.trigger), \
        "each click downloads again"


def counting_builds(monkeypatch) -> list:
    """Count the exports built from now on (`course.exchange.export_file` calls), the .zip's included."""
    import course.exchange

    builds, build = [], course.exchange.export_file

    def counted(*args, **kwargs):
        builds.append(args)
        return build(*args, **kwargs)

    monkeypatch.setattr(course.exchange, "export_file", counted)
    return builds


def wait_for_recount(view, timeout: float = 10.0) -> None:
    import time

    until = time.monotonic() + timeout
    while view.recount_pending and time.monotonic() < until:
        time.sleep(0.02)
    assert not view.recount_pending, "the recount came"


def typed(box, count: int) -> list[str]:
    """Type `count` growing versions of a sentence into a reflection box; return them."""
    versions = [f"Today I asked the team what gets in their way ({n} of {count})" for n in range(1, count + 1)]
    for text in versions:
        box.area.value = text
    return versions


@pytest.fixture
def reflection_box(store):
    from course.bank import lesson
    from widgets.reflection_view import ReflectionBox

    two_words = lesson("two-words")
    box = ReflectionBox(two_words, two_words.reflections[0], store, debounce=0)  # every keystroke is a save
    yield box
    box.close()


@pytest.mark.parametrize("delay", [0.0, 3.0], ids=["counting-at-every-write", "counting-later"])
def test_fifty_saves_while_typing_build_the_export_at_most_once_more(store, monkeypatch, reflection_box, delay):
    import widgets.course_views as views

    waiting = []  # the recounts the panel asked for: the test says when their time has come

    class Handle:
        def __init__(self, seconds, callback):
            self.seconds, self.callback = seconds, callback
            waiting.append(self)

        def cancel(self):
            waiting.remove(self)

    monkeypatch.setattr(views, "call_later", Handle)
    view = views.DownloadWork(store, recount_delay=delay)
    builds = counting_builds(monkeypatch)
    versions = typed(reflection_box, 50)
    assert len(store.reflection_revisions()) == 50, "each keystroke was a save the panel heard of"
    if delay == 0:  # the limit's other side: counting at every write builds the export at every save
        assert len(builds) == 50 and waiting == []
        return
    assert builds == [] and view.recount_pending, "no export is built while the learner types"
    assert [handle.seconds for handle in waiting] == [3.0], "one recount waits, three seconds after the first save"
    waiting.pop().callback()
    assert len(builds) == 1 and not view.recount_pending
    assert "So far you have written 1 reflection." in view.export_link.value
    view.json_button.click()
    (link,) = anchors(view.export_link.value)
    assert len(builds) == 2 and json.loads(link["bytes"])["reflections"][-1]["text"] == versions[-1]


def test_the_recount_comes_after_the_last_save_and_the_counts_are_true(store, monkeypatch, reflection_box):
    import time

    from course.exchange import export_file
    from widgets.course_views import DownloadWork, size_text

    view = DownloadWork(store, recount_delay=0.5)
    builds = counting_builds(monkeypatch)
    assert "You have not answered any questions" in view.export_link.value
    started = time.monotonic()
    typed(reflection_box, 50)
    took = time.monotonic() - started
    wait_for_recount(view)
    assert 1 <= len(builds) <= 2 + took / 0.5, "at most one recount per 0.5 s while typing, and one after the last save"
    assert "So far you have written 1 reflection." in view.export_link.value
    assert view.export_size == export_file(store).size, "the size as of the last save"
    assert view.json_button.description == f"Answers and reflections (.json, {size_text(view.export_size)})"
    view.close()


def test_a_click_downloads_the_work_of_that_moment(store):
    import io
    import zipfile

    from course.bank import lesson
    from widgets.course_views import DownloadWork
    from widgets.reflection_view import ReflectionBox

    view = DownloadWork(store, recount_delay=60.0)
    store.save_reflection("two-words", "r1", "saved a moment ago")
    assert view.recount_pending and "You have not answered any questions" in view.export_link.value
    two_words = lesson("two-words")
    box = ReflectionBox(two_words, two_words.reflections[1], store, debounce=60.0)
    box.area.value = "typed just now, <b>not yet stored</b>"
    assert box.pending
    view.json_button.click()
    (link,) = anchors(view.export_link.value)
    texts = {row["reflection"]: row["text"] for row in json.loads(link["bytes"])["reflections"]}
    assert texts == {"r1": "saved a moment ago", two_words.reflections[1].id: "typed just now, <b>not yet stored</b>"}
    assert not box.pending, "the click stored the waiting words first"
    assert not view.recount_pending, "the click counted everything: no recount waits"
    assert "So far you have written 2 reflections." in view.export_link.value
    store.save_reflection("two-words", "r1", "changed after the click")
    view.button.click()
    (archive,) = anchors(view.links.value)
    inside = json.loads(zipfile.ZipFile(io.BytesIO(archive["bytes"])).read("lead-manage-export.json"))
    assert "changed after the click" in [row["text"] for row in inside["reflections"]], "the .zip is made at its click"
    box.close()
    view.close()


def test_a_closed_or_replaced_panel_leaves_no_timer_running(monkeypatch):
    import time

    import widgets
    from course.store import default_store

    widgets.close_views()
    store = default_store()
    builds = counting_builds(monkeypatch)
    first = widgets.download_work()
    first.recount_delay = 0.2
    store.save_reflection("two-words", "r1", "one thought")
    assert first.recount_pending
    second = widgets.download_work()  # the cell runs again: its earlier panel is replaced
    assert first.comm is None and not first.recount_pending, "the replaced panel's recount is dropped"
    second.recount_delay = 0.2
    store.save_reflection("two-words", "r1", "one more thought")
    assert second.recount_pending
    second.close()
    assert not second.recount_pending and store.listener_count == 0, "closed: nothing waits, nothing listens"
    built = len(builds)
    time.sleep(0.6)  # three times the delay
    store.save_reflection("two-words", "r1", "and another")
    time.sleep(0.6)
    assert len(builds) == built, "no export is built after the panels are gone"
    assert not first.recount_pending and not second.recount_pending


def test_work_too_large_for_one_file_hides_the_json_button_until_it_fits(store, monkeypatch):
    import course.exchange
    from course.exchange import ExportTooLarge
    from widgets.course_views import DownloadWork

    fits = course.exchange.export_file

    def too_large(*args, **kwargs):
        raise ExportTooLarge(5 * 1024 * 1024 + 1)

    view = DownloadWork(store)
    assert view.json_row.layout.display is None and view.json_filename
    monkeypatch.setattr(course.exchange, "export_file", too_large)
    view.json_button.click()  # a click sent just before the work outgrew the limit
    assert view.json_row.layout.display == "none" and view.json_filename == "" and view.export_size == 0
    assert anchors(view.export_link.value) == [] and view.trigger.outputs == (), "nothing downloads"
    assert "too large for one file: it takes 5 MB" in view.export_link.value
    monkeypatch.setattr(course.exchange, "export_file", fits)
    view.recount()
    assert view.json_row.layout.display is None and view.json_filename and "too large" not in view.export_link.value
    view.close()


def test_a_negative_recount_delay_is_refused(store):
    from traitlets import TraitError

    from widgets.course_views import DownloadWork

    view = DownloadWork(store, recount_delay=0)
    with pytest.raises(TraitError, match="zero or more seconds"):
        view.recount_delay = -0.1
    view.close()


def lesson_markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_the_lessons_name_the_download_buttons_as_the_panel_does(store):
    from widgets.course_views import DownloadWork

    view = DownloadWork(store)
    json_label = re.sub(r", [^,]+\)$", ", …)", view.json_button.description)  # the size varies: the lesson says …
    assert json_label == "Answers and reflections (.json, …)"
    with_panel = [path for path in NOTEBOOKS if "download_work()" in path.read_text(encoding="utf-8")]
    assert {"00_start_here.ipynb", "13_capstone_plan.ipynb"} <= {path.name for path in with_panel}
    for path in with_panel:
        text = lesson_markdown(path)
        assert f"**{json_label}**" in text and f"**{view.button.description}**" in text, path.name
    assert f"**{view.name.description}**" in lesson_markdown(MODULES / "00_start_here.ipynb")
    for path in NOTEBOOKS:  # labels the panel once had
        text = lesson_markdown(path)
        assert "Download my work (.json)" not in text and "Also make a .zip" not in text, path.name


def test_the_zip_downloads_at_the_first_click(store):
    import io
    import zipfile

    from widgets.course_views import DownloadWork, size_text

    store.save_reflection("two-words", "r1", "kept")
    view = DownloadWork(store)
    assert view.button.description == "Everything as a .zip"
    assert {"lm-button", "lm-button-secondary"} <= set(view.button._dom_classes), "a second button, not the main one"
    assert view.trigger.outputs == () and view.links.value == ""
    view.button.click()
    (link,) = anchors(view.links.value)
    assert link["download"] == view.zip_filename == view.json_filename.removesuffix(".json") + ".zip", \
        "the two files of one download share a name"
    token = link["data-lm-download"]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    script = script_of(view.trigger)
    assert f'"{token}"' in script and "link.click()" in script, "the page is asked to click this very link"
    assert zipfile.ZipFile(io.BytesIO(link["bytes"])).namelist() == ["lead-manage-export.json", "reflections-portfolio.md"]
    assert (f"Your .zip is ready ({size_text(len(link['bytes']))}) and should be downloading now. It holds "
            "lead-manage-export.json and reflections-portfolio.md.") in view.links.value
    view.button.click()
    (again,) = anchors(view.links.value)
    assert again["data-lm-download"] != token and f'"{again["data-lm-download"]}"' in script_of(view.trigger), \
        "each click downloads again"


def test_the_click_script_runs_once_per_token():
    from widgets.course_views import DownloadTrigger

    trigger = DownloadTrigger()
    assert trigger.layout.display == "none"
    trigger.start("ab12")
    script = script_of(trigger)
    assert 'const token = "ab12";' in script
    assert 'sessionStorage.getItem("lm-download-" + token)' in script, "a redrawn output does not download again"
    trigger.start('x";alert(1);"')
    assert 'const token = "x\\";alert(1);\\"";' in script_of(trigger), "a token is always a string in the script"


def attempts(store, questions: int, checks: int) -> None:
    """Record `checks` checks spread over `questions` questions of lesson 01."""
    for n in range(checks):
        store.record_attempt("two-words", f"q{n % questions}", 0, n % 2 == 0, 1.0)


@pytest.mark.parametrize("questions, checks, reflections, ratings, expected", [
    (0, 0, 0, 0, "You have not answered any questions or written any reflections yet, so the file is nearly empty."),
    (1, 1, 0, 0, "So far you have answered 1 question (1 check)."),
    (1, 2, 0, 0, "So far you have answered 1 question (2 checks)."),
    (2, 2, 1, 0, "So far you have answered 2 questions (2 checks) and written 1 reflection."),
    (97, 433, 12, 0, "So far you have answered 97 questions (433 checks) and written 12 reflections."),
    (0, 0, 2, 0, "So far you have written 2 reflections."),
    (0, 0, 0, 1, "So far you have given 1 self-assessment rating."),
    (3, 4, 2, 12, "So far you have answered 3 questions (4 checks), written 2 reflections and given 12 "
                  "self-assessment ratings."),
])
def test_the_counts_are_true_and_grammatical(store, questions, checks, reflections, ratings, expected):
    from widgets.course_views import DownloadWork

    if questions:
        attempts(store, questions, checks)
    for n in range(reflections):
        store.save_reflection("two-words", f"r{n}", f"thought {n}")
    for n in range(ratings):
        store.save_rating("before", f"item-{n}", 3)
    assert f"<div>{expected}</div>" in DownloadWork(store).export_link.value


def test_blank_reflections_cleared_ratings_and_plan_fields_are_not_counted_as_reflections(store):
    from course.plan import LESSON, field_key, tag_key
    from widgets.course_views import DownloadWork

    store.save_reflection("two-words", "r1", "first thought")
    store.save_reflection("two-words", "r1", "second thought")  # one reflection, two revisions
    store.save_reflection("two-words", "r2", "written, then emptied")
    store.save_reflection("two-words", "r2", "   ")
    store.save_rating("before", "item-1", 4)
    store.save_rating("before", "item-2", 4)
    store.save_rating("before", "item-2", None)  # cleared
    view = DownloadWork(store)
    assert "<div>So far you have written 1 reflection and given 1 self-assessment rating.</div>" in view.export_link.value
    store.save_reflection(LESSON, tag_key("behaviour-1"), "leading")
    view.recount()
    assert "<div>So far you have written 1 reflection and given 1 self-assessment rating.</div>" in view.export_link.value
    store.save_reflection(LESSON, field_key("context"), "I lead a team of six.")
    view.recount()
    assert ("<div>So far you have written 1 reflection, given 1 self-assessment rating and started your "
            "90-day plan.</div>") in view.export_link.value


def test_the_trimmed_history_note_stays(store):
    from course.exchange import MAX_BYTES
    from widgets.course_views import DownloadWork

    view = DownloadWork(store, recount_delay=0.05)
    assert "keeps only the latest version" not in view.export_link.value
    big = "word " * 400
    revisions = [{"uid": f"{n:032x}", "lesson": "two-words", "reflection": "r1", "text": f"{big}{n}",
                  "at": f"2026-11-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00"}
                 for n in range(MAX_BYTES // len(big) + 10)]  # one prompt, revised until its history passes 5 MB
    store.merge([], revisions, [])
    wait_for_recount(view)
    assert view.reflection_history == "latest"
    assert ("Your file keeps only the latest version of each reflection, because the full history is over 5 MB."
            in view.export_link.value)
    assert "So far you have written 1 reflection." in view.export_link.value


def test_the_plan_downloads_at_the_first_click_and_its_button_gives_the_size(store):
    from course.bank import lesson
    from course.instruments import action_plan
    from widgets.course_views import size_text
    from widgets.profile_views import ActionPlanForm

    form = ActionPlanForm(action_plan(), lesson("capstone-plan"), store, debounce=0)
    size = len(form.plan_text().encode("utf-8"))
    assert form.download_button.description == f"Download my plan (.md, {size_text(size)})"
    form.boxes["context"].area.value = "I lead a team of six in a busy warehouse. " * 40
    longer = len(form.plan_text().encode("utf-8"))
    assert longer > size + 1024 and form.download_button.description == f"Download my plan (.md, {size_text(longer)})"
    assert form.links.value == ""
    form.download_button.click()
    (link,) = anchors(form.links.value)
    assert link["download"] == "my-90-day-plan.md" and "I lead a team of six" in link["bytes"].decode("utf-8")
    assert f'"{link["data-lm-download"]}"' in script_of(form.trigger)


# -- the rating scale ---------------------------------------------------------------------------------
def test_each_statement_comes_before_its_scale_and_the_ends_are_named(store):
    from course.instruments import self_assessment
    from widgets.profile_views import SelfAssessment

    view = SelfAssessment(self_assessment(), "before", store)
    rows = [row for row in view.children if "lm-rating" in row._dom_classes]
    assert len(rows) == len(view.buttons) == 12
    for n, (row, item) in enumerate(zip(rows, view.items), start=1):
        number, statement, scale = row.children
        assert number.value == f'<div class="lm-item-number">{n}.</div>'
        assert item.text in statement.value or item.text.replace("'", "&#x27;") in statement.value
        low, choice, high = scale.children
        assert "Rarely or never" in low.value and "Almost always" in high.value
        assert choice is view.buttons[item.id]


def test_the_choices_are_radio_buttons_so_the_chosen_one_is_announced(store):
    import ipywidgets as W

    from course.instruments import self_assessment
    from widgets.profile_views import SelfAssessment

    view = SelfAssessment(self_assessment(), "before", store)
    item = view.items[0].id
    choice = view.buttons[item]
    assert isinstance(choice, W.RadioButtons) and choice.orientation == "horizontal"
    assert [value for _, value in choice.options] == [1, 2, 3, 4, 5] and choice.value is None
    view.rate(item, 1)
    view.rate(item, 5)
    assert store.ratings("before") == {item: 5} and view.answered == 1
    assert SelfAssessment(self_assessment(), "before", store).buttons[item].value == 5


def test_the_chosen_rating_is_marked_by_more_than_colour():
    from widgets._style import CSS

    checked = ".lm-card .lm-scale .widget-radio-box label:has(input:checked)"
    rules = dict(re.findall(r"([^{}]+?)\s*\{([^}]*)\}", CSS))
    rules = {selector.strip(): body for selector, body in rules.items()}
    assert 'content: "✓"' in rules[checked + "::before"], "a tick"
    assert "font-weight: 700" in rules[checked] and "border: 2px solid" in rules[checked], "bold and outlined"
    assert "focus-visible" in CSS, "keyboard focus shows"


# -- chart text contrast ----------------------------------------------------------------------------------
def luminance(colour) -> float:
    """WCAG relative luminance of an sRGB colour given as a matplotlib colour or an (r, g, b) in 0-1."""
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("fg, bg, ratio", [("#000000", "#ffffff", 21.0), ("#8a8a8a", "#ffffff", 3.45),
                                           ("#767676", "#ffffff", 4.54), ("#777777", "#ffffff", 4.48),
                                           ("#333333", "#ffffff", 12.63)])
def test_the_contrast_formula_matches_wcag(fg, bg, ratio):
    assert contrast(fg, bg) == pytest.approx(ratio, abs=0.01)


def drawn_figures(monkeypatch, draw) -> list:
    """Return the matplotlib figures a chart function renders."""
    import course.charts

    figures, render = [], course.charts.png

    def keep(fig, for_file):
        figures.append(fig)
        return render(fig, for_file)

    monkeypatch.setattr(course.charts, "png", keep)
    pngs = draw()
    return figures, pngs


def profile_charts(for_file: bool):
    from course.instruments import self_assessment
    from course.profile import chart_png, profiles
    from course.store import ProgressStore

    def draw():
        import tempfile

        instrument = self_assessment()
        with tempfile.TemporaryDirectory() as folder:
            store = ProgressStore(Path(folder) / "p.sqlite3")
            for n, item in enumerate(instrument.items):
                store.save_rating("before", item.id, 1 + n % 5)
                store.save_rating("after", item.id, 1 + (n + 2) % 5)
            png = chart_png(instrument, profiles(instrument, store), for_file=for_file)
            store.close()
        return [png]
    return draw


def class_charts(for_file: bool):
    from course.class_results import charts, demo_class

    return lambda: list(charts(demo_class(), for_file=for_file).values())


@pytest.mark.parametrize("for_file", [False, True], ids=["screen", "file"])
@pytest.mark.parametrize("chart", [profile_charts, class_charts], ids=["profile", "class"])
def test_every_chart_text_has_at_least_4_5_to_1_on_an_opaque_background(monkeypatch, chart, for_file):
    import io

    from matplotlib.colors import to_rgba
    from matplotlib.text import Text
    from PIL import Image

    figures, pngs = drawn_figures(monkeypatch, chart(for_file))
    assert figures and len(figures) == len(pngs)
    checked = 0
    for fig, png in zip(figures, pngs):
        background = to_rgba(fig.get_facecolor())
        assert background[3] == 1.0, "an opaque figure: a transparent one takes the theme's background"
        for ax in fig.axes:
            assert to_rgba(ax.get_facecolor()) == background
        for text in fig.findobj(Text):
            if text.get_visible() and text.get_text().strip():
                ratio = contrast(text.get_color(), background[:3])
                assert ratio >= 4.5, f"{text.get_text()!r} in {text.get_color()} has {ratio:.2f}:1"
                checked += 1
        alpha = Image.open(io.BytesIO(png)).convert("RGBA").getchannel("A")
        assert alpha.getextrema() == (255, 255), "the PNG has no see-through pixels"
    assert checked >= 10


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "modules").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.name)
def test_each_lesson_ends_by_asking_to_close_it_before_the_next(path):
    """Idle kernels of closed lessons are stopped (.jupyter/jupyter_server_config.py); open ones never are."""
    import json

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    last = "".join([c for c in cells if c["cell_type"] == "markdown"][-1]["source"])
    assert "File › Close and Shut Down Notebook" in last
    assert last.index("Close and Shut Down") < last.rindex("](")


def test_a_name_with_a_broken_character_still_downloads_and_is_kept_readable(store):
    from widgets.course_views import DownloadWork

    view = DownloadWork(store)
    view.name.value = "Ann\ud83d"  # half an emoji, as a browser can send it
    view.json_button.click()
    view.button.click()
    assert "✔ Your .zip is ready" in view.links.value
    assert store.get("learner_name") == "Ann\ufffd"


def test_an_emptied_name_box_forgets_the_name_for_next_time(store):
    from widgets.course_views import DownloadWork

    view = DownloadWork(store)
    view.name.value = "Ann Lee"
    view.json_button.click()
    assert DownloadWork(store).name.value == "Ann Lee"
    view.name.value = "  "
    view.json_button.click()
    assert DownloadWork(store).name.value == "", "a learner who removed their name does not get it back"


def test_a_zip_that_cannot_be_read_just_now_says_so_and_leaves_no_old_link(store, monkeypatch):
    import sqlite3

    from widgets.course_views import DownloadWork

    view = DownloadWork(store)
    view.button.click()
    assert "✔ Your .zip is ready" in view.links.value

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_read", broken)
    view.button.click()
    assert "could not be read just now (disk I/O error)" in view.links.value
    assert "✔ Your .zip is ready" not in view.links.value and "data:" not in view.links.value
