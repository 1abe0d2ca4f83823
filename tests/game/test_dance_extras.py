"""The dance mode's extras on real footage: the child cut out onto the stage, and
accessories won by PERFECT streaks and gold moves, worn on the tracked body."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from game.fx.accessories import KINDS, Rewards, Won, draw_accessory, draw_wand, hand_from_body, head_from_body  # noqa: E402
from pose.samples import sample_path  # noqa: E402
from scoring.events import Judgement, Tier  # noqa: E402

YAML = """\
format: 1
title: Real Moves
video: cam01.mp4
pose_track: cam01.npz
bpm: 120
offset: 0.0
mirror: false
difficulty: easy
{stage}moves:
  - name: Reach
    start: 0
    beats: 1
  - name: Turn
    start: 1
    beats: 1
    gold: true
  - name: Step
    start: 2
    beats: 1.2
"""


def _j(i: int, tier: Tier, gold: bool = False) -> Judgement:
    return Judgement(i, f"m{i}", 90.0, tier, {}, 0.0, float(i), float(i), float(i) + 1, gold=gold)


def test_rewards_come_for_perfect_streaks_and_golden_moves_in_order():
    r = Rewards(streak=3)
    got = [r.on_judgement(_j(i, t, g)) for i, (t, g) in enumerate(
        [(Tier.PERFECT, False), (Tier.PERFECT, False), (Tier.GOOD, False),  # streak broken
         (Tier.GREAT, True),                                                # a gold move danced GREAT
         (Tier.PERFECT, False), (Tier.PERFECT, False), (Tier.PERFECT, False),  # a streak of 3
         (Tier.GOOD, True)])]                                               # gold, but only GOOD
    assert [w.kind if w else None for w in got] == [None, None, None, "crown", None, None, "sunglasses", None]
    assert [w.why for w in r.won] == ["gold", "streak"]
    assert r.take_new().kind == "sunglasses" and r.take_new() is None
    for i in range(8, 20):
        r.on_judgement(_j(i, Tier.PERFECT))
    assert r.kinds == Rewards.ORDER  # everything won: nothing more comes


def test_rewards_check_their_input():
    with pytest.raises(ValueError):
        Rewards(streak=0)
    with pytest.raises(ValueError):
        Rewards(order=("cape",))
    with pytest.raises(ValueError):
        Won("cape", 0, "streak")
    assert set(Rewards.ORDER) <= set(KINDS)


@pytest.fixture(scope="module")
def real_pose():
    """A real dancer's body pose (pose2sim cam01, frame 12) and its frame."""
    from pose.tracker import BodyTracker
    from pose.video import open_video

    bt = BodyTracker(threads=1)
    with open_video(str(sample_path("Demo_SinglePerson/cam01.mp4"))) as src:
        for _ in range(12):
            src.grab()
            f = src.retrieve()
            pose = bt.process(f.rgb, f.timestamp_s)
    assert pose is not None
    return pose, f.rgb


def test_accessories_ride_on_the_tracked_head_and_hand(real_pose):
    pose, rgb = real_pose
    h, w = 700, int(rgb.shape[1] * 700 / rgb.shape[0])
    to_px = lambda x, y: ((1 - float(x)) * w, float(y) * h)  # mirrored like the camera view
    head = head_from_body(pose.landmarks, to_px)
    arm = hand_from_body(pose.landmarks, to_px, "right")
    assert head is not None and arm is not None
    eyes, forehead = head
    nose = np.array(to_px(*pose.landmarks[0, :2]))
    shoulders = np.array([to_px(*pose.landmarks[i, :2]) for i in (11, 12)])
    assert np.linalg.norm(eyes.mean(axis=0) - nose) < 0.5 * np.linalg.norm(shoulders[0] - shoulders[1])
    # The forehead is further from the shoulders than the eyes are: above the face.
    neck = shoulders.mean(axis=0)
    assert np.linalg.norm(forehead - neck) > np.linalg.norm(eyes.mean(axis=0) - neck)
    for kind, draw in (("crown", lambda s: draw_accessory(s, "crown", *head)),
                       ("sunglasses", lambda s: draw_accessory(s, "sunglasses", *head)),
                       ("star_wand", lambda s: draw_wand(s, *arm, t_s=0.5))):
        surf = pygame.Surface((w, h))
        surf.fill((0, 0, 0))
        draw(surf)
        ink = pygame.surfarray.array3d(surf).swapaxes(0, 1).any(axis=2)
        ys, xs = np.nonzero(ink)
        assert xs.size > 30, kind
        centre = np.array([xs.mean(), ys.mean()])
        anchor = forehead if kind != "star_wand" else arm[0]
        assert np.linalg.norm(centre - anchor) < np.linalg.norm(shoulders[0] - shoulders[1]) * 1.5, kind
    # Nobody seen (low visibility): nothing to anchor to.
    hidden = pose.landmarks.copy()
    hidden[:, 3] = 0.0
    assert head_from_body(hidden, to_px) is None and hand_from_body(hidden, to_px) is None


