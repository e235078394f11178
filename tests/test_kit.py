"""The trainer's kit (`python -m course kit OUT`): printable pages built from course/kit/*.yaml and the bank,
the facilitator guides that share its data, and the pages as Chromium prints them (browser-marked)."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import course.kit as kit
from course.bank import lesson, load_file
from course.kinds import kind_of
from course.order import display_order

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "course" / "kit"
GUIDES = REPO / "modules" / "facilitator"
DATA = Path(__file__).parent / "data"
PAGE_FILES = ["index.html", "run-sheet.html", "worksheet.html", "jigsaw.html", "myth-cards.html", "evaluation.html",
              "fallback.html", "fallback-questions.html", "answer-key.html"]
LARGE_FILES = ["worksheet.html", "jigsaw.html", "evaluation.html", "fallback-questions.html"]


def build(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course", "kit", str(out), *extra], capture_output=True, text=True,
                          timeout=300, cwd=out.parent)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The shipped kit, built once with the documented command."""
    out = tmp_path_factory.mktemp("kit") / "kit"
    done = build(out)
    assert done.returncode == 0, done.stderr
    assert str(out / "index.html") in done.stdout
    return out


def shown(text: str) -> str:
    """Return text as the pages write it (escaped by the templates)."""
    from markupsafe import escape

    return str(escape(text))


def text_of(markup: str) -> str:
    """Return what a reader sees of some HTML: tags gone, entities read, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# -- well-formed pages ------------------------------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NOT_IN_P = {"address", "article", "aside", "div", "dl", "fieldset", "footer", "form", "h1", "h2", "h3", "h4", "h5",
            "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul"}
PARENTS = {"li": {"ul", "ol"}, "tr": {"thead", "tbody", "tfoot", "table"}, "td": {"tr"}, "th": {"tr"},
           "thead": {"table"}, "tbody": {"table"}}
INTERACTIVE = {"script", "form", "input", "button", "select", "textarea", "iframe", "object", "embed"}


class Strict(HTMLParser):
    """Collect what makes a page invalid HTML: unclosed or crossed tags, misplaced children, a missing head part."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.seen, self.ids = [], [], set(), set()
        self.doctype = False

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self.seen.add(tag)
        attrs = dict(attrs)
        if tag in NOT_IN_P and "p" in self.stack:
            self.problems.append(f"<{tag}> inside <p>")
        if tag in PARENTS and (not self.stack or self.stack[-1] not in PARENTS[tag]):
            self.problems.append(f"<{tag}> inside <{self.stack[-1] if self.stack else 'nothing'}>")
        if "id" in attrs:
            if attrs["id"] in self.ids:
                self.problems.append(f"id {attrs['id']!r} twice")
            self.ids.add(attrs["id"])
        if tag == "html" and not attrs.get("lang"):
            self.problems.append("<html> without lang")
        if tag == "meta" and "charset" in attrs:
            self.seen.add("charset")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def html_problems(page: str) -> list[str]:
    parser = Strict()
    parser.feed(page)
    parser.close()
    problems = list(parser.problems)
    if parser.stack:
        problems.append(f"left open: {parser.stack}")
    if not parser.doctype:
        problems.append("no <!doctype html>")
    for part in ("html", "head", "title", "body", "charset", "main"):
        if part not in parser.seen:
            problems.append(f"no {part}")
    problems += [f"an interactive <{tag}>" for tag in INTERACTIVE & parser.seen]
    return problems


def test_the_validity_check_catches_what_it_is_for():
    good = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
            '<body><main><p>x</p><ul><li>y</li></ul></main></body></html>')
    assert html_problems(good) == []
    for bad in (good.replace("</p>", ""), good.replace("<p>x</p>", "<p><div>x</div></p>"),
                good.replace("<ul><li>y</li></ul>", "<li>y</li>"), good.replace('lang="en"', ""),
                good.replace("<!doctype html>", ""), good.replace("<main>", "<main><button>go</button>"),
                good.replace("<title>t</title>", "")):
        assert html_problems(bad), bad


def test_the_command_writes_every_page_and_large_print_copies(built):
    assert sorted(p.name for p in built.glob("*.html")) == sorted(PAGE_FILES)
    assert sorted(p.name for p in (built / "large-print").glob("*.html")) == sorted(LARGE_FILES)
    assert not list(built.rglob(".kit-*")), "pages are renamed into place; no half-written file is left"
    index = (built / "index.html").read_text("utf-8")
    for name in PAGE_FILES[1:]:
        assert f'href="{name}"' in index
    for name in LARGE_FILES:
        assert f'href="large-print/{name}"' in index


