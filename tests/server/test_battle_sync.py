"""A battle's two linked sessions sync to the class server like any other: both arrive once,
the link rides along in the session format, the teacher's session and child pages name
the partner (each child's own score only), and forgetting one child breaks nothing."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import httpx
import pytest

import server_kit  # type: ignore[import-not-found]
from reports.store import SessionStore
from server.client import SyncClient

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
from reports_kit import make_judgement  # type: ignore[import-not-found]  # noqa: E402


def record_battle(home: Path) -> tuple[str, str]:
    with SessionStore.open(home / "sessions.db") as store:
        sids = [store.start_session(player=n, choreography="Party Bear Boogie", mode="battle") for n in ("Mia", "Leo")]
        store.link_partners(*sids)
        for sid, scores in zip(sids, ([92, 85, 90], [41, 30, 55])):
            for i, sc in enumerate(scores):
                store.record_judgement(sid, make_judgement(i, sc))
            store.finish_session(sid, total=sum(scores) / 3, stars=3 if sid == sids[0] else 1)
        return store.session(sids[0]).uid, store.session(sids[1]).uid


def login(url: str) -> httpx.Client:
    c = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    r = c.post("/login", data={"username": "ms_rivera", "password": server_kit.TEACHER_PASSWORD})
    assert r.status_code == 303, r.text
    c.cookies.set("dance_session", r.cookies["dance_session"])
    return c


def test_battle_sessions_sync_linked(pg_url: str, tmp_path: Path):
    server_home = tmp_path / "server-home"
    server_home.mkdir()
    tokens = server_kit.school(pg_url, server_home)
    dev = tmp_path / "hall"
    dev.mkdir()
    mia_uid, leo_uid = record_battle(dev)
    srv = server_kit.LiveServer(pg_url, server_home).start()
    try:
        client = SyncClient(srv.url, tokens["token_a"], store_path=dev / "sessions.db", home=dev)
        rep = client.sync_once()
        assert rep.ok and sorted(rep.uploaded) == sorted([mia_uid, leo_uid]) and rep.pending == 0
        a = login(srv.url)
        cid = re.search(r'href="/classes/(\d+)"', a.get("/").text).group(1)
        page = a.get(f"/classes/{cid}").text
        mia_session = re.search(r'<a href="/children/\d+">Mia</a>.*?href="/sessions/(\d+)"', page, re.S).group(1)
        r = a.get(f"/sessions/{mia_session}")
        assert r.status_code == 200 and "a battle with Leo" in r.text and "Dance Battle" in r.text
        mia_child = re.search(r'href="/children/(\d+)">Mia<', page).group(1)
        child = a.get(f"/children/{mia_child}")
        assert child.status_code == 200 and "with Leo" in child.text
        # The class report ranks nobody by battles.
        cls = a.get(f"/classes/{cid}/report").text.lower()
        assert "battles won" not in cls
        # Forget Leo on the server: Mia's battle still opens, naming nobody.
        leo_child = re.search(r'href="/children/(\d+)">Leo<', page).group(1)
        m = re.search(r'name="csrf" value="([^"]+)"', a.get("/").text)
        assert a.post(f"/children/{leo_child}/forget", data={"csrf": m.group(1)}).status_code == 303
        r = a.get(f"/sessions/{mia_session}")
        assert r.status_code == 200 and "a battle with a friend" in r.text and "Leo" not in r.text
        # A second sync uploads nothing again.
        rep2 = client.sync_once()
        assert rep2.ok and rep2.uploaded == []
    finally:
        srv.stop()
