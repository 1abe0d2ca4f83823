"""Every read and write the class server makes, as functions of one connection.

Access rules live here, not in the pages: every function that returns a child's data
takes the teacher's id and only finds rows of that teacher's classes, so a URL with
another class's id finds nothing (the page answers 404, as for an id that does not exist).
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from reports.store import MAX_NAME_LEN, tidy_text  # one rule for names, on the device and the server
from server import auth
from server.db import (children, classes, devices, forgotten, moves, now_iso, sessions, teachers,
                       web_sessions)

MAX_MOVES = 2000
MAX_TEXT = 1000  # characters in any one text field of an uploaded session


class InputError(ValueError):
    """Something a teacher or a device sent is not acceptable; the message says what."""


def clean_name(value: Any, what: str = "name") -> str:
    try:
        return tidy_text(value, what, MAX_NAME_LEN, control_ok=False)
    except ValueError as e:
        raise InputError(str(e)) from None


# ---- teachers and web sessions ----------------------------------------------------------
def add_teacher(c: sa.Connection, username: str, password: str) -> int:
    username = clean_name(username, "username")
    problem = auth.check_password_strength(password)
    if problem:
        raise InputError(problem)
    if c.execute(sa.select(teachers.c.id).where(teachers.c.username == username)).first():
        raise InputError(f"a teacher called {username!r} exists already")
    r = c.execute(teachers.insert().values(username=username, password_hash=auth.hash_password(password),
                                           created_at=now_iso()))
    return int(r.inserted_primary_key[0])


def teacher_by_username(c: sa.Connection, username: str):
    return c.execute(sa.select(teachers).where(teachers.c.username == username)).first()


def start_web_session(c: sa.Connection, teacher_id: int) -> tuple[str, str]:
    """A new login: (cookie token, CSRF token)."""
    token, csrf = auth.new_token(), auth.new_token()
    c.execute(web_sessions.insert().values(token_hash=auth.token_hash(token), teacher_id=teacher_id,
                                           csrf_token=csrf, created_at=now_iso(),
                                           expires_at=auth.expires_iso()))
    return token, csrf


@dataclass(frozen=True)
class Login:
    teacher_id: int
    username: str
    csrf_token: str


def web_session(c: sa.Connection, token: str | None) -> Login | None:
    if not token or len(token) > 200:
        return None
    row = c.execute(
        sa.select(web_sessions.c.teacher_id, web_sessions.c.csrf_token, web_sessions.c.expires_at,
                  teachers.c.username)
        .join(teachers, teachers.c.id == web_sessions.c.teacher_id)
        .where(web_sessions.c.token_hash == auth.token_hash(token))
    ).first()
    if row is None or row.expires_at <= now_iso():
        return None
    return Login(row.teacher_id, row.username, row.csrf_token)


def end_web_session(c: sa.Connection, token: str | None) -> None:
    if token:
        c.execute(web_sessions.delete().where(web_sessions.c.token_hash == auth.token_hash(token)))


# ---- classes, children, devices -----------------------------------------------------------
def add_class(c: sa.Connection, teacher_id: int, name: str) -> int:
    name = clean_name(name, "class name")
    if c.execute(sa.select(classes.c.id).where(classes.c.teacher_id == teacher_id, classes.c.name == name)).first():
        raise InputError(f"you have a class called {name!r} already")
    r = c.execute(classes.insert().values(teacher_id=teacher_id, name=name, created_at=now_iso()))
    return int(r.inserted_primary_key[0])


def teacher_classes(c: sa.Connection, teacher_id: int) -> list:
    n_children = (sa.select(sa.func.count()).select_from(children)
                  .where(children.c.class_id == classes.c.id).scalar_subquery())
    n_sessions = (sa.select(sa.func.count()).select_from(sessions)
                  .where(sessions.c.class_id == classes.c.id).scalar_subquery())
    return list(c.execute(
        sa.select(classes.c.id, classes.c.name, n_children.label("children"), n_sessions.label("sessions"))
        .where(classes.c.teacher_id == teacher_id).order_by(classes.c.name)))


def own_class(c: sa.Connection, teacher_id: int, class_id: int):
    return c.execute(sa.select(classes).where(classes.c.id == class_id, classes.c.teacher_id == teacher_id)).first()


def class_by_name(c: sa.Connection, name: str, teacher: str | None = None) -> list:
    q = sa.select(classes.c.id, classes.c.name, teachers.c.username).join(
        teachers, teachers.c.id == classes.c.teacher_id).where(classes.c.name == name)
    if teacher:
        q = q.where(teachers.c.username == teacher)
    return list(c.execute(q))


def roster(c: sa.Connection, class_id: int) -> list:
    return list(c.execute(sa.select(children.c.id, children.c.name).where(children.c.class_id == class_id)
                          .order_by(children.c.name)))


def _insert_ignoring_conflict(c: sa.Connection, table: sa.Table, values: dict, keys: list[str]):
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite: two devices naming the
    same new child at the same moment both succeed, with one row."""
    if dialect_is_postgres(c):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return c.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))


