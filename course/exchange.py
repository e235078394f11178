"""Export a learner's work (versioned JSON plus a Markdown portfolio) and import it back.

Exports are files from other people when an instructor collects them: they are parsed as JSON and
checked against a schema, never executed, and a bad file leaves the store untouched.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from course.store import ProgressStore, clean_text

FORMAT = "lead-manage-export"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 exports carry no learner id
MAX_BYTES = 5 * 1024 * 1024


class ExportError(ValueError):
    """A file is not a usable Lead & Manage export; the message says why."""


def _validator():
    from course.schemas import validator

    return validator("export.schema.json")


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


def _unique_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ExportError("file repeats a key inside one object, so what it means is ambiguous")
    return dict(pairs)


def _check_text(value, where: str = "") -> None:
    """Refuse text that cannot be stored as UTF-8 (a lone surrogate from a half-typed emoji)."""
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
           "phase", "item", "value"}


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


def bundle_zip(store: ProgressStore, learner: str | None = None) -> tuple[bytes, list[str]]:
    """Pack everything into one zip: export, portfolio, and the profile chart and plan when they exist."""
    import io
    import zipfile

    files = {"lead-manage-export.json": export_json(store, learner).encode("utf-8"),
             "reflections-portfolio.md": portfolio_markdown(store, learner).encode("utf-8")}
    if store.has_ratings():
        from course.instruments import self_assessment
        from course.profile import chart_png, profiles

        instrument = self_assessment()
        files["profile-chart.png"] = chart_png(instrument, profiles(instrument, store), for_file=True)
    from course.instruments import action_plan
    from course.plan import plan_markdown, read_plan

    form = action_plan()
    values, tags = read_plan(store, form)
    if any(v.strip() for v in values.values()):
        files["90-day-plan.md"] = plan_markdown(form, values, tags, learner).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue(), list(files)


def export_learner(store: ProgressStore, learner: str | None = None) -> dict:
    """Return everything the learner has done, as a JSON-ready dict that this course can import again.

    Every saved revision of every reflection is included while the file stays within `MAX_BYTES`;
    past that only the latest revision of each is kept (`"reflection_history": "latest"`), so the
    export always passes the course's own import and class results.

    Parameters
    ----------
    store:
        The progress store to read.
    learner:
        An optional name to put on the export (a broken character in it becomes U+FFFD).
    """
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "learner": clean_text(learner) if learner else learner,
        "learner_id": store.learner_id,
        "attempts": store.attempts(),
        "reflections": store.reflection_revisions(),
        "ratings": store.rating_rows(),
        "profile": _profile_scores(store),
        "reflection_history": "full",
    }
    if len(_dumps(doc).encode("utf-8")) > MAX_BYTES:
        latest: dict[tuple[str, str], dict] = {}
        for r in doc["reflections"]:  # oldest first, so the last one kept per prompt is the latest
            latest[(r["lesson"], r["reflection"])] = r
        doc["reflections"] = list(latest.values())
        doc["reflection_history"] = "latest"
    return doc


def _dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _profile_scores(store: ProgressStore) -> dict:
    if not store.has_ratings():  # keeps the instrument and pandas out of exports that have no ratings
        return {}
    from course.instruments import self_assessment
    from course.profile import profile_scores_for_export

    return profile_scores_for_export(self_assessment(), store)


def export_json(store: ProgressStore, learner: str | None = None) -> str:
    """Return the export as JSON text."""
    return _dumps(export_learner(store, learner))


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


def parse_export(data: bytes | str) -> dict:
    """Parse and check an export file's content; raise ExportError with the reason if it is unusable."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_BYTES:
        raise ExportError(f"file is {len(data):,} bytes; an export is at most {MAX_BYTES:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportError("file is not UTF-8 text (binary or another encoding)") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
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
    error = next(iter(sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))), None)
    if error is not None:
        where = "/".join(_place(part) for part in error.absolute_path) or "top level"
        raise ExportError(f"export does not match the format at {where}: {_describe(error)}")
    _check_text(doc)
    return doc


def import_export(store: ProgressStore, data: bytes | str | Path) -> dict[str, int]:
    """Merge an export into the store, idempotently; return how many rows were new.

    Parameters
    ----------
    store:
        The progress store to merge into.
    data:
        The export's bytes or text, or a path to the file.
    """
    if isinstance(data, Path):
        try:
            size = data.stat().st_size
        except OSError as exc:
            raise ExportError(f"cannot read {data.name}: {exc.strerror or exc}") from None
        if size > MAX_BYTES:
            raise ExportError(f"file is {size:,} bytes; an export is at most {MAX_BYTES:,}")
        data = data.read_bytes()
    doc = parse_export(data)
    if doc.get("learner_id"):  # a fresh store takes the learner's id, so their option orders stay the same
        store.adopt_learner_id(doc["learner_id"])
    return store.merge(doc["attempts"], doc["reflections"], doc["ratings"])


def write_export(store: ProgressStore, folder: str | Path, learner: str | None = None) -> tuple[Path, Path]:
    """Write the JSON export and the Markdown portfolio into a folder; return both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    json_path = folder / f"lead-manage-export-{stamp}.json"
    md_path = folder / f"lead-manage-portfolio-{stamp}.md"
    json_path.write_text(export_json(store, learner), encoding="utf-8")
    md_path.write_text(portfolio_markdown(store, learner), encoding="utf-8")
    return json_path, md_path
