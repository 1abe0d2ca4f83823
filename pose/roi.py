"""Rotated square regions of interest: from a detection or from landmarks, the crop warp,
and projection of crop coordinates back to the frame.

Mediapipe's convention (AlignmentPointsRectsCalculator + RectTransformationCalculator with
scale 1.25 and square_long): the ROI is centred on an alignment point, its side is
2 x 1.25 x the distance to a scale point, and it is rotated so that the vector
centre → scale point points up in the crop.
"""
from __future__ import annotations

import math

import numpy as np

from pose.frame import Roi

ROI_SCALE = 1.25
TARGET_ANGLE_RAD = math.pi / 2  # rotation_vector_target_angle_degrees: 90


def normalize_radians(angle_rad: float) -> float:
    """Wrap to [-pi, pi)."""
    return angle_rad - 2 * math.pi * math.floor((angle_rad + math.pi) / (2 * math.pi))


def roi_from_alignment(centre_px: tuple[float, float], scale_point_px: tuple[float, float],
                       scale: float = ROI_SCALE) -> Roi:
    """ROI centred on centre_px whose side is 2·scale·|scale_point − centre| (pixels)."""
    x0, y0 = float(centre_px[0]), float(centre_px[1])
    x1, y1 = float(scale_point_px[0]), float(scale_point_px[1])
    box_px = 2.0 * math.hypot(x1 - x0, y1 - y0)
    rotation = normalize_radians(TARGET_ANGLE_RAD - math.atan2(-(y1 - y0), x1 - x0))
    return Roi(x0, y0, box_px * scale, rotation)


def roi_from_points_norm(points_norm: np.ndarray, image_size: tuple[int, int]) -> Roi:
    """ROI from two normalised points (2, >=2): [centre, scale point] on a (w, h) frame."""
    w, h = image_size
    p = np.asarray(points_norm, dtype=np.float64)
    return roi_from_alignment((p[0, 0] * w, p[0, 1] * h), (p[1, 0] * w, p[1, 1] * h))


def crop_matrix(roi: Roi, out_size_px: int) -> np.ndarray:
    """Affine (2, 3) frame-pixel → crop-pixel map for ``roi`` warped to out_size².

    The same map as cv2.boxPoints(((cx, cy), (S, S), θ°)) → [(0, n), (0, 0), (n, 0), (n, n)]
    via getPerspectiveTransform, in closed form (a rotated square needs no perspective).
    """
    c, s = math.cos(roi.rotation_rad), math.sin(roi.rotation_rad)
    k = out_size_px / roi.size_px
    half = out_size_px / 2.0
    cx, cy = roi.centre_x_px, roi.centre_y_px
    return np.array([
        [k * c, k * s, half - k * (c * cx + s * cy)],
        [-k * s, k * c, half - k * (-s * cx + c * cy)],
    ], dtype=np.float64)


# OpenCV 4's warpPerspective, which mediapipe 0.10.21 runs (ImageToTensorCalculator on CPU),
# computes each source position in double, rounds it to 1/32 px and interpolates with
# fixed-point weights; OpenCV 5 resamples differently by up to 2 grey levels. The models are
# that sensitive: 2 grey levels move a detection ROI by up to 5 px and world landmarks by up
# to 30 cm. So the maps are computed here exactly as OpenCV 4 does and run through remap,
# whose fixed-point bilinear interpolation is unchanged.
_INTER_BITS = 5
_INTER_TAB_SIZE = 1 << _INTER_BITS
_BLOCK_SZ = 32


