"""Judging one move: a pure function of the coach's and the player's features.

    v = judge_move(ref, player, weights, lead_rows=c0 - r0, rate_hz=30.0,
                   running_offset_s=None, swapped_fraction=None, difficulty="normal", mirror=False)
    v.score, v.tier, v.parts, v.offset_s, v.hint, v.samples, v.rotation

No state and no clock: ScoreProcessor (the live game and ``dance score``) cuts the windows
and keeps the running offset, the combo and the points; a test or a benchmark can call this
directly on any pair of feature arrays.

How a move is judged
  * The move's reference rows are aligned (scoring.align.subsequence_dtw) to the player's
    window; a constant delay and a tempo off by up to a factor 2 cost nothing by themselves.
    Given a running offset (the player's delay measured on earlier moves), a path more than
    TIMING_FREE_S from it pays TIMING_RAD_PER_S per second of extra timing difference.
  * Along that path each body part's mean angular error maps to a similarity
    (scoring.similarity.curve); a part's score is that times the fraction of the move the
    player was seen, times the motion agreement (_motion_agreement: how the player's
    movement along the path projects onto the coach's; a frozen pose or the move danced
    backwards gains nothing), times the facing factor (a player whose left and right look
    swapped, as when a tracker takes a back for a front, is not credited).
  * The move score is the mean of part scores weighted by ``weights`` times how much the
    coach moves the part in this move (MOTION_EMPHASIS_*: a move is about its gesture, and
    anyone standing still matches the parts the coach holds still). Parts the coach does
    not show (hidden in most of the move's reference frames) are not judged. A move where
    the reference has no pose at all is judged on presence alone.
  * The rotation that best maps the player's limb directions onto the coach's removes the
    camera's view: the heading about the vertical fully, a tilt up to
    scoring.features.MAX_TILT_RAD. Alignment and rotation are estimated twice (window means
    first, then the aligned pairs).
  * The hint names the part whose shortfall costs the move most (weight x missing points),
    with a direction from the signed difference, worded by the hint table (scoring.judge.HINTS).
  * Nobody seen during the move -> score 0, MISS.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from scoring import features as feat
from scoring import judge
from scoring.align import subsequence_dtw
from scoring.events import Tier
from scoring.parts import BODY_PARTS
from scoring.similarity import MISSING_COST_RAD, combine, curve, part_errors

# Alignment prior: a path this far (s) from the player's running offset is free; beyond it
# each second of extra timing difference costs like this much angular error (rad). A child's
# latency is steady from move to move, so a path that needs a jump is more often a look-alike
# pose elsewhere in the window (the time-reversed movement, another dance) than a real change
# of timing. The first judged move has no running offset yet and is free anywhere in its
# window (a constant delay is learnt there, not charged). Measured on pose2sim
# (benchmarks/bench_scoring.py): another person's dance scores up to ~10 points less,
# same-view and +-10 % tempo within ~1 point; the price is a sudden 0.3 s change of lag in
# mid-song, which costs the next move or two.
TIMING_FREE_S = 0.15
TIMING_RAD_PER_S = 1.5
# Each change of tempo along an alignment path (a skipped or a doubled player sample) costs
# like this much angular error. 0: on pose2sim a penalty of 0.05-0.1 made a 10 % tempo
# change cost 5-9 points, and the motion agreement already refuses a path that stalls.
STEP_PENALTY_RAD = 0.0
# A move is judged mostly on what the coach moves in it: each part's weight is multiplied by
# FLOOR + (1 - FLOOR) * (its coach movement / the most-moved part's) ** GAMMA. Parts the
# coach holds still still count (FLOOR), so standing like the coach is not nothing, but a
# player who stands right and does not do the move's gesture no longer scores high. Applied
# only when the coach moves some judged part more than _STILL_RAD (otherwise weights stay).
MOTION_EMPHASIS_FLOOR = 0.1
MOTION_EMPHASIS_GAMMA = 2.0
NOBODY_HINT = "Step into the picture so I can see you dance!"
# A part the coach hides in more than this fraction of a move's frames is not judged.
REF_PART_MIN_KNOWN = 0.5

MIRROR_PART: dict[str, str] = {p: p.replace("left", "@").replace("right", "left").replace("@", "right")
                               for p in BODY_PARTS}
_U = {name: i for i, name in enumerate(feat.UNIT_NAMES)}


@dataclass(frozen=True)
class MoveVerdict:
    """One move, judged (pure data; ScoreProcessor adds the combo and the song's context).

    score: 0-100; tier: by the difficulty's thresholds (MISS when nobody was seen);
    parts: the *player's own* body part -> 0-100 for the parts that counted;
    offset_s: median player - coach time along the path (+ = late; 0 when nobody was seen);
    seen: the player was seen on the path (an offset was measured);
    hint / weakest_part: the kind instruction and the player's part it is about ("" if none);
    samples: (n,) similarity 0..1 at each reference row of the move (0 where the player was
    not seen), at the rate of the rows; rotation: (3, 3) player -> coach limb-direction
    rotation used (identity in 2D).
    """

    score: float
    tier: Tier
    parts: Mapping[str, float]
    offset_s: float
    seen: bool
    hint: str
    weakest_part: str
    samples: tuple[float, ...]
    rotation: np.ndarray

    def __post_init__(self) -> None:
        if not (math.isfinite(self.score) and 0.0 <= self.score <= 100.0):
            raise ValueError(f"score must be in [0, 100], got {self.score}")
        if np.shape(self.rotation) != (3, 3):
            raise ValueError(f"rotation must be (3, 3), got {np.shape(self.rotation)}")
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))
        object.__setattr__(self, "samples", tuple(float(x) for x in self.samples))


def judge_move(ref: feat.Features, player: feat.Features, weights: np.ndarray, *, lead_rows: int,
               rate_hz: float, running_offset_s: float | None = None, swapped_fraction: float | None = None,
               difficulty: str = "normal", mirror: bool = False) -> MoveVerdict:
    """Judge one move.

    ref: the move's n reference rows (coach features at rate_hz from the move's start);
    player: the player's m rows of the move's window (coach-slot order: mirrored already when
    the child mirrors the coach), row 0 being ``lead_rows`` rows after the move's first
    reference row (negative: before it); weights: (P,) the move's part weights (authored x
    importance, BODY_PARTS order); running_offset_s: the player's delay measured on earlier
    moves (None: the first move, any timing in the window is free); swapped_fraction: of the
    window's decided samples, the fraction whose left and right look swapped (None:
    undecided); mirror: name parts as the child's own (the coach's left arm is the child's
    right).
    """
    if ref.mode != player.mode:
        raise ValueError(f"reference features are {ref.mode}, player features {player.mode}")
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(BODY_PARTS),):
        raise ValueError(f"weights must be ({len(BODY_PARTS)},), got {weights.shape}")
    n, m = len(ref), len(player)
    name = (lambda p: MIRROR_PART[p]) if mirror else (lambda p: p)

    ref_part_known = ((ref.weights @ feat.PART_MEMBERSHIP.T) > 0).mean(axis=0) >= REF_PART_MIN_KNOWN \
        if n else np.zeros(len(BODY_PARTS), bool)
    w = _motion_emphasis(np.where(ref_part_known, weights, 0.0), ref)
    present = player.present
    if not present.any():
        judged = [p for p, wp in zip(BODY_PARTS, w) if wp > 0] or BODY_PARTS
        parts = {name(p): 0.0 for p in judged if weights[BODY_PARTS.index(p)] > 0}
        return MoveVerdict(0.0, Tier.MISS, parts, 0.0, False, NOBODY_HINT, "", (), np.eye(3))
    if w.sum() == 0:
        # Nobody in the reference for this move: nothing to copy, judge presence only.
        lo = max(0, -lead_rows)
        coverage = float(present[lo : lo + n].mean()) if n and present[lo : lo + n].size else 0.0
        score = 100.0 * coverage
        return MoveVerdict(score, judge.tier_for(score, difficulty), {}, 0.0, False, "", "", (), np.eye(3))

    # Turn the player onto the coach (camera pitch/yaw): first from the whole window's mean
    # limb directions, then again from the rows the alignment paired, and re-align.
    rotation = _rotation_from_window(player, ref)
    lag_s = (lead_rows + np.arange(m))[None, :] / rate_hz - np.arange(n)[:, None] / rate_hz
    if running_offset_s is not None:
        timing_cost = TIMING_RAD_PER_S * np.maximum(np.abs(lag_s - running_offset_s) - TIMING_FREE_S, 0.0)
    else:
        timing_cost = np.zeros_like(lag_s)  # no running offset yet: any timing in the window
    match = None
    pl_rot = player
    pe = np.empty((n, m, len(BODY_PARTS)))
    for _ in range(2):
        pl_rot = feat.rotate(player, rotation)
        pe = part_errors(ref, pl_rot)  # (n, m, P)
        match = subsequence_dtw(combine(pe, w, missing=MISSING_COST_RAD) + timing_cost, STEP_PENALTY_RAD)
        rotation = feat.best_rotation(player.take(match.cols), ref)
    assert match is not None
    rows = np.arange(n)
    path_pe = pe[rows, match.cols]  # (n, P)
    seen = present[match.cols]
    coverage = float(seen.mean())
    # A coach who moves a part and a player who holds it still: the poses may be close
    # (a frozen pose from the middle of the move), the dance is not. Scale by how much
    # of the coach's movement the player shows.
    motion = _motion_agreement(ref, pl_rot.take(match.cols), seen, w)
    facing = 1.0 if swapped_fraction is None else float(np.clip(
        (FACING_SWAPPED_FULL - swapped_fraction) / (FACING_SWAPPED_FULL - FACING_SWAPPED_NONE), 0.0, 1.0))
    coach_parts: dict[str, float] = {}
    for p, part in enumerate(BODY_PARTS):
        if w[p] <= 0:
            continue
        e = path_pe[seen, p]
        e = e[np.isfinite(e)]
        coach_parts[part] = float(100.0 * _part_similarity(e) * coverage * motion[p] * facing)
    score = float(np.clip(sum(coach_parts[p] * w[BODY_PARTS.index(p)] for p in coach_parts) / w.sum(), 0.0, 100.0))
    row_sim = combine(curve(path_pe), w, missing=0.0)
    samples = tuple(np.where(seen, row_sim, 0.0).round(4))
    offsets = (lead_rows + match.cols[seen] - rows[seen]) / rate_hz
    offset_s = float(np.median(offsets)) if offsets.size else 0.0
    tier = judge.tier_for(score, difficulty)
    hint, weakest = "", ""
    if tier < Tier.PERFECT and coach_parts:
        coach_weak = _weakest(coach_parts, w)
        if coach_weak is not None:
            weakest = name(coach_weak)
            ref_rows, pl_rows = ref.take(rows[seen]), player.take(match.cols[seen])
            diff = _part_diff(coach_weak, ref_rows, pl_rows) if len(ref_rows) else None
            hint = judge.hint_for(weakest, diff)
    return MoveVerdict(score, tier, {name(p): s for p, s in coach_parts.items()}, offset_s, bool(seen.any()),
                       hint, weakest, samples, rotation)


# A part's error over a move is the mean of its best PART_KEEP_FRACTION of frames: a few
# frames the tracker got badly wrong (an arm swapped in a cross-body swing) do not count,
# while a movement that is only roughly like the coach's all along (the move backwards, a
# look-alike) keeps its whole error. The curve then maps that one error to a similarity.
PART_KEEP_FRACTION = 1.0


def _part_similarity(e: np.ndarray) -> float:
    """errors (rad) of one part along the path -> similarity in [0, 1] (0 if none known)."""
    if not e.size:
        return 0.0
    keep = max(int(math.ceil(PART_KEEP_FRACTION * e.size)), 1)
    return float(curve(np.partition(e, keep - 1)[:keep].mean()))


def _part_diff(coach_part: str, ref: feat.Features, pl: feat.Features) -> judge.PartDiff:
    """Mean signed player - coach differences of the part's interpretable quantities."""
    def up(f: feat.Features, *names: str) -> np.ndarray:
        return sum(f.vectors[:, _U[n], 1] for n in names)

    def ang(f: feat.Features, name: str) -> np.ndarray:
        return f.angles[:, _U[name] - feat.NUM_VECTORS] * np.pi

    def mean(x: np.ndarray) -> float:
        x = x[np.isfinite(x)]
        return float(x.mean()) if x.size else 0.0

    if coach_part.endswith("_arm"):
        side = coach_part.split("_")[0]
        return judge.PartDiff(
            lift=mean(up(pl, f"{side}_upper_arm", f"{side}_forearm") - up(ref, f"{side}_upper_arm", f"{side}_forearm")),
            bend_rad=mean(ang(pl, f"{side}_elbow") - ang(ref, f"{side}_elbow")),
        )
    if coach_part.endswith("_leg"):
        side = coach_part.split("_")[0]
        return judge.PartDiff(
            lift=mean(up(pl, f"{side}_thigh") - up(ref, f"{side}_thigh")),
            bend_rad=mean(ang(pl, f"{side}_knee") - ang(ref, f"{side}_knee")),
        )
    if coach_part == "torso":
        return judge.PartDiff(lean=mean(up(pl, "spine") - up(ref, "spine")))
    return judge.PartDiff(lift=mean(up(pl, "neck") - up(ref, "neck")))


