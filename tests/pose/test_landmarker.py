"""Landmark model stage: ROI geometry, the crop warp, heatmap refinement, projection, world
landmarks and the segmentation mask, on real footage."""
import math
from pathlib import Path

import numpy as np
import pytest

from pose.errors import DanceError
from pose.frame import Roi
from pose.landmarker import PoseLandmarker, refine_from_heatmap
from pose.roi import (
    crop_matrix,
    normalize_radians,
    project_to_image,
    roi_from_alignment,
    rotate_world,
    warp_crop,
)

REF = Path(__file__).parent / "fixtures" / "mediapipe_ref.npz"


def _frames(name: str, n: int) -> list[np.ndarray]:
    import cv2

    from pose.samples import sample_path

    try:
        path = sample_path(name)
    except DanceError as e:
        pytest.skip(str(e))
    cap = cv2.VideoCapture(str(path))
    out = []
    while len(out) < n:
        ok, bgr = cap.read()
        assert ok, f"cannot decode {path}"
        out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return out


@pytest.mark.parametrize("centre, scale_pt, size, rot_deg", [
    ((100, 200), (100, 100), 250.0, 0.0),    # scale point straight above: upright
    ((100, 200), (200, 200), 250.0, 90.0),   # to the right: the body lies rotated 90°
    ((100, 200), (100, 300), 250.0, 180.0),  # below: upside down (wraps to -180)
    ((0, 0), (-30, -40), 125.0, -36.8699),
])
def test_roi_from_alignment(centre, scale_pt, size, rot_deg):
    roi = roi_from_alignment(centre, scale_pt)
    assert (roi.centre_x_px, roi.centre_y_px) == centre
    assert roi.size_px == pytest.approx(size)
    assert math.degrees(normalize_radians(roi.rotation_rad - math.radians(rot_deg))) == pytest.approx(0, abs=1e-3)


def test_normalize_radians_range():
    for a in np.linspace(-20, 20, 81):
        n = normalize_radians(a)
        assert -math.pi <= n < math.pi
        assert math.cos(n) == pytest.approx(math.cos(a)) and math.sin(n) == pytest.approx(math.sin(a))


@pytest.mark.parametrize("rot", [0.0, 0.4, -2.5])
def test_crop_matrix_and_projection_are_inverse(rot):
    roi = Roi(300.0, 500.0, 400.0, rot)
    w, h = 640, 960
    m = crop_matrix(roi, 256)
    rng = np.random.default_rng(0)
    pts_px = rng.uniform(0, 600, (20, 2))
    crop_px = pts_px @ m[:, :2].T + m[:, 2]
    back = project_to_image(np.c_[crop_px / 256, np.zeros(20)], roi, (w, h))
    np.testing.assert_allclose(back[:, 0] * w, pts_px[:, 0], atol=1e-3)
    np.testing.assert_allclose(back[:, 1] * h, pts_px[:, 1], atol=1e-3)
    # The crop centre is the ROI centre; z scales like x.
    c = project_to_image(np.array([[0.5, 0.5, 0.1]]), roi, (w, h))[0]
    assert c[:2] * [w, h] == pytest.approx([300.0, 500.0])
    assert c[2] == pytest.approx(0.1 * 400 / w)


def test_crop_is_pixel_for_pixel_mediapipes_opencv4_warp():
    """Crops by OpenCV 4's warpPerspective (mediapipe's resampler; the fixture comes from
    benchmarks/opencv4_warp_fixture.py): ours must equal them exactly. OpenCV 5's own
    warpPerspective does not, which is why the project computes the maps itself."""
    import cv2

    from pose.roi import box_points, warp_mediapipe

    ref = np.load(Path(__file__).parent / "fixtures" / "opencv4_warp.npz")
    assert str(ref["opencv"]).startswith("4.")
    img = np.random.default_rng(2).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    for k, (cx, cy, side, rot, n, border) in enumerate(ref["cases"]):
        want = ref[f"crop{k}"]
        if int(border) == cv2.BORDER_REPLICATE:
            got = warp_crop(img, Roi(cx, cy, side, rot), int(n))
        else:
            got = warp_mediapipe(img, box_points((cx, cy), (side, side), 0.0), int(n), int(border))
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want, err_msg=f"case {k}")


def test_crop_border_replicates_edge_pixels():
    img = np.full((100, 100, 3), 200, np.uint8)
    crop = warp_crop(img, Roi(0.0, 0.0, 100.0, 0.0), 32)  # three quarters outside the frame
    assert (crop == 200).all()


def _blob(n, centres_cells, peak_logit=6.0, sigma=1.0):
    yy, xx = np.mgrid[0:64, 0:64]
    hm = np.full((64, 64, n), -10.0, np.float32)
    for k, (cx, cy) in enumerate(centres_cells):
        g = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma ** 2))
        hm[:, :, k] = -10.0 + (peak_logit + 10.0) * g
    return hm


def test_refinement_moves_points_to_the_heatmap_peak():
    hm = _blob(2, [(20.0, 30.0), (40.0, 10.0)])
    xy = np.array([[21.7 / 64, 28.9 / 64], [38.5 / 64, 11.9 / 64]], np.float32)
    out = refine_from_heatmap(xy, hm)
    np.testing.assert_allclose(out * 64, [[20.0, 30.0], [40.0, 10.0]], atol=0.05)


