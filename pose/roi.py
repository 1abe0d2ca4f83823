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


def warp_crop(rgb: np.ndarray, roi: Roi, out_size_px: int, out: np.ndarray | None = None) -> np.ndarray:
    """Crop ``roi`` from rgb (H, W, C) uint8 to (n, n, C), bilinear, BORDER_REPLICATE.

    One warpAffine straight from the full frame: no intermediate copies. A replicated
    border matters: a zero border visibly changes the landmark model's output.
    """
    import cv2

    m = crop_matrix(roi, out_size_px)
    return cv2.warpAffine(rgb, m, (out_size_px, out_size_px), dst=out, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


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
