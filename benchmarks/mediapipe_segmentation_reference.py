"""Google's SelfieSegmentation answering frame by frame on stdin: its mask and its time.

Runs ONLY under the mediapipe virtualenv (mediapipe 0.10.21 needs numpy < 2), so it imports
nothing from this project:

    ~/.cache/dancestudio/venv-mediapipe/bin/python benchmarks/mediapipe_segmentation_reference.py \
        --model-selection 0|1

Protocol (lockstep, so a caller can time mediapipe and its own pipeline alternately on the
same frame): the caller writes one ASCII line ``W H`` then W*H*3 bytes of RGB; this script
runs ``SelfieSegmentation(model_selection=N).process(rgb)`` and answers with one JSON line
``{"t_ms": wall ms, "cpu_ms": user+sys ms of this process, "w": W, "h": H}`` followed by
H*W bytes of the probability mask x 255 (rounded) and ceil(H*W/8) bytes of
``np.packbits(mask > 0.5)`` (the exact threshold, before rounding). EOF ends it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-selection", type=int, choices=(0, 1), default=0)
    args = ap.parse_args(argv)
    import mediapipe as mp

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=args.model_selection) as seg:
        while True:
            header = inp.readline()
            if not header.strip():
                return 0
            w, h = (int(v) for v in header.split())
            data = inp.read(w * h * 3)
            if len(data) < w * h * 3:
                return 0
            rgb = np.frombuffer(data, np.uint8).reshape(h, w, 3)
            c0, t0 = time.process_time(), time.perf_counter()
            mask = seg.process(rgb).segmentation_mask  # (h, w) float32 probability
            t_ms, cpu_ms = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
            out.write(json.dumps({"t_ms": t_ms, "cpu_ms": cpu_ms, "w": w, "h": h}).encode() + b"\n")
            out.write(np.clip(np.rint(mask * 255.0), 0, 255).astype(np.uint8).tobytes())
            out.write(np.packbits(mask > 0.5).tobytes())
            out.flush()


if __name__ == "__main__":
    sys.exit(main())
