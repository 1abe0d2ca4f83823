"""Two game devices play headless `dance play --server URL --device-token T` on real
footage; the teacher's class view on a PostgreSQL-backed `dance serve` shows both."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import server_kit  # type: ignore[import-not-found]
from pose.samples import sample_path

pytestmark = pytest.mark.slow

YAML = """\
format: 1
title: Real Moves
video: cam01.mp4
pose_track: cam01.npz
bpm: 120
offset: 0.0
mirror: false
difficulty: easy
moves:
  - name: Reach
    start: 0
    beats: 1
  - name: Turn
    start: 1
    beats: 1
    parts: [left_arm, right_arm]
  - name: Step
    start: 2
    beats: 1.2
"""


@pytest.fixture(scope="module")
def real_choreo(tmp_path_factory) -> Path:
    from pose.cli_track import track_video

    folder = tmp_path_factory.mktemp("real_choreo")
    video = folder / "cam01.mp4"
    shutil.copy(sample_path("Demo_SinglePerson/cam01.mp4"), video)
    track, _ = track_video(video, progress=False)
    track.save(folder / "cam01.npz")
    (folder / "real.yaml").write_text(YAML)
    return folder / "real.yaml"


def play(choreo: Path, home: Path, camera: str, player: str, url: str, token: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DANCE_HOME=str(home), SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run([sys.executable, "-m", "game.cli", "play", str(choreo), "--headless", "--camera",
                           str(sample_path(camera)), "--player", player, "--server", url, "--device-token", token],
                          env=env, capture_output=True, text=True, timeout=300, cwd=server_kit.ROOT)


def test_two_devices_one_class_view(pg_url, tmp_path, real_choreo):
    home = tmp_path / "server-home"
    home.mkdir()
    tokens = server_kit.school(pg_url, home)
    # A second device of the same class, enrolled through the administrator's command.
    token_gym = server_kit.admin(pg_url, home, "add-device", "Otters", "--teacher", "ms_rivera",
                                 "--device-name", "Gym laptop").strip()
    srv = server_kit.LiveServer(pg_url, home).start()
    try:
        hall, gym = tmp_path / "hall", tmp_path / "gym"
        r1 = play(real_choreo, hall, "Demo_SinglePerson/cam02.mp4", "Mia", srv.url, tokens["token_a"])
        r2 = play(real_choreo, gym, "Demo_SinglePerson/cam03.mp4", "Leo", srv.url, token_gym)
        for r in (r1, r2):
            assert r.returncode == 0, r.stderr[-2000:]
            assert "class server: every session uploaded" in r.stdout, (r.stdout, r.stderr[-1000:])
        c = httpx.Client(base_url=srv.url, timeout=30)
        resp = c.post("/login", data={"username": "ms_rivera", "password": server_kit.TEACHER_PASSWORD})
        c.cookies.set("dance_session", resp.cookies["dance_session"])
        page = c.get("/classes/1").text
        assert ">Mia<" in page and ">Leo<" in page and page.count("finished</span>") == 2
        feed = c.get("/classes/1/feed").json()["sessions"]
        assert sorted(s["child"] for s in feed) == ["Leo", "Mia"] and all(s["moves"] == 3 for s in feed)
        report = c.get("/classes/1/report")
        assert report.status_code == 200 and "Mia" in report.text and "Leo" in report.text
    finally:
        srv.stop()
