"""Every format of the judgement record, derived from ``scoring.events.Judgement``'s fields.

One table (``FIELDS``, read from the dataclass metadata) says for each field its kind, its
column in the session store (or none: then it rides in ``extra``), its key in the score
JSON and its rounding there. The writers and readers below are the only code that knows
what a judgement contains:

    score_dict(j) / from_score_dict(d)   a move of the score JSON (``dance score --json``,
                                         the game's fallback session log)
    stored(j) -> (columns, extra)        the store's row, the JSON export's entry
    from_stored(columns, extra)          (columns by field name plus ``extra``) and the CSV
                                         row (columns as cells, parts spread over
                                         ``part_*`` cells, extra as one JSON cell)
    cell(f, value) / from_cell(f, text)  one CSV cell
    export_schema()                      the JSON schema of an exported judgement

Values here are plain Python (JSON-able: str, int, float, bool, None, list, dict); turning
them into text is the caller's (scoring reads and writes no files, and imports no json).
Readers raise RecordError naming the field, so an import can point at the bad value.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping

from scoring.events import Judgement, Tier

KINDS = ("int", "float", "opt_float", "str", "bool", "tier", "parts", "floats")


class RecordError(ValueError):
    """A value that cannot be a judgement's field; the message starts with the field name."""


@dataclass(frozen=True)
class RecordField:
    """One field of the judgement record. kind: one of KINDS; column: its column in the
    store's judgements table, None when it is kept in extra_json; score_key: its key in the
    score JSON; digits: its rounding there (None: as is); required: an import must give it;
    default: its value when a stored or imported record lacks it."""

    name: str
    kind: str
    column: str | None
    score_key: str
    digits: int | None
    required: bool
    default: Any

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown record kind {self.kind!r}")


def _fields() -> tuple[RecordField, ...]:
    out = []
    for f in dataclasses.fields(Judgement):
        m = f.metadata
        if m.get("kind") == "extra":
            continue  # extra is the place for fields outside the record, not a field of it
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING \
            and m["kind"] not in ("opt_float", "parts")
        out.append(RecordField(f.name, m["kind"], m["column"], m["score_key"] or f.name, m["digits"],
                               required, default))
    return tuple(out)


FIELDS: tuple[RecordField, ...] = _fields()
BY_NAME: dict[str, RecordField] = {f.name: f for f in FIELDS}
COLUMNS: tuple[RecordField, ...] = tuple(f for f in FIELDS if f.column is not None)
EXTRA_FIELDS: tuple[RecordField, ...] = tuple(f for f in FIELDS if f.column is None)
_BY_SCORE_KEY: dict[str, RecordField] = {f.score_key: f for f in FIELDS}


# ------------------------------------------------------------------------------ values
def _finite(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def encode(f: RecordField, v: Any) -> Any:
    """A field's value as plain JSON-able Python: tiers by name, non-finite numbers None,
    parts without their non-finite entries."""
    k = f.kind
    if k == "int":
        return int(v)
    if k in ("float", "opt_float"):
        return _finite(v)
    if k == "str":
        return str(v)
    if k == "bool":
        return bool(v)
    if k == "tier":
        return v.name if isinstance(v, Tier) else str(v)
    if k == "parts":
        return {str(p): x for p, x in ((p, _finite(x)) for p, x in dict(v or {}).items()) if x is not None}
    return [_finite(x) for x in v]  # floats


def decode(f: RecordField, v: Any) -> Any:
    """A plain value (as encode gives it, or as a file had it) back to the field's type;
    None or absent gives the field's default where it has one. Raises RecordError."""
    k = f.kind
    if v is None:
        if f.required:
            raise RecordError(f"{f.name}: missing")
        return f.default
    try:
        if k == "int":
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v):
                raise RecordError(f"{f.name}: not a whole number: {v!r}")
            return int(v)
        if k in ("float", "opt_float"):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise RecordError(f"{f.name}: not a number: {v!r}")
            x = float(v)
            return x if math.isfinite(x) or k == "float" else None
        if k == "str":
            if not isinstance(v, str):
                raise RecordError(f"{f.name}: not text: {v!r}")
            return v
        if k == "bool":
            if v in (0, 1) or isinstance(v, bool):
                return bool(v)
            raise RecordError(f"{f.name}: not true/false: {v!r}")
        if k == "tier":
            if isinstance(v, Tier):
                return v
            if isinstance(v, str) and v.upper() in Tier.__members__:
                return Tier[v.upper()]
            raise RecordError(f"{f.name}: not one of {', '.join(t.name for t in Tier)}: {v!r}")
        if k == "parts":
            if not isinstance(v, Mapping):
                raise RecordError(f"{f.name}: not a mapping of body part to score: {v!r}")
            return {str(p): x for p, x in ((p, _finite(x)) for p, x in v.items()) if x is not None}
        if not isinstance(v, (list, tuple)):
            raise RecordError(f"{f.name}: not a list of numbers: {v!r}")
        return tuple(math.nan if _finite(x) is None else float(x) for x in v)  # a hole stays a hole
    except (TypeError, ValueError, OverflowError) as e:
        if isinstance(e, RecordError):
            raise
        raise RecordError(f"{f.name}: {e}") from None