def _rotation_from_window(pl: feat.Features, ref: feat.Features) -> np.ndarray:
    """Rotation from the mean limb directions of a player window and a reference segment
    (their rows are not paired yet, so each side is summarised by one mean pose)."""
    if pl.mode != "3d" or not pl.present.any():
        return np.eye(3)

    def mean_rows(f: feat.Features) -> feat.Features:
        w = f.weights[:, : feat.NUM_VECTORS, None]
        v = (np.nan_to_num(f.vectors) * w).sum(axis=0) / np.maximum(w.sum(axis=0), 1e-9)
        weights = np.zeros((1, feat.NUM_UNITS))
        weights[0, : feat.NUM_VECTORS] = w[..., 0].sum(axis=0) > 0  # only directions matter here
        return feat.Features(v[None], np.zeros((1, feat.NUM_ANGLES)), weights, f.mode)

    return feat.best_rotation(mean_rows(pl), mean_rows(ref))


# Coach movement (RMS angular deviation over a move, radians) below which a part counts as
# held still, so the player's own stillness is not penalised there.
_STILL_RAD = 0.12
# Motion agreement (_motion_agreement): how the player's movement along the aligned path
# projects onto the coach's. A gain of MOTION_GAIN_FULL or more is full credit, 0 or less
# (held still, or moving the other way) none. Below 1 on purpose: tracker noise on the
# coach's side inflates the coach's own motion.
MOTION_GAIN_FULL = 0.3
# The gain is fully trusted when the coach's moving parts spread this much (rad RMS).
MOTION_TRUSTED_RAD = 0.3
# Left and right swapped (a back taken for a front, see Features.facing) in more than
# FACING_SWAPPED_FULL of the decided samples of a move's window and the FACING_LOOKBACK_S
# before it: no credit; below FACING_SWAPPED_NONE: no effect. Real footage never swaps
# (pose2sim, 8 views: 0 %); a swapped mocap body swaps in 80-100 % of decided samples.
FACING_SWAPPED_NONE = 0.5
FACING_SWAPPED_FULL = 0.8


