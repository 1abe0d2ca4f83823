"""Practice sessions in the store: kind 'practice' (migration v6) stays out of stars, bests
and progress, and the player report lists the time practised per move."""
from __future__ import annotations

import sqlite3

import pytest

from game.recorder import best_stars
from reports.analysis import practice_by_move, summarise_player
from reports.html import player_html
from reports.migrations import LATEST_VERSION, migrate
from reports.store import SessionStore, StoreError
from tests.reports.reports_kit import make_judgement


def test_practice_is_stored_apart_from_played_songs(tmp_path):
    db = tmp_path / "sessions.db"
    with SessionStore.open(db) as store:
        assert store.schema_version == LATEST_VERSION >= 6
        play = store.start_session("Mia", choreography="Party Bear Boogie", choreography_path="demo.yaml")
        store.record_judgement(play, make_judgement(0, 60.0))
        store.finish_session(play, total=60.0, stars=2)
        for speed, secs, score in ((0.5, 26.0, 40.0), (0.75, 14.0, 82.0)):
            sid = store.start_session("Mia", choreography="Party Bear Boogie", choreography_path="demo.yaml",
                                      kind="practice", speed=speed)
            store.record_judgement(sid, make_judgement(2, score))
            store.finish_practice(sid, best_score=score, practice_s=secs)
        with pytest.raises(StoreError):
            store.start_session("Mia", kind="rehearsal")
        with pytest.raises(StoreError):
            store.finish_practice(play, best_score=1.0, practice_s=1.0)  # a played song is not practice

        assert [s.kind for s in store.sessions(player="Mia")] == ["play"]
        assert [s.speed for s in store.sessions(player="Mia", kind="practice")] == [0.5, 0.75]
        assert len(store.sessions(player="Mia", kind=None)) == 3
        p = summarise_player(store, "Mia")
        assert [b.plays for b in p.bests] == [1] and p.bests[0].best_stars == 2
        (row,) = practice_by_move(store, "Mia")
        name = make_judgement(2, 0.0).move_name
        assert (row.move, row.practice_s, row.sessions, row.loops, row.best_score, row.slowest_speed) == \
            (name, 40.0, 2, 2, 82.0, 0.5)
        html = player_html(store, "Mia")
        assert 'id="practice"' in html and "0:40" in html and name in html
    assert best_stars(["demo.yaml"], store_path=db, player="Mia") == {"demo.yaml": 2}


def test_v5_sessions_become_plays(tmp_path):
    db_path = tmp_path / "old.db"
    db = sqlite3.connect(db_path, isolation_level=None)
    migrate(db, target=5)
    db.execute("INSERT INTO players (name, created_at) VALUES ('Mia', '2026-01-01T00:00:00+00:00')")
    db.execute("INSERT INTO sessions (uid, player_id, choreography, started_at, completed, total, stars)"
               " VALUES ('u1', 1, 'Song', '2026-01-01T00:00:00+00:00', 1, 70.0, 3)")
    assert migrate(db)[0] == 6  # and any later migrations
    assert db.execute("SELECT kind, speed, practice_s FROM sessions").fetchall() == [("play", 1.0, None)]
    db.close()
