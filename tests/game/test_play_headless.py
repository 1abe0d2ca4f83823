"""The whole game, headless, on real footage: a choreography made from one pose2sim camera
and played with another camera's video as the player's camera.

Real parts throughout: the BlazePose tracker in the PoseWorker, the scorer, the particle
system, SQLite session store, ffmpeg recording, pygame rendering on the dummy driver.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.cli_play import play  # noqa: E402
from game.scenes.context import GameConfig  # noqa: E402
from pose.samples import sample_path  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
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
    tip: Stretch your arms out wide!
  - name: Turn
    start: 1
    beats: 1
    gold: true
    parts: [left_arm, right_arm]
    tip: Keep your arms up high!
  - name: Step
    start: 2
    beats: 1.2
    tip: Bend your knees a little!
"""


@pytest.fixture(scope="module")
def real_choreo(tmp_path_factory) -> Path:
    """A choreography folder over Demo_SinglePerson/cam01 with its real tracked pose track."""
    from pose.cli_track import track_video

    folder = tmp_path_factory.mktemp("real_choreo")
    video = folder / "cam01.mp4"
    shutil.copy(sample_path("Demo_SinglePerson/cam01.mp4"), video)
    track, _ = track_video(video, progress=False)
    track.save(folder / "cam01.npz")
    (folder / "real.yaml").write_text(YAML)
    return folder / "real.yaml"


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _config(choreo: Path, camera: Path, **kw) -> GameConfig:
    return GameConfig(choreographies=[choreo], player="Mia", camera_source=str(camera), headless=True, **kw)