@pytest.mark.parametrize("name", PAGE_FILES + [f"large-print/{n}" for n in LARGE_FILES])
def test_every_page_is_valid_html_that_prints_on_a4_and_loads_nothing(built, name):
    page = (built / name).read_text("utf-8")
    assert html_problems(page) == []
    assert "<script" not in page and "<link" not in page and "src=" not in page and "@import" not in page
    assert "url(" not in page and "http" not in page, "a page must print the same offline"
    assert re.search(r"@page\s*\{\s*size:\s*A4", page) and "@media print" in page
    if name.startswith("large-print/"):
        assert "kit-large" in page


def test_no_page_says_the_same_thing_twice_in_its_title_or_heading(built):
    for page in [built / n for n in PAGE_FILES] + [built / "large-print" / n for n in LARGE_FILES]:
        markup = page.read_text("utf-8")
        title = text_of(re.search(r"<title>(.*?)</title>", markup).group(1)).replace(" (large print)", "").split(" · ")
        assert len(title) == len(set(title)) and len(title) >= 2, (page.name, title)
        brand = text_of(re.search(r'<p class="kit-brand">(.*?)</p>', markup).group(1)).split(" · ")
        heading = text_of(re.search(r"<h1>(.*?)</h1>", markup).group(1)).split(" · ")
        assert not set(brand) & set(heading), (page.name, brand, heading)


def test_the_command_refuses_a_file_as_its_folder(tmp_path):
    a_file = tmp_path / "kit.html"
    a_file.write_text("mine")
    refused = build(a_file)
    assert refused.returncode == 2 and "is a file" in refused.stderr and a_file.read_text() == "mine"


# -- the kit's folder: its own earlier build, or nothing else ------------------------------------------------
MARK = '<meta name="generator" content="lead-manage kit">'


def snapshot(folder: Path) -> dict[str, object]:
    """Return every path under `folder` with its bytes (a folder as "folder"), to compare before and after."""
    return {str(p.relative_to(folder)): ("folder" if p.is_dir() else p.read_bytes()) for p in folder.rglob("*")}


def test_every_page_carries_the_kits_mark_in_its_head(built):
    for page in [built / n for n in PAGE_FILES] + [built / "large-print" / n for n in LARGE_FILES]:
        text = page.read_text("utf-8")
        assert MARK in page.read_bytes()[:1024].decode("utf-8", "replace"), page
        assert text.index(MARK) < text.index("</head>") and text.count(MARK) == 1, page


