"""Hands-free, end to end: title -> mode -> song -> play -> pause -> resume -> quit, with no
key or mouse, driven by recordings of real hands.

The hands are tests/fixtures/hands_gestures.npz: a real man's hand tracked by our hand
pipeline (Pointing_Up, Thumb_Up, Victory, ... frames, with the pipeline's own gesture
classification). A test script places those real hand frames where a child would hold
them (the index fingertip over the button to press), as the camera would see them; the
InputLayer, hand cursor, dwell, gesture debouncing and every scene are the game's own.
The player's body comes from pose2sim's real footage through the real pose pipeline.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.input.hands import REACH_BOX_NORM, HandObservation  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
HANDS = REPO / "tests" / "fixtures" / "hands_gestures.npz"
RATE_HZ = 15.0  # hand frames per second the script sends (a camera's pipeline rate)


def real_hands(gesture: str) -> list[np.ndarray]:
    """(21, 3) landmark frames the hand pipeline classified as ``gesture``."""
    with np.load(HANDS, allow_pickle=False) as z:
        hands, gestures = z["hands"], z["gestures"]
    out = [hands[i, k] for i in range(len(hands)) for k in range(2)
           if gestures[i, k] == gesture and np.isfinite(hands[i, k]).all()]
    assert len(out) >= 5, f"the recording has too few {gesture} frames"
    return out


def camera_point(screen_px, size_px) -> np.ndarray:
    """Where in the (unmirrored) camera frame a fingertip must be for the cursor to reach
    ``screen_px``: the inverse of HandCursor.screen_norm."""
    x0, y0, x1, y1 = REACH_BOX_NORM
    u, v = screen_px[0] / (size_px[0] - 1), screen_px[1] / (size_px[1] - 1)
    mx = u * (x1 - x0) + (1.0 - x1)
    return np.array([1.0 - mx, v * (y1 - y0) + y0])


class ScriptedHands:
    """A HandSource: phase by phase, real hand frames held where the script says."""

    def __init__(self, app, phases):
        self.app = app
        self.phases = list(phases)
        self.frames = {g: real_hands(g) for g in ("Pointing_Up", "Thumb_Up", "Victory")}
        self.i = 0
        self.phase_start_s = 0.0
        self.last_emit_s = -1.0
        self.n = 0
        self.log: list[tuple[str, float]] = []

    @property
    def done(self) -> bool:
        return self.i >= len(self.phases)

    def poll(self, now_s):
        if self.done:
            return None
        name, gesture, where, finished, timeout_s = self.phases[self.i]
        if finished():
            self.log.append((name, round(now_s - self.phase_start_s, 2)))
            self.i += 1
            self.phase_start_s = now_s
            return None
        assert now_s - self.phase_start_s < timeout_s, f"phase '{name}' did not finish in {timeout_s} s"
        if now_s - self.last_emit_s < 1.0 / RATE_HZ - 1e-6:
            return None
        self.last_emit_s = now_s
        if gesture is None:
            return []  # hands down: nobody's hand in the picture
        frames = self.frames[gesture]
        pts = frames[self.n % len(frames)].copy()
        self.n += 1
        target = where(now_s - self.phase_start_s)
        if target is None:
            return []
        pts[:, :2] += camera_point(target, self.app.size_px) - pts[8, :2]  # the real hand, moved
        return [HandObservation.from_landmarks(pts, gesture, "right", now_s)]


def camera_15fps(out: Path) -> Path:
    """pose2sim cam02 at 15 fps and half size: the same real person, 4x fewer poses to track."""
    import cv2

    from pose.samples import sample_path

    src = cv2.VideoCapture(str(sample_path("Demo_SinglePerson/cam02.mp4")))
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


@pytest.mark.slow
def test_a_child_plays_and_pauses_hands_free(tmp_path, monkeypatch):
    from game.app import App
    from game.cli_play import play  # noqa: F401  (the same entry as the CLI, below by hand)
    from game.modes.freeze.scene import FreezePlayScene
    from game.scenes.context import Game, GameConfig, find_choreographies
    from game.scenes.pause import PauseScene
    from game.scenes.play import PlayScene
    from game.scenes.stepin import StepInScene
    from game.scenes.title import CardTarget, ModeTab, TitleScene
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    app = App((1280, 720), headless=True, frame_rate_hz=30.0)
    cfg = GameConfig(choreographies=find_choreographies(), camera_source=str(camera_15fps(tmp_path / "cam.mp4")),
                     headless=True, autoplay=False, loop_camera=True, player="Mia", shots_dir=tmp_path / "shots")
    game = Game(cfg, app=app)
    title = TitleScene(app, game)

    def centre_of(pick):
        def at(_t):
            t = next((x for x in app.top.targets() if pick(x)), None)
            return None if t is None else t.rect.center  # not laid out yet
        return at

    def top_is(cls):
        return lambda: isinstance(app.top, cls)

    def play_scene():
        return game.play_scene

    def playing_for(s):
        return lambda: play_scene() is not None and play_scene().state == "playing" and app.top is play_scene() \
            and play_scene().song_s >= s

    def pause_overlay():
        return app.top if isinstance(app.top, PauseScene) else None

    centre = (640, 360)
    phases = [
        ("point at the Freeze Dance tab", "Pointing_Up",
         centre_of(lambda x: isinstance(x, ModeTab) and title.modes[x.index].name == "freeze"),
         lambda: title.mode.name == "freeze", 6.0),
        ("point at the song's card", "Pointing_Up",
         centre_of(lambda x: isinstance(x, CardTarget) and x.index == title.selected),
         top_is(StepInScene), 6.0),
        ("point at Ready", "Pointing_Up", centre_of(lambda x: getattr(x, "label", "") == "Ready!"),
         lambda: play_scene() is not None, 6.0),
        ("hands down for the countdown and a bit of the song", None, lambda _t: centre, playing_for(1.0), 12.0),
        ("point at Pause", "Pointing_Up", centre_of(lambda x: getattr(x, "label", "") == "Pause"),
         top_is(PauseScene), 6.0),
        ("thumbs up: keep dancing", "Thumb_Up", lambda _t: centre, playing_for(1.5), 6.0),
        ("point at Pause again", "Pointing_Up", centre_of(lambda x: getattr(x, "label", "") == "Pause"),
         top_is(PauseScene), 6.0),
        ("swipe to Stop", "Victory", lambda t: (300 + min(1.0, t / 0.35) * 700, 400),
         lambda: pause_overlay() is not None and pause_overlay().leave_button.focused, 6.0),
        ("hand away", None, lambda _t: centre, lambda: True, 1.0),
        ("thumbs up: stop", "Thumb_Up", lambda _t: centre, top_is(TitleScene), 6.0),
    ]
    hands = ScriptedHands(app, phases)
    app.input.hands = hands

    ring_shots = []

    def stop_when_done(a):
        if hands.done:
            a.quit(0)
        # The cursor with its dwell ring half full, over whatever it is pressing.
        if 0.5 <= a.input.dwell.progress < 0.6 and len(ring_shots) < 4 and type(a.top).__name__ not in ring_shots:
            ring_shots.append(type(a.top).__name__)
            a.screenshot(tmp_path / "shots" / f"dwell_{len(ring_shots)}_{type(a.top).__name__}.png")

    app.on_frame.append(stop_when_done)
    try:
        code = app.run(title, max_frames=30 * 90)
    finally:
        if game.camera is not None:
            game.camera.stop()
        app.close()
    assert code == 0 and hands.done, hands.log
    assert {"TitleScene", "StepInScene"} <= set(ring_shots), ring_shots
    # It was the hands: no key or mouse action was ever emitted.
    counts = app.input.counts
    assert counts and all(k.startswith("hand:") for k in counts), counts
    assert counts.get("hand:select", 0) >= 4 and counts.get("hand:yes", 0) == 2 and counts.get("hand:next", 0) >= 1
    # The Freeze Dance mode was played, paused twice, and stopped before the end (not finished).
    scene = game.play_scene
    assert isinstance(scene, FreezePlayScene) and scene.state == "done" and game.last_result is None
    assert scene.stats["poses_pushed"] > 20
    from reports.store import SessionStore

    with SessionStore.open(tmp_path / "home" / "sessions.db") as store:
        s = store.session("latest")
        assert s.mode == "freeze" and s.player == "Mia" and not s.completed
