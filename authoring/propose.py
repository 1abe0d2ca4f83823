"""Propose moves from a coach's pose track: beat-grid segments cut where the motion pauses.

A first draft for an author to edit, not a finished chart:
- moves start and end on whole beats and are, preferably, a whole number of
  ``beats_per_move`` long (4 when the song is long enough), at most twice that;
- boundaries go where the coach's movement changes (the pose and its spread differ before
  and after) or pauses, chosen together by dynamic programming (``propose_moves``);
- stretches where the coach stands still or is not found are left as rests;
- a move's parts are the visible body parts that move most in it; the most energetic
  move(s) are gold; a stretch where nobody is found gets no move.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pose.track import PoseTrack
from scoring.parts import BODY_PARTS, PART_LANDMARKS

# A part is "moving" in a move when its speed is at least this share of the fastest part's.
PART_SHARE = 0.6
VISIBLE_MIN = 0.5
SMOOTH_S = 0.1  # speed is averaged over this window: one noisy frame is not a pause
PREFERRED_BEATS = (4, 2, 1)
MIN_MOVES = 3
GOLD_EVERY = 8  # one gold move per this many moves (at least one)
# Segmentation weights (units: standardised change score, see change_scores).
PAUSE_WEIGHT = 1.0   # a beat where the coach stands still is a natural place to cut
MOVE_COST = 1.0      # each extra move must be earned by a change at least this clear
OFF_GRID_COST = 0.75  # a move that is not a whole number of beats_per_move
STILL_SHARE = 0.25   # a stretch moving less than this share of the typical move is not a move


@dataclass(frozen=True)
class ProposedMove:
    """A move on the beat grid: start beat, length in beats, parts, gold, name and tip."""

    start_beat: float
    beats: float
    parts: tuple[str, ...]  # empty: all parts count
    gold: bool
    name: str
    tip: str
    energy: float  # mean body speed in frame heights per second


def part_speeds(track: PoseTrack) -> np.ndarray:
    """(T, 6) speed of each body part (BODY_PARTS order), frame heights / s, smoothed.

    Image coordinates scaled to frame heights (so x and y have one unit) rather than world
    metres: world landmarks are hip-centred and would hide a jump or a step sideways.
    """
    n = len(track)
    if n < 2:
        return np.zeros((n, len(BODY_PARTS)))
    w, h = track.size
    xy = track.landmarks[:, :, :2].astype(np.float64) * np.array([w / h, 1.0])
    v = np.linalg.norm(np.diff(xy, axis=0), axis=2) * track.fps  # (T-1, 33)
    v = np.vstack([v[:1], v])
    v = np.nan_to_num(v, nan=0.0)  # nobody found: no motion
    speeds = np.stack([v[:, list(PART_LANDMARKS[p])].mean(axis=1) for p in BODY_PARTS], axis=1)
    k = max(1, int(round(SMOOTH_S * track.fps)))
    if k > 1:
        kernel = np.ones(k) / k
        speeds = np.stack([np.convolve(speeds[:, j], kernel, mode="same") for j in range(speeds.shape[1])],
                          axis=1)
    return speeds


def part_visible(track: PoseTrack) -> np.ndarray:
    """(T, 6) bool: all the part's landmarks have visibility >= VISIBLE_MIN."""
    vis = np.nan_to_num(track.landmarks[:, :, 3], nan=0.0)
    return np.stack([(vis[:, list(PART_LANDMARKS[p])] >= VISIBLE_MIN).all(axis=1) for p in BODY_PARTS], axis=1)


def pose_features(track: PoseTrack) -> np.ndarray:
    """(T, 36) body pose per frame, NaN where nobody was found.

    The 12 limb joints (shoulders to ankles) in world metres when the track has them
    (hip-centred: the pose, not where the coach stands), else image coordinates centred on
    the hips and scaled by the torso, so a move is recognised wherever it is danced.
    """
    joints = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]
    world = track.world[:, joints, :].astype(np.float64)
    if np.isfinite(world).all(axis=(1, 2)).mean() >= 0.5 * max(track.found.mean(), 1e-9):
        return world.reshape(len(track), -1)
    w, h = track.size
    xy = track.landmarks[:, :, :2].astype(np.float64) * np.array([w / h, 1.0])
    hips = xy[:, [23, 24]].mean(axis=1, keepdims=True)
    torso = np.linalg.norm(xy[:, [11, 12]].mean(axis=1) - hips[:, 0], axis=1)[:, None, None]
    rel = (xy[:, joints] - hips) / np.where(torso > 1e-6, torso, np.nan)
    return np.concatenate([rel, np.zeros_like(rel[..., :1])], axis=2).reshape(len(track), -1)


