"""Latency calibration: synthetic delays, real footage through the real BodyTracker,
settings persistence, rate independence, and the scene run headless."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from game import calibration as cal
from game.calibration import (
    CalibrationError, CueSchedule, LatencyCalibrator, arm_height, estimate_latency, latency_for_rate,
    load_latency, run_calibration_headless, save_latency, stored_latency,
)
from pose.frame import PoseFrame
from pose.landmarks import INDEX


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def child_signal(schedule: CueSchedule, delay_s: float, rng: np.random.Generator, fps: float = 30.0,
                 noise: float = 0.15, drop: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """A child following the cue late by delay_s: own arm range, noisy, jittery frame times, dropouts."""
    t = np.arange(schedule.start_s, schedule.listen_until_s, 1 / fps) + rng.uniform(0, 0.008, 1)
    t = t + rng.uniform(-0.004, 0.004, t.size)
    v = schedule.target(t - delay_s) * rng.uniform(1.2, 2.2) - rng.uniform(0.7, 1.1)
    v = v + rng.normal(0, noise, t.size)
    v[rng.random(t.size) < drop] = np.nan
    return t, v


@pytest.mark.parametrize("delay_ms", [0, 120, 250, 400, 550])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_synthetic_delay_is_recovered_within_20ms(delay_ms, fps):
    schedule = CueSchedule()
    rng = np.random.default_rng(delay_ms + int(fps))
    for _ in range(5):
        t, v = child_signal(schedule, delay_ms / 1000, rng, fps)
        res = estimate_latency(*schedule.reference(), t, v)
        assert abs(res.latency_ms - delay_ms) <= 20, res.summary()
        assert res.ok and res.confidence > 0.7, res.summary()


def test_calibrator_push_api_matches_estimate():
    schedule = CueSchedule(bpm=60, beats=8, start_s=1.0)
    rng = np.random.default_rng(1)
    t, v = child_signal(schedule, 0.12, rng)
    c = LatencyCalibrator(schedule, measure=lambda x: x)  # the measurement is the signal itself
    for ti, vi in zip(t, v):
        c.push(vi, ti)
    assert c.pushed == t.size and c.seen == np.isfinite(v).sum()
    assert not c.done(schedule.end_s) and c.done(schedule.listen_until_s)
    assert abs(c.result().latency_ms - 120) <= 20


@pytest.mark.parametrize("case", ["noise", "nobody", "still"])
def test_no_usable_movement_is_not_confident(case):
    schedule = CueSchedule()
    rng = np.random.default_rng(2)
    t = np.arange(0, schedule.listen_until_s, 1 / 30)
    v = {"noise": rng.normal(0, 1, t.size), "nobody": np.full(t.size, np.nan),
         "still": np.full(t.size, -0.9) + rng.normal(0, 0.01, t.size)}[case]
    res = estimate_latency(*schedule.reference(), t, v)
    assert not res.ok, res.summary()
    assert 0.0 <= res.latency_s <= cal.MAX_LAG_S


def test_schedule_shape_and_states():
    s = CueSchedule(bpm=60, beats=8, lead_in_beats=3, start_s=2.0)
    assert s.first_move_s == 5.0 and s.end_s == 13.0
    assert np.allclose(s.target(np.array([4.0, 5.5, 6.5, 7.5, 13.5])), [0, 1, 0, 1, 0])
    assert s.state(1.0).phase == "count-in" and s.state(1.0).count == 0
    assert s.state(2.1).count == 3 and s.state(4.1).count == 1
    assert s.state(5.1) == cal.CueState("move", 0, True, pytest.approx(0.1), 0)
    assert not s.state(6.1).arms_up and s.state(13.1).phase == "done"
    with pytest.raises(ValueError):
        CueSchedule(bpm=240)  # the up-down period would be shorter than twice the lag range
    with pytest.raises(ValueError):
        CueSchedule(bpm=float("nan"))


def _frame(wrist_dy: float, vis: float = 1.0) -> PoseFrame:
    lm = np.zeros((33, 4), np.float32)
    lm[:, 3] = vis
    for side, x in (("left", 0.6), ("right", 0.4)):
        lm[INDEX[f"{side}_shoulder"], :2] = (x, 0.3)
        lm[INDEX[f"{side}_hip"], :2] = (x - 0.02 if side == "left" else x + 0.02, 0.5)
        lm[INDEX[f"{side}_wrist"], :2] = (x, 0.3 - wrist_dy)
    return PoseFrame(lm, None, 1.0, 0.0, (640, 480))


def test_arm_height_is_scale_free_and_defined_for_nobody():
    assert arm_height(_frame(0.2)) == pytest.approx(1.0, abs=0.02)  # wrists a torso above shoulders
    assert arm_height(_frame(-0.2)) == pytest.approx(-1.0, abs=0.02)
    assert math.isnan(arm_height(None))
    assert math.isnan(arm_height(_frame(0.2, vis=0.1)))


def test_settings_round_trip_keeps_other_keys(home):
    path = home / "settings.json"
    home.mkdir(parents=True)
    path.write_text(json.dumps({"volume": 0.7}))
    assert load_latency(0) == 0.0 and stored_latency(0) is None
    save_latency(0.137, camera=0, confidence=0.9)
    save_latency(0.2, camera="/videos/kid.mp4", confidence=0.8)
    data = json.loads(path.read_text())
    assert data["volume"] == 0.7
    assert load_latency(0) == pytest.approx(0.137)
    assert load_latency("/elsewhere/kid.mp4") == pytest.approx(0.2)  # keyed by the video's name
    assert load_latency(5) == pytest.approx(0.2)  # unknown camera: the most recent calibration
    assert not list(home.glob(".settings.json.*")), "no temp files left behind"


def test_settings_survive_a_corrupt_file(home):
    home.mkdir(parents=True)
    (home / "settings.json").write_text("{ not json")
    assert load_latency(0, default_s=0.05) == 0.05
    save_latency(0.1, camera=0)
    assert load_latency(0) == pytest.approx(0.1)
    with pytest.raises(CalibrationError):
        save_latency(float("nan"), camera=0)


def test_latency_is_not_scaled_by_playback_rate(home):
    save_latency(0.18, camera=1)
    rates = [0.5, 0.75, 1.0, 1.25]
    assert [latency_for_rate(r, camera=1) for r in rates] == [pytest.approx(0.18)] * len(rates)
    assert latency_for_rate(0.5, latency_s=0.3) == 0.3
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError):
            latency_for_rate(bad)


def test_missing_video_is_a_one_line_error(tmp_path):
    with pytest.raises(CalibrationError, match="no such video"):
        run_calibration_headless(tmp_path / "nope.mp4")


# ---------------------------------------------------------------------------------------
# Real footage through the real BodyTracker
# ---------------------------------------------------------------------------------------
def _sample(name: str) -> Path:
    from pose.samples import sample_path

    try:
        p = Path(sample_path(name))
    except Exception as e:  # noqa: BLE001 - any failure means the footage is not cached
        pytest.skip(f"sample footage not available ({e}); run `dance samples fetch`")
    if not p.is_file():
        pytest.skip(f"{name} not cached; run `dance samples fetch`")
    return p


def _arm_track(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The video's own arm-height signal from an unsmoothed BodyTracker pass."""
    from pose.tracker import BodyTracker
    from pose.video import open_video

    tr = BodyTracker(smooth=False, threads=2)
    t, v = [], []
    with open_video(path) as src:
        for vf in src:
            t.append(vf.timestamp_s)
            v.append(arm_height(tr.process(vf.rgb, vf.timestamp_s)))
    return np.asarray(t), np.asarray(v)


