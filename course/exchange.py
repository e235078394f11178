"""Export a learner's work (versioned JSON plus a Markdown portfolio) and import it back.

Exports are files from other people when an instructor collects them: they are parsed as JSON and
checked against a schema, never executed, and a bad file leaves the store untouched. A .zip handed
in instead of the .json is read only when it is one the course made (`bundle_zip`), within limits
that an archive from anyone needs, and is never unpacked to disk.
"""
from __future__ import annotations

import functools
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from course.store import ProgressStore, clean_text, utc_time
from course.store_schema import read_iso

FORMAT = "lead-manage-export"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 exports carry no learner id
# The limits of one export. The schema's own numbers are set from these (`export_schema`), so the
# course's exports, its import and class results all read the same ones.
MAX_BYTES = 5 * 1024 * 1024   # the whole file
MAX_TEXT_CHARS = MAX_BYTES    # one reflection: whatever fits in the file (a character takes at least a byte)
MAX_NAME_CHARS = 200          # the learner's typed name; a longer one is cut to this in the export
MAX_ROWS = 100_000            # rows of one kind in a file; the course's own exports reach MAX_BYTES long before

# What `bundle_zip` puts in the .zip, in this order; only the export is ever read back.
EXPORT_MEMBER = "lead-manage-export.json"
PORTFOLIO_MEMBER = "reflections-portfolio.md"
CHART_MEMBER = "profile-chart.png"
PLAN_MEMBER = "90-day-plan.md"
BUNDLE_MEMBERS = (EXPORT_MEMBER, PORTFOLIO_MEMBER, CHART_MEMBER, PLAN_MEMBER)
MAX_ZIP_MEMBERS = len(BUNDLE_MEMBERS) + 4  # a margin for the course's own later additions
MAX_ZIP_UNPACKED = 4 * MAX_BYTES           # all members together, as their headers say
# Deflate cannot shrink data more than 1032 to 1; a member whose header claims more is made up.
MAX_DEFLATE_RATIO = 1032

# The learner's choice, on this copy of the course, to let the trainer quote their reflections.
SHARE_KEY = "share_reflections"


class ExportError(ValueError):
    """A file is not a usable Lead & Manage export; the message says why."""


class NotAFile(ExportError):
    """A path names a folder, pipe, socket or device, which is refused without being opened."""

    def __init__(self, kind: str):
        self.kind = kind  # such as "a pipe (FIFO)"
        super().__init__(f"is {kind}, not a file; it was not opened")


class ExportTooLarge(ExportError):
    """The learner's work does not fit in one export, even with only the latest version of each reflection."""

    def __init__(self, size: int):
        self.size = size  # bytes the export would take
        super().__init__(f"your work takes {size:,} bytes even with only the latest version of each reflection, "
                         f"and an export holds at most {MAX_BYTES:,}")


def export_schema() -> dict:
    """Return the export schema with its size limits set from this module's constants."""
    from course.schemas import load

    schema = load("export.schema.json")
    props = schema["properties"]
    props["learner"]["maxLength"] = MAX_NAME_CHARS
    props["reflections"]["items"]["properties"]["text"]["maxLength"] = MAX_TEXT_CHARS
    for rows in ("attempts", "reflections", "ratings"):
        props[rows]["maxItems"] = MAX_ROWS
    return schema


@functools.lru_cache(maxsize=1)
def _checker():
    from course.schemas import Checker

    return Checker(export_schema())


def markdown_text(text: str) -> str:
    """Escape learner text for CommonMark, so it shows as typed: never as HTML, links, images, headings or lists.

    Renderers that do not sanitise would otherwise run `<img onerror=...>` or `<style>` from a
    reflection. Line breaks are kept as breaks, and leading spaces do not turn a line into code.
    """
    import re

    lines = []
    for line in clean_text(text).split("\n"):
        line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        line = re.sub(r"([\\`*_{}\[\]()#+!|~:-])", r"\\\1", line)   # ':' breaks bare links, '-' rules and lists
        line = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", line)          # "1986. A good year." is not a list item
        line = re.sub(r"^(\s*)(=)", r"\1\\\2", line)                  # nor an underline that makes a heading
        indent = len(line) - len(line.lstrip(" "))
        lines.append("&nbsp;" * indent + line.lstrip(" "))
    return "  \n".join(lines)


def _reject_constant(name: str):
    raise ExportError(f"file holds a number JSON does not allow ({name})")


