"""The choreography JSON Schema, generated from the field table in ``content.fields``.

    python -m content.schema            # rewrite choreographies/choreography.schema.json
    python -m content.schema --check    # exit 1 if the shipped file is stale

Editors (via the ``# yaml-language-server: $schema=...`` first line) use it to autocomplete
and underline mistakes. It checks what a schema can (types, ranges, names, timing shape);
the loader also checks files, media lengths and overlaps.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from content import fields as F
from content.fields import FieldSpec

SCHEMA_ID = "https://dancestudio.invalid/choreography.schema.json"
# No "/" at the start, no ".." segment, no backslash, no drive letter: stays in the folder.
PATH_PATTERN = r"^(?![/~])(?![A-Za-z]:)(?!(.*/)?\.\.(/|$))[^\\]+$"


def shipped_schema_path() -> Path:
    """Where the schema is shipped in the repository."""
    return Path(__file__).resolve().parents[1] / "choreographies" / F.SCHEMA_FILE


def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    s: dict[str, Any] = {"description": spec.doc}
    if spec.kind == "int":
        s["type"] = "integer"
    elif spec.kind == "number":
        s["type"] = "number"
    elif spec.kind == "string":
        # The loader takes any scalar's text ("title: 1999"), so the schema does too.
        s["type"] = ["string", "number", "boolean"]
        if spec.required:
            s["minLength"] = 1
    elif spec.kind == "bool":
        s["type"] = "boolean"
    elif spec.kind == "enum":
        s["enum"] = list(spec.choices)
    elif spec.kind == "path":
        s.update(type="string", minLength=1, pattern=PATH_PATTERN)
    elif spec.kind == "parts":
        s["oneOf"] = [
            {"type": "array", "items": {"enum": list(spec.choices)}, "minItems": max(spec.min_items, 1),
             "uniqueItems": True},
            {"type": "object", "propertyNames": {"enum": list(spec.choices)},
             "additionalProperties": {"type": "number", "minimum": 0}, "minProperties": 1},
        ]
    elif spec.kind == "moves":
        s.update(type="array", items={"$ref": "#/definitions/move"}, minItems=spec.min_items)
    if spec.minimum is not None:
        s["minimum"] = spec.minimum
    if spec.exclusive_minimum is not None:
        s["exclusiveMinimum"] = spec.exclusive_minimum
    if spec.maximum is not None:
        s["maximum"] = spec.maximum
    if spec.default is not None:
        s["default"] = spec.default
    return s


def _object(fields: tuple[FieldSpec, ...], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {f.name: _field_schema(f) for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    """The JSON Schema of a choreography file.

    Draft-07: the newest draft that every YAML language server (VS Code, JetBrains, vim)
    understands; nothing here needs a later one.
    """
    top = _object(F.TOP_FIELDS, "A DanceStudio choreography: a song, its coach and the moves a child dances.")
    move = _object(F.MOVE_FIELDS, "One judged move, timed in beats (start + beats) or in seconds "
                   "(start_s + end_s or duration_s).")
    seconds = [F.SECONDS_START, *F.SECONDS_END]
    move["oneOf"] = [
        {"title": "beat timing", "required": list(F.BEAT_TIMING),
         "not": {"anyOf": [{"required": [k]} for k in seconds]}},
        {"title": "seconds timing", "required": [F.SECONDS_START],
         "oneOf": [{"required": [k]} for k in F.SECONDS_END],
         "not": {"anyOf": [{"required": [k]} for k in F.BEAT_TIMING]}},
    ]
    top["properties"]["format"]["const"] = F.FORMAT_VERSION
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "DanceStudio choreography",
        **top,
        "definitions": {"move": move},
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m content.schema", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the shipped file is up to date")
    ap.add_argument("-o", "--output", type=Path, default=None, help="where to write (default: shipped path)")
    args = ap.parse_args(argv)
    out = args.output or shipped_schema_path()
    text = schema_text()
    if args.check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != text:
            print(f"{out}: stale; run: python -m content.schema", file=sys.stderr)
            return 1
        print(f"{out}: up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
