"""Fixtures for the reports tests: a throw-away DANCE_HOME and an open store."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for reports_kit (unique name, no clash)

from reports.store import SessionStore  # noqa: E402


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("DANCE_HOME", str(h))
    return h


@pytest.fixture
def store(home: Path) -> Iterator[SessionStore]:
    s = SessionStore.open()
    yield s
    s.close()
