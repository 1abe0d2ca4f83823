"""Schema migration from the previous versions keeps every row.

V1_SCHEMA is a frozen copy of the schema as first shipped (not imported from
reports.migrations), so an edit to a shipped migration shows up here as a failure.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reports.migrations import APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate
from reports.store import SessionStore
from scoring.events import Tier

V1_SCHEMA = """
CREATE TABLE players (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY,
    player_id INTEGER NOT NULL REFERENCES players(id) ON DELETE CASCADE,
    choreography TEXT NOT NULL, choreography_path TEXT, started_at TEXT NOT NULL,
    difficulty TEXT, latency_s REAL, total REAL, stars INTEGER, completed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX sessions_player ON sessions(player_id, started_at);
CREATE TABLE judgements (id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    move_index INTEGER NOT NULL, move_name TEXT NOT NULL, score REAL NOT NULL, tier TEXT NOT NULL,
    parts_json TEXT NOT NULL DEFAULT '{}', offset_s REAL, time_s REAL, start_s REAL, end_s REAL,
    gold INTEGER NOT NULL DEFAULT 0, combo INTEGER NOT NULL DEFAULT 0, tip TEXT NOT NULL DEFAULT '');
CREATE INDEX judgements_session ON judgements(session_id, move_index);
"""


def make_v1(path: Path, players: int = 3, sessions_each: int = 4, moves: int = 12) -> dict[str, list]:
    """A v1 database with data in every column; returns the rows as written."""
    raw = sqlite3.connect(path)
    raw.executescript(V1_SCHEMA)
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.execute("PRAGMA user_version = 1")
    for p in range(players):
        raw.execute("INSERT INTO players VALUES (?, ?, ?)", (p + 1, f"Kid{p}", "2026-01-01T09:00:00+00:00"))
        for s in range(sessions_each):
            sid = p * sessions_each + s + 1
            raw.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (sid, p + 1, f"Dance {s % 2}", f"/c/dance{s % 2}.yaml",
                         f"2026-01-0{s + 1}T10:00:00+00:00", "easy", 0.1 + p / 100,
                         50.0 + s, s % 5, s % 2))
            for m in range(moves):
                raw.execute(
                    "INSERT INTO judgements (session_id, move_index, move_name, score, tier, parts_json,"
                    " offset_s, time_s, start_s, end_s, gold, combo, tip) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (sid, m, f"Move {m}", 10.0 * (m % 10), Tier(m % 5).name,
                     f'{{"left_arm": {m}.5}}', 0.01 * m, 2.0 * m + 2, 2.0 * m, 2.0 * m + 2, m % 3 == 0, m,
                     f"tip {m}"))
    raw.commit()
    tables = {t: raw.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("players", "sessions", "judgements")}
    raw.close()
    return tables


def test_migrations_are_ordered_and_contiguous() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def test_v1_to_latest_keeps_every_row(tmp_path: Path) -> None:
    p = tmp_path / "sessions.db"
    before = make_v1(p)
    with SessionStore.open(p) as store:
        assert store.schema_version == LATEST_VERSION
    raw = sqlite3.connect(p)
    n_old = {"players": 3, "sessions": 10, "judgements": 14}
    for table, rows in before.items():
        after = raw.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        assert len(after) == len(rows) > 0
        # Old columns come first and are unchanged; new columns were appended.
        assert [r[: n_old[table]] for r in after] == rows
    uids = [r[0] for r in raw.execute("SELECT uid FROM sessions")]
    assert len(set(uids)) == len(uids) == 12 and all(uids)
    assert raw.execute("SELECT COUNT(*) FROM players WHERE group_name IS NOT NULL").fetchone()[0] == 0
    assert raw.execute("SELECT DISTINCT extra_json FROM judgements").fetchall() == [("{}",)]
    raw.close()


def test_migrated_store_reads_and_writes(tmp_path: Path) -> None:
    p = tmp_path / "sessions.db"
    make_v1(p, players=1, sessions_each=1, moves=3)
    with SessionStore.open(p) as store:
        (s,) = store.sessions()
        assert (s.player, s.choreography, s.moves, s.total) == ("Kid0", "Dance 0", 3, 50.0)
        rows = store.judgements(s.id)
        assert [r.tier for r in rows] == [Tier.MISS, Tier.OK, Tier.GOOD]
        assert rows[1].parts == {"left_arm": 1.5}
        sid = store.start_session(player="Kid0", group="Owls", choreography="New")
        assert store.player("Kid0").group == "Owls" and sid == 2


def test_step_by_step_equals_all_at_once(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for p in (a, b):
        make_v1(p, players=1, sessions_each=1, moves=1)
    da = sqlite3.connect(a, isolation_level=None)
    for v in range(2, LATEST_VERSION + 1):
        assert migrate(da, target=v) == [v]
    assert migrate(da) == []  # idempotent
    db = sqlite3.connect(b, isolation_level=None)
    assert migrate(db) == list(range(2, LATEST_VERSION + 1))
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    assert da.execute(schema).fetchall() == db.execute(schema).fetchall()
    da.close(), db.close()


def test_failed_migration_leaves_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.migrations as mig

    p = tmp_path / "sessions.db"
    make_v1(p, players=1, sessions_each=1, moves=1)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE players ADD COLUMN half_done TEXT")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(mig, "MIGRATIONS", (mig.MIGRATIONS[0], mig.Migration(2, "broken", broken)))
    raw = sqlite3.connect(p, isolation_level=None)
    with pytest.raises(RuntimeError):
        mig.migrate(raw, target=2)
    assert mig.user_version(raw) == 1
    cols = [r[1] for r in raw.execute("PRAGMA table_info(players)")]
    assert "half_done" not in cols
    raw.close()


def test_v4_old_default_player_becomes_the_guest_nobody_counts(tmp_path: Path) -> None:
    """Sessions stored as "Player" (the old default for "no name given") become the Guest
    profile: kept, still reportable one by one, never a child in a class list."""
    from reports.analysis import summarise_class

    p = tmp_path / "sessions.db"
    make_v1(p, players=2, sessions_each=2, moves=2)
    raw = sqlite3.connect(p)
    raw.execute("UPDATE players SET name = 'Player' WHERE id = 2")
    raw.commit()
    raw.close()
    with SessionStore.open(p) as store:
        assert [x.name for x in store.players()] == ["Kid0"]
        assert [x.name for x in store.players(include_guest=True)] == ["Guest", "Kid0"]
        assert [r.name for r in summarise_class(store).rows] == ["Kid0"]
        guest_sessions = [s for s in store.sessions() if s.guest]
        assert len(guest_sessions) == 2 and {s.player for s in guest_sessions} == {"Guest"}
        # Finished v3 sessions get the points the game shows for them.
        done = [s for s in store.sessions() if s.completed]
        assert done and all(s.points == round(s.total * 100) for s in done)
        assert all(s.points is None for s in store.sessions() if not s.completed)
        # New nameless sessions join the same Guest profile.
        sid = store.start_session(player=None, choreography="Demo")
        assert store.session(sid).player == "Guest" and store.session(sid).guest
        assert len(store.players(include_guest=True)) == 2
