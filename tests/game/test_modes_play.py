"""Every new mode through the real command line on real footage: `dance play --mode M
--camera VIDEO --headless --record OUT.mp4 --player NAME`, then `dance report session
latest`. Freeze Dance watches a real person (pose2sim) dance; Hand Jive watches a real hand
(fingerpose's clip) make signs. Short runs (--stop-after): the bundled songs end to end are
what `dance play` does without it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def _dance(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", DANCE_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=400)


def _person_camera(out: Path) -> Path:
    import cv2

    from pose.samples import sample_path

    src = cv2.VideoCapture(str(sample_path("Demo_SinglePerson/cam02.mp4")))
    w, i = None, 0
    while True:
        ok, frame = src.read()
        if not ok:
            break
        if i % 4 == 0:
            frame = cv2.resize(frame, (540, 960), interpolation=cv2.INTER_AREA)
            w = w or cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 15.0, (540, 960))
            w.write(frame)
        i += 1
    src.release()
    w.release()
    return out


def _hands_camera(out: Path) -> Path:
    import cv2

    from pose.hands.samples import read_gif

    w = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (320, 240))
    for f in read_gif():
        w.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    w.release()
    return out


def _face_camera(out: Path) -> Path:
    from pose.samples import sample_path

    return sample_path("faces/WolfgangLanger_Pexels.mp4")  # a real face, used as it is


@pytest.mark.slow
@pytest.mark.parametrize("mode, camera, stop_s, title", [
    ("freeze", _person_camera, 7.0, "Statue Shuffle"),
    ("hand_jive", _hands_camera, 7.0, "Hand Jive Jam"),
    ("face_party", _face_camera, 7.0, "Funny Face Party"),
])
def test_mode_plays_records_and_is_reported(tmp_path, mode, camera, stop_s, title):
    import cv2

    home = tmp_path / "home"
    cam = camera(tmp_path / "camera.mp4")
    out = tmp_path / "out.mp4"
    p = _dance(home, "play", "--mode", mode, "--camera", str(cam), "--loop-camera", "--headless",
               "--record", str(out), "--player", "Noor", "--stop-after", str(stop_s))
    assert p.returncode == 0, p.stderr
    line = next(ln for ln in p.stdout.splitlines() if ln.startswith("dance play:"))
    assert f"{title} [{mode}]" in line and str(out) in line
    # The recording shows what the screen showed, and it moves.
    cap = cv2.VideoCapture(str(out))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f[::8, ::8].astype(np.int16))
    assert len(frames) > 30 * stop_s
    assert np.abs(frames[-40] - frames[len(frames) // 2]).mean() > 1.0
    # Stored as a session of that mode, and the teacher report shows it.
    from reports.store import SessionStore

    with SessionStore.open(home / "sessions.db") as store:
        s = store.session("latest")
        assert s.mode == mode and s.player == "Noor" and s.moves >= 1  # the moves that ended by the stop
    html = tmp_path / "session.html"
    r = _dance(home, "report", "session", "latest", "-o", str(html))
    assert r.returncode == 0, r.stderr
    text = html.read_text()
    assert title in text and {"freeze": "Freeze Dance", "hand_jive": "Hand Jive", "face_party": "Face Party"}[mode] in text
    # Privacy: nothing but the asked-for recording and the store was written.
    written = sorted(str(q.relative_to(tmp_path)) for q in tmp_path.rglob("*") if q.is_file())
    assert all(w in ("camera.mp4", "out.mp4", "session.html") or w.startswith("home/sessions.db")
               for w in written), written
