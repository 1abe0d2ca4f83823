"""`dance report ...` through the real dispatcher: files written, one-line errors, exit codes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import main as dance
from reports.store import SessionStore

from reports_kit import play  # type: ignore[import-not-found]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    p = tmp_path / "s.db"
    with SessionStore.open(p) as s:
        play(s, "Mia", [80.0, 60.0], group="Robins", started_at="2026-03-01T10:00:00Z")
        play(s, "Leo", [40.0, 90.0], group="Owls", started_at="2026-03-02T10:00:00Z")
    return p


def one_line_error(capsys: pytest.CaptureFixture, argv: list[str], expect: str) -> None:
    rc = dance(argv)
    err = capsys.readouterr().err
    assert rc != 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dance report: error: ") and expect in lines[0], err


def test_list_and_reports(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert dance(["report", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Mia" in out and "Leo" in out and "Robins" in out
    assert dance(["report", "session", "1", "-o", str(tmp_path / "r" / "s.html"), "--db", str(db)]) == 0
    assert "<b id=\"player\">Mia</b>" in (tmp_path / "r" / "s.html").read_text()
    assert dance(["report", "class", "--csv", str(tmp_path / "c.csv"), "--db", str(db)]) == 0
    assert (tmp_path / "c.csv").read_text().splitlines()[1].startswith("Leo,Owls,1,")


def test_default_store_is_dance_home(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db.rename(home / "sessions.db")
    monkeypatch.setenv("DANCE_HOME", str(home))
    assert dance(["report", "player", "Mia", "-o", str(tmp_path / "p.html")]) == 0


def test_errors_are_one_line(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    one_line_error(capsys, ["report", "session", "42", "-o", str(tmp_path / "x.html"), "--db", str(db)], "no session 42")
    one_line_error(capsys, ["report", "player", "Bob", "-o", str(tmp_path / "x.html"), "--db", str(db)], "no player named 'Bob'")
    one_line_error(capsys, ["report", "class", "--group", "Eagles", "-o", str(tmp_path / "x.html"), "--db", str(db)],
                   "groups: Owls, Robins")
    one_line_error(capsys, ["report", "class", "--db", str(db)], "give -o FILE.html and/or --csv")
    one_line_error(capsys, ["report", "list", "--db", str(tmp_path / "none.db")], "no session store here yet")
    assert not (tmp_path / "none.db").exists()  # reading never creates a store
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    one_line_error(capsys, ["report", "list", "--db", str(junk)], f"{junk}: not a readable DanceStudio session store")
    one_line_error(capsys, ["report", "forget", "Mia", "--db", str(db)], "add --yes")  # stdin is not a tty
    assert not (tmp_path / "x.html").exists()


def test_forget_export_import(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert dance(["report", "export", "-o", str(tmp_path / "all.json"), "--db", str(db)]) == 0
    assert dance(["report", "forget", "Mia", "--yes", "--db", str(db)]) == 0
    assert "forgot Mia: 1 session(s) deleted" in capsys.readouterr().out
    one_line_error(capsys, ["report", "player", "Mia", "-o", str(tmp_path / "x.html"), "--db", str(db)], "no player")
    assert dance(["report", "import", str(tmp_path / "all.json"), "--db", str(db)]) == 0
    assert "all.json: imported 1 session(s) for 2 player(s); 1 already there" in capsys.readouterr().out


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    """The installed `dance` entry point, in a fresh process, on a foreign database."""
    import sqlite3

    foreign = tmp_path / "shop.db"
    with sqlite3.connect(foreign) as raw:
        raw.execute("CREATE TABLE orders (id INTEGER)")
    r = subprocess.run([sys.executable, "-m", "game.cli", "report", "session", "-o", str(tmp_path / "x.html"),
                        "--db", str(foreign)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip() == (f"dance report: error: {foreign}: another program's SQLite database, "
                                "not a DanceStudio session store (tables: orders)")


def test_group_assignment(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert dance(["report", "group", "mia", "Owls", "--db", str(db)]) == 0
    assert "Mia: group 'Owls'" in capsys.readouterr().out
    with SessionStore.open(db) as s:
        assert sorted(p.name for p in s.players(group="Owls")) == ["Leo", "Mia"]
    assert dance(["report", "group", "Mia", "--db", str(db)]) == 0
    with SessionStore.open(db) as s:
        assert s.player("Mia").group is None
    one_line_error(capsys, ["report", "group", "Bob", "Owls", "--db", str(db)], "no player named 'Bob'")


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_reports_are_shareable_files(db: Path, tmp_path: Path, umask: int) -> None:
    """Reports are written like any file (0666 less the umask), not owner-only: a teacher
    hands them to others."""
    old = os.umask(umask)
    try:
        assert dance(["report", "session", "1", "-o", str(tmp_path / "s.html"), "--db", str(db)]) == 0
        assert dance(["report", "class", "-o", str(tmp_path / "c.html"), "--csv", str(tmp_path / "c.csv"),
                      "--db", str(db)]) == 0
    finally:
        os.umask(old)
    for name in ("s.html", "c.html", "c.csv"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask, name