def _finite_float(text: str) -> float:
    value = float(text)
    if value - value != 0.0:  # 1e999 reads as infinity, which no field of the format can hold
        raise ExportError("file holds a number too large to use")
    return value


def _unique_keys(pairs):
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise ExportError("file repeats a key inside one object, so what it means is ambiguous")
    return doc


# Text decoded from UTF-8 holds no surrogate: one can only come from a \uD800-\uDFFF escape in the JSON.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_text(value, source: str | None = None) -> None:
    """Refuse text that cannot be stored as UTF-8 (a lone surrogate from a half-typed emoji).

    Given the JSON text the value was read from, a file with no surrogate escape is not walked.
    """
    if source is not None and not _SURROGATE_ESCAPE.search(source):
        return
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ExportError("file holds text that is not valid Unicode (a broken character)") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _place(part) -> str:
    """Name one step of a path into an export: an index, or a field of the format (a key from the file is not quoted)."""
    if isinstance(part, int):
        return str(part)
    return part if part in _FIELDS else "(a key)"


_FIELDS = {"format", "version", "exported_at", "learner", "learner_id", "attempts", "reflections", "ratings", "profile",
           "reflection_history", "uid", "lesson", "question", "answer", "correct", "score", "at", "reflection", "text",
           "phase", "item", "value", "share_reflections"}


# A date and a time of day, as the course writes them: 2026-11-01T10:00:00+00:00 (seconds, fraction and offset
# optional). Week dates, ordinal dates, bare dates and the basic form without dashes are not accepted.
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
                   r"(?:Z|[+-][0-9]{2}:[0-9]{2})?")
TIME_EXAMPLE = "2026-11-01T10:00:00+00:00"


def is_time(value) -> bool:
    """Tell whether a value is a date and time the store can keep (`course.store.utc_time`), in the form above."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return False
    try:
        if value.startswith(("0001", "9999")):  # only here can the move to UTC leave the years datetime holds
            utc_time(value)
        else:
            read_iso(value)  # a real day and time of day (what utc_time checks, without its conversion)
    except ValueError:
        return False
    return True


def _check_times(doc: dict) -> None:
    """Refuse an export whose export time or any row's time ('at') is not a date and time; name where, not what."""
    if not is_time(doc["exported_at"]):
        raise ExportError(f"export does not match the format at exported_at: {_NOT_A_TIME}")
    for rows in ("attempts", "reflections", "ratings"):
        for n, row in enumerate(doc[rows]):
            if not is_time(row["at"]):
                raise ExportError(f"export does not match the format at {rows}/{n}/at: {_NOT_A_TIME}")


_NOT_A_TIME = f"a time that is not an ISO 8601 date and time, such as {TIME_EXAMPLE}"


def _describe(error) -> str:
    """Say what is wrong with a part of an export without quoting the learner's text."""
    kind, limit = error.validator, error.validator_value
    if kind in ("maxLength", "maxItems", "minimum", "maximum") and isinstance(limit, (int, float)):
        return {"maxLength": f"text longer than {limit:,} characters", "maxItems": f"more than {limit:,} entries",
                "minimum": f"a number below {limit}", "maximum": f"a number above {limit}"}[kind]
    if kind == "required" and isinstance(limit, list) and isinstance(error.instance, dict):
        missing = [k for k in limit if k not in error.instance]
        return f"the field '{missing[0]}' is missing" if missing else "a required field is missing"
    if kind == "type":
        return f"a value of the wrong type (expected {limit if isinstance(limit, str) else ' or '.join(map(str, limit))})"
    return {"minLength": "text that is too short", "pattern": "a value in the wrong form",
            "enum": "a value that is not allowed", "const": "a value that is not allowed",
            "additionalProperties": "a field this format does not have", "maxProperties": "too many fields",
            "anyOf": "a value of none of the allowed shapes"}.get(kind, f"a value that breaks the rule '{kind}'")