@pytest.fixture(scope="module")
def real_song(tmp_path_factory) -> Path:
    """A song over pose2sim cam01 with its real tracked pose track, cut-out on by the song."""
    from pose.cli_track import track_video

    folder = tmp_path_factory.mktemp("dance_extras")
    shutil.copy(sample_path("Demo_SinglePerson/cam01.mp4"), folder / "cam01.mp4")
    track, _ = track_video(folder / "cam01.mp4", progress=False)
    track.save(folder / "cam01.npz")
    (folder / "real.yaml").write_text(YAML.format(stage="stage: cutout\n"))
    # The camera: the same footage at half size (a webcam's 540x960 portrait), which keeps
    # the test quick; the person and the movement are the same.
    import cv2

    cap = cv2.VideoCapture(str(folder / "cam01.mp4"))
    out = cv2.VideoWriter(str(folder / "camera.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 60.0, (540, 960))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.write(cv2.resize(frame, (540, 960), interpolation=cv2.INTER_AREA))
    cap.release()
    out.release()
    return folder / "real.yaml"


def _play(song: Path, camera: Path, tmp_path: Path, **cfg):
    """One play of ``song`` on the play screen, the video as the camera (headless: every
    frame through every pipeline, on the song clock)."""
    from game.app import App
    from game.camera import Camera, camera_pipelines
    from game.scenes.context import Game, GameConfig

    app = App((1280, 720), headless=True)
    game = Game(GameConfig([song], player="Mia", use_store=False, shots_dir=tmp_path / "shots", **cfg), app=app)
    cam = Camera(str(camera), headless=True, pipelines=camera_pipelines(game))
    cam.start(loop=False)
    game.camera = cam
    scene = game.mode.play_scene(app, game, song)

    def stop_at_results(a):
        if scene.state == "done":
            a.quit(0)

    app.on_frame.append(stop_at_results)
    try:
        app.run(scene)
    finally:
        cam.stop()
        app.close()
    return game, scene


@pytest.mark.slow
def test_dancing_like_the_coach_wins_prizes_on_the_stage(real_song, tmp_path, monkeypatch):
    """The coach's own footage as the camera: every move PERFECT, the gold move wins a crown
    and the streak sunglasses; the song asks for the cut-out, so the child is on the stage."""
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    game, scene = _play(real_song, real_song.parent / "camera.mp4", tmp_path)
    shots = tmp_path / "shots"
    assert game.camera.pipelines == ("body", "segmentation")
    assert [j.tier for j in scene.result.judgements] == [Tier.PERFECT] * 3
    assert scene.stats["accessories_won"] == ["crown", "sunglasses"]
    assert scene.stats["accessories_drawn"] > 0 and scene.stats["cutouts_drawn"] > 30
    assert (shots / "4_play_cutout.png").is_file() and (shots / "4_play_accessory.png").is_file()
    # The cut-out replaced the room: the camera view's floor shows the stage backdrop.
    from game.fx.cutout import stage_backdrop

    view = scene.cam_view
    shot = pygame.image.load(str(shots / "4_play_cutout.png"))
    backdrop = stage_backdrop(view.size)
    corner = (view.width - 12, view.height - 12)  # the floor, bottom right: no HUD there
    got = shot.get_at((view.x + corner[0], view.y + corner[1]))[:3]
    want = backdrop.get_at(corner)[:3]
    assert max(abs(a - b) for a, b in zip(got, want)) <= 12


@pytest.mark.slow
def test_no_cutout_keeps_the_camera_picture(real_song, tmp_path, monkeypatch):
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    game, scene = _play(real_song, real_song.parent / "camera.mp4", tmp_path, cutout=False, stop_after_s=0.6)
    assert game.camera.pipelines == ("body",) and scene.stats["cutouts_drawn"] == 0
