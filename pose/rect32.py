"""Mediapipe's ROI and landmark-projection arithmetic, operation for operation in float32.

The body's tracking loop feeds each frame's landmarks into the next frame's crop, and the
landmark model is sensitive to that crop: a 0.001 px difference in the ROI can grow, frame
after frame, into centimetres of world-landmark difference. Mediapipe's calculators compute
in C++ ``float`` (with the odd ``double`` promotion, e.g. a literal ``2.0``), in a definite
order, and call glibc's ``atan2f``/``cosf``/``sinf``/``expf``. So the ROI rule here works on
mediapipe's own representation, ``NormRect`` (pose.frame), and repeats each calculator's
arithmetic in the same order and precision:

- AlignmentPointsRectsCalculator (+ DetectionsToRects' rotation): ``alignment_rect``
- RectTransformationCalculator (scale, square_long): ``transform_rect``
- ImageToTensorCalculator's GetRoi + PadRoi (keep_aspect_ratio): ``crop_roi``
- LandmarkLetterboxRemoval + LandmarkProjection: ``project_landmarks``
- WorldLandmarkProjection: ``rotate_world``
- LandmarksSmoothing's object scale from a rect: ``object_scale``

Each takes and returns float32 values; Python floats holding float32 values are fine.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from pose.frame import NormRect, Roi

F32 = np.float32
# DetectionsToRectsCalculator: M_PI * 90 / 180.f, stored in a float member.
TARGET_ANGLE_RAD = float(F32(math.pi * 90.0 / 180.0))
ROI_SCALE = 1.25


def _libm_functions():
    """glibc's float functions (what mediapipe's binary calls), or numpy's as a fallback."""
    name = ctypes.util.find_library("m")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:
        lib = None
    if lib is None:
        return (lambda y, x: float(np.arctan2(F32(y), F32(x))), lambda a: float(np.cos(F32(a))),
                lambda a: float(np.sin(F32(a))), lambda a: float(np.exp(F32(a))))
    fns = []
    for fn_name, nargs in (("atan2f", 2), ("cosf", 1), ("sinf", 1), ("expf", 1)):
        fn = getattr(lib, fn_name)
        fn.restype = ctypes.c_float
        fn.argtypes = [ctypes.c_float] * nargs
        fns.append(fn)
    return tuple(fns)


atan2f, cosf, sinf, expf = _libm_functions()


def normalize_radians(angle: float) -> float:
    """DetectionsToRects' NormalizeRadians: float in, the arithmetic in double, float out."""
    a = float(F32(angle))
    return float(F32(a - 2 * math.pi * math.floor((a - (-math.pi)) / (2 * math.pi))))


def alignment_rect(points_norm: np.ndarray, image_size: tuple[int, int]) -> NormRect:
    """AlignmentPointsRectsCalculator on two normalised points (2, >=2) [centre, scale point]:
    a rect centred on the first, side 2·|scale − centre| px, rotated so the vector
    centre → scale point points up (target angle 90°)."""
    w, h = F32(image_size[0]), F32(image_size[1])
    p = np.asarray(points_norm, dtype=np.float32)
    x_center = p[0, 0] * w
    y_center = p[0, 1] * h
    x_scale = p[1, 0] * w
    y_scale = p[1, 1] * h
    dx = x_scale - x_center
    dy = y_scale - y_center
    box_size = F32(np.sqrt(dx * dx + dy * dy) * F32(2))  # sqrt(float) * 2.0: doubling is exact
    rotation = normalize_radians(float(F32(TARGET_ANGLE_RAD) - F32(atan2f(float(-dy), float(dx)))))
    return NormRect(float(x_center / w), float(y_center / h), float(box_size / w), float(box_size / h), rotation)


def transform_rect(rect: NormRect, image_size: tuple[int, int], scale: float = ROI_SCALE) -> NormRect:
    """RectTransformationCalculator with scale_x = scale_y = scale, square_long, no shift or
    extra rotation (a zero shift leaves the centre bit for bit)."""
    w, h = F32(image_size[0]), F32(image_size[1])
    width, height = F32(rect.width), F32(rect.height)
    a, b = width * w, height * h
    long_side = b if a < b else a  # std::max
    s = F32(scale)
    return NormRect(rect.x_center, rect.y_center, float(long_side / w * s), float(long_side / h * s), rect.rotation_rad)


def roi_rect(points_norm: np.ndarray, image_size: tuple[int, int], scale: float = ROI_SCALE) -> NormRect:
    """The body ROI from two alignment points: AlignmentPointsRects then RectTransformation."""
    return transform_rect(alignment_rect(points_norm, image_size), image_size, scale)


