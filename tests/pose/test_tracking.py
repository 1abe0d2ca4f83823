"""The generic Tracker through its public API, with the real body parts injected, over
real footage of one and of two people (pose2sim), plus its boundary types."""
import numpy as np
import pytest

from pose.body.config import BodyLandmarkModel, BodyRoiRule, aux_filter
from pose.detector import PoseDetector
from pose.frame import Roi
from pose.landmarker import PoseLandmarker
from pose.smoothing import mediapipe_chain
from pose.tracking import Detection, LandmarkOutput, TrackedObject, Tracker
from pose.tracking.types import checked_array, roi_iou


def _frames(name: str, n: int) -> list[np.ndarray]:
    import cv2

    from pose.samples import sample_path

    cap = cv2.VideoCapture(str(sample_path(name)))
    out = []
    while len(out) < n:
        ok, bgr = cap.read()
        assert ok
        out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return out


@pytest.fixture(scope="module")
def one_person() -> list[np.ndarray]:
    return _frames("Demo_SinglePerson/cam01.mp4", 40)


@pytest.fixture(scope="module")
def two_people() -> list[np.ndarray]:
    return _frames("Demo_MultiPerson/cam04.mp4", 40)


@pytest.fixture(scope="module")
def parts():
    return PoseDetector(), PoseLandmarker()


class Counting:
    """Counts the filters a tracker builds (one per new track), each mediapipe's chain."""

    def __init__(self):
        self.made = 0

    def __call__(self):
        self.made += 1
        return mediapipe_chain()


def _tracker(parts, max_objects=1, make_filter=None) -> Tracker:
    det, lm = parts
    return Tracker(det, BodyLandmarkModel(lm), BodyRoiRule(), make_filter, max_objects, make_roi_filter=aux_filter)


def _hip_centre(obj: TrackedObject) -> np.ndarray:
    return obj.output.points_norm[[23, 24], :2].mean(axis=0)


def test_one_object_is_detected_once_then_tracked_from_its_landmarks(parts, one_person):
    filters = Counting()
    tr = _tracker(parts, 1, filters)
    seen = [tr.process(rgb, i / 60) for i, rgb in enumerate(one_person)]
    assert all(len(objs) == 1 for objs in seen)
    assert {objs[0].track_id for objs in seen} == {seen[0][0].track_id}
    assert [objs[0].detected for objs in seen] == [True] + [False] * (len(seen) - 1)
    assert tr.detector_calls == 1 and tr.landmark_calls == len(one_person)
    assert filters.made == 1
    assert tr.last_timings_ms["detector"] == 0.0 and tr.last_timings_ms["landmark"] > 0
    out = seen[-1][0].output
    assert out.points_norm.shape == (33, 4) and out.image_size_wh == (1080, 1920)
    assert out.extras["world"].shape == (33, 3)


def test_room_for_two_keeps_detecting_but_drops_detections_of_the_tracked_person(parts, one_person):
    tr = _tracker(parts, 2)
    seen = [tr.process(rgb, i / 60) for i, rgb in enumerate(one_person)]
    # Fewer than two tracked: the detector runs on every frame, finds the same person and
    # its ROI overlaps the live track, so no second track appears.
    assert tr.detector_calls == len(one_person)
    assert all(len(objs) == 1 for objs in seen)
    assert len({objs[0].track_id for objs in seen}) == 1


def test_two_people_each_tracked_from_their_own_landmarks(parts, two_people):
    tr = _tracker(parts, 2, Counting())
    seen = [tr.process(rgb, i / 60) for i, rgb in enumerate(two_people)]
    assert all(len(objs) == 2 for objs in seen)
    assert tr.detector_calls == 1  # both found at once; tracking holds after that
    ids = {tuple(o.track_id for o in objs) for objs in seen}
    assert ids == {(0, 1)}
    assert all(not o.detected for objs in seen[1:] for o in objs)
    for k in range(2):  # each id stays on its own person: small steps, the two far apart
        hips = np.array([_hip_centre(objs[k]) for objs in seen])
        assert np.abs(np.diff(hips, axis=0)).max() < 0.05
    gap = np.array([np.abs(_hip_centre(a) - _hip_centre(b)).max() for a, b in seen])
    assert gap.min() > 0.15
    assert all(roi_iou(a.output.roi, b.output.roi) < 0.5 for a, b in seen)


