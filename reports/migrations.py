"""Ordered schema migrations for the session store, versioned with ``PRAGMA user_version``.

Each migration takes a database at version ``n - 1`` to version ``n`` inside one
transaction, so a crash mid-migration leaves the previous version intact. Never edit a
shipped migration: add a new one (tests/reports/test_migrations.py keeps a frozen copy of
the v1 schema and checks that every row survives the upgrade).

v1  players, sessions, judgements (as first shipped).
v2  players.group_name (a class or group), sessions.uid (a stable id so that importing the
    same export twice does not duplicate sessions), sessions.finished_at, and
    judgements.extra_json (fields the scoring engine adds later are kept, not dropped).
v3  similarity samples: (session, song time, similarity 0–100) for the report's timeline
    when the game records them; reports fall back to per-move scores otherwise.
v4  players.avatar (the picture a child picked in the game) and players.guest (1 = the one
    shared profile of sessions nobody chose a name for, never a child in a class report;
    "Player", the name such sessions used to get, becomes it, renamed "Guest" when that
    name is free); sessions.points (0–10,000, the number the game showed; finished v3
    sessions get round(total x 100), which is what the game shows for them) and
    sessions.stopped_at_s (song time of an early stop; such a session is not completed
    and its total is over the moves danced before the stop).
v5  sessions.mode: the game mode played (dance, freeze, hand_jive, ...); sessions before it were dances.
v6  sessions.kind ('play' or 'practice': a move practised, maybe slowed, never a played song
    in stars or progress), sessions.speed (the practice tempo, 1.0 for plays) and
    sessions.practice_s (seconds spent practising; NULL for plays).
"""
from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from typing import Callable

# 'DNCE': marks a file as a DanceStudio session store, so that a foreign SQLite
# database is recognised instead of being silently extended with our tables.
APPLICATION_ID = 0x444E4345


def _script(db: sqlite3.Connection, sql: str) -> None:
    # Not executescript(): it may COMMIT first, which would break the one-transaction step.
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE players (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE,
            created_at  TEXT NOT NULL
        );
        CREATE TABLE sessions (
            id                INTEGER PRIMARY KEY,
            player_id         INTEGER NOT NULL REFERENCES players(id) ON DELETE CASCADE,
            choreography      TEXT NOT NULL,
            choreography_path TEXT,
            started_at        TEXT NOT NULL,
            difficulty        TEXT,
            latency_s         REAL,
            total             REAL,
            stars             INTEGER,
            completed         INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sessions_player ON sessions(player_id, started_at);
        CREATE TABLE judgements (
            id          INTEGER PRIMARY KEY,
            session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            move_index  INTEGER NOT NULL,
            move_name   TEXT NOT NULL,
            score       REAL NOT NULL,
            tier        TEXT NOT NULL,
            parts_json  TEXT NOT NULL DEFAULT '{}',
            offset_s    REAL,
            time_s      REAL,
            start_s     REAL,
            end_s       REAL,
            gold        INTEGER NOT NULL DEFAULT 0,
            combo       INTEGER NOT NULL DEFAULT 0,
            tip         TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX judgements_session ON judgements(session_id, move_index);
        """
    )


def _v2(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE players ADD COLUMN group_name TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN uid TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN finished_at TEXT")
    db.execute("ALTER TABLE judgements ADD COLUMN extra_json TEXT NOT NULL DEFAULT '{}'")
    # Existing sessions get a fresh uid each; ALTER TABLE cannot add a UNIQUE column,
    # so uniqueness comes from the index.
    rows = db.execute("SELECT id FROM sessions").fetchall()
    db.executemany(
        "UPDATE sessions SET uid = ? WHERE id = ?", [(secrets.token_hex(8), r[0]) for r in rows]
    )
    db.execute("CREATE UNIQUE INDEX sessions_uid ON sessions(uid)")
    db.execute("CREATE INDEX players_group ON players(group_name)")


def _v3(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE samples (
            session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            time_s      REAL NOT NULL,
            similarity  REAL NOT NULL
        );
        CREATE INDEX samples_session ON samples(session_id, time_s);
        """
    )


GUEST_NAME = "Guest"
OLD_DEFAULT_PLAYER = "Player"  # what `dance play` stored when no --player was given


def _v4(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE players ADD COLUMN avatar TEXT")
    db.execute("ALTER TABLE players ADD COLUMN guest INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE sessions ADD COLUMN points INTEGER")
    db.execute("ALTER TABLE sessions ADD COLUMN stopped_at_s REAL")
    db.execute("UPDATE sessions SET points = CAST(ROUND(total * 100) AS INTEGER)"
               " WHERE completed = 1 AND total IS NOT NULL")
    db.execute("UPDATE players SET guest = 1 WHERE name = ?", (OLD_DEFAULT_PLAYER,))
    if db.execute("SELECT 1 FROM players WHERE name = ?", (GUEST_NAME,)).fetchone() is None:
        db.execute("UPDATE players SET name = ? WHERE name = ?", (GUEST_NAME, OLD_DEFAULT_PLAYER))


def _v5(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE sessions ADD COLUMN mode TEXT NOT NULL DEFAULT 'dance'")


def _v6(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'play'")
    db.execute("ALTER TABLE sessions ADD COLUMN speed REAL NOT NULL DEFAULT 1.0")
    db.execute("ALTER TABLE sessions ADD COLUMN practice_s REAL")
    db.execute("CREATE INDEX sessions_kind ON sessions(kind, player_id)")


def _v7(db: sqlite3.Connection) -> None:
    # A battle is one session per child; each names the other's uid (uids survive export,
    # import and the class server, row ids do not).
    db.execute("ALTER TABLE sessions ADD COLUMN partner_uid TEXT")


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "players, sessions, judgements", _v1),
    Migration(2, "player groups, session uid/finished_at, judgement extras", _v2),
    Migration(3, "per-frame similarity samples", _v3),
    Migration(4, "avatars, the guest profile, session points and early stops", _v4),
    Migration(5, "the game mode of each session", _v5),
    Migration(6, "practice sessions: kind, speed, practice time", _v6),
    Migration(7, "battle partners: the other child's session uid", _v7),
)
LATEST_VERSION = MIGRATIONS[-1].version
OUR_TABLES = frozenset({"players", "sessions", "judgements", "samples"})


def user_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, target: int = LATEST_VERSION) -> list[int]:
    """Apply the migrations after the database's version up to ``target``; returns the
    versions applied. Each step commits on its own so that an interrupted upgrade resumes.

    ``db`` must be in autocommit mode (``isolation_level=None``): the transaction is ours.
    """
    applied: list[int] = []
    for m in MIGRATIONS:
        if m.version > target:
            break
        if m.version <= user_version(db):
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            if m.version <= user_version(db):
                db.execute("ROLLBACK")
                continue
            m.apply(db)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {m.version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        applied.append(m.version)
    return applied
