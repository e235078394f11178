"""Load and check the question bank: one YAML file per lesson, validated by a JSON Schema."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

LABELS = ("leading", "managing", "both")
LABEL_NAMES = {"leading": "Leading", "managing": "Managing", "both": "Both"}  # as a learner reads them
QUESTION_TYPES = ("single", "multiple", "truefalse", "classify", "scenario")
# Reading YAML takes about a second a megabyte, so a file is judged in under two seconds only up to a size:
# this one is twenty times the longest lesson (about 26 KB). Past MAX_PROBLEMS, a file is only said to have more.
MAX_BANK_BYTES = 512 * 1024
MAX_PROBLEMS = 50


class NotInBank(KeyError):
    """A lesson, question or reflection id that the installed bank does not have.

    Lessons can be newer than the installed package (nbgitpuller brings new notebooks; the bank ships
    inside the package), so a notebook may name an id this bank has never heard of.
    """

    def __init__(self, message: str, kind: str, item_id: str, lesson_id: str | None = None):
        super().__init__(message)
        self.kind, self.item_id, self.lesson_id = kind, item_id, lesson_id


class IdNotText(KeyError):
    """An id given as something other than text, e.g. `quiz(["two-words"])`: a notebook author's slip."""


def _id_text(value, kind: str) -> str:
    """Return `value` when it is text; raise `IdNotText` naming what was given instead."""
    if isinstance(value, str):
        return value
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    kind_name = type(value).__name__
    article = "an" if kind_name[:1] in "aeiou" else "a"
    raise IdNotText(f"a {kind} id is text in quotes, like \"two-words\", not {article} {kind_name}: {shown}")


class BankError(ValueError):
    """A bank file is malformed; the message names the file, the question and the field."""

    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bank file."""

    file: str
    question: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.question:
            where.append(f"question '{self.question}'")
        if self.field:
            where.append(f"field '{self.field}'")
        return ": ".join([", ".join(where), self.message])


@dataclass(frozen=True)
class Choice:
    """One answer a learner can pick, with the feedback that explains it."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Statement:
    """One statement of a classify question, keyed leading, managing or both."""

    text: str
    label: str
    feedback: str
    rule: str | None = None


@dataclass(frozen=True)
class Question:
    """A quiz question. Classify questions use `statements`; every other type uses `choices`."""

    id: str
    type: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    statements: tuple[Statement, ...] = ()
    situation: str | None = None
    discussion: str | None = None

    @property
    def keyed(self) -> tuple[int, ...]:
        """Return the indices of the keyed choices."""
        return tuple(i for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Reflection:
    """A reflection prompt whose answer the learner writes and keeps."""

    id: str
    prompt: str
    hint: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course: its questions and reflections."""

    id: str
    number: int
    title: str
    notebook: str
    minutes: int
    summary: str | None
    questions: tuple[Question, ...]
    reflections: tuple[Reflection, ...]
    source: str = field(default="", compare=False)

    def question(self, question_id: str) -> Question:
        """Return the question with this id; raise `NotInBank` (or `IdNotText` for an id that is not text)."""
        _id_text(question_id, "question")
        for q in self.questions:
            if q.id == question_id:
                return q
        raise NotInBank(f"lesson '{self.id}' has no question '{question_id}'", "question", question_id, self.id)

    def reflection(self, reflection_id: str) -> Reflection:
        """Return the reflection prompt with this id; raise `NotInBank` (or `IdNotText` for an id that is not text)."""
        _id_text(reflection_id, "reflection")
        for r in self.reflections:
            if r.id == reflection_id:
                return r
        raise NotInBank(f"lesson '{self.id}' has no reflection '{reflection_id}'", "reflection", reflection_id, self.id)


def _validator():
    from course.schemas import validator

    return validator("bank.schema.json")


@functools.lru_cache(maxsize=None)
def _compiled():
    """The bank schema compiled (jsonschema-rs): it decides quickly that a good file is good, so opening a
    lesson does not import jsonschema, which only explains a file the compiled validator refuses."""
    import jsonschema_rs

    from course.schemas import load

    return jsonschema_rs.Draft202012Validator(load("bank.schema.json"))


def _schema_valid(data) -> bool:
    try:
        return _compiled().is_valid(data)
    except (ValueError, OverflowError, RecursionError):  # a value the compiled validator cannot take in
        return False


class _BankYAMLError(ValueError):
    """A bank file uses YAML the course refuses: a repeated key or an alias."""

    def __init__(self, message: str, mark=None, question: str | None = None, field: str | None = None):
        self.problem, self.problem_mark, self.question, self.field = message, mark, question, field
        super().__init__(message)


@functools.lru_cache(maxsize=1)
def _strict_loader():
    """Return a safe YAML loader that refuses repeated keys and aliases (a bomb of nested aliases
    would otherwise expand to millions of nodes)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):
        def construct_object(self, node, deep=False):
            if node in self.constructed_objects or node in self.recursive_objects:
                raise _BankYAMLError("uses an alias (*name); write the text out instead", node.start_mark)
            return super().construct_object(node, deep=deep)

        def construct_mapping(self, node, deep=False):
            seen = set()
            owner = next((v.value for k, v in node.value if k.value == "id" and isinstance(v.value, str)), None)
            for key_node, _ in node.value:
                key = key_node.value
                if key in seen:
                    raise _BankYAMLError("appears twice in one entry, so the first would be silently lost",
                                         key_node.start_mark, owner, str(key)[:40])
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def _yaml_load(text: str):
    import yaml

    return yaml.load(text, Loader=_strict_loader())  # noqa: S506 - a safe loader: data only, nothing executed


