"""Real parts for the class-server tests: a PostgreSQL server, a live `dance serve`, and
devices with recorded sessions.

PostgreSQL: $DANCE_TEST_PG_URL when set (``.ci/run`` starts Debian's server and sets it);
otherwise a private cluster made with Debian's ``initdb`` in a temporary folder, on its
own port, stopped after the tests. Without PostgreSQL installed the PostgreSQL tests skip,
which CI turns into a failure (it must install it).
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from server.devtools import PrivatePostgres, fresh_database, free_port  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TEACHER_PASSWORD = "correct horse battery"


class LiveServer:
    """`dance serve` in a child process, on real HTTP."""

    def __init__(self, db_url: str, home: Path, port: int | None = None):
        self.db_url = db_url
        self.home = home
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "LiveServer":
        env = dict(os.environ, DANCE_HOME=str(self.home))
        self.proc = subprocess.Popen([sys.executable, "-m", "game.cli", "serve", "--db", self.db_url,
                                      "--port", str(self.port)], env=env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dance serve exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dance serve did not answer within 60 s")

    def kill(self) -> None:
        """kill -9: no shutdown of any kind."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def admin(db_url: str, home: Path, *args: str, password: str | None = TEACHER_PASSWORD) -> str:
    """Run `dance serve ACTION ...` against db_url; returns stdout."""
    env = dict(os.environ, DANCE_HOME=str(home))
    if password is not None:
        env["DANCE_TEACHER_PASSWORD"] = password
    r = subprocess.run([sys.executable, "-m", "game.cli", "serve", *args, "--db", db_url], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError(f"dance serve {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def school(db_url: str, home: Path) -> dict[str, str]:
    """Two teachers, a class each, a device token each: the test school (made in-process;
    test_cli drives the same through `dance serve add-…`)."""
    from server import repo
    from server.db import open_database

    eng = open_database(db_url)
    with eng.begin() as c:
        a = repo.add_teacher(c, "ms_rivera", TEACHER_PASSWORD)
        b = repo.add_teacher(c, "mr_okafor", TEACHER_PASSWORD)
        tok_a = repo.add_device(c, repo.add_class(c, a, "Otters"), "Hall screen")
        tok_b = repo.add_device(c, repo.add_class(c, b, "Badgers"), "Gym laptop")
    eng.dispose()
    return {"token_a": tok_a, "token_b": tok_b}


def record_sessions(home: Path, player: str, n: int, moves: int = 12, finish: bool = True) -> list[str]:
    """n sessions recorded into the device store at home, the way the game records them."""
    sys.path.insert(0, str(ROOT / "tests" / "reports"))
    from reports_kit import play  # type: ignore[import-not-found]

    from reports.store import SessionStore

    old = os.environ.get("DANCE_HOME")
    os.environ["DANCE_HOME"] = str(home)
    try:
        store = SessionStore.open()
        uids = []
        for k in range(n):
            scores = [30 + (7 * i + 13 * k) % 65 for i in range(moves)]
            sid = play(store, player, scores, finish=finish, started_at=f"2026-12-0{1 + k % 2}T09:{k % 60:02d}:00+00:00")
            uids.append(store.session(sid).uid)
        store.close()
        return uids
    finally:
        if old is None:
            os.environ.pop("DANCE_HOME", None)
        else:
            os.environ["DANCE_HOME"] = old
