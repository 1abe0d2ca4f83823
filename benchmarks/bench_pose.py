"""Body pose: fidelity to Google's mediapipe 0.10.21 and speed, in one run on the same frames.

Baselines named in the output:
- fidelity: mediapipe's ``Pose(static_image_mode=False, model_complexity=1,
  smooth_landmarks=False)`` landmarks; error = distance normalised by frame width over
  landmarks with reference visibility > 0.5. Targets: median ≤ 0.005, p95 ≤ 0.02,
  detection agreement ≥ 99 %.
- world landmarks against its ``pose_world_landmarks`` (metres; distance per landmark, all
  33, frames where both found someone). Targets: median ≤ 0.5 cm, p95 ≤ 2 cm, and no frame
  within 2 frames after a detection (ours or mediapipe's) off by more than 5 cm on average.
  "same ROI" repeats our landmark model on the very ROI mediapipe used on each frame: the
  error of our crop, model and world projection alone, without the tracking loop.
- smoothing on: sports2d again with mediapipe's live smoothing (smooth_landmarks=True) on
  both sides, image and world landmarks against the same targets.
- the clock: mediapipe's solution stamps frame i at (i + 1) x 33333 us whatever the video's
  rate, so our tracker gets those very timestamps here (its filters depend on them; on
  that clock and these frames our ROIs and landmarks are mediapipe's bit for bit).
- speed, per frame RGB in → landmarks out (median over tracking-mode frames, measured
  alternately on each frame):
  ours (tracking mode, smoothing off) vs mediapipe's ``process()`` (target ratio ≤ 0.6) and
  vs the bare landmark-model invoke on the same crops (the floor; target ratio ≤ 1.5).

Mediapipe runs in a subprocess under the cache's ``venv-mediapipe`` (it needs numpy < 2;
created there on first use, ~1 GB, outside the repository) and gets our decoder's frames as
raw RGB on stdin, so both see identical pixels.

    .venv/bin/python benchmarks/bench_pose.py [--quick] [--rounds N] [--write-fixture]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from pose.paths import cache_dir

ROOT = Path(__file__).resolve().parent.parent
# In the user cache, not the repository: ~1 GB that git, editors and backups should not see.
MP_VENV = cache_dir() / "venv-mediapipe"
MP_PYTHON = MP_VENV / "bin" / "python"
MP_SCRIPT = ROOT / "benchmarks" / "mediapipe_reference.py"
FIXTURE = ROOT / "tests" / "pose" / "fixtures" / "mediapipe_ref.npz"
VIDEOS = ("Demo_SinglePerson/cam01.mp4", "Demo_SinglePerson/cam02.mp4", "Demo_SinglePerson/cam03.mp4",
          "Demo_SinglePerson/cam04.mp4", "sports2d/demo.mp4")
# The clips whose mediapipe answers go into the test fixture (kept small).
FIXTURE_VIDEOS = ("Demo_SinglePerson/cam01.mp4", "Demo_SinglePerson/cam02.mp4", "sports2d/demo.mp4")
FIXTURE_LANDMARK_VIDEOS = FIXTURE_VIDEOS[:2]  # the others keep world landmarks and ROIs only
POST_DETECTION_FRAMES = 3  # the detection frame and the two after it
# Smoothing on (mediapipe's live default) is compared on the clip with re-detections.
SMOOTH_VIDEOS = ("sports2d/demo.mp4",)
SIM_FPS = 30.0  # mediapipe's Python solution stamps frames 33333 us apart; we do the same
MP_FRAME_US = 33333


def mp_timestamp_s(i: int) -> float:
    """Frame i's timestamp on mediapipe's solution clock: (i + 1) x 33333 us."""
    return (i + 1) * MP_FRAME_US * 1e-6

TARGET_MEDIAN = 0.005
TARGET_P95 = 0.02
TARGET_AGREEMENT = 0.99
TARGET_VS_MP = 0.6
TARGET_VS_INVOKE = 1.5
TARGET_WORLD_MEDIAN_M = 0.005
TARGET_WORLD_P95_M = 0.02
TARGET_WORLD_POST_DETECTION_M = 0.05


def ensure_mediapipe_venv() -> Path:
    """The mediapipe virtualenv's python, creating the venv on first use."""
    if MP_PYTHON.exists():
        return MP_PYTHON
    print(f"bench: creating the mediapipe reference environment in {MP_VENV} "
          f"(mediapipe==0.10.21, numpy<2, ~1 GB; delete it to reclaim the space) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(MP_VENV)], check=True)
    subprocess.run([str(MP_PYTHON), "-m", "pip", "install", "--quiet", "mediapipe==0.10.21", "numpy<2",
                    "opencv-python-headless"], check=True)
    return MP_PYTHON


def rgb_frames(path: Path, max_frames: int | None):
    """Our decoder's RGB frames (H, W, 3) uint8."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise SystemExit(f"cannot open {path}")
    n = 0
    try:
        while max_frames is None or n < max_frames:
            ok, bgr = cap.read()
            if not ok:
                return
            n += 1
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


def frame_size(path: Path) -> tuple[int, int]:
    first = next(rgb_frames(path, 1))
    return first.shape[1], first.shape[0]


class MediapipeProcess:
    """mediapipe_reference.py in lockstep: give it a frame, get its landmarks and time."""

    def __init__(self, size: tuple[int, int], name: str):
        w, h = size
        self.proc = subprocess.Popen(
            [str(ensure_mediapipe_venv()), str(MP_SCRIPT), "--stdin", f"{w}x{h}", "--name", name, "--lockstep"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def process(self, rgb: np.ndarray) -> tuple[float, np.ndarray | None, np.ndarray | None]:
        """-> (ms inside Pose.process(), landmarks (33, 4) or None, world (33, 3) or None);
        ``last`` keeps the whole answer (with the ROIs from detection / landmarks)."""
        self.proc.stdin.write(np.ascontiguousarray(rgb).tobytes())
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"mediapipe reference stopped (exit {self.proc.poll()})")
        r = json.loads(line)
        self.last = r
        lm = None if r["landmarks"] is None else np.asarray(r["landmarks"], np.float32)
        world = None if r["world"] is None else np.asarray(r["world"], np.float32)
        return float(r["t_ms"]), lm, world

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.stdout.read()
        self.proc.wait()


def _time_invoke(tracker) -> float:
    """ms of one bare landmark-model invoke on the crop already in its input tensor."""
    t0 = time.perf_counter()
    tracker.landmarker.invoke_only()
    return (time.perf_counter() - t0) * 1e3


def _world_on_roi(tracker, rgb: np.ndarray, rect: list[float]) -> np.ndarray:
    """Our world landmarks (33, 3) from the landmark model on mediapipe's ROI (normalised
    [x_center, y_center, width, height, rotation]); NaN if our model finds nobody there."""
    from pose.frame import NormRect
    from pose.rect32 import crop_roi

    h, w = rgb.shape[:2]
    res = tracker.landmarker.run(rgb, crop_roi(NormRect(*(float(v) for v in rect)), (w, h)), 0.0)
    return np.full((33, 3), np.nan, np.float32) if res is None else res.world


def world_fidelity(ours: np.ndarray, ref: np.ndarray, detected: np.ndarray) -> dict:
    """ours, ref (T, 33, 3) metres, NaN rows where nobody; detected (T,) bool: a detection
    (either side) on that frame -> median, p95 per landmark and the worst frame (mean over
    its landmarks) within POST_DETECTION_FRAMES of a detection."""
    both = np.isfinite(ours[:, 0, 0]) & np.isfinite(ref[:, 0, 0])
    d = np.linalg.norm(ours - ref, axis=-1)  # (T, 33)
    e = d[both]
    post = np.zeros(len(d), bool)
    for k in np.flatnonzero(detected):
        post[k:k + POST_DETECTION_FRAMES] = True
    frame_err = np.full(len(d), np.nan)
    frame_err[both] = d[both].mean(axis=1)
    sel = post & both
    worst = int(np.nanargmax(np.where(sel, frame_err, -1.0))) if sel.any() else -1
    return {"median": float(np.median(e)) if e.size else float("nan"),
            "p95": float(np.percentile(e, 95)) if e.size else float("nan"),
            "post_max": float(frame_err[worst]) if worst >= 0 else 0.0, "post_frame": worst,
            "post_frames": int(sel.sum()), "frames": int(both.sum())}


def run_interleaved(path: Path, name: str, max_frames: int | None, threads: int = 2,
                    same_roi: bool = False) -> dict:
    """Frame by frame, on the same decoded frame: mediapipe's process(), then ours (smoothing
    off, timed RGB in -> PoseFrame out) and the bare landmark invoke on a crop of this video
    (alternately before and after ours). Interleaving keeps the shared machine's changing
    load from favouring either side."""
    from pose.tracker import BodyTracker

    tracker = BodyTracker(smooth=False, threads=threads)
    mp = MediapipeProcess(frame_size(path), name)
    nan_lm = np.full((33, 4), np.nan, np.float32)
    nan_w = np.full((33, 3), np.nan, np.float32)
    rec: dict[str, list] = {k: [] for k in ("mp_ms", "ours_ms", "ours_invoke_ms", "invoke_ms", "tracking", "lm", "world",
                                            "mp_lm", "mp_world", "mp_roi", "mp_detected", "same_roi_world")}
    nan_roi = [np.nan] * 5
    size = None
    prev_mp_roi = None
    try:
        for i, rgb in enumerate(rgb_frames(path, max_frames)):
            size = (rgb.shape[1], rgb.shape[0])
            mp_ms, mp_lm, mp_world = mp.process(rgb)
            # Whichever of ours / bare invoke runs second finds LiteRT's threads awake and
            # its caches warm, so alternate the order frame by frame.
            invoke_first = i % 2 == 1 and tracker.landmark_calls > 0
            if invoke_first:
                rec["invoke_ms"].append(_time_invoke(tracker))
            calls = tracker.detector_calls
            t0 = time.perf_counter()
            f = tracker.process(rgb, mp_timestamp_s(i))
            rec["ours_ms"].append((time.perf_counter() - t0) * 1e3)
            rec.setdefault("detected", []).append(tracker.detector_calls > calls and f is not None)
            rec["ours_invoke_ms"].append(tracker.last_timings_ms["invoke"])
            rec["mp_ms"].append(mp_ms)
            rec["tracking"].append(tracker.last_timings_ms["detector"] == 0.0)
            rec["lm"].append(nan_lm if f is None else f.landmarks)
            rec["world"].append(nan_w if f is None or f.world is None else f.world)
            rec["mp_lm"].append(nan_lm if mp_lm is None else mp_lm)
            rec["mp_world"].append(nan_w if mp_world is None else mp_world)
            # The ROI mediapipe's landmark model saw: this frame's detection, else the one
            # its last landmarks gave.
            det_roi = mp.last["roi_from_detection"]
            rec["mp_detected"].append(det_roi is not None)
            rec["mp_roi"].append(det_roi or prev_mp_roi or nan_roi)
            prev_mp_roi = mp.last["roi_from_landmarks"]
            if same_roi and mp_world is not None:
                rec["same_roi_world"].append(_world_on_roi(tracker, rgb, rec["mp_roi"][-1]))
            else:
                rec["same_roi_world"].append(nan_w)
            if not invoke_first and tracker.landmark_calls:
                rec["invoke_ms"].append(_time_invoke(tracker))
    finally:
        mp.close()
    out = {k: np.asarray(v) for k, v in rec.items()}
    out["detected"] = np.asarray(rec.get("detected", []), bool)
    out["mp_detected"] = np.asarray(rec["mp_detected"], bool)
    out["size"] = size
    return out


def smoothed_reference(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """mediapipe's landmarks (T, 33, 4) and world landmarks (T, 33, 3) with
    smooth_landmarks=True on our decoder's frames."""
    import tempfile

    w, h = frame_size(path)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "smooth.npz"
        proc = subprocess.Popen([str(ensure_mediapipe_venv()), str(MP_SCRIPT), "--stdin", f"{w}x{h}", "--smooth",
                                 "--out", str(out)], stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        for rgb in rgb_frames(path, None):
            proc.stdin.write(np.ascontiguousarray(rgb).tobytes())
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit(f"mediapipe reference (smoothing on) failed (exit {proc.returncode})")
        ref = np.load(out)
        return ref["v0_landmarks"].astype(np.float32), ref["v0_world"].astype(np.float32)


def track_smoothed(path: Path, threads: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Our BodyTracker with its default smoothing on mediapipe's clock -> landmarks, world."""
    from pose.tracker import BodyTracker

    tracker = BodyTracker(smooth=True, threads=threads)
    lms, worlds = [], []
    for i, rgb in enumerate(rgb_frames(path, None)):
        f = tracker.process(rgb, mp_timestamp_s(i))
        lms.append(np.full((33, 4), np.nan, np.float32) if f is None else f.landmarks)
        worlds.append(np.full((33, 3), np.nan, np.float32) if f is None else f.world)
    return np.stack(lms), np.stack(worlds)


def fidelity(ours: np.ndarray, ref: np.ndarray, size: tuple[int, int]) -> dict:
    """ours, ref (T, 33, 4) with NaN rows where nobody -> error stats normalised by width."""
    w, h = size
    fo = np.isfinite(ours[:, 0, 0])
    fr = np.isfinite(ref[:, 0, 0])
    both = fo & fr
    err = np.hypot((ours[..., 0] - ref[..., 0]) * w, (ours[..., 1] - ref[..., 1]) * h) / w
    mask = both[:, None] & (np.nan_to_num(ref[..., 3]) > 0.5)
    e = err[mask]
    return {"median": float(np.median(e)) if e.size else float("nan"),
            "p95": float(np.percentile(e, 95)) if e.size else float("nan"),
            "agreement": float((fo == fr).mean()), "points": int(e.size), "frames": int(len(fo)),
            "found_ours": int(fo.sum()), "found_ref": int(fr.sum())}


def _ok(flag: bool) -> str:
    return "ok" if flag else "MISS"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="cam01 only, 40 frames, one round")
    ap.add_argument("--rounds", type=int, default=2, help="passes over each video for speed")
    ap.add_argument("--threads", type=int, default=2, help="LiteRT threads for our pipeline")
    ap.add_argument("--frames", type=int, default=None, help="at most this many frames a video")
    ap.add_argument("--write-fixture", action="store_true",
                    help=f"store mediapipe's landmarks as {FIXTURE.relative_to(ROOT)}")
    ap.add_argument("--precision", default=None,
                    help="model variant for every pipeline (float, fp16, int8-dynamic, int8-weight, int8-static, int8-mixed)")
    args = ap.parse_args(argv)
    if args.precision:
        from pose import runtime

        runtime.set_default_precision(args.precision)
        os.environ["DANCE_PRECISION"] = args.precision  # and any subprocess it starts
    sys.path.insert(0, str(ROOT))
    from pose.samples import sample_path

    videos = VIDEOS[:1] if args.quick else VIDEOS
    max_frames = 40 if args.quick and args.frames is None else args.frames
    rounds = 1 if args.quick else max(1, args.rounds)
    if args.write_fixture and (args.quick or max_frames is not None):
        raise SystemExit("--write-fixture needs whole videos (no --quick/--frames)")
    if args.write_fixture:
        videos = tuple(dict.fromkeys(videos + FIXTURE_VIDEOS))

    fixture: dict[str, np.ndarray] = {}
    world_rows: list[tuple[str, dict, dict]] = []
    speed = {"ours": [], "mediapipe": [], "invoke": [], "overhead": []}
    print(f"bench_pose: {len(videos)} video(s), {max_frames or 'all'} frames, {rounds} round(s); "
          f"mediapipe reference from {MP_VENV}")
    print()
    print(f"{'video':<30} {'median':>9} {'p95':>9} {'agree':>7} {'points':>7}   (error / frame width)")
    for vi, name in enumerate(videos):
        path = sample_path(name)
        for r in range(rounds):
            run = run_interleaved(path, name, max_frames, threads=args.threads, same_roi=(r == 0))
            trk = run["tracking"]
            speed["mediapipe"].append(run["mp_ms"][trk])
            speed["ours"].append(run["ours_ms"][trk])
            speed["invoke"].append(run["invoke_ms"])
            speed["overhead"].append(run["ours_ms"][trk] - run["ours_invoke_ms"][trk])
            if r == 0:
                fid = fidelity(run["lm"], run["mp_lm"], run["size"])
                good = (fid["median"] <= TARGET_MEDIAN and fid["p95"] <= TARGET_P95
                        and fid["agreement"] >= TARGET_AGREEMENT)
                print(f"{name:<30} {fid['median']:9.5f} {fid['p95']:9.5f} {fid['agreement']:7.1%} "
                      f"{fid['points']:7d}   {_ok(good)} (targets ≤{TARGET_MEDIAN}, ≤{TARGET_P95}, "
                      f"≥{TARGET_AGREEMENT:.0%}); found {fid['found_ours']}/{fid['found_ref']} of {fid['frames']}")
                detected = run["detected"] | run["mp_detected"]
                wf = world_fidelity(run["world"], run["mp_world"], detected)
                sr = world_fidelity(run["same_roi_world"], run["mp_world"], detected)
                world_rows.append((name, wf, sr))
                if name in FIXTURE_VIDEOS:
                    k = FIXTURE_VIDEOS.index(name)
                    if name in FIXTURE_LANDMARK_VIDEOS:
                        fixture[f"v{k}_landmarks"] = run["mp_lm"].astype(np.float32)
                    fixture[f"v{k}_world"] = run["mp_world"].astype(np.float32)
                    fixture[f"v{k}_roi"] = run["mp_roi"].astype(np.float32)
                    fixture[f"v{k}_detected"] = run["mp_detected"].astype(bool)
                    fixture[f"v{k}_name"] = np.str_(name)
                    fixture[f"v{k}_size"] = np.asarray(run["size"], np.int64)
    print()
    print(f"world landmarks vs pose_world_landmarks, cm; both on mediapipe's {MP_FRAME_US} us clock "
          f"(targets median ≤ {TARGET_WORLD_MEDIAN_M * 100:g}, p95 ≤ {TARGET_WORLD_P95_M * 100:g}, "
          f"after a detection ≤ {TARGET_WORLD_POST_DETECTION_M * 100:g})")
    print(f"{'video':<30} {'median':>7} {'p95':>7} {'post-det':>9}  {'| same ROI:':>11} {'median':>7} {'p95':>7} "
          f"{'post-det':>9}")
    for name, wf, sr in world_rows:
        good = (wf["median"] <= TARGET_WORLD_MEDIAN_M and wf["p95"] <= TARGET_WORLD_P95_M
                and wf["post_max"] <= TARGET_WORLD_POST_DETECTION_M)
        print(f"{name:<30} {wf['median'] * 100:7.2f} {wf['p95'] * 100:7.2f} {wf['post_max'] * 100:9.2f}  "
              f"{'|':>11} {sr['median'] * 100:7.2f} {sr['p95'] * 100:7.2f} {sr['post_max'] * 100:9.2f}   "
              f"{_ok(good)}; {wf['frames']} frames, {wf['post_frames']} after detections "
              f"(worst frame {wf['post_frame']})")
    if not args.quick:
        print()
        print("smoothing on (mediapipe's live default, smooth_landmarks=True), same clock; image error / frame width, "
              "world cm")
        for name in SMOOTH_VIDEOS:
            path = sample_path(name)
            ref_lm, ref_world = smoothed_reference(path)
            lm, world = track_smoothed(path, args.threads)
            fid = fidelity(lm, ref_lm, frame_size(path))
            wf = world_fidelity(world, ref_world, np.zeros(len(world), bool))
            good = (fid["median"] <= TARGET_MEDIAN and fid["p95"] <= TARGET_P95 and fid["agreement"] >= TARGET_AGREEMENT
                    and wf["median"] <= TARGET_WORLD_MEDIAN_M and wf["p95"] <= TARGET_WORLD_P95_M)
            print(f"{name:<30} image {fid['median']:.5f} / {fid['p95']:.5f}, agreement {fid['agreement']:.1%}; "
                  f"world {wf['median'] * 100:.2f} / {wf['p95'] * 100:.2f} cm   {_ok(good)}")
            if args.write_fixture and name in FIXTURE_VIDEOS:
                k = FIXTURE_VIDEOS.index(name)
                fixture[f"v{k}_smooth_landmarks"], fixture[f"v{k}_smooth_world"] = ref_lm, ref_world
    # Medians over every tracking-mode frame of every round; the three were measured
    # alternately on each frame, so a busy moment on the shared machine hits all of them.
    ours_ms = float(np.median(np.concatenate(speed["ours"])))
    mp_ms = float(np.median(np.concatenate(speed["mediapipe"])))
    inv_ms = float(np.median(np.concatenate(speed["invoke"])))
    n = sum(len(v) for v in speed["ours"])
    print()
    p10 = {k: float(np.percentile(np.concatenate(v), 10)) for k, v in speed.items()}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"speed, ms per 1080p frame over {n} tracking-mode frames; {args.threads} LiteRT threads; "
          f"load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':49} {'median':>7} {'p10':>7}")
    print(f"  ours, tracking mode (RGB in -> landmarks out)  {ours_ms:7.2f} {p10['ours']:7.2f}")
    print(f"  mediapipe 0.10.21 Pose.process()                {mp_ms:7.2f} {p10['mediapipe']:7.2f}")
    print(f"  bare pose_landmark_full invoke                 {inv_ms:7.2f} {p10['invoke']:7.2f}")
    over_ms = float(np.median(np.concatenate(speed["overhead"])))
    print(f"  (ours minus its own invoke: crop, decode, ROI  {over_ms:7.2f} {p10['overhead']:7.2f})")
    print(f"  ratio ours / mediapipe   {ours_ms / mp_ms:5.2f}  (p10 {p10['ours'] / p10['mediapipe']:4.2f})  "
          f"target ≤ {TARGET_VS_MP}  {_ok(ours_ms / mp_ms <= TARGET_VS_MP)}")
    print(f"  ratio ours / bare invoke {ours_ms / inv_ms:5.2f}  (p10 {p10['ours'] / p10['invoke']:4.2f})  "
          f"target ≤ {TARGET_VS_INVOKE}  {_ok(ours_ms / inv_ms <= TARGET_VS_INVOKE)}")
    if load > (os.cpu_count() or 1):
        print("  note: the machine was busy (load > CPUs); multi-threaded LiteRT suffers most, "
              "mediapipe runs XNNPACK on 1 thread. Rerun when idle for the target figures.")
    if args.write_fixture:
        import subprocess as sp

        version = sp.run([str(MP_PYTHON), "-c", "import mediapipe; print(mediapipe.__version__)"],
                         capture_output=True, text=True).stdout.strip()
        fixture["mediapipe_version"] = np.str_(version)
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(FIXTURE, **fixture)
        print(f"\nwrote {FIXTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a missing sample/model/venv is one line, not a traceback
        from pose.errors import DanceError

        if not isinstance(e, (DanceError, subprocess.CalledProcessError)):
            raise
        print(f"bench_pose: {e}", file=sys.stderr)
        sys.exit(1)
