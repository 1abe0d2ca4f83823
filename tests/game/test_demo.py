"""The bundled demo choreography: valid, exact, on the beat, and regenerable.

These read the committed assets in choreographies/demo/ (built by `python -m game.demo.build`)
and re-derive parts of them from the generator to prove they match the current code.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from game.demo import build, coach
from pose.landmarks import INDEX
from pose.track import PoseTrack

DEMO = Path(__file__).resolve().parents[2] / "choreographies" / "demo"
YAML = DEMO / "demo.yaml"


@pytest.fixture(scope="module")
def choreo():
    from content.loader import load_choreography

    return load_choreography(YAML)


@pytest.fixture(scope="module")
def track():
    return PoseTrack.load(DEMO / "demo.npz")


def test_yaml_validates_and_describes_a_kind_easy_minute(choreo):
    assert YAML.read_text().startswith("# yaml-language-server: $schema=../choreography.schema.json")
    assert choreo.difficulty == "easy" and choreo.mirror is True
    assert 50.0 <= choreo.duration_s <= 70.0
    names = {m.name for m in choreo.moves}
    assert len(names) >= 8, names
    assert any(m.gold for m in choreo.moves)
    for m in choreo.moves:
        assert m.tip and m.tip.endswith("!") and len(m.tip) < 70
        assert float(m.start_beat).is_integer() and float(m.beats).is_integer(), "moves sit on the beat grid"
        assert m.pictogram is not None and m.pictogram.is_file()
    assert choreo.cover is not None and choreo.cover.is_file()
    assert not choreo.warnings, [str(w) for w in choreo.warnings]


def test_dance_validate_passes(capsys):
    from game.cli import main

    assert main(["validate", str(YAML)]) == 0


def test_assets_stay_small():
    total = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert total < 8.5e6, f"{total / 1e6:.1f} MB"


def test_track_matches_the_video_frame_for_frame(track):
    import cv2

    cap = cv2.VideoCapture(str(DEMO / "demo.mp4"))
    assert cap.isOpened()
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    fps = cap.get(cv2.CAP_PROP_FPS)
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    assert n == len(track) and size == track.size and fps == pytest.approx(track.fps)
    assert track.detection_rate == 1.0
    assert np.all(track.landmarks[..., 3] == 1.0)
    xy = track.landmarks[..., :2]
    assert xy.min() > 0.0 and xy.max() < 1.0, "the whole coach stays in the picture"


def test_track_is_the_exact_animation(track):
    """Regenerate sampled rows from the animation code: bit-for-bit the committed track."""
    cam = coach.Camera(*track.size)
    idx = np.linspace(0, len(track) - 1, 40).astype(int)
    lm, world = build.track_rows(cam, track.t[idx])
    np.testing.assert_array_equal(lm, track.landmarks[idx])
    np.testing.assert_array_equal(world, track.world[idx])


def test_world_is_a_rigid_hip_centred_skeleton(track):
    w = track.world.astype(np.float64)
    hips = (w[:, INDEX["left_hip"]] + w[:, INDEX["right_hip"]]) / 2
    assert np.abs(hips).max() < 1e-5
    for a, b, length in (("left_shoulder", "left_elbow", coach.UPPER_ARM_M),
                         ("right_elbow", "right_wrist", coach.FOREARM_M),
                         ("left_hip", "left_knee", coach.THIGH_M),
                         ("right_knee", "right_ankle", coach.SHIN_M)):
        d = np.linalg.norm(w[:, INDEX[a]] - w[:, INDEX[b]], axis=1)
        assert np.allclose(d, length, atol=1e-5), (a, b)
    # Facing the viewer: the coach's left shoulder is on the image's right.
    lm = track.landmarks
    assert np.mean(lm[:, INDEX["left_shoulder"], 0] > lm[:, INDEX["right_shoulder"], 0]) > 0.95


def _frames(choreo, move) -> slice:
    fps = 30.0
    return slice(int(round(move.start_s * fps)), int(round(move.end_s * fps)))


def test_moves_are_distinct_and_really_move(choreo, track):
    wr = [INDEX["left_wrist"], INDEX["right_wrist"], INDEX["left_ankle"], INDEX["right_ankle"]]
    signatures = {}
    for m in choreo.moves:
        seg = track.world[_frames(choreo, m)][:, wr]
        motion = np.ptp(seg, axis=0).max()
        assert motion > 0.15, f"{m.name}: the hands or feet move more than 15 cm ({motion:.2f})"
        signatures.setdefault(m.name, seg.mean(axis=0).ravel())
    names = list(signatures)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            d = np.abs(signatures[names[i]] - signatures[names[j]]).max()
            if d < 0.05:  # same mean pose: the motion over time must differ instead
                a = track.world[_frames(choreo, next(m for m in choreo.moves if m.name == names[i]))][:, wr]
                b = track.world[_frames(choreo, next(m for m in choreo.moves if m.name == names[j]))][:, wr]
                n = min(len(a), len(b))
                assert np.abs(a[:n] - b[:n]).max() > 0.1, (names[i], names[j])


def test_jumping_jacks_hit_the_beat_grid(choreo, track):
    """Arms fully up exactly on the half beats of the jumping-jack loop, down on the beats."""
    m = next(m for m in choreo.moves if m.name == "Jumping jacks")
    sl = _frames(choreo, m)
    wrist_y = track.world[sl, INDEX["left_wrist"], 1]  # y down: smallest = highest
    beats = (track.t[sl] - choreo.offset_s) * choreo.bpm / 60.0
    frame_beats = choreo.bpm / 60.0 / track.fps
    top = beats[wrist_y < wrist_y.min() + 0.01] % 1.0
    assert np.all(np.abs(top - 0.5) <= frame_beats + 1e-6), top
    bottom = beats[wrist_y > wrist_y.max() - 0.01] % 1.0
    assert np.all(np.minimum(bottom, 1 - bottom) <= frame_beats + 1e-6), bottom


def _decode_audio(path: Path, sr: int = 22050) -> np.ndarray:
    import imageio_ffmpeg

    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-ac", "1",
                          "-ar", str(sr), "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, "<i2").astype(np.float32) / 32768.0


def test_music_is_as_long_as_the_video_and_kicks_on_the_beat(choreo, track):
    sr = 22050
    x = _decode_audio(DEMO / "demo.ogg", sr)
    assert abs(len(x) / sr - track.duration_s) < 0.1
    assert 0.05 < np.sqrt(np.mean(x ** 2)) < 0.5, "audible, not clipped to a square wave"
    # Low-band energy in the 40 ms after each beat vs after each half-off-beat (+0.25 beat).
    low = np.convolve(x, np.ones(40) / 40, mode="same")  # crude low-pass: the kick lives here
    beat_s = 60.0 / choreo.bpm

    def energy(t_s: float) -> float:
        i = int(t_s * sr)
        return float(np.mean(low[i:i + int(0.04 * sr)] ** 2))

    on = [energy(choreo.offset_s + b * beat_s) for b in range(8, 100)]
    off = [energy(choreo.offset_s + (b + 0.25) * beat_s) for b in range(8, 100)]
    assert np.median(on) > 4 * np.median(off)


def test_cover_and_pictograms_are_images():
    import cv2

    cover = cv2.imread(str(DEMO / "cover.png"))
    assert cover is not None and cover.shape == (512, 512, 3)
    assert cover.std() > 20, "a picture, not a flat fill"
    for p in (DEMO / "pictograms").glob("*.png"):
        img = cv2.imread(str(p))
        assert img is not None and img.shape == (160, 160, 3)


def test_generator_helpers_are_consistent():
    assert build.frame_count() == int(round(build.duration_s() * build.FPS))
    assert coach.TOTAL_BEATS == 112
    assert build.gold_beats() == tuple((s.start_beat, s.start_beat + s.beats) for s in coach.ROUTINE if s.gold)
    # Every scored move starts exactly where the previous segment ends: no gaps in the dance.
    for a, b in zip(coach.ROUTINE, coach.ROUTINE[1:]):
        assert a.start_beat + a.beats == b.start_beat
    # The blend into each move finishes on its first beat.
    for seg in coach.ROUTINE[1:]:
        got = coach.to_vec(coach.pose_at(float(seg.start_beat)))
        want = coach.to_vec(seg.move(0.0))
        np.testing.assert_allclose(got, want, atol=1e-9)


def _score(capsys, track_path: Path) -> dict:
    import json

    from game.cli import main

    capsys.readouterr()
    assert main(["score", str(YAML), str(track_path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_perfect_mirroring_child_scores_full_marks(track, tmp_path, capsys):
    """The child faces the coach (mirror: true), so the coach's exact track mirrored left/right
    is a perfect performance; the same moves on the wrong side lose points on one-sided moves."""
    from pose.landmarks import MIRROR

    lm = track.landmarks[:, list(MIRROR)].copy()
    lm[..., 0] = 1.0 - lm[..., 0]
    world = track.world[:, list(MIRROR)].copy()
    world[..., 0] *= -1.0
    PoseTrack(lm, world, track.t, track.fps, track.size).save(tmp_path / "mirrored.npz")
    perfect = _score(capsys, tmp_path / "mirrored.npz")
    assert perfect["total"] >= 99.0 and all(m["judgement"] == "PERFECT" for m in perfect["moves"]), perfect
    wrong_side = _score(capsys, DEMO / "demo.npz")
    one_sided = {m["name"]: m["score"] for m in wrong_side["moves"]}
    assert one_sided["Disco point"] < 60 and wrong_side["total"] < perfect["total"] - 5
