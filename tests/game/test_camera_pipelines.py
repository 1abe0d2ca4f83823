"""The game camera on the multi-pipeline worker, on real footage (pose2sim's dancer):
a thread per pipeline, the newest result of each, every pipeline on every frame headless,
and the degradation rule said on the play screen in a child's words."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.camera import Camera, KIND_WORDS, OVER_BUDGET_WORDS, camera_pipelines, degradation_note, pipeline_specs  # noqa: E402
from pose.samples import sample_path  # noqa: E402
from pose.worker import Degradation  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CAM02 = sample_path("Demo_SinglePerson/cam02.mp4")


def test_pipeline_specs_follow_the_policy_body_first():
    specs = pipeline_specs(("hands", "segmentation"), segmentation="selfie")
    assert [s.name for s in specs] == ["body", "hands", "segmentation"]
    by = {s.name: s for s in specs}
    assert by["body"].max_stride == 1  # the dance is judged on every frame: never slowed
    assert by["hands"].priority < by["segmentation"].priority  # the cut-out is slowed first
    # The body model's own person mask: no second model, no extra thread.
    assert [s.name for s in pipeline_specs(("body", "segmentation"))] == ["body"]
    with pytest.raises(ValueError, match="unknown pipeline"):
        pipeline_specs(("wings",))


def test_degradation_note_names_the_slowed_pipeline_kindly():
    assert degradation_note(None) is None
    assert degradation_note(Degradation({"body": 1, "hands": 1})) is None
    assert degradation_note(Degradation({"body": 1, "hands": 2})) == KIND_WORDS["hands"]
    assert degradation_note(Degradation({"body": 1, "segmentation": 2})) == KIND_WORDS["segmentation"]
    both = degradation_note(Degradation({"body": 1, "hands": 2, "segmentation": 2}))
    assert both and "turns" in both
    over = degradation_note(Degradation({"body": 1, "face": 2}, 10.0, 30.0, over_budget=True))
    assert over == KIND_WORDS["face"] + "\n" + OVER_BUDGET_WORDS  # which one, and that scores may suffer


def test_cutout_option_adds_segmentation_to_the_dance_camera(tmp_path):
    from game.scenes.context import Game, GameConfig

    song = tmp_path / "song.yaml"
    song.write_text("format: 1\ntitle: T\nstage: cutout\n")
    g = Game(GameConfig([song]))
    assert camera_pipelines(g) == ("body", "segmentation")  # the song asks for it
    g.config.cutout = False
    assert camera_pipelines(g) == ("body",)  # --no-cutout wins over the song
    g.config.cutout = True
    g.config.hands_free = True
    assert camera_pipelines(g) == ("body", "hands", "segmentation")


@pytest.mark.slow
@pytest.mark.parametrize("source", ["body", "selfie"])
def test_headless_camera_runs_every_pipeline_on_every_frame(source):
    cam = Camera(str(CAM02), headless=True, pipelines=("body", "segmentation"), segmentation=source)
    cam.start(loop=False)
    try:
        poses = cam.drain(0.3)
        masks = cam.drain_results("segmentation")
    finally:
        cam.stop()
    assert len(poses) == 19 and len(masks) == 19  # 60 fps: frames 0..18 are due by 0.3 s
    assert sum(p.pose is not None for p in poses) >= 17
    assert sum(m.found for m, _ in masks) >= 17
    seg = cam.latest_result("segmentation")
    assert seg is not None and seg.index == poses[-1].index and seg.frame_rgb is not None
    if source == "body":
        # The mask is the person the body model tracked: most of it inside the body's box.
        pose, mask = poses[-1].pose, seg.result.mask_at((seg.frame_rgb.shape[1], seg.frame_rgb.shape[0]))
        h, w = mask.shape
        x0, y0 = (pose.landmarks[:, :2].min(axis=0) * (w, h)).astype(int)
        x1, y1 = (pose.landmarks[:, :2].max(axis=0) * (w, h)).astype(int)
        inside = mask[max(0, y0 - 40):y1 + 40, max(0, x0 - 40):x1 + 40].sum()
        assert inside / mask.sum() > 0.9


@pytest.mark.slow
def test_each_pipeline_has_its_own_thread_and_newest_result():
    cam = Camera(str(CAM02), pipelines=("body", "hands", "segmentation"), segmentation="selfie")
    cam.start(loop=True)
    try:
        names = {t.name for t in threading.enumerate()}
        assert {"pose-body", "pose-hands", "pose-segmentation"} <= names
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            st = cam.pipeline_stats()
            if min(st[n].runs for n in ("body", "hands", "segmentation")) >= 3:
                break
            time.sleep(0.1)
        st = cam.pipeline_stats()
        latest, seg = cam.latest(), cam.latest_result("segmentation")
    finally:
        cam.stop()
    assert min(st[n].runs for n in ("body", "hands", "segmentation")) >= 3
    assert min(st[n].cpu_ms for n in ("body", "hands", "segmentation")) > 0
    assert latest is not None and latest.pose is not None
    assert seg is not None and seg.result.found and seg.result.mask.max() <= 1.0


@pytest.mark.slow
def test_a_machine_too_small_for_the_set_says_so_on_the_play_screen(tmp_path, monkeypatch):
    """The worker planning for a fifth of a core cannot run body + hands on every frame:
    the hands are slowed (never the body) and the play screen says it, kindly."""
    from game.app import App
    from game.scenes.context import Game, GameConfig

    monkeypatch.setenv("DANCE_HOME", str(tmp_path))
    song = REPO / "choreographies" / "demo" / "demo.yaml"
    app = App((1280, 720), headless=True, simulated_clock=False, frame_rate_hz=30.0)
    game = Game(GameConfig(choreographies=[song], stop_after_s=20.0, use_store=False), app=app)
    cam = Camera(str(CAM02), pipelines=("body", "hands"), cores=0.2)
    cam.start(loop=True)
    game.camera = cam
    scene = game.mode.play_scene(app, game, song)
    seen = []

    def watch(a):
        if scene.state == "done":
            a.quit(0)
        if scene.degraded_note is not None and not seen:
            seen.append((scene.degraded_note, dict(cam.degradation.strides)))
            a.screenshot(tmp_path / "degraded.png")
            a.quit(0)  # seen: no need to dance the rest of the song

    app.on_frame.append(watch)
    try:
        app.run(scene)
    finally:
        cam.stop()
        app.close()
    assert seen, "the degradation was never shown"
    note, strides = seen[0]
    assert strides == {"body": 1, "hands": 2}
    assert note.split("\n")[0] == KIND_WORDS["hands"]
    assert (tmp_path / "degraded.png").is_file()
