"""Propose moves from a coach's pose track: beat-grid segments cut where the motion pauses.

A first draft for an author to edit, not a finished chart:
- moves are ``beats_per_move`` long on the beat grid (4 when the song is long enough);
- each boundary between moves slides (within half a move, on whole beats, no move shorter
  than a beat) to where the coach moves least, so a move does not cut a gesture in two;
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


def propose_moves(track: PoseTrack, bpm: float, offset_s: float, duration_s: float,
                  beats_per_move: int | None = None) -> list[ProposedMove]:
    """Moves covering the beat grid inside [0, duration_s]; [] if not even one beat fits."""
    spb = 60.0 / bpm
    first = math.ceil((0.0 - offset_s) / spb - 1e-9)
    last = math.floor((duration_s - offset_s) / spb + 1e-9)
    n_beats = last - first
    if n_beats < 1:
        return []
    if beats_per_move is None:
        beats_per_move = next((b for b in PREFERRED_BEATS if n_beats // b >= MIN_MOVES), 1)
    L = float(beats_per_move)
    n_moves = max(1, int(n_beats // L))
    nominal = [first + k * L for k in range(n_moves + 1)]

    speeds = part_speeds(track)
    overall = speeds.mean(axis=1) if len(track) else np.zeros(0)

    def motion_at(beat: float) -> float:
        if not len(track):
            return 0.0
        t = offset_s + beat * spb
        return float(np.interp(t, track.t, overall))

    # Boundaries stay on whole beats, and no move gets shorter than a beat (or half its
    # nominal length): a child needs time to see a move coming.
    step = 1.0
    min_len = max(L / 2, 1.0)
    bounds = [nominal[0]]
    for k in range(1, n_moves):
        lo = max(bounds[-1] + min_len, nominal[k] - L / 2)
        hi = min(nominal[k + 1] - min_len, nominal[k] + L / 2)
        cands = np.arange(lo, hi + 1e-9, step)
        if cands.size == 0:
            bounds.append(nominal[k])
            continue
        # Least motion wins; a small pull towards the regular grid breaks ties.
        costs = [motion_at(c) + 1e-3 * abs(c - nominal[k]) for c in cands]
        bounds.append(float(cands[int(np.argmin(costs))]))
    bounds.append(nominal[-1])

    visible = part_visible(track)
    found = track.found
    segs = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        t0, t1 = offset_s + a * spb, offset_s + b * spb
        sel = (track.t >= t0) & (track.t < t1)
        if not sel.any() or found[sel].mean() < 0.5:
            continue  # nobody to copy here: leave the stretch unscored
        seg_speed = speeds[sel].mean(axis=0)
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
