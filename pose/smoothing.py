"""Temporal smoothing of poses: One Euro (Casiez et al. 2012) with mediapipe's parameters,
plus a visibility low-pass, as filter objects with ``reset()``.

Filters on whole poses share one small protocol, ``PoseFilter``: ``apply(frame, ctx)`` ->
frame and ``reset()``. ``FilterChain`` runs several in order, so another filter (e.g. a
multi-frame fusion for jitter reduction) is one more element in the chain.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from pose.frame import PoseFrame

DEFAULT_FREQUENCY_HZ = 30.0  # mediapipe's default before two timestamps have been seen


class LowPassFilter:
    """Exponential low-pass on an array: y ← α·x + (1 − α)·y; the first sample passes."""

    def __init__(self) -> None:
        self.raw: np.ndarray | None = None
        self.stored: np.ndarray | None = None

    def apply(self, x: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        self.stored = x.copy() if self.stored is None else alpha * x + (1.0 - alpha) * self.stored
        self.raw = x.copy()
        return self.stored

    def reset(self) -> None:
        self.raw = self.stored = None


class OneEuroFilter:
    """One Euro filter over an array of values, all with the same parameters.

    α(fc) = 1 / (1 + τ/Te), τ = 1/(2π·fc), Te = 1/freq; dx = (x − x_prev_raw)·value_scale·freq;
    dx̂ = LPF(dx, α(derivate_cutoff)); fc = min_cutoff + β·|dx̂|; x̂ = LPF(x, α(fc)).
    The frequency comes from successive timestamps; a timestamp that does not advance (or
    is not finite) returns the value unfiltered, as mediapipe does.
    """

    def __init__(self, min_cutoff: float, beta: float, derivate_cutoff: float = 1.0,
                 frequency_hz: float = DEFAULT_FREQUENCY_HZ):
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.derivate_cutoff = float(derivate_cutoff)
        self.default_frequency_hz = float(frequency_hz)
        self.reset()

    def reset(self) -> None:
        self.frequency_hz = self.default_frequency_hz
        self.last_time_s: float | None = None
        self._x = LowPassFilter()
        self._dx = LowPassFilter()

    def _alpha(self, cutoff_hz: np.ndarray | float) -> np.ndarray | float:
        te = 1.0 / self.frequency_hz
        tau = 1.0 / (2.0 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / te)

    def apply(self, x: np.ndarray, timestamp_s: float, value_scale: float = 1.0) -> np.ndarray:
        """Filter x (any shape) sampled at timestamp_s; returns a float64 array of x's shape."""
        x = np.asarray(x, dtype=np.float64)
        if not math.isfinite(timestamp_s):
            return x.copy()
        if self.last_time_s is not None:
            if timestamp_s <= self.last_time_s:
                return x.copy()
            self.frequency_hz = 1.0 / (timestamp_s - self.last_time_s)
        self.last_time_s = float(timestamp_s)
        if self._x.raw is None:
            dx = np.zeros_like(x)
        else:
            dx = (x - self._x.raw) * value_scale * self.frequency_hz
        edx = self._dx.apply(dx, self._alpha(self.derivate_cutoff))
        cutoff = self.min_cutoff + self.beta * np.abs(edx)
        return self._x.apply(x, self._alpha(cutoff)).copy()


@dataclass(frozen=True)
class OneEuroParams:
    min_cutoff: float
    beta: float
    derivate_cutoff: float = 1.0


# Mediapipe's pose_landmark_filtering values.
BODY_PARAMS = OneEuroParams(0.05, 80.0, 1.0)
AUX_PARAMS = OneEuroParams(0.01, 10.0, 1.0)  # always on: the ROI tracking depends on it
WORLD_PARAMS = OneEuroParams(0.1, 40.0, 1.0)  # metres, without value scaling
VISIBILITY_ALPHA = 0.1


@dataclass(frozen=True)
class FilterContext:
    """What a filter may need beyond the frame.

    object_scale_px: the person's size in pixels (the unscaled auxiliary ROI side), used to
    make the velocity term scale-free; None disables value scaling.
    """

    object_scale_px: float | None = None


class PoseFilter(Protocol):
    """A stateful filter over successive poses of one person."""

    def apply(self, frame: PoseFrame, ctx: FilterContext) -> PoseFrame: ...

    def reset(self) -> None: ...


