"""Writes tests/pose/fixtures/identity_truth.npz: who is where on every frame of the real
two-person footage the identity benchmark measures (rerun after a change to the samples):

    .venv/bin/python benchmarks/make_identity_truth.py [--montage DIR]

- Demo_MultiPerson cam01-cam04 (pose2sim, 100 frames at 60 fps): a shirtless man and a
  woman in a light grey top (plus bystanders far behind, left out). Each frame's bodies come
  from the body tracker played forward and backward and from a fresh detection on that
  frame alone; each body is labelled on its own by its torso's colour (no identity is
  carried from frame to frame; of each label's candidates the one nearest their median is kept): skin
  is saturated warm, the top is pale. ``--montage`` draws the labels for checking by eye.
- sports2d/demo.mp4 (230 frames at 30 fps): one person on the roof of a hut, one walking
  on the grass below; labelled by height in the frame.

Stored: centres_px (frames, 2, 2) of each person's body centre (mean of shoulders and
hips), NaN where not found; sizes_px (frames, 2); the person names.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pose.body.crossings import read_frames  # noqa: E402
from pose.body.identity import CORE, body_centre_px, body_scale_px  # noqa: E402
from pose.body.tracker import MultiBodyTracker  # noqa: E402
from pose.frame import PoseFrame  # noqa: E402

OUT = ROOT / "tests" / "pose" / "fixtures" / "identity_truth.npz"
CLIPS = {**{f"Demo_MultiPerson/cam0{i}.mp4": (("man", "woman"), 60.0) for i in (1, 2, 3, 4)},
         "sports2d/demo.mp4": (("roof", "walker"), 30.0)}


def torso_saturation(rgb: np.ndarray, pose: PoseFrame) -> float:
    """Median saturation of the pixels inside the shoulder-hip quad (shrunk to its middle)."""
    xy = pose.xy_px()[list(CORE)]
    centre = xy.mean(axis=0)
    pts = centre + (xy - centre) * 0.5
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    h, w = rgb.shape[:2]
    patch = rgb[max(0, y0):min(h, y1), max(0, x0):min(w, x1)].reshape(-1, 3).astype(np.float32)
    if not len(patch):
        return float("nan")
    mx, mn = patch.max(axis=1), patch.min(axis=1)
    return float(np.median((mx - mn) / np.maximum(mx, 1.0)))


def label(name: str, rgb: np.ndarray, pose: PoseFrame, big_px: float) -> int | None:
    if body_scale_px(pose) < 0.5 * big_px:
        return None  # a bystander far behind
    if name.startswith("sports2d"):
        return 0 if body_centre_px(pose)[1] < 0.42 * rgb.shape[0] else 1
    sat = torso_saturation(rgb, pose)
    return 0 if sat > 0.12 else 1  # skin 0.2-0.4, the grey top 0.02-0.06


def truth(name: str) -> tuple[np.ndarray, np.ndarray, list]:
    frames = read_frames(name, 10_000)
    tracked = MultiBodyTracker(max_people=3)
    fresh = MultiBodyTracker(max_people=3)
    # Played backward too: a person the detector first finds late is then known early on.
    backward_tracker = MultiBodyTracker(max_people=3)
    backward = [list(backward_tracker.process(frames[f], i / CLIPS[name][1]).people)
                for i, f in enumerate(range(len(frames) - 1, -1, -1))][::-1]
    centres = np.full((len(frames), 2, 2), np.nan)
    sizes = np.zeros((len(frames), 2))
    drawn = []
    fps = CLIPS[name][1]
    for f, rgb in enumerate(frames):
        fresh.reset()
        bodies = list(tracked.process(rgb, f / fps).people) + list(fresh.process(rgb, f / fps).people) + backward[f]
        big = max((body_scale_px(p) for p in bodies), default=0.0)
        groups: dict[int, list[PoseFrame]] = {}
        for p in bodies:
            who = label(name, rgb, p, big)
            if who is not None:
                groups.setdefault(who, []).append(p)
        # The passes mostly agree; a pose straddling two people is the odd one out, so keep
        # the one nearest the candidates' median.
        best: dict[int, PoseFrame] = {}
        for who, cands in groups.items():
            med = np.median([body_centre_px(p) for p in cands], axis=0)
            best[who] = min(cands, key=lambda p: float(np.linalg.norm(body_centre_px(p) - med)))
        for who, p in best.items():
            centres[f, who] = body_centre_px(p)
            sizes[f, who] = body_scale_px(p)
        drawn.append((rgb, best))
    return centres, sizes, drawn


def montage(name: str, drawn: list, out_dir: Path) -> None:
    import cv2

    picks = np.linspace(0, len(drawn) - 1, 8).astype(int)
    tiles = []
    for i in picks:
        rgb, best = drawn[i]
        img = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR).copy()
        for who, p in best.items():
            c = tuple(int(v) for v in body_centre_px(p))
            cv2.circle(img, c, 30, (0, 0, 255) if who == 0 else (255, 0, 0), -1)
            cv2.putText(img, CLIPS[name][0][who], (c[0] + 35, c[1]), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 255, 255), 4)
        tiles.append(cv2.resize(img, (img.shape[1] * 300 // img.shape[0], 300)))
    out_dir.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out_dir / (name.replace("/", "_") + ".png")), np.hstack(tiles))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--montage", type=Path, help="also draw the labels into this folder")
    args = ap.parse_args()
    arrays: dict[str, np.ndarray] = {}
    for name, (people, _fps) in CLIPS.items():
        centres, sizes, drawn = truth(name)
        key = name.replace("/", "__").replace(".mp4", "")
        arrays[f"{key}__centres_px"] = centres.astype(np.float32)
        arrays[f"{key}__sizes_px"] = sizes.astype(np.float32)
        found = np.isfinite(centres[:, :, 0]).mean(axis=0)
        print(f"{name}: {len(centres)} frames, found {people[0]} {found[0]:.0%}, {people[1]} {found[1]:.0%}")
        if args.montage:
            montage(name, drawn, args.montage)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
