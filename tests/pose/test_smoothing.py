"""One Euro + visibility smoothing: the maths by hand, jitter, lag, reset, the filter chain."""
import math

import numpy as np
import pytest

from pose.frame import Roi
from pose.smoothing import (
    BODY_PARAMS,
    FilterChain,
    ImageLandmarkFilter,
    LowPassFilter,
    OneEuroFilter,
    VisibilityFilter,
    WorldLandmarkFilter,
    mediapipe_chain,
)
from pose.tracking.types import LandmarkOutput

ROI = Roi(5.0, 5.0, 10.0, 0.0)


def _out(points, size=(10, 10), **extras):
    return LandmarkOutput(np.asarray(points, np.float32), 1.0, ROI, extras, size)


def _alpha(cutoff_hz, freq_hz):
    tau = 1.0 / (2 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau * freq_hz)


def test_one_euro_matches_a_hand_computed_step():
    f = OneEuroFilter(min_cutoff=0.5, beta=2.0, derivate_cutoff=1.0)
    assert f.apply(np.array([10.0]), 1 / 30)[0] == 10.0  # the first sample passes
    out = f.apply(np.array([13.0]), 2 / 30, value_scale=0.1)[0]
    # By hand: freq 30 Hz; dx = (13 - 10)·0.1·30 = 9; the derivative LPF saw 0 first, so
    # dx̂ = α(1)·9; cutoff = 0.5 + 2·|dx̂|; x̂ = α(cutoff)·13 + (1 − α(cutoff))·10.
    a_d = _alpha(1.0, 30.0)
    edx = a_d * 9.0
    a = _alpha(0.5 + 2.0 * edx, 30.0)
    assert out == pytest.approx(a * 13.0 + (1 - a) * 10.0, rel=1e-12)


def test_one_euro_takes_its_frequency_from_timestamps():
    f30 = OneEuroFilter(1.0, 0.0)
    f60 = OneEuroFilter(1.0, 0.0)
    f30.apply(np.zeros(1), 1.0)
    f60.apply(np.zeros(1), 1.0)
    y30 = f30.apply(np.ones(1), 1.0 + 1 / 30)[0]
    y60 = f60.apply(np.ones(1), 1.0 + 1 / 60)[0]
    assert y30 == pytest.approx(_alpha(1.0, 30.0))
    assert y60 == pytest.approx(_alpha(1.0, 60.0))
    assert y60 < y30  # a shorter step moves less


def test_non_advancing_timestamp_returns_the_raw_value():
    f = OneEuroFilter(0.05, 80.0)
    f.apply(np.array([1.0, 2.0]), 1.0)
    np.testing.assert_array_equal(f.apply(np.array([5.0, 6.0]), 1.0), [5.0, 6.0])
    np.testing.assert_array_equal(f.apply(np.array([7.0, 8.0]), 0.5), [7.0, 8.0])


def test_reset_lets_the_next_sample_pass():
    f = OneEuroFilter(0.05, 80.0)
    f.apply(np.array([0.0]), 0.0)
    f.apply(np.array([0.0]), 0.1)
    f.reset()
    assert f.apply(np.array([100.0]), 0.2)[0] == 100.0


def test_low_pass_first_sample_passes_then_blends():
    lp = LowPassFilter()
    assert lp.apply(np.array([4.0]), 0.25)[0] == 4.0
    assert lp.apply(np.array([8.0]), 0.25)[0] == pytest.approx(5.0)


def _jitter(x):
    return float(np.mean(np.abs(np.diff(x, n=2, axis=0))))


def test_body_filter_reduces_jitter_on_a_noisy_slow_signal():
    rng = np.random.default_rng(1)
    t = np.arange(300) / 30.0
    size = (1080, 1920)
    # A landmark drifting slowly (0.05 of the frame in 10 s) with ±3 px pixel noise.
    truth = np.stack([0.4 + 0.005 * t, 0.5 + 0.003 * t, np.zeros_like(t)], axis=1)
    noisy = truth + rng.normal(0, 3.0 / size[0], truth.shape) * [1, 1, 0]
    filt = ImageLandmarkFilter(BODY_PARAMS)
    out = np.array([filt.filter_points(p[None], size, ti, object_scale_px=600.0)[0] for p, ti in zip(noisy, t)])
    assert _jitter(out[:, :2]) < _jitter(noisy[:, :2]) / 2.5  # measured: ~3.2x less
    # …and it still follows the signal: the smoothed error is below the raw noise.
    assert np.abs(out[50:, :2] - truth[50:, :2]).mean() < np.abs(noisy[50:, :2] - truth[50:, :2]).mean()


def test_body_filter_follows_a_fast_move_with_little_lag():
    size = (1000, 1000)
    filt = ImageLandmarkFilter(BODY_PARAMS)
    t = np.arange(60) / 30.0
    x = np.where(t < 1.0, 0.2, 0.2 + 0.5 * np.minimum(1.0, (t - 1.0) * 3))  # 1/3 s sweep
    pts = np.stack([x, np.full_like(x, 0.5), np.zeros_like(x)], axis=1)
    out = np.array([filt.filter_points(p[None], size, ti, object_scale_px=400.0)[0] for p, ti in zip(pts, t)])
    # One Euro opens up when the point moves fast: within 3 frames of the move's end it is
    # within 2 % of the frame of where it stopped.
    end = int(np.argmax(t >= 1.0 + 1 / 3))
    assert abs(out[end + 3, 0] - 0.7) < 0.02


