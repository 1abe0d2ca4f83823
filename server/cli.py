"""``dance serve``: the class server, and the school administrator's commands for it.

    dance serve [--db postgresql://USER@HOST/DB] [--host H] [--port N]    run it
    dance serve add-teacher NAME          (password: $DANCE_TEACHER_PASSWORD, else asked)
    dance serve add-class NAME --teacher T
    dance serve add-device CLASS --teacher T --name "Gym laptop"          prints the token
    dance serve forget CHILD --class C [--teacher T]   everywhere, devices included
    dance sync --server URL --device-token T                             a device, by hand

Without --db (and without $DANCE_SERVER_DB) the server runs on SQLite in DANCE_HOME: a
quick try on one machine. A school points --db at its PostgreSQL server.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from pose.errors import DanceError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="the class server: teacher dashboard + device sync (PostgreSQL or SQLite)")
    p.add_argument("action", nargs="?", default="run",
                   choices=("run", "add-teacher", "add-class", "add-device", "forget", "migrate"),
                   help="run (default) or an administrator's command")
    p.add_argument("name", nargs="?", help="the teacher, class, or child the action names")
    p.add_argument("--db", metavar="URL", help="postgresql://… (default: $DANCE_SERVER_DB, else SQLite in DANCE_HOME)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for the school network)")
    p.add_argument("--port", type=int, default=8750, help="port (default 8750)")
    p.add_argument("--teacher", help="the teacher who owns the class (add-class, add-device, forget)")
    p.add_argument("--class", dest="class_name", help="the class (forget)")
    p.add_argument("--device-name", dest="device_name", default="Game device", help="a name for the device (add-device)")
    p.add_argument("--ssl-certfile", help="serve HTTPS with this certificate")
    p.add_argument("--ssl-keyfile", help="… and this key")
    p.add_argument("--insecure-cookies", action="store_true",
                   help="send the login cookie over plain HTTP to other machines too (a network without HTTPS)")
    p.set_defaults(func=run)

    s = sub.add_parser("sync", help="upload this device's sessions to the class server now")
    s.add_argument("--server", required=True, metavar="URL")
    s.add_argument("--device-token", required=True, metavar="T")
    s.set_defaults(func=run_sync)


class _Need(DanceError):
    pass


def _engine(args):
    from server.db import env_url, open_database

    return open_database(args.db or env_url())


def run(args: argparse.Namespace) -> int:
    try:
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ModuleNotFoundError as e:
        raise DanceError(f"the class server needs the 'server' extra ({e.name} is missing): "
                         "pip install 'dancestudio[server]'") from None
    action = args.action
    if action == "run":
        return _serve(args)
    engine = _engine(args)
    try:
        if action == "migrate":
            print("the class database is up to date")
            return 0
        return {"add-teacher": _add_teacher, "add-class": _add_class, "add-device": _add_device,
                "forget": _forget}[action](engine, args)
    finally:
        engine.dispose()


def _need(value, message: str):
    if not value:
        raise _Need(message)
    return value


def _teacher_id(c, name: str) -> int:
    from server.repo import teacher_by_username

    t = teacher_by_username(c, name)
    if t is None:
        raise DanceError(f"no teacher called {name!r} (dance serve add-teacher {name})")
    return int(t.id)


def _add_teacher(engine, args) -> int:
    from server import repo

    name = _need(args.name, "usage: dance serve add-teacher NAME")
    password = os.environ.get("DANCE_TEACHER_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise DanceError("set DANCE_TEACHER_PASSWORD, or run this in a terminal to type the password")
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            raise DanceError("the two passwords differ")
    try:
        with engine.begin() as c:
            repo.add_teacher(c, name, password)
    except repo.InputError as e:
        raise DanceError(str(e)) from None
    print(f"teacher {name!r} can now log in")
    return 0


def _add_class(engine, args) -> int:
    from server import repo

    name = _need(args.name, "usage: dance serve add-class NAME --teacher T")
    teacher = _need(args.teacher, "say whose class it is: --teacher T")
    try:
        with engine.begin() as c:
            repo.add_class(c, _teacher_id(c, teacher), name)
    except repo.InputError as e:
        raise DanceError(str(e)) from None
    print(f"class {name!r} added for {teacher}")
    return 0


def _one_class(c, name: str, teacher: str | None):
    from server import repo

    rows = repo.class_by_name(c, name, teacher)
    if not rows:
        raise DanceError(f"no class called {name!r}" + (f" for {teacher}" if teacher else ""))
    if len(rows) > 1:
        raise DanceError(f"{len(rows)} teachers have a class called {name!r}: say whose with --teacher")
    return rows[0]


def _add_device(engine, args) -> int:
    from server import repo

    name = _need(args.name, "usage: dance serve add-device CLASS --teacher T [--device-name N]")
    with engine.begin() as c:
        cls = _one_class(c, name, args.teacher)
        try:
            token = repo.add_device(c, cls.id, args.device_name)
        except repo.InputError as e:
            raise DanceError(str(e)) from None
    print(token)
    print(f"(the device token for {args.device_name!r} in {cls.name!r}; shown once: dance play --server URL --device-token TOKEN)",
          file=sys.stderr)
    return 0


def _forget(engine, args) -> int:
    name = _need(args.name, "usage: dance serve forget CHILD --class C")
    cls_name = _need(args.class_name, "say which class: --class C")
    print(_forget_in(engine, name, cls_name, args.teacher))
    return 0


def _forget_in(engine, name: str, cls_name: str, teacher: str | None) -> str:
    from server import repo

    with engine.begin() as c:
        cls = _one_class(c, cls_name, teacher)
        try:
            n = repo.forget_child(c, cls.id, " ".join(name.split()))
        except repo.InputError as e:
            raise DanceError(str(e)) from None
    return f"forgot {name!r}: {n} session(s) deleted on the server; the class's devices delete theirs at their next sync"


def forget_on_server(db_url: str, name: str, cls_name: str, teacher: str | None = None) -> str:
    """`dance report forget NAME --server-db URL --class C`: the same as `dance serve forget`."""
    from server.db import open_database

    engine = open_database(db_url)
    try:
        return _forget_in(engine, name, cls_name, teacher)
    finally:
        engine.dispose()


def _serve(args) -> int:
    import uvicorn

    from server.app import create_app
    from server.db import redact

    engine = _engine(args)
    if (args.ssl_certfile is None) != (args.ssl_keyfile is None):
        raise DanceError("HTTPS needs both --ssl-certfile and --ssl-keyfile")
    https = args.ssl_certfile is not None
    local = args.host in ("127.0.0.1", "localhost", "::1")
    # Browsers keep a Secure cookie on https:// and on localhost only.
    secure = not args.insecure_cookies
    if not https and not local and secure:
        print("dance serve: note: plain HTTP to other machines: teachers' browsers will not keep the login "
              "cookie; serve HTTPS (--ssl-certfile/--ssl-keyfile) or pass --insecure-cookies on a trusted network",
              file=sys.stderr)
    app = create_app(engine, secure_cookies=secure)
    scheme = "https" if https else "http"
    print(f"class server on {scheme}://{args.host}:{args.port}/ (database {redact(engine.url.render_as_string())})",
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile,
                limit_concurrency=200, timeout_keep_alive=5)
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from server.client import SyncClient

    client = SyncClient(args.server, args.device_token)
    try:
        rep = client.sync_once()
    finally:
        client.close()
    print(f"uploaded {len(rep.uploaded)} session(s), {rep.duplicates} already there, {rep.pending} still queued"
          + (f"; forgot {', '.join(rep.forgotten)} as the teacher asked" if rep.forgotten else ""))
    if rep.error:
        print(f"dance sync: {rep.error}", file=sys.stderr)
        return 1
    return 0
