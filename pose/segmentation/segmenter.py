"""SelfieSegmenter: mediapipe's SelfieSegmentation on LiteRT, plus its temporal smoothing.

Mediapipe's graph (modules/selfie_segmentation/selfie_segmentation_cpu.pbtxt, v0.10.21):
the whole frame is stretched (aspect not kept) onto the model's input — 256x256 for the
general model (``model_selection=0``), 256 wide x 144 high for the landscape one (``1``) —
with a bilinear warp, scaled to [0, 1]; the output is already a probability
(``activation: NONE``) and is resized bilinearly to the frame. We do the same steps, so
the masks agree with mediapipe's to the rounding of the warp.

Both models use the custom op ``Convolution2DTransposeBias``, which ``ai-edge-litert``
resolves (``tflite-runtime`` does not: loading then fails with the one-line fetch hint).

Smoothing (on by default, as in mediapipe's live pose graph; its SelfieSegmentation
solution has none) is ``pose.smoothing.MaskFilter`` with ratio 0.7. It runs on the model's
own mask, before the resize: 256x256 is ~14x fewer pixels than a 720p frame.
"""
from __future__ import annotations

from typing import Literal

import numpy as np

from pose.segmentation.types import SegmentationResult
from pose.tracking.tracker import as_rgb, check_timestamp

Variant = Literal["general", "landscape"]
MODELS: dict[str, str] = {"general": "selfie_segmentation", "landscape": "selfie_segmentation_landscape"}
SMOOTHING_RATIO = 0.7
# One LiteRT thread: the model is small (~3-5 ms an invoke), and a second thread's
# hand-offs cost more CPU than they save wall time on a 2-core machine that also renders
# the game and runs the body model (bench_segmentation.py, --threads 1 vs 2).
DEFAULT_THREADS = 1


# glibc's malloc serves blocks above its mmap threshold with fresh pages: every new
# frame-sized mask (8 MB at 1080x1920 float32; the previous frame's is still alive) lands
# on pages the kernel must fault in and zero, ~1 ms of kernel time a frame. Raising the
# threshold above a frame's size keeps such blocks in the heap, reused frame after frame.
_MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # glibc's upper limit on 64-bit
_TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024  # free heap kept before returning it to the system
_heap_tuned = False


def keep_frame_buffers_in_heap() -> bool:
    """Once per process: frame-sized arrays from the malloc heap, not fresh pages (glibc
    only; elsewhere nothing changes). Returns whether the setting is in force."""
    global _heap_tuned
    if not _heap_tuned:
        import ctypes
        import sys

        if not sys.platform.startswith("linux"):
            return False
        try:
            libc = ctypes.CDLL("libc.so.6")
            m_trim_threshold, m_mmap_threshold = -1, -3  # malloc.h
            _heap_tuned = bool(libc.mallopt(m_mmap_threshold, _MMAP_THRESHOLD_BYTES)) and \
                bool(libc.mallopt(m_trim_threshold, _TRIM_THRESHOLD_BYTES))
        except (OSError, AttributeError):  # not glibc (musl has no mallopt)
            return False
    return _heap_tuned


def long_side_size(size_wh: tuple[int, int], long_side_px: int) -> tuple[int, int]:
    """(width, height) scaled so the longer side is ``long_side_px`` (each side >= 1)."""
    w, h = size_wh
    s = long_side_px / max(w, h)
    return max(1, round(w * s)), max(1, round(h * s))