def crop_roi(rect: NormRect, image_size: tuple[int, int]) -> Roi:
    """The square crop ImageToTensorCalculator takes for ``rect`` (GetRoi, then PadRoi with
    keep_aspect_ratio onto a square tensor), in pixels, carrying ``rect``."""
    w, h = F32(image_size[0]), F32(image_size[1])
    width, height = F32(rect.width) * w, F32(rect.height) * h
    # PadRoi: the side that is kept is the one the aspect-ratio test picks.
    side = width if F32(1) > height / width else height
    return Roi(float(F32(rect.x_center) * w), float(F32(rect.y_center) * h), float(side), rect.rotation_rad, rect)


def letterbox_padding(rect: NormRect, image_size: tuple[int, int]) -> tuple[float, float]:
    """PadRoi's (horizontal, vertical) padding fraction for a square tensor: a square ROI is
    square in pixels only up to float rounding, and mediapipe removes that sliver too."""
    w, h = F32(image_size[0]), F32(image_size[1])
    width, height = F32(rect.width) * w, F32(rect.height) * h
    if width <= 0 or height <= 0:
        return 0.0, 0.0
    aspect = height / width
    one, two = F32(1), F32(2)
    if one > aspect:
        return 0.0, float((one - aspect / one) / two)
    return float((one - one / aspect) / two), 0.0


def project_landmarks(points_crop_norm: np.ndarray, rect: NormRect, padding: tuple[float, float]) -> np.ndarray:
    """Crop-normalised (N, >=3) x, y, z -> frame-normalised (N, 3) float32: letterbox removal,
    then LandmarkProjectionCalculator (NORM_RECT only), in float32 as mediapipe does."""
    p = np.asarray(points_crop_norm, dtype=np.float32)
    left, top = F32(padding[0]), F32(padding[1])
    one, half = F32(1), F32(0.5)
    sx = one - (left + left)
    sy = one - (top + top)
    x = (p[:, 0] - left) / sx
    y = (p[:, 1] - top) / sy
    z = p[:, 2] / sx
    c, s = F32(cosf(rect.rotation_rad)), F32(sinf(rect.rotation_rad))
    x = x - half
    y = y - half
    out = np.empty((len(p), 3), np.float32)
    out[:, 0] = (c * x - s * y) * F32(rect.width) + F32(rect.x_center)
    out[:, 1] = (s * x + c * y) * F32(rect.height) + F32(rect.y_center)
    out[:, 2] = z * F32(rect.width)
    return out


def rotate_world(points_m: np.ndarray, rotation_rad: float) -> np.ndarray:
    """WorldLandmarkProjectionCalculator: rotate x, y by the rect's rotation (float32)."""
    p = np.array(points_m, dtype=np.float32, copy=True)
    c, s = F32(cosf(rotation_rad)), F32(sinf(rotation_rad))
    x, y = p[:, 0].copy(), p[:, 1].copy()
    p[:, 0] = c * x - s * y
    p[:, 1] = s * x + c * y
    return p


def object_scale(rect: NormRect, image_size: tuple[int, int]) -> float:
    """LandmarksSmoothing's object scale from an ROI: the mean of its sides in pixels."""
    w, h = F32(image_size[0]), F32(image_size[1])
    return float((F32(rect.width) * w + F32(rect.height) * h) / F32(2))


def rect_from_roi(roi: Roi, image_size: tuple[int, int]) -> NormRect:
    """The NormRect of an ROI given in pixels (its own when it carries one)."""
    if roi.rect is not None:
        return roi.rect
    w, h = float(image_size[0]), float(image_size[1])
    return NormRect(float(F32(roi.centre_x_px / w)), float(F32(roi.centre_y_px / h)), float(F32(roi.size_px / w)),
                    float(F32(roi.size_px / h)), float(F32(roi.rotation_rad)))


_DROPPED_BITS = 29  # a double's mantissa has 29 more bits than a float's
_HALF_ULP = 1 << (_DROPPED_BITS - 1)
_NEAR = 1 << 21  # 1/256 of a float ulp: twice glibc expf's 0.002-ulp uncertainty


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1.0f / (1.0f + expf(-x)) elementwise, float32, with glibc's expf.

    exp in double rounded to float is glibc's expf except within a hair of a rounding
    midpoint (its error bound is 0.502 ulp); those few are recomputed by expf itself.
    (Below float's normal range the bit test is meaningless, but there 1 + e is 1 anyway.)
    """
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(over="ignore"):
        e64 = np.exp(-x.astype(np.float64))
        e = e64.astype(np.float32)
    low = (e64.view(np.uint64) & np.uint64((1 << _DROPPED_BITS) - 1)).astype(np.int64)
    close = np.flatnonzero(np.abs(low - _HALF_ULP) < _NEAR)
    if close.size:
        flat_x, flat_e = x.reshape(-1), e.reshape(-1)
        for i in close:
            flat_e[i] = expf(float(-flat_x[i]))
    one = F32(1)
    with np.errstate(over="ignore"):
        return one / (one + e)
