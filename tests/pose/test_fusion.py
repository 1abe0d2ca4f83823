"""Multi-frame fusion filter: averages still landmarks, lets moving ones through, for any
pipeline (the generic Filter protocol) — on synthetic tracks with a known truth, and on a
real face video."""
from __future__ import annotations

import numpy as np
import pytest

from pose.errors import DanceError
from pose.frame import Roi
from pose.fusion import FusionFilter
from pose.tracking import LandmarkOutput

SIZE = (1000, 1000)


def _run(truth: np.ndarray, noise_px: float, seed: int = 0, columns: int = 3, fps: float = 30.0):
    """truth (T, N, 2) normalised -> (raw, fused) (T, N, 2) normalised, with white noise."""
    rng = np.random.default_rng(seed)
    f = FusionFilter()
    raw, fused = [], []
    for i, xy in enumerate(truth):
        p = np.zeros((xy.shape[0], columns), np.float32)
        p[:, :2] = xy + rng.normal(0, noise_px / SIZE[0], xy.shape)
        if columns > 3:
            p[:, 3] = 0.25 + 0.01 * i  # e.g. visibility: must come through untouched
        out = f.apply(LandmarkOutput(p, 0.9, Roi(0, 0, 1, 0), {}, SIZE), i / fps, 300.0)
        assert out.points_norm.shape == p.shape and out.points_norm.dtype == np.float32
        assert np.isfinite(out.points_norm).all()
        if columns > 3:
            np.testing.assert_array_equal(out.points_norm[:, 3], p[:, 3])
        raw.append(p[:, :2])
        fused.append(out.points_norm[:, :2])
    return np.array(raw), np.array(fused)


def _err(a, truth, frames, pts=slice(None)):
    return float(np.sqrt(np.mean(np.sum((a[frames, pts] - truth[frames, pts]) ** 2, axis=-1))))


def _base(n=60, seed=1):
    return np.random.default_rng(seed).uniform(0.3, 0.7, (n, 2))


def test_still_landmarks_are_averaged():
    truth = np.repeat(_base()[None], 40, axis=0)
    raw, fused = _run(truth, 1.0, columns=4)
    assert _err(fused, truth, slice(10, 40)) < _err(raw, truth, slice(10, 40)) / 1.8


def test_steady_motion_passes_without_lag():
    t = np.arange(40)[:, None, None]
    truth = _base()[None] + np.array([0.006, -0.003]) * t  # 6.7 px a frame, noise 1 px
    raw, fused = _run(truth, 1.0)
    assert _err(fused, truth, slice(10, 40)) <= 1.2 * _err(raw, truth, slice(10, 40))
    # No systematic lag: the mean error along the motion is a fraction of a pixel.
    along = ((fused[10:] - truth[10:]) @ np.array([0.006, -0.003]) / np.hypot(0.006, -0.003)).mean()
    assert abs(along) * SIZE[0] < 0.5


def test_a_part_moving_on_its_own_is_not_averaged_away():
    truth = np.repeat(_base()[None], 50, axis=0)
    truth[25:, :8, 1] += 0.008 * np.arange(25)[:, None]  # a mouth opening; the rest still
    raw, fused = _run(truth, 1.0)
    moving = slice(30, 50)
    assert _err(fused, truth, moving, slice(0, 8)) <= 1.3 * _err(raw, truth, moving, slice(0, 8))
    assert _err(fused, truth, moving, slice(8, None)) < _err(raw, truth, moving, slice(8, None)) / 1.5


def test_a_gap_in_time_starts_afresh():
    f = FusionFilter()
    p = np.full((5, 3), 0.5, np.float32)
    for i in range(10):
        f.apply(LandmarkOutput(p, 1.0, Roi(0, 0, 1, 0), {}, SIZE), i / 30, 100.0)
    q = p + 0.2
    out = f.apply(LandmarkOutput(q, 1.0, Roi(0, 0, 1, 0), {}, SIZE), 5.0, 100.0)  # 4.7 s later
    np.testing.assert_array_equal(out.points_norm, q)


def test_rejects_bad_settings_and_needs_the_frame_size():
    with pytest.raises(ValueError):
        FusionFilter(window=0)
    with pytest.raises(ValueError):
        FusionFilter(alpha=0.0)
    with pytest.raises(ValueError, match="image_size_wh"):
        FusionFilter().apply(LandmarkOutput(np.zeros((3, 3)), 1.0, Roi(0, 0, 1, 0)), 0.0, None)


@pytest.mark.slow
def test_fusion_steadies_a_real_face_and_keeps_it_in_place():
    import cv2

    from pose.face import FaceTracker
    from pose.samples import sample_path

    try:
        path = sample_path("faces/single_face.mp4")
    except DanceError as e:
        pytest.skip(str(e))
    cap = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < 40:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    raw_t, fused_t = FaceTracker(smooth=False), FaceTracker(make_filter=FusionFilter)
    raw = np.array([raw_t.process(f, i / 30).landmarks for i, f in enumerate(frames)])
    fused = np.array([fused_t.process(f, i / 30).landmarks for i, f in enumerate(frames)])
    assert np.isfinite(fused).all()
    w, h = 640, 360
    px = lambda a: a[..., :2] * (w, h)  # noqa: E731
    face_px = np.ptp(px(raw[0]), axis=0).mean()
    # Never far from the model's own answer (a fraction of the face's size) ...
    assert np.abs(px(fused) - px(raw)).max() < 0.03 * face_px
    # ... and steadier: less frame-to-frame shaking (second difference) on the still start.
    def shake(a):
        p = px(a[:15])
        return np.sqrt(np.mean(np.sum((p[2:] - 2 * p[1:-1] + p[:-2]) ** 2, axis=-1)))
    assert shake(fused) < shake(raw)