def bundle_zip(store: ProgressStore, learner: str | None = None,
               share_reflections: bool | None = None) -> tuple[bytes, list[str]]:
    """Pack everything into one zip: export, portfolio, and the profile chart and plan when they exist.

    Returns the archive's bytes and its member names, from `BUNDLE_MEMBERS` in that order. Work too
    large for one export (`ExportTooLarge`) leaves the export out; the portfolio still holds the latest
    version of every reflection. `share_reflections` is passed on to `export_file`.
    """
    import io
    import zipfile

    files = {}
    try:
        files[EXPORT_MEMBER] = export_file(store, learner, share_reflections).text.encode("utf-8")
    except ExportTooLarge:
        pass
    files[PORTFOLIO_MEMBER] = portfolio_markdown(store, learner).encode("utf-8")
    if store.has_ratings():
        from course.instruments import self_assessment
        from course.profile import chart_png, profiles

        instrument = self_assessment()
        files[CHART_MEMBER] = chart_png(instrument, profiles(instrument, store), for_file=True)
    from course.instruments import action_plan
    from course.plan import plan_markdown, read_plan

    form = action_plan()
    values, tags = read_plan(store, form)
    if any(v.strip() for v in values.values()):
        files[PLAN_MEMBER] = plan_markdown(form, values, tags, learner).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue(), list(files)


@dataclass(frozen=True)
class ExportFile:
    """An export as the learner downloads it: the JSON text, its size, and how much reflection history it keeps."""

    text: str
    size: int  # bytes, as UTF-8
    doc: dict  # what the text holds, as parsed

    @property
    def reflection_history(self) -> str:
        """'full', or 'latest' when every revision would not fit in MAX_BYTES."""
        return self.doc["reflection_history"]

    @property
    def rows(self) -> dict[str, int]:
        """How many attempts, reflections (revisions) and ratings the file holds."""
        return {kind: len(self.doc[kind]) for kind in ("attempts", "reflections", "ratings")}

    @property
    def trimmed(self) -> bool:
        """Tell whether only the latest revision of each reflection is kept."""
        return self.reflection_history == "latest"


def export_file(store: ProgressStore, learner: str | None = None,
                share_reflections: bool | None = None) -> ExportFile:
    """Return everything the learner has done as an export file that this course can import again.

    Every saved revision of every reflection is included while the file stays within `MAX_BYTES`;
    past that only the latest revision of each is kept (`"reflection_history": "latest"`), so the
    export always passes the course's own import and class results. A typed name is cut to
    `MAX_NAME_CHARS`, and a broken character in it becomes U+FFFD.

    Parameters
    ----------
    store:
        The progress store to read.
    learner:
        An optional name to put on the export.
    share_reflections:
        Whether the trainer may quote the learner's reflections without their name; None reads the
        learner's choice from the store (`sharing_chosen`). The file holds it as true or false.

    Raises
    ------
    ExportTooLarge
        When even the latest revisions make a file over `MAX_BYTES`; no file is made then.
    """
    return _export(store, learner, share_reflections)[1]


def _export(store: ProgressStore, learner: str | None, share: bool | None = None) -> tuple[dict, ExportFile]:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "learner": clean_text(learner)[:MAX_NAME_CHARS] if learner else learner,
        "learner_id": store.learner_id,
        "share_reflections": sharing_chosen(store) if share is None else share is True,
        "attempts": store.attempts(),
        "reflections": store.reflection_revisions(),
        "ratings": store.rating_rows(),
        "profile": _profile_scores(store),
        "reflection_history": "full",
    }
    text = _dumps(doc)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        latest: dict[tuple[str, str], dict] = {}
        for r in doc["reflections"]:  # in the order written, so the last one kept per prompt is the latest
            latest[(r["lesson"], r["reflection"])] = r
        doc["reflections"] = list(latest.values())
        doc["reflection_history"] = "latest"
        text = _dumps(doc)
        size = len(text.encode("utf-8"))
        if size > MAX_BYTES:
            raise ExportTooLarge(size)
    return doc, ExportFile(text, size, doc)


def export_learner(store: ProgressStore, learner: str | None = None) -> dict:
    """Return the export (see `export_file`) as a JSON-ready dict."""
    return _export(store, learner)[0]


# -- consent to quote reflections -----------------------------------------------------------------
def sharing_chosen(store: ProgressStore) -> bool:
    """Tell whether the learner chose, on this copy of the course, to let the trainer quote their reflections.

    Off until the learner turns it on; a stored value the course did not write counts as off.
    """
    return store.get(SHARE_KEY) == "true"


def choose_sharing(store: ProgressStore, share: bool) -> None:
    """Remember the learner's choice about quoting their reflections (see `sharing_chosen`).

    Raises what the store raises when it cannot write (`sqlite3.Error`, `OSError`).
    """
    store.set(SHARE_KEY, "true" if share is True else "false")


