"""Pose features for scoring: limb directions and joint angles in a yaw-free body frame.

A pose becomes U "units", each belonging to one body part (scoring.parts.BODY_PARTS):
  * limb direction unit vectors (upper arm, forearm, thigh, shin, spine, shoulder line, ...)
  * joint angles normalised to [0, 1] (angle / pi): elbows, shoulders, hips, knees.

Why these: angles and directions do not depend on body size or position in the frame.
Why a body frame: the world landmarks are rotated into the camera's view, so the same
movement filmed from another side is the same pose turned about the vertical axis. We turn
every pose so that its left-right axis (shoulders + hips) lies along +x, keeping the
vertical axis; a lean or a twist still counts, the camera's yaw does not.

Without world landmarks (2D mode) the same units are computed in the image plane (pixels,
so a portrait camera does not squash angles); 2D is not yaw-invariant, and 2D features are
only ever compared with 2D features.

Mirroring (a child facing the screen copies the coach like a mirror) swaps left and right
landmarks and flips x *before* features are computed: an explicit, per-choreography
decision, never a max over both readings.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pose.landmarks import INDEX, MIRROR, NUM_LANDMARKS
from scoring.parts import BODY_PARTS

Mode = Literal["3d", "2d"]

# Visibility is a soft weight; a floor keeps an occluded-but-estimated limb in play (the
# world model still guesses it well), NaN gives weight 0.
_MIN_WEIGHT = 0.05


def _ix(*names: str) -> tuple[int, ...]:
    return tuple(INDEX[n] for n in names)


@dataclass(frozen=True)
class VectorUnit:
    """Direction from the mean of ``tail`` landmarks to the mean of ``head`` landmarks."""

    name: str
    part: str
    tail: tuple[int, ...]
    head: tuple[int, ...]


@dataclass(frozen=True)
class AngleUnit:
    """Angle at landmark ``at`` between the rays to ``a`` and ``b``; 0 = folded, 1 = straight."""

    name: str
    part: str
    a: int
    at: int
    b: int


VECTOR_UNITS: tuple[VectorUnit, ...] = (
    VectorUnit("left_upper_arm", "left_arm", _ix("left_shoulder"), _ix("left_elbow")),
    VectorUnit("left_forearm", "left_arm", _ix("left_elbow"), _ix("left_wrist")),
    VectorUnit("right_upper_arm", "right_arm", _ix("right_shoulder"), _ix("right_elbow")),
    VectorUnit("right_forearm", "right_arm", _ix("right_elbow"), _ix("right_wrist")),
    VectorUnit("left_thigh", "left_leg", _ix("left_hip"), _ix("left_knee")),
    VectorUnit("left_shin", "left_leg", _ix("left_knee"), _ix("left_ankle")),
    VectorUnit("right_thigh", "right_leg", _ix("right_hip"), _ix("right_knee")),
    VectorUnit("right_shin", "right_leg", _ix("right_knee"), _ix("right_ankle")),
    VectorUnit("spine", "torso", _ix("left_hip", "right_hip"), _ix("left_shoulder", "right_shoulder")),
    VectorUnit("shoulder_line", "torso", _ix("right_shoulder"), _ix("left_shoulder")),
    VectorUnit("hip_line", "torso", _ix("right_hip"), _ix("left_hip")),
    VectorUnit("neck", "head", _ix("left_shoulder", "right_shoulder"), _ix("nose")),
    VectorUnit("ear_line", "head", _ix("right_ear"), _ix("left_ear")),
)

ANGLE_UNITS: tuple[AngleUnit, ...] = tuple(
    AngleUnit(f"{side}_{joint}", part, INDEX[f"{side}_{a}"], INDEX[f"{side}_{at}"], INDEX[f"{side}_{b}"])
    for side in ("left", "right")
    for joint, part, a, at, b in (
        ("elbow", f"{side}_arm", "shoulder", "elbow", "wrist"),
        ("shoulder", f"{side}_arm", "hip", "shoulder", "elbow"),
        ("hip", f"{side}_leg", "shoulder", "hip", "knee"),
        ("knee", f"{side}_leg", "hip", "knee", "ankle"),
    )
)

NUM_VECTORS = len(VECTOR_UNITS)
NUM_ANGLES = len(ANGLE_UNITS)
NUM_UNITS = NUM_VECTORS + NUM_ANGLES
UNIT_NAMES: tuple[str, ...] = tuple(u.name for u in VECTOR_UNITS) + tuple(u.name for u in ANGLE_UNITS)
UNIT_PART: np.ndarray = np.array(
    [BODY_PARTS.index(u.part) for u in VECTOR_UNITS] + [BODY_PARTS.index(u.part) for u in ANGLE_UNITS],
    dtype=np.intp,
)
"""(U,) index into BODY_PARTS of each unit."""

def _padded(groups: list[tuple[int, ...]]) -> np.ndarray:
    """Index groups as one (G, width) array, short groups padded by repeating their first
    index: a mean or min over a row is then the group's mean or min (vectorised gathers)."""
    width = max(len(g) for g in groups)
    return np.array([g + (g[0],) * (width - len(g)) if len(g) == 1 or width % len(g) == 0 else g + g[: width - len(g)]
                     for g in groups], dtype=np.intp)


