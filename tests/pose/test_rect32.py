"""pose.rect32 and the float32 One Euro: mediapipe's calculator arithmetic, checked against
plain transcriptions of its C++ (one rounding per float operation) and against geometry.

The end-to-end check, bit-for-bit ROIs and world landmarks against mediapipe 0.10.21 on
real footage, is test_fidelity.py and benchmarks/bench_pose.py.
"""
import math

import numpy as np

from pose import rect32
from pose.frame import NormRect
from pose.smoothing import MediapipeOneEuroFilter

F = np.float32


def test_sigmoid_is_glibcs_float_sigmoid():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(0, 6, 20000), rng.uniform(-100, 100, 2000), [0.0, -6e-8, 88.8, -88.8, 104.0]])
    x = x.astype(np.float32)
    want = np.array([F(1) / (F(1) + F(rect32.expf(float(-v)))) for v in x], np.float32)
    np.testing.assert_array_equal(rect32.sigmoid(x), want)
    assert rect32.sigmoid(np.float32([-6e-8]))[0] == F(0.5)  # float32 maths, as mediapipe's


def test_alignment_rect_geometry():
    size = (400, 300)
    # Scale point straight above the centre: upright, side 2 x 100 px.
    r = rect32.alignment_rect(np.float32([[100 / 400, 200 / 300], [100 / 400, 100 / 300]]), size)
    assert abs(r.x_center * 400 - 100) < 1e-4 and abs(r.y_center * 300 - 200) < 1e-4
    assert abs(r.width * 400 - 200) < 1e-3 and abs(r.height * 300 - 200) < 1e-3
    assert abs(r.rotation_rad) < 1e-6
    # Scale point to the right: the body lies along +x, so the crop turns by +90 degrees.
    r = rect32.alignment_rect(np.float32([[0.5, 0.5], [0.75, 0.5]]), size)
    assert abs(r.rotation_rad - math.pi / 2) < 1e-6
    # Every field is a float32 value.
    for v in (r.x_center, r.y_center, r.width, r.height, r.rotation_rad):
        assert float(F(v)) == v


def test_roi_rect_is_a_scaled_square_in_pixels():
    size = (1080, 1920)
    pts = np.float32([[0.41, 0.52], [0.43, 0.21]])
    rect = rect32.roi_rect(pts, size)
    roi = rect32.crop_roi(rect, size)
    dist = math.hypot((pts[1, 0] - pts[0, 0]) * 1080, (pts[1, 1] - pts[0, 1]) * 1920)
    assert abs(roi.size_px - 1.25 * 2 * dist) < 1e-3
    assert abs(rect.width * 1080 - rect.height * 1920) < 1e-3
    assert roi.rect is rect and roi.rotation_rad == rect.rotation_rad
    pad_x, pad_y = rect32.letterbox_padding(rect, size)
    assert 0 <= pad_x < 1e-6 and 0 <= pad_y < 1e-6  # at most a float-rounding sliver


def test_project_landmarks_maps_the_crop_into_the_frame():
    rect = NormRect(0.5, 0.25, 0.5, 0.25, float(F(math.pi / 2)))  # 200 px square on 400 x 800
    pts = np.float32([[0.5, 0.5, 0.1], [0.5, 0.0, 0.0], [1.0, 0.5, 0.0]])
    out = rect32.project_landmarks(pts, rect, (0.0, 0.0))
    px = out[:, :2] * [400, 800]
    np.testing.assert_allclose(px[0], [200, 200], atol=1e-3)  # the crop centre
    # Rotated by +90 degrees: the crop's top (the head) lies to the frame's right... and the
    # crop's right edge below the centre.
    np.testing.assert_allclose(px[1], [300, 200], atol=1e-3)
    np.testing.assert_allclose(px[2], [200, 300], atol=1e-3)
    assert abs(out[0, 2] - 0.1 * 0.5) < 1e-7  # z scales with the rect's width
    w = rect32.rotate_world(np.float32([[1.0, 0.0, 0.3]]), rect.rotation_rad)
    np.testing.assert_allclose(w, [[0.0, 1.0, 0.3]], atol=1e-6)


def _one_euro_transcription(values, times_us, value_scale, min_cutoff, beta, dcut=1.0, freq=30.0):
    """Mediapipe's OneEuroFilter + LowPassFilter for one value, statement by statement."""
    min_cutoff, beta, dcut, freq = float(F(min_cutoff)), float(F(beta)), float(F(dcut)), float(F(freq))
    last = -1
    x_init = dx_init = False
    x_raw = x_stored = dx_stored = F(0)

    def alpha(c):
        te = 1.0 / freq
        tau = 1.0 / (2 * math.pi * c)
        return 1.0 / (1.0 + tau / te)

    def lpf(stored, init, v, a):
        v, a = F(v), F(a)
        return v if not init else F(float(a * v) + (1.0 - float(a)) * float(stored))

    out = []
    for v, t_us in zip(values, times_us):
        t = int(t_us) * 1000
        if last >= t:
            out.append(F(v))
            continue
        if last != 0 and t != 0:
            freq = 1.0 / ((t - last) * 1e-9)
        last = t
        dv = (float(v) - float(x_raw)) * float(value_scale) * freq if x_init else 0.0
        dx_stored = lpf(dx_stored, dx_init, dv, alpha(dcut))
        dx_init = True
        cutoff = min_cutoff + beta * abs(float(dx_stored))
        x_stored = lpf(x_stored, x_init, v, alpha(cutoff))
        x_raw, x_init = F(v), True
        out.append(x_stored)
    return np.array(out, np.float32)


def test_one_euro_is_mediapipes_bit_for_bit():
    rng = np.random.default_rng(3)
    values = np.cumsum(rng.normal(0, 3, 60)).astype(np.float32) + F(500)
    times_us = np.concatenate([[0], np.cumsum(rng.integers(30000, 36000, 59))])  # starts at 0
    times_us[20] = times_us[19]  # a timestamp that does not advance
    scale = float(F(1) / F(312.5))
    f = MediapipeOneEuroFilter(0.01, 10.0, 1.0)
    got = np.array([f.apply(np.float32([v]), t * 1e-6, scale)[0] for v, t in zip(values, times_us)], np.float32)
    np.testing.assert_array_equal(got, _one_euro_transcription(values, times_us, scale, 0.01, 10.0))
    assert got[20] == values[20]  # passed through, as mediapipe does


def test_one_euro_keeps_the_default_frequency_after_a_zero_timestamp():
    f = MediapipeOneEuroFilter(0.05, 80.0)
    f.apply(np.float32([1.0]), 0.0)
    f.apply(np.float32([2.0]), 0.5)  # 2 Hz apart, but the last timestamp was 0
    assert f.frequency_hz == float(F(30.0))
    f.apply(np.float32([3.0]), 1.0)
    assert abs(f.frequency_hz - 2.0) < 1e-9
    f.reset()
    assert f.apply(np.float32([7.0, -1.5]), 3.0).tolist() == [7.0, -1.5]  # the first value passes
