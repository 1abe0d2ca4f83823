"""Face pipeline: detectors (short and full range), mesh, ROI rules, FaceResult, signals,
fidelity to mediapipe's FaceMesh (a stored reference), and bad input — on real faces."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pose.detector import generate_anchors
from pose.errors import DanceError
from pose.face import FULL_RANGE, SHORT_RANGE, FaceDetector, FaceResult, FaceSignals, FaceTracker
from pose.face.mesh import FaceRoiRule
from pose.frame import Roi
from pose.tracking import Detection, LandmarkOutput

REF = Path(__file__).parent / "fixtures" / "face_mediapipe_ref.npz"


def _sample(name: str) -> Path:
    from pose.samples import sample_path

    try:
        return sample_path(name)
    except DanceError as e:
        pytest.skip(str(e))


def _photo(name: str) -> np.ndarray:
    import cv2

    return cv2.cvtColor(cv2.imread(str(_sample(f"faces/{name}"))), cv2.COLOR_BGR2RGB)


def _frames(name: str, n: int) -> list[np.ndarray]:
    import cv2

    cap = cv2.VideoCapture(str(_sample(name)))
    out = []
    while len(out) < n:
        ok, bgr = cap.read()
        if not ok:
            break
        out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return out


@pytest.fixture(scope="module")
def tracker() -> FaceTracker:
    return FaceTracker()


# --- detectors -----------------------------------------------------------------------

def test_anchor_counts_follow_the_graphs():
    short = generate_anchors(128, (8, 16, 16, 16), True)
    assert short.shape == (896, 2)  # 16x16x2 + 8x8x6
    np.testing.assert_allclose(short[0], [0.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(short[512:518], np.tile([0.5 / 8, 0.5 / 8], (6, 1)))
    full = generate_anchors(192, (4,), False)
    assert full.shape == (2304, 2)  # one anchor per 4-px cell of 192x192
    np.testing.assert_allclose(full[:2], [[0.5 / 48, 0.5 / 48], [1.5 / 48, 0.5 / 48]])
    assert SHORT_RANGE.min_score == 0.5 and FULL_RANGE.min_score == 0.6


@pytest.mark.parametrize("rng", ["short", "full"])
def test_detector_finds_the_real_face(rng):
    rgb = _photo("single_face.jpg")
    dets = FaceDetector(rng).detect(rgb)
    assert dets, "no face found"
    d = dets[0]
    x0, y0, x1, y1 = d.box_norm
    assert 0.3 < (x0 + x1) / 2 < 0.7 and 0.2 < (y0 + y1) / 2 < 0.6 and 0.2 < x1 - x0 < 0.7
    # Keypoints 0/1 are the eyes, above the nose tip (2) and the mouth (3), inside the box.
    kp = d.keypoints_norm
    assert kp.shape == (6, 2) and kp[0, 0] < kp[1, 0]
    assert max(kp[0, 1], kp[1, 1]) < kp[2, 1] < kp[3, 1]
    assert (kp[:4] > [x0, y0]).all() and (kp[:4] < [x1, y1]).all()


def test_full_range_finds_faces_too_small_for_short_range():
    import cv2

    # A group photo of five shrunk into a 1280x720 frame: faces ~40 px, children across the room.
    group = _photo("multi_face.jpg")
    frame = np.zeros((720, 1280, 3), np.uint8)
    small = cv2.resize(group, (600, 400), interpolation=cv2.INTER_AREA)
    frame[160:560, 340:940] = small
    full = FaceDetector("full").detect(frame)
    short = FaceDetector("short").detect(frame)
    assert len(full) >= 3 and len(full) > len(short)
    assert all(340 / 1280 < (d.box_norm[0] + d.box_norm[2]) / 2 < 940 / 1280 for d in full)
    assert all(0.02 < d.box_norm[2] - d.box_norm[0] < 0.06 for d in full)


def test_detector_rejects_an_unknown_range():
    with pytest.raises(ValueError, match="short, full"):
        FaceDetector("medium")


# --- ROI rules -----------------------------------------------------------------------

def test_roi_from_detection_by_hand():
    det = Detection(0.9, np.array([0.4, 0.2, 0.6, 0.6], np.float32),
                    np.array([[0.45, 0.35], [0.55, 0.45], [0.5, 0.4], [0.5, 0.5], [0.4, 0.4], [0.6, 0.4]], np.float32))
    roi = FaceRoiRule().from_detection(det, (1000, 500))
    assert (roi.centre_x_px, roi.centre_y_px) == pytest.approx((500.0, 200.0))
    assert roi.size_px == pytest.approx(max(200.0, 200.0) * 1.5)
    # eye 0 -> eye 1: 100 px right, 50 px down: mediapipe's 0 - atan2(-dy, dx) in pixels.
    assert roi.rotation_rad == pytest.approx(math.atan2(50, 100))


def test_roi_from_landmarks_uses_the_bounding_box_and_outer_eye_corners():
    pts = np.zeros((468, 3), np.float32)
    pts[:, 0] = np.linspace(0.2, 0.4, 468)
    pts[:, 1] = 0.5
    pts[0, 1], pts[1, 1] = 0.3, 0.9  # bbox y 0.3..0.9
    pts[33, :2], pts[263, :2] = (0.25, 0.5), (0.35, 0.5)  # level eyes
    out = LandmarkOutput(pts, 0.9, Roi(0, 0, 1, 0), {}, (800, 400))
    roi = FaceRoiRule().from_landmarks(out, (800, 400), 0.0)
    assert (roi.centre_x_px, roi.centre_y_px) == pytest.approx((0.3 * 800, 0.6 * 400), abs=1e-3)
    assert roi.size_px == pytest.approx(max(0.2 * 800, 0.6 * 400) * 1.5, rel=1e-5)
    assert roi.rotation_rad == pytest.approx(0.0, abs=1e-6)


# --- fidelity (stored mediapipe FaceMesh answers) --------------------------------------

def _fixture_sequences():
    import cv2

    ref = np.load(REF)
    i = 0
    while f"s{i}_name" in ref:
        kind, sample = str(ref[f"s{i}_kind"]), str(ref[f"s{i}_sample"])
        lm = ref[f"s{i}_landmarks"]
        if kind == "video":
            frames = _frames(sample, len(lm))
        else:
            photo = cv2.cvtColor(cv2.imread(str(_sample(sample))), cv2.COLOR_BGR2RGB)
            w, h = (int(v) for v in ref[f"s{i}_size"])
            frames = [cv2.warpAffine(photo, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
                      for m in ref[f"s{i}_warps"]]
        yield str(ref[f"s{i}_name"]), frames, lm
        i += 1


def test_mesh_matches_mediapipe_facemesh():
    errs, agree, n = [], 0, 0
    for name, frames, ref in _fixture_sequences():
        ft = FaceTracker(smooth=False)  # unfiltered, short range: FaceMesh's own configuration
        for k, (rgb, want) in enumerate(zip(frames, ref)):
            got = ft.process(rgb, (k + 1) / 30.0)
            ref_found = bool(np.isfinite(want[0, 0]))
            agree += got.found == ref_found
            n += 1
            if got.found and ref_found:
                h, w = rgb.shape[:2]
                errs.append(np.hypot(got.landmarks[:, 0] - want[:, 0], (got.landmarks[:, 1] - want[:, 1]) * h / w))
    assert n >= 20
    e = np.concatenate(errs)
    assert np.median(e) <= 0.002 and np.percentile(e, 95) <= 0.01
    assert agree / n >= 0.97


# --- tracking, results ----------------------------------------------------------------

def test_tracking_runs_the_detector_once_on_a_real_video():
    ft = FaceTracker()
    frames = _frames("faces/single_face.mp4", 24)
    results = [ft.process(f, i / 30.0) for i, f in enumerate(frames)]
    assert all(r.found for r in results)
    assert ft.tracker.detector_calls == 1 and ft.tracker.landmark_calls == 24
    assert len({r.track_id for r in results}) == 1
    r = results[-1]
    assert r.landmarks.shape == (468, 3) and r.landmarks.dtype == np.float32 and np.isfinite(r.landmarks).all()
    assert 0.5 <= r.score <= 1.0 and r.roi is not None and r.image_size == (640, 360)
    # The mesh sits on the face: nose tip (1) between the eye corners, above the chin (152).
    lm = r.landmarks
    assert lm[33, 0] < lm[1, 0] < lm[263, 0] and lm[1, 1] < lm[152, 1]


def test_face_result_checks_itself():
    e = FaceResult.empty(1.5, (640, 480))
    assert not e.found and e.score == 0.0 and np.isnan(e.landmarks).all() and e.signals is None
    with pytest.raises(ValueError, match=r"\(468, 3\)"):
        FaceResult(np.zeros((33, 3)), 1.0, None, None, 0.0, (1, 1))
    sig = FaceSignals(0, 0, 0, 0, 0, 0, 0, 0)
    bad = np.zeros((468, 3), np.float32)
    bad[7, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        FaceResult(bad, 1.0, None, sig, 0.0, (1, 1))
    with pytest.raises(ValueError, match="signals"):
        FaceResult(np.zeros((468, 3)), 1.0, None, None, 0.0, (1, 1))
    with pytest.raises(ValueError, match=r"smile must be in \[0, 1\]"):
        FaceSignals(0, 0, 0, 0, 1.5, 0, 0, 0)
    with pytest.raises(ValueError, match="finite"):
        FaceSignals(float("nan"), 0, 0, 0, 0, 0, 0, 0)


# --- signals on real faces -------------------------------------------------------------

def test_expressions_read_on_real_faces(tracker):
    def sig(name):
        tracker.reset()
        r = tracker.process(_photo(name), 0.0)
        assert r.found
        return r.signals

    surprise, happy, anger = sig("0-f1-su-ph.jpg"), sig("0-f15-hao-ph.jpg"), sig("15-f13-anc-ph.jpg")
    assert surprise.mouth_open >= 0.5 and anger.mouth_open <= 0.1
    assert happy.smile >= 0.7 and anger.smile <= 0.2 and surprise.smile <= 0.2
    frames = _frames("faces/single_face.mp4", 72)
    tracker.reset()
    s = [tracker.process(f, i / 30.0).signals for i, f in enumerate(frames)]
    neutral, smiling = s[:15], s[28:]
    assert np.median([x.smile for x in neutral]) <= 0.2 and np.median([x.smile for x in smiling]) >= 0.7
    assert np.median([x.mouth_open for x in neutral]) <= 0.1
    assert max(np.median([x.left_eye_closed for x in neutral]), np.median([x.right_eye_closed for x in neutral])) <= 0.3
    assert anger.brows_raised < np.median([x.brows_raised for x in neutral])
    assert all(abs(x.yaw_rad) < 0.3 and abs(x.pitch_rad) < 0.3 and abs(x.roll_rad) < 0.3 for x in s)


@pytest.mark.slow
def test_eyes_shut_and_open_on_real_video():
    frames = _frames("faces/WolfgangLanger_Pexels.mp4", 221)
    ft = FaceTracker()
    s = [ft.process(f, i / 24.0).signals for i, f in enumerate(frames)]
    shut, open_up = s[20:51], s[150:221]
    assert np.median([min(x.left_eye_closed, x.right_eye_closed) for x in shut]) >= 0.7
    assert np.median([max(x.left_eye_closed, x.right_eye_closed) for x in open_up]) <= 0.3
    assert np.median([x.pitch_rad for x in open_up]) > 0  # chin up: she looks up


def _place(photo: np.ndarray, scale: float, angle_deg: float, out_wh=(960, 720)) -> np.ndarray:
    import cv2

    h, w = photo.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, scale)
    m[:, 2] += (out_wh[0] / 2 - w / 2, out_wh[1] / 2 - h / 2)
    return cv2.warpAffine(photo, m, out_wh, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def test_signals_do_not_depend_on_face_size_and_roll_follows_the_head():
    photo = _photo("single_face.jpg")
    got = {}
    for scale in (0.8, 1.2):
        for angle in (0.0, 20.0):
            ft = FaceTracker()
            r = ft.process(_place(photo, scale, angle), 0.0)
            assert r.found
            got[(scale, angle)] = r.signals
    for name in ("mouth_open", "smile", "brows_raised"):
        vals = [getattr(s, name) for s in got.values()]
        assert np.ptp(vals) <= 0.1, (name, vals)
    # getRotationMatrix2D turns counter-clockwise on screen: roll (clockwise > 0) drops by 20 deg.
    for scale in (0.8, 1.2):
        d = got[(scale, 20.0)].roll_rad - got[(scale, 0.0)].roll_rad
        assert d == pytest.approx(-math.radians(20.0), abs=math.radians(3.0))


def test_eye_signals_of_a_tracked_face_do_not_depend_on_size_and_roll():
    # In play every frame after the first takes its crop from the mesh's own landmarks:
    # the same still face shown a few frames running, at two sizes and two rolls.
    photo = _photo("single_face.jpg")
    got = []
    for scale in (0.8, 1.2):
        for angle in (0.0, 20.0):
            ft = FaceTracker(smooth=False)
            frame = _place(photo, scale, angle)
            for i in range(3):
                r = ft.process(frame, i / 30.0)
            assert r.found
            got.append(r.signals)
    for name in ("left_eye_closed", "right_eye_closed"):
        vals = [getattr(s, name) for s in got]
        assert np.ptp(vals) <= 0.3, (name, vals)


def test_mirrored_frames_keep_the_persons_own_left_and_right(tracker):
    import cv2

    # A head turned well to one side, tilted, one eye narrower than the other.
    rgb = _place(_photo("45-m7-di-ph.jpg"), 1.0, 12.0)
    tracker.reset()
    plain = tracker.process(rgb, 0.0).signals
    ft = FaceTracker(mirrored=True)
    mirrored = ft.process(np.ascontiguousarray(cv2.flip(rgb, 1)), 0.0).signals
    assert abs(plain.yaw_rad) > 0.4 and abs(plain.roll_rad) > 0.1
    assert mirrored.roll_rad == pytest.approx(plain.roll_rad, abs=0.05)
    assert mirrored.yaw_rad == pytest.approx(plain.yaw_rad, abs=0.1)
    assert plain.left_eye_closed - plain.right_eye_closed > 0.2
    assert mirrored.left_eye_closed - mirrored.right_eye_closed > 0.2


# --- bad input -------------------------------------------------------------------------

def test_no_face_gives_empty_results(tracker):
    tracker.reset()
    for i, f in enumerate(_frames("faces/no_face.mp4", 10)):
        r = tracker.process(f, i / 24.0)
        assert not r.found and r.signals is None and np.isnan(r.landmarks).all()
        assert r.image_size == (960, 540)


def test_tiny_grey_and_odd_frames_never_crash_nor_nan(tracker):
    import cv2

    photo = _photo("single_face.jpg")
    cases = {
        "tiny face": _place(photo, 0.04, 0.0, (640, 480)),  # a ~12 px face
        "grey": cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY),
        "grey (H, W, 1)": cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)[..., None],
        "odd size": cv2.resize(photo, (333, 97)),
        "one pixel": photo[:1, :1],
        "rgba": cv2.cvtColor(photo, cv2.COLOR_RGB2RGBA),
    }
    for name, img in cases.items():
        tracker.reset()
        r = tracker.process(np.ascontiguousarray(img), 0.0)
        h, w = img.shape[:2]
        assert r.image_size == (w, h), name
        if r.found:
            assert np.isfinite(r.landmarks).all(), name
        else:
            assert np.isnan(r.landmarks).all(), name
    tracker.reset()
    assert tracker.process(cases["grey"], 0.0).found  # a grey photo of a face is still a face
    for bad in (np.zeros((4, 4, 3), np.float32), np.zeros((0, 5, 3), np.uint8), np.zeros((4, 4, 2), np.uint8)):
        with pytest.raises(DanceError):
            tracker.process(bad, 0.0)


def test_missing_model_is_the_one_line_fetch_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    with pytest.raises(DanceError) as e:
        FaceTracker("full")
    msg = str(e.value)
    assert "\n" not in msg and "dance models fetch" in msg and "face_detection_full_range_sparse" in msg


# --- the track file (dance track --what face) ---------------------------------------------

@pytest.mark.slow
def test_face_track_file_round_trips_with_nan_rows_where_no_face(tmp_path):
    # A real video: the face, then it leaves and a cartoon sky follows (no face).
    from pose.face.track import FaceTrack, track_face_video

    video = _sample("faces/face_noface.mov")
    track, run = track_face_video(video, smooth=True)
    assert run.ms_per_frame > 0
    assert len(track) >= 160 and track.size == (960, 540) and track.fps > 20
    found = track.found
    assert found[:60].all() and not found[90:].any()
    assert np.isfinite(track.face[found]).all() and np.isnan(track.face[~found]).all()
    out = track.save(tmp_path / "f.npz")
    with np.load(out) as z:
        assert z["face"].dtype == np.float32 and z["face"].shape == (len(track), 468, 3)
        assert z["t"].dtype == np.float64 and str(z["kind"]) == "face"
        assert tuple(z["size"]) == (960, 540) and float(z["fps"]) == track.fps and int(z["version"]) >= 1
    back = FaceTrack.load(out)
    np.testing.assert_array_equal(back.face, track.face)
    with pytest.raises(DanceError, match="not a face track"):
        np.savez(tmp_path / "x.npz", a=np.zeros(2))
        FaceTrack.load(tmp_path / "x.npz")


def test_several_faces_tracked_at_once():
    import cv2

    group = cv2.resize(_photo("multi_face.jpg"), (960, 640), interpolation=cv2.INTER_AREA)
    ft = FaceTracker("full", max_faces=5, smooth=False)
    faces = ft.process_all(group, 0.0)
    assert len(faces) >= 4 and len({f.track_id for f in faces}) == len(faces)
    assert all(f.found and np.isfinite(f.landmarks).all() for f in faces)
    # Different people: the nose tips are apart.
    noses = np.array([f.landmarks[1, :2] for f in faces])
    assert min(np.linalg.norm(noses[i] - noses[j]) for i in range(len(noses)) for j in range(i)) > 0.05
    again = ft.process_all(group, 1 / 30)  # tracked from their meshes, same ids
    assert {f.track_id for f in again} == {f.track_id for f in faces}


def _dance(*argv: str) -> subprocess.CompletedProcess:
    # A fresh interpreter: the kind's plugin module loads (and registers) as in real use,
    # whatever other tests did to the registry in this process.
    code = "import sys; from game.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])


@pytest.mark.slow
def test_dance_track_what_face_writes_the_contract(tmp_path):
    video = str(_sample("faces/single_face.mp4"))
    out = tmp_path / "face.npz"
    p = _dance("track", video, "-o", str(out), "--what", "face", "-q")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"{out}: 72 frames (640x360 @ 30 fps") and "face found in 100.0%" in p.stdout
    with np.load(out) as z:
        assert set(z.files) >= {"face", "t", "fps", "size", "kind", "version"}
        assert z["face"].shape == (72, 468, 3) and z["face"].dtype == np.float32 and np.isfinite(z["face"]).all()
        assert str(z["kind"]) == "face" and np.allclose(z["t"], np.arange(72) / 30.0)
    # --no-smooth gives the mesh as mediapipe's FaceMesh does; smoothing moves it only a little.
    raw = tmp_path / "raw.npz"
    p = _dance("track", video, "-o", str(raw), "--what", "face", "-q", "--no-smooth")
    assert p.returncode == 0, p.stderr
    with np.load(out) as a, np.load(raw) as b:
        d = np.abs(a["face"][..., :2] - b["face"][..., :2]).max()
        assert 0 < d < 0.02
