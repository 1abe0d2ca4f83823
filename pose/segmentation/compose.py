"""What a game mode draws with a person mask: cut-out, blurred background, RGBA sprite.

All take the frame as (H, W, 3) uint8 RGB and the mask as a SegmentationResult or an
(h, w) float32 probability array of any size covering the whole frame (it is scaled to the
frame). The work is OpenCV calls on uint8 images (a 720p blend is ~3 ms of CPU), and
feathering blurs the mask at the mask's own (small) size before it is scaled up.
"""
from __future__ import annotations

import cv2
import numpy as np

from pose.segmentation.types import SegmentationResult

Mask = SegmentationResult | np.ndarray
# The blurred background is made at 1/4 size: a large Gaussian kernel at full 720p costs
# ~20 ms, at quarter size well under 1 ms, and blur hides the lost detail anyway.
_BLUR_DOWNSCALE = 4


def _mask_array(mask: Mask) -> np.ndarray:
    m = mask.mask if isinstance(mask, SegmentationResult) else np.asarray(mask, dtype=np.float32)
    if m.ndim != 2 or m.size == 0:
        raise ValueError(f"mask must be (h, w) float32, got shape {m.shape}")
    return m


def _check_frame(frame_rgb: np.ndarray) -> np.ndarray:
    f = np.asarray(frame_rgb)
    if f.dtype != np.uint8 or f.ndim != 3 or f.shape[2] != 3 or f.shape[0] == 0 or f.shape[1] == 0:
        raise ValueError(f"frame must be (H, W, 3) uint8 RGB, got {f.dtype} shape {f.shape}")
    return f


def alpha(mask: Mask, size_wh: tuple[int, int], feather_px: float = 0.0) -> np.ndarray:
    """The mask as (H, W) uint8 alpha (probability x 255) at ``size_wh`` = (W, H).

    feather_px: Gaussian sigma of the edge softening, in output pixels (0: none). The
    mask is blurred and quantised at its own size, then scaled: uint8 at 720p is ~4x
    cheaper to scale and blend than float32.
    """
    m = _mask_array(mask)
    w, h = int(size_wh[0]), int(size_wh[1])
    late_feather = 0.0
    if feather_px > 0:
        sigma = feather_px * m.shape[1] / w  # output pixels -> mask pixels
        if sigma >= 0.3:
            m = cv2.GaussianBlur(m, (0, 0), sigma)
        else:  # the mask is coarser than the feather: soften after scaling instead
            late_feather = feather_px
    a8 = cv2.convertScaleAbs(m, alpha=255.0)  # saturates to 0..255
    if a8.shape != (h, w):
        a8 = cv2.resize(a8, (w, h), interpolation=cv2.INTER_LINEAR)
    if late_feather:
        a8 = cv2.GaussianBlur(a8, (0, 0), late_feather)
    return a8


def _blend(fg: np.ndarray, bg: np.ndarray, a8: np.ndarray) -> np.ndarray:
    """fg * a + bg * (1 - a), all uint8; (H, W, 3)."""
    a3 = cv2.cvtColor(a8, cv2.COLOR_GRAY2RGB)
    out = cv2.multiply(fg, a3, scale=1.0 / 255.0)
    return cv2.add(out, cv2.multiply(bg, cv2.bitwise_not(a3), scale=1.0 / 255.0), dst=out)


def cut_out(frame_rgb: np.ndarray, mask: Mask, background: np.ndarray | tuple[int, int, int],
            feather_px: float = 0.0) -> np.ndarray:
    """The person from ``frame_rgb`` over ``background``: (H, W, 3) uint8.

    background: (H', W', 3) uint8 RGB image (stretched to the frame if its size differs:
    pass it at the frame's size to save the resize) or an (r, g, b) colour.
    """
    f = _check_frame(frame_rgb)
    h, w = f.shape[:2]
    if isinstance(background, tuple):
        bg = np.empty_like(f)
        bg[:] = np.asarray(background, np.uint8)
    else:
        bg = _check_frame(background)
        if bg.shape[:2] != (h, w):
            bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return _blend(f, bg, alpha(mask, (w, h), feather_px))