def _path_str(parts: Iterable) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _schema_problem(name: str, data, error, nth: int = 0) -> Problem:
    """Describe one schema error; a 'required' error is the nth its rule gave for that entry (one per missing field)."""
    path = list(error.absolute_path)
    question = None
    if len(path) >= 2 and path[0] in ("questions", "reflections") and isinstance(path[1], int):
        item = data[path[0]][path[1]]
        question = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
        question = question or f"{path[0]}[{path[1]}]"
        path = path[2:]
    field_name = _path_str(path) or None
    message = error.message
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        field_name = _path_str(path + missing[nth:nth + 1])
        message = "is missing"
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        field_name = _path_str(path + extra[:1])
        message = "is not a field this kind of entry has"
    elif error.validator == "enum" and path and path[-1] == "type":
        message = f"unknown question type {error.instance!r} (use one of: {', '.join(QUESTION_TYPES)})"
    elif error.validator == "enum" and path and path[-1] == "label":
        message = f"label {error.instance!r} is not one of: {', '.join(LABELS)}"
    elif error.validator in ("minLength", "pattern") and path and isinstance(error.instance, str) and not error.instance.strip():
        message = "is empty"
    if len(message) > 300:  # a long value in the file is not repeated back in full
        message = message[:300] + "…"
    return Problem(name, question, field_name, message)


def _semantic_problems(name: str, data: dict) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for kind in ("questions", "reflections"):
        for item in data.get(kind) or []:
            item_id = item.get("id")
            if item_id in seen:
                problems.append(Problem(name, item_id, "id", "duplicate id in this lesson"))
            seen.add(item_id)
    for q in data.get("questions") or []:
        qtype = q.get("type")
        if qtype in ("single", "multiple"):
            keyed = sum(1 for o in q.get("options", []) if o.get("correct"))
            if keyed == 0:
                problems.append(Problem(name, q["id"], "options", "no option is keyed correct: true"))
            elif qtype == "single" and keyed > 1:
                problems.append(Problem(name, q["id"], "options",
                                        f"{keyed} options are keyed correct; a single-choice question keys exactly one"))
        elif qtype == "scenario":
            best = sum(1 for r in q.get("responses", []) if r.get("best"))
            if best != 1:
                problems.append(Problem(name, q["id"], "responses",
                                        f"{best} responses are keyed best: true; a scenario keys exactly one"))
    return problems


def check_text(text: str, name: str) -> tuple[dict | None, list[Problem]]:
    """Parse and check one bank file's text; return its data and the problems found.

    At most `MAX_PROBLEMS` are listed, then one line says there are more; a text over `MAX_BANK_BYTES` is not read.
    """
    from course.collector import collector_paused

    with collector_paused():
        return _check_text(text, name)


