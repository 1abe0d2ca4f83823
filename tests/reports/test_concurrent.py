"""A teacher builds a report while a game is recording into the same store (WAL: readers
never block the writer, the writer never blocks readers)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from reports import html
from reports.store import SessionStore

WRITER = textwrap.dedent(
    """
    import sys, time
    from reports.store import SessionStore
    from scoring.events import Judgement, Tier
    store = SessionStore.open(sys.argv[1])
    sid = store.start_session(player="Mia", choreography="Bunny Hop")
    print(sid, flush=True)
    for i in range(int(sys.argv[2])):
        store.record_judgement(sid, Judgement(i, f"Move {i}", 50.0 + i % 50, Tier(i % 5), {"torso": 70.0},
                                              0.0, 2.0 * i + 2, 2.0 * i, 2.0 * i + 2))
        time.sleep(0.005)  # a game judges a move every second or two; this is faster
    store.finish_session(sid, total=70.0, stars=3)
    print("done", flush=True)
    """
)


def test_report_while_the_game_records(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    SessionStore.open(db).close()
    n = 400
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(n)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    sid = int(proc.stdout.readline())
    seen = []
    with SessionStore.open(db) as store:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            s = store.session(sid)
            seen.append(s.moves)
            page = html.session_html(store, sid)
            assert "Bunny Hop" in page
        assert proc.wait(timeout=60) == 0 and proc.stdout.read().strip() == "done"
        final = store.session(sid)
    assert final.completed and final.moves == n
    assert len(seen) >= 2 and seen == sorted(seen)  # reports saw the session grow, never shrink
    assert any(0 < m < n for m in seen)  # at least one report of the session in progress