def _blocks(width: int, height: int) -> list[tuple[int, int]]:
    """[start, stop) column ranges of warpPerspective's blocks (its sums start per block)."""
    bh0 = min(_BLOCK_SZ // 2, height)
    bw0 = min(_BLOCK_SZ * _BLOCK_SZ // bh0, width)
    return [(x, min(x + bw0, width)) for x in range(0, width, bw0)]


def perspective_maps(src_to_dst: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point remap tables of ``cv2.warpPerspective(src, src_to_dst, (width, height))``
    in OpenCV 4: xy (height, width, 2) int16 integer source pixels, alpha (height, width)
    uint16 the 1/32-px fractions (row-major 32x32 table index).

    The same double arithmetic, in the same order, as OpenCV 4's WarpPerspectiveInvoker.
    """
    import cv2

    _, m = cv2.invert(np.asarray(src_to_dst, np.float64))  # DECOMP_LU, as warpPerspective
    m = m.ravel()
    fx = np.empty((height, width), np.float64)
    fy = np.empty((height, width), np.float64)
    w = np.empty((height, width), np.float64)
    y = np.arange(height, dtype=np.float64)[:, None]
    for start, stop in _blocks(width, height):
        x1 = np.arange(stop - start, dtype=np.float64)
        # Per row at the block's start, then along the block, in OpenCV's order.
        np.add((m[0] * start + m[1] * y) + m[2], m[0] * x1, out=fx[:, start:stop])
        np.add((m[3] * start + m[4] * y) + m[5], m[3] * x1, out=fy[:, start:stop])
        np.add((m[6] * start + m[7] * y) + m[8], m[6] * x1, out=w[:, start:stop])
    corners = (slice(None, None, height - 1 or 1), slice(None, None, width - 1 or 1))
    lim = 2.0 ** 20  # source pixels far outside any frame (int16 holds them after >> 5)
    if (w[corners] > 0).all():
        # W is linear, so positive at the corners means positive everywhere, and the map
        # of the output square is then convex: its extremes are at the corners too.
        np.divide(_INTER_TAB_SIZE, w, out=w)
        fx *= w
        fy *= w
        safe = bool((np.abs(fx[corners]) < lim).all() and (np.abs(fy[corners]) < lim).all())
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(w != 0, _INTER_TAB_SIZE / w, 0.0)
        fx *= w
        fy *= w
        safe = False
    if not safe:
        np.clip(np.nan_to_num(fx), -lim, lim, out=fx)
        np.clip(np.nan_to_num(fy), -lim, lim, out=fy)
    ix = np.rint(fx, out=fx).astype(np.int32)  # saturate_cast<int>: round half to even
    iy = np.rint(fy, out=fy).astype(np.int32)
    xy = np.empty((height, width, 2), np.int16)
    np.right_shift(ix, _INTER_BITS, out=xy[..., 0], casting="unsafe")
    np.right_shift(iy, _INTER_BITS, out=xy[..., 1], casting="unsafe")
    mask = _INTER_TAB_SIZE - 1
    iy &= mask
    iy <<= _INTER_BITS
    ix &= mask
    iy |= ix
    return xy, iy.astype(np.uint16)


def box_to_square_matrix(box_px: np.ndarray, width: int, height: int) -> np.ndarray:
    """Perspective (3, 3) map of cv2.boxPoints corners (bottom-left, top-left, top-right,
    bottom-right) onto a width x height tensor, built as mediapipe builds it."""
    import cv2

    dst = np.array([[0, height], [0, 0], [width, 0], [width, height]], np.float32)
    return cv2.getPerspectiveTransform(np.asarray(box_px, np.float32), dst)


def box_points(centre_px: tuple[float, float], size_px: tuple[float, float], angle_deg: float) -> np.ndarray:
    """(4, 2) float32 corners of a rotated rectangle, bottom-left, top-left, top-right,
    bottom-right: OpenCV 4's RotatedRect::points in its float32 arithmetic (OpenCV 5's
    cv2.boxPoints rounds differently, by up to 1e-4 px, which moves resampled pixels)."""
    f = np.float32
    cx, cy = f(centre_px[0]), f(centre_px[1])
    w, h = f(size_px[0]), f(size_px[1])
    angle = float(f(angle_deg)) * math.pi / 180.0
    b = f(f(math.cos(angle)) * f(0.5))
    a = f(f(math.sin(angle)) * f(0.5))
    p0x = f(f(cx - f(a * h)) - f(b * w))
    p0y = f(f(cy + f(b * h)) - f(a * w))
    p1x = f(f(cx + f(a * h)) - f(b * w))
    p1y = f(f(cy - f(b * h)) - f(a * w))
    two = f(2)
    return np.array([[p0x, p0y], [p1x, p1y], [f(two * cx) - p0x, f(two * cy) - p0y],
                     [f(two * cx) - p1x, f(two * cy) - p1y]], np.float32)


def roi_box_points(roi: Roi) -> np.ndarray:
    """(4, 2) float32 corners of the rotated square ``roi``, from the float32 rectangle
    mediapipe passes to OpenCV (angle in degrees computed in float32, as it does)."""
    f = np.float32
    return box_points((roi.centre_x_px, roi.centre_y_px), (roi.size_px, roi.size_px),
                      f(float(f(f(roi.rotation_rad) * f(180.0))) / math.pi))


def warp_mediapipe(rgb: np.ndarray, box_px: np.ndarray, out_size_px: int, border_mode: int,
                   out: np.ndarray | None = None) -> np.ndarray:
    """The box's contents (H, W, C) uint8 -> (n, n, C), pixel for pixel what mediapipe's
    OpenCV 4 warpPerspective gives (INTER_LINEAR; border_mode a cv2.BORDER_* value, a
    constant border being 0)."""
    import cv2

    xy, alpha = perspective_maps(box_to_square_matrix(box_px, out_size_px, out_size_px), out_size_px, out_size_px)
    return cv2.remap(rgb, xy, alpha, cv2.INTER_LINEAR, dst=out, borderMode=border_mode, borderValue=(0, 0, 0, 0))


def warp_crop(rgb: np.ndarray, roi: Roi, out_size_px: int, out: np.ndarray | None = None) -> np.ndarray:
    """Crop ``roi`` from rgb (H, W, C) uint8 to (n, n, C), bilinear, BORDER_REPLICATE, as
    mediapipe's ImageToTensorCalculator does (see warp_mediapipe).

    Straight from the full frame: no intermediate copies. A replicated border matters: a
    zero border visibly changes the landmark model's output.
    """
    import cv2

    return warp_mediapipe(rgb, roi_box_points(roi), out_size_px, cv2.BORDER_REPLICATE, out=out)


def project_to_image(points_crop_norm: np.ndarray, roi: Roi, image_size: tuple[int, int]) -> np.ndarray:
    """Crop-normalised points (N, >=2) [x, y, (z)] -> frame-normalised copy (N, same).

    x, y rotate about the crop centre and scale by the ROI side; z scales like x.
    """
    w, h = image_size
    p = np.array(points_crop_norm, dtype=np.float32, copy=True)
    c, s = math.cos(roi.rotation_rad), math.sin(roi.rotation_rad)
    u = p[:, 0] - 0.5
    v = p[:, 1] - 0.5
    sw = roi.size_px / w
    sh = roi.size_px / h
    p[:, 0] = (c * u - s * v) * sw + roi.centre_x_px / w
    p[:, 1] = (s * u + c * v) * sh + roi.centre_y_px / h
    if p.shape[1] > 2:
        p[:, 2] *= sw
    return p


def rotate_world(points_m: np.ndarray, rotation_rad: float) -> np.ndarray:
    """World points (N, 3) metres: rotate x, y by +rotation into the image frame; z as is."""
    c, s = math.cos(rotation_rad), math.sin(rotation_rad)
    p = np.array(points_m, dtype=np.float32, copy=True)
    x = p[:, 0].copy()
    p[:, 0] = c * x - s * p[:, 1]
    p[:, 1] = s * x + c * p[:, 1]
    return p
