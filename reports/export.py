"""Export the session store to JSON or CSV, and import it back.

JSON keeps everything (players without sessions, judgement extras, similarity samples).
CSV is for spreadsheets: one row per judgement with the session's fields repeated (a
session with no judgements is one row with the move columns empty) and one column per
body part. Both round-trip through ``import_file``; sessions are matched by their uid, so
importing the same file twice adds nothing the second time.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from reports.store import (SESSION_KINDS, JudgementRow, SessionRow, SessionStore, StoreError, clean_name,
                           judgement_values, to_iso)
from scoring import record
from scoring.parts import BODY_PARTS

FORMAT = "dancestudio-sessions"
FORMAT_VERSION = 1

_NUM = {"type": ["number", "null"]}
_STR = {"type": ["string", "null"]}
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "version", "sessions"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"type": "integer", "minimum": 1, "maximum": FORMAT_VERSION},
        "players": {"type": "array", "items": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1}, "group": _STR, "created_at": _STR},
        }},
        "sessions": {"type": "array", "items": {
            "type": "object",
            "required": ["uid", "player", "choreography", "started_at", "judgements"],
            "properties": {
                "uid": {"type": "string", "minLength": 1}, "player": {"type": "string", "minLength": 1},
                "group": _STR, "choreography": {"type": "string"}, "choreography_path": _STR,
                "started_at": {"type": "string"}, "finished_at": _STR, "difficulty": _STR,
                "latency_s": _NUM, "total": _NUM, "stars": {"type": ["integer", "null"]},
                "completed": {"type": "boolean"}, "points": {"type": ["integer", "null"]},
                "stopped_at_s": _NUM, "guest": {"type": "boolean"},
                "mode": {"type": "string", "minLength": 1, "maxLength": 40},
                "partner_uid": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
                "kind": {"enum": list(SESSION_KINDS)},
                "speed": {"type": "number", "exclusiveMinimum": 0, "maximum": 4},
                "practice_s": {"type": ["number", "null"], "minimum": 0},
                "judgements": {"type": "array", "items": record.export_schema()},
                "samples": {"type": "array", "items": {
                    "type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}],
                    "minItems": 2, "maxItems": 2,
                }},
            },
        }},
    },
}

SESSION_COLUMNS = ("session_uid", "player", "group", "choreography", "choreography_path", "started_at",
                   "finished_at", "difficulty", "latency_s", "total", "stars", "completed")
# The record's column fields, parts spread over PART_PREFIX columns, the rest in extra_json.
_CSV_FIELDS = tuple(f for f in record.COLUMNS if f.kind != "parts")
MOVE_COLUMNS = (*(f.name for f in _CSV_FIELDS), "extra_json")
PART_PREFIX = "part_"


@dataclass(frozen=True)
class ImportResult:
    sessions_added: int
    sessions_skipped: int  # already in the store (same uid)
    players_seen: int


def _select(store: SessionStore, player: str | None, group: str | None,
            kind: str | None = "play") -> list[SessionRow]:
    return store.sessions(player=player, group=group, kind=kind)


def _judgement_dict(j: JudgementRow) -> dict[str, Any]:
    columns, extra = record.stored(j)
    return {**columns, "extra": extra}


def export_json(store: SessionStore, player: str | None = None, group: str | None = None) -> str:
    # Played and practice sessions both: a teacher's report elsewhere (the class server, an
    # import on another machine) shows what was practised, and "did it help" needs both.
    sessions = _select(store, player, group, kind=None)
    if player is not None:
        players = [store.player(player)]
    else:
        players = store.players(group=group)
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "players": [{"name": p.name, "group": p.group, "created_at": p.created_at} for p in players],
        "sessions": [],
    }
    for s in sessions:
        t, sim = store.samples(s.id)
        doc["sessions"].append({
            "uid": s.uid, "player": s.player, "group": s.group, "choreography": s.choreography,
            "choreography_path": s.choreography_path, "started_at": s.started_at,
            "finished_at": s.finished_at, "difficulty": s.difficulty, "latency_s": s.latency_s,
            "total": s.total, "stars": s.stars, "completed": s.completed,
            "points": s.points, "stopped_at_s": s.stopped_at_s, "guest": s.guest, "mode": s.mode,
            "partner_uid": s.partner_uid, "kind": s.kind, "speed": s.speed, "practice_s": s.practice_s,
            "judgements": [_judgement_dict(j) for j in store.judgements(s.id)],
            "samples": [[a, b] for a, b in zip(t, sim)],
        })
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def export_csv(store: SessionStore, player: str | None = None, group: str | None = None) -> str:
    sessions = _select(store, player, group)
    per_session = [(s, store.judgements(s.id)) for s in sessions]
    seen_parts = {p for _, js in per_session for j in js for p in j.parts}
    parts = [p for p in BODY_PARTS] + sorted(seen_parts - set(BODY_PARTS))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180: a lone \r in a field gets quoted too
    w.writerow([*SESSION_COLUMNS, *MOVE_COLUMNS, *(PART_PREFIX + p for p in parts)])
    for s, js in per_session:
        head = [s.uid, s.player, s.group, s.choreography, s.choreography_path, s.started_at,
                s.finished_at, s.difficulty, s.latency_s, s.total, s.stars, int(s.completed)]
        if not js:
            w.writerow(_cells(head) + [""] * (len(MOVE_COLUMNS) + len(parts)))
        for j in js:
            columns, extra = record.stored(j)
            move = [record.cell(f, columns[f.name]) for f in _CSV_FIELDS]
            move.append(json.dumps(extra, sort_keys=True) if extra else "")
            w.writerow(_cells(head) + move + _cells(columns["parts"].get(p) for p in parts))
    return buf.getvalue()


def _cells(values: Iterable[Any]) -> list[str]:
    return ["" if v is None else repr(v) if isinstance(v, float) else str(v) for v in values]


def export_file(store: SessionStore, path: str | Path, player: str | None = None,
                group: str | None = None) -> int:
    """Write JSON or CSV by the file's extension; returns the number of sessions."""
    from reports.html import write_atomic

    p = Path(path)
    fmt = p.suffix.lower()
    if fmt not in (".json", ".csv"):
        raise StoreError(f"{p}: export format is chosen by extension: .json or .csv")
    text = export_json(store, player, group) if fmt == ".json" else export_csv(store, player, group)
    write_atomic(p, text)
    return len(_select(store, player, group))


