"""Devices sync to a live class server on PostgreSQL without losing or doubling a session:
retries, a server killed with SIGKILL mid-upload, the network gone and back, a child
forgotten on the server."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import server_kit  # type: ignore[import-not-found]
from reports.store import SessionStore
from server.client import BackgroundSync, SyncClient, cached_roster
from server.db import make_engine, sessions

pytestmark = pytest.mark.slow


def server_uids(db_url: str) -> list[str]:
    eng = make_engine(db_url)
    with eng.connect() as c:
        uids = [r.uid for r in c.execute(sa.select(sessions.c.uid))]
    eng.dispose()
    return uids


@pytest.fixture
def school(pg_url: str, tmp_path: Path):
    home = tmp_path / "server-home"
    home.mkdir()
    tokens = server_kit.school(pg_url, home)
    return {"db": pg_url, "home": home, **tokens}


def device(tmp_path: Path, name: str) -> Path:
    h = tmp_path / name
    h.mkdir()
    return h


def test_sessions_arrive_exactly_once_across_retries(school, tmp_path):
    dev = device(tmp_path, "hall")
    uids = server_kit.record_sessions(dev, "Mia", 4)
    srv = server_kit.LiveServer(school["db"], school["home"]).start()
    try:
        client = SyncClient(srv.url, school["token_a"], store_path=dev / "sessions.db", home=dev)
        rep = client.sync_once()
        assert rep.ok and sorted(rep.uploaded) == sorted(uids) and rep.pending == 0
        rep2 = client.sync_once()
        assert rep2.ok and rep2.uploaded == [] and rep2.pending == 0
        # A device that lost its ledger uploads everything again: the server says duplicate.
        (dev / "sync.db").unlink()
        client2 = SyncClient(srv.url, school["token_a"], store_path=dev / "sessions.db", home=dev)
        rep3 = client2.sync_once()
        assert rep3.ok and rep3.duplicates == len(uids)
    finally:
        srv.stop()
    got = server_uids(school["db"])
    assert sorted(got) == sorted(uids)


def test_server_killed_mid_upload_then_every_session_arrives_once(school, tmp_path):
    dev = device(tmp_path, "gym")
    uids = server_kit.record_sessions(dev, "Noah", 40, moves=60)
    srv = server_kit.LiveServer(school["db"], school["home"]).start()
    client = SyncClient(srv.url, school["token_a"], store_path=dev / "sessions.db", home=dev, timeout_s=5)
    result = {}

    def sync():
        result["rep"] = client.sync_once()

    t = threading.Thread(target=sync)
    t.start()
    # Kill the server while the uploads are under way.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(server_uids(school["db"])) < 3:
        time.sleep(0.02)
    srv.kill()
    t.join(60)
    first = result["rep"]
    assert not first.ok and "not reachable" in first.error and first.pending > 0
    landed = server_uids(school["db"])
    assert 0 < len(landed) < len(uids) and len(set(landed)) == len(landed)
    srv = server_kit.LiveServer(school["db"], school["home"], port=srv.port).start()
    try:
        rep = client.sync_once()
        assert rep.ok and rep.pending == 0
    finally:
        srv.stop()
    got = server_uids(school["db"])
    assert sorted(got) == sorted(uids)  # every one, none twice


def test_the_game_keeps_playing_offline_and_syncs_later(school, tmp_path):
    dev = device(tmp_path, "classroom")
    port = server_kit.free_port()
    url = f"http://127.0.0.1:{port}"
    client = SyncClient(url, school["token_a"], store_path=dev / "sessions.db", home=dev, timeout_s=2)
    bg = BackgroundSync(client, interval_s=0.2, max_interval_s=0.5).start()
    try:
        uids = server_kit.record_sessions(dev, "Ava", 3)  # played while the network is down
        time.sleep(1.0)
        assert bg.last is not None and not bg.last.ok and bg.last.pending == 3
        store = SessionStore.open(dev / "sessions.db")
        assert len(store.sessions()) == 3  # nothing lost locally
        store.close()
        srv = server_kit.LiveServer(school["db"], school["home"], port=port).start()
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and sorted(server_uids(school["db"])) != sorted(uids):
                time.sleep(0.2)
            assert sorted(server_uids(school["db"])) == sorted(uids)
        finally:
            bg.stop(final_sync=False)
            srv.stop()
    finally:
        bg.stop(final_sync=False)


def test_a_session_being_danced_is_uploaded_and_then_completed(school, tmp_path):
    dev = device(tmp_path, "hall2")
    srv = server_kit.LiveServer(school["db"], school["home"]).start()
    try:
        store = SessionStore.open(dev / "sessions.db")
        sid = store.start_session(player="Leo", choreography="Party Bear Boogie", difficulty="easy")
        import sys

        sys.path.insert(0, str(server_kit.ROOT / "tests" / "reports"))
        from reports_kit import make_judgement  # type: ignore[import-not-found]

        for i in range(3):
            store.record_judgement(sid, make_judgement(i, 70.0))
        client = SyncClient(srv.url, school["token_a"], store_path=dev / "sessions.db", home=dev)
        assert client.sync_once().uploaded
        eng = make_engine(school["db"])
        with eng.connect() as c:
            row = c.execute(sa.select(sessions.c.judged_moves, sessions.c.completed)).one()
        assert row.judged_moves == 3 and not row.completed
        for i in range(3, 8):
            store.record_judgement(sid, make_judgement(i, 80.0))
        store.finish_session(sid, total=77.0, stars=4)
        store.close()
        assert client.sync_once().uploaded
        with eng.connect() as c:
            rows = c.execute(sa.select(sessions.c.judged_moves, sessions.c.completed, sessions.c.total)).all()
        eng.dispose()
        assert len(rows) == 1 and rows[0].judged_moves == 8 and rows[0].completed and rows[0].total == 77.0
    finally:
        srv.stop()


def test_forget_on_the_server_removes_the_child_everywhere(school, tmp_path):
    dev = device(tmp_path, "hall3")
    server_kit.record_sessions(dev, "Zoe", 2)
    server_kit.record_sessions(dev, "Sam", 1)
    srv = server_kit.LiveServer(school["db"], school["home"]).start()
    try:
        client = SyncClient(srv.url, school["token_a"], store_path=dev / "sessions.db", home=dev)
        assert client.sync_once().ok
        assert sorted(cached_roster(dev)) == ["Sam", "Zoe"]
        out = server_kit.admin(school["db"], school["home"], "forget", "Zoe", "--class", "Otters")
        assert "2 session(s) deleted" in out
        rep = client.sync_once()
        assert rep.forgotten == ["Zoe"]
        store = SessionStore.open(dev / "sessions.db")
        assert {s.player for s in store.sessions()} == {"Sam"}
        store.close()
        assert cached_roster(dev) == ["Sam"]
        assert all(u for u in server_uids(school["db"]))
        eng = make_engine(school["db"])
        with eng.connect() as c:
            assert "Zoe" not in " ".join(r.payload for r in c.execute(sa.select(sessions.c.payload)))
        eng.dispose()
    finally:
        srv.stop()


def test_a_wrong_token_is_one_clear_line_and_nothing_is_lost(school, tmp_path):
    from server.client import SyncError

    dev = device(tmp_path, "stray")
    server_kit.record_sessions(dev, "Ola", 1)
    srv = server_kit.LiveServer(school["db"], school["home"]).start()
    try:
        client = SyncClient(srv.url, "not-a-token", store_path=dev / "sessions.db", home=dev)
        with pytest.raises(SyncError, match="unknown or was revoked"):
            client.sync_once()
        bg = BackgroundSync(client, interval_s=0.1).start()
        rep = bg.stop(final_sync=True)
        assert rep is not None and "token" in rep.error
    finally:
        srv.stop()
    assert server_uids(school["db"]) == []
    store = SessionStore.open(dev / "sessions.db")
    assert len(store.sessions()) == 1
    store.close()


def test_practice_sessions_sync_as_practice(school, tmp_path):
    """What a child practised on a device reaches the class server as practice, with its speed."""
    from tests.reports.reports_kit import make_judgement

    dev = device(tmp_path, "corner")
    with SessionStore.open(dev / "sessions.db") as store:
        sid = store.start_session("Zoe", choreography="Party Bear Boogie", kind="practice", speed=0.75)
        for _ in range(2):
            store.record_judgement(sid, make_judgement(0, 60.0))
        store.finish_practice(sid, best_score=60.0, practice_s=25.0)
        uid = store.sessions("Zoe", kind="practice")[0].uid
    srv = server_kit.LiveServer(school["db"], school["home"]).start()
    try:
        rep = SyncClient(srv.url, school["token_a"], store_path=dev / "sessions.db", home=dev).sync_once()
        assert rep.ok and rep.uploaded == [uid]
    finally:
        srv.stop()
    eng = make_engine(school["db"])
    with eng.connect() as c:
        row = c.execute(sa.select(sessions.c.kind, sessions.c.speed).where(sessions.c.uid == uid)).one()
    eng.dispose()
    assert (row.kind, row.speed) == ("practice", 0.75)