def _check_text(text: str, name: str) -> tuple[dict | None, list[Problem]]:
    """Parse and check one bank file's text; return its data and the problems found.

    At most `MAX_PROBLEMS` are listed, then one line says there are more; a text over `MAX_BANK_BYTES` is not read.
    """
    import itertools
    from collections import Counter

    import yaml

    if len(text) > MAX_BANK_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BANK_BYTES:
        return None, [_too_large(name)]
    try:
        data = _yaml_load(text)
    except _BankYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1})" if mark else ""
        return None, [Problem(name, exc.question, exc.field, exc.problem + where)]
    except (TypeError, ValueError) as exc:  # e.g. a list used as a key, or an integer too long to read
        return None, [Problem(name, None, None, f"is not valid for a bank: {str(exc)[:200]}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, None, None, f"is not valid YAML: {reason}{where}")]
    if not isinstance(data, dict):
        return None, [Problem(name, None, None, "must be a YAML mapping with lesson, title, questions and reflections")]
    # Only the first errors are made: making all of them took seconds for a file of thousands of bad questions.
    errors = [] if _schema_valid(data) else list(itertools.islice(_validator().iter_errors(data), MAX_PROBLEMS + 1))
    numbered, seen = [], Counter()
    for e in errors:  # a 'required' rule gives one error per missing field, in the order the rule lists them
        rule = (tuple(map(str, e.absolute_path)), tuple(map(str, e.absolute_schema_path)))
        numbered.append((e, seen[rule]))
        seen[rule] += e.validator == "required"
    numbered.sort(key=lambda pair: [(0, p, "") if isinstance(p, int) else (1, 0, str(p))  # q2 before q10
                                    for p in pair[0].absolute_path])
    problems = [_schema_problem(name, data, e, nth) for e, nth in numbered]
    if not problems:
        from course.item_rules import question_problems

        problems = _semantic_problems(name, data) + question_problems(name, data, authoring=False)
    return data, _capped(name, problems)


def _too_large(name: str) -> Problem:
    return Problem(name, None, None, f"is larger than {MAX_BANK_BYTES:,} bytes, which no lesson needs (the longest "
                                     "is about 26,000); it was not read")


def _capped(name: str, problems: list[Problem]) -> list[Problem]:
    """Keep the first `MAX_PROBLEMS` problems of a file, and say when there are more."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [Problem(name, None, None, f"has more problems than the {MAX_PROBLEMS} listed; "
                                                                "fix these and check the file again")]


def _read_bank_file(path: Path) -> tuple[str | None, Problem | None]:
    """Read a bank file's text, or say why not: only a regular file up to `MAX_BANK_BYTES` is opened.

    A pipe would make the read wait for ever and a device may do anything when opened, so neither is opened.
    """
    import os
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None, Problem(str(path), None, None,
                                 "is not a file (a folder, pipe, socket or device); it was not opened")
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # swapped since it was looked at
                return None, Problem(str(path), None, None, "is not a file; it was not read")
            data = file.read(MAX_BANK_BYTES + 1)
        if len(data) > MAX_BANK_BYTES:
            return None, _too_large(str(path))
        return data.decode("utf-8"), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem(str(path), None, None, f"cannot be read: {exc}")


def _build(data: dict, source: str) -> Lesson:
    questions = []
    for q in data["questions"]:
        kind = q["type"]
        choices: tuple[Choice, ...] = ()
        statements: tuple[Statement, ...] = ()
        if kind in ("single", "multiple"):
            choices = tuple(Choice(o["text"], bool(o.get("correct")), o["feedback"]) for o in q["options"])
        elif kind == "truefalse":
            choices = (Choice("True", q["answer"] is True, q["feedback_true"]),
                       Choice("False", q["answer"] is False, q["feedback_false"]))
        elif kind == "scenario":
            choices = tuple(Choice(r["text"], bool(r.get("best")), r["consequence"]) for r in q["responses"])
        elif kind == "classify":
            statements = tuple(Statement(s["text"], s["label"], s["feedback"], s.get("rule")) for s in q["statements"])
        questions.append(Question(q["id"], kind, q["prompt"], choices, statements,
                                  q.get("situation"), q.get("discussion")))
    reflections = tuple(Reflection(r["id"], r["prompt"], r.get("hint"), r.get("example")) for r in data["reflections"])
    return Lesson(data["lesson"], int(data["number"]), data["title"], data["notebook"], int(data["minutes"]),
                  data.get("summary"), tuple(questions), reflections, source)


def load_file(path: str | Path) -> Lesson:
    """Load one bank file, raising BankError that names the file, question and field."""
    path = Path(path)
    text, unreadable = _read_bank_file(path)
    if unreadable:
        raise BankError([unreadable])
    data, problems = check_text(text, str(path))
    if problems:
        raise BankError(problems)
    return _build(data, str(path))


def _bank_files() -> list:
    folder = resources.files("course").joinpath("banks")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


_LESSON_ID = re.compile(r"^lesson:\s*[\"']?([a-z0-9-]+)", re.MULTILINE)


CHECKED_DIR = "checked-banks"  # under the data folder: banks that passed every check, as JSON
KEEP_CHECKED_FREE_BYTES = 64 * 1024 * 1024  # below this much free space, no checked copy is kept


def _checked_key(text: str) -> str:
    """Name a bank text together with the code and schema that judged it, so any change to either re-checks."""
    import hashlib

    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    here = resources.files("course")
    for part in ("bank.py", "item_rules.py", "kinds.py", "schema/bank.schema.json"):
        digest.update(b"\0" + here.joinpath(part).read_bytes())
    return digest.hexdigest()


def _checked_path(name: str, key: str) -> Path:
    from course.store import data_dir

    return data_dir() / CHECKED_DIR / f"{name.removesuffix('.yaml')}-{key}.json"


def _digest(data: dict) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def _read_checked(name: str, key: str) -> dict | None:
    """Return the bank this exact text and code already passed, or None (never kept, unreadable or damaged).

    Only a regular file up to twice `MAX_BANK_BYTES` is opened (a pipe in its place would make the read wait
    for ever), and its digest must match its data, so a copy damaged on disk is checked afresh. The copy is as
    trusted as the learner's progress file beside it: whoever can write one can write the other.
    """
    import json
    import os
    import stat

    path = _checked_path(name, key)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 2 * MAX_BANK_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            kept = json.loads(f.read(2 * MAX_BANK_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    if not (isinstance(kept, dict) and kept.get("key") == key and isinstance(kept.get("data"), dict)):
        return None
    data = kept["data"]
    return data if kept.get("digest") == _digest(data) and isinstance(data.get("questions"), list) else None


def _keep_checked(name: str, key: str, data: dict) -> None:
    """Keep a bank that passed its checks, so the next kernel skips YAML and the schema (best effort), and
    remove the copies of that bank file's earlier versions."""
    import json
    import logging
    import os
    import shutil
    import tempfile

    path = _checked_path(name, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(path.parent).free < KEEP_CHECKED_FREE_BYTES:
            return  # a nearly full disk keeps its room for the learner's own work, which this only speeds up
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".checked-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"key": key, "digest": _digest(data), "data": data}, out, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        stem = name.removesuffix(".yaml")
        for old in path.parent.glob(f"{stem}-*.json"):
            if old != path and len(old.name) == len(path.name):  # the same file's copy under another key
                old.unlink(missing_ok=True)
    except OSError:  # a read-only or full disk only costs the next kernel a check
        logging.getLogger(__name__).debug("could not keep a checked bank", exc_info=True)


@functools.lru_cache(maxsize=None)
def _shipped(name: str) -> Lesson:
    """Load and check one shipped bank file (cached for the life of the kernel).

    A text that passed every check before, judged by the same code and schema, is read back from the JSON kept
    in the data folder (`CHECKED_DIR`) instead of being parsed and checked again: opening a lesson then needs
    neither YAML nor the schema validator.
    """
    f = next(f for f in _bank_files() if f.name == name)
    where = f"course/banks/{f.name}"
    text = f.read_text("utf-8")
    key = _checked_key(text)
    data = _read_checked(f.name, key)
    if data is not None:
        try:
            return _build(data, where)
        except (KeyError, TypeError, ValueError, AttributeError):  # a damaged copy: check the text itself
            pass
    data, problems = check_text(text, where)
    if problems:
        raise BankError(problems)
    lesson = _build(data, where)
    _keep_checked(f.name, key, data)
    return lesson


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Map each lesson id, notebook name and file stem to its bank file, reading each file once."""
    index = {}
    for f in _bank_files():
        stem = f.name.removesuffix(".yaml")
        index[stem] = index[f"{stem}.ipynb"] = f.name
        found = _LESSON_ID.search(f.read_text("utf-8"))
        if found:
            index.setdefault(found.group(1), f.name)
    return index


def clear_cache() -> None:
    """Forget loaded lessons, so edited bank files are read again."""
    _shipped.cache_clear()
    _index.cache_clear()


def lessons() -> tuple[Lesson, ...]:
    """Return every lesson shipped with the course, in course order."""
    loaded, problems = [], []
    for f in _bank_files():
        try:
            loaded.append(_shipped(f.name))
        except BankError as exc:
            problems += exc.problems
    if problems:
        raise BankError(problems)
    return tuple(sorted(loaded, key=lambda lesson: lesson.number))


def lesson(lesson_id: str) -> Lesson:
    """Return the shipped lesson with this id (or its notebook's name), reading only that lesson's file.

    Raises `NotInBank` for an id the installed bank lacks, `IdNotText` for an id that is not text.
    """
    name = _index().get(_id_text(lesson_id, "lesson"))
    if name is not None:
        return _shipped(name)
    known = ", ".join(x.id for x in lessons())
    raise NotInBank(f"no lesson '{lesson_id}' in the course (lessons: {known})", "lesson", lesson_id)


def check_paths(paths: Iterable[str | Path], course_wide: bool = False) -> list[Problem]:
    """Check bank files (folders are searched for *.yaml); return the problems found (`check_text` lists at most
    `MAX_PROBLEMS` a file). Anything but a regular file is reported, not opened.

    Every file gets the schema, answer-key and item-writing checks (`course.item_rules`); with
    `course_wide`, the files are also judged together as one course (key length, true/false balance).
    """
    from course.item_rules import course_problems, question_problems

    problems: list[Problem] = []
    checked: list[tuple[str, dict]] = []
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(p.glob("*.yaml"))
        else:
            files.append(p)
    owners: dict[str, str] = {}
    numbers: dict[int, str] = {}
    for f in files:
        text, unreadable = _read_bank_file(f)
        if unreadable:
            problems.append(unreadable)
            continue
        data, found = check_text(text, str(f))
        if data and not found:
            found = _capped(str(f), question_problems(str(f), data))
            checked.append((str(f), data))
        problems += found
        if data and not found:
            lid, num = data["lesson"], data["number"]
            if lid in owners:
                problems.append(Problem(str(f), None, "lesson", f"lesson id '{lid}' is also used by {owners[lid]}"))
            if num in numbers:
                problems.append(Problem(str(f), None, "number", f"lesson number {num} is also used by {numbers[num]}"))
            owners.setdefault(lid, str(f))
            numbers.setdefault(num, str(f))
    if course_wide and checked:
        problems += course_problems(checked)
    return problems


@dataclass(frozen=True)
class BankSource:
    """Where the installed bank comes from, and the one command that brings a newer one."""

    version: str
    kind: str  # "checkout": a git working tree in use; "folder": any other folder in use; "git": pip-installed
    command: str  # from a git URL; "package": a wheel. The command is empty for a folder: it has no one way.
    folder: str


def bank_source() -> BankSource:
    """Tell how this bank was installed and which command updates it (the bank ships inside the package)."""
    import json
    import shlex
    import sys
    from importlib import metadata

    folder = Path(__file__).resolve().parent.parent
    try:
        dist = metadata.distribution("lead-manage")
        version = dist.version
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except metadata.PackageNotFoundError:
        version, direct = "not installed", {}
    except ValueError:  # an unreadable direct_url.json: treat as a plain package
        direct = {}
    if (folder / ".git").exists():  # a git checkout in use as it is: its bank files are read in place
        return BankSource(version, "checkout", f"git -C {shlex.quote(str(folder))} pull", str(folder))
    if isinstance(direct, dict) and (direct.get("dir_info") or {}).get("editable"):  # a plain copy, no git
        return BankSource(version, "folder", "", str(folder))
    python = shlex.quote(sys.executable)
    vcs = direct.get("vcs_info") if isinstance(direct, dict) else None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(direct.get("url"), str):
        url = f"git+{direct['url']}"
        revision = vcs.get("requested_revision")
        if revision and revision != vcs.get("commit_id"):
            url += f"@{revision}"
        # The version number may be unchanged, and pip skips a same-version reinstall unless forced.
        return BankSource(version, "git", f'{python} -m pip install --force-reinstall --no-deps "lead-manage @ {url}"',
                          str(folder))
    return BankSource(version, "package", f"{python} -m pip install --upgrade lead-manage", str(folder))


def shipped_bank_dir() -> Path:
    """Return the folder of the shipped bank files."""
    return Path(str(resources.files("course").joinpath("banks")))
