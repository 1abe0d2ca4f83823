"""Crops made by OpenCV 4's warpPerspective, the resampler inside mediapipe 0.10.21, for
tests/pose/test_landmarker.py to check pose.roi.warp_mediapipe against pixel for pixel.

Runs under the mediapipe virtualenv (its opencv-python-headless is 4.x; ours is 5):

    ~/.cache/dancestudio/venv-mediapipe/bin/python benchmarks/opencv4_warp_fixture.py

The image is regenerated from its seed in the test, so only the crops are stored.
"""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "pose" / "fixtures" / "opencv4_warp.npz"
SEED = 2
SHAPE = (300, 200, 3)
# (centre x, centre y, side, rotation rad, output side, border): inside, rotated, partly
# outside (replicated edge), and a letterbox (constant zero border) like the detector's.
CASES = np.array([
    (90.0, 160.0, 150.0, 0.3, 64, cv2.BORDER_REPLICATE),
    (101.37, 149.81, 233.3, -2.61, 64, cv2.BORDER_REPLICATE),
    (20.5, 270.25, 90.0, 1.2, 48, cv2.BORDER_REPLICATE),
    (100.0, 150.0, 300.0, 0.0, 56, cv2.BORDER_CONSTANT),
], np.float64)


def main() -> None:
    img = np.random.default_rng(SEED).integers(0, 256, SHAPE, dtype=np.uint8)
    f = np.float32
    crops = {}
    for k, (cx, cy, side, rot, n, border) in enumerate(CASES):
        n = int(n)
        angle = f(float(f(f(rot) * f(180.0))) / math.pi)  # mediapipe: rotation * 180.f / M_PI
        box = cv2.boxPoints(((f(cx), f(cy)), (f(side), f(side)), angle))
        m = cv2.getPerspectiveTransform(box.astype(np.float32), np.float32([[0, n], [0, 0], [n, 0], [n, n]]))
        crops[f"crop{k}"] = cv2.warpPerspective(img, m, (n, n), flags=cv2.INTER_LINEAR, borderMode=int(border))
    np.savez_compressed(OUT, cases=CASES, opencv=np.str_(cv2.__version__), **crops)
    print(f"wrote {OUT} (OpenCV {cv2.__version__})")


if __name__ == "__main__":
    main()
