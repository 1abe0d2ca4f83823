"""The teacher reports the game machine writes, rendered on the server from uploaded sessions.

The reports package builds its pages from a SessionStore; here that store is an SQLite
database in memory, filled from the uploaded session documents for one request and gone
after it. So the dashboard's pages are exactly the single-file reports a teacher gets from
``dance report`` (and download as such), and nothing about a child is written to the
server's disk outside its database.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from reports import html as report_html
from reports.export import FORMAT, FORMAT_VERSION, _import_json, export_csv
from reports.migrations import migrate
from reports.store import SessionStore

_MEMORY = Path(":memory:")


@contextmanager
def memory_store(docs: list[dict], group: str | None, roster: list[str] = ()) -> Iterator[SessionStore]:
    db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        migrate(db)
        store = SessionStore(db, _MEMORY)
        sessions = []
        for d in docs:
            d = dict(d)
            d["group"] = group
            # A device's file path means nothing here, and must never be read on the server.
            d["choreography_path"] = None
            sessions.append(d)
        players = [{"name": n, "group": group} for n in roster]
        text = json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "players": players, "sessions": sessions})
        _import_json(store, _MEMORY, text)
        yield store
    finally:
        db.close()


def render_session_report(doc: dict, class_name: str, partners: list[dict] = ()) -> str:
    """partners: a battle partner's session (repo.partner_payloads), so the report can name them."""
    with memory_store([doc, *partners], class_name) as store:
        sid = next(s.id for s in store.sessions(kind=None) if s.uid == doc["uid"])
        return report_html.session_html(store, sid)


def render_child_report(name: str, class_name: str, docs: list[dict], partners: list[dict] = ()) -> str:
    with memory_store([*docs, *partners], class_name) as store:
        return report_html.player_html(store, name)


def render_class_report(class_name: str, docs: list[dict], roster: list[str]) -> str:
    with memory_store(docs, class_name, roster) as store:
        return report_html.class_html(store, class_name)


def render_class_csv(class_name: str, docs: list[dict]) -> str:
    with memory_store(docs, class_name) as store:
        return export_csv(store, group=class_name)
