"""Google's own hand pipeline on the frames we give it: reference landmarks and timings.

Runs ONLY under the mediapipe virtualenv (mediapipe 0.10.21 needs numpy < 2), so it imports
nothing from this project:

    venv-mediapipe/bin/python benchmarks/hands_reference.py FRAMES.npz --out REF.npz

FRAMES.npz holds ``frames`` uint8 (T, H, W, 3) RGB and optionally ``clips`` int (T,): a
new clip id restarts the solution (tracking state is per clip). Settings are the issue's:
Hands(static_image_mode=False, model_complexity=1, max_num_hands=2), detection and tracking
confidence 0.5. The legacy Hands solution does not smooth landmarks.

REF.npz: ``hands`` float32 (T, 2, 21, 3) x, y normalised, z as mediapipe gives it, NaN
where absent (hands in mediapipe's output order); ``label`` int8 (T, 2) mediapipe's
handedness label (0 "Left", 1 "Right", assuming a mirrored image; -1 none);
``label_score`` float32 (T, 2); ``wall_ms`` / ``cpu_ms`` float64 (T,) per process() call
(CPU = user + sys of this process, all threads).

``--serve``: lockstep on stdin/stdout instead, so a caller can time mediapipe and its own
pipeline alternately, frame by frame, under the same load: the caller writes one ASCII
line ``W H CLIP`` then W*H*3 bytes of RGB (a new CLIP restarts the solution); the answer
is one JSON line ``{"t_ms", "cpu_ms", "hands": [[63 floats] ...], "label": [...],
"label_score": [...]}`` (at most two hands, mediapipe's order). EOF ends it.
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def _new_solution():
    import mediapipe as mp

    return mp.solutions.hands.Hands(static_image_mode=False, model_complexity=1, max_num_hands=2,
                                    min_detection_confidence=0.5, min_tracking_confidence=0.5)


def serve() -> int:
    import json
    import sys

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    solution, clip = None, None
    try:
        while True:
            header = inp.readline()
            if not header.strip():
                return 0
            w, h, c = header.split()
            w, h = int(w), int(h)
            data = inp.read(w * h * 3)
            if len(data) < w * h * 3:
                return 0
            if solution is None or c != clip:
                if solution is not None:
                    solution.close()
                solution, clip = _new_solution(), c
            rgb = np.frombuffer(data, np.uint8).reshape(h, w, 3)
            t0, c0 = time.perf_counter(), time.process_time()
            res = solution.process(rgb)
            t_ms, cpu_ms = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
            hands, label, score = [], [], []
            if res.multi_hand_landmarks:
                for lms, hd in list(zip(res.multi_hand_landmarks, res.multi_handedness))[:2]:
                    hands.append([v for p in lms.landmark for v in (p.x, p.y, p.z)])
                    cl = hd.classification[0]
                    label.append(0 if cl.label == "Left" else 1)
                    score.append(cl.score)
            out.write(json.dumps({"t_ms": t_ms, "cpu_ms": cpu_ms, "hands": hands, "label": label,
                                  "label_score": score}).encode() + b"\n")
            out.flush()
    finally:
        if solution is not None:
            solution.close()


def run(frames: np.ndarray, clips: np.ndarray) -> dict[str, np.ndarray]:
    t_n = len(frames)
    hands = np.full((t_n, 2, 21, 3), np.nan, np.float32)
    label = np.full((t_n, 2), -1, np.int8)
    label_score = np.full((t_n, 2), np.nan, np.float32)
    wall = np.zeros(t_n)
    cpu = np.zeros(t_n)
    solution = None
    clip = None
    try:
        for i, rgb in enumerate(frames):
            if solution is None or clips[i] != clip:
                if solution is not None:
                    solution.close()
                solution = _new_solution()
                clip = clips[i]
            rgb = np.ascontiguousarray(rgb)
            t0, c0 = time.perf_counter(), time.process_time()
            res = solution.process(rgb)
            wall[i] = (time.perf_counter() - t0) * 1e3
            cpu[i] = (time.process_time() - c0) * 1e3
            if res.multi_hand_landmarks:
                for k, (lms, hd) in enumerate(zip(res.multi_hand_landmarks, res.multi_handedness)):
                    if k >= 2:
                        break
                    hands[i, k] = [(p.x, p.y, p.z) for p in lms.landmark]
                    c = hd.classification[0]
                    label[i, k] = 0 if c.label == "Left" else 1
                    label_score[i, k] = c.score
    finally:
        if solution is not None:
            solution.close()
    return {"hands": hands, "label": label, "label_score": label_score, "wall_ms": wall, "cpu_ms": cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("frames", nargs="?", help="npz with frames (T, H, W, 3) uint8 RGB [and clips (T,)]")
    ap.add_argument("--out")
    ap.add_argument("--serve", action="store_true", help="lockstep on stdin/stdout (see the module doc)")
    args = ap.parse_args()
    if args.serve:
        raise SystemExit(serve())
    if not args.frames or not args.out:
        ap.error("FRAMES.npz and --out are needed unless --serve")
    data = np.load(args.frames)
    frames = data["frames"]
    clips = data["clips"] if "clips" in data.files else np.zeros(len(frames), np.int64)
    out = run(frames, clips)
    np.savez_compressed(args.out, **out)
    found = int((out["label"] >= 0).sum())
    print(f"{len(frames)} frames, {found} hands; {np.median(out['wall_ms']):.2f} ms/frame median")


if __name__ == "__main__":
    main()
