"""The judgement record: one definition (scoring.events.Judgement), every format derived.

Round trips through each writer and reader (score JSON, the store, JSON and CSV exports,
the game's session log) keep every field; the store's table and the export schema are the
record's columns, so a field added to Judgement reaches every format without more code.
"""
from __future__ import annotations

import dataclasses
import json
import math
import sqlite3

import pytest

from scoring import record
from scoring.events import Judgement, Tier


def full_judgement(i: int = 3, **changes) -> Judgement:
    """A judgement with every record field set away from its default."""
    j = Judgement(
        move_index=i, move_name=f"Star jump {i}", score=73.456789, tier=Tier.GREAT,
        parts={"left_arm": 81.23456, "right_leg": 40.5}, offset_s=0.1234567, time_s=12.5, start_s=10.0,
        end_s=12.0, gold=True, combo=4, tip="Jump high!", hint="Lift your left arm higher!",
        weakest_part="right_leg", samples=(0.5, 0.8125, 1.0), sample_rate_hz=30.0,
        extra={"from_a_newer_build": [1, "two"]},
    )
    return dataclasses.replace(j, **changes)


def test_every_field_of_judgement_is_in_the_record_except_extra():
    assert [f.name for f in record.FIELDS] == [f.name for f in dataclasses.fields(Judgement) if f.name != "extra"]
    assert {f.kind for f in record.FIELDS} <= set(record.KINDS)
    # The score JSON keys of architecture.md's contract.
    keys = {f.score_key for f in record.FIELDS}
    assert {"name", "score", "judgement", "parts", "offset_s"} <= keys


def test_stored_form_round_trips_exactly():
    j = full_judgement()
    columns, extra = record.stored(j)
    json.dumps([columns, extra])  # plain JSON-able values
    assert set(columns) == {f.name for f in record.COLUMNS}
    assert {f.name for f in record.EXTRA_FIELDS} <= set(extra)
    assert record.from_stored(columns, extra) == j


def test_score_dict_round_trips_up_to_its_rounding():
    j = full_judgement()
    d = record.score_dict(j)
    assert d["name"] == j.move_name and d["judgement"] == "GREAT" and d["score"] == 73.46
    assert d["parts"] == {"left_arm": 81.23, "right_leg": 40.5} and d["offset_s"] == 0.123
    back = record.from_score_dict(json.loads(json.dumps(d)))
    assert back == dataclasses.replace(j, score=73.46, parts=d["parts"], offset_s=0.123, samples=(0.5, 0.812, 1.0))
    assert j.to_dict() == d


def test_bad_values_name_their_field():
    columns, extra = record.stored(full_judgement())
    for name, bad in (("tier", "SUPERB"), ("score", "lots"), ("move_index", 1.5), ("parts", [1, 2])):
        with pytest.raises(record.RecordError, match=f"^{name}: "):
            record.from_stored({**columns, name: bad}, extra)
    with pytest.raises(record.RecordError, match="^move_name: missing"):
        record.from_stored({**columns, "move_name": None}, extra)


def test_an_older_record_reads_with_defaults():
    """A row from before hint/samples existed (only the v1 columns) reads as a judgement."""
    columns, _ = record.stored(full_judgement())
    j = record.from_stored(columns, {})
    assert (j.hint, j.samples, j.sample_rate_hz, dict(j.extra)) == ("", (), 0.0, {})


def test_the_store_table_and_the_export_formats_are_the_records_columns(tmp_path):
    from reports import export
    from reports.store import SessionStore

    with SessionStore.open(tmp_path / "s.db"):
        pass
    db = sqlite3.connect(tmp_path / "s.db")
    table = [r[1] for r in db.execute("PRAGMA table_info(judgements)")]
    db.close()
    assert [c for c in table if c not in ("id", "session_id")] == [*(f.column for f in record.COLUMNS), "extra_json"]
    schema = export.JSON_SCHEMA["properties"]["sessions"]["items"]["properties"]["judgements"]["items"]
    assert set(schema["properties"]) == {f.name for f in record.COLUMNS} | {"extra"}
    assert set(export.MOVE_COLUMNS) == {f.name for f in record.COLUMNS if f.kind != "parts"} | {"extra_json"}


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_store_and_exports_round_trip_every_field(tmp_path, suffix):
    from reports.export import export_file, import_file
    from reports.store import SessionStore

    js = [full_judgement(0), full_judgement(1, samples=(0.25, math.nan, 0.0), hint="", tier=Tier.PERFECT),
          full_judgement(2, offset_s=None, extra={})]
    with SessionStore.open(tmp_path / "a.db") as a:
        sid = a.start_session(player="Mia", choreography="Robot")
        for j in js:
            a.record_judgement(sid, j)
        a.finish_session(sid, total=70.0, stars=3)
        stored = a.judgements(sid)
        export_file(a, tmp_path / f"out{suffix}")
    # The store keeps every field (parts to 3 decimals); a hole in the samples stays a hole.
    for got, j in zip(stored, js):
        want = dataclasses.replace(j, parts={k: round(v, 3) for k, v in j.parts.items()})
        assert _comparable(got) == _comparable(want)
    with SessionStore.open(tmp_path / "b.db") as b:
        import_file(b, tmp_path / f"out{suffix}")
        (s,) = b.sessions()
        again = b.judgements(s.id)
    assert [_comparable(j) for j in again] == [_comparable(j) for j in stored]


def test_the_games_session_log_round_trips(tmp_path):
    """The game's fallback log writes score_dict lines; importing them gives the record back."""
    from reports.export import import_file
    from reports.store import SessionStore

    j = full_judgement(0)
    log = tmp_path / "s.jsonl"
    lines = [{"event": "start", "player": "Ava", "choreography": "Robot", "started_at": "2026-03-01T10:00:00Z"},
             {"event": "judgement", **j.to_dict()}, {"event": "finish", "total": 73.5, "stars": 3}]
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with SessionStore.open(tmp_path / "s.db") as st:
        import_file(st, log)
        (got,) = st.judgements(st.sessions()[0].id)
    d = j.to_dict()
    assert got.hint == j.hint and list(got.samples) == d["samples"] and got.score == d["score"]
    assert dict(got.extra) == dict(j.extra)


def _comparable(j: Judgement) -> tuple:
    columns, extra = record.stored(j)
    return json.dumps([columns, extra], sort_keys=True)
