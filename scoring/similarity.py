"""Pose similarity in [0, 1], overall and per body part.

Distance between two poses = per-unit angular error in radians (the angle between two limb
directions, or the difference of two joint angles), averaged per body part with the
product of both poses' visibility weights. A calibrated curve maps a part's mean error to a
similarity:

    s(e) = 1 / (1 + (e / E50)^K)

E50 is the error at which a part is "half right"; K sets how sharply "right" turns into
"wrong". Fitted on real footage (pose2sim Demo_SinglePerson, 4 synchronised cameras, tracked
by our BodyTracker; benchmarks/bench_scoring.py prints the table): after alignment the same
movement seen from another camera leaves a mean part error of about 0.2-0.35 rad (monocular
3D poses disagree between views by that much), the time-reversed movement or another person
about 0.35-0.5 rad. The two overlap on that short clip, so the curve puts E50 between them
and a steep K = 8 spreads them apart; a frozen pose is caught by the processor's motion
factor.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from scoring.features import NUM_VECTORS, PART_MEMBERSHIP, Features
from scoring.parts import BODY_PARTS

E50_RAD = 0.45
K = 8.0

# Cost the aligner gives a pair where either side has no usable pose: worse than any
# real mismatch of a present body, so alignment steers around gaps when it can.
MISSING_COST_RAD = 2.0


def curve(err_rad: np.ndarray | float) -> np.ndarray:
    """Mean angular error (radians, >= 0; NaN = unknown) -> similarity in [0, 1] (NaN stays NaN)."""
    e = np.maximum(np.asarray(err_rad, dtype=np.float64), 0.0)
    return 1.0 / (1.0 + (e / E50_RAD) ** K)


def inverse_curve(similarity: float) -> float:
    """The error (radians) at which ``curve`` gives ``similarity`` (0 < similarity < 1)."""
    return float(E50_RAD * ((1.0 / similarity) - 1.0) ** (1.0 / K))


def _unit_errors(ref: Features, pl: Features, pairwise: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit errors (radians) and weights.

    pairwise: ref (n) x player (m) -> (n, m, U); else ref and player are aligned rows -> (n, U).
    """
    if pairwise:
        dot = np.einsum("iud,jud->iju", ref.vectors, pl.vectors)
        da = ref.angles[:, None] - pl.angles[None]
        w = ref.weights[:, None] * pl.weights[None]
    else:
        if len(ref) != len(pl):
            raise ValueError(f"aligned features must have equal length, got {len(ref)} and {len(pl)}")
        dot = np.einsum("iud,iud->iu", ref.vectors, pl.vectors)
        da = ref.angles - pl.angles
        w = ref.weights * pl.weights
    # Unit vectors: the angle between them, from the dot product (clipped for rounding).
    err_v = np.arccos(np.minimum(np.maximum(dot, -1.0), 1.0))
    err_a = np.abs(da) * np.pi
    err = np.concatenate([err_v, err_a], axis=-1)
    err = np.where(w > 0, err, 0.0)
    err = np.nan_to_num(err, nan=0.0)
    return err, w


def part_errors(ref: Features, pl: Features, pairwise: bool = True) -> np.ndarray:
    """Mean angular error per body part, radians; NaN where a part is unknown on either side.

    pairwise=True: ref (n), player (m) -> (n, m, P); pairwise=False: aligned -> (n, P).
    P follows scoring.parts.BODY_PARTS.
    """
    if ref.mode != pl.mode:
        raise ValueError(f"cannot compare {ref.mode} features with {pl.mode} features")
    err, w = _unit_errors(ref, pl, pairwise)
    num = (err * w) @ PART_MEMBERSHIP.T
    den = w @ PART_MEMBERSHIP.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def combine(part_values: np.ndarray, part_weights: np.ndarray, missing: float) -> np.ndarray:
    """Weighted mean over the last axis (P), NaN parts count as ``missing``.

    part_weights: (P,) >= 0, not all 0.
    """
    v = np.where(np.isnan(part_values), missing, part_values)
    return v @ part_weights / part_weights.sum()


def part_weight_vector(parts: Mapping[str, float] | None) -> np.ndarray:
    """{part: weight} -> (P,) weights in BODY_PARTS order; None or empty -> all 1."""
    if not parts:
        return np.ones(len(BODY_PARTS))
    w = np.array([float(parts.get(p, 0.0)) for p in BODY_PARTS])
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    return w if w.sum() > 0 else np.ones(len(BODY_PARTS))


def frame_similarity(
    ref: Features, pl: Features, parts: Mapping[str, float] | None = None
) -> tuple[float | None, dict[str, float]]:
    """Similarity of one pose pair (T = 1 each): (overall or None if unknown, {part: 0..1}).

    Unknown parts are left out of the dict and count as 0 in the overall figure.
    """
    pe = part_errors(ref, pl, pairwise=False)[0]
    sims = curve(pe)
    by_part = {p: float(s) for p, s in zip(BODY_PARTS, sims) if np.isfinite(s)}
    if not by_part:
        return None, {}
    overall = float(combine(sims[None], part_weight_vector(parts), missing=0.0)[0])
    return overall, by_part


__all__ = [
    "E50_RAD", "K", "MISSING_COST_RAD", "NUM_VECTORS", "curve", "inverse_curve",
    "part_errors", "combine", "part_weight_vector", "frame_similarity",
]