# ---- import ----------------------------------------------------------------------------

def import_file(store: SessionStore, path: str | Path) -> ImportResult:
    p = Path(path)
    try:
        # newline="": a tip may hold a carriage return inside a quoted CSV field.
        with open(p, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise StoreError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise StoreError(f"{p}: cannot read ({e})") from None
    if p.suffix.lower() == ".jsonl" or text.lstrip().startswith('{"event"'):
        return _import_game_jsonl(store, p, text)
    if text.lstrip().startswith("{"):
        return _import_json(store, p, text)
    return _import_csv(store, p, text)


def _import_game_jsonl(store: SessionStore, p: Path, text: str) -> ImportResult:
    """The game's fallback session log (DANCE_HOME/sessions/*.jsonl, written when the store
    could not be opened): a start line, one line per judgement, a finish line. A last line
    cut short by a crash is ignored, as the store itself would have lost that move."""
    import hashlib

    lines = text.splitlines()
    events: list[dict[str, Any]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except json.JSONDecodeError as e:
            if n == len(lines):
                break
            raise StoreError(f"{p}:{n}: not valid JSON: {e.msg}") from None
        if not isinstance(ev, dict) or "event" not in ev:
            raise StoreError(f"{p}:{n}: not a game session event")
        events.append({**ev, "_line": n})
    start = next((e for e in events if e["event"] == "start"), None)
    if start is None:
        raise StoreError(f"{p}: no start event: not a game session log")
    judgements = []
    finish = None
    for e in events:
        try:
            if e["event"] == "judgement":
                row = record.from_score_dict({k: v for k, v in e.items() if k not in ("event", "_line")})
                judgements.append(judgement_values(row))
            elif e["event"] in ("finish", "stop"):
                finish = e
        except (KeyError, TypeError, ValueError) as err:  # record.RecordError is a ValueError
            raise StoreError(f"{p}:{e['_line']}: bad {e['event']} event ({err.__class__.__name__}: {err})") from None
    guest = start.get("player") is None  # nobody chose a name: the store's Guest profile
    try:
        player = "Guest" if guest else clean_name(str(start.get("player") or ""))
        started = to_iso(start.get("started_at"))
    except StoreError as e:
        raise StoreError(f"{p}:{start['_line']}: {e}") from None
    # A stable uid from the file's start event: importing the same log twice adds it once.
    uid = "log-" + hashlib.sha1(f"{player}|{started}|{p.name}".encode()).hexdigest()[:16]
    ok = store.import_session(
        uid=uid, player=player, group=None, choreography=str(start.get("choreography") or ""),
        choreography_path=start.get("choreography_path"), started_at=started, finished_at=None,
        difficulty=start.get("difficulty"), latency_s=start.get("latency_s"),
        total=finish.get("total") if finish else None, stars=finish.get("stars") if finish else None,
        completed=finish is not None and finish["event"] == "finish", judgements=judgements,
        points=finish.get("points") if finish else None,
        stopped_at_s=finish.get("stopped_at_s") if finish and finish["event"] == "stop" else None, guest=guest,
    )
    return ImportResult(int(ok), int(not ok), 1)


def _import_json(store: SessionStore, p: Path, text: str) -> ImportResult:
    import jsonschema

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise StoreError(f"{p}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    validator = jsonschema.Draft202012Validator(JSON_SCHEMA)
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        where = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in error.absolute_path).lstrip(".")
        raise StoreError(f"{p}: {where or '(top level)'}: {error.message}")
    # Check every session before writing any, so a bad file imports nothing.
    prepared: list[dict[str, Any]] = []
    for i, s in enumerate(doc["sessions"]):
        try:
            prepared.append(dict(
                uid=s["uid"], player=clean_name(s["player"]), group=s.get("group"),
                choreography=s["choreography"], choreography_path=s.get("choreography_path"),
                started_at=to_iso(s["started_at"]),
                finished_at=to_iso(s["finished_at"]) if s.get("finished_at") else None,
                difficulty=s.get("difficulty"), latency_s=s.get("latency_s"), total=s.get("total"),
                stars=s.get("stars"), completed=bool(s.get("completed", False)),
                points=s.get("points"), stopped_at_s=s.get("stopped_at_s"), guest=bool(s.get("guest", False)),
                mode=s.get("mode"), partner_uid=s.get("partner_uid"),
                kind=s.get("kind", "play"), speed=float(s.get("speed", 1.0)), practice_s=s.get("practice_s"),
                judgements=[judgement_values(_row_from_dict(j)) for j in s["judgements"]],
                samples=[(a, b) for a, b in s.get("samples", [])],
            ))
        except StoreError as e:
            raise StoreError(f"{p}: sessions[{i}]: {e}") from None
    players = []
    for i, pl in enumerate(doc.get("players", [])):
        try:
            players.append((clean_name(pl["name"]), pl.get("group")))
        except StoreError as e:
            raise StoreError(f"{p}: players[{i}]: {e}") from None
    names = {store.add_player(n, g) for n, g in players}
    added = skipped = 0
    for kw in prepared:
        ok = store.import_session(**kw)
        names.add(kw["player"])
        added, skipped = added + ok, skipped + (not ok)
    return ImportResult(added, skipped, len(names))


def _row_from_dict(j: dict[str, Any]) -> JudgementRow:
    try:
        return record.from_stored(j, j.get("extra"))
    except record.RecordError as e:
        raise StoreError(f"judgements: {e}") from None


class _CsvRowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")


def _num(row: dict[str, str], col: str, required: bool = False) -> float | None:
    v = (row.get(col) or "").strip()
    if not v:
        if required:
            raise _CsvRowError(col, "missing")
        return None
    try:
        x = float(v)
    except ValueError:
        raise _CsvRowError(col, f"not a number: {v!r}") from None
    if not math.isfinite(x):
        raise _CsvRowError(col, f"not a finite number: {v!r}")
    return x


def _int(row: dict[str, str], col: str, required: bool = False) -> int | None:
    x = _num(row, col, required)
    if x is None:
        return None
    if x != int(x):
        raise _CsvRowError(col, f"not a whole number: {row[col]!r}")
    return int(x)


def _bool(row: dict[str, str], col: str) -> bool:
    v = (row.get(col) or "").strip().lower()
    if v in ("1", "true", "yes"):
        return True
    if v in ("", "0", "false", "no"):
        return False
    raise _CsvRowError(col, f"not 0/1: {v!r}")


def _import_csv(store: SessionStore, p: Path, text: str) -> ImportResult:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in (*SESSION_COLUMNS, *MOVE_COLUMNS) if c not in header]
    if missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        raise StoreError(f"{p}:1: not a DanceStudio sessions export (JSON or CSV; missing columns: {shown})")
    part_cols = [c for c in header if c.startswith(PART_PREFIX)]
    # Group rows by session, keeping file order; validate every row before writing any.
    sessions: dict[str, dict[str, Any]] = {}
    try:
        for row in reader:
            line = reader.line_num
            try:
                uid = (row["session_uid"] or "").strip()
                if not uid:
                    raise _CsvRowError("session_uid", "missing")
                s = sessions.get(uid)
                if s is None:
                    player = (row["player"] or "").strip()
                    if not player:
                        raise _CsvRowError("player", "missing")
                    stars = _int(row, "stars")
                    for col in ("player", "started_at", "finished_at"):
                        try:
                            if col == "player":
                                player = clean_name(player)
                            elif row[col] or col == "started_at":
                                row[col] = to_iso(row[col])
                        except StoreError as e:
                            raise _CsvRowError(col, str(e)) from None
                    s = sessions[uid] = dict(
                        uid=uid, player=player, group=row["group"] or None,
                        choreography=row["choreography"] or "", choreography_path=row["choreography_path"] or None,
                        started_at=row["started_at"], finished_at=row["finished_at"] or None,
                        difficulty=row["difficulty"] or None, latency_s=_num(row, "latency_s"),
                        total=_num(row, "total"), stars=stars, completed=_bool(row, "completed"),
                        judgements=[], line=line,
                    )
                if (row["move_name"] or "").strip() == "" and (row["move_index"] or "").strip() == "":
                    continue  # a session without judgements
                extra_text = (row["extra_json"] or "").strip()
                try:
                    extra = json.loads(extra_text) if extra_text else {}
                except json.JSONDecodeError as e:
                    raise _CsvRowError("extra_json", f"not JSON ({e.msg})") from None
                if not isinstance(extra, dict):
                    raise _CsvRowError("extra_json", "must be a JSON object")
                columns: dict[str, Any] = {}
                for f in _CSV_FIELDS:
                    try:
                        columns[f.name] = record.from_cell(f, row[f.name])
                    except record.RecordError as e:
                        raise _CsvRowError(f.name, str(e).split(": ", 1)[1]) from None
                columns["parts"] = {c[len(PART_PREFIX):]: v for c in part_cols if (v := _num(row, c)) is not None}
                try:
                    j = record.from_stored(columns, extra)
                except record.RecordError as e:
                    name, _, msg = str(e).partition(": ")
                    raise _CsvRowError(name, msg) from None
                s["judgements"].append(judgement_values(j))
            except _CsvRowError as e:
                raise StoreError(f"{p}:{line}: {e}") from None
    except csv.Error as e:
        raise StoreError(f"{p}:{reader.line_num}: malformed CSV ({e})") from None
    added = skipped = 0
    names: set[str] = set()
    for s in sessions.values():
        line = s.pop("line")
        try:
            ok = store.import_session(**s)
        except StoreError as e:
            raise StoreError(f"{p}:{line}: {e}") from None
        names.add(clean_name(s["player"]))
        added, skipped = added + ok, skipped + (not ok)
    return ImportResult(added, skipped, len(names))