def shares_reflections(doc: dict) -> bool:
    """Tell whether a parsed export lets the trainer quote its reflections; an export without the field does not."""
    return doc.get("share_reflections") is True


# -- file names -----------------------------------------------------------------------------------
# Letters that NFKD does not split into a base letter and an accent, written as English spells them;
# apostrophes go.
_FOLD = str.maketrans({"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ß": "ss", "ẞ": "SS",
                       "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
                       "ı": "i", "ħ": "h", "Ħ": "H", "'": "", "’": ""})  # O'Neil: oneil, not o-neil
NAME_PART_CHARS = 40   # the learner's part of a file name
# Every download's name starts with this, so none is a name Windows keeps for a device ("con.json", "NUL",
# "COM1.zip"), whatever the learner types.
FILE_PREFIX = "lead-manage-"


def short_learner_id(learner_id: str | None) -> str:
    """Return the short learner id the course shows: the first 8 hex digits of the id ('' when it has none)."""
    return re.sub(r"[^0-9a-f]", "", (learner_id or "").lower())[:8]


def file_name_part(learner: str | None, learner_id: str) -> str:
    """Return the part of a download's name that tells whose it is: the typed name made safe, then the short id.

    The name is folded to ASCII where it can be ("Zoë Ørsted" gives "zoe-orsted"), lower-cased, with
    spaces as "-", only letters, digits, ".", "_" and "-", and at most `NAME_PART_CHARS` characters.
    The first 8 hex digits of the learner id (`short_learner_id`) always follow it, so two learners who
    type the same name still get different files: "zoe-orsted-3f2a9c1d". A name with nothing left (none
    typed, or only letters with no ASCII form) gives the short id alone; an id with no hex digits, "learner".
    """
    import unicodedata

    text = clean_text(learner or "")[:MAX_NAME_CHARS].translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9._]+", "-", text)             # spaces, and anything a file system may refuse
    text = re.sub(r"\.{2,}", ".", re.sub(r"-{2,}", "-", text))  # never ".." in a name
    text = text.strip("-._")[:NAME_PART_CHARS].rstrip("-._")
    return "-".join(part for part in (text, short_learner_id(learner_id)) if part) or "learner"


def _stamp(when: datetime) -> str:
    # Written out rather than strftime('%Y'), which some C libraries do not pad to four digits before year 1000.
    return f"{when.year:04d}{when.month:02d}{when.day:02d}-{when.hour:02d}{when.minute:02d}"


def export_filename(learner: str | None, learner_id: str, when: datetime, suffix: str) -> str:
    """Return the name a download is saved under, such as 'lead-manage-ann-lee-3f2a9c1d-20261130-1504.json'.

    A class's files can share a folder: each name carries `file_name_part` (the typed name, then the
    short learner id, or the short id alone when no name is typed: 'lead-manage-3f2a9c1d-20261130-1504.json')
    and the time. Learners whose ids differ in their first 8 hex digits never get the same name, even
    when they type the same name in the same minute. The name only ever holds `[A-Za-z0-9._-]`, never
    starts with a dot, is at most 100 characters, and starts with `FILE_PREFIX`, so it is never one of
    Windows' device names.

    Parameters
    ----------
    learner:
        The name the learner typed, or None.
    learner_id:
        The store's learner id (32 hex digits).
    when:
        The time to put in the name, to the minute, as given (the learner's local time).
    suffix:
        'json' for the export, 'zip' for everything.

    Raises
    ------
    ValueError
        For another suffix.
    """
    if suffix not in ("json", "zip"):
        raise ValueError(f"a download is a .json or a .zip, not {suffix!r}")
    return f"{FILE_PREFIX}{file_name_part(learner, learner_id)}-{_stamp(when)}.{suffix}"


def _dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _profile_scores(store: ProgressStore) -> dict:
    if not store.has_ratings():  # keeps the instrument and pandas out of exports that have no ratings
        return {}
    from course.instruments import self_assessment
    from course.profile import profile_scores_for_export

    return profile_scores_for_export(self_assessment(), store)


def export_json(store: ProgressStore, learner: str | None = None) -> str:
    """Return the export (see `export_file`) as JSON text."""
    return export_file(store, learner).text


