"""Fidelity to Google's pipeline: our tracker (smoothing off) against mediapipe 0.10.21's
landmarks stored in fixtures/mediapipe_ref.npz (written by benchmarks/bench_pose.py
--write-fixture from the very frames our decoder produces).

Targets (as in benchmarks/bench_pose.py): median ≤ 0.005 and p95 ≤ 0.02 of the frame width over landmarks with
visibility > 0.5, detection agreement ≥ 99 %.
"""
from pathlib import Path

import numpy as np
import pytest

from pose.errors import DanceError
from pose.tracker import BodyTracker

REF = Path(__file__).parent / "fixtures" / "mediapipe_ref.npz"
SIM_FPS = 30.0  # mediapipe's solution stamps frames 1/30 s apart


def _track(name: str) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    import cv2

    from pose.samples import sample_path

    try:
        path = sample_path(name)
    except DanceError as e:
        pytest.skip(str(e))
    tracker = BodyTracker(smooth=False)
    cap = cv2.VideoCapture(str(path))
    lms, worlds, size = [], [], None
    i = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        size = (rgb.shape[1], rgb.shape[0])
        f = tracker.process(rgb, (i + 1) / SIM_FPS)
        i += 1
        lms.append(np.full((33, 4), np.nan, np.float32) if f is None else f.landmarks)
        worlds.append(np.full((33, 3), np.nan, np.float32) if f is None else f.world)
    cap.release()
    return np.stack(lms), np.stack(worlds), size


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 1], ids=["cam01", "cam02"])
def test_matches_mediapipe(index):
    ref = np.load(REF)
    name = str(ref[f"v{index}_name"])
    ref_lm = ref[f"v{index}_landmarks"]
    ref_world = ref[f"v{index}_world"]
    ours, world, size = _track(name)
    assert size == tuple(ref[f"v{index}_size"])
    assert ours.shape == ref_lm.shape, "the video and the fixture disagree on frame count"
    w, h = size
    found_ours = np.isfinite(ours[:, 0, 0])
    found_ref = np.isfinite(ref_lm[:, 0, 0])
    agreement = (found_ours == found_ref).mean()
    both = found_ours & found_ref
    err = np.hypot((ours[..., 0] - ref_lm[..., 0]) * w, (ours[..., 1] - ref_lm[..., 1]) * h) / w
    e = err[both[:, None] & (np.nan_to_num(ref_lm[..., 3]) > 0.5)]
    assert e.size > 1000
    median, p95 = float(np.median(e)), float(np.percentile(e, 95))
    world_err = np.linalg.norm(world[both] - ref_world[both], axis=-1)
    z_err = np.abs(ours[..., 2] - ref_lm[..., 2])[both]
    print(f"{name}: median {median:.5f} p95 {p95:.5f} agreement {agreement:.1%} "
          f"world median {np.median(world_err):.4f} m, z median {np.median(z_err):.5f}")
    assert agreement >= 0.99
    assert median <= 0.005
    assert p95 <= 0.02
    # World landmarks (metres) and visibility follow the same model outputs.
    assert np.median(world_err) < 0.02
    assert np.median(np.abs(ours[both][..., 3] - ref_lm[both][..., 3])) < 0.01
