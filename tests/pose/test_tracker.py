"""BodyTracker through its public API: tracking mode, nobody, odd inputs, reset, smoothing."""
import numpy as np
import pytest

from pose.errors import DanceError
from pose.frame import PoseFrame
from pose.tracker import BodyTracker, as_rgb


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    import cv2

    from pose.samples import sample_path

    try:
        path = sample_path("Demo_SinglePerson/cam01.mp4")
    except DanceError as e:
        pytest.skip(str(e))
    cap = cv2.VideoCapture(str(path))
    out = []
    while len(out) < 30:
        ok, bgr = cap.read()
        assert ok
        out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return out


@pytest.fixture(scope="module")
def tracker() -> BodyTracker:
    return BodyTracker(smooth=False)


def test_tracking_mode_skips_the_detector_after_the_first_frame(tracker, frames):
    tracker.reset()
    d0, l0 = tracker.detector_calls, tracker.landmark_calls
    for i, rgb in enumerate(frames[:5]):
        f = tracker.process(rgb, i / 60)
        assert isinstance(f, PoseFrame)
    assert tracker.detector_calls - d0 == 1
    assert tracker.landmark_calls - l0 == 5
    assert tracker.tracking
    assert tracker.last_timings_ms["detector"] == 0.0
    assert tracker.last_timings_ms["total"] >= tracker.last_timings_ms["landmark"] > 0
    tracker.reset()
    tracker.process(frames[0], 1.0)
    assert tracker.detector_calls - d0 == 2  # reset forgets the person


def test_found_person_is_never_nan_and_fields_are_filled(tracker, frames):
    tracker.reset()
    for i, rgb in enumerate(frames):
        f = tracker.process(rgb, i / 60)
        assert f is not None
        assert np.isfinite(f.landmarks).all() and np.isfinite(f.world).all()
        assert f.image_size == (1080, 1920) and f.timestamp_s == i / 60
        assert 0.5 <= f.presence <= 1.0 and f.roi is not None and f.mask is None
        assert ((0 <= f.visibility) & (f.visibility <= 1)).all()


@pytest.mark.parametrize("kind", ["black", "noise"])
def test_nobody_gives_none_and_drops_tracking(tracker, frames, kind):
    tracker.reset()
    assert tracker.process(frames[0], 0.0) is not None and tracker.tracking
    img = np.zeros((1920, 1080, 3), np.uint8) if kind == "black" else \
        np.random.default_rng(0).integers(0, 256, (1920, 1080, 3), dtype=np.uint8)
    calls = tracker.detector_calls
    assert tracker.process(img, 1 / 60) is None
    assert not tracker.tracking
    assert tracker.process(img, 2 / 60) is None
    assert tracker.detector_calls == calls + 1  # the lost frame ran the landmark model only
    assert tracker.process(frames[1], 3 / 60) is not None  # found again through the detector


def test_grayscale_rgba_and_odd_sizes(tracker, frames):
    import cv2

    rgb = frames[0]
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    cases = {
        "grey": grey,
        "grey1": grey[:, :, None],
        "rgba": rgba,
        "odd": np.ascontiguousarray(rgb[3:1900, 1:1078]),  # 1077 x 1897
        "view": rgb[::2, ::2],  # a non-contiguous view
    }
    for name, img in cases.items():
        tracker.reset()
        f = tracker.process(img, 0.0)
        assert f is not None, name
        assert np.isfinite(f.landmarks).all(), name
        assert f.image_size == (img.shape[1], img.shape[0]), name
    for tiny in (np.zeros((1, 1), np.uint8), np.zeros((7, 5, 3), np.uint8), np.zeros((2, 900, 4), np.uint8)):
        tracker.reset()
        assert tracker.process(tiny, 0.0) is None


@pytest.mark.parametrize("img, message", [
    (np.zeros((10, 10, 3), np.float32), "uint8"),
    (np.zeros((0, 10, 3), np.uint8), "empty"),
    (np.zeros((10, 10, 2), np.uint8), "(H, W, 4)"),
    (np.zeros((2, 10, 10, 3), np.uint8), "got shape"),
    ([[1, 2], [3, 4]], "numpy array"),
])
def test_bad_frames_are_one_line_dance_errors(img, message):
    with pytest.raises(DanceError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        as_rgb(img)
    assert "\n" not in str(e.value)


def test_as_rgb_converts_without_copying_rgb():
    rgb = np.zeros((4, 6, 3), np.uint8)
    assert as_rgb(rgb) is rgb
    grey = np.arange(24, dtype=np.uint8).reshape(4, 6)
    out = as_rgb(grey)
    assert out.shape == (4, 6, 3) and (out[..., 0] == grey).all() and (out[..., 2] == grey).all()
    rgba = np.dstack([np.full((4, 6, 3), 9, np.uint8), np.zeros((4, 6), np.uint8)])
    assert (as_rgb(rgba) == 9).all()


def test_smoothing_on_is_close_to_raw_but_steadier(frames):
    raw_t = BodyTracker(smooth=False)
    smooth_t = BodyTracker(smooth=True)
    raw, smooth = [], []
    for i, rgb in enumerate(frames):
        a, b = raw_t.process(rgb, i / 60), smooth_t.process(rgb, i / 60)
        raw.append(a.xy)
        smooth.append(b.xy)
    raw, smooth = np.array(raw), np.array(smooth)
    # The first frame passes unfiltered; after that the smoothed pose stays near the raw one.
    np.testing.assert_allclose(smooth[0], raw[0], atol=1e-6)
    assert np.abs(smooth - raw).max() < 0.05
    jitter = lambda x: np.abs(np.diff(x, n=2, axis=0)).mean()  # noqa: E731
    assert jitter(smooth) < jitter(raw)
    # The ROI of the next frame comes from the always-on aux filter: identical on both.
    assert raw_t.tracking and smooth_t.tracking


def test_segmentation_on_request(frames):
    t = BodyTracker(smooth=True, segmentation=True)
    f = t.process(frames[0], 0.0)
    assert f.mask is not None and f.mask.shape == (1920, 1080)


def test_missing_model_says_how_to_fetch(tmp_path, monkeypatch):
    from pose.errors import ModelError

    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match="dance models fetch") as e:
        BodyTracker()
    assert "\n" not in str(e.value)


