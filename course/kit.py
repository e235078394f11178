"""The trainer's kit: printable A4 pages for the half-day workshop, built from `course/kit/*.yaml` and the bank.

The kit's data (agenda, jigsaw groups, myth cards, worksheet, evaluation form, the index's page list) lives in
YAML files checked against `course/schema/kit.schema.json`, then against the course: the agenda's minutes add
up, every lesson and question it names is in the bank. The paper questions are taken from the bank itself,
options in the shared room order that instructor mode and the static course page use, so a printed copy never
drifts from what is projected. Pages are rendered by Jinja2 templates in `course/templates/kit/` with autoescape:
author text is escaped like everything else. The facilitator guide shows the same sheets through
`widgets.kit_sheet(name)`, which uses `sheet_fragment`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from course.bank import LABEL_NAMES, Lesson, lesson as bank_lesson
from course.guides import GuideProblem
from course.order import letter
from course.static_site import (KIT_PAGE, OutputError, ShownQuestion, describe_page, folder_in_the_way, page_generator,
                                shown_question)

# The kit's files (course/kit/<name>.yaml); each is checked by the schema definition of the same name.
FILES = ("workshop", "jigsaw", "myth_cards", "worksheet", "evaluation", "index")
LETTERS = "ABCDEFGHIJKL"
GUIDE = "half_day_workshop"  # the facilitator guide the kit belongs to (its debrief notes go on the answer key)
MAX_FILE_BYTES = 64 * 1024  # twenty times the longest kit file


@dataclass(frozen=True)
class PageSpec:
    """One page of the kit: its name (the template `kit/<name>.html.j2` and the file `<name>.html`), its title,
    how many A4 sheets its design takes, and whether it also comes in large print."""

    name: str
    title: str
    min_pages: int
    max_pages: int
    large_print: bool = False  # also written in bigger type, for readers who ask for it

    @property
    def file(self) -> str:
        """Return the page's file name in the kit's folder."""
        return f"{self.name}.html"


PAGES: dict[str, PageSpec] = {spec.name: spec for spec in (
    PageSpec("run-sheet", "Run-sheet", 1, 1),
    PageSpec("worksheet", "Participant worksheet", 2, 2, large_print=True),
    PageSpec("jigsaw", "Jigsaw sheet", 2, 2, large_print=True),
    PageSpec("myth-cards", "Myth clinic cards", 2, 2),
    PageSpec("evaluation", "Evaluation form", 1, 1, large_print=True),
    PageSpec("fallback", "Paper fallback: what the room does", 1, 3),
    PageSpec("fallback-questions", "Paper fallback: the questions", 2, 12, large_print=True),
    PageSpec("answer-key", "Paper fallback: answer key", 1, 5),
)}
LARGE_PRINT_FOLDER = "large-print"
# What file managers leave in any folder they show (Finder, Windows Explorer): not a reason to refuse a re-build.
FOLDER_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
STAGING_PREFIX = ".kit-"  # a page being written is named .kit-*.html beside its place until every page is ready


# -- problems ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KitProblem(GuideProblem):
    """One thing wrong in a kit file: the file, the entry (e.g. "agenda[2] (block-2)") and the field."""

    entry_format = "entry {}"


class KitError(ValueError):
    """The kit's data is malformed or does not fit the course; the message names file, entry and field."""

    def __init__(self, problems: list[KitProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# -- the model ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One timed step of a block."""

    minutes: int
    text: str


@dataclass(frozen=True)
class QuestionRef:
    """A question of the bank, by lesson id and question id."""

    lesson: str
    question: str


@dataclass(frozen=True)
class PaperPlan:
    """What the room does in a block with paper only, and the questions it prints."""

    room: str
    questions: tuple[QuestionRef, ...]
    jigsaw: bool = False  # the block also prints each jigsaw group's questions


@dataclass(frozen=True)
class Block:
    """One row of the agenda. `start` is in minutes from the beginning of the workshop; a break has a `note`
    (what happens in it) where other blocks have timed `steps` and a paper `fallback`."""

    id: str
    activity: str
    minutes: int
    start: int
    note: str
    materials: tuple[str, ...]
    steps: tuple[Step, ...]
    fallback: PaperPlan | None
    is_break: bool = False

    @property
    def clock(self) -> str:
        """Return the start as h:mm from the beginning of the workshop (e.g. "1:20")."""
        return clock(self.start)


@dataclass(frozen=True)
class Workshop:
    """The half-day workshop: title, length in minutes and the agenda in order."""

    title: str
    subtitle: str
    minutes: int
    before: str
    fallback_rule: str
    handout: str
    agenda: tuple[Block, ...]

    def block(self, block_id: str) -> Block:
        """Return the agenda block with this id (KeyError if there is none)."""
        for block in self.agenda:
            if block.id == block_id:
                return block
        raise KeyError(f"the agenda has no block '{block_id}'")


@dataclass(frozen=True)
class JigsawGroup:
    """One jigsaw group: its lesson, the difference that lesson teaches and the questions it answers."""

    number: int
    lesson: Lesson
    difference: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Jigsaw:
    """The Block 2 jigsaw. Its timed instructions are the steps of `block`."""

    title: str
    intro: str
    block: Block
    groups: tuple[JigsawGroup, ...]
    small_room_below: int
    small_room_groups: tuple[int, ...]
    small_room_text: str
    report_title: str
    report_parts: tuple[str, ...]
    board_title: str
    board_intro: str
    board_columns: tuple[str, ...]


@dataclass(frozen=True)
class MythCard:
    """One claim to critique, lettered, with the lesson where the evidence is."""

    letter: str
    claim: str
    lesson: Lesson


@dataclass(frozen=True)
class MythCards:
    """The myth clinic: its cards and its timed steps."""

    title: str
    intro: str
    steps: tuple[Step, ...]
    footer: str
    cards: tuple[MythCard, ...]


@dataclass(frozen=True)
class Kit:
    """Everything the kit's pages show. `worksheet`, `evaluation` and `index` are the checked YAML mappings."""

    workshop: Workshop
    jigsaw: Jigsaw
    myth_cards: MythCards
    worksheet: dict
    evaluation: dict
    index: dict
    source: str


@dataclass(frozen=True)
class PaperQuestion:
    """A question as the paper fallback prints it: numbered across the handout, options lettered."""

    number: int
    lesson: Lesson
    question_id: str
    shown: ShownQuestion
    ask: tuple[str, ...] = ()  # for a question the whole room votes on: the guide's questions to ask after the reveal

    @property
    def lettered(self) -> tuple[tuple[str, object], ...]:
        """Return (letter, option) pairs in the shared room order."""
        return tuple((letter(i), option) for i, option in enumerate(self.shown.options))

    @property
    def key_letters(self) -> tuple[str, ...]:
        """Return the letters of the keyed options (every statement's letter for a sorting question)."""
        return tuple(letter for letter, option in self.lettered if option.keyed)


@dataclass(frozen=True)
class PaperSection:
    """Questions printed together under one heading (a jigsaw group, or the whole room)."""

    heading: str
    questions: tuple[PaperQuestion, ...]


@dataclass(frozen=True)
class PaperBlock:
    """A block's paper fallback: the plan and the questions it prints, in sections."""

    block: Block
    sections: tuple[PaperSection, ...]

    @property
    def questions(self) -> tuple[PaperQuestion, ...]:
        """Return the block's printed questions in handout order."""
        return tuple(q for section in self.sections for q in section.questions)


def emphasis(text: str):
    """Return note text as safe HTML: everything escaped, then *words* in stars set in italics."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"\*([^*\n]+)\*", r"<em>\1</em>", str(escape(text))))


def clock(minutes: int) -> str:
    """Return minutes from the start as h:mm (e.g. 80 -> "1:20")."""
    return f"{minutes // 60}:{minutes % 60:02d}"


# -- loading ------------------------------------------------------------------------------------------
def _schema() -> dict:
    from course.schemas import load

    return load("kit.schema.json")


@functools.lru_cache(maxsize=None)
def _checker(definition: str):
    from course.schemas import Checker

    schema = _schema()
    return Checker({**schema, "$ref": f"#/$defs/{definition}"})


def _entry_and_field(data, path: list) -> tuple[str | None, str | None]:
    """Name the list entry a path points into (by its id, letter or group when it has one) and the field."""
    entry, rest, node = None, list(path), data
    for i, step in enumerate(path):
        if isinstance(step, int) and isinstance(node, list):
            item = node[step] if 0 <= step < len(node) else None
            name = next((item[k] for k in ("id", "letter", "group", "page") if isinstance(item, dict)
                         and isinstance(item.get(k), (str, int)) and not isinstance(item.get(k), bool)), None)
            owner = ".".join(str(p) for p in path[:i])
            name = None if name is None else str(name)[:40]  # a broken file's value is not repeated back whole
            entry = f"{owner}[{step}]" + (f" ({name})" if name is not None else "")
            rest = path[i + 1:]
            node = item
            break
        node = node.get(step) if isinstance(node, dict) else None
    field = ""
    for step in rest:
        field += f"[{step}]" if isinstance(step, int) else (f".{step}" if field else str(step))
    return entry, field or None


def _schema_problem(name: str, data, error) -> KitProblem:
    path = list(error.absolute_path)
    message = error.message
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        path, message = path + missing[:1], "is missing"
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        path = path + [k for k in error.instance if k not in allowed][:1]
        message = "is not a field this kind of entry has"
    elif error.validator in ("minLength", "pattern") and isinstance(error.instance, str) and not error.instance.strip():
        message = "is empty"
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):  # a long value is not repeated back in full
        message = f"{shown[:40]}…{message[len(shown):]}"
    if len(message) > 300:
        message = message[:300] + "…"
    entry, field = _entry_and_field(data, path)
    return KitProblem(name, entry, field, message)


def _read(folder: Path | None, stem: str) -> tuple[str, str | None, KitProblem | None]:
    """Return (the name to report, the file's text, a problem): shipped files by package resource.

    Only a regular file is opened: a folder, a pipe or a device of that name is reported as what it is (a pipe
    would wait for a writer for ever), and at most `MAX_FILE_BYTES` are read.
    """
    import os
    import stat

    if folder is None:
        name = f"course/kit/{stem}.yaml"
        try:
            return name, resources.files("course").joinpath("kit", f"{stem}.yaml").read_text("utf-8"), None
        except (OSError, UnicodeDecodeError) as exc:
            return name, None, KitProblem(name, None, None, f"cannot be read: {exc}")
    path = Path(folder) / f"{stem}.yaml"
    name = str(path)

    def problem(message: str) -> tuple[str, None, KitProblem]:
        return name, None, KitProblem(name, None, None, message)

    try:
        mode = os.stat(path).st_mode  # a link to a YAML file is read like the file
    except FileNotFoundError:
        return problem("is missing: the kit needs every one of " + ", ".join(f"{f}.yaml" for f in FILES))
    except OSError as exc:
        return problem(f"cannot be read: {exc.strerror or exc}")
    if stat.S_ISDIR(mode):
        return problem("is a folder, not a file")
    if not stat.S_ISREG(mode):
        return problem("is not a regular file (a pipe, a device or a socket); it was not read")
    try:
        # O_NONBLOCK: should a pipe take the file's place after the check above, opening it does not wait.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return problem("is not a regular file (a pipe, a device or a socket); it was not read")
            with os.fdopen(os.dup(handle), "rb") as raw:
                data = raw.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(handle)
    except OSError as exc:
        return problem(f"cannot be read: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return problem(f"is larger than {MAX_FILE_BYTES:,} bytes; it was not read")
    try:
        return name, data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return problem(f"cannot be read: {exc}")


def _long_number(text: str) -> tuple[list, int, int] | None:
    """Find a number too long for Python to read in YAML text: return (its path, its digits, its line) or None.

    The text is composed (parsed into nodes), never constructed, so the number is not converted.
    """
    import sys

    import yaml

    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    if not limit:
        return None
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return None
    seen, todo = set(), [(root, [])]
    while todo:
        node, path = todo.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            digits = sum(c.isdigit() for c in node.value)
            if node.tag == "tag:yaml.org,2002:int" and digits > limit:
                return path, digits, node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((child, path + [i]) for i, child in reversed(list(enumerate(node.value))))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                todo.append((value, path + [str(key.value)[:40]]))
                todo.append((key, path))
    return None


def _shape(node, seen=None):
    """Return a composed YAML node as plain lists, dicts and text: enough to name an entry and a field."""
    import yaml

    seen = set() if seen is None else seen
    if id(node) in seen:
        return None
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        return [_shape(child, seen) for child in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(key.value)[:40]: _shape(value, seen) for key, value in node.value}
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _number_problem(name: str, text: str) -> KitProblem | None:
    """Name the entry and field of a number too long to read, or return None if there is none."""
    import yaml

    found = _long_number(text)
    if found is None:
        return None
    path, digits, line = found
    try:
        shape = _shape(yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except (yaml.YAMLError, RecursionError):
        shape = None
    entry, field = _entry_and_field(shape, path)
    return KitProblem(name, entry, field, f"is a number {digits:,} digits long (line {line}); no field of the kit "
                                          "takes a number that long")


def _parse(name: str, text: str, definition: str) -> tuple[dict | None, KitProblem | None]:
    """Parse one kit file's YAML and check it against its schema definition."""
    import yaml

    from course.bank import _yaml_load

    try:
        data = _yaml_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return None, KitProblem(name, None, None, f"is not valid YAML: {getattr(exc, 'problem', None) or exc}{where}")
    except (TypeError, ValueError) as exc:  # a repeated key or an alias (the bank's strict loader), or an odd key
        long_number = None if hasattr(exc, "problem_mark") else _number_problem(name, text)
        if long_number is not None:
            return None, long_number
        if isinstance(exc, TypeError):  # e.g. "? [1, 2]": a list or a mapping used as a key
            return None, KitProblem(name, None, None, "uses a list or a mapping as a key; every key is a field name")
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        field = getattr(exc, "field", None)
        return None, KitProblem(name, None, field, f"{getattr(exc, 'problem', None) or exc}{where}")
    if not isinstance(data, dict):
        return None, KitProblem(name, None, None, "must be a YAML mapping of fields")
    error = _checker(definition).first_error(data)
    if error is not None:
        return None, _schema_problem(name, data, error)
    return data, None


class _Course:
    """Look lessons and questions up in the bank, turning a miss into a problem that names the kit entry."""

    def __init__(self):
        self.problems: list[KitProblem] = []

    def lesson(self, name: str, entry: str, field: str, lesson_id: str) -> Lesson | None:
        try:
            return bank_lesson(lesson_id)
        except KeyError:
            self.problems.append(KitProblem(name, entry, field, f"names no lesson of the course: '{lesson_id}'"))
            return None

    def question(self, name: str, entry: str, field: str, lesson_id: str, question_id: str) -> bool:
        found = self.lesson(name, entry, field, lesson_id)
        if found is None:
            return False
        try:
            found.question(question_id)
            return True
        except KeyError:
            self.problems.append(KitProblem(name, entry, field,
                                            f"lesson '{lesson_id}' has no question '{question_id}'"))
            return False


def _workshop(name: str, data: dict, course: _Course) -> Workshop:
    blocks, start, seen = [], 0, set()
    for i, row in enumerate(data["agenda"]):
        entry = f"agenda[{i}] ({row['id']})"
        if row["id"] in seen:
            course.problems.append(KitProblem(name, entry, "id", "is used by an earlier block too"))
        seen.add(row["id"])
        steps = tuple(Step(s["minutes"], s["text"]) for s in row.get("steps", ()))
        is_break = bool(row.get("break"))
        if not is_break and not steps:
            course.problems.append(KitProblem(name, entry, "steps", "is missing: a block that is not a break "
                                                                    "lists its timed steps"))
        if steps and sum(s.minutes for s in steps) != row["minutes"]:
            course.problems.append(KitProblem(
                name, entry, "steps", f"add up to {sum(s.minutes for s in steps)} minutes, but the block "
                                      f"takes {row['minutes']}"))
        plan = None
        if "fallback" in row:
            raw = row["fallback"]
            refs = []
            for j, q in enumerate(raw.get("questions", ())):
                if course.question(name, entry, f"fallback.questions[{j}]", q["lesson"], q["question"]):
                    refs.append(QuestionRef(q["lesson"], q["question"]))
            plan = PaperPlan(raw["room"], tuple(refs), bool(raw.get("jigsaw")))
        elif not is_break:
            course.problems.append(KitProblem(name, entry, "fallback", "is missing: every block that is not a "
                                                                       "break says what the room does on paper"))
        if is_break and not row.get("note"):
            course.problems.append(KitProblem(name, entry, "note", "is missing: a break says what happens in it"))
        blocks.append(Block(row["id"], row["activity"], row["minutes"], start, row.get("note", ""),
                            tuple(row.get("materials", ())), steps, plan, is_break))
        start += row["minutes"]
    if not blocks:
        course.problems.append(KitProblem(name, None, "agenda", "is empty"))
    elif start != data["minutes"]:
        course.problems.append(KitProblem(name, None, "agenda", f"adds up to {start} minutes, but the workshop "
                                                                f"takes {data['minutes']}"))
    return Workshop(data["title"], data["subtitle"], data["minutes"], data["before"],
                    data["fallback_rule"], data["handout"], tuple(blocks))


def _jigsaw(name: str, data: dict, workshop: Workshop, course: _Course) -> Jigsaw | None:
    try:
        block = workshop.block(data["block"])
    except KeyError:
        course.problems.append(KitProblem(name, None, "block", f"names no block of the agenda: '{data['block']}'"))
        block = None
    groups, numbers = [], set()
    for i, row in enumerate(data["groups"]):
        entry = f"groups[{i}] ({row['group']})"
        if row["group"] in numbers:
            course.problems.append(KitProblem(name, entry, "group", "is used by an earlier group too"))
        numbers.add(row["group"])
        found = course.lesson(name, entry, "lesson", row["lesson"])
        if not row["questions"]:
            course.problems.append(KitProblem(name, entry, "questions", "is empty: name the questions the group answers"))
        for j, question_id in enumerate(row["questions"]):
            course.question(name, entry, f"questions[{j}]", row["lesson"], question_id)
        if found is not None:
            groups.append(JigsawGroup(row["group"], found, row["difference"], tuple(row["questions"])))
    if not data["groups"]:
        course.problems.append(KitProblem(name, None, "groups", "is empty"))
    for j, number in enumerate(data["small_room"]["groups"]):
        if number not in numbers:
            course.problems.append(KitProblem(name, None, f"small_room.groups[{j}]", f"names no group: {number}"))
    if block is None:
        return None
    small = data["small_room"]
    return Jigsaw(data["title"], data["intro"], block, tuple(sorted(groups, key=lambda g: g.number)),
                  small["below"], tuple(small["groups"]), small["text"], data["report"]["title"],
                  tuple(data["report"]["parts"]), data["board"]["title"], data["board"]["intro"],
                  tuple(data["board"]["columns"]))


def _myth_cards(name: str, data: dict, course: _Course) -> MythCards:
    cards = []
    for i, row in enumerate(data["cards"]):
        entry = f"cards[{i}] ({row['letter']})"
        if row["letter"] != LETTERS[i]:
            course.problems.append(KitProblem(name, entry, "letter", f"should be {LETTERS[i]}: cards are lettered "
                                                                     "A, B, C … in order, with no gaps"))
        found = course.lesson(name, entry, "lesson", row["lesson"])
        if found is not None:
            cards.append(MythCard(row["letter"], row["claim"], found))
    if not data["cards"]:
        course.problems.append(KitProblem(name, None, "cards", "is empty"))
    return MythCards(data["title"], data["intro"], tuple(Step(s["minutes"], s["text"]) for s in data["steps"]),
                     data["footer"], tuple(cards))


def _index_problems(name: str, data: dict) -> list[KitProblem]:
    problems = []
    listed = [row["page"] for row in data["pages"]]
    for i, page in enumerate(listed):
        if page not in PAGES:
            problems.append(KitProblem(name, f"pages[{i}] ({page})", "page",
                                       f"is not a page of the kit (pages: {', '.join(PAGES)})"))
    for page in PAGES:
        if page not in listed:
            problems.append(KitProblem(name, None, "pages", f"does not list the page '{page}'"))
    return problems


def load_kit(folder: str | Path | None = None) -> Kit:
    """Load and check the kit's data: the shipped files, or those in `folder`.

    Parameters
    ----------
    folder:
        A folder holding workshop.yaml, jigsaw.yaml, myth_cards.yaml, worksheet.yaml, evaluation.yaml and
        index.yaml (default: the course's own, `course/kit`).

    Raises `KitError` naming the file, the entry and the field of each problem: a file that is missing, not
    YAML or not what its schema describes (the first error in each file), minutes that do not add up, or a
    lesson or question the bank does not have.
    """
    if folder is None:
        return _shipped()
    return _load(Path(folder))


@functools.lru_cache(maxsize=1)
def _shipped() -> Kit:
    return _load(None)


def _load(folder: Path | None) -> Kit:
    if folder is not None and not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise KitError([KitProblem(str(folder), None, None, f"{what}: give the folder holding the kit's "
                                                            + ", ".join(f"{f}.yaml" for f in FILES))])
    raw, names, problems = {}, {}, []
    for stem in FILES:
        name, text, unreadable = _read(folder, stem)
        names[stem] = name
        if unreadable:
            problems.append(unreadable)
            continue
        data, problem = _parse(name, text, stem)
        if problem:
            problems.append(problem)
        else:
            raw[stem] = data
    if problems:
        raise KitError(problems)
    course = _Course()
    workshop = _workshop(names["workshop"], raw["workshop"], course)
    jigsaw = _jigsaw(names["jigsaw"], raw["jigsaw"], workshop, course)
    if jigsaw is not None and not jigsaw.block.steps:
        course.problems.append(KitProblem(names["jigsaw"], None, "block", "names a block with no timed steps"))
    cards = _myth_cards(names["myth_cards"], raw["myth_cards"], course)
    problems = course.problems + _index_problems(names["index"], raw["index"])
    if problems:
        raise KitError(problems)
    return Kit(workshop, jigsaw, cards, raw["worksheet"], raw["evaluation"], raw["index"],
               "course/kit" if folder is None else str(folder))


# -- the paper questions --------------------------------------------------------------------------------
def paper_blocks(kit: Kit) -> tuple[PaperBlock, ...]:
    """Return each block's paper fallback with its questions numbered across the whole handout.

    Wording, options and their order come from the bank through `course.static_site.shown_question`: the
    shared room order, the same one instructor mode projects.
    """
    from course.guides import debrief_notes

    out, number = [], 0

    def paper(lesson_id: str, question_id: str, projected: bool) -> PaperQuestion:
        nonlocal number
        number += 1
        owner = bank_lesson(lesson_id)
        notes = debrief_notes(owner.id, question_id, GUIDE) if projected else None
        return PaperQuestion(number, owner, question_id, shown_question(owner, owner.question(question_id)),
                             notes.ask if notes else ())

    for block in kit.workshop.agenda:
        if block.fallback is None:
            continue
        sections = []
        if block.fallback.jigsaw:
            for group in kit.jigsaw.groups:
                sections.append(PaperSection(
                    f"Group {group.number} · Lesson {group.lesson.number:02d} · {group.lesson.title}",
                    tuple(paper(group.lesson.id, q, False) for q in group.questions)))
        if block.fallback.questions:
            heading = "For the whole room" if sections else ""
            sections.append(PaperSection(heading, tuple(paper(q.lesson, q.question, True) for q in block.fallback.questions)))
        out.append(PaperBlock(block, tuple(sections)))
    return tuple(out)


# -- rendering ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("course", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["clock"] = clock
    env.filters["two"] = lambda n: f"{n:02d}"
    env.filters["emphasis"] = emphasis
    return env


def _context(kit: Kit, spec: PageSpec, large: bool, layout: str) -> dict:
    blocks = paper_blocks(kit) if spec.name.startswith(("fallback", "answer-key")) else ()
    return {"kit": kit, "workshop": kit.workshop, "page": spec, "pages": PAGES, "large": large, "layout": layout,
            "generator": KIT_PAGE,
            "paper": blocks, "letters": LETTERS, "labels": tuple(LABEL_NAMES.values()),
            "end": clock(kit.workshop.minutes), "large_folder": LARGE_PRINT_FOLDER,
            "index_rows": [(PAGES[row["page"]], row) for row in kit.index["pages"]]}


def page_html(name: str, kit: Kit | None = None, large: bool = False) -> str:
    """Return one page of the kit as a standalone HTML document with its print stylesheet.

    Parameters
    ----------
    name:
        A key of `PAGES` (e.g. "run-sheet"), or "index".
    kit:
        The kit's data (default: the shipped kit).
    large:
        The large-print version (bigger type, more pages).

    Raises `KeyError` for a name that is not a page of the kit, and `KitError` when the shipped data is broken.
    """
    kit = kit or load_kit()
    if name == "index":
        spec = PageSpec("index", kit.index["title"], 1, 2)
    else:
        spec = PAGES[name]
    return _environment().get_template(f"kit/{spec.name}.html.j2").render(
        **_context(kit, spec, large, "kit/page.html.j2"))


def sheet_fragment(name: str, kit: Kit | None = None) -> str:
    """Return a page's sheet as an HTML fragment for a notebook: the same content, with a style scoped to it.

    Raises `KeyError` for a name that is not a page of the kit (the message lists the names).
    """
    if name not in PAGES:
        raise KeyError(f"the kit has no sheet '{name}' (sheets: {', '.join(PAGES)})")
    kit = kit or load_kit()
    return _environment().get_template(f"kit/{name}.html.j2").render(
        **_context(kit, PAGES[name], False, "kit/fragment.html.j2"))


def kit_files() -> list[Path]:
    """Return the paths of the kit's pages inside its folder, index first (large-print copies in their folder)."""
    files = [Path("index.html")]
    for spec in PAGES.values():
        files.append(Path(spec.file))
        if spec.large_print:
            files.append(Path(LARGE_PRINT_FOLDER) / spec.file)
    return files


def _kits_own(path: Path, inside: bool = False) -> bool:
    """Say whether an entry of a kit's folder is the kit's: a page carrying its generator mark, a page it was
    writing when stopped, the large-print folder holding only such pages, or a file manager's litter."""
    import os
    import stat

    if path.name in FOLDER_LITTER:
        return True
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    if stat.S_ISREG(mode):
        return path.name.startswith(STAGING_PREFIX) and path.suffix == ".html" or page_generator(path) == KIT_PAGE
    if stat.S_ISDIR(mode) and not inside and path.name == LARGE_PRINT_FOLDER:
        try:
            return all(_kits_own(entry, inside=True) for entry in path.iterdir())
        except OSError:
            return False
    return False


def check_kit_folder(out: Path, force: bool = False) -> None:
    """Check that the kit can be written into the folder `out`; raise `OutputError` naming every path at fault.

    Refused, whatever `force` says: `out` or a folder above it being a file, a page's path being a folder (or
    anything but a file), the large-print folder's path being a file. Refused unless `force`: `out` holding
    anything the kit did not write (its own pages carry `<meta name="generator" content="lead-manage kit">`,
    so building the kit again in its folder is not refused).
    """
    import os
    import stat

    out = Path(out)
    problem = folder_in_the_way(out)
    if problem:
        raise OutputError(problem)
    if not os.path.lexists(out):
        return
    blocked = []
    large = out / LARGE_PRINT_FOLDER
    if os.path.lexists(large) and not large.is_dir():
        blocked.append(f"{large} is a file, not a folder; the kit writes its large-print pages there")
    for relative in kit_files():
        target = out / relative
        if target.parent == large and not large.is_dir():  # already refused above
            continue
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            blocked.append(f"cannot look at {target}: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            blocked.append(f"{target} is a folder, not a file; the kit writes a page there")
        elif not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            blocked.append(f"{target} is not a regular file; the kit writes a page there")
    if blocked:
        raise OutputError(blocked)
    if force:
        return
    foreign = []
    try:
        entries = sorted(out.iterdir())
    except OSError as exc:
        raise OutputError(f"cannot look into {out}: {exc.strerror or exc}") from None
    for entry in entries:
        if _kits_own(entry):
            continue
        if entry.name == LARGE_PRINT_FOLDER and entry.is_dir() and not entry.is_symlink():
            try:
                inside = sorted(entry.iterdir())
            except OSError:
                inside = []
            named = [f"{LARGE_PRINT_FOLDER}/{describe_page(e)}" for e in inside if not _kits_own(e, inside=True)]
            foreign.extend(named or [f"{LARGE_PRINT_FOLDER}/"])
        else:
            foreign.append(describe_page(entry) + ("/" if entry.is_dir() else ""))
    if foreign:
        shown = ", ".join(foreign[:6]) + (f" and {len(foreign) - 6} more" if len(foreign) > 6 else "")
        raise OutputError(f"{out} holds files the kit did not write: {shown}", tuple(foreign))


def write_kit(out: str | Path, folder: str | Path | None = None, force: bool = False) -> list[Path]:
    """Write every page of the kit into the folder `out` (made if missing); return the paths written, index first.

    Large-print copies of the participants' sheets go into `out/large-print/`. Every path is checked before
    anything is written (`check_kit_folder`); then every page is written beside its place under a staging
    name and, once all of them are, each is renamed into place. A failure while writing removes the staged
    pages and the folders this call made, so it leaves neither half a page nor half a kit.

    Parameters
    ----------
    out:
        The kit's folder: new, empty, or holding an earlier build of the kit.
    folder:
        The folder of kit YAML files (default: the course's own, `course/kit`).
    force:
        Write into `out` even when it holds files the kit did not write; pages replace files of the same name.

    Raises `KitError` for broken kit data, `OutputError` when `out` cannot take the kit (nothing is written
    in either case) and `OSError` when writing fails.
    """
    import os

    kit = load_kit(folder)
    out = Path(out)
    rendered = []
    for relative in kit_files():
        name = "index" if relative.name == "index.html" else relative.stem
        rendered.append((out / relative, page_html(name, kit, large=relative.parent != Path("."))))
    check_kit_folder(out, force)
    made: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    renamed = 0
    try:
        for folder_needed in (out, out / LARGE_PRINT_FOLDER):
            missing = []
            probe = folder_needed
            while not os.path.lexists(probe):
                missing.append(probe)
                probe = probe.parent
            for new in reversed(missing):
                new.mkdir()
                made.append(new)
        for target, html in rendered:
            staged.append((_stage(target, html), target))
        for temporary, target in staged:
            os.replace(temporary, target)
            renamed += 1
    except BaseException:
        for temporary, _ in staged[renamed:]:
            temporary.unlink(missing_ok=True)
        if not renamed:  # nothing is in place yet: take away the folders this call made too
            for new in reversed(made):
                try:
                    new.rmdir()
                except OSError:
                    break
        raise
    return [target for target, _ in rendered]


def _stage(target: Path, text: str) -> Path:
    """Write a page beside its target under a staging name; return that name (nothing is left on failure).

    Raises `OSError` whose `filename` is the page's own path, not the staging name.
    """
    import os
    import tempfile

    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=STAGING_PREFIX, suffix=".html", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as page:
            page.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
    except OSError as exc:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
    except BaseException:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)
