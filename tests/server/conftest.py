"""Fixtures for the class-server tests: PostgreSQL and SQLite databases, in-process and
live servers."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for server_kit

import server_kit  # noqa: E402


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    url = os.environ.get("DANCE_TEST_PG_URL")
    if url:
        yield url
        return
    try:
        pg = server_kit.PrivatePostgres()
    except Exception as e:  # not installed here: CI (which installs it) turns this into a failure
        pytest.skip(f"no PostgreSQL server for the tests: {e}")
    try:
        yield pg.url
    finally:
        pg.stop()


@pytest.fixture
def pg_url(pg_admin_url: str) -> str:
    return server_kit.fresh_database(pg_admin_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("DANCE_HOME", str(h))
    return h
