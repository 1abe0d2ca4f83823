"""The child cut out of the camera picture by the person mask, as a pygame surface.

Only ever drawn: the cut-out lives in memory for one frame and is never written anywhere
(a recording, with --record, holds the screen as shown, nothing more).
"""
from __future__ import annotations

import numpy as np

MASK_THRESHOLD = 0.15  # below: background (the edge keeps the mask's soft alpha)


def person_box(mask: np.ndarray, threshold: float = 0.5) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) pixel box around the mask's person, or None if none."""
    ys, xs = np.nonzero(mask >= threshold)
    if xs.size < 50:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def cutout_rgba(frame_rgb: np.ndarray, mask: np.ndarray, height_px: int, *, mirror: bool = True,
                pad: float = 0.06) -> np.ndarray | None:
    """(h, w, 4) uint8: the person in ``frame_rgb`` (H, W, 3), alpha from ``mask`` (H', W')
    person probability (any size: it is scaled to the frame), cropped around the person and
    scaled to ``height_px`` tall; mirrored like the camera view. None without a person."""
    import cv2

    H, W = frame_rgb.shape[:2]
    # Work at a small size first: the mask is smooth and the cut-out is drawn small.
    scale = min(1.0, 480.0 / max(H, W))
    small = (max(1, int(W * scale)), max(1, int(H * scale)))
    m = cv2.resize(np.asarray(mask, np.float32), small, interpolation=cv2.INTER_LINEAR)
    box = person_box(m)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    px, py = int((x1 - x0) * pad) + 2, int((y1 - y0) * pad) + 2
    x0, y0 = max(0, x0 - px), max(0, y0 - py)
    x1, y1 = min(small[0], x1 + px), min(small[1], y1 + py)
    k = height_px / max(1, (y1 - y0))
    out_size = (max(1, int((x1 - x0) * k)), max(1, int(height_px)))
    rgb = cv2.resize(frame_rgb[int(y0 / scale):int(y1 / scale), int(x0 / scale):int(x1 / scale)], out_size,
                     interpolation=cv2.INTER_LINEAR)  # on the render thread: linear costs ~1/4 of area
    alpha = cv2.resize(m[y0:y1, x0:x1], out_size, interpolation=cv2.INTER_LINEAR)
    alpha = np.where(alpha >= MASK_THRESHOLD, alpha, 0.0)
    rgba = np.dstack([rgb, (np.clip(alpha, 0, 1) * 255).astype(np.uint8)])
    return np.ascontiguousarray(rgba[:, ::-1] if mirror else rgba)


def to_surface(rgba: np.ndarray):
    import pygame

    h, w = rgba.shape[:2]
    return pygame.image.frombuffer(rgba.tobytes(), (w, h), "RGBA")
