"""Player pose tracks made from any pose track (a reference, or a real recording).

Each keeps the source's own tracker noise with its movement, so only what the name says
changes: the timing (warp_track), the direction of time within each move
(reversed_moves), the movement itself (frozen), or one limb's direction (turn_limb).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from pose.landmarks import INDEX
from pose.track import PoseTrack


def warp_track(track: PoseTrack, source_time_of: Callable[[np.ndarray], np.ndarray],
               duration_s: float) -> PoseTrack:
    """At song time t the player shows ``track`` at source_time_of(t) (nearest frame at the
    track's fps; outside the track: nobody). A delay d: ``lambda t: t - d``; a tempo 10 %
    faster: ``lambda t: t * 1.1``."""
    n = int(round(duration_s * track.fps))
    t = np.arange(n) / track.fps
    idx = np.rint(np.asarray(source_time_of(t), dtype=float) * track.fps).astype(int)
    ok = (idx >= 0) & (idx < len(track))
    lm = np.full((n, track.landmarks.shape[1], 4), np.nan, np.float32)
    world = np.full((n, track.world.shape[1], 3), np.nan, np.float32)
    lm[ok], world[ok] = track.landmarks[idx[ok]], track.world[idx[ok]]
    return PoseTrack(lm, world, t, track.fps, track.size)


def reversed_moves(track: PoseTrack, spans_s: Sequence[tuple[float, float]]) -> PoseTrack:
    """Each [start_s, end_s) span played backwards in place (every move danced in reverse
    on its own beats); the rest as it was."""
    idx = np.arange(len(track))
    for a_s, b_s in spans_s:
        a, b = int(round(a_s * track.fps)), min(int(round(b_s * track.fps)), len(track))
        if b > a:
            idx[a:b] = idx[a:b][::-1]
    return _take(track, idx)


def frozen(track: PoseTrack, at_s: float) -> PoseTrack:
    """The pose at ``at_s`` held for the whole track."""
    k = int(np.clip(round(at_s * track.fps), 0, len(track) - 1))
    return _take(track, np.full(len(track), k))


# Landmarks that move with each limb about its root joint (BlazePose's 33).
_LIMB = {
    "left_arm": ("left_shoulder", ("left_elbow", "left_wrist", "left_pinky", "left_index", "left_thumb")),
    "right_arm": ("right_shoulder", ("right_elbow", "right_wrist", "right_pinky", "right_index", "right_thumb")),
    "left_leg": ("left_hip", ("left_knee", "left_ankle", "left_heel", "left_foot_index")),
    "right_leg": ("right_hip", ("right_knee", "right_ankle", "right_heel", "right_foot_index")),
}


def turn_limb(track: PoseTrack, part: str, angle_rad: float) -> PoseTrack:
    """World landmarks with one limb turned by ``angle_rad`` about its root joint, about the
    camera's depth axis (a constant error in one part; image landmarks unchanged)."""
    if part not in _LIMB:
        raise ValueError(f"part must be one of {', '.join(_LIMB)}, got {part!r}")
    root, moved = INDEX[_LIMB[part][0]], [INDEX[n] for n in _LIMB[part][1]]
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    R = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    world = track.world.astype(np.float64).copy()
    world[:, moved] = (world[:, moved] - world[:, root : root + 1]) @ R.T + world[:, root : root + 1]
    return PoseTrack(track.landmarks, world.astype(np.float32), track.t, track.fps, track.size)


def _take(track: PoseTrack, idx: np.ndarray) -> PoseTrack:
    return PoseTrack(track.landmarks[idx], track.world[idx], track.t, track.fps, track.size)