def test_the_kit_is_built_again_in_its_own_folder(tmp_path):
    out = tmp_path / "kit"
    assert build(out).returncode == 0
    (out / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # what Finder leaves in a folder it has shown
    (out / "large-print" / "Thumbs.db").write_bytes(b"\xd0\xcf")
    (out / "run-sheet.html").write_text("stale", "utf-8")  # a kit page is replaced only if it is the kit's own...
    assert build(out).returncode == 2
    (out / "run-sheet.html").write_text(MARK + "stale", "utf-8")  # ...as its mark says
    again = build(out)
    assert again.returncode == 0, again.stderr
    assert MARK in (out / "run-sheet.html").read_text("utf-8") and "stale" not in (out / "run-sheet.html").read_text("utf-8")
    assert (out / ".DS_Store").exists() and not list(out.rglob(".kit-*"))


@pytest.mark.parametrize("intruder, named", [
    ("index.html", "index.html"),  # a page someone else wrote, under the kit's own name
    ("notes.txt", "notes.txt"),
    ("large-print/handout.pdf", "large-print/handout.pdf"),
    ("photos/", "photos/"),
])
def test_the_kit_refuses_a_folder_holding_files_it_did_not_write_unless_forced(tmp_path, intruder, named):
    out = tmp_path / "handouts"
    assert build(out).returncode == 0
    path = out / intruder.rstrip("/")
    if intruder.endswith("/"):
        path.mkdir()
    else:
        path.write_text('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mine</title>', "utf-8")
    before = snapshot(out)
    refused = build(out)
    assert refused.returncode == 2
    assert f"{out} holds files the kit did not write: {named}" in refused.stderr
    assert "--force" in refused.stderr and str(tmp_path / "handouts-kit") in refused.stderr
    assert snapshot(out) == before, "nothing is written into a folder holding someone else's files"
    forced = build(out, "--force")
    assert forced.returncode == 0, forced.stderr
    if intruder == "index.html":
        assert MARK in (out / "index.html").read_text("utf-8"), "--force replaces a file of the same name"
    else:
        assert snapshot(out)[intruder.rstrip("/")] == before[intruder.rstrip("/")], "--force leaves other files be"


def test_a_mark_that_is_not_the_kits_or_is_read_too_late_is_not_the_kits(tmp_path):
    from course.static_site import page_generator

    page = tmp_path / "p.html"
    for text, expected in [(MARK, "lead-manage kit"), (MARK.replace("kit", "kit-x"), "lead-manage kit-x"),
                           ("x" * (1024 - len(MARK)) + MARK, "lead-manage kit"),  # ends on byte 1,024: read
                           ("x" * (1025 - len(MARK)) + MARK, None)]:  # ends on byte 1,025: not read
        page.write_text(text, "ascii")
        assert page_generator(page) == expected
    link = tmp_path / "link.html"
    link.symlink_to(tmp_path / "p.html")
    page.write_text(MARK, "ascii")
    assert page_generator(link) is None, "a link is not a page the kit wrote, whatever it points at"
    assert page_generator(tmp_path) is None and page_generator(tmp_path / "none.html") is None


def test_a_path_in_the_way_is_named_before_anything_is_written(tmp_path):
    out = tmp_path / "kit"
    out.mkdir()
    (out / "large-print").write_text("a file")
    (out / "answer-key.html").mkdir()
    before = snapshot(out)
    for extra in ((), ("--force",)):  # --force writes over files, never through something in the way
        refused = build(out, *extra)
        assert refused.returncode == 2
        assert f"{out / 'large-print'} is a file, not a folder" in refused.stderr
        assert f"{out / 'answer-key.html'} is a folder, not a file" in refused.stderr
        assert snapshot(out) == before, "no page is written when a later one could not be"
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    refused = subprocess.run([sys.executable, "-m", "course", "kit", str(blocker / "kit")], capture_output=True,
                             text=True, timeout=300, cwd=tmp_path)
    assert refused.returncode == 2 and f"{blocker} is a file, not a folder" in refused.stderr
    assert blocker.read_text() == "a file"


@pytest.mark.parametrize("fail_at", [1, 7, 13])
def test_a_failure_while_writing_leaves_no_partial_kit(tmp_path, monkeypatch, fail_at):
    real_stage, calls = kit._stage, []

    def failing(target, text):
        calls.append(target)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device", str(target))
        return real_stage(target, text)

    monkeypatch.setattr(kit, "_stage", failing)
    fresh = tmp_path / "new" / "deeper" / "kit"
    with pytest.raises(OSError, match="No space left"):
        kit.write_kit(fresh)
    assert not (tmp_path / "new").exists(), "a new kit's folders go again with its pages"
    monkeypatch.setattr(kit, "_stage", real_stage)
    earlier = tmp_path / "earlier"
    kit.write_kit(earlier)
    (earlier / "index.html").write_text(MARK + "the earlier build", "utf-8")
    before = snapshot(earlier)
    calls.clear()
    monkeypatch.setattr(kit, "_stage", failing)
    with pytest.raises(OSError) as raised:
        kit.write_kit(earlier)
    assert raised.value.filename == str(calls[-1]) and not raised.value.filename.startswith(".kit-")
    assert snapshot(earlier) == before, "an earlier kit stays whole when a build fails"


def test_a_page_that_cannot_be_written_is_named(tmp_path, monkeypatch, capsys):
    import tempfile

    from course.__main__ import main

    out = tmp_path / "kit"
    real = tempfile.mkstemp

    def refuse_large_print(*args, dir=None, **kwargs):
        if Path(dir).name == "large-print":
            raise PermissionError(13, "Permission denied", str(Path(dir) / ".kit-x.html"))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse_large_print)
    assert main(["kit", str(out)]) == 2
    assert f"cannot write {out / 'large-print' / 'worksheet.html'}: Permission denied" in capsys.readouterr().err
    assert not out.exists()