def test_corrupt_model_is_a_model_error(tmp_path, monkeypatch):
    from pose.errors import ModelError

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "pose_detection.tflite").write_bytes(b"not a model")
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match="pose_detection"):
        BodyTracker()


@pytest.mark.parametrize("ts", [float("nan"), float("inf"), "soon", None])
def test_bad_timestamps_are_dance_errors(tracker, frames, ts):
    with pytest.raises(DanceError, match="timestamp_s"):
        tracker.process(frames[0], ts)


def test_repeated_and_backwards_timestamps_never_give_nan(frames):
    t = BodyTracker(smooth=True)
    for ts in (0.0, 0.0, 0.1, 0.05, 0.05, 0.2):
        f = t.process(frames[int(ts * 100) % len(frames)], ts)
        assert f is not None and np.isfinite(f.landmarks).all() and np.isfinite(f.world).all()


# --- two people (battle mode) ---------------------------------------------------------------

def _video(name: str, n: int) -> list[np.ndarray]:
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


@pytest.mark.slow
def test_two_people_keep_their_ids_and_the_detector_rests():
    from pose.frame import Bodies
    from pose.tracker import MultiBodyTracker

    frames = _video("Demo_MultiPerson/cam04.mp4", 40)
    t = MultiBodyTracker(max_people=2, smooth=True)
    seen = [t.process(rgb, i / 60) for i, rgb in enumerate(frames)]
    assert all(isinstance(b, Bodies) and len(b) == 2 for b in seen)
    assert {b.track_ids for b in seen} == {(0, 1)}
    assert t.detector_calls == 1  # both found on the first frame; tracking holds both
    for tid in (0, 1):
        hips = np.array([b.by_id(tid).landmarks[[23, 24], :2].mean(axis=0) for b in seen])
        assert np.abs(np.diff(hips, axis=0)).max() < 0.05  # each id stays on its person
    a, b = seen[-1].people
    assert np.abs(a.landmarks[:, :2].mean(0) - b.landmarks[:, :2].mean(0)).max() > 0.15
    assert all(np.isfinite(p.world).all() and p.image_size == (1088, 1920) for p in seen[-1].people)


@pytest.mark.slow
def test_a_hidden_person_brings_the_detector_back_and_returns_under_a_new_id():
    from pose.tracker import MultiBodyTracker

    frames = _video("Demo_MultiPerson/cam04.mp4", 12)
    t = MultiBodyTracker(max_people=2, smooth=False)
    first = t.process(frames[0], 0.0)
    assert len(first) == 2
    # Black out the right half: the person there is lost, the detector runs again while
    # only one is tracked, and the one left keeps the id.
    right = first.people[int(np.argmax([p.landmarks[23, 0] for p in first.people]))]
    right_id = first.track_ids[first.people.index(right)]
    left_id = first.track_ids[1 - first.people.index(right)]
    x_cut = int(0.5 * (first.people[0].landmarks[23, 0] + first.people[1].landmarks[23, 0]) * 1088)
    calls = t.detector_calls
    for i in range(1, 6):
        rgb = frames[i].copy()
        rgb[:, x_cut:] = 0
        b = t.process(rgb, i / 60)
        assert b.track_ids == (left_id,)
    assert t.detector_calls - calls >= 4  # fewer than two tracked: it keeps looking
    back = t.process(frames[6], 6 / 60)
    assert len(back) == 2 and left_id in back.track_ids and right_id not in back.track_ids


def test_bodies_and_empty_pose_frames_check_themselves():
    from pose.frame import Bodies

    nobody = Bodies.empty(1.5, (640, 480))
    assert len(nobody) == 0 and nobody.by_id(0) is None and nobody.timestamp_s == 1.5
    empty = PoseFrame.empty(0.0, (640, 480))
    assert not empty.found and np.isnan(empty.landmarks).all() and empty.presence == 0.0
    with pytest.raises(ValueError, match="found PoseFrames"):
        Bodies((empty,), (0,), 0.0, (640, 480))
    with pytest.raises(ValueError, match="track ids"):
        Bodies((), (1,), 0.0, (640, 480))
    with pytest.raises(ValueError, match=r"landmarks must be \(33, 4\)"):
        PoseFrame(np.zeros((17, 4)), None, 1.0, 0.0, (640, 480))
