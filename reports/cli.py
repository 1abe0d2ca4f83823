"""``dance report``: teacher reports from the session store.

    dance report session [ID|latest] -o FILE.html
    dance report player NAME -o FILE.html
    dance report class [--group G] -o FILE.html [--csv FILE.csv]
    dance report list [--player NAME] [--group G]
    dance report group NAME [GROUP]
    dance report forget NAME [--yes]      (--server-db URL --class C: on the class server,
                                         and so on every device of that class)
    dance report export -o FILE.json|FILE.csv [--player NAME] [--group G]
    dance report import FILE.json|FILE.csv|SESSION.jsonl...

Every command takes ``--db PATH`` (default: DANCE_HOME/sessions.db).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pose.errors import DanceError


def register(subparsers: argparse._SubParsersAction) -> None:
    rep = subparsers.add_parser("report", help="teacher reports: session, player, class; export/import",
                                description="Teacher reports from the session store (HTML, CSV, JSON).")
    sub = rep.add_subparsers(dest="report_command", metavar="KIND")
    rep.set_defaults(func=lambda a: _usage(rep))

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, default=None, help="session store (default: DANCE_HOME/sessions.db)")

    p = sub.add_parser("session", help="one session: score, stars, timeline, moves to practise")
    p.add_argument("session", nargs="?", default="latest", help="session id or 'latest' (default)")
    p.add_argument("-o", "--output", type=Path, required=True, help="HTML file to write")
    common(p)
    p.set_defaults(func=_session)

    p = sub.add_parser("player", help="one child: progress, bests, recurring weak body parts")
    p.add_argument("name", help="the player's name (pseudonym)")
    p.add_argument("-o", "--output", type=Path, required=True, help="HTML file to write")
    common(p)
    p.set_defaults(func=_player)

    p = sub.add_parser("class", help="everyone (or one group): latest, best, participation, most improved")
    p.add_argument("--group", default=None, help="only this class/group")
    p.add_argument("-o", "--output", type=Path, default=None, help="HTML file to write")
    p.add_argument("--csv", type=Path, default=None, help="also (or only) write the table as CSV")
    common(p)
    p.set_defaults(func=_class)

    p = sub.add_parser("list", help="list recorded sessions")
    p.add_argument("--player", default=None)
    p.add_argument("--group", default=None)
    common(p)
    p.set_defaults(func=_list)

    p = sub.add_parser("group", help="put a player in a class/group (no GROUP: take them out)")
    p.add_argument("name")
    p.add_argument("group", nargs="?", default=None)
    common(p)
    p.set_defaults(func=_group)

    p = sub.add_parser("forget", help="delete everything recorded about a player")
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--server-db", metavar="URL",
                   help="forget the child on the class server's database (every device of the class follows)")
    p.add_argument("--class", dest="class_name", metavar="C", help="the child's class on the server (with --server-db)")
    common(p)
    p.set_defaults(func=_forget)

    p = sub.add_parser("export", help="export sessions as JSON (everything) or CSV (spreadsheet)")
    p.add_argument("-o", "--output", type=Path, required=True, help="FILE.json or FILE.csv")
    p.add_argument("--player", default=None)
    p.add_argument("--group", default=None)
    common(p)
    p.set_defaults(func=_export)

    p = sub.add_parser("import", help="import sessions from an export (JSON or CSV) or the game's "
                       "fallback logs (DANCE_HOME/sessions/*.jsonl); repeats are skipped")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    common(p)
    p.set_defaults(func=_import)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _open(args: argparse.Namespace, create: bool = False):
    from reports.store import SessionStore

    # Reading commands never create an empty store as a side effect of a typo'd --db.
    return SessionStore.open(args.db, create=create)


def _session(args: argparse.Namespace) -> int:
    from reports.html import session_html, write_atomic

    with _open(args) as store:
        text = session_html(store, args.session)
    out = write_atomic(args.output, text)
    print(f"wrote {out}")
    return 0


def _player(args: argparse.Namespace) -> int:
    from reports.html import player_html, write_atomic

    with _open(args) as store:
        text = player_html(store, args.name)
    print(f"wrote {write_atomic(args.output, text)}")
    return 0


def _class(args: argparse.Namespace) -> int:
    from reports.html import class_csv, class_html, write_atomic

    if args.output is None and args.csv is None:
        raise DanceError("report class: give -o FILE.html and/or --csv FILE.csv")
    with _open(args) as store:
        html = class_html(store, args.group) if args.output else None
        table = class_csv(store, args.group) if args.csv else None
    if html is not None:
        print(f"wrote {write_atomic(args.output, html)}")
    if table is not None:
        print(f"wrote {write_atomic(args.csv, table)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from reports.store import local_time

    with _open(args) as store:
        rows = store.sessions(player=args.player, group=args.group)
    if not rows:
        print("no sessions")
        return 0
    from reports.analysis import session_points

    print(f"{'id':>5}  {'date':16}  {'player':16} {'group':10} {'dance':22} {'points':>6} stars moves  mode")
    for s in rows:
        pts = session_points(s)
        shown = f"{pts:>6,}" if pts is not None else "     –"
        stars = str(s.stars) if s.stars is not None else "–"
        when = local_time(s.started_at).strftime("%Y-%m-%d %H:%M")
        state = "" if s.completed else "  (stopped early)" if s.stopped else "  (unfinished)"
        print(f"{s.id:>5}  {when:16}  {s.player[:16]:16} {(s.group or '')[:10]:10} "
              f"{s.choreography[:22]:22} {shown} {stars:>5} {s.moves:>5}  {s.mode:9}{state}")
    return 0


def _group(args: argparse.Namespace) -> int:
    with _open(args) as store:
        name = store.player(args.name).name
        store.set_group(name, args.group)
    print(f"{name}: {'group ' + repr(args.group) if args.group else 'no group'}")
    return 0


def _forget(args: argparse.Namespace) -> int:
    if args.server_db:
        if not args.class_name:
            raise DanceError("report forget --server-db: say which class with --class C")
        if not args.yes and not sys.stdin.isatty():
            raise DanceError(f"report forget: add --yes to delete {args.name!r} from the class server")
        from server.cli import forget_on_server

        print(forget_on_server(args.server_db, args.name, args.class_name))
        return 0
    with _open(args) as store:
        p = store.player(args.name)
        n = len(store.sessions(player=p.name))
        if not args.yes:
            if not sys.stdin.isatty():
                raise DanceError(f"report forget: add --yes to delete {p.name!r} and {n} session(s)")
            answer = input(f"Delete {p.name!r} and {n} session(s) for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("kept")
                return 1
        deleted = store.forget(p.name)
    print(f"forgot {p.name}: {deleted} session(s) deleted")
    return 0


def _export(args: argparse.Namespace) -> int:
    from reports.export import export_file

    with _open(args) as store:
        n = export_file(store, args.output, player=args.player, group=args.group)
    print(f"wrote {args.output} ({n} session{'s' if n != 1 else ''})")
    return 0


def _import(args: argparse.Namespace) -> int:
    from reports.export import import_file

    with _open(args, create=True) as store:
        for f in args.files:
            r = import_file(store, f)
            print(f"{f}: imported {r.sessions_added} session(s) for {r.players_seen} player(s)"
                  + (f"; {r.sessions_skipped} already there" if r.sessions_skipped else ""))
    return 0