def test_visibility_filter_blends_one_tenth_new():
    vf = VisibilityFilter()
    a = vf.apply(_out(np.full((33, 4), 1.0)), 0.0, None)
    b = vf.apply(_out(np.zeros((33, 4))), 0.1, None)  # new visibility 0
    assert a.points_norm[0, 3] == pytest.approx(1.0)
    assert b.points_norm[0, 3] == pytest.approx(0.9)
    assert b.points_norm[0, 0] == 0.0  # x, y, z untouched


def test_chain_runs_every_filter_in_order_and_resets_them():
    calls = []

    class Tag:
        def __init__(self, name):
            self.name = name

        def apply(self, out, timestamp_s, object_scale_px):
            calls.append(self.name)
            return out

        def reset(self):
            calls.append("reset " + self.name)

    chain = FilterChain([Tag("a"), Tag("b")])
    chain.apply(_out(np.zeros((33, 4))), 0.0, None)
    chain.reset()
    assert calls == ["a", "b", "reset a", "reset b"]


def test_mediapipe_chain_smooths_image_and_world_landmarks():
    rng = np.random.default_rng(3)
    chain = mediapipe_chain()
    raw_world, out_world, raw_xy, out_xy = [], [], [], []
    for i in range(60):
        lm = np.full((33, 4), 0.5, np.float32)
        lm[:, :2] += rng.normal(0, 0.004, (33, 2))
        world = rng.normal(0, 0.01, (33, 3)).astype(np.float32)
        f = chain.apply(_out(lm, (640, 480), world=world), i / 30, 300.0)
        assert np.isfinite(f.points_norm).all() and np.isfinite(f.extras["world"]).all()
        raw_xy.append(lm[:, :2]); out_xy.append(f.points_norm[:, :2])
        raw_world.append(world); out_world.append(f.extras["world"])
    assert _jitter(np.array(out_xy)) < _jitter(np.array(raw_xy)) / 2
    assert _jitter(np.array(out_world)) < _jitter(np.array(raw_world)) / 2


def test_world_filter_passes_frames_without_world():
    f = _out(np.zeros((33, 4)))
    assert WorldLandmarkFilter().apply(f, 0.0, None) is f


def test_keyed_image_filter_smooths_only_its_extra():
    filt = ImageLandmarkFilter(BODY_PARAMS, key="aux")
    filt.apply(_out(np.zeros((33, 4)), (100, 100), aux=np.zeros((2, 3), np.float32)), 0.0, 50.0)
    out = filt.apply(_out(np.full((33, 4), 0.5), (100, 100), aux=np.full((2, 3), 0.5, np.float32)), 0.1, 50.0)
    assert (out.points_norm == 0.5).all()  # the points pass untouched
    assert 0.0 < out.extras["aux"][0, 0] < 0.5  # the aux points are smoothed


def test_tiny_object_scale_disables_smoothing():
    filt = ImageLandmarkFilter(BODY_PARAMS)
    filt.filter_points(np.zeros((1, 3)), (100, 100), 0.0, 1e-9)
    out = filt.filter_points(np.full((1, 3), 0.3), (100, 100), 0.1, 1e-9)
    np.testing.assert_allclose(out, 0.3, rtol=1e-6)


def test_non_finite_timestamp_returns_the_raw_value():
    f = OneEuroFilter(0.05, 80.0)
    f.apply(np.array([1.0]), 1.0)
    assert f.apply(np.array([3.0]), float("nan"))[0] == 3.0
    assert np.isfinite(f.apply(np.array([2.0]), 1.1)).all()


def test_mask_uncertainty_is_squared_binary_entropy():
    from pose.smoothing import mask_uncertainty

    u = mask_uncertainty(np.array([0.0, 0.5, 0.75, 0.9, 1.0]))
    h75 = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    h90 = -(0.9 * math.log2(0.9) + 0.1 * math.log2(0.1))
    np.testing.assert_allclose(u, [0.0, 1.0, h75 ** 2, h90 ** 2, 0.0], atol=1e-5)


def test_mask_filter_leans_on_the_past_only_where_unsure():
    from pose.smoothing import MaskFilter, mask_uncertainty

    def frame(mask, ts):
        return _out(np.zeros((33, 4)), (3, 2), mask=np.asarray(mask, np.float32))

    mf = MaskFilter(0.7)
    prev = np.array([[0.0, 1.0, 0.2], [0.9, 0.1, 0.5]], np.float32)
    new = np.array([[1.0, 0.0, 0.5], [0.9, 0.6, 0.5]], np.float32)
    assert mf.apply(frame(prev, 0.0), 0.0, None).extras["mask"] is not None  # first mask passes
    out = mf.apply(frame(new, 0.1), 0.1, None).extras["mask"]
    want = new + (prev - new) * mask_uncertainty(new) * 0.7
    np.testing.assert_allclose(out, want, atol=0.01)  # the table is 8-bit
    assert out[0, 0] == pytest.approx(1.0, abs=1e-3)  # certain: the new value stands
    assert out[0, 2] == pytest.approx(0.5 + (0.2 - 0.5) * 0.7, abs=0.01)  # 0.5: 70 % past
    # Another frame size (a new camera) starts over; frames without a mask pass through.
    other = np.full((4, 4), 0.5, np.float32)
    np.testing.assert_array_equal(mf.apply(_out(np.zeros((33, 4)), (4, 4), mask=other), 0.2, None).extras["mask"], other)
    plain = _out(np.zeros((33, 4)), (4, 4))
    assert mf.apply(plain, 0.3, None) is plain