def portfolio_markdown(store: ProgressStore, learner: str | None = None) -> str:
    """Return the learner's latest reflections as a Markdown portfolio, in course order."""
    from course.bank import lessons

    latest = store.latest_reflections()
    title = f"# Lead & Manage: reflection portfolio{' of ' + markdown_text(learner) if learner else ''}"
    lines = [title, "", f"Exported {datetime.now().strftime('%d %B %Y, %H:%M')}.", ""]
    known = set()
    for lesson in lessons():
        entries = [(r, latest.get((lesson.id, r.id))) for r in lesson.reflections]
        entries = [(r, saved) for r, saved in entries if saved and saved.text.strip()]
        known.update((lesson.id, r.id) for r in lesson.reflections)
        if not entries:
            continue
        lines += [f"## {lesson.number:02d} · {lesson.title}", ""]
        for prompt, saved in entries:
            lines += [f"**{markdown_text(prompt.prompt)}**", "", markdown_text(saved.text.strip()), "",
                      f"*Saved {markdown_text(saved.at[:16].replace('T', ' '))} UTC*", ""]
    others = [(key, saved) for key, saved in latest.items()
              if key not in known and saved.text.strip() and not key[1].startswith("plan-")]
    if others:
        lines += ["## Other notes", ""]
        for (lesson_id, ref_id), saved in others:
            lines += [f"**{markdown_text(lesson_id)} / {markdown_text(ref_id)}**", "", markdown_text(saved.text.strip()), ""]
    if len(lines) <= 4:
        lines += ["No reflections written yet."]
    return "\n".join(lines).rstrip() + "\n"