@pytest.fixture(scope="module")
def cam01_reference():
    path = _sample("Demo_SinglePerson/cam01.mp4")
    t, v = _arm_track(path)
    assert np.isfinite(v).mean() > 0.9 and np.nanmax(v) - np.nanmin(v) > 0.5, "the arms move in this clip"
    return path, t, v


@pytest.mark.slow
@pytest.mark.parametrize("delay_frames", [9, 24])
def test_real_footage_delayed_frames_are_recovered(cam01_reference, delay_frames):
    path, t, v = cam01_reference
    res = run_calibration_headless(path, delay_frames=delay_frames, reference=(t, v))
    fps = 1.0 / np.median(np.diff(t))
    assert abs(res.latency_s - delay_frames / fps) <= 0.020, res.summary()
    assert res.ok, res.summary()


@pytest.mark.slow
def test_real_footage_other_camera_same_movement(cam01_reference):
    """Reference from camera 1, measurement from camera 2 of the same synchronised take."""
    _, t, v = cam01_reference
    path2 = _sample("Demo_SinglePerson/cam02.mp4")
    res = run_calibration_headless(path2, delay_frames=12, reference=(t, v))
    assert abs(res.latency_ms - 200.0) <= 20, res.summary()
    assert res.ok


@pytest.mark.slow
def test_scene_runs_headless_and_does_not_store_a_guess(home, tmp_path):
    """The real scene on a real video as the camera: cue phases draw, a result comes out, and
    since the person in the clip is not following our cue it is not stored."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from game.app import App
    from game.camera import Camera
    from game.scenes.calibration_scene import INTRO_S, CalibrationScene

    path = _sample("Demo_SinglePerson/cam01.mp4")
    app = App((960, 540), headless=True)
    cam = Camera(str(path), headless=True)
    cam.start(loop=False)
    results = []
    scene = CalibrationScene(app, cam, CueSchedule(beats=2, lead_in_beats=1), on_done=results.append)
    shots = {}

    def snap(a):
        t = scene.t_s
        for name, at in (("intro", 0.5), ("cue", INTRO_S + 1.2), ("result", None)):
            if name not in shots and ((at is not None and t >= at) or (at is None and scene.result is not None)):
                shots[name] = a.pg.surfarray.array3d(a.screen).copy()
                a.screenshot(tmp_path / f"calib_{name}.png")

    app.on_frame.append(snap)
    try:
        app.run(scene, max_frames=60 * 20)
    finally:
        cam.stop()
    assert results and results[0] is not None, "the scene reported a result"
    assert scene.cal.seen > 50, "poses from the real tracker were measured"
    assert not results[0].ok and stored_latency(str(path)) is None
    assert set(shots) == {"intro", "cue", "result"}
    for img in shots.values():
        assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50, "a drawn screen, not a blank one"


@pytest.mark.slow
def test_scene_from_a_game_opens_the_configured_camera(home):
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from game.app import App
    from game.scenes.calibration_scene import CalibrationScene, calibration_for_game
    from game.scenes.context import Game, GameConfig

    path = _sample("Demo_SinglePerson/cam02.mp4")
    app = App((640, 360), headless=True)
    game = Game(GameConfig([], camera_source=str(path), headless=True, latency_s=0.05))
    scene = calibration_for_game(app, game)
    try:
        assert isinstance(scene, CalibrationScene) and scene.camera is game.camera
        app.run(scene, max_frames=30)
        assert scene.t_s == pytest.approx(0.5, abs=0.05) and scene.cal.seen > 0
        assert game.config.latency_s == 0.05, "nothing stored or changed before a confident result"
    finally:
        game.camera.stop()
