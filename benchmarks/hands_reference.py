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
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def run(frames: np.ndarray, clips: np.ndarray) -> dict[str, np.ndarray]:
    import mediapipe as mp

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
                solution = mp.solutions.hands.Hands(static_image_mode=False, model_complexity=1,
                                                    max_num_hands=2, min_detection_confidence=0.5,
                                                    min_tracking_confidence=0.5)
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
    ap.add_argument("frames", help="npz with frames (T, H, W, 3) uint8 RGB [and clips (T,)]")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    data = np.load(args.frames)
    frames = data["frames"]
    clips = data["clips"] if "clips" in data.files else np.zeros(len(frames), np.int64)
    out = run(frames, clips)
    np.savez_compressed(args.out, **out)
    found = int((out["label"] >= 0).sum())
    print(f"{len(frames)} frames, {found} hands; {np.median(out['wall_ms']):.2f} ms/frame median")


if __name__ == "__main__":
    main()