def _count_frames(path: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


@pytest.mark.slow
def test_real_footage_end_to_end(real_choreo, home, tmp_path):
    from reports.store import SessionStore

    out = tmp_path / "out.mp4"
    shots = tmp_path / "shots"
    game, code = play(_config(real_choreo, sample_path("Demo_SinglePerson/cam02.mp4"), shots_dir=shots),
                      record=out)
    assert code == 0
    scene = game.play_scene
    result = game.last_result
    assert result is not None and len(result.judgements) == 3
    # The same movement seen from another camera is recognised: not everything is a miss.
    assert result.total > 20 and sum(n for t, n in result.tier_counts.items() if t != "MISS") >= 2
    # Judgements were written to the store as they happened, and the session finished.
    with SessionStore.open(home / "sessions.db") as store:
        sess = store.session("latest")
        assert sess.player == "Mia" and sess.completed and sess.moves == 3
        rows = store.judgements(sess.id)
        assert [r.move_name for r in rows] == ["Reach", "Turn", "Step"]
        assert abs(sess.total - result.total) < 1e-6
    # The picker now shows the best stars earned on this dance.
    from game.scenes.title import load_entries

    assert load_entries([real_choreo])[0].best_stars == result.stars
    # Effects fired: particles were alive at some point.
    assert scene.stats["bursts"] >= 1 and scene.stats["max_particles"] > 0
    # Every camera frame reached the scorer (100 frames at 60 fps over a 1.67 s song).
    assert scene.stats["poses_pushed"] >= 95
    # The recording holds what the screen showed: title .. results at 30 fps.
    assert out.is_file() and game.app.sink.frames_written > 60
    assert _count_frames(out) == game.app.sink.frames_written
    for name in ("1_title", "2_step_in", "3_countdown", "6_results"):
        assert (shots / f"{name}.png").is_file(), name
    # the play screen with a judgement pop-up (a celebrated one if the first was GOOD or better)
    assert (shots / "4_play.png").is_file() or (shots / "4_play_first_judgement.png").is_file()


@pytest.mark.slow
def test_nobody_in_frame_prompts_and_misses(real_choreo, home, tmp_path):
    """An empty room as the camera: the song plays through, the prompt shows, moves are MISS."""
    import cv2
    import numpy as np

    empty = tmp_path / "empty.mp4"
    w = cv2.VideoWriter(str(empty), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (320, 240))
    for i in range(60):
        w.write(np.full((240, 320, 3), 90 + i, np.uint8))
    w.release()
    shots = tmp_path / "shots"
    game, code = play(_config(real_choreo, empty, shots_dir=shots, use_store=False))
    assert code == 0
    r = game.last_result
    assert [j.tier.name for j in r.judgements] == ["MISS", "MISS", "MISS"]
    assert (shots / "4_play_nobody.png").is_file()
    # No store: one JSON line per judgement, plus start and finish.
    lines = game.last_session_path.read_text().splitlines()
    assert len(lines) == 5 and '"judgement": "MISS"' in lines[1]


@pytest.mark.slow
def test_camera_that_breaks_mid_song_does_not_stop_the_song(real_choreo, home, tmp_path):
    data = sample_path("Demo_SinglePerson/cam02.mp4").read_bytes()
    cut = tmp_path / "cam02_cut.mp4"
    cut.write_bytes(data[: len(data) // 2])  # index first: it opens, then breaks part-way
    shots = tmp_path / "shots"
    game, code = play(_config(real_choreo, cut, shots_dir=shots))
    assert code == 0
    assert game.last_result is not None and len(game.last_result.judgements) == 3
    stats = game.play_scene.stats
    # It broke part-way through the 1.67 s song, and the song still went to the end.
    assert 0.2 < stats["camera_lost_at_s"] < 1.6 and "truncated or corrupt" in stats["camera_error"]
    assert (shots / "4_play_camera_lost.png").is_file()


def _dance(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def test_headless_without_camera_is_one_line_exit_2(real_choreo, tmp_path):
    p = _dance("play", str(real_choreo), "--headless", env_extra={"DANCE_HOME": str(tmp_path)})
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "--camera FILE" in p.stderr


@pytest.mark.parametrize("camera, message", [
    ("/no/such/video.mp4", "no such file"),
    ("__DIR__", "is a directory"),
    ("__GARBAGE__", "not a readable video"),
])
def test_bad_camera_is_one_line_error(real_choreo, tmp_path, camera, message):
    if camera == "__GARBAGE__":
        camera = tmp_path / "garbage.mp4"
        camera.write_bytes(b"this is not a video" * 100)
    camera = str(tmp_path) if camera == "__DIR__" else str(camera)
    p = _dance("play", str(real_choreo), "--headless", "--camera", camera, env_extra={"DANCE_HOME": str(tmp_path)})
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr and p.stderr.strip().count("\n") == 0 and message in p.stderr


def test_bad_choreography_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\ntitle: [unclosed\n")
    p = _dance("play", str(bad), "--headless", "--camera", "x.mp4", env_extra={"DANCE_HOME": str(tmp_path)})
    assert p.returncode == 1 and "Traceback" not in p.stderr
    # The loader's own positioned message, on one line, before any camera is looked at.
    assert p.stderr.strip().count("\n") == 0 and "bad.yaml:3:1: YAML syntax error" in p.stderr, p.stderr


@pytest.mark.slow
def test_cli_headless_prints_one_line_summary(real_choreo, tmp_path):
    out = tmp_path / "o.mp4"
    p = _dance("play", str(real_choreo), "--headless", "--camera", str(sample_path("Demo_SinglePerson/cam03.mp4")),
               "--record", str(out), "--player", "Leo", env_extra={"DANCE_HOME": str(tmp_path)})
    assert p.returncode == 0, p.stderr
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("dance play:")]
    assert len(lines) == 1 and "3 moves" in lines[0] and "stars" in lines[0] and str(out) in lines[0]
    assert out.stat().st_size > 10_000


@pytest.fixture(scope="module")
def camera_15fps(tmp_path_factory) -> Path:
    """pose2sim cam02 at 15 fps: a cheaper video camera for longer runs (4x fewer poses)."""
    import cv2

    src = cv2.VideoCapture(str(sample_path("Demo_SinglePerson/cam02.mp4")))
    out = tmp_path_factory.mktemp("cam15") / "cam02_15fps.mp4"
    w = None
    i = 0
    while True:
        ok, frame = src.read()
        if not ok:
            break
        if i % 4 == 0:
            frame = cv2.resize(frame, (540, 960), interpolation=cv2.INTER_AREA)
            if w is None:
                w = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 15.0, (540, 960))
            w.write(frame)
        i += 1
    src.release()
    w.release()
    return out


DEMO = REPO / "choreographies" / "demo" / "demo.yaml"


@pytest.mark.slow
def test_demo_plays_headless_with_a_video_camera(home, tmp_path, camera_15fps):
    if not DEMO.is_file():
        pytest.skip("the bundled demo is not built in this checkout")
    out = tmp_path / "demo.mp4"
    cfg = GameConfig(choreographies=[DEMO], player="Zoe", camera_source=str(camera_15fps), headless=True,
                     stop_after_s=6.0, loop_camera=True)
    game, code = play(cfg, record=out)
    assert code == 0
    scene = game.play_scene
    assert scene.choreo.title and len(scene.choreo.moves) >= 8
    # The coach video played on the song clock: one new frame per drawn frame (30 fps).
    assert scene.stats["coach_frames_shown"] >= 6.0 * 30 - 5
    assert scene.stats["poses_pushed"] >= 6.0 * 15 - 5  # the camera fed the scorer all along
    r = game.last_result
    # Stopped at 6 s: only the moves that ended by then are judged; the rest were never
    # danced (not MISSes), and the session is stored as stopped, not finished.
    assert r.stopped_at_s == pytest.approx(6.0, abs=0.1)
    assert len(r.judgements) == sum(m.end_s <= r.stopped_at_s for m in scene.choreo.moves)
    from reports.store import SessionStore

    with SessionStore.open() as store:
        s = store.session("latest")
        assert s.stopped and not s.completed and s.points == r.points
    # 6 s of song plus title, step-in, countdown and results, at 30 fps.
    assert game.app.sink.frames_written >= 30 * 6


def test_no_camera_screen_can_just_watch_the_dance(real_choreo, home, tmp_path):
    """No camera: the child picks "Just watch" with the keyboard; the song plays to the end,
    every move is a MISS, and nothing is written to the session records."""
    import pygame

    from game.app import App
    from game.scenes.context import Game
    from game.scenes.nocamera import NoCameraScene

    shots = tmp_path / "shots"
    app = App((1280, 720), headless=True, frame_rate_hz=30.0)
    game = Game(GameConfig(choreographies=[real_choreo], headless=True, shots_dir=shots), app=app)
    try:
        scene = NoCameraScene(app, game, real_choreo, "No camera found")
        app.push(scene)
        for key in (pygame.K_RIGHT, pygame.K_RETURN):  # Try again -> Just watch, press
            scene.handle(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
        assert app.run() == 0
    finally:
        app.close()
    r = game.last_result
    assert r is not None and [j.tier.name for j in r.judgements] == ["MISS"] * 3
    assert game.play_scene.watching and game.play_scene.session is None
    assert not (home / "sessions.db").exists() and not (home / "sessions").exists()
    assert (shots / "4_play_watching.png").is_file()


@pytest.mark.slow
def test_live_clock_threaded_pose_never_blocks_the_loop(real_choreo, home):
    """The real-time path: wall/music clock, threaded PoseWorker paced by the song clock, the
    coach video on its decoder thread. The loop keeps drawing while pose inference runs."""
    from game.app import App
    from game.camera import Camera
    from game.scenes.context import Game
    from game.scenes.play import PlayScene

    app = App((1280, 720), headless=True, simulated_clock=False, frame_rate_hz=60.0)
    game = Game(GameConfig(choreographies=[real_choreo]), app=app)
    cam = Camera(str(sample_path("Demo_SinglePerson/cam02.mp4")))
    cam.start(loop=True)
    game.camera = cam
    scene = PlayScene(app, game, real_choreo)

    def stop_at_results(a):
        if scene.state == "done":
            a.quit(0)

    app.on_frame.append(stop_at_results)
    try:
        app.run(scene)
    finally:
        cam.stop()
        app.close()
    assert scene.result is not None and len(scene.result.judgements) == 3
    assert scene.stats["poses_pushed"] >= 10  # some frames may be dropped on a busy machine, never queued
    # Countdown (3.2 s) + song (1.67 s) at up to 60 fps: the loop ran on while pose ran alongside.
    assert app.frames_drawn >= 100
    assert np.median(app.frame_cpu_ms) < 17.0


@pytest.mark.skipif(bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")),
                    reason="this machine has a screen")
def test_no_screen_is_a_one_line_error_not_an_invisible_game(real_choreo, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY")}
    env["DANCE_HOME"] = str(tmp_path)
    p = subprocess.run([sys.executable, "-m", "game.cli", "play", str(real_choreo)], capture_output=True, text=True,
                       cwd=REPO, env=env, timeout=60)
    assert p.returncode == 1
    err = [ln for ln in p.stderr.splitlines() if ln.startswith("dance play")]
    assert len(err) == 1 and "no screen" in err[0] and "--headless" in err[0] and "Traceback" not in p.stderr
