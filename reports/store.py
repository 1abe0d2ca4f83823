"""The session store: every player, session and judgement, in one SQLite file.

The game records through ``SessionStore`` as it plays::

    store = SessionStore.open()                 # DANCE_HOME/sessions.db, created/migrated
    sid = store.start_session(player="Mia", choreography="Bunny Hop", difficulty="easy")
    store.record_judgement(sid, judgement)      # committed at once
    store.finish_session(sid, total=83.5, stars=4)
    store.close()

Why this shape:
- WAL journal and one transaction per judgement: a crash or ``kill -9`` loses at most the
  move being judged, and a teacher can build a report while a game is writing.
- ``synchronous=NORMAL``: in WAL mode a committed transaction survives the *process*
  dying; only a power cut or OS crash can lose the last few commits. FULL would fsync on
  every judgement on the game's thread (benchmarks/bench_reports.py measures both).
- Nothing but names, numbers and text: no camera image of a child is ever stored.
- Judgement fields this module does not know (the scoring engine may add some) are kept
  as JSON in ``extra_json`` rather than dropped.
"""
from __future__ import annotations

import functools
import json
import math
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeVar

from pose.errors import DanceError
from pose.paths import dance_home
from reports.migrations import APPLICATION_ID, GUEST_NAME, LATEST_VERSION, migrate, user_version
from scoring import record
from scoring.events import Judgement, Tier

DB_NAME = "sessions.db"
MAX_NAME_LEN = 64
# The judgements table's columns are the record's (scoring.record.COLUMNS): a field
# without a column of its own is kept in extra_json, so a new field needs no migration.
_JUDGEMENT_COLUMNS = ", ".join([*(f.column for f in record.COLUMNS), "extra_json"])
_INSERT_JUDGEMENT = (f"INSERT INTO judgements (session_id, {_JUDGEMENT_COLUMNS})"
                     f" VALUES ({', '.join('?' * (len(record.COLUMNS) + 2))})")


class StoreError(DanceError):
    """The session store cannot be opened, read or written, or a request names nothing."""