def parse_export(data: bytes | str, name: str | None = None) -> dict:
    """Parse and check an export file's content; raise ExportError with the reason if it is unusable.

    A .zip handed in instead is recognised by its first bytes and its export read from inside it,
    only when it is one this course made (see `bundle_export`).

    Parameters
    ----------
    data:
        The file's bytes, or its text.
    name:
        The file's name, when known: a refused .zip then names the .json to hand in instead.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    is_zip = data.startswith(ZIP_MAGIC)
    if len(data) > MAX_BYTES:
        if is_zip:
            raise ExportError(f"this .zip is {len(data):,} bytes, and a file handed in is at most {MAX_BYTES:,}; "
                              f"{_instead(name)}")
        raise ExportError(f"file is {len(data):,} bytes; an export is at most {MAX_BYTES:,}")
    if is_zip:
        data = bundle_export(data, name)
    return _parse_json(data)


# A zip archive starts with a local file header, or with the end record when it is empty or spanned.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


# What browsers and file managers add to a name when a file of that name is already there: "name (1).zip"
# (Chrome, Firefox, Edge), "name(1).zip", "name copy.zip" and "name copy 2.zip" (macOS), "name - Copy.zip"
# and "name - Copy (2).zip" (Windows).
_RENAMED = re.compile(r"(?:\s*\(\d{1,4}\)|\s+copy(?:\s+\d{1,4})?|\s+-\s+copy(?:\s*\(\d{1,4}\))?)+$", re.IGNORECASE)


def _instead(name: str | None) -> str:
    """Say which file to use instead of a refused .zip (to hand in, or to upload to carry on), named after the
    .zip when the course named it, or the export found inside it, which is there even when the .zip was unpacked
    and packed again.

    A .zip the browser or the file manager renamed ("lead-manage-ann-lee-3f2a9c1d-20261130-1504 (1).zip")
    counts as the course's: the .json named is the one the course gave, without the added " (1)".
    """
    base = re.split(r"[\\/]", name or "")[-1]
    stem, dot, suffix = base.rpartition(".")
    stem = _RENAMED.sub("", stem) if dot and suffix.lower() == "zip" else ""
    if re.fullmatch(r"lead-manage-work-[0-9]{8}-[0-9]{4}", stem, re.IGNORECASE):
        json_name = "lead-manage-export-….json"  # named before downloads carried the learner's name
    elif re.fullmatch(r"lead-manage-[A-Za-z0-9._-]{1,80}", stem, re.IGNORECASE):
        json_name = stem + ".json"
    else:
        json_name = "lead-manage-….json"
    return (f"use the .json file named {json_name} from the same download instead (or the {EXPORT_MEMBER} "
            "inside the .zip)")


def bundle_export(data: bytes, name: str | None = None) -> bytes:
    """Return the export's bytes from inside a .zip the course made (`bundle_zip`), reading nothing else.

    The archive is read in memory and nothing is unpacked to disk. It must have the course's layout:
    at most `MAX_ZIP_MEMBERS` members, every one named as `bundle_zip` names them, stored or deflated,
    none locked with a password; the export member is found by its name, `EXPORT_MEMBER`. A member
    whose header claims more than deflate can give (`MAX_DEFLATE_RATIO`), or members that together
    claim more than `MAX_ZIP_UNPACKED` bytes, mark a zip bomb. The export's size is checked from its
    header and again while reading, which stops after `MAX_BYTES` + 1 bytes, so a header that lies
    does not matter. An archive inside the archive is not opened.

    Parameters
    ----------
    data:
        The archive's bytes (at most `MAX_BYTES`; `parse_export` checks that first).
    name:
        The archive's file name, when known, to name the .json to hand in instead.

    Raises
    ------
    ExportError
        For every archive that is refused; the message ends by saying which .json file to hand in instead.
    """
    import io
    import zipfile
    import zlib

    instead = _instead(name)

    def refused(reason: str) -> ExportError:
        return ExportError(f"this .zip {reason}; {instead}")

    damaged = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
               ValueError, OSError)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except damaged:
        raise refused("is damaged, or is not a .zip this course made") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise refused(f"holds {len(members):,} files, and a .zip from this course holds at most {len(BUNDLE_MEMBERS)}")
    names = [member.filename for member in members]
    for member in members:
        path = member.filename
        if ".." in path or "\\" in path or path.startswith("/") or re.match(r"[A-Za-z]:", path):
            raise refused("holds a file whose name points outside the archive")
        if member.flag_bits & 0x1:
            raise refused("holds a file locked with a password")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refused("is packed in a way this course does not use")
        if member.file_size > MAX_DEFLATE_RATIO * member.compress_size + 64:
            raise refused("claims to unpack to far more than it could hold (a zip bomb)")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_ZIP_UNPACKED:
        raise refused(f"would unpack to {unpacked:,} bytes, far more than a download from this course (a zip bomb)")
    if any(path not in BUNDLE_MEMBERS for path in names):
        raise refused("is not one this course made: it holds files a course download does not have")
    if len(set(names)) != len(names):
        raise refused("holds two files with the same name")
    if EXPORT_MEMBER not in names:
        if PORTFOLIO_MEMBER in names:
            raise refused(f"holds no {EXPORT_MEMBER}: a download leaves it out when the work is too large "
                          "for one file")
        raise refused(f"holds no {EXPORT_MEMBER}, so it is not a .zip this course made")
    member = archive.getinfo(EXPORT_MEMBER)
    if member.file_size > MAX_BYTES:
        raise refused(f"holds an export of {member.file_size:,} bytes, and an export is at most {MAX_BYTES:,}")
    try:
        with archive.open(member) as file:
            content = file.read(MAX_BYTES + 1)  # whatever the header says, no more than one byte past the limit
    except damaged:
        raise refused("is damaged: the export inside it cannot be read") from None
    if len(content) > MAX_BYTES:
        raise refused(f"holds an export of more than {MAX_BYTES:,} bytes")
    if content.startswith(ZIP_MAGIC):
        raise refused("holds another archive where the export should be, and archives inside archives are not opened")
    return content


def _parse_json(data: bytes) -> dict:
    """Parse and check an export's JSON bytes (at most `MAX_BYTES`); raise ExportError with the reason."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportError("file is not UTF-8 text (binary or another encoding)") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_unique_keys)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ExportError(f"file is not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        if isinstance(exc, ExportError):
            raise
        raise ExportError("file holds a number too long to read") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportError("file is not a Lead & Manage export (no 'format': 'lead-manage-export')")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in READABLE_VERSIONS:
        readable = " and ".join(map(str, READABLE_VERSIONS))
        shown = repr(version) if isinstance(version, (int, float, type(None))) else f"of type {type(version).__name__}"
        raise ExportError(f"export version {shown[:20]} is not supported (this course reads versions {readable})")
    _check_text(doc, text)  # first: the compiled validator cannot take a lone surrogate in a key
    error = _checker().first_error(doc)
    if error is not None:
        where = "/".join(_place(part) for part in error.absolute_path) or "top level"
        raise ExportError(f"export does not match the format at {where}: {_describe(error)}")
    _check_times(doc)
    return doc


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISLNK, "a link"))