# -- escaping: every text field, the kit's and the bank's ----------------------------------------------------
ID_KEYS = {"id", "lesson", "question", "questions", "block", "letter", "page"}


def marked_data(folder: Path) -> list[str]:
    """Write the shipped kit into `folder` with a unique <b> marker in every text field, pointing at the sample
    lesson of tests/data; return the markers."""
    markers = []

    def mark(node, key=None):
        if isinstance(node, dict):
            return {k: (v if k in ID_KEYS else mark(v, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(v, key) for v in node]
        if isinstance(node, str):
            markers.append(f"<b>m{len(markers)}</b>")
            return f"{node} {markers[-1]}"
        return node

    folder.mkdir()
    for path in SHIPPED.glob("*.yaml"):
        data = mark(yaml.safe_load(path.read_text("utf-8")))
        if path.stem == "workshop":
            for block in data["agenda"]:
                if "fallback" in block:
                    block["fallback"]["questions"] = [{"lesson": "sample", "question": q} for q in ("pick-many", "sort")]
        if path.stem == "jigsaw":
            for group in data["groups"]:
                group["lesson"], group["questions"] = "sample", ["pick-one", "judge"]
        if path.stem == "myth_cards":
            for card in data["cards"]:
                card["lesson"] = "sample"
        (folder / path.name).write_text(yaml.safe_dump(data, allow_unicode=True, width=1000), "utf-8")
    return markers


@pytest.fixture
def sample_course(monkeypatch):
    """Every lesson the kit names is the sample lesson of tests/data, whose fields hold <b>."""
    sample = load_file(DATA / "sample.yaml")
    monkeypatch.setattr(kit, "bank_lesson", lambda lesson_id: sample)
    return sample


def test_every_text_field_of_the_kit_and_the_bank_is_shown_escaped(tmp_path, sample_course):
    markers = marked_data(tmp_path / "data")
    out = tmp_path / "out"
    written = kit.write_kit(out, tmp_path / "data")
    pages = {p: p.read_text("utf-8") for p in written}
    everything = "\n".join(pages.values())
    for page in pages.values():
        assert not re.search(r"<b>(m\d+|now|managing|both)</b>", page), "no author or bank text reaches a page unescaped"
        assert html_problems(page) == []
    missing = [m for m in markers if shown(m) not in everything]
    assert missing == [], "every text field of the kit is printed somewhere, escaped"
    assert "Listening to a worried colleague &lt;b&gt;now&lt;/b&gt;" in pages[out / "fallback-questions.html"]
    assert "Budgeting is &lt;b&gt;managing&lt;/b&gt; work." not in pages[out / "answer-key.html"], "only keyed feedback"
    for name in kit.PAGES:  # the notebook's copy of each sheet is escaped the same way
        fragment = kit.sheet_fragment(name, kit.load_kit(tmp_path / "data"))
        assert not re.search(r"<b>m\d+</b>", fragment) and "&lt;b&gt;m" in fragment


# -- bad data: the error names the file, the entry and the field ----------------------------------------
def shipped_copy(folder: Path) -> Path:
    shutil.copytree(SHIPPED, folder)
    return folder


def edit(folder: Path, stem: str, change) -> None:
    path = folder / f"{stem}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=1000), "utf-8")


def block(data, block_id):
    return next(b for b in data["agenda"] if b["id"] == block_id)


@pytest.mark.parametrize("stem, change, where", [
    ("workshop", lambda d: block(d, "block-2").pop("minutes"),
     ["workshop.yaml", "entry agenda[2] (block-2)", "field 'minutes'", "is missing"]),
    ("myth_cards", lambda d: d["cards"][2].update(claim=5),
     ["myth_cards.yaml", "entry cards[2] (C)", "field 'claim'", "is not of type 'string'"]),
    ("jigsaw", lambda d: d["groups"][0].update(difference="   "),
     ["jigsaw.yaml", "entry groups[0] (1)", "field 'difference'", "is empty"]),
    ("evaluation", lambda d: d["sections"][0]["items"][1].update(colour="red"),
     ["evaluation.yaml", "entry sections[0]", "field 'items[1].colour'", "is not a field"]),
    ("index", lambda d: d.pop("printing"), ["index.yaml", "field 'printing'", "is missing"]),
    ("workshop", lambda d: block(d, "block-3")["steps"][0].update(minutes=13),
     ["workshop.yaml", "entry agenda[4] (block-3)", "field 'steps'", "add up to 36 minutes, but the block takes 35"]),
    ("workshop", lambda d: block(d, "close")["fallback"].update(questions=[{"lesson": "two-words", "question": "no-such"}]),
     ["workshop.yaml", "entry agenda[7] (close)", "field 'fallback.questions[0]'", "has no question 'no-such'"]),
    ("jigsaw", lambda d: d["groups"][3].update(lesson="no-such-lesson"),
     ["jigsaw.yaml", "entry groups[3] (4)", "field 'lesson'", "names no lesson"]),
    ("myth_cards", lambda d: d["cards"][1].update(letter="C"),
     ["myth_cards.yaml", "entry cards[1] (C)", "field 'letter'", "should be B"]),
    ("jigsaw", lambda d: d.update(block="block-9"), ["jigsaw.yaml", "field 'block'", "names no block"]),
])
def test_bad_data_names_the_file_the_entry_and_the_field(tmp_path, stem, change, where):
    folder = shipped_copy(tmp_path / "data")
    edit(folder, stem, change)
    with pytest.raises(kit.KitError) as raised:
        kit.load_kit(folder)
    message = str(raised.value)
    for part in where:
        assert part in message, message


def test_yaml_that_does_not_parse_or_repeats_a_key_is_named_with_its_line(tmp_path):
    folder = shipped_copy(tmp_path / "data")
    (folder / "evaluation.yaml").write_text("title: [unclosed\nintro: x\n", "utf-8")
    with pytest.raises(kit.KitError, match=r"evaluation\.yaml: is not valid YAML: .*line 2"):
        kit.load_kit(folder)
    (folder / "evaluation.yaml").write_text((SHIPPED / "evaluation.yaml").read_text("utf-8") + "title: again\n", "utf-8")
    with pytest.raises(kit.KitError, match=r"evaluation\.yaml, field 'title': appears twice"):
        kit.load_kit(folder)
    (folder / "evaluation.yaml").unlink()
    with pytest.raises(kit.KitError, match=r"evaluation\.yaml: is missing"):
        kit.load_kit(folder)


def test_a_data_file_that_is_not_a_file_says_what_it_is_and_a_pipe_is_never_opened(tmp_path):
    import os

    folder = shipped_copy(tmp_path / "data")
    (folder / "jigsaw.yaml").unlink()
    (folder / "jigsaw.yaml").mkdir()
    with pytest.raises(kit.KitError, match=r"jigsaw\.yaml: is a folder, not a file") as raised:
        kit.load_kit(folder)
    assert "missing" not in str(raised.value)
    (folder / "jigsaw.yaml").rmdir()
    os.mkfifo(folder / "jigsaw.yaml")  # nothing ever writes into it: opening it to read would wait for ever
    done = subprocess.run([sys.executable, "-m", "course", "kit", str(tmp_path / "out"), "--data", str(folder)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1 and "jigsaw.yaml: is not a regular file" in done.stderr and "missing" not in done.stderr
    (folder / "jigsaw.yaml").unlink()
    (folder / "jigsaw.yaml").symlink_to(SHIPPED / "jigsaw.yaml")  # a link to a YAML file is read as the file
    kit.load_kit(folder)
    for data in (tmp_path / "nowhere", folder / "workshop.yaml"):
        with pytest.raises(kit.KitError) as raised:
            kit.load_kit(data)
        assert len(raised.value.problems) == 1 and str(raised.value).startswith(str(data))
    assert "does not exist" in str(pytest.raises(kit.KitError, kit.load_kit, tmp_path / "nowhere").value)
    assert "is a file, not a folder" in str(pytest.raises(kit.KitError, kit.load_kit, folder / "workshop.yaml").value)


@pytest.mark.parametrize("extra", [0, 1])
def test_a_number_too_long_to_read_is_named_by_file_entry_and_field(tmp_path, extra):
    limit = sys.get_int_max_str_digits()  # Python's own limit on reading a number (4,300 digits by default)
    folder = shipped_copy(tmp_path / "data")
    path = folder / "workshop.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("minutes: 15", "minutes: " + "9" * (limit + extra), 1), "utf-8")
    with pytest.raises(kit.KitError) as raised:
        kit.load_kit(folder)
    message = str(raised.value)
    assert "workshop.yaml, entry agenda[0] (welcome), field 'minutes'" in message
    assert "set_int_max_str_digits" not in message and len(message) - len(str(path)) < 200, "no value repeated in full"
    if extra:
        assert f"is a number {limit + 1:,} digits long" in message
    else:  # a number Python can read is judged by the schema like any other
        assert "is a number" not in message and "is greater than" in message


def test_the_command_reports_bad_data_and_writes_nothing(tmp_path):
    folder = shipped_copy(tmp_path / "data")
    edit(folder, "workshop", lambda d: block(d, "welcome").update(minutes=16))
    done = build(tmp_path / "out", "--data", str(folder))
    assert done.returncode == 1
    assert "workshop.yaml" in done.stderr and "agenda[0] (welcome)" in done.stderr and "field 'steps'" in done.stderr
    assert not (tmp_path / "out").exists()


# -- the agenda's minutes ---------------------------------------------------------------------------------
def test_the_agenda_fills_180_minutes_and_each_block_its_own():
    workshop = kit.load_kit().workshop
    assert workshop.minutes == 180
    assert sum(b.minutes for b in workshop.agenda) == 180
    start = 0
    for b in workshop.agenda:
        assert b.start == start
        assert b.is_break or sum(s.minutes for s in b.steps) == b.minutes, b.id
        start += b.minutes
    assert [b.clock for b in workshop.agenda][:3] == ["0:00", "0:15", "0:30"]
    assert kit.clock(180) == "3:00" and kit.clock(59) == "0:59" and kit.clock(60) == "1:00"


@pytest.mark.parametrize("minutes, ok", [(179, False), (180, True), (181, False)])
def test_the_agenda_must_add_up_to_the_workshop_length(tmp_path, minutes, ok):
    folder = shipped_copy(tmp_path / "data")
    edit(folder, "workshop", lambda d: d.update(minutes=minutes))
    if ok:
        kit.load_kit(folder)
        return
    with pytest.raises(kit.KitError, match=rf"workshop\.yaml, field 'agenda': adds up to 180 minutes, but the workshop "
                                          rf"takes {minutes}"):
        kit.load_kit(folder)


@pytest.mark.parametrize("first_step, ok", [(1, False), (2, True), (3, False)])
def test_a_blocks_steps_must_add_up_to_its_minutes(tmp_path, first_step, ok):
    folder = shipped_copy(tmp_path / "data")
    edit(folder, "workshop", lambda d: block(d, "welcome")["steps"][0].update(minutes=first_step))
    if ok:
        kit.load_kit(folder)
    else:
        with pytest.raises(kit.KitError, match=r"agenda\[0\] \(welcome\), field 'steps': add up to"):
            kit.load_kit(folder)


def guide_cells(name: str) -> list[dict]:
    return json.loads((GUIDES / name).read_text("utf-8"))["cells"]


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


STEP = re.compile(r"\*\((\d+) min\)\*")


def guide_sections(cells: list[dict], headings: list[str]) -> dict[str, str]:
    """Split a guide into the text (Markdown and code) under each of the given level-3 headings."""
    out, current = {}, None
    for cell in cells:
        text = source(cell)
        first = text.splitlines()[0] if text else ""
        if cell["cell_type"] == "markdown" and first.startswith(("## ", "### ")):
            current = next((h for h in headings if first.startswith(f"### {h} (")), None)
            if current:
                out[current] = ""
        if current:
            out[current] += "\n" + text
    return out


def test_the_half_day_guide_times_each_block_as_the_agenda_does():
    workshop = kit.load_kit().workshop
    cells = guide_cells("half_day_workshop.ipynb")
    sections = guide_sections(cells, [b.activity for b in workshop.agenda])
    for b in workshop.agenda:
        assert b.activity in sections, f"the guide has no '### {b.activity} (… minutes)' section"
        text = sections[b.activity]
        stated = re.match(r"\n### .*\((\d+) minutes\)", text)
        assert stated and int(stated.group(1)) == b.minutes, b.activity
        steps = [int(n) for n in STEP.findall(text)]
        if 'kit_sheet("jigsaw")' in text:  # the block's timed instructions are the jigsaw sheet itself
            assert steps == [] and kit.load_kit().jigsaw.block.id == b.id
        elif not b.is_break:
            assert steps == [s.minutes for s in b.steps], b.activity
    assert any('kit_sheet("run-sheet")' in source(c) for c in cells), "the agenda is the run-sheet, not a copy"


def test_each_six_session_agenda_fills_its_hour_and_each_exercise_its_minutes():
    cells = guide_cells("six_sessions.ipynb")
    agendas = [source(c) for c in cells if source(c).startswith("### Agenda")]
    assert len(agendas) == 6
    for agenda in agendas:
        rows = re.findall(r"^\| (\d):(\d\d) \| \**(\d+)\** \|", agenda, re.M)
        starts = [int(h) * 60 + int(m) for h, m, _ in rows]
        minutes = [int(n) for *_, n in rows]
        assert minutes[-1] == 60 and sum(minutes[:-1]) == 60, agenda
        assert starts == [sum(minutes[:i]) for i in range(len(minutes))], agenda
    exercises = [source(c) for c in cells if source(c).startswith("### Exercise")]
    assert len(exercises) == 6
    for exercise in exercises:
        stated = int(re.match(r"### Exercise[^\n]*, (\d+) minutes\)", exercise).group(1))
        assert sum(int(n) for n in STEP.findall(exercise)) == stated, exercise[:60]


def test_the_guides_show_the_kit_instead_of_copying_it():
    data = kit.load_kit()
    for name in ("half_day_workshop.ipynb", "six_sessions.ipynb"):
        markdown = "\n".join(source(c) for c in guide_cells(name) if c["cell_type"] == "markdown")
        for card in data.myth_cards.cards:
            assert card.claim.strip("“”") not in markdown, f"{name} copies card {card.letter}"
        calls = re.findall(r'kit_sheet\("([^"]+)"\)', "\n".join(source(c) for c in guide_cells(name)))
        assert "myth-cards" in calls and set(calls) <= set(kit.PAGES)
    markdown = "\n".join(source(c) for c in guide_cells("half_day_workshop.ipynb") if c["cell_type"] == "markdown")
    for group in data.jigsaw.groups:
        assert group.difference not in markdown, "the jigsaw groups live in course/kit/jigsaw.yaml"


# -- the paper questions are the bank's ---------------------------------------------------------------------
def printed_questions(page: str) -> dict[int, str]:
    """Return each printed question's HTML by its number on the handout."""
    parts = re.split(r'<div class="question">', page)[1:]
    return {int(re.search(r'<span class="qnum">(\d+)</span>', p).group(1)): p for p in parts}


def test_the_printed_questions_are_the_banks_wording_in_the_room_order(built):
    data = kit.load_kit()
    page = (built / "fallback-questions.html").read_text("utf-8")
    printed = printed_questions(page)
    refs = [(g.lesson.id, q) for g in data.jigsaw.groups for q in g.questions]
    refs = [r for b in data.workshop.agenda if b.fallback for r in
            ((refs if b.fallback.jigsaw else []) + [(q.lesson, q.question) for q in b.fallback.questions])]
    assert sorted(printed) == list(range(1, len(refs) + 1))
    for number, (lesson_id, question_id) in enumerate(refs, start=1):
        owner = lesson(lesson_id)
        question = owner.question(question_id)
        printed_html = printed[number]
        assert shown(question.prompt) in printed_html
        if question.situation:
            assert shown(question.situation) in printed_html
        parts = kind_of(question).parts(question)
        order = display_order(owner, question)  # the shared order instructor mode projects
        letters = re.findall(r'<span class="opt">([A-Z])</span><span>(.*?)</span>', printed_html) or \
            re.findall(r'<td class="letter">([A-Z])</td><td>(.*?)</td>', printed_html)
        assert [text for _, text in letters] == [shown(parts[i].text) for i in order]
        assert [letter for letter, _ in letters] == list("ABCDEFGHIJKL"[:len(parts)])


def test_the_answer_key_gives_the_keyed_letters_on_a_page_of_its_own(built):
    data = kit.load_kit()
    questions = [q for paper in kit.paper_blocks(data) for q in paper.questions]
    key = (built / "answer-key.html").read_text("utf-8")
    handout = (built / "fallback-questions.html").read_text("utf-8")
    rows = dict(re.findall(r'<td class="q">(\d+)</td>\s*<td class="k">([^<]*)</td>', key))
    for q in questions:
        owner = lesson(q.lesson.id)
        question = owner.question(q.question_id)
        order = display_order(owner, question)
        if question.type == "classify":
            assert rows[str(q.number)] == "By line"
            for letter, i in zip("ABCDEFGHIJKL", order):
                label = question.statements[i].label.capitalize()
                assert f"<b>{letter}: {label}.</b>" in key
        else:
            keyed = [letter for letter, i in zip("ABCDEFGHIJKL", order) if question.choices[i].correct]
            assert rows[str(q.number)] == ", ".join(keyed)
    assert 'class="k"' not in handout and "answer key" not in text_of(handout).lower(), "the handout carries no key"


# -- the notebook's copy ------------------------------------------------------------------------------------
def test_kit_sheet_shows_the_printed_sheet_with_a_readable_copy(built):
    import widgets
    from widgets.kit_views import KitSheet

    view = widgets.kit_sheet("myth-cards")
    assert isinstance(view, KitSheet) and view.sheet == "myth-cards"
    page = (built / "myth-cards.html").read_text("utf-8")
    body = re.search(r'<main class="kit kit-myth-cards">\n(.*)</main>', page, re.S).group(1)
    assert body in view.value, "the guide shows the very sheet the kit prints"
    bundle = view._repr_mimebundle_()
    assert body in bundle["text/html"] and "Run this cell" not in bundle["text/html"]
    assert "@page" not in view.value and "<body" not in view.value, "a notebook gets the sheet, not a page"
    for card in kit.load_kit().myth_cards.cards:
        assert shown(card.claim) in view.value


def test_kit_sheet_with_an_unknown_name_says_which_sheets_there_are():
    import widgets

    view = widgets.kit_sheet("agenda")
    assert "cannot be shown" in view.value and "run-sheet" in view.value and "myth-cards" in view.value


# -- in Chromium: page counts, overflow, screenshots ---------------------------------------------------------
PRINTABLE_WIDTH = 688  # CSS px between the A4 page's 14 mm margins (182 mm at 96 px an inch)
DESIGN = {  # A4 pages each sheet is designed to take, as the run-sheet and form promise them
    "run-sheet.html": (1, 1), "evaluation.html": (1, 1), "myth-cards.html": (2, 2), "jigsaw.html": (2, 2),
    "worksheet.html": (2, 2), "fallback.html": (1, 3), "fallback-questions.html": (2, 12),
    "answer-key.html": (1, 5), "index.html": (1, 2),
}


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.browser
def test_every_page_prints_within_its_design_in_chromium(built, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.jupyterlab import chromium_context

    shots = REPO / "test-artifacts"
    shots.mkdir(exist_ok=True)
    files = {name: DESIGN[name] for name in PAGE_FILES}
    files.update({f"large-print/{name}": (DESIGN[name][0], DESIGN[name][1] * 3) for name in LARGE_FILES})
    counted = {}
    with sync_playwright() as playwright:
        context = chromium_context(playwright, tmp_path / "profile", viewport={"width": PRINTABLE_WIDTH, "height": 1000})
        page = context.new_page()
        for name, (low, high) in files.items():
            page.goto((built / name).as_uri())
            page.emulate_media(media="print")
            counted[name] = pdf_pages(page.pdf(format="A4"))
            assert low <= counted[name] <= high, f"{name} prints on {counted[name]} A4 pages, not {low}-{high}"
            wide = page.evaluate("""(limit) => [...document.querySelectorAll('main, main *')]
                .filter(e => e.getBoundingClientRect().right > limit + 0.5 || e.scrollWidth > e.clientWidth + 1
                             && getComputedStyle(e).overflowX !== 'visible')
                .map(e => e.tagName + '.' + e.className)""", PRINTABLE_WIDTH)
            assert wide == [], f"{name} overflows its A4 width: {wide[:5]}"
            assert page.evaluate("document.documentElement.scrollWidth") <= PRINTABLE_WIDTH
        page.set_viewport_size({"width": 860, "height": 1200})  # an A4 sheet (794 px) on the screen's grey desk
        page.emulate_media(media="screen")
        for name in ("run-sheet", "myth-cards"):
            page.goto((built / f"{name}.html").as_uri())
            page.screenshot(path=str(shots / f"kit-{name}.png"), full_page=True)
        context.close()
    assert counted["run-sheet.html"] == 1 and counted["evaluation.html"] == 1
    assert counted["large-print/evaluation.html"] > counted["evaluation.html"], "large print is larger"