def change_scores(feat: np.ndarray, t: np.ndarray, beats_s: np.ndarray, window_s: float) -> np.ndarray:
    """(B,) how much the movement differs in the window before each beat and the one after.

    Compares the mean pose and the spread of the pose (what the move does) of the two
    windows; robustly standardised (median, MAD) so that 0 is a typical beat.
    """
    d = np.full(len(beats_s), np.nan)  # NaN: a window is missing (media edge, nobody found)
    for i, tb in enumerate(beats_s):
        before = feat[(t >= tb - window_s) & (t < tb)]
        after = feat[(t >= tb) & (t < tb + window_s)]
        before = before[np.isfinite(before).all(axis=1)]
        after = after[np.isfinite(after).all(axis=1)]
        if len(before) < 2 or len(after) < 2:
            continue
        d[i] = (np.linalg.norm(before.mean(0) - after.mean(0)) + np.linalg.norm(before.std(0) - after.std(0)))
    ok = np.isfinite(d)
    if not ok.any():
        return np.zeros(len(beats_s))
    med = np.median(d[ok])
    mad = np.median(np.abs(d[ok] - med)) * 1.4826
    z = (d - med) / (mad if mad > 1e-9 else (d[ok].std() or 1.0))
    return np.where(ok, z, 0.0)  # no evidence either way at an edge