def test_a_lost_object_is_found_again_under_a_new_id_with_fresh_filters(parts, one_person):
    filters = Counting()
    tr = _tracker(parts, 1, filters)
    black = np.zeros_like(one_person[0])
    first = tr.process(one_person[0], 0.0)
    assert tr.tracking
    assert tr.process(black, 1 / 60) == [] and not tr.tracking
    assert tr.process(black, 2 / 60) == []
    again = tr.process(one_person[1], 3 / 60)
    assert len(again) == 1 and again[0].detected
    assert again[0].track_id != first[0].track_id
    assert filters.made == 2
    assert tr.detector_calls == 3  # not on the frame it was lost on: that ran the landmark model only
    tr.reset()
    assert not tr.tracking and tr.process(one_person[2], 4 / 60)[0].detected


def test_a_filter_that_gives_nan_is_reset_and_the_raw_output_kept(parts, one_person):
    class Broken:
        resets = 0

        def apply(self, out, timestamp_s, object_scale_px):
            return out.with_points(np.full_like(out.points_norm, np.nan))

        def reset(self):
            Broken.resets += 1

    tr = _tracker(parts, 1, Broken)
    for i, rgb in enumerate(one_person[:3]):
        objs = tr.process(rgb, i / 60)
        assert np.isfinite(objs[0].output.points_norm).all()
    assert Broken.resets == 3


def test_bad_input_is_one_line():
    from pose.errors import DanceError

    tr = Tracker(None, None, None)  # checks the frame before touching any part
    for bad, msg in ((np.zeros((4, 4, 3), np.float32), "uint8"), ("x", "numpy array")):
        with pytest.raises(DanceError, match=msg):
            tr.process(bad, 0.0)
    with pytest.raises(DanceError, match="timestamp_s"):
        tr.process(np.zeros((4, 4, 3), np.uint8), float("nan"))
    with pytest.raises(ValueError, match="max_objects"):
        Tracker(None, None, None, max_objects=0)


def test_types_check_their_shapes():
    d = Detection(0.9, [0, 0, 1, 1], [[0.5, 0.5]] * 4)
    assert d.box_norm.dtype == np.float32 and d.keypoints_norm.shape == (4, 2)
    with pytest.raises(ValueError, match=r"box_norm must have shape \(4,\), got \(3,\)"):
        Detection(0.9, [0, 0, 1], [[0.5, 0.5]])
    with pytest.raises(ValueError, match=r"keypoints_norm must have shape \(N, 2\)"):
        Detection(0.9, [0, 0, 1, 1], [0.5, 0.5])
    roi = Roi(10, 10, 20, 0)
    with pytest.raises(ValueError, match="at least 3 columns"):
        LandmarkOutput(np.zeros((5, 2)), 1.0, roi)
    out = LandmarkOutput(np.zeros((5, 3)), 1.0, roi, {"a": 1})
    with pytest.raises(TypeError):
        out.extras["a"] = 2  # read-only: filters replace, never mutate
    assert out.with_extras(b=2).extras == {"a": 1, "b": 2} and out.extras == {"a": 1}
    assert checked_array("m", np.zeros((2, 3)), (None, 3)).shape == (2, 3)


def test_roi_iou():
    a = Roi(0, 0, 10, 0)
    assert roi_iou(a, a) == pytest.approx(1.0)
    assert roi_iou(a, Roi(5, 0, 10, 1.0)) == pytest.approx(50 / 150)  # rotation ignored
    assert roi_iou(a, Roi(100, 0, 10, 0)) == 0.0
