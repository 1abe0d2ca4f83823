"""Hands track files (``dance track VIDEO -o OUT.npz --what hands``).

Every file has ``t`` float64 (T,) seconds, ``fps``, ``size`` = (width, height), ``kind`` =
"hands", ``version``; then ``hands`` float32 (T, 2, 21, 3) x, y normalised to the frame, z
on x's scale, NaN where absent; ``handedness`` int8 (T, 2): 0 left, 1 right (the person's
own hand), -1 none; ``gestures`` (T, 2) str: each frame's classification, one of
pose.gestures.GESTURES ("" where no hand; a reader debounces it like the live tracker).
``mirrored``: whether the frames were taken as mirror images (it decided the handedness).
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from pose.errors import TrackError
from pose.gestures import GESTURES
from pose.hands.result import MAX_HANDS, NUM_LANDMARKS

KIND = "hands"
TRACK_VERSION = 1


def hands_track_arrays(frames: Iterable[np.ndarray], fps: float, *, mirrored: bool = False,
                       smooth: bool = True, threads: int = 2, tracker=None,
                       on_frame: Callable[[], None] | None = None) -> dict[str, np.ndarray]:
    """Track every frame (timestamps index / fps) -> the track file's arrays."""
    from pose.hands.tracker import HandTracker

    tr = tracker or HandTracker(mirrored=mirrored, smooth=smooth, threads=threads)
    hands, handed, gestures, times = [], [], [], []
    size = (0, 0)
    for i, rgb in enumerate(frames):
        t = i / fps
        res = tr.process(rgb, t)
        size = res.image_size
        pts, hd, gs = res.as_arrays()
        hands.append(pts)
        handed.append(hd)
        gestures.append(gs)
        times.append(t)
        if on_frame is not None:
            on_frame()
    n = len(times)
    return {
        "t": np.asarray(times, np.float64),
        "fps": np.float64(fps),
        "size": np.asarray(size, np.int64),
        "kind": np.array(KIND),
        "version": np.int64(TRACK_VERSION),
        "hands": np.stack(hands) if n else np.zeros((0, MAX_HANDS, NUM_LANDMARKS, 3), np.float32),
        "handedness": np.stack(handed) if n else np.zeros((0, MAX_HANDS), np.int8),
        "gestures": np.stack(gestures) if n else np.zeros((0, MAX_HANDS), "<U11"),
        "mirrored": np.bool_(getattr(tr, "mirrored", mirrored)),
    }


def track_hands_video(video: str | os.PathLike, *, mirrored: bool = False, smooth: bool = True,
                      threads: int = 2, progress: bool | None = None) -> tuple[dict[str, np.ndarray], float]:
    """Track every frame of a video file -> (arrays, wall seconds)."""
    import sys

    from tqdm import tqdm

    from pose.video import open_video

    with open_video(video) as src:
        bar = tqdm(total=src.frame_count, unit="frame", desc=Path(src.name).name, leave=False, file=sys.stderr,
                   disable=(not progress) if progress is not None else None)
        t0 = time.perf_counter()
        try:
            arrays = hands_track_arrays((f.rgb for f in src), src.fps, mirrored=mirrored, smooth=smooth,
                                        threads=threads, on_frame=lambda: bar.update(1))
        finally:
            bar.close()
        if not len(arrays["t"]):
            arrays["size"] = np.asarray(src.size, np.int64)
        return arrays, time.perf_counter() - t0


def save(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    validate(arrays, str(path))
    np.savez_compressed(path, **arrays)


def validate(arrays, where: str = "hands track") -> None:
    """TrackError (one line) unless ``arrays`` follow the hands track format."""
    for key in ("t", "fps", "size", "kind", "version", "hands", "handedness", "gestures"):
        if key not in arrays:
            raise TrackError(f"{where}: no '{key}' array (not a hands track)")
    if str(arrays["kind"]) != KIND:
        raise TrackError(f"{where}: kind is {str(arrays['kind'])!r}, not {KIND!r}")
    n = len(arrays["t"])
    if arrays["hands"].shape != (n, MAX_HANDS, NUM_LANDMARKS, 3):
        raise TrackError(f"{where}: hands must be ({n}, 2, 21, 3), got {arrays['hands'].shape}")
    if arrays["handedness"].shape != (n, MAX_HANDS) or arrays["gestures"].shape != (n, MAX_HANDS):
        raise TrackError(f"{where}: handedness and gestures must be ({n}, 2)")
    found = arrays["handedness"] >= 0
    if not np.isfinite(arrays["hands"][found]).all():
        raise TrackError(f"{where}: a found hand has NaN landmarks")
    bad = set(np.unique(arrays["gestures"][found]).tolist()) - set(GESTURES)
    if bad:
        raise TrackError(f"{where}: unknown gestures {sorted(bad)}")


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read and check a hands track file."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise TrackError(f"{path}: no such file") from None
    except (OSError, ValueError) as e:
        raise TrackError(f"{path}: not a track file ({e})") from None
    if int(arrays.get("version", TRACK_VERSION)) > TRACK_VERSION:
        raise TrackError(f"{path}: hands track version {int(arrays['version'])} is newer than this program")
    validate(arrays, str(path))
    return arrays


def match_hands(ours: np.ndarray, ref: np.ndarray, size_wh: tuple[int, int],
                max_hand_sizes: float = 0.5) -> list[tuple[int, int, np.ndarray]]:
    """Pair the hands of two frames' (2, 21, >=2) arrays (NaN rows = absent) by the smallest
    mean landmark distance. Returns (ref slot, our slot, (21,) distances in frame widths)
    for each pair, greedily best first; a hand is in at most one pair, and two hands pair
    only if their mean distance is under ``max_hand_sizes`` times the reference hand's
    size (its bounding box's longer side): farther apart, they are different hands."""
    w, h = size_wh
    k_scale = np.array([1.0, h / w])
    pairs = []
    for i in range(ref.shape[0]):
        if not np.isfinite(ref[i, :, :2]).all():
            continue
        for j in range(ours.shape[0]):
            if not np.isfinite(ours[j, :, :2]).all():
                continue
            d = np.linalg.norm((ours[j, :, :2] - ref[i, :, :2]) * k_scale, axis=1)
            span = (ref[i, :, :2].max(axis=0) - ref[i, :, :2].min(axis=0)) * k_scale
            if d.mean() <= max_hand_sizes * float(span.max()):
                pairs.append((float(d.mean()), i, j, d))
    pairs.sort(key=lambda p: p[0])
    used_i, used_j, out = set(), set(), []
    for _, i, j, d in pairs:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((i, j, d))
    return out