def propose_moves(track: PoseTrack, bpm: float, offset_s: float, duration_s: float,
                  beats_per_move: int | None = None) -> list[ProposedMove]:
    """Moves on the beat grid inside [0, duration_s]; [] if not even one beat fits.

    The chart is chosen by dynamic programming over whole beats: every stretch between two
    beats is a move or a rest. A move earns the change scores of its two boundaries (the
    movement before and after differs, or the coach pauses) and +1/L for each beat it covers
    where the coach moves (-1/L where the coach is still or absent); it costs MOVE_COST,
    plus OFF_GRID_COST unless its length is a whole number of beats_per_move (L). Rests
    cost nothing. So moves cover the dancing, and a move is split only where something
    changes.
    """
    spb = 60.0 / bpm
    first = math.ceil((0.0 - offset_s) / spb - 1e-9)
    last = math.floor((duration_s - offset_s) / spb + 1e-9)
    n_beats = last - first
    if n_beats < 1 or not len(track):
        return []
    if beats_per_move is None:
        beats_per_move = next((b for b in PREFERRED_BEATS if n_beats // b >= MIN_MOVES), 1)
    L = int(beats_per_move)
    beats = np.arange(first, last + 1)
    beats_s = offset_s + beats * spb

    speeds = part_speeds(track)
    overall = speeds.mean(axis=1)
    # Motion around each beat (a quarter beat either side): one sample would alias with
    # movements that repeat on the beat.
    motion = np.array([overall[np.abs(track.t - tb) <= spb / 4].mean() if np.any(np.abs(track.t - tb) <= spb / 4)
                       else np.interp(tb, track.t, overall) for tb in beats_s])
    typical = float(np.median(overall[track.found])) if track.found.any() else 0.0
    pause = np.clip(1.0 - motion / typical, 0.0, 1.0) if typical > 0 else np.zeros(len(beats))
    score = change_scores(pose_features(track), track.t, beats_s, window_s=L * spb) + PAUSE_WEIGHT * pause

    # Each beat is worth covering (+1) when the coach is there and moving, else a cost (-1):
    # stillness (an intro, a held pose) and empty frames are left as rests.
    worth = np.full(len(beats) - 1, -1.0)
    for i in range(len(beats) - 1):
        sel = (track.t >= beats_s[i]) & (track.t < beats_s[i + 1])
        if sel.any() and track.found[sel].mean() >= 0.5 and overall[sel].mean() >= STILL_SHARE * typical:
            worth[i] = 1.0
    cum = np.concatenate([[0.0], np.cumsum(worth)])

    n = len(beats)
    max_len, min_len = 2 * L, max(1, L // 2)  # a child needs time to see a move coming
    best = np.full(n, -np.inf)  # best[j]: the best chart of beats[0]..beats[j]
    prev = np.full(n, -1)
    is_move = np.zeros(n, bool)  # whether the stretch ending at j is a move (else a rest)
    best[0] = 0.0
    for j in range(1, n):
        for k in range(max(0, j - max_len), j):
            if not np.isfinite(best[k]):
                continue
            if best[k] > best[j]:  # a rest: no score, no cost
                best[j], prev[j], is_move[j] = best[k], k, False
            length = j - k
            if length < min_len:
                continue
            # A move earns its boundaries' change scores (shared with its neighbours) and
            # the beats it covers; it costs MOVE_COST, more if its length is off the grid.
            gain = ((score[k] + score[j]) / 2 - MOVE_COST + MOVE_COST * (cum[j] - cum[k]) / L
                    - (0.0 if length % L == 0 else OFF_GRID_COST))
            if best[k] + gain > best[j]:
                best[j], prev[j], is_move[j] = best[k] + gain, k, True
    segments: list[tuple[float, float]] = []
    j = n - 1
    while j > 0:
        k = int(prev[j])
        if is_move[j]:
            segments.append((float(beats[k]), float(beats[j])))
        j = k
    segments.reverse()

    visible = part_visible(track)
    found = track.found
    segs = []
    for a, b in segments:
        t0, t1 = offset_s + a * spb, offset_s + b * spb
        sel = (track.t >= t0) & (track.t < t1)
        if not sel.any() or found[sel].mean() < 0.5:
            continue  # nobody to copy here: leave the stretch unscored
        seg_speed = speeds[sel].mean(axis=0)
        if seg_speed.mean() < STILL_SHARE * typical:
            continue  # the coach stands still (an intro, a pose held): nothing to copy
        seg_visible = visible[sel].mean(axis=0) > 0.5
        candidates = [j for j in range(len(BODY_PARTS)) if seg_visible[j]]
        if candidates:
            top = max(seg_speed[j] for j in candidates)
            chosen = [BODY_PARTS[j] for j in candidates if top > 0 and seg_speed[j] >= PART_SHARE * top]
        else:
            chosen = []
        if len(chosen) == len(BODY_PARTS):
            chosen = []
        segs.append((a, b - a, tuple(chosen), float(seg_speed.mean())))

    n_gold = max(1, len(segs) // GOLD_EVERY) if segs else 0
    gold_idx = set(np.argsort([-s[3] for s in segs])[:n_gold].tolist())
    out = []
    for i, (a, beats, parts, energy) in enumerate(segs):
        out.append(ProposedMove(a, beats, parts, i in gold_idx, _name(i, parts), _tip(parts), energy))
    return out


def _describe(parts: tuple[str, ...], sided: bool = True) -> str:
    """'arms and left leg'; without sides for tips (a mirroring child's left is the coach's right)."""
    if not parts:
        return "whole body"
    arms = {"left_arm", "right_arm"} & set(parts)
    legs = {"left_leg", "right_leg"} & set(parts)
    words = []
    if len(arms) == 2:
        words.append("arms")
    elif arms:
        words.append(next(iter(arms)).replace("_", " ") if sided else "arm")
    if len(legs) == 2:
        words.append("legs")
    elif legs:
        words.append(next(iter(legs)).replace("_", " ") if sided else "leg")
    words += [p for p in parts if p in ("torso", "head")]
    return " and ".join(words)


def _name(i: int, parts: tuple[str, ...]) -> str:
    return f"Move {i + 1}: {_describe(parts)}"


def _tip(parts: tuple[str, ...]) -> str:
    if not parts:
        return "Copy the coach with your whole body!"
    return f"Move your {_describe(parts, sided=False)} like the coach!"
