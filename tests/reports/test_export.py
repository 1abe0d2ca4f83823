"""Export to JSON and CSV, import back: a round trip keeps every session and judgement;
importing twice adds nothing; malformed files give one-line errors with a location."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.export import export_file, import_file
from reports.store import SessionStore, StoreError

from reports_kit import play  # type: ignore[import-not-found]


def snapshot(store: SessionStore) -> list[tuple]:
    """Everything a report can read, without ids (which differ between stores)."""
    out = []
    for s in store.sessions():
        js = [(j.move_index, j.move_name, round(j.score, 6), j.tier, {k: round(v, 3) for k, v in j.parts.items()},
               j.offset_s, j.time_s, j.start_s, j.end_s, j.gold, j.combo, j.tip, j.extra)
              for j in store.judgements(s.id)]
        out.append((s.uid, s.player, s.group, s.choreography, s.choreography_path, s.started_at, s.finished_at,
                    s.difficulty, s.latency_s, s.total, s.stars, s.completed, js))
    return out


@pytest.fixture
def filled(store: SessionStore) -> SessionStore:
    play(store, "Mia", [90.0, 45.5, 70.25], group="Robins", started_at="2026-03-01T10:00:00+01:00")
    play(store, "Leo", [30.0, 60.0], group="Owls", started_at="2026-03-02T10:00:00Z",
         choreography_path="/songs/bunny/dance.yaml")
    play(store, "Mia, \"the star\"", [99.0], started_at="2026-03-03T10:00:00Z")  # CSV quoting
    play(store, "Ava", [50.0, 51.0], finish=False, started_at="2026-03-04T10:00:00Z")  # unfinished
    store.start_session(player="Noah", choreography="Robot", started_at="2026-03-05T10:00:00Z")  # no moves
    store.add_player("Zoe", "Owls")  # never played
    store.record_samples(store.sessions(player="Mia")[0].id, [4.0, 4.5, 5.0], [50.0, 61.0, 72.5])
    return store


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_round_trip(filled: SessionStore, tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"export{suffix}"
    assert export_file(filled, f) == 5
    with SessionStore.open(tmp_path / "other.db") as other:
        r = import_file(other, f)
        assert (r.sessions_added, r.sessions_skipped) == (5, 0)
        assert snapshot(other) == snapshot(filled)
        if suffix == ".json":  # JSON carries everything; CSV is the spreadsheet view
            mia = other.sessions(player="Mia")[0].id
            assert other.samples(mia) == ([4.0, 4.5, 5.0], [50.0, 61.0, 72.5])
            assert "Zoe" in [p.name for p in other.players()]
        again = import_file(other, f)
        assert (again.sessions_added, again.sessions_skipped) == (0, 5)
        assert len(other.sessions()) == 5


def test_export_one_player_and_group(filled: SessionStore, tmp_path: Path) -> None:
    f = tmp_path / "mia.json"
    assert export_file(filled, f, player="Mia") == 1
    doc = json.loads(f.read_text())
    assert [s["player"] for s in doc["sessions"]] == ["Mia"] and [p["name"] for p in doc["players"]] == ["Mia"]
    assert export_file(filled, tmp_path / "owls.csv", group="Owls") == 1


def test_csv_has_one_column_per_body_part(filled: SessionStore, tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    export_file(filled, f)
    header = f.read_text().splitlines()[0].split(",")
    for part in ("left_arm", "right_arm", "left_leg", "right_leg", "torso", "head"):
        assert f"part_{part}" in header


@pytest.mark.parametrize("content, message", [
    ('{"format": "dancestudio-sessions", "version": 1, "sessions": [', ":1:"),
    ('{"format": "photos", "version": 1, "sessions": []}', "format: 'dancestudio-sessions' was expected"),
    ('{"format": "dancestudio-sessions", "version": 9, "sessions": []}', "version: 9 is greater than the maximum"),
    ('{"format": "dancestudio-sessions", "version": 1, "sessions": [{"uid": "a", "player": "x", "choreography": "c",'
     ' "started_at": "2026-01-01", "judgements": [{"move_index": 0, "move_name": "m", "score": 5, "tier": "SUPER"}]}]}',
     "sessions[0].judgements[0].tier"),
    ('{"format": "dancestudio-sessions", "version": 1, "sessions": [{"uid": "a", "player": "x", "choreography": "c",'
     ' "started_at": "2026-01-01", "judgements": []}, {"uid": "b", "player": "x", "choreography": "c",'
     ' "started_at": "someday", "judgements": []}]}', "sessions[1]: not an ISO 8601"),
    ("name,score\nMia,3\n", ":1: not a DanceStudio sessions export"),
])
def test_bad_files_are_one_line_errors(store: SessionStore, tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "bad.json"
    f.write_text(content)
    with pytest.raises(StoreError) as e:
        import_file(store, f)
    assert message in str(e.value) and str(f) in str(e.value) and "\n" not in str(e.value)
    assert store.sessions() == []  # nothing half-imported


def test_bad_csv_row_names_line_and_column(filled: SessionStore, tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    export_file(filled, f)
    lines = f.read_text().splitlines()
    cells = lines[3].split(",")
    cells[lines[0].split(",").index("score")] = "lots"
    lines[3] = ",".join(cells)
    f.write_text("\n".join(lines) + "\n")
    with SessionStore.open(tmp_path / "other.db") as other:
        with pytest.raises(StoreError, match=r"e\.csv:4: score: not a number: 'lots'"):
            import_file(other, f)
        assert other.sessions() == []  # every row is checked before anything is written


def test_missing_file(store: SessionStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="file not found"):
        import_file(store, tmp_path / "nope.json")
    with pytest.raises(StoreError, match=r"\.json or \.csv"):
        export_file(store, tmp_path / "out.xlsx")


def test_game_fallback_log_imports_once(store: SessionStore, tmp_path: Path) -> None:
    """The game writes JSON lines when the store is unusable; a kill may cut the last line."""
    from reports_kit import make_judgement  # type: ignore[import-not-found]

    log = tmp_path / "20260301T100000-Mia-123.jsonl"
    lines = [json.dumps({"event": "start", "player": "Mia", "choreography": "Bunny Hop",
                         "choreography_path": None, "difficulty": "easy", "latency_s": 0.1,
                         "started_at": "2026-03-01T10:00:00+00:00"})]
    lines += [json.dumps({"event": "judgement", **make_judgement(i, 40.0 + 10 * i).to_dict()}) for i in range(3)]
    log.write_text("\n".join(lines) + '\n{"event": "judgement", "ind')  # killed mid-write
    r = import_file(store, log)
    assert (r.sessions_added, r.sessions_skipped) == (1, 0)
    (s,) = store.sessions()
    assert (s.player, s.choreography, s.completed, s.moves) == ("Mia", "Bunny Hop", False, 3)
    rows = store.judgements(s.id)
    assert [round(j.score) for j in rows] == [40, 50, 60] and rows[0].tip
    assert import_file(store, log).sessions_skipped == 1
    log.write_text(lines[1] + "\n")
    with pytest.raises(StoreError, match="no start event"):
        import_file(store, log)
