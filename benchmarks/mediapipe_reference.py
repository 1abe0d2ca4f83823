"""Google's own pipeline on our sample videos: reference landmarks and per-frame time.

Runs ONLY under the mediapipe virtualenv (mediapipe 0.10.21 needs numpy < 2), so it imports
nothing from this project:

    ~/.cache/dancestudio/venv-mediapipe/bin/python benchmarks/mediapipe_reference.py VIDEO... --out REF.npz
    ~/.cache/dancestudio/venv-mediapipe/bin/python benchmarks/mediapipe_reference.py VIDEO... --json [--frames N]
    ... | ~/.cache/dancestudio/venv-mediapipe/bin/python benchmarks/mediapipe_reference.py --stdin 1080x1920 --json

With ``--stdin WxH`` the frames are raw RGB bytes (H*W*3 each) on stdin, one video: that
is how bench_pose.py feeds mediapipe exactly the frames our decoder produced (OpenCV
builds differ between the two virtualenvs and decode the same mp4 ~1 grey level apart).

``--out`` writes, per video i: ``v{i}_landmarks`` float32 (T, 33, 4) (x, y, z, visibility,
NaN rows where nobody), ``v{i}_world`` float32 (T, 33, 3), ``v{i}_name``, ``v{i}_size``
(w, h). ``--lockstep`` (with ``--stdin``) answers every frame with a JSON line before reading the
next, so a caller can time mediapipe and its own pipeline alternately on each frame.
``--json`` prints one JSON object on stdout: per-frame process() times (ms) per video
plus landmarks (−1 where nobody; see ``found``), for bench_pose.py to parse.

Settings: static_image_mode=False, model_complexity=1, smooth_landmarks=False (True with
``--smooth``), enable_segmentation=False; the graph is built as ``Pose`` builds it,
with two more of its outputs (the ROI from a detection, the ROI from landmarks) so a caller
can compare ROIs, not only landmarks. The solution stamps frames itself, +33333 us apart
(30 Hz) whatever the video's rate; a caller compares on that clock.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np


def video_frames(path: str):
    """RGB frames (H, W, 3) uint8 decoded by this virtualenv's OpenCV."""
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise SystemExit(f"cannot open {path}")
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                return
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


def stdin_frames(width: int, height: int):
    """RGB frames read as raw bytes from stdin until EOF."""
    n = width * height * 3
    buf = sys.stdin.buffer
    while True:
        data = buf.read(n)
        if len(data) < n:
            return
        yield np.frombuffer(data, np.uint8).reshape(height, width, 3)


def _rect(r) -> list[float] | None:
    """A NormalizedRect as [x_center, y_center, width, height, rotation] (normalised), or None."""
    return None if r is None else [r.x_center, r.y_center, r.width, r.height, r.rotation]


def pose_solution(smooth: bool = False):
    """mediapipe's ``Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=smooth,
    enable_segmentation=False)``, built the way its __init__ builds it, plus the graph's debug
    outputs: the ROI from the detection and the ROI from the landmarks (for the next frame)."""
    from mediapipe.python.solution_base import SolutionBase
    from mediapipe.python.solutions import pose as mp_pose

    mp_pose._download_oss_pose_landmark_model(1)
    return SolutionBase(
        binary_graph_path=mp_pose._BINARYPB_FILE_PATH,
        side_inputs={"model_complexity": 1, "smooth_landmarks": bool(smooth), "enable_segmentation": False,
                     "smooth_segmentation": False, "use_prev_landmarks": True},
        calculator_params={
            "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": 0.5,
            "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__ThresholdingCalculator.threshold": 0.5},
        outputs=["pose_landmarks", "pose_world_landmarks", "pose_rect_from_detection", "pose_rect_from_landmarks"])


def run_video(frames, max_frames: int | None, lockstep: bool = False, smooth: bool = False) -> dict:
    lms, worlds, times_ms = [], [], []
    size = None
    with pose_solution(smooth) as pose:
        for rgb in frames:
            if max_frames is not None and len(lms) >= max_frames:
                break
            size = (rgb.shape[1], rgb.shape[0])
            t0 = time.perf_counter()
            res = pose.process({"image": rgb})  # RGB frame in -> landmarks out
            times_ms.append((time.perf_counter() - t0) * 1e3)
            lm = np.full((33, 4), np.nan, np.float32)
            world = np.full((33, 3), np.nan, np.float32)
            if res.pose_landmarks is not None:
                lm[:] = [(p.x, p.y, p.z, p.visibility) for p in res.pose_landmarks.landmark]
            if res.pose_world_landmarks is not None:
                world[:] = [(p.x, p.y, p.z) for p in res.pose_world_landmarks.landmark]
            lms.append(lm)
            worlds.append(world)
            if lockstep:  # one line per frame, at once: the caller times us frame by frame
                print(json.dumps({"t_ms": times_ms[-1], "found": res.pose_landmarks is not None,
                                  "roi_from_detection": _rect(res.pose_rect_from_detection),
                                  "roi_from_landmarks": _rect(res.pose_rect_from_landmarks),
                                  "landmarks": lm.tolist() if res.pose_landmarks is not None else None,
                                  "world": world.tolist() if res.pose_world_landmarks is not None else None}),
                      flush=True)
    return {"landmarks": np.stack(lms), "world": np.stack(worlds), "times_ms": times_ms, "size": size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="*")
    ap.add_argument("--stdin", metavar="WxH", help="read raw RGB frames of this size from stdin")
    ap.add_argument("--name", default="stdin", help="the video's name when reading stdin")
    ap.add_argument("--out", help="write reference landmarks to this .npz")
    ap.add_argument("--json", action="store_true", help="print timings and found flags as JSON")
    ap.add_argument("--lockstep", action="store_true",
                    help="with --stdin: answer each frame with a JSON line before reading the next")
    ap.add_argument("--frames", type=int, default=None, help="at most this many frames a video")
    ap.add_argument("--smooth", action="store_true", help="smooth_landmarks=True (mediapipe's live default)")
    args = ap.parse_args(argv)
    if args.stdin:
        w, h = (int(v) for v in args.stdin.lower().split("x"))
        args.videos = [args.name]
        results = [run_video(stdin_frames(w, h), args.frames, args.lockstep, args.smooth)]
    elif args.videos:
        results = [run_video(video_frames(v), args.frames, smooth=args.smooth) for v in args.videos]
    else:
        ap.error("give VIDEO paths or --stdin WxH")
    if args.out:
        arrays = {}
        for i, (v, r) in enumerate(zip(args.videos, results)):
            arrays[f"v{i}_landmarks"] = r["landmarks"]
            arrays[f"v{i}_world"] = r["world"]
            arrays[f"v{i}_name"] = np.str_("/".join(Path(v).parts[-2:]))
            arrays[f"v{i}_size"] = np.asarray(r["size"], np.int64)
        import mediapipe as mp

        arrays["mediapipe_version"] = np.str_(mp.__version__)
        np.savez_compressed(args.out, **arrays)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        print(json.dumps({"videos": [
            {"video": v, "size": list(r["size"] or (0, 0)), "times_ms": r["times_ms"],
             "landmarks": np.where(np.isfinite(r["landmarks"]), r["landmarks"], -1.0).round(7).tolist(),
             "world": np.where(np.isfinite(r["world"]), r["world"], 0.0).round(7).tolist(),
             "found": [bool(np.isfinite(x[0, 0])) for x in r["landmarks"]]}
            for v, r in zip(args.videos, results)]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
