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
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from pose import track_kinds
from pose.errors import TrackError
from pose.gestures import GESTURES
from pose.hands.result import MAX_HANDS, NUM_LANDMARKS

KIND = "hands"
TRACK_VERSION = track_kinds.TRACK_KIND_VERSION


def hands_track_arrays(frames: Iterable[np.ndarray], fps: float, *, mirrored: bool = False,
                       smooth: bool = True, threads: int = 1, tracker=None) -> dict[str, np.ndarray]:
    """Track frames (timestamps index / fps) -> the track file's arrays."""
    from pose.hands.tracker import HandTracker

    tr = tracker or HandTracker(mirrored=mirrored, smooth=smooth, threads=threads)
    results = [tr.process(rgb, i / fps) for i, rgb in enumerate(frames)]
    size = results[0].image_size if results else (0, 0)
    return results_to_arrays(results, np.arange(len(results)) / fps, fps, size, tr.mirrored)


def save(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Check and write a hands track (atomically where the track registry is there)."""
    validate(arrays, str(path))
    track_kinds.save_npz(path, **arrays)


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


def results_to_arrays(results, times: np.ndarray, fps: float, size: tuple[int, int],
                      mirrored: bool) -> dict[str, np.ndarray]:
    """HandsResult per frame -> the track file's arrays."""
    n = len(results)
    hands = np.full((n, MAX_HANDS, NUM_LANDMARKS, 3), np.nan, np.float32)
    handed = np.full((n, MAX_HANDS), -1, np.int8)
    gestures = np.full((n, MAX_HANDS), "", "<U11")
    for i, res in enumerate(results):
        hands[i], handed[i], gestures[i] = res.as_arrays()
    return {"t": np.asarray(times, np.float64), "fps": np.float64(fps), "size": np.asarray(size, np.int64),
            "kind": np.array(KIND), "version": np.int64(TRACK_VERSION), "hands": hands,
            "handedness": handed, "gestures": gestures, "mirrored": np.bool_(mirrored)}


def write_hands_track(video: Path, out: Path, opts) -> str:
    """``dance track VIDEO -o OUT --what hands``: every frame's hands -> OUT; the summary line.

    A video file is taken as not mirrored (a camera's own view), so handedness is the
    person's own hand as the model sees it through that view.
    """
    from pose.hands.tracker import HandTracker

    # One thread per model costs the least CPU (see HandTracker); more only when asked for.
    tracker = HandTracker(smooth=opts.smooth, threads=1 if opts.threads <= 2 else opts.threads // 2)
    run = track_kinds.run_video(video, tracker.process, prefetch=opts.prefetch, progress=opts.progress)
    arrays = results_to_arrays(run.results, run.t, run.fps, run.size, tracker.mirrored)
    save(out, arrays)
    found = arrays["handedness"] >= 0
    frames_with = float(found.any(axis=1).mean()) if len(found) else 0.0
    w, h = run.size
    return (f"{out}: {len(run.results)} frames ({w}x{h} @ {run.fps:g} fps, {run.video_s:.2f} s), "
            f"hands in {frames_with:.1%} of frames ({int(found.sum())} hands), {run.ms_per_frame:.1f} ms/frame, "
            f"{run.realtime_factor:.2f}x real time{'' if opts.smooth else ', unsmoothed'}")


track_kinds.register(KIND, write_hands_track)


def replay(arrays) -> Iterator:
    """A hands track back as live results, frame by frame: one HandsResult per row, with
    each slot's gestures debounced as the live tracker does (for headless tests of
    hands-free control, e.g. on tests/fixtures/hands_gestures.npz). ROIs are rebuilt from
    the landmarks; presence and handedness scores are 1 (the file keeps neither)."""
    from pose.gestures import GestureDebouncer
    from pose.hands.landmarks import roi_from_landmarks
    from pose.hands.result import Hand, HandsResult

    validate(arrays)
    size = (int(arrays["size"][0]), int(arrays["size"][1]))
    debouncers = [GestureDebouncer() for _ in range(MAX_HANDS)]
    for t, pts, handed, gestures in zip(arrays["t"], arrays["hands"], arrays["handedness"], arrays["gestures"]):
        hands = []
        for k in range(MAX_HANDS):
            if handed[k] < 0:
                debouncers[k].reset()
                continue
            raw = str(gestures[k]) or "None"
            reported = debouncers[k].update(raw, float(t))
            hands.append(Hand(pts[k], int(handed[k]), 1.0, 1.0, roi_from_landmarks(pts[k], size),
                              reported, raw, k))
        yield HandsResult(tuple(hands), float(t), size)
