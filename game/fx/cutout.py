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


class CameraCutout:
    """The child cut out of a game camera's newest picture, as a pygame surface, converted
    once per new mask (the render loop may ask every frame).

    The mask is the camera's "segmentation" result (game.camera: the body model's person
    mask, or the selfie segmenter on its own thread).
    Counters: made (cut-outs converted).
    """

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._surface = None
        self.made = 0

    def surface(self, cam, height_px: int):
        """The cut-out ``height_px`` tall (mirrored like the camera view), or None: nobody found
        or no mask yet."""
        seg = cam.latest_result("segmentation") if cam is not None else None
        if seg is None or seg.frame_rgb is None or seg.result is None:
            return None
        frame, mask, key = seg.frame_rgb, seg.result.mask, (seg.index, height_px)
        if key != self._key:
            rgba = cutout_rgba(frame, mask, height_px, mirror=True)
            self._surface = None if rgba is None else to_surface(rgba)
            self._key = key
            self.made += 1
        return self._surface


def person_rgba(frame_rgb: np.ndarray, mask: np.ndarray, size_wh: tuple[int, int], *,
                mirror: bool = True) -> np.ndarray:
    """(h, w, 4) uint8: the whole frame (H, W, 3) scaled to ``size_wh`` = (w, h), alpha from
    ``mask`` (any size, person probability) — the person stays where the camera saw them,
    so a skeleton drawn over the camera view still lines up. Mirrored like the view."""
    import cv2

    w, h = int(size_wh[0]), int(size_wh[1])
    rgb = cv2.resize(frame_rgb, (w, h), interpolation=cv2.INTER_LINEAR)
    alpha = cv2.resize(np.asarray(mask, np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    alpha = np.where(alpha >= MASK_THRESHOLD, alpha, 0.0)
    rgba = np.dstack([rgb, (np.clip(alpha, 0, 1) * 255).astype(np.uint8)])
    return np.ascontiguousarray(rgba[:, ::-1] if mirror else rgba)


_BACKDROPS: dict[tuple[int, int], object] = {}


def stage_backdrop(size_wh: tuple[int, int]):
    """The party stage (wall, bunting, stars, wooden floor) the coach dances on, as a pygame
    surface of ``size_wh``; drawn once per size."""
    import cv2
    import pygame

    key = (int(size_wh[0]), int(size_wh[1]))
    if key not in _BACKDROPS:
        from game.demo.coach import Camera as StageCamera
        from game.demo.stage import Stage

        bgr = Stage(StageCamera(960, 540)).background_bgr()
        # Cover, never stretch: crop the stage to the view's aspect around its centre line,
        # keeping the floor (the bottom) in.
        H, W = bgr.shape[:2]
        aspect = key[0] / key[1]
        if aspect < W / H:
            cw = max(1, int(round(H * aspect)))
            bgr = bgr[:, (W - cw) // 2:(W - cw) // 2 + cw]
        else:
            ch = max(1, int(round(W / aspect)))
            bgr = bgr[H - ch:]
        rgb = cv2.cvtColor(cv2.resize(bgr, key, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        if len(_BACKDROPS) > 8:
            _BACKDROPS.clear()
        _BACKDROPS[key] = pygame.image.frombuffer(np.ascontiguousarray(rgb).tobytes(), key, "RGB").copy()
    return _BACKDROPS[key]


class StageCutout:
    """The child cut out of the camera picture and put on the stage backdrop, at the camera
    view's size (a pygame surface); converted once per new mask. None until a mask comes.
    Counters: made."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._surface = None
        self.made = 0

    def surface(self, cam, size_wh: tuple[int, int]):
        import pygame

        seg = cam.latest_result("segmentation") if cam is not None else None
        if seg is None or seg.frame_rgb is None or seg.result is None:
            return None
        key = (seg.index, tuple(size_wh))
        if key != self._key:
            out = stage_backdrop(size_wh).copy()
            rgba = person_rgba(seg.frame_rgb, seg.result.mask, size_wh, mirror=True)
            out.blit(pygame.image.frombuffer(rgba.tobytes(), tuple(size_wh), "RGBA"), (0, 0))
            self._surface, self._key = out, key
            self.made += 1
        return self._surface