def add_child(c: sa.Connection, class_id: int, name: str) -> int:
    name = clean_name(name, "child's name")
    q = sa.select(children.c.id).where(children.c.class_id == class_id, children.c.name == name)
    row = c.execute(q).first()
    if row:
        return int(row.id)
    _insert_ignoring_conflict(c, children, dict(class_id=class_id, name=name, created_at=now_iso()),
                              ["class_id", "name"])
    # A child added again after being forgotten is a new person to the devices.
    c.execute(forgotten.delete().where(forgotten.c.class_id == class_id, forgotten.c.name == name))
    return int(c.execute(q).scalar_one())


def own_child(c: sa.Connection, teacher_id: int, child_id: int):
    return c.execute(
        sa.select(children.c.id, children.c.name, children.c.class_id, classes.c.name.label("class_name"))
        .join(classes, classes.c.id == children.c.class_id)
        .where(children.c.id == child_id, classes.c.teacher_id == teacher_id)).first()


def forget_child(c: sa.Connection, class_id: int, name: str) -> int:
    """Delete a child and every session of theirs on the server; remember the name so the
    class's devices delete it too. Returns the number of sessions deleted."""
    row = c.execute(sa.select(children.c.id).where(children.c.class_id == class_id, children.c.name == name)).first()
    if row is None:
        raise InputError(f"no child called {name!r} in this class")
    sids = sa.select(sessions.c.id).where(sessions.c.child_id == row.id)
    n = c.execute(sa.select(sa.func.count()).select_from(sessions).where(sessions.c.child_id == row.id)).scalar_one()
    c.execute(moves.delete().where(moves.c.session_id.in_(sids)))
    c.execute(sessions.delete().where(sessions.c.child_id == row.id))
    c.execute(children.delete().where(children.c.id == row.id))
    c.execute(forgotten.insert().values(class_id=class_id, name=name, forgotten_at=now_iso()))
    return int(n)


def add_device(c: sa.Connection, class_id: int, name: str) -> str:
    """A new device token for the class: returned once, stored as its hash."""
    name = clean_name(name, "device name")
    token = auth.new_token()
    c.execute(devices.insert().values(class_id=class_id, name=name, token_hash=auth.token_hash(token),
                                      created_at=now_iso()))
    return token


def class_devices(c: sa.Connection, class_id: int) -> list:
    return list(c.execute(sa.select(devices.c.id, devices.c.name, devices.c.created_at, devices.c.revoked_at,
                                    devices.c.last_seen_at)
                          .where(devices.c.class_id == class_id).order_by(devices.c.id)))


def revoke_device(c: sa.Connection, teacher_id: int, device_id: int) -> bool:
    row = c.execute(sa.select(devices.c.id).join(classes, classes.c.id == devices.c.class_id)
                    .where(devices.c.id == device_id, classes.c.teacher_id == teacher_id)).first()
    if row is None:
        return False
    c.execute(devices.update().where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
              .values(revoked_at=now_iso()))
    return True


