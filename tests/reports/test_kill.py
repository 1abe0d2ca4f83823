"""kill -9 in the middle of a recorded session loses at most the move in progress."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reports.store import SessionStore

CHILD = textwrap.dedent(
    """
    import sys, time
    from reports.store import SessionStore
    from scoring.events import Judgement, Tier
    store = SessionStore.open(sys.argv[1])
    sid = store.start_session(player="Mia", choreography="Bunny Hop", difficulty="easy", latency_s=0.1)
    print("session", sid, flush=True)
    i = 0
    while True:  # a never-ending song: the parent kills us
        j = Judgement(i, f"Move {i}", 50.0 + i % 50, Tier(i % 5), {"left_arm": 60.0, "torso": 70.0},
                      0.05, 2.0 * i + 2, 2.0 * i, 2.0 * i + 2, tip="x" * 200)
        store.record_judgement(sid, j)
        print("recorded", i, flush=True)   # acknowledged: the game has moved on
        i += 1
    """
)


@pytest.mark.parametrize("kill_after", [1, 37, 150])
def test_sigkill_mid_session_loses_at_most_one_move(tmp_path: Path, kill_after: int) -> None:
    db = tmp_path / "sessions.db"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    acked = -1
    try:
        first = proc.stdout.readline().split()
        assert first[0] == "session", first
        sid = int(first[1])
        for line in proc.stdout:
            acked = int(line.split()[1])
            if acked + 1 >= kill_after:
                break
        os.kill(proc.pid, signal.SIGKILL)  # while it is recording the next move
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert acked + 1 == kill_after

    with SessionStore.open(db) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        s = store.session(sid)
        rows = store.judgements(sid)
        assert not s.completed
    indices = [r.move_index for r in rows]
    # Everything acknowledged is there, in order; at most the one in progress is lost,
    # and, after the ack was read, the child may have committed a few more before dying.
    assert indices == list(range(len(indices)))
    assert len(indices) >= acked + 1
    assert rows[acked].move_name == f"Move {acked}" and rows[acked].tip == "x" * 200