def test_refinement_leaves_unconfident_or_outside_points():
    hm = _blob(3, [(20, 30), (20, 30), (20, 30)], peak_logit=-1.0)  # max sigmoid 0.27 < 0.5
    xy = np.array([[0.33, 0.45], [-0.2, 0.5], [1.3, 0.5]], np.float32)
    np.testing.assert_array_equal(refine_from_heatmap(xy, hm), xy)


def test_refinement_keeps_mediapipe_quirks_at_the_edges():
    hm = _blob(2, [(0.0, 10.0), (30.0, 63.0)])
    # x just below 0 truncates to column 0 (C++ int()), so it is refined like column 0.
    # y just past the bottom row is outside (0.10.21 checks the row against the height;
    # older releases compared the column twice and refined it) and stays as it is.
    xy = np.array([[-0.004, 10 / 64], [30 / 64, 64.5 / 64]], np.float32)
    out = refine_from_heatmap(xy, hm)
    assert out[0, 0] > 0 and abs(out[0, 1] * 64 - 10) < 0.05
    np.testing.assert_array_equal(out[1], xy[1])


def test_rotate_world_rotates_xy_only():
    p = np.array([[1.0, 0.0, 0.5]], np.float32)
    np.testing.assert_allclose(rotate_world(p, math.pi / 2), [[0.0, 1.0, 0.5]], atol=1e-6)


@pytest.fixture(scope="module")
def seg_landmarker():
    return PoseLandmarker(segmentation=True)


def test_real_frame_landmarks_world_and_mask(seg_landmarker):
    from pose.detector import PoseDetector
    from pose.roi import roi_from_points_norm

    rgb = _frames("Demo_SinglePerson/cam01.mp4", 1)[0]
    h, w = rgb.shape[:2]
    det = PoseDetector().detect(rgb)[0]
    roi = roi_from_points_norm(det.keypoints_norm[[0, 1]], (w, h))
    res = seg_landmarker.run(rgb, roi)
    assert res is not None and res.pose_flag > 0.9
    assert res.landmarks.shape == (33, 4) and res.world.shape == (33, 3) and res.aux.shape == (2, 3)
    assert np.isfinite(res.landmarks).all() and np.isfinite(res.world).all()
    ref = np.load(REF)["v0_landmarks"][0]
    err = np.hypot(*((res.landmarks[:, :2] - ref[:, :2]) * [w, h]).T) / w
    assert np.median(err) < 0.005  # the first frame, straight from the detector's ROI
    # World landmarks: metres, origin between the hips; the person is upright (+y is down).
    hips = res.world[[23, 24]].mean(axis=0)
    assert np.abs(hips).max() < 0.1
    assert res.world[0, 1] < -0.4 and res.world[27, 1] > 0.4  # nose above, ankles below
    # The mask is frame-sized, a probability, high on the torso and low far away.
    m = res.mask
    assert m.shape == (h, w) and m.dtype == np.float32 and 0 <= m.min() and m.max() <= 1
    torso = (res.landmarks[[11, 12, 23, 24], :2].mean(axis=0) * [w, h]).astype(int)
    assert m[torso[1], torso[0]] > 0.9
    assert m[5, w - 5] < 0.1


def test_pose_flag_below_threshold_gives_none(seg_landmarker):
    img = np.zeros((400, 300, 3), np.uint8)
    assert seg_landmarker.run(img, Roi(150.0, 200.0, 200.0, 0.0)) is None


def _refine_loop(xy, hm, kernel=9, min_conf=0.5):
    """A plain transcription of mediapipe's per-landmark loop in C++ float arithmetic (one
    rounding per operation, glibc's expf), to check the vectorised one bit for bit."""
    from pose.rect32 import expf

    f = np.float32
    hm_h, hm_w, n = hm.shape
    out = np.array(xy, np.float32, copy=True)
    off = (kernel - 1) // 2
    for k in range(n):
        col = int(f(xy[k, 0]) * f(hm_w))
        row = int(f(xy[k, 1]) * f(hm_h))
        if col < 0 or col >= hm_w or row < 0 or row >= hm_h:
            continue
        total = wc = wr = mx = f(0)
        for r in range(max(0, row - off), min(hm_h, row + off + 1)):
            for c in range(max(0, col - off), min(hm_w, col + off + 1)):
                # Mediapipe's Sigmoid is float32: 1.0f / (1.0f + expf(-x)), so a logit of
                # -6e-8 gives exactly 0.5 (and refines), where double math gives less.
                conf = f(1) / (f(1) + f(expf(float(-f(hm[r, c, k])))))
                total = total + conf
                mx = max(mx, conf)
                wc = wc + f(c) * conf
                wr = wr + f(r) * conf
        if mx >= f(min_conf) and total > 0:
            out[k] = (wc / f(hm_w) / total, wr / f(hm_h) / total)
    return out


def test_vectorised_refinement_equals_the_reference_loop():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    coords = arrays(np.float32, (6, 2), elements=st.floats(-0.25, 1.25, width=32))
    logits = arrays(np.float32, (16, 16, 6), elements=st.floats(-8, 8, width=32))

    @settings(max_examples=60, deadline=None)
    @given(coords, logits, st.sampled_from([3, 7, 9]))
    def check(xy, hm, kernel):
        np.testing.assert_array_equal(refine_from_heatmap(xy, hm, kernel=kernel), _refine_loop(xy, hm, kernel))

    check()