def device_by_token(c: sa.Connection, token: str | None):
    """The enrolled, unrevoked device holding ``token``, or None."""
    if not token or len(token) > 200:
        return None
    row = c.execute(sa.select(devices).where(devices.c.token_hash == auth.token_hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return row


def touch_device(c: sa.Connection, device_id: int) -> None:
    c.execute(devices.update().where(devices.c.id == device_id).values(last_seen_at=now_iso()))


def forgotten_names(c: sa.Connection, class_id: int) -> list[str]:
    return [r.name for r in c.execute(sa.select(forgotten.c.name).where(forgotten.c.class_id == class_id)
                                      .order_by(forgotten.c.id))]


# ---- sessions ---------------------------------------------------------------------------
def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


@functools.lru_cache(maxsize=1)
def _session_validator():
    import jsonschema

    from reports.export import JSON_SCHEMA

    return jsonschema.Draft202012Validator(JSON_SCHEMA["properties"]["sessions"]["items"])


def validate_session(doc: Any) -> dict:
    """A device's session document (one entry of the export format's ``sessions``) checked
    against the export JSON schema; raises InputError naming the first problem."""
    import jsonschema

    if not isinstance(doc, dict):
        raise InputError("the body must be one session object")
    e = jsonschema.exceptions.best_match(_session_validator().iter_errors(doc))
    if e is not None:
        where = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in e.absolute_path).lstrip(".")
        raise InputError(f"{where or 'session'}: {e.message[:200]}")
    if len(doc["judgements"]) > MAX_MOVES:
        raise InputError(f"judgements: more than {MAX_MOVES} moves in one session")
    if len(doc["uid"]) > 64:
        raise InputError("uid: longer than 64 characters")
    for k in ("choreography",):
        if len(doc[k]) > 200:
            raise InputError(f"{k}: longer than 200 characters")
    clean_name(doc["player"], "player")
    long = _longest_text(doc)
    if long > MAX_TEXT:
        raise InputError(f"a text field is {long} characters long (at most {MAX_TEXT}): sessions carry "
                         "names, numbers and short tips, never pictures")
    if doc.get("guest"):
        raise InputError("guest: a guest's sessions are nobody's and are not uploaded to a class")
    known = _session_validator().schema["properties"]
    # Only the fields of the export format are kept: nothing else rides along.
    return {k: v for k, v in doc.items() if k in known}


def _longest_text(v: Any) -> int:
    if isinstance(v, str):
        return len(v)
    if isinstance(v, dict):
        return max([0, *(max(len(str(k)), _longest_text(x)) for k, x in v.items())])
    if isinstance(v, list):
        return max([0, *(_longest_text(x) for x in v)])
    return 0


def _completeness(completed: bool, finished: bool, judged: int) -> tuple[int, int, int]:
    return (int(bool(completed)), int(bool(finished)), int(judged))


def store_session(c: sa.Connection, device, doc: dict) -> str:
    """Insert or complete one uploaded session; idempotent by uid.

    Returns "created", "updated" (a session uploaded while still being played, now more
    complete) or "duplicate" (nothing new: a retry). Runs in the caller's transaction, so
    a server killed mid-upload leaves either nothing or the whole session.
    """
    uid = doc["uid"]
    # A path on the device means nothing here; never keep (or later open) it.
    doc = {**doc, "choreography_path": None}
    child_id = add_child(c, device.class_id, doc["player"])
    judged = len(doc["judgements"])
    values = dict(
        class_id=device.class_id, child_id=child_id, device_id=device.id,
        choreography=doc["choreography"], difficulty=doc.get("difficulty"), mode=doc.get("mode"),
        kind=doc.get("kind", "play"), speed=float(doc.get("speed", 1.0)),
        started_at=doc["started_at"], finished_at=doc.get("finished_at"), total=_finite(doc.get("total")),
        points=_points(doc),
        stars=doc.get("stars"), completed=bool(doc.get("completed", False)), judged_moves=judged,
        received_at=now_iso(), payload=json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
    )
    old = c.execute(sa.select(sessions.c.id, sessions.c.class_id, sessions.c.completed, sessions.c.finished_at,
                              sessions.c.judged_moves).where(sessions.c.uid == uid)).first()
    if old is not None:
        if old.class_id != device.class_id:
            raise InputError("uid: this session belongs to another class")
        if _completeness(values["completed"], bool(values["finished_at"]), judged) <= \
                _completeness(old.completed, bool(old.finished_at), old.judged_moves):
            return "duplicate"
        c.execute(sessions.update().where(sessions.c.id == old.id).values(**values))
        c.execute(moves.delete().where(moves.c.session_id == old.id))
        sid = old.id
        status = "updated"
    else:
        if dialect_is_postgres(c):
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            r = c.execute(pg_insert(sessions).values(uid=uid, **values)
                          .on_conflict_do_nothing(index_elements=["uid"]).returning(sessions.c.id))
            got = r.first()
            if got is None:  # a concurrent retry of the same upload won the race
                return "duplicate"
            sid = got.id
        else:
            sid = c.execute(sessions.insert().values(uid=uid, **values)).inserted_primary_key[0]
        status = "created"
    rows = [dict(session_id=sid, move_index=int(j["move_index"]), move_name=str(j["move_name"])[:200],
                 score=_finite(j["score"]) or 0.0, tier=str(j["tier"])) for j in doc["judgements"]]
    if rows:
        c.execute(moves.insert(), rows)
    return status


def _points(doc: dict) -> int | None:
    """The points the child saw (0-10,000); a finished session from before points: total x 100."""
    p = _finite(doc.get("points"))
    if p is not None:
        return int(p)
    total = _finite(doc.get("total"))
    return int(round(total * 100)) if total is not None and doc.get("completed") else None


def dialect_is_postgres(c: sa.Connection) -> bool:
    return c.dialect.name == "postgresql"


_SESSION_COLS = (sessions.c.id, sessions.c.uid, sessions.c.choreography, sessions.c.difficulty, sessions.c.mode,
                 sessions.c.kind, sessions.c.speed,
                 sessions.c.started_at, sessions.c.finished_at, sessions.c.total, sessions.c.points, sessions.c.stars,
                 sessions.c.completed, sessions.c.judged_moves, sessions.c.received_at,
                 children.c.name.label("child"), children.c.id.label("child_id"))


def class_sessions(c: sa.Connection, class_id: int, after_id: int = 0, limit: int = 200) -> list:
    return list(c.execute(
        sa.select(*_SESSION_COLS).join(children, children.c.id == sessions.c.child_id)
        .where(sessions.c.class_id == class_id, sessions.c.id > after_id)
        .order_by(sessions.c.id.desc()).limit(limit)))


def child_sessions(c: sa.Connection, child_id: int) -> list:
    return list(c.execute(
        sa.select(*_SESSION_COLS).join(children, children.c.id == sessions.c.child_id)
        .where(sessions.c.child_id == child_id).order_by(sessions.c.id)))


def own_session(c: sa.Connection, teacher_id: int, session_id: int):
    return c.execute(
        sa.select(sessions.c.id, sessions.c.uid, sessions.c.payload, sessions.c.class_id,
                  children.c.name.label("child"), classes.c.name.label("class_name"))
        .join(children, children.c.id == sessions.c.child_id)
        .join(classes, classes.c.id == sessions.c.class_id)
        .where(sessions.c.id == session_id, classes.c.teacher_id == teacher_id)).first()


def payloads(c: sa.Connection, class_id: int, child_id: int | None = None) -> list[dict]:
    q = sa.select(sessions.c.payload).where(sessions.c.class_id == class_id)
    if child_id is not None:
        q = q.where(sessions.c.child_id == child_id)
    return [json.loads(r.payload) for r in c.execute(q.order_by(sessions.c.id))]


def partner_payloads(c: sa.Connection, class_id: int, docs: list[dict]) -> list[dict]:
    """The other child's session of each battle among ``docs``, from the same class only
    (so a report can name the partner; their score is never shown in it)."""
    have = {d.get("uid") for d in docs}
    uids = sorted({d["partner_uid"] for d in docs if d.get("partner_uid")} - have)
    if not uids:
        return []
    q = sa.select(sessions.c.payload).where(sessions.c.class_id == class_id, sessions.c.uid.in_(uids))
    return [json.loads(r.payload) for r in c.execute(q.order_by(sessions.c.id))]


def hardest_moves(c: sa.Connection, class_id: int, limit: int = 10) -> list:
    """Moves of the class's songs with the lowest mean score over every child's played tries
    (a move needs 2 tries to count; practice, often slowed, is not a try), with how many
    children tried it."""
    mean = sa.func.avg(moves.c.score)
    q = (sa.select(sessions.c.choreography, moves.c.move_name, mean.label("mean_score"),
                   sa.func.count().label("tries"),
                   sa.func.count(sa.distinct(sessions.c.child_id)).label("children"),
                   sa.func.sum(sa.case((moves.c.tier == "MISS", 1), else_=0)).label("missed"))
         .join(sessions, sessions.c.id == moves.c.session_id)
         .where(sessions.c.class_id == class_id, sessions.c.kind == "play")
         .group_by(sessions.c.choreography, moves.c.move_name)
         .having(sa.func.count() >= 2)
         .order_by(mean.asc()).limit(limit))
    return list(c.execute(q))