def _motion_agreement(ref: feat.Features, pl: feat.Features, seen: np.ndarray, part_w: np.ndarray) -> np.ndarray:
    """(P,) in [0, 1]: how much of the coach's movement the player shows along the path.

    ref: the move's n reference rows; pl: the player's rows on the aligned path (n, in ref
    order); seen: (n,) the player was there. Each side's limb directions and joint angles
    are taken as deviations from their mean over the seen rows; gain = sum(d_ref . d_pl) /
    sum(|d_ref|^2), pooled over the parts the coach moves (weights ``part_w``): one part's
    movement is often near the tracker's noise, the move's gesture as a whole is not. A
    frozen player gains ~0, the move backwards less than 0. The moving parts all get
    clip(gain / MOTION_GAIN_FULL, 0, 1); parts the coach holds still (spread <=
    _STILL_RAD) get 1.
    """
    s_ref = feat.PART_MEMBERSHIP @ feat.spread(ref) / feat.PART_MEMBERSHIP.sum(axis=1)
    out = np.ones(len(BODY_PARTS))
    moving = (s_ref > _STILL_RAD) & (part_w > 0)
    if not moving.any():
        return out
    if seen.sum() < 2:
        return np.where(moving, 0.0, 1.0)
    r, p = ref.take(seen), pl.take(seen)
    w = r.weights * p.weights

    def deviations(f: feat.Features) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a unit unknown in every row
            return f.vectors - np.nanmean(f.vectors, axis=0), (f.angles - np.nanmean(f.angles, axis=0)) * np.pi

    dv_r, da_r = deviations(r)
    dv_p, da_p = deviations(p)
    dot = np.concatenate([np.einsum("tud,tud->tu", dv_r, dv_p), da_r * da_p], axis=1)
    sq = np.concatenate([np.einsum("tud,tud->tu", dv_r, dv_r), da_r * da_r], axis=1)
    num = (np.nan_to_num(dot) * w).sum(axis=0) @ feat.PART_MEMBERSHIP.T
    den = (np.nan_to_num(sq) * w).sum(axis=0) @ feat.PART_MEMBERSHIP.T
    num_all, den_all = float(num[moving] @ part_w[moving]), float(den[moving] @ part_w[moving])
    # Rows the player was not seen count as no movement shown.
    gain = num_all / den_all * float(seen.mean()) if den_all > 0 else 0.0
    f = float(np.clip(gain / MOTION_GAIN_FULL, 0.0, 1.0))
    # A coach who barely moves gives a gain that is mostly tracker noise: trust it in
    # proportion to how far the coach's movement rises above that noise.
    s_move = float(s_ref[moving] @ part_w[moving] / part_w[moving].sum())
    trust = float(np.clip((s_move - _STILL_RAD) / (MOTION_TRUSTED_RAD - _STILL_RAD), 0.0, 1.0))
    return np.where(moving, 1.0 - trust * (1.0 - f), 1.0)