class ImageLandmarkFilter:
    """One Euro on image landmarks in pixels (z on x's scale), value-scaled by 1/object size."""

    def __init__(self, params: OneEuroParams = BODY_PARAMS, min_object_scale_px: float = 1e-6):
        self.filter = OneEuroFilter(params.min_cutoff, params.beta, params.derivate_cutoff)
        self.min_object_scale_px = min_object_scale_px

    def reset(self) -> None:
        self.filter.reset()

    def filter_points(self, points_norm: np.ndarray, image_size: tuple[int, int], timestamp_s: float,
                      object_scale_px: float | None) -> np.ndarray:
        """points_norm (N, 3) frame-normalised x, y, z -> filtered (N, 3) float32."""
        w, h = image_size
        if object_scale_px is not None and object_scale_px < self.min_object_scale_px:
            return np.asarray(points_norm, dtype=np.float32).copy()  # too small to scale by
        value_scale = 1.0 if object_scale_px is None else 1.0 / object_scale_px
        px_scale = np.array([w, h, w], dtype=np.float64)
        out = self.filter.apply(np.asarray(points_norm, np.float64) * px_scale, timestamp_s, value_scale)
        return (out / px_scale).astype(np.float32)

    def apply(self, frame: PoseFrame, ctx: FilterContext) -> PoseFrame:
        lm = frame.landmarks.copy()
        lm[:, :3] = self.filter_points(lm[:, :3], frame.image_size, frame.timestamp_s, ctx.object_scale_px)
        return dataclasses.replace(frame, landmarks=lm)


class VisibilityFilter:
    """Low-pass on visibility: v ← α·v_new + (1 − α)·v_prev."""

    def __init__(self, alpha: float = VISIBILITY_ALPHA):
        self.alpha = float(alpha)
        self._lpf = LowPassFilter()

    def reset(self) -> None:
        self._lpf.reset()

    def apply(self, frame: PoseFrame, ctx: FilterContext) -> PoseFrame:
        lm = frame.landmarks.copy()
        lm[:, 3] = self._lpf.apply(lm[:, 3], self.alpha)
        return dataclasses.replace(frame, landmarks=lm)


class WorldLandmarkFilter:
    """One Euro on world landmarks (metres), no value scaling."""

    def __init__(self, params: OneEuroParams = WORLD_PARAMS):
        self.filter = OneEuroFilter(params.min_cutoff, params.beta, params.derivate_cutoff)

    def reset(self) -> None:
        self.filter.reset()

    def apply(self, frame: PoseFrame, ctx: FilterContext) -> PoseFrame:
        if frame.world is None:
            return frame
        world = self.filter.apply(frame.world, frame.timestamp_s).astype(np.float32)
        return dataclasses.replace(frame, world=world)


def mask_uncertainty(p: np.ndarray) -> np.ndarray:
    """How unsure a mask pixel is, in [0, 1]: the squared binary entropy (bits) of p.

    1 at p = 0.5, 0 at p = 0 or 1. Mediapipe's SegmentationSmoothingCalculator uses a
    polynomial fit of this curve.
    """
    p = np.clip(np.asarray(p, dtype=np.float32), 1e-6, 1 - 1e-6)
    q = 1.0 - p
    h = -(p * np.log2(p) + q * np.log2(q))
    return np.clip(h * h, 0.0, 1.0)


class MaskFilter:
    """Temporal smoothing of the segmentation mask, mediapipe's way: each pixel leans on
    the previous mask in proportion to how unsure the new one is there.

    m ← m_new + (m_prev − m_new)·uncertainty(m_new)·ratio. A changed frame size restarts it.
    """

    def __init__(self, combine_with_previous_ratio: float = 0.7):
        self.ratio = float(combine_with_previous_ratio)
        self._prev: np.ndarray | None = None
        # Uncertainty by table on 8-bit p: a frame-sized log2 costs ~40 ms at 1080p, the
        # table ~5 ms, and 1/255 steps move the weight by < 0.02.
        self._lut = mask_uncertainty(np.arange(256, dtype=np.float32) / 255.0).reshape(1, 256)

    def reset(self) -> None:
        self._prev = None

    def apply(self, frame: PoseFrame, ctx: FilterContext) -> PoseFrame:
        if frame.mask is None:
            return frame
        new = np.asarray(frame.mask, dtype=np.float32)
        if self._prev is None or self._prev.shape != new.shape:
            self._prev = new
            return frame
        import cv2

        weight = cv2.LUT(cv2.convertScaleAbs(new, alpha=255.0), self._lut)  # (H, W) float32
        out = cv2.subtract(self._prev, new)
        cv2.multiply(out, weight, dst=out, scale=self.ratio)
        cv2.add(out, new, dst=out)
        self._prev = out
        return dataclasses.replace(frame, mask=out)


class FilterChain:
    """Runs filters in order; ``reset()`` resets them all (call it when the person is lost)."""

    def __init__(self, filters: Sequence[PoseFilter]):
        self.filters = list(filters)

    def apply(self, frame: PoseFrame, ctx: FilterContext) -> PoseFrame:
        for f in self.filters:
            frame = f.apply(frame, ctx)
        return frame

    def reset(self) -> None:
        for f in self.filters:
            f.reset()


def mediapipe_chain() -> FilterChain:
    """Mediapipe's live smoothing: visibility low-pass, One Euro on image and world
    landmarks, and the uncertainty-weighted mask blend (only when a mask is requested)."""
    return FilterChain([VisibilityFilter(), ImageLandmarkFilter(BODY_PARAMS), WorldLandmarkFilter(), MaskFilter()])
