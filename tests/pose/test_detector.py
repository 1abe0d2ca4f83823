"""Person detector: anchors, decoding, weighted NMS, letterbox, and the real model on real
footage (one person found where mediapipe put them; nobody in noise)."""
from pathlib import Path

import numpy as np
import pytest

from pose.detector import (
    INPUT_SIZE_PX,
    KP_HIP,
    NUM_ANCHORS,
    PoseDetector,
    decode,
    generate_anchors,
    letterbox_matrix,
    weighted_nms,
)
from pose.errors import DanceError

REF = Path(__file__).parent / "fixtures" / "mediapipe_ref.npz"


def _first_frame(name: str) -> np.ndarray:
    import cv2

    from pose.samples import sample_path

    try:
        path = sample_path(name)
    except DanceError as e:
        pytest.skip(str(e))
    cap = cv2.VideoCapture(str(path))
    ok, bgr = cap.read()
    cap.release()
    assert ok, f"cannot decode {path}"
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def detector():
    return PoseDetector()


def test_anchor_count_and_layout():
    a = generate_anchors()
    assert a.shape == (NUM_ANCHORS, 2) == (2254, 2)
    # 28x28 cells x 2, then 14x14 x 2, then 7x7 x 6 (three stride-32 layers merged).
    np.testing.assert_allclose(a[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(a[1], a[0])  # two anchors per cell
    np.testing.assert_allclose(a[2], [1.5 / 28, 0.5 / 28])  # x runs fastest
    np.testing.assert_allclose(a[2 * 28], [0.5 / 28, 1.5 / 28])
    s1 = 28 * 28 * 2
    np.testing.assert_allclose(a[s1], [0.5 / 14, 0.5 / 14])
    s2 = s1 + 14 * 14 * 2
    np.testing.assert_allclose(a[s2:s2 + 6], np.tile([0.5 / 7, 0.5 / 7], (6, 1)))
    np.testing.assert_allclose(a[-1], [6.5 / 7, 6.5 / 7])
    assert (a > 0).all() and (a < 1).all()


@pytest.mark.parametrize("w, h, pad_x, pad_y", [
    (1080, 1920, (1 - 1080 / 1920) / 2, 0.0),
    (1920, 1080, 0.0, (1 - 1080 / 1920) / 2),
    (500, 500, 0.0, 0.0),
])
def test_letterbox_keeps_aspect_and_centres(w, h, pad_x, pad_y):
    m, px, py = letterbox_matrix(w, h)
    assert (px, py) == pytest.approx((pad_x, pad_y))
    def to_tensor(x, y):
        return m @ np.array([x, y, 1.0])
    np.testing.assert_allclose(to_tensor(w / 2, h / 2), [INPUT_SIZE_PX / 2] * 2)
    # The frame's corners land on the padding's inner edges.
    np.testing.assert_allclose(to_tensor(0, 0), [pad_x * INPUT_SIZE_PX, pad_y * INPUT_SIZE_PX])
    np.testing.assert_allclose(to_tensor(w, h), [(1 - pad_x) * INPUT_SIZE_PX, (1 - pad_y) * INPUT_SIZE_PX])


def test_decode_one_row_by_hand():
    anchors = np.array([[0.25, 0.75]], np.float32)
    raw = np.zeros((1, 12), np.float32)
    raw[0, :4] = [22.4, -11.2, 44.8, 22.4]  # dx, dy, w, h in 224-px units
    raw[0, 4:6] = [0.0, 22.4]  # keypoint 0
    boxes, kps, scores = decode(raw, np.array([2.0], np.float32), anchors, 0.5)
    cx, cy, bw, bh = 0.35, 0.70, 0.2, 0.1
    np.testing.assert_allclose(boxes[0], [cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], atol=1e-6)
    np.testing.assert_allclose(kps[0, 0], [0.25, 0.85], atol=1e-6)
    assert scores[0] == pytest.approx(1 / (1 + np.exp(-2.0)))
    # Below the threshold: nothing. A huge logit does not overflow (clipped to ±100).
    assert decode(raw, np.array([-2.0], np.float32), anchors, 0.5)[0].shape == (0, 4)
    assert decode(raw, np.array([1e6], np.float32), anchors, 0.5)[2][0] == pytest.approx(1.0)


def test_weighted_nms_averages_a_cluster_and_keeps_the_top_score():
    boxes = np.array([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [5.0, 5.0, 6.0, 6.0]], np.float32)
    kps = np.zeros((3, 4, 2), np.float32)
    kps[:, 0, 0] = [0.0, 1.0, 9.0]
    scores = np.array([0.9, 0.6, 0.7], np.float32)
    out = weighted_nms(boxes, kps, scores)
    assert [round(s, 6) for s, _, _ in out] == [0.9, 0.7]
    _, box, kp = out[0]
    np.testing.assert_allclose(box[0], (0.0 * 0.9 + 0.1 * 0.6) / 1.5, atol=1e-6)
    np.testing.assert_allclose(kp[0, 0], 0.6 / 1.5, atol=1e-6)
    np.testing.assert_allclose(out[1][1], boxes[2])  # a lone box stays as it is


def test_weighted_nms_separates_boxes_below_the_iou_threshold():
    # IoU of these two is 1/3 ... just above 0.3 -> merged; shift further -> kept apart.
    a = np.array([0.0, 0.0, 1.0, 1.0], np.float32)
    b = np.array([0.5, 0.0, 1.5, 1.0], np.float32)
    c = np.array([0.6, 0.0, 1.6, 1.0], np.float32)
    kps = np.zeros((2, 4, 2), np.float32)
    assert len(weighted_nms(np.stack([a, b]), kps, np.array([0.9, 0.8], np.float32))) == 1
    assert len(weighted_nms(np.stack([a, c]), kps, np.array([0.9, 0.8], np.float32))) == 2
    assert weighted_nms(np.zeros((0, 4), np.float32), np.zeros((0, 4, 2), np.float32), np.zeros(0, np.float32)) == []


def test_finds_the_one_person_where_mediapipe_did(detector):
    rgb = _first_frame("Demo_SinglePerson/cam01.mp4")
    dets = detector.detect(rgb)
    assert len(dets) == 1
    d = dets[0]
    assert d.score > 0.8
    ref = np.load(REF)["v0_landmarks"][0]  # mediapipe's landmarks on this frame
    hip_mid = ref[[23, 24], :2].mean(axis=0)
    # The detector's keypoint 0 is the mid-hip: within 2 % of the frame of mediapipe's hips.
    assert np.linalg.norm(d.keypoints_norm[KP_HIP] - hip_mid) < 0.02
    # BlazePose's detector boxes the face: nose, eyes, ears and mouth fall inside it.
    x0, y0, x1, y1 = d.box_norm
    face = ref[:11, :2]
    assert ((face[:, 0] > x0) & (face[:, 0] < x1) & (face[:, 1] > y0) & (face[:, 1] < y1)).all()


@pytest.mark.parametrize("kind", ["black", "grey", "noise"])
def test_nobody_in_blank_or_noise_frames(detector, kind):
    rng = np.random.default_rng(0)
    img = {
        "black": np.zeros((480, 640, 3), np.uint8),
        "grey": np.full((720, 1280, 3), 128, np.uint8),
        "noise": rng.integers(0, 256, (1920, 1080, 3), dtype=np.uint8),
    }[kind]
    assert detector.detect(img) == []
