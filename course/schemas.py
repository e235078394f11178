"""JSON Schema validators for the course's data files, built once and cheaply."""
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


@functools.lru_cache(maxsize=None)
def validator(schema_file: str, definition: str | None = None):
    """Return a Draft 2020-12 validator for a schema shipped in course/schema (optionally one $defs entry)."""
    jsonschema = _import_jsonschema()
    schema = json.loads(resources.files("course").joinpath("schema", schema_file).read_text("utf-8"))
    if definition:
        schema = {**schema, "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema)
