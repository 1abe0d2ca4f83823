"""The session store through its public API, on real SQLite files."""
from __future__ import annotations

import dataclasses
import math
import os
import sqlite3
from pathlib import Path

import pytest

from reports.migrations import LATEST_VERSION
from reports.store import SessionStore, StoreError
from scoring.events import Judgement, Tier

from reports_kit import make_judgement, play  # type: ignore[import-not-found]


def test_default_location_is_dance_home_and_wal(home: Path, store: SessionStore) -> None:
    assert store.path == home / "sessions.db"
    assert store.path.exists()
    assert store.schema_version == LATEST_VERSION
    with sqlite3.connect(store.path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_session_round_trip(store: SessionStore) -> None:
    sid = store.start_session(player="  Mia  ", group="Class 2B", choreography="Bunny Hop",
                              choreography_path="/x/bunny.yaml", difficulty="easy", latency_s=0.12,
                              started_at="2026-03-01T10:00:00Z")
    js = [make_judgement(i, s) for i, s in enumerate([95.0, 40.0, 72.5])]
    for j in js:
        store.record_judgement(sid, j)
    s = store.session(sid)
    assert (s.player, s.group, s.completed, s.total, s.moves) == ("Mia", "Class 2B", False, None, 3)
    assert s.started_at == "2026-03-01T10:00:00+00:00"
    store.finish_session(sid, total=69.2, stars=3)
    s = store.session("latest")
    assert (s.id, s.completed, s.total, s.stars, s.latency_s) == (sid, True, 69.2, 3, 0.12)
    rows = store.judgements(sid)
    assert [r.move_name for r in rows] == [j.move_name for j in js]
    for r, j in zip(rows, js):
        assert r.tier == j.tier and r.score == pytest.approx(j.score)
        assert r.parts == pytest.approx(dict(j.parts), abs=1e-3)
        assert (r.offset_s, r.start_s, r.end_s, r.gold, r.combo, r.tip) == pytest.approx(
            (j.offset_s, j.start_s, j.end_s, j.gold, j.combo, j.tip))


def test_unknown_judgement_fields_are_kept(store: SessionStore) -> None:
    @dataclasses.dataclass(frozen=True)
    class RicherJudgement(Judgement):
        similarity_curve: tuple = ()
        worst_joint: Tier = Tier.OK

    sid = store.start_session(player="Leo", choreography="Robot")
    j0 = make_judgement(0, 80.0)
    base = {f.name: getattr(j0, f.name) for f in dataclasses.fields(j0)}
    store.record_judgement(sid, RicherJudgement(**base, similarity_curve=(0.5, 0.75), worst_joint=Tier.GOOD))
    (row,) = store.judgements(sid)
    assert row.extra["similarity_curve"] == [0.5, 0.75] and row.extra["worst_joint"] == "GOOD"
    # Every field the judgement has is kept: the record's as fields, the others in extra.
    from scoring import record

    stored = set(row.extra) | set(record.BY_NAME) | {"extra"}
    assert {f.name for f in dataclasses.fields(RicherJudgement)} <= stored
    assert (row.hint, row.weakest_part) == (j0.hint, j0.weakest_part)


def test_nan_values_give_a_defined_result(store: SessionStore) -> None:
    sid = store.start_session(player="Ava", choreography="Robot", latency_s=math.nan)
    j = make_judgement(0, 50.0)
    j = dataclasses.replace(j, score=math.nan, offset_s=math.inf, parts={"left_arm": math.nan, "torso": 60.0})
    store.record_judgement(sid, j)
    (row,) = store.judgements(sid)
    assert row.score == 0.0 and row.offset_s is None and row.parts == {"torso": 60.0}
    assert "score_not_finite" in row.extra
    assert store.session(sid).latency_s is None


def test_players_groups_and_filters(store: SessionStore) -> None:
    play(store, "Mia", [80, 90], group="Robins", started_at="2026-03-01T10:00:00Z")
    play(store, "Leo", [50, 60], group="Owls", started_at="2026-03-02T10:00:00Z")
    play(store, "Mia", [85, 95], started_at="2026-03-03T10:00:00Z")
    assert [p.name for p in store.players()] == ["Leo", "Mia"]
    assert [p.name for p in store.players(group="Robins")] == ["Mia"]
    assert store.groups() == ["Owls", "Robins"]
    assert [s.started_at[:10] for s in store.sessions(player="mia")] == ["2026-03-01", "2026-03-03"]
    assert [s.player for s in store.sessions(group="Owls")] == ["Leo"]
    assert store.session("latest").player == "Mia"


@pytest.mark.parametrize("bad_call, message", [
    (lambda s: s.session(999), "no session 999"),
    (lambda s: s.session("yesterday"), "session must be a number or 'latest'"),
    (lambda s: s.player("Nobody"), "no player named 'Nobody'"),
    (lambda s: s.record_judgement(424242, make_judgement(0, 50.0)), "no session 424242"),
    (lambda s: s.finish_session(424242, 50.0, 2), "no session 424242"),
    (lambda s: s.start_session(player="   ", choreography="x"), "player name is empty"),
    (lambda s: s.start_session(player="x" * 65, choreography="x"), "longer than 64"),
    (lambda s: s.start_session(player="Mia", choreography="x", started_at="last Tuesday"), "ISO 8601"),
])
def test_bad_requests_are_one_line_store_errors(store: SessionStore, bad_call, message: str) -> None:
    with pytest.raises(StoreError) as e:
        bad_call(store)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_latest_on_empty_store(store: SessionStore) -> None:
    with pytest.raises(StoreError, match="no sessions recorded yet"):
        store.session("latest")


def test_corrupt_file_is_a_store_error_naming_the_file(tmp_path: Path) -> None:
    p = tmp_path / "sessions.db"
    p.write_bytes(os.urandom(8192))
    with pytest.raises(StoreError) as e:
        SessionStore.open(p)
    msg = str(e.value)
    assert str(p) in msg and "not a readable DanceStudio session store" in msg and "\n" not in msg
    assert p.read_bytes() != b""  # left alone, not "repaired" away


def test_truncated_store_is_a_store_error(tmp_path: Path) -> None:
    p = tmp_path / "sessions.db"
    with SessionStore.open(p) as s:
        play(s, "Mia", [80.0] * 200)
        s._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3] + os.urandom(len(data) // 3))
    with pytest.raises(StoreError) as e:
        with SessionStore.open(p) as s:
            for sess in s.sessions():
                s.judgements(sess.id)
    assert str(p) in str(e.value)


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    p = tmp_path / "photos.db"
    with sqlite3.connect(p) as raw:
        raw.execute("CREATE TABLE albums (id INTEGER PRIMARY KEY, title TEXT)")
        raw.execute("INSERT INTO albums (title) VALUES ('Holiday')")
    before = p.read_bytes()
    with pytest.raises(StoreError) as e:
        SessionStore.open(p)
    assert str(p) in str(e.value) and "another program's SQLite database" in str(e.value)
    assert "albums" in str(e.value)
    assert p.read_bytes() == before
    with sqlite3.connect(p) as raw:
        assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["albums"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "sessions.db"
    SessionStore.open(p).close()
    with sqlite3.connect(p) as raw:
        raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(StoreError, match="newer DanceStudio"):
        SessionStore.open(p)


def test_directory_and_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        SessionStore.open(tmp_path)
    with pytest.raises(StoreError, match="no session store here yet"):
        SessionStore.open(tmp_path / "none.db", create=False)


def test_forget_deletes_everything_about_a_player(store: SessionStore) -> None:
    secret = "Zyxwvut-Pseudonym"
    play(store, secret, [70, 80, 90], group="Owls")
    keep = play(store, "Leo", [50, 60])
    store.record_samples(store.sessions(player=secret)[0].id, [1.0, 2.0], [50.0, 60.0])
    assert store.forget(secret.lower()) == 1
    assert [p.name for p in store.players()] == ["Leo"]
    assert [s.id for s in store.sessions()] == [keep]
    assert len(store.judgements(keep)) == 2
    with pytest.raises(StoreError):
        store.player(secret)
    raw = sqlite3.connect(store.path)
    assert raw.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 0
    assert raw.execute("SELECT COUNT(*) FROM judgements").fetchone()[0] == 2
    raw.close()
    # Not lingering in free pages or in the WAL: the name is nowhere in the files' bytes.
    for f in store.path.parent.glob("sessions.db*"):
        assert secret.encode() not in f.read_bytes(), f


def test_samples_round_trip_and_skip_nan(store: SessionStore) -> None:
    sid = store.start_session(player="Mia", choreography="x")
    store.record_samples(sid, [0.5, 0.0, 1.0], [60.0, 50.0, math.nan])
    assert store.samples(sid) == ([0.0, 0.5], [50.0, 60.0])
    with pytest.raises(StoreError, match="2 times but 1 values"):
        store.record_samples(sid, [0.0, 1.0], [1.0])


def test_forget_while_another_connection_reads(store: SessionStore) -> None:
    secret = "Qwertyuiop-Kid"
    play(store, secret, [70, 80])
    play(store, "Leo", [50])
    other = SessionStore.open(store.path)
    other._db.execute("BEGIN")
    other._db.execute("SELECT COUNT(*) FROM judgements").fetchone()  # holds a read snapshot
    other._db.execute("PRAGMA busy_timeout = 0")
    store._db.execute("PRAGMA busy_timeout = 200")  # don't wait 10 s for the reader
    assert store.forget(secret) == 1
    other._db.execute("ROLLBACK")
    other.close()
    assert [p.name for p in store.players()] == ["Leo"]
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for f in store.path.parent.glob("sessions.db*"):
        assert secret.encode() not in f.read_bytes(), f


def test_stopped_session_is_stored_as_stopped_not_finished(store) -> None:
    sid = store.start_session(player="Mia", choreography="Robot")
    store.stop_session(sid, total=80.0, stars=1, points=1600, stopped_at_s=12.5)
    s = store.session(sid)
    assert not s.completed and s.stopped and s.stopped_at_s == 12.5 and s.points == 1600
    assert store.sessions(completed_only=True) == []
    done = store.start_session(player="Mia", choreography="Robot")
    store.finish_session(done, total=72.5, stars=3)
    assert store.session(done).points == 7250 and store.session(done).completed


def test_avatar_is_remembered(store) -> None:
    store.add_player("Zoë")
    store.set_avatar("zoë", "bunny")
    assert store.player("Zoë").avatar == "bunny"