# Gathers for compute(): each padded so that mean/min over the last axis is exact.
_HEAD_IDX = _padded([u.head for u in VECTOR_UNITS])
_TAIL_IDX = _padded([u.tail for u in VECTOR_UNITS])
_ANG_A = np.array([u.a for u in ANGLE_UNITS])
_ANG_AT = np.array([u.at for u in ANGLE_UNITS])
_ANG_B = np.array([u.b for u in ANGLE_UNITS])
_VIS_IDX = _padded([u.tail + u.head for u in VECTOR_UNITS] + [(u.a, u.at, u.b) for u in ANGLE_UNITS])

# (P, U) 0/1 membership, for per-part weighted means by one matrix product.
PART_MEMBERSHIP: np.ndarray = (UNIT_PART[None, :] == np.arange(len(BODY_PARTS))[:, None]).astype(np.float64)


@dataclass(frozen=True, eq=False)
class Features:
    """Scoring features of T poses.

    vectors: (T, V, 3) float64 unit vectors in the body frame (x = the body's left,
        y = up, z = the third axis); NaN where unknown.
    angles: (T, A) float64 joint angles / pi in [0, 1]; NaN where unknown.
    weights: (T, U) float64 in [0, 1], U = V + A; 0 where the unit is unknown.
    mode: "3d" (world landmarks) or "2d" (image plane).
    facing: (T,) float64 +1 where the bent knees bend the way a body whose left and right
        are labelled correctly bends them, -1 where they bend the other way (a back taken
        for a front: left and right swapped), NaN where undecided (straight legs, 2D);
        None when not computed.
    """

    vectors: np.ndarray
    angles: np.ndarray
    weights: np.ndarray
    mode: Mode
    facing: np.ndarray | None = None

    def __post_init__(self) -> None:
        T = self.vectors.shape[0]
        if self.facing is not None and np.shape(self.facing) != (T,):
            raise ValueError(f"facing must be ({T},), got {np.shape(self.facing)}")

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def present(self) -> np.ndarray:
        """(T,) bool: the pose has any usable unit (somebody was there)."""
        return self.weights.sum(axis=1) > 0

    def take(self, idx: np.ndarray | slice) -> "Features":
        facing = None if self.facing is None else self.facing[idx]
        return Features(self.vectors[idx], self.angles[idx], self.weights[idx], self.mode, facing)

    def flat(self) -> np.ndarray:
        """(T, 3V + A) one Euclidean-comparable vector per frame (angles in radians).

        Unknown values become 0; used by whole-track DTW and the fastdtw baseline.
        """
        v = np.nan_to_num(self.vectors.reshape(len(self), -1))
        a = np.nan_to_num(self.angles) * np.pi
        return np.concatenate([v, a], axis=1)