def blur_background(frame_rgb: np.ndarray, mask: Mask, blur_px: float = 12.0,
                    feather_px: float = 0.0) -> np.ndarray:
    """The frame with everything but the person blurred (Gaussian sigma ``blur_px``): (H, W, 3) uint8."""
    f = _check_frame(frame_rgb)
    h, w = f.shape[:2]
    sw, sh = max(1, w // _BLUR_DOWNSCALE), max(1, h // _BLUR_DOWNSCALE)
    # Bilinear, not area: the blur that follows removes the aliasing area averaging would,
    # and area averaging a 720p frame costs ~4x more.
    small = cv2.resize(f, (sw, sh), interpolation=cv2.INTER_LINEAR)
    if blur_px > 0:
        small = cv2.GaussianBlur(small, (0, 0), max(0.3, blur_px * sw / w))
    bg = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return _blend(f, bg, alpha(mask, (w, h), feather_px))


def sprite(frame_rgb: np.ndarray, mask: Mask, size_wh: tuple[int, int], feather_px: float = 0.0,
           crop: bool = False, threshold: float = 0.5, margin: float = 0.05) -> np.ndarray:
    """The person as an RGBA sprite, (size_h, size_w, 4) uint8, alpha = mask x 255.

    crop=False: the whole frame scaled to ``size_wh``. crop=True: the person's bounding box
    (mask > threshold, plus ``margin`` of its size a side) scaled to fit ``size_wh`` with its
    aspect kept, centred on transparency; nobody -> a fully transparent sprite.
    feather_px is in sprite pixels.
    """
    f = _check_frame(frame_rgb)
    h, w = f.shape[:2]
    m = _mask_array(mask)
    out_w, out_h = int(size_wh[0]), int(size_wh[1])
    if out_w < 1 or out_h < 1:
        raise ValueError(f"sprite size must be >= 1x1, got {size_wh}")
    if not crop:
        rgb = cv2.resize(f, (out_w, out_h), interpolation=cv2.INTER_AREA)
        return cv2.merge([rgb, alpha(m, (out_w, out_h), feather_px)])
    out = np.zeros((out_h, out_w, 4), np.uint8)
    ys, xs = np.nonzero(m > threshold)
    if xs.size == 0:
        return out
    # Bounding box in frame pixels (the mask may be smaller than the frame).
    sx, sy = w / m.shape[1], h / m.shape[0]
    x0, x1 = xs.min() * sx, (xs.max() + 1) * sx
    y0, y1 = ys.min() * sy, (ys.max() + 1) * sy
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    x0, x1 = int(max(0, x0 - mx)), int(min(w, np.ceil(x1 + mx)))
    y0, y1 = int(max(0, y0 - my)), int(min(h, np.ceil(y1 + my)))
    bw, bh = x1 - x0, y1 - y0
    s = min(out_w / bw, out_h / bh)
    tw, th = max(1, round(bw * s)), max(1, round(bh * s))
    rgb = cv2.resize(f[y0:y1, x0:x1], (tw, th), interpolation=cv2.INTER_AREA)
    # Alpha for the whole frame at the sprite's scale (small), then the same box cut out.
    fw, fh = max(1, round(w * s)), max(1, round(h * s))
    ax0, ay0 = min(fw - 1, round(x0 * s)), min(fh - 1, round(y0 * s))
    a = alpha(m, (fw, fh), feather_px)[ay0:ay0 + th, ax0:ax0 + tw]
    if a.shape != (th, tw):  # rounding at the frame's edge: stretch the pixel or two
        a = cv2.resize(a, (tw, th), interpolation=cv2.INTER_LINEAR)
    ox, oy = (out_w - tw) // 2, (out_h - th) // 2
    out[oy:oy + th, ox:ox + tw, :3] = rgb
    out[oy:oy + th, ox:ox + tw, 3] = a
    return out
