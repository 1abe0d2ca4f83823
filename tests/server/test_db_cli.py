"""The class database on PostgreSQL and SQLite: the alembic migrations build exactly the
declared schema, the same code runs on both, and the administrator's commands answer bad
input with one line."""
from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

import server_kit  # type: ignore[import-not-found]
from server import repo
from server.db import ServerError, metadata, open_database


def test_migrations_build_the_declared_schema(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    eng = open_database(db_url)
    try:
        with eng.connect() as c:
            diffs = compare_metadata(MigrationContext.configure(c), metadata)
            version = c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert diffs == [] and version == "0002"
        open_database(db_url).dispose()  # a second start migrates nothing and keeps the data
    finally:
        eng.dispose()


def test_the_same_code_on_both_databases(db_url):
    eng = open_database(db_url)
    try:
        with eng.begin() as c:
            t = repo.add_teacher(c, "ms_rivera", server_kit.TEACHER_PASSWORD)
            cid = repo.add_class(c, t, "Otters")
            token = repo.add_device(c, cid, "Hall")
            dev = repo.device_by_token(c, token)
            doc = {"uid": "u1", "player": "Mia", "choreography": "Bunny Hop", "started_at": "2026-12-02T09:00:00+00:00",
                   "completed": True, "finished_at": "2026-12-02T09:01:00+00:00", "total": 70.0, "stars": 3,
                   "judgements": [{"move_index": i, "move_name": m, "score": s, "tier": "GOOD"}
                                  for i, (m, s) in enumerate([("Hop", 30.0), ("Hop", 40.0), ("Wave", 90.0), ("Wave", 80.0)])]}
            assert repo.store_session(c, dev, repo.validate_session(doc)) == "created"
            assert repo.store_session(c, dev, repo.validate_session(doc)) == "duplicate"
        with eng.connect() as c:
            hard = repo.hardest_moves(c, cid)
            assert [m.move_name for m in hard] == ["Hop", "Wave"] and round(hard[0].mean_score) == 35
            assert [r.name for r in repo.roster(c, cid)] == ["Mia"]
        with eng.begin() as c:
            with pytest.raises(repo.InputError, match="exists already"):
                repo.add_teacher(c, "ms_rivera", server_kit.TEACHER_PASSWORD)
            with pytest.raises(repo.InputError, match="at least 10"):
                repo.add_teacher(c, "mr_short", "short")
    finally:
        eng.dispose()


def dance_serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "game.cli", "serve", *args], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, cwd=server_kit.ROOT, env={**os.environ, **(env or {})})


def test_admin_commands_and_their_one_line_errors(tmp_path):
    db = f"sqlite:///{tmp_path / 'server.db'}"
    env = {"DANCE_HOME": str(tmp_path), "DANCE_TEACHER_PASSWORD": server_kit.TEACHER_PASSWORD}
    assert dance_serve("add-teacher", "ms_rivera", "--db", db, env=env).returncode == 0
    assert dance_serve("add-class", "Otters", "--teacher", "ms_rivera", "--db", db, env=env).returncode == 0
    r = dance_serve("add-device", "Otters", "--teacher", "ms_rivera", "--db", db, env=env)
    assert r.returncode == 0 and len(r.stdout.strip()) >= 40 and "shown once" in r.stderr
    cases = [
        (("add-teacher", "ms_rivera"), "exists already"),
        (("add-teacher",), "usage: dance serve add-teacher NAME"),
        (("add-class", "Otters", "--teacher", "nobody"), "no teacher called 'nobody'"),
        (("add-device", "Narwhals", "--teacher", "ms_rivera"), "no class called 'Narwhals'"),
        (("forget", "Mia", "--class", "Otters"), "no child called 'Mia'"),
        (("forget", "Mia"), "say which class"),
    ]
    for args, words in cases:
        r = dance_serve(*args, "--db", db, env=env)
        lines = r.stderr.strip().splitlines()
        assert r.returncode != 0 and len(lines) == 1 and words in lines[0] and "Traceback" not in r.stderr, (args, r.stderr)
    r = dance_serve("add-teacher", "mx_weak", "--db", db, env={**env, "DANCE_TEACHER_PASSWORD": "123"})
    assert r.returncode != 0 and "at least 10 characters" in r.stderr
    for url, words in (("mysql://x/y", "unsupported database URL"),
                       ("postgresql://nobody:secret@127.0.0.1:1/none", "cannot open the class database")):
        r = dance_serve("migrate", "--db", url, env=env)
        assert r.returncode != 0 and words in r.stderr and "secret" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_clear_error():
    with pytest.raises(ServerError, match="cannot open the class database"):
        open_database("postgresql://nobody@127.0.0.1:1/none")


def test_report_forget_reaches_the_class_server(tmp_path):
    import os

    db = f"sqlite:///{tmp_path / 'server.db'}"
    eng = open_database(db)
    with eng.begin() as c:
        t = repo.add_teacher(c, "ms_rivera", server_kit.TEACHER_PASSWORD)
        cid = repo.add_class(c, t, "Otters")
        repo.add_child(c, cid, "Mia")
    r = subprocess.run([sys.executable, "-m", "game.cli", "report", "forget", "Mia", "--yes", "--server-db", db,
                        "--class", "Otters"], capture_output=True, text=True, timeout=120, cwd=server_kit.ROOT,
                       env={**os.environ, "DANCE_HOME": str(tmp_path)})
    assert r.returncode == 0 and "forgot 'Mia'" in r.stdout, r.stderr
    with eng.connect() as c:
        assert repo.roster(c, cid) == [] and repo.forgotten_names(c, cid) == ["Mia"]
    eng.dispose()
