"""The class server's database: one schema, on PostgreSQL for a school or SQLite for a try.

SQLAlchemy Core (no ORM): every query below is a parameterised statement, so a child's
name with quotes or HTML in it is data, never SQL. The schema is created and upgraded by
alembic (``server/migrations``); ``open_database`` runs the upgrade on start, so a new
server version migrates the school's database the first time it runs.

Tables (ids are integers; every child's row belongs to exactly one class, every class to
exactly one teacher, which is what access checks follow):

    teachers(id, username, password_hash, created_at)
    classes(id, teacher_id -> teachers, name, created_at)
    children(id, class_id -> classes, name, created_at)
    devices(id, class_id -> classes, name, token_hash, created_at, revoked_at, last_seen_at)
    sessions(id, uid, class_id, child_id, device_id, choreography, difficulty, mode,
             started_at, finished_at, total, points, stars, completed, judged_moves, received_at,
             payload)                       payload = the device's session document (JSON)
    moves(id, session_id -> sessions, move_index, move_name, score, tier)
    forgotten(id, class_id, name, forgotten_at)   devices delete these children locally
    web_sessions(id, token_hash, teacher_id, csrf_token, created_at, expires_at)
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from pose.errors import DanceError
from pose.paths import dance_home

metadata = sa.MetaData()

_TS = sa.String(40)  # ISO 8601 with offset, as the device store keeps them

teachers = sa.Table(
    "teachers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
)
classes = sa.Table(
    "classes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("teacher_id", sa.Integer, sa.ForeignKey("teachers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.UniqueConstraint("teacher_id", "name", name="uq_class_name"),
)
children = sa.Table(
    "children", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.UniqueConstraint("class_id", "name", name="uq_child_name"),
)
devices = sa.Table(
    "devices", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("revoked_at", _TS),
    sa.Column("last_seen_at", _TS),
)
sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uid", sa.String(64), nullable=False, unique=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("child_id", sa.Integer, sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=False),
    sa.Column("device_id", sa.Integer, sa.ForeignKey("devices.id", ondelete="SET NULL")),
    sa.Column("choreography", sa.String(200), nullable=False),
    sa.Column("difficulty", sa.String(20)),
    sa.Column("mode", sa.String(40)),
    # "practice": one move (or a chain) practised, maybe slowed; never in the class's scores.
    sa.Column("kind", sa.String(16), nullable=False, server_default="play"),
    sa.Column("speed", sa.Float, nullable=False, server_default="1.0"),
    sa.Column("started_at", _TS, nullable=False),
    sa.Column("finished_at", _TS),
    sa.Column("total", sa.Float),
    sa.Column("points", sa.Integer),
    sa.Column("stars", sa.Integer),
    sa.Column("completed", sa.Boolean, nullable=False),
    sa.Column("judged_moves", sa.Integer, nullable=False),
    sa.Column("received_at", _TS, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Index("ix_sessions_class", "class_id", "id"),
    sa.Index("ix_sessions_child", "child_id"),
)
moves = sa.Table(
    "moves", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("move_index", sa.Integer, nullable=False),
    sa.Column("move_name", sa.String(200), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Index("ix_moves_session", "session_id"),
)
forgotten = sa.Table(
    "forgotten", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("forgotten_at", _TS, nullable=False),
)
web_sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("teacher_id", sa.Integer, sa.ForeignKey("teachers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
)


class ServerError(DanceError):
    """The class server's database cannot be reached, opened or migrated."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_url() -> str:
    """SQLite in DANCE_HOME: the quick try on one machine."""
    return f"sqlite:///{dance_home() / 'server.db'}"


def normalise_url(url: str | None) -> str:
    """A database URL SQLAlchemy understands: postgresql:// uses the psycopg (3) driver."""
    if not url:
        return default_url()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not (url.startswith("postgresql+psycopg://") or url.startswith("sqlite:")):
        raise ServerError(f"unsupported database URL {url.split(':', 1)[0]!r}: use postgresql://… or sqlite:///PATH")
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: say nothing of it but its scheme
        return url.split(":", 1)[0] + "://…"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str | None) -> sa.Engine:
    url = normalise_url(url)
    if url.startswith("sqlite:"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return engine


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest alembic revision (creating it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection_engine"] = engine
    command.upgrade(cfg, "head")


def open_database(url: str | None) -> sa.Engine:
    """An engine on a migrated database, or a one-line ServerError saying what is wrong."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            c.execute(sa.text("SELECT 1"))
        upgrade(engine)
    except sa.exc.OperationalError as e:
        engine.dispose()
        reason = str(getattr(e, "orig", e)).strip().splitlines()[0] if str(getattr(e, "orig", e)).strip() else "no answer"
        raise ServerError(f"cannot open the class database {redact(engine.url.render_as_string())}: {reason}") from None
    return engine


def env_url() -> str | None:
    return os.environ.get("DANCE_SERVER_DB") or None