def file_kind(mode: int) -> str | None:
    """Name what a path that is not a regular file is, from its `st_mode` ('a pipe (FIFO)'); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_export_file(path: str | Path, follow_links: bool = True) -> bytes:
    """Read an export's bytes from disk without waiting on, or opening, anything that is not a regular file.

    A pipe would block the read for ever and a device may do anything when opened, so only a regular
    file is opened, and then without waiting (the file is checked again once open, in case it was swapped).

    Parameters
    ----------
    path:
        The file.
    follow_links:
        False refuses a link instead of reading the file it points at (class results stay inside their folder).

    Raises
    ------
    NotAFile
        When the path is not a regular file (the message, "is a pipe (FIFO), not a file...", does not name it).
    ExportError
        When the file is larger than `MAX_BYTES`.
    OSError
        When the file cannot be read.
    """
    mode = (os.stat(path) if follow_links else os.lstat(path)).st_mode
    kind = file_kind(mode)
    if kind:
        raise NotAFile(kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags)
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        kind = file_kind(info.st_mode)
        if kind:
            raise NotAFile(kind)
        if info.st_size > MAX_BYTES:
            raise ExportError(f"file is {info.st_size:,} bytes; an export is at most {MAX_BYTES:,}")
        data = file.read(MAX_BYTES + 1)  # a file still growing is not read past the limit
    if len(data) > MAX_BYTES:
        raise ExportError(f"file is more than {MAX_BYTES:,} bytes; an export is at most {MAX_BYTES:,}")
    return data


@dataclass(frozen=True)
class Imported:
    """What an import did: the rows it added, and whose copy of the course the file came from."""

    added: dict[str, int]  # new rows: attempts, reflections, ratings
    from_id: str | None    # the export's learner id (version 1 files have none)
    kept_id: str           # this store's learner id after the import

    @property
    def from_another_copy(self) -> bool:
        """Tell whether the file came from another copy of the course, whose id this store did not take.

        A store that already holds work keeps its own id; the imported rows then count under it.
        """
        return bool(self.from_id) and self.from_id != self.kept_id


def import_work(store: ProgressStore, data: bytes | str | Path, name: str | None = None) -> Imported:
    """Merge an export into the store, idempotently; say what was added and where the file came from.

    A store with no work yet takes the export's learner id, so option orders stay as the learner
    knew them; a store that has work keeps its own (see `Imported.from_another_copy`). A refused
    file (`ExportError`), or a merge the store refuses, leaves the store, and its id, as they were.
    The export's `share_reflections` is never taken: the choice made on this copy of the course
    stays as it is, so an import can neither give nor withdraw consent.

    Parameters
    ----------
    store:
        The progress store to merge into.
    data:
        The export's bytes or text (or a .zip the course made), or a path to a regular file (a folder,
        pipe or device is refused unopened).
    name:
        The file's name, when `data` is bytes or text (see `parse_export`).
    """
    if isinstance(data, Path):
        name = name or data.name
        try:
            data = read_export_file(data)
        except NotAFile as exc:
            raise ExportError(f"{data.name} {exc}") from None
        except OSError as exc:
            raise ExportError(f"cannot read {data.name}: {exc.strerror or exc}") from None
    doc = parse_export(data, name)
    from_id = doc.get("learner_id")
    # The store takes an id only while it holds no rows, so it is taken before the merge, and given back
    # should the merge fail: a refused import changes nothing.
    previous = store.learner_id
    adopted = bool(from_id) and from_id != previous and store.adopt_learner_id(from_id)
    try:
        added = store.merge(doc["attempts"], doc["reflections"], doc["ratings"])
    except BaseException:
        if adopted:
            store.adopt_learner_id(previous)
        raise
    return Imported(added, from_id, store.learner_id)


def import_export(store: ProgressStore, data: bytes | str | Path, name: str | None = None) -> dict[str, int]:
    """Merge an export into the store, idempotently; return how many rows were new (see `import_work`)."""
    return import_work(store, data, name).added


def write_export(store: ProgressStore, folder: str | Path, learner: str | None = None) -> tuple[Path, Path]:
    """Write the JSON export and the Markdown portfolio into a folder, named as downloads are; return both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    when = datetime.now()
    json_path = folder / export_filename(learner, store.learner_id, when, "json")
    md_path = folder / f"{FILE_PREFIX}portfolio-{file_name_part(learner, store.learner_id)}-{_stamp(when)}.md"
    json_path.write_text(export_json(store, learner), encoding="utf-8")
    md_path.write_text(portfolio_markdown(store, learner), encoding="utf-8")
    return json_path, md_path