def plain(v: Any) -> Any:
    """Any value as JSON-able Python (for fields outside the record): enums by name,
    mappings and sequences recursively, numpy values by value, anything else by repr."""
    if isinstance(v, Enum):
        return v.name
    if isinstance(v, Mapping):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if hasattr(v, "tolist"):
        return plain(v.tolist())
    return repr(v)


# ------------------------------------------------------------------------------ formats
def stored(j: Judgement) -> tuple[dict[str, Any], dict[str, Any]]:
    """(columns, extra): the fields with a store column by field name, then every other
    field, the judgement's own ``extra`` and the fields of a Judgement subclass."""
    columns = {f.name: encode(f, getattr(j, f.name)) for f in COLUMNS}
    extra: dict[str, Any] = {str(k): plain(v) for k, v in dict(getattr(j, "extra", {}) or {}).items()}
    for f in EXTRA_FIELDS:
        extra[f.name] = encode(f, getattr(j, f.name))
    known = set(BY_NAME) | {"extra"}
    for f in dataclasses.fields(j):
        if f.name not in known:
            extra[f.name] = plain(getattr(j, f.name))
    return columns, extra


def from_stored(columns: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Judgement:
    """The inverse of ``stored``: record fields found in extra (an older build kept them
    there) become fields again; anything else stays in ``extra``. Raises RecordError."""
    extra = dict(extra or {})
    values = {f.name: decode(f, columns.get(f.name)) for f in COLUMNS}
    for f in EXTRA_FIELDS:
        values[f.name] = decode(f, extra.pop(f.name, None))
    return Judgement(**values, extra=extra)


def score_dict(j: Judgement) -> dict[str, Any]:
    """A move of the score JSON: every record field by its score key, rounded as the
    record says, then the judgement's ``extra`` (never overriding a record key)."""
    out: dict[str, Any] = {}
    for f in FIELDS:
        v = encode(f, getattr(j, f.name))
        if f.digits is not None:
            v = _round(v, f.digits)
        out[f.score_key] = v
    for k, v in dict(j.extra).items():
        out.setdefault(str(k), plain(v))
    return out


def from_score_dict(d: Mapping[str, Any]) -> Judgement:
    """The inverse of ``score_dict`` (unknown keys go to ``extra``). Raises RecordError."""
    values = {f.name: decode(f, d.get(f.score_key)) for f in FIELDS}
    return Judgement(**values, extra={k: v for k, v in d.items() if k not in _BY_SCORE_KEY})


def _round(v: Any, digits: int) -> Any:
    if isinstance(v, float):
        return round(v, digits)
    if isinstance(v, dict):
        return {k: _round(x, digits) for k, x in v.items()}
    if isinstance(v, list):
        return [_round(x, digits) for x in v]
    return v


# ------------------------------------------------------------------------------ CSV cells
def cell(f: RecordField, v: Any) -> str:
    """One CSV cell of a column field's plain value ("" for None; floats exactly, by repr)."""
    if v is None:
        return ""
    if f.kind == "bool":
        return "1" if v else "0"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def from_cell(f: RecordField, text: str | None) -> Any:
    """A CSV cell back to the field's plain value (None for an empty cell). Raises RecordError."""
    s = (text or "").strip() if f.kind not in ("str",) else (text or "")
    if f.kind == "str":
        return s
    if not s:
        return None
    if f.kind == "tier":
        return s.upper()
    if f.kind == "bool":
        low = s.lower()
        if low in ("1", "true", "yes"):
            return True
        if low in ("0", "false", "no"):
            return False
        raise RecordError(f"{f.name}: not 0/1: {s!r}")
    try:
        x = float(s)
    except ValueError:
        raise RecordError(f"{f.name}: not a number: {s!r}") from None
    if not math.isfinite(x):
        raise RecordError(f"{f.name}: not a finite number: {s!r}")
    if f.kind == "int":
        if x != int(x):
            raise RecordError(f"{f.name}: not a whole number: {s!r}")
        return int(x)
    return x


# ------------------------------------------------------------------------------ schema
_SCHEMA_TYPE = {
    "int": {"type": "integer"}, "float": {"type": "number"}, "opt_float": {"type": ["number", "null"]},
    "str": {"type": "string"}, "bool": {"type": "boolean"}, "tier": {"enum": [t.name for t in Tier]},
    "parts": {"type": "object", "additionalProperties": {"type": "number"}},
    "floats": {"type": "array", "items": {"type": ["number", "null"]}},
}


def export_schema() -> dict[str, Any]:
    """JSON schema of one exported judgement: the column fields by name plus ``extra``."""
    props = {f.name: dict(_SCHEMA_TYPE[f.kind]) for f in COLUMNS}
    props["extra"] = {"type": "object"}
    return {"type": "object", "required": [f.name for f in COLUMNS if f.required], "properties": props}


__all__ = ("FIELDS", "COLUMNS", "EXTRA_FIELDS", "BY_NAME", "RecordField", "RecordError", "encode", "decode",
           "plain", "stored", "from_stored", "score_dict", "from_score_dict", "cell", "from_cell",
           "export_schema")