def _motion_emphasis(w: np.ndarray, ref: feat.Features) -> np.ndarray:
    """(P,) part weights ``w`` re-weighted by how much the coach moves each part in the move.

    ref: the move's reference rows. See MOTION_EMPHASIS_FLOOR; parts with weight 0 stay 0.
    """
    judged = w > 0
    if len(ref) < 2 or not judged.any():
        return w
    s_ref = feat.PART_MEMBERSHIP @ feat.spread(ref) / feat.PART_MEMBERSHIP.sum(axis=1)
    top = float(s_ref[judged].max())
    if not top > _STILL_RAD:
        return w  # a held pose: every part as authored
    rel = np.clip(s_ref / top, 0.0, 1.0)
    return w * (MOTION_EMPHASIS_FLOOR + (1.0 - MOTION_EMPHASIS_FLOOR) * rel ** MOTION_EMPHASIS_GAMMA)


def _weakest(coach_parts: dict[str, float], w: np.ndarray | None) -> str | None:
    """The part whose shortfall costs the move most: max of weight x (100 - part score)."""
    if w is None:
        return judge.weakest_part(coach_parts)
    return max(coach_parts, key=lambda p: (w[BODY_PARTS.index(p)] * (100.0 - coach_parts[p]), -coach_parts[p]))