def default_path() -> Path:
    return dance_home() / DB_NAME


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def to_iso(when: datetime | str | None) -> str:
    """A timestamp as ISO 8601 with an explicit offset (naive times are taken as UTC)."""
    if when is None:
        return utc_now_iso()
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            raise StoreError(f"not an ISO 8601 date/time: {when!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.isoformat(timespec="seconds")


def local_time(iso: str) -> datetime:
    """A stored timestamp in this computer's time zone (stored times are UTC or carry an
    offset): a teacher reads their own clock. Raises ValueError for a malformed value."""
    d = datetime.fromisoformat(iso)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone()


def local_day(iso: str) -> str:
    """The local calendar date (ISO) of a stored timestamp; the raw prefix if malformed."""
    try:
        return local_time(iso).date().isoformat()
    except ValueError:
        return iso[:10]


def tidy_text(value: Any, what: str, max_len: int = MAX_NAME_LEN, *, control_ok: bool = True) -> str:
    """One line of user-given text (a name), whitespace collapsed; ValueError says what is wrong.

    Shared by the player store and the class server. control_ok=False also refuses control
    characters (the server's web forms); the store keeps any name it was once given, so old
    databases and exports still open.
    """
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {type(value).__name__}")
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError(f"{what} is empty")
    if len(cleaned) > max_len:
        raise ValueError(f"{what} is longer than {max_len} characters: {cleaned[:20]!r}…")
    if not control_ok and any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise ValueError(f"{what} contains control characters")
    return cleaned


def clean_name(name: str) -> str:
    """A player's pseudonym, trimmed; one line, 1–64 characters."""
    try:
        return tidy_text(name, "player name")
    except ValueError as e:
        raise StoreError(str(e)) from None


SESSION_KINDS = ("play", "practice")


def _finite_or_none(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class PlayerRow:
    """A child (or, with guest=True, the one shared profile of unnamed sessions).
    avatar: the picture's name as the game's profile picker knows it, or None."""

    id: int
    name: str
    group: str | None
    created_at: str
    avatar: str | None = None
    guest: bool = False


@dataclass(frozen=True)
class SessionRow:
    """One play of one choreography. total 0–100, stars and points (0–10,000) are None
    until it ends: finished (completed) or stopped early (stopped_at_s, the song time)."""

    id: int
    uid: str
    player: str
    group: str | None
    choreography: str
    choreography_path: str | None
    started_at: str
    finished_at: str | None
    difficulty: str | None
    latency_s: float | None
    total: float | None
    stars: int | None
    completed: bool
    moves: int = 0  # judgements recorded
    points: int | None = None
    stopped_at_s: float | None = None
    guest: bool = False  # played as Guest (nobody chose a name)

    @property
    def stopped(self) -> bool:
        return self.stopped_at_s is not None
    mode: str = "dance"  # the game mode played (game.modes)
    kind: str = "play"  # "practice": one move practised (maybe slowed), never a played song
    speed: float = 1.0  # the practice tempo (1.0 for plays)
    practice_s: float | None = None  # seconds spent practising (practice sessions)
    partner_uid: str | None = None  # a battle: the uid of the other child's session of it

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.started_at)


# A stored judgement is the record itself (scoring.events.Judgement): the columns, every
# other field from extra_json, and what this build does not know in ``extra``.
JudgementRow = Judgement


F = TypeVar("F", bound=Callable[..., Any])


def _guarded(fn: F) -> F:
    """SQLite failures after opening (a file truncated or overwritten under us, a full
    disk, a lock held too long) become one-line StoreErrors that name the file."""

    @functools.wraps(fn)
    def wrapper(self: "SessionStore", *args: Any, **kwargs: Any) -> Any:
        if self._db is None:
            raise StoreError(f"{self.path}: session store is closed")
        try:
            with self._lock:
                return fn(self, *args, **kwargs)
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: {e}") from None

    return wrapper  # type: ignore[return-value]


class SessionStore:
    """A connection to the session store. Thread-safe (one lock); use one per process."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db: sqlite3.Connection | None = db
        self.path = path
        self._lock = threading.RLock()

    # ---- opening -------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> "SessionStore":
        """Open (creating and migrating as needed) the store at ``path``, by default
        ``DANCE_HOME/sessions.db``. Raises StoreError for a corrupt file, another
        program's SQLite database, a newer schema, or an unwritable location."""
        p = Path(path).expanduser() if path is not None else default_path()
        if p.is_dir():
            raise StoreError(f"{p}: is a directory, not a session store")
        if not p.exists():
            if not create:
                raise StoreError(f"{p}: no session store here yet (play a game first)")
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{p.parent}: cannot create folder ({e.strerror})") from None
        db = None
        try:
            db = sqlite3.connect(p, timeout=10.0, isolation_level=None, check_same_thread=False)
            cls._check_ours(db, p)
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{p}: cannot switch to WAL journal (got {mode})")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros, so `forget` leaves nothing readable
            # in free pages even if its VACUUM must wait for a game holding the file.
            db.execute("PRAGMA secure_delete=ON")
            migrate(db)
        except StoreError:
            if db is not None:
                db.close()
            raise
        except sqlite3.Error as e:
            if db is not None:
                db.close()
            raise StoreError(f"{p}: not a readable DanceStudio session store ({e})") from None
        return cls(db, p)

    @staticmethod
    def _check_ours(db: sqlite3.Connection, p: Path) -> None:
        # The first read of the header is where a non-SQLite file fails ("file is not a database").
        version = user_version(db)
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        tables = sorted(
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        )
        if app_id != APPLICATION_ID and (tables or version):
            shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
            raise StoreError(
                f"{p}: another program's SQLite database, not a DanceStudio session store"
                + (f" (tables: {shown})" if shown else "")
            )
        if version > LATEST_VERSION:
            raise StoreError(
                f"{p}: written by a newer DanceStudio (schema v{version}; this one reads up to "
                f"v{LATEST_VERSION}); please update"
            )

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        assert self._db is not None
        return user_version(self._db)

    # ---- recording (the game) ------------------------------------------------------
    @_guarded
    def start_session(
        self,
        player: str | None,
        group: str | None = None,
        choreography: str = "",
        choreography_path: str | None = None,
        difficulty: str | None = None,
        latency_s: float | None = None,
        started_at: datetime | str | None = None,
        mode: str = "dance",
        kind: str = "play",
        speed: float = 1.0,
    ) -> int:
        """Begin a session; creates the player if new (and sets their group if given).
        kind "practice": a move practised at ``speed`` (excluded from stars and progress).
        player None: nobody chose a name; the session goes to the shared Guest profile,
        which reports never count as a child. Returns the session id."""
        name = None if player is None else clean_name(player)
        title = (choreography or "").strip() or "Untitled dance"
        when = to_iso(started_at)
        if kind not in SESSION_KINDS:
            raise StoreError(f"session kind must be one of {SESSION_KINDS}, got {kind!r}")
        speed_v = _finite_or_none(speed)
        if speed_v is None or not 0.0 < speed_v <= 4.0:
            raise StoreError(f"session speed must be in (0, 4], got {speed!r}")
        db = self._db
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        try:
            pid = self._guest_id() if name is None else self._player_id(name, group, create=True)
            cur = db.execute(
                "INSERT INTO sessions (uid, player_id, choreography, choreography_path, started_at,"
                " difficulty, latency_s, completed, mode, kind, speed) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                (secrets.token_hex(8), pid, title,
                 str(choreography_path) if choreography_path else None,
                 when, difficulty, _finite_or_none(latency_s), str(mode or "dance"), kind, speed_v),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(cur.lastrowid)

    def _guest_id(self) -> int:
        db = self._db
        assert db is not None
        row = db.execute("SELECT id FROM players WHERE guest = 1 ORDER BY id LIMIT 1").fetchone()
        if row is not None:
            return int(row[0])
        name = GUEST_NAME
        if db.execute("SELECT 1 FROM players WHERE name = ?", (name,)).fetchone():
            name = f"{GUEST_NAME} ({secrets.token_hex(2)})"  # a child already called Guest keeps the name
        cur = db.execute("INSERT INTO players (name, created_at, guest) VALUES (?, ?, 1)", (name, utc_now_iso()))
        return int(cur.lastrowid)

    def _player_id(self, name: str, group: str | None, create: bool) -> int:
        db = self._db
        assert db is not None
        row = db.execute("SELECT id, group_name FROM players WHERE name = ?", (name,)).fetchone()
        group = " ".join(group.split()) if group else None
        if row is not None:
            if group and group != row[1]:
                db.execute("UPDATE players SET group_name = ? WHERE id = ?", (group, row[0]))
            return int(row[0])
        if not create:
            raise StoreError(f"{self.path}: no player named {name!r}")
        cur = db.execute(
            "INSERT INTO players (name, group_name, created_at) VALUES (?, ?, ?)",
            (name, group, utc_now_iso()),
        )
        return int(cur.lastrowid)

    @_guarded
    def record_judgement(self, session_id: int, judgement: Judgement) -> None:
        """Store one judgement; committed before returning."""
        db = self._db
        assert db is not None
        values = judgement_values(judgement)
        try:
            db.execute(_INSERT_JUDGEMENT, (int(session_id), *values))
        except sqlite3.IntegrityError:
            raise StoreError(f"{self.path}: no session {session_id} to record into") from None

    @_guarded
    def record_samples(self, session_id: int, times_s: Sequence[float], similarity: Sequence[float]) -> None:
        """Store per-frame similarity samples (0–100 at song time times_s), for the timeline.
        Non-finite samples (nobody in frame) are skipped."""
        db = self._db
        assert db is not None
        if len(times_s) != len(similarity):
            raise StoreError(f"samples: {len(times_s)} times but {len(similarity)} values")
        rows = [
            (int(session_id), t, s)
            for t, s in ((_finite_or_none(a), _finite_or_none(b)) for a, b in zip(times_s, similarity))
            if t is not None and s is not None
        ]
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT INTO samples (session_id, time_s, similarity) VALUES (?, ?, ?)", rows)
            db.execute("COMMIT")
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: no session {session_id} to record into") from None
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @_guarded
    def finish_session(self, session_id: int, total: float, stars: int, points: int | None = None) -> None:
        """Mark a session complete with its total (0–100), stars and points (0–10,000;
        default round(total x 100), what a finished song's points are)."""
        db = self._db
        assert db is not None
        total_v = _finite_or_none(total)
        if points is None and total_v is not None:
            points = int(round(total_v * 100))
        cur = db.execute(
            "UPDATE sessions SET total = ?, stars = ?, points = ?, completed = 1, stopped_at_s = NULL,"
            " finished_at = ? WHERE id = ?",
            (total_v, int(stars), None if points is None else int(points), utc_now_iso(), int(session_id)),
        )
        if cur.rowcount == 0:
            raise StoreError(f"{self.path}: no session {session_id} to finish")

    @_guarded
    def finish_practice(self, session_id: int, best_score: float | None, practice_s: float) -> None:
        """End a practice session: its best move score (0-100, or None if never judged) and
        the seconds practised. Stars and points stay empty: practice earns none."""
        db = self._db
        assert db is not None
        cur = db.execute(
            "UPDATE sessions SET total = ?, practice_s = ?, completed = 1, finished_at = ?"
            " WHERE id = ? AND kind = 'practice'",
            (_finite_or_none(best_score), _finite_or_none(practice_s), utc_now_iso(), int(session_id)),
        )
        if cur.rowcount == 0:
            raise StoreError(f"{self.path}: no practice session {session_id} to finish")

    @_guarded
    def stop_session(self, session_id: int, total: float, stars: int, points: int, stopped_at_s: float) -> None:
        """Mark a session stopped early at song time ``stopped_at_s``: not completed (so it
        is never compared with whole songs), total/stars/points over the moves danced."""
        db = self._db
        assert db is not None
        cur = db.execute(
            "UPDATE sessions SET total = ?, stars = ?, points = ?, completed = 0, stopped_at_s = ?,"
            " finished_at = ? WHERE id = ?",
            (_finite_or_none(total), int(stars), int(points), _finite_or_none(stopped_at_s), utc_now_iso(),
             int(session_id)),
        )
        if cur.rowcount == 0:
            raise StoreError(f"{self.path}: no session {session_id} to stop")

    @_guarded
    def link_partners(self, session_a: int, session_b: int) -> None:
        """The two sessions of one battle: each records the other's uid."""
        db = self._db
        assert db is not None
        if int(session_a) == int(session_b):
            raise StoreError("a battle needs two different sessions")
        db.execute("BEGIN IMMEDIATE")
        try:
            uids = {}
            for sid in (int(session_a), int(session_b)):
                row = db.execute("SELECT uid FROM sessions WHERE id = ?", (sid,)).fetchone()
                if row is None:
                    raise StoreError(f"{self.path}: no session {sid} to link")
                uids[sid] = row[0]
            db.execute("UPDATE sessions SET partner_uid = ? WHERE id = ?", (uids[int(session_b)], int(session_a)))
            db.execute("UPDATE sessions SET partner_uid = ? WHERE id = ?", (uids[int(session_a)], int(session_b)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @_guarded
    def partner(self, session: SessionRow) -> SessionRow | None:
        """The other child's session of a battle; None when not a battle, or when that
        child was forgotten (the link then leads nowhere, and names no one)."""
        db = self._db
        assert db is not None
        if not session.partner_uid:
            return None
        row = db.execute(self._SESSION_SQL + " WHERE s.uid = ?", (session.partner_uid,)).fetchone()
        return None if row is None else self._session_row(row)

    # ---- reading (reports) ---------------------------------------------------------
    _PLAYER_SQL = "SELECT id, name, group_name, created_at, avatar, guest = 1 FROM players"

    @_guarded
    def players(self, group: str | None = None, *, include_guest: bool = False) -> list[PlayerRow]:
        """The children, by name (the Guest profile only when asked: it is nobody)."""
        db = self._db
        assert db is not None
        where, args = [], []
        if group is not None:
            where.append("group_name = ?")
            args.append(group)
        if not include_guest:
            where.append("guest = 0")
        sql = self._PLAYER_SQL + (" WHERE " + " AND ".join(where) if where else "")
        return [PlayerRow(*r[:5], guest=bool(r[5])) for r in db.execute(sql + " ORDER BY name COLLATE NOCASE", args)]

    @_guarded
    def set_avatar(self, name: str, avatar: str | None) -> None:
        """The picture a child chose (a name the game's profile picker knows)."""
        db = self._db
        assert db is not None
        p = self.player(name)
        db.execute("UPDATE players SET avatar = ? WHERE id = ?", (avatar or None, p.id))

    @_guarded
    def player(self, name: str) -> PlayerRow:
        db = self._db
        assert db is not None
        n = clean_name(name)
        row = db.execute(self._PLAYER_SQL + " WHERE name = ?", (n,)).fetchone()
        if row is None:
            # Teachers type names; forgive case before giving up.
            row = db.execute(self._PLAYER_SQL + " WHERE name = ? COLLATE NOCASE", (n,)).fetchone()
        if row is None:
            raise StoreError(f"no player named {n!r} in {self.path}")
        return PlayerRow(*row[:5], guest=bool(row[5]))

    @_guarded
    def add_player(self, name: str, group: str | None = None) -> str:
        """Create a player if new (setting the group if given); returns the stored name."""
        db = self._db
        assert db is not None
        n = clean_name(name)
        db.execute("BEGIN IMMEDIATE")
        try:
            self._player_id(n, group, create=True)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return n

    @_guarded
    def set_group(self, name: str, group: str | None) -> None:
        db = self._db
        assert db is not None
        p = self.player(name)
        group = " ".join(group.split()) if group else None
        db.execute("UPDATE players SET group_name = ? WHERE id = ?", (group, p.id))

    @_guarded
    def groups(self) -> list[str]:
        db = self._db
        assert db is not None
        return [r[0] for r in db.execute(
            "SELECT DISTINCT group_name FROM players WHERE group_name IS NOT NULL ORDER BY 1")]

    _SESSION_SQL = (
        "SELECT s.id, s.uid, p.name, p.group_name, s.choreography, s.choreography_path,"
        " s.started_at, s.finished_at, s.difficulty, s.latency_s, s.total, s.stars, s.completed,"
        " (SELECT COUNT(*) FROM judgements j WHERE j.session_id = s.id), s.points, s.stopped_at_s, p.guest, s.mode,"
        " s.kind, s.speed, s.practice_s, s.partner_uid"
        " FROM sessions s JOIN players p ON p.id = s.player_id"
    )

    @staticmethod
    def _session_row(r: tuple) -> SessionRow:
        return SessionRow(*r[:12], completed=bool(r[12]), moves=int(r[13]), points=r[14], stopped_at_s=r[15],
                          guest=bool(r[16]), mode=str(r[17] or "dance"), kind=str(r[18] or "play"),
                          speed=float(r[19] if r[19] is not None else 1.0), practice_s=r[20],
                          partner_uid=r[21])

    @_guarded
    def sessions(
        self, player: str | None = None, group: str | None = None, completed_only: bool = False,
        kind: str | None = "play",
    ) -> list[SessionRow]:
        """Sessions, oldest first, optionally of one player or one group. kind: "play" (the
        default: played songs, what stars, bests and progress are made of), "practice", or
        None for both."""
        db = self._db
        assert db is not None
        where, args = [], []
        if player is not None:
            where.append("p.id = ?")
            args.append(self.player(player).id)
        if group is not None:
            where.append("p.group_name = ?")
            args.append(group)
        if completed_only:
            where.append("s.completed = 1")
        if kind is not None:
            where.append("s.kind = ?")
            args.append(kind)
        sql = self._SESSION_SQL + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY s.started_at, s.id"
        return [self._session_row(r) for r in db.execute(sql, args)]

    @_guarded
    def session(self, ref: int | str = "latest") -> SessionRow:
        """A session by id, or "latest" (the most recently started)."""
        db = self._db
        assert db is not None
        if isinstance(ref, str) and ref.strip().lower() == "latest":
            row = db.execute(self._SESSION_SQL + " ORDER BY s.started_at DESC, s.id DESC LIMIT 1").fetchone()
            if row is None:
                raise StoreError(f"no sessions recorded yet in {self.path}")
            return self._session_row(row)
        try:
            sid = int(ref)
        except (TypeError, ValueError):
            raise StoreError(f"session must be a number or 'latest', got {ref!r}") from None
        row = db.execute(self._SESSION_SQL + " WHERE s.id = ?", (sid,)).fetchone()
        if row is None:
            raise StoreError(f"no session {sid} in {self.path}")
        return self._session_row(row)

    @_guarded
    def judgements(self, session_id: int) -> list[JudgementRow]:
        """A session's judgements in move order (a move judged twice keeps both, in time order)."""
        db = self._db
        assert db is not None
        out = []
        for r in db.execute(
            f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE session_id = ? ORDER BY move_index, id",
            (int(session_id),),
        ):
            out.append(_row_judgement(r))
        return out

    @_guarded
    def samples(self, session_id: int) -> tuple[list[float], list[float]]:
        """(times_s, similarity 0–100) recorded for the session, in time order; empty if none."""
        db = self._db
        assert db is not None
        rows = db.execute(
            "SELECT time_s, similarity FROM samples WHERE session_id = ? ORDER BY time_s",
            (int(session_id),),
        ).fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]

    # ---- privacy ---------------------------------------------------------------------
    @_guarded
    def forget(self, name: str) -> int:
        """Delete a player and everything recorded about them, then VACUUM and truncate the
        WAL so the deleted rows do not linger in free pages or the journal.
        Returns the number of sessions deleted."""
        db = self._db
        assert db is not None
        p = self.player(name)
        db.execute("BEGIN IMMEDIATE")
        try:
            n = db.execute("SELECT COUNT(*) FROM sessions WHERE player_id = ?", (p.id,)).fetchone()[0]
            # Explicit deletes rather than relying on ON DELETE CASCADE: a connection opened
            # by another tool may have foreign keys off.
            sids = "SELECT id FROM sessions WHERE player_id = ?"
            db.execute(f"DELETE FROM samples WHERE session_id IN ({sids})", (p.id,))
            db.execute(f"DELETE FROM judgements WHERE session_id IN ({sids})", (p.id,))
            db.execute("DELETE FROM sessions WHERE player_id = ?", (p.id,))
            db.execute("DELETE FROM players WHERE id = ?", (p.id,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            # Another program (a game) holds the file: the rows are already deleted and
            # zeroed (secure_delete); only the file's size waits for a later VACUUM.
            pass
        return int(n)

    # ---- bulk (import/export) ----------------------------------------------------------
    @_guarded
    def import_session(
        self,
        *,
        uid: str,
        player: str,
        group: str | None,
        choreography: str,
        choreography_path: str | None,
        started_at: str,
        finished_at: str | None,
        difficulty: str | None,
        latency_s: float | None,
        total: float | None,
        stars: int | None,
        completed: bool,
        judgements: Iterable[tuple],
        samples: Iterable[tuple[float, float]] = (),
        points: int | None = None,
        stopped_at_s: float | None = None,
        guest: bool = False,
        mode: str | None = None,
        partner_uid: str | None = None,
        kind: str = "play",
        speed: float = 1.0,
        practice_s: float | None = None,
    ) -> bool:
        """Insert one whole session in one transaction; False if its uid is already here.
        ``judgements`` rows are judgement_values() tuples. kind/speed/practice_s: a practice
        session (see SESSION_KINDS)."""
        if kind not in SESSION_KINDS:
            raise StoreError(f"session kind must be one of {', '.join(SESSION_KINDS)}, got {kind!r}")
        speed_v = _finite_or_none(speed)
        if speed_v is None or not 0.0 < speed_v <= 4.0:
            raise StoreError(f"session speed must be a number in (0, 4], got {speed!r}")
        db = self._db
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM sessions WHERE uid = ?", (uid,)).fetchone():
                db.execute("ROLLBACK")
                return False
            pid = self._guest_id() if guest else self._player_id(clean_name(player), group, create=True)
            total_v = _finite_or_none(total)
            if points is None and completed and total_v is not None:
                points = int(round(total_v * 100))  # an export from before points: what the game showed
            cur = db.execute(
                "INSERT INTO sessions (uid, player_id, choreography, choreography_path, started_at,"
                " finished_at, difficulty, latency_s, total, stars, completed, points, stopped_at_s, mode,"
                " partner_uid, kind, speed, practice_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (uid, pid, choreography, choreography_path, to_iso(started_at),
                 to_iso(finished_at) if finished_at else None, difficulty,
                 _finite_or_none(latency_s), total_v,
                 None if stars is None else int(stars), 1 if completed else 0,
                 None if points is None else int(points), _finite_or_none(stopped_at_s),
                 str(mode or "dance"), str(partner_uid) if partner_uid else None,
                 kind, speed_v, _finite_or_none(practice_s)),
            )
            sid = int(cur.lastrowid)
            db.executemany(_INSERT_JUDGEMENT, [(sid, *j) for j in judgements])
            db.executemany(
                "INSERT INTO samples (session_id, time_s, similarity) VALUES (?, ?, ?)",
                [(sid, float(t), float(s)) for t, s in samples],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return True


def _loads(text: str | None) -> dict:
    if not text:
        return {}
    try:
        v = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return v if isinstance(v, dict) else {}


def _row_judgement(r: Sequence[Any]) -> Judgement:
    """A judgements-table row (the record's columns, then extra_json) as the record. The
    store wrote it, so a value it cannot read (a file damaged by hand) falls back to the
    field's default rather than hiding the whole session."""
    columns: dict[str, Any] = {}
    for f, v in zip(record.COLUMNS, r):
        v = _loads(v) if f.kind == "parts" else v
        try:
            columns[f.name] = record.encode(f, record.decode(f, v))
        except (record.RecordError, ValueError, TypeError):
            columns[f.name] = record.encode(f, Tier.MISS) if f.kind == "tier" else f.default
    extra = _loads(r[len(record.COLUMNS)])
    try:
        return record.from_stored(columns, extra)
    except record.RecordError:
        for f in record.EXTRA_FIELDS:
            try:
                record.decode(f, extra.get(f.name))
            except record.RecordError:
                extra.pop(f.name, None)
        return record.from_stored(columns, extra)


def judgement_values(j: Judgement) -> tuple:
    """The judgements-table values (without session_id) for a judgement, in the order of
    record.COLUMNS then extra_json. A non-finite score is stored as 0 with the reason kept
    in extra (the move happened); scores are clamped to 0..100."""
    columns, extra = record.stored(j)
    if columns["score"] is None:
        extra["score_not_finite"] = repr(getattr(j, "score", None))
        columns["score"] = 0.0
    columns["score"] = min(100.0, max(0.0, columns["score"]))
    columns["parts"] = {k: round(v, 3) for k, v in columns["parts"].items()}
    out = []
    for f in record.COLUMNS:
        v = columns[f.name]
        out.append(json.dumps(v, sort_keys=True) if f.kind == "parts" else int(v) if f.kind == "bool" else v)
    return (*out, json.dumps(extra, sort_keys=True))