class SelfieSegmenter:
    """Person probability mask of each frame.

    variant: "general" (selfie_segmentation, 256x256; mediapipe's model_selection=0) or
        "landscape" (selfie_segmentation_landscape, 256x144; model_selection=1).
    smooth: temporal smoothing across frames (``reset()`` forgets the past).
    mask_long_side_px: size of the returned mask — None: the frame's own size (what
        mediapipe returns); N: the frame scaled so its longer side is N px (cheaper to make
        and to composite; ``dance track --what segmentation`` uses 256).
    threads: LiteRT threads. Raises ModelError (one line, with the fetch hint) when the
    model is missing or cannot be loaded.
    """

    def __init__(self, variant: Variant = "general", *, smooth: bool = True,
                 mask_long_side_px: int | None = None, threads: int | None = None):
        import cv2

        from pose.runtime import Model
        from pose.smoothing import MaskFilter

        if variant not in MODELS:
            raise ValueError(f"variant must be one of {', '.join(MODELS)}, got {variant!r}")
        if mask_long_side_px is not None and mask_long_side_px < 1:
            raise ValueError(f"mask_long_side_px must be >= 1, got {mask_long_side_px}")
        self.variant = variant
        keep_frame_buffers_in_heap()
        self.model = Model(MODELS[variant], threads=DEFAULT_THREADS if threads is None else threads)
        _, self.input_h, self.input_w, _ = self.model.input_shape()
        self._out_name = next(iter(self.model.outputs))
        self.mask_long_side_px = mask_long_side_px
        self.filter = MaskFilter(SMOOTHING_RATIO) if smooth else None
        self._input = np.empty((1, self.input_h, self.input_w, 3), np.float32)
        self._small = np.empty((self.input_h, self.input_w, 3), np.uint8)
        self._maps_wh: tuple[int, int] | None = None
        self._map_xy = self._map_frac = np.empty(0)
        self._cv2 = cv2

    def reset(self) -> None:
        if self.filter is not None:
            self.filter.reset()

    def _maps(self, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Fixed-point sampling maps for a (w, h) frame, made once per frame size.

        Mediapipe maps the frame's corners onto the tensor's corners (its ROI is the whole
        frame): x_src = x_tensor * w / input_w. cv2.resize would centre pixels instead, half
        a source pixel off. A remap with these maps is that warp to within one grey level
        (both sample at 1/32 px) and costs ~30 % less than warpAffine, which recomputes
        the coordinates every frame."""
        if self._maps_wh != (w, h):
            cv2 = self._cv2
            xs = np.arange(self.input_w, dtype=np.float64) * (w / self.input_w)
            ys = np.arange(self.input_h, dtype=np.float64) * (h / self.input_h)
            mx, my = np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))
            self._map_xy, self._map_frac = cv2.convertMaps(mx, my, cv2.CV_16SC2)
            self._maps_wh = (w, h)
        return self._map_xy, self._map_frac

    def _run(self, rgb: np.ndarray) -> None:
        """Warp ``rgb`` onto the model's input (written in place, no copy) and invoke."""
        cv2 = self._cv2
        h, w = rgb.shape[:2]
        map_xy, map_frac = self._maps(w, h)
        cv2.remap(rgb, map_xy, map_frac, cv2.INTER_LINEAR, dst=self._small, borderMode=cv2.BORDER_CONSTANT)
        small = self._small
        self.model.fill_input(lambda x: np.multiply(small, np.float32(1.0 / 255.0), out=x[0], casting="unsafe"))
        self.model.invoke()

    def infer(self, rgb: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 RGB -> (input_h, input_w) float32 probability, unsmoothed."""
        self._run(rgb)
        return self.model.output(self._out_name)[0, :, :, 0]

    def process(self, frame: np.ndarray, timestamp_s: float) -> SegmentationResult:
        """One frame (RGB, RGBA or grey uint8, any size) -> its SegmentationResult.

        A frame that is not an image is a one-line DanceError (pose.tracking.as_rgb)."""
        rgb = as_rgb(frame)
        timestamp_s = check_timestamp(timestamp_s)
        h, w = rgb.shape[:2]
        cv2 = self._cv2
        out_wh = (w, h) if self.mask_long_side_px is None else long_side_size((w, h), self.mask_long_side_px)
        resize = out_wh != (self.input_w, self.input_h)
        self._run(rgb)
        if self.filter is None and resize:
            # Straight from the interpreter's buffer to the output size: no copy of the mask.
            mask = self.model.use_output(
                self._out_name, lambda o: cv2.resize(o[0, :, :, 0], out_wh, interpolation=cv2.INTER_LINEAR))
        else:
            mask = self.model.output(self._out_name)[0, :, :, 0]
            if self.filter is not None:
                mask = self.filter.smooth(mask)
            if resize:
                mask = cv2.resize(mask, out_wh, interpolation=cv2.INTER_LINEAR)
        return SegmentationResult(mask, timestamp_s, (w, h))