def mirror_points(points: np.ndarray) -> np.ndarray:
    """(..., 33, C) -> the mirror image: left/right landmarks swapped and x negated.

    Works for world coordinates (hip-centred) and for any coordinates we only take
    differences of; the first column is x.
    """
    out = np.asarray(points)[..., MIRROR, :].copy()
    out[..., 0] = -out[..., 0]
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.sqrt(np.einsum("...d,...d->...", v, v))[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        u = v / n
    u[~(n[..., 0] >= 1e-9)] = np.nan  # also catches NaN norms
    return u


def _yaw_frame(p: np.ndarray) -> np.ndarray:
    """(T, 33, 3) up-is-+y points -> (T, 3, 3) rotations whose rows are (left, up, third).

    The left axis is the horizontal part of (shoulder line + hip line); rotating by it removes
    the camera's yaw around the vertical and nothing else.
    """
    ls, rs, lh, rh = (INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    lateral = (p[:, ls] - p[:, rs]) + (p[:, lh] - p[:, rh])
    lateral[:, 1] = 0.0
    lat = _unit(lateral)
    bad = ~np.isfinite(lat).all(axis=1)
    lat[bad] = (1.0, 0.0, 0.0)
    rot = np.zeros((len(lat), 3, 3))
    rot[:, 0] = lat
    rot[:, 1, 1] = 1.0
    # third = lat x up, with lat horizontal (lat_y = 0) and up = +y.
    rot[:, 2, 0] = -lat[:, 2]
    rot[:, 2, 2] = lat[:, 0]
    return rot


def compute(
    points: np.ndarray,
    visibility: np.ndarray,
    mode: Mode,
    mirror: bool = False,
) -> Features:
    """Features of T poses.

    points: (T, 33, 3) — world metres (y down, as the pose model gives them) for "3d", or
        image pixels (x right, y down, z ignored) for "2d". NaN/inf = unknown.
    visibility: (T, 33) in [0, 1]; NaN/inf = unknown.
    mirror: compare as a mirror image (swap left/right, flip x) — see the module docstring.
    """
    p = np.array(points, dtype=np.float64, copy=True)
    if p.ndim != 3 or p.shape[1:] != (NUM_LANDMARKS, 3):
        raise ValueError(f"points must be (T, 33, 3), got {p.shape}")
    vis = np.array(visibility, dtype=np.float64, copy=True)
    if vis.shape != p.shape[:2]:
        raise ValueError(f"visibility must be {p.shape[:2]}, got {vis.shape}")
    if mode not in ("3d", "2d"):
        raise ValueError(f"mode must be '3d' or '2d', got {mode!r}")
    # Visibility exactly 0 marks an absent landmark (a source that does not have it, e.g.
    # motion capture without hands); a pose model's sigmoid never gives exactly 0.
    bad = ~np.isfinite(p).all(axis=2) | ~np.isfinite(vis) | (vis <= 0.0)
    p[bad] = np.nan
    vis[bad] = 0.0
    vis = np.minimum(np.maximum(vis, 0.0), 1.0)
    if mirror:
        p = mirror_points(p)
        vis = vis[:, MIRROR]
    p[..., 1] = -p[..., 1]  # y up: "higher" reads as a larger y in both modes
    if mode == "2d":
        p[..., 2] = 0.0
    T = p.shape[0]

    vec = _unit(p[:, _HEAD_IDX].mean(axis=2) - p[:, _TAIL_IDX].mean(axis=2))  # (T, V, 3)
    if mode == "3d":
        rot = _yaw_frame(p)
        vec = np.einsum("tij,tvj->tvi", rot, vec)
    # In 2D the third axis is meaningless (0); rotation is skipped: a 2D view has no yaw to undo.

    ua = _unit(p[:, _ANG_A] - p[:, _ANG_AT])
    ub = _unit(p[:, _ANG_B] - p[:, _ANG_AT])
    cos = np.minimum(np.maximum(np.einsum("tad,tad->ta", ua, ub), -1.0), 1.0)
    ang = np.arccos(cos) / np.pi  # (T, A)

    facing = _facing(p) if mode == "3d" else np.full(T, np.nan)
    weights = np.maximum(vis[:, _VIS_IDX].min(axis=2), _MIN_WEIGHT)  # (T, U)
    known = np.concatenate([np.isfinite(vec).all(axis=2), np.isfinite(ang)], axis=1)
    weights[~known] = 0.0
    vec[~known[:, :NUM_VECTORS]] = np.nan
    ang[~known[:, NUM_VECTORS:]] = np.nan
    return Features(vec.reshape(T, NUM_VECTORS, 3), ang, weights, mode, facing)


# A knee bent less than this (rad) says nothing about which way the body faces.
_FACING_BEND_MIN_RAD = float(np.radians(15.0))
_LEGS = tuple((INDEX[f"{s}_hip"], INDEX[f"{s}_knee"], INDEX[f"{s}_ankle"]) for s in ("left", "right"))


def _facing(p: np.ndarray) -> np.ndarray:
    """(T,) +1 / -1 / NaN from y-up points (see Features.facing).

    A knee only bends backwards: the shin folds behind the thigh. The body's front is
    spine x left-right axis (y-up points are a mirror image of the camera's right-handed
    axes, hence this order); labels swapped left for right turn that front around, and a
    knee then seems to bend forwards. Torso-fixed axes: upside down or lying, it still holds.
    """
    ls, rs, lh, rh = (INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    lateral = (p[:, ls] - p[:, rs]) + (p[:, lh] - p[:, rh])
    spine = 0.5 * (p[:, ls] + p[:, rs] - p[:, lh] - p[:, rh])
    front = _unit(np.cross(spine, lateral))
    votes = np.zeros(len(p))
    for hip, knee, ankle in _LEGS:
        thigh = _unit(p[:, knee] - p[:, hip])
        shin = _unit(p[:, ankle] - p[:, knee])
        bend = np.arccos(np.clip(np.einsum("td,td->t", thigh, shin), -1.0, 1.0))
        side = np.einsum("td,td->t", thigh - shin, front)
        ok = np.isfinite(side) & (bend >= _FACING_BEND_MIN_RAD)
        votes[ok] += np.sign(side[ok])
    return np.where(votes != 0, np.sign(votes), np.nan)


def from_track(track, mode: Mode | None = None, mirror: bool = False) -> Features:
    """Features of every frame of a pose.track.PoseTrack; NaN rows (nobody) get weight 0.

    mode None: "3d" if the track has world landmarks in most found frames, else "2d".
    """
    if mode is None:
        mode = track_mode(track)
    if mode == "3d":
        pts = track.world
    else:
        pts = image_points(track.landmarks, track.size)
    return compute(pts, track.landmarks[:, :, 3], mode, mirror)


def track_mode(track) -> Mode:
    """"3d" when most found frames of the track carry world landmarks."""
    found = track.found
    if not found.any():
        return "3d"
    has_world = np.isfinite(track.world[found]).all(axis=(1, 2))
    return "3d" if has_world.mean() >= 0.5 else "2d"


def image_points(landmarks: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(..., 33, 4) normalised landmarks -> (..., 33, 3) pixels (x, y, 0)."""
    w, h = size
    lm = np.asarray(landmarks, dtype=np.float64)
    out = np.zeros(lm.shape[:-1] + (3,))
    out[..., 0] = lm[..., 0] * w
    out[..., 1] = lm[..., 1] * h
    out[np.isnan(lm[..., 0])] = np.nan
    return out


def from_frame(frame, mode: Mode, mirror: bool = False) -> Features:
    """Features of one pose.frame.PoseFrame (T = 1); None (nobody) -> an all-unknown row.

    A frame without world landmarks asked for "3d" is all-unknown too: the processor picks
    the mode once, from the player's first frames, and never mixes the two.
    """
    if frame is None or (mode == "3d" and frame.world is None):
        return empty(1, mode)
    if mode == "3d":
        pts = frame.world[None]
    else:
        pts = image_points(frame.landmarks[None], frame.image_size)
    return compute(pts, frame.landmarks[None, :, 3], mode, mirror)


def empty(n: int, mode: Mode) -> Features:
    """n all-unknown poses."""
    return Features(
        np.full((n, NUM_VECTORS, 3), np.nan),
        np.full((n, NUM_ANGLES), np.nan),
        np.zeros((n, NUM_UNITS)),
        mode,
        np.full(n, np.nan),
    )


def concat(parts: list[Features]) -> Features:
    mode = parts[0].mode
    facing = None if any(f.facing is None for f in parts) else np.concatenate([f.facing for f in parts])
    return Features(
        np.concatenate([f.vectors for f in parts]),
        np.concatenate([f.angles for f in parts]),
        np.concatenate([f.weights for f in parts]),
        mode,
        facing,
    )


# A camera's tilt (looking down at the dancer, or rolled) is undone up to this angle; the
# body's heading (yaw about the vertical) is undone fully. A bigger tilt is a genuinely
# different pose (leaning, lying down) and keeps costing points.
MAX_TILT_RAD = float(np.radians(30.0))


def _kabsch(H: np.ndarray) -> np.ndarray:
    U, _, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(Vt.T @ U.T)) or 1.0
    return Vt.T @ np.diag([1.0, 1.0, d]) @ U.T


def _yaw_only(H: np.ndarray) -> np.ndarray:
    """Best rotation about the vertical (y) axis for the correlation matrix H = sum p r^T."""
    # maximise trace(R H) over R = [[c, 0, s], [0, 1, 0], [-s, 0, c]]
    a = H[0, 0] + H[2, 2]
    b = H[2, 0] - H[0, 2]
    th = np.arctan2(b, a)
    c, s_ = np.cos(th), np.sin(th)
    return np.array([[c, 0.0, s_], [0.0, 1.0, 0.0], [-s_, 0.0, c]])


def _cap_angle(R: np.ndarray, max_rad: float) -> np.ndarray:
    """The rotation R with its angle limited to max_rad (same axis)."""
    angle = float(np.arccos(np.clip((np.trace(R) - 1.0) / 2.0, -1.0, 1.0)))
    if angle <= max_rad or angle < 1e-9:
        return R
    k = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]]) / (2.0 * np.sin(angle))
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(max_rad) * K + (1.0 - np.cos(max_rad)) * (K @ K)


def best_rotation(player: Features, ref: Features, max_tilt_rad: float | None = None) -> np.ndarray:
    """(3, 3) rotation that best turns the player's limb directions onto the coach's.

    Weighted least squares on all vector units of all rows (player and ref rows are paired
    by index: equal length): the heading about the vertical is found exactly, then the
    remaining tilt (Kabsch) is capped at ``max_tilt_rad`` (default MAX_TILT_RAD). Used once
    per move, so a camera that looks down or from the side stops mattering while a turn
    *within* the move still costs points. 2D -> identity.
    """
    if player.mode != "3d" or len(player) != len(ref):
        return np.eye(3)
    w = player.weights[:, :NUM_VECTORS] * ref.weights[:, :NUM_VECTORS]
    p = np.nan_to_num(player.vectors)
    r = np.nan_to_num(ref.vectors)
    H = np.einsum("tu,tui,tuj->ij", w, p, r)
    if not np.isfinite(H).all() or np.abs(H).sum() < 1e-9:
        return np.eye(3)
    yaw = _yaw_only(H)
    tilt = _kabsch(yaw @ H)  # residual after the yaw: correlation of (yaw p) with r
    cap = MAX_TILT_RAD if max_tilt_rad is None else max_tilt_rad
    return _cap_angle(tilt, cap) @ yaw


def rotate(f: Features, rotation: np.ndarray) -> Features:
    """Features with every limb direction turned by ``rotation`` (3, 3); angles unchanged."""
    v = np.einsum("ij,tuj->tui", rotation, f.vectors)
    return Features(v, f.angles, f.weights, f.mode, f.facing)


def spread(f: Features) -> np.ndarray:
    """(U,) how much each unit moves over the rows: RMS angular deviation from its mean (rad)."""
    v = f.vectors
    out = np.zeros(NUM_UNITS)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a unit unknown in every row
        mv = np.nanmean(v, axis=0)
        dv = np.sqrt(np.nanmean(np.sum((v - mv) ** 2, axis=2), axis=0))
        da = np.sqrt(np.nanmean((f.angles - np.nanmean(f.angles, axis=0)) ** 2, axis=0)) * np.pi
    out[:NUM_VECTORS] = dv
    out[NUM_VECTORS:] = da
    return np.nan_to_num(out)
