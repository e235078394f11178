"""JSON Schema validators for the course's data files, built once and cheaply.

Two validators read the same schema. `validator` (jsonschema, pure Python) reports every error with
its path and keyword; the bank and the instruments use it, and so do exports to explain a refusal.
`Checker` adds a compiled validator (jsonschema-rs) that decides whether a file is valid: class results
check thousands of exports, and the pure-Python validator took most of that time.
"""
from __future__ import annotations

import functools
import json
import sys
from importlib import resources

# jsonschema imports these at start-up only to check string "format"s, which our schemas never use.
# One of them (rfc3987_syntax) builds a grammar at import: about 1.5 s and 20 MiB in every kernel.
# They are hidden while jsonschema loads, then made importable again for anyone else.
_FORMAT_ONLY = ("rfc3987", "rfc3987_syntax", "rfc3986_validator", "rfc3339_validator", "webcolors",
                "jsonpointer", "uri_template", "isoduration", "fqdn", "idna")

# The keywords both validators are known to treat alike (tests/test_class_results_validator.py checks
# them on generated files). A schema that uses any other keyword is not compiled.
COMPILED_KEYWORDS = frozenset({
    "$schema", "$id", "$defs", "$ref", "title", "description", "type", "required", "properties",
    "additionalProperties", "maxProperties", "items", "maxItems", "anyOf", "const", "enum", "pattern",
    "minLength", "maxLength", "minimum", "maximum"})


def _import_jsonschema():
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    hidden = [name for name in _FORMAT_ONLY if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes `import name` raise ImportError, which jsonschema tolerates
    try:
        import jsonschema
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    return jsonschema


def load(schema_file: str) -> dict:
    """Return a fresh copy of a schema shipped in course/schema."""
    return json.loads(resources.files("course").joinpath("schema", schema_file).read_text("utf-8"))


@functools.lru_cache(maxsize=None)
def validator(schema_file: str, definition: str | None = None):
    """Return a Draft 2020-12 validator for a schema shipped in course/schema (optionally one $defs entry)."""
    schema = load(schema_file)
    if definition:
        schema = {**schema, "$ref": f"#/$defs/{definition}"}
    return _import_jsonschema().Draft202012Validator(schema)


def keywords(schema) -> set[str]:
    """Return every keyword a schema uses (property names and $defs names are not keywords)."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                found.add(key)
                if key in ("properties", "$defs"):
                    stack.extend(value.values())
                elif key not in ("const", "enum", "required"):
                    stack.append(value)
    return found


def _local_ref(root: dict, ref) -> dict | bool | None:
    """Return the part of a schema that a local reference ("#/$defs/name") points at, or None."""
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    node = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, (dict, bool)) else None


class Checker:
    """Check documents against one schema: a compiled validator decides, the reference one explains.

    Parameters
    ----------
    schema:
        A Draft 2020-12 schema using only `COMPILED_KEYWORDS`.
    """

    def __init__(self, schema: dict):
        unknown = keywords(schema) - COMPILED_KEYWORDS
        if unknown:
            raise ValueError(f"the compiled validator is not checked for {', '.join(sorted(unknown))}")
        import jsonschema_rs

        self.schema = schema
        self.compiled = jsonschema_rs.Draft202012Validator(schema)
        self.reference = _import_jsonschema().Draft202012Validator(schema)

    def is_valid(self, doc) -> bool:
        """Tell whether a document matches the schema (the compiled validator's verdict).

        A value the compiled validator cannot take in (a lone surrogate in a key; in older versions a whole
        number past 64 bits, or deep nesting) is judged by the reference one.
        """
        try:
            return self.compiled.is_valid(doc)
        except (ValueError, OverflowError, RecursionError):
            return self.reference.is_valid(doc)

    def first_error(self, doc):
        """Return one error (a jsonschema ValidationError) of a document, or None when it is valid.

        The compiled validator finds where the document first breaks the schema; the reference validator
        then explains only that part, against the part of the schema that applies there. Collecting every
        error of a large file took seconds and much memory, and even walking to the first error takes as
        long as checking every valid row before it. Should the two ever disagree, the compiled verdict
        stands: the reference validator's first error in the whole document is given, or an error without details.
        """
        if self.is_valid(doc):
            return None
        error = self._explained(doc)
        if error is None:
            error = next(iter(self.reference.iter_errors(doc)), None)
        if error is not None:
            return error
        return _import_jsonschema().ValidationError("does not match the schema", validator="schema")

    def _explained(self, doc):
        """Explain the compiled validator's first error with the reference validator; None when that cannot be done."""
        import jsonschema_rs

        try:
            self.compiled.validate(doc)  # stops at the first error; iter_errors makes every one first
        except jsonschema_rs.ValidationError as exc:
            found = exc
        except (ValueError, OverflowError, RecursionError):
            return None
        else:
            return None
        # Walk the schema along the evaluation path to the part that failed, counting the steps into the document.
        schema, naming, depth = self.schema, None, 0  # naming: the keyword whose entry the next step names
        for step in list(found.evaluation_path)[:-1]:  # the last step is the keyword that failed
            if naming is not None:
                depth += naming != "$defs"
                schema = schema.get(step) if isinstance(schema, dict) else None
                naming = None
            elif step == "$ref":
                schema = _local_ref(self.schema, schema.get("$ref") if isinstance(schema, dict) else None)
            elif isinstance(schema, dict) and step in schema:
                depth += step in ("additionalProperties", "items")
                naming = step if step in ("properties", "patternProperties", "$defs") else None
                schema = schema[step]
            elif isinstance(schema, list) and isinstance(step, int) and 0 <= step < len(schema):
                schema = schema[step]
            else:
                return None
            if schema is None:
                return None
        if depth != len(found.instance_path):  # a path that lost a step (an empty key is left out of it)
            return None
        instance = doc
        for step in found.instance_path:
            try:
                instance = instance[step]
            except (KeyError, IndexError, TypeError):
                return None
        error = next(iter(self.reference.evolve(schema=schema).iter_errors(instance)), None)
        if error is not None:
            error.relative_path.extendleft(reversed(list(found.instance_path)))
        return error
