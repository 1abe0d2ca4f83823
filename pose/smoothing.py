"""Temporal smoothing of poses: One Euro (Casiez et al. 2012) with mediapipe's parameters,
plus a visibility low-pass, as filter objects with ``reset()``.

Every filter follows the generic tracker's protocol (pose.tracking.types.Filter):
``apply(out: LandmarkOutput, timestamp_s, object_scale_px) -> LandmarkOutput`` and
``reset()``. Image-landmark filters read the frame size from ``out.image_size_wh``.
``FilterChain`` runs several in order, so another filter (e.g. a multi-frame fusion for
jitter reduction) is one more element in the chain.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pose.tracking.types import Filter, LandmarkOutput

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


class MediapipeOneEuroFilter:
    """OneEuroFilter over an array, in the arithmetic of mediapipe's C++ filter: values kept
    in float32 (its LowPassFilter stores floats), the rest in double, integer nanosecond
    timestamps from whole microseconds (a graph's clock).

    Mediapipe's quirks are kept: the frequency is re-estimated only when neither the last
    nor the new timestamp is 0, and a timestamp that does not advance returns the value as
    is. Parameters are rounded to float32, as its options proto holds them.
    """

    def __init__(self, min_cutoff: float, beta: float, derivate_cutoff: float = 1.0,
                 frequency_hz: float = DEFAULT_FREQUENCY_HZ):
        self.min_cutoff = float(np.float32(min_cutoff))
        self.beta = float(np.float32(beta))
        self.derivate_cutoff = float(np.float32(derivate_cutoff))
        self.default_frequency_hz = float(np.float32(frequency_hz))
        self.reset()

    def reset(self) -> None:
        self.frequency_hz = self.default_frequency_hz
        self.last_time_ns = -1
        self._raw: np.ndarray | None = None  # float32, the last input
        self._x: np.ndarray | None = None  # float32, the last output
        self._dx: np.ndarray | None = None  # float32, the filtered derivative

    def _alpha(self, cutoff_hz: np.ndarray | float) -> np.ndarray | float:
        te = 1.0 / self.frequency_hz
        tau = 1.0 / ((2 * math.pi) * cutoff_hz)
        return 1.0 / (1.0 + tau / te)

    @staticmethod
    def _low_pass(value: np.ndarray, alpha: np.ndarray | float, stored: np.ndarray | None) -> np.ndarray:
        """LowPassFilter::Apply: float(float(α·v) + (1.0 − α)·stored), the sum in double."""
        if stored is None:
            return value.copy()
        a = np.float32(alpha) if np.isscalar(alpha) else np.asarray(alpha, np.float32)
        return ((a * value).astype(np.float64) + stored.astype(np.float64) * (1.0 - np.asarray(a, np.float64))
                ).astype(np.float32)

    def apply(self, x: np.ndarray, timestamp_s: float, value_scale: float = 1.0) -> np.ndarray:
        """Filter x (any shape, float32) at timestamp_s; returns a float32 array of x's shape."""
        x = np.asarray(x, dtype=np.float32)
        if not math.isfinite(timestamp_s):
            return x.copy()
        t_ns = int(round(timestamp_s * 1e6)) * 1000
        if self.last_time_ns >= t_ns:
            return x.copy()
        if self.last_time_ns != 0 and t_ns != 0:
            self.frequency_hz = 1.0 / ((t_ns - self.last_time_ns) * 1e-9)
        self.last_time_ns = t_ns
        if self._raw is None:
            dx = np.zeros(x.shape, np.float32)
        else:
            dx = ((x.astype(np.float64) - self._raw.astype(np.float64)) * float(value_scale)
                  * self.frequency_hz).astype(np.float32)
        self._dx = self._low_pass(dx, self._alpha(self.derivate_cutoff), self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx).astype(np.float64)
        self._x = self._low_pass(x, self._alpha(cutoff), self._x)
        self._raw = x.copy()
        return self._x.copy()


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


class ImageLandmarkFilter:
    """One Euro on image landmarks in pixels (z on x's scale), value-scaled by 1/object size.

    key: None filters ``out.points_norm[:, :3]``; a name filters ``out.extras[key][:, :3]``
    (the body's ROI alignment points are ``"aux"``).
    """

    def __init__(self, params: OneEuroParams = BODY_PARAMS, min_object_scale_px: float = 1e-6,
                 key: str | None = None, exact: bool = False):
        self.exact = bool(exact)
        make = MediapipeOneEuroFilter if self.exact else OneEuroFilter
        self.filter = make(params.min_cutoff, params.beta, params.derivate_cutoff)
        self.min_object_scale_px = min_object_scale_px
        self.key = key

    def reset(self) -> None:
        self.filter.reset()

    def filter_points(self, points_norm: np.ndarray, image_size: tuple[int, int], timestamp_s: float,
                      object_scale_px: float | None) -> np.ndarray:
        """points_norm (N, 3) frame-normalised x, y, z -> filtered (N, 3) float32."""
        w, h = image_size
        if self.exact:
            return self._filter_points_exact(points_norm, image_size, timestamp_s, object_scale_px)
        if object_scale_px is not None and object_scale_px < self.min_object_scale_px:
            return np.asarray(points_norm, dtype=np.float32).copy()  # too small to scale by
        value_scale = 1.0 if object_scale_px is None else 1.0 / object_scale_px
        px_scale = np.array([w, h, w], dtype=np.float64)
        out = self.filter.apply(np.asarray(points_norm, np.float64) * px_scale, timestamp_s, value_scale)
        return (out / px_scale).astype(np.float32)

    def _filter_points_exact(self, points_norm: np.ndarray, image_size: tuple[int, int], timestamp_s: float,
                             object_scale_px: float | None) -> np.ndarray:
        """LandmarksSmoothingCalculator's float32 path: to pixels (z on x's scale), filter
        with value scale 1/object scale (the points' bounding box when None), back."""
        f = np.float32
        px_scale = np.array([image_size[0], image_size[1], image_size[0]], np.float32)
        px = np.asarray(points_norm, np.float32) * px_scale
        if object_scale_px is None:
            span = px[:, :2].max(axis=0) - px[:, :2].min(axis=0)
            object_scale_px = float((span[0] + span[1]) / f(2))
        scale = f(object_scale_px)
        if scale < f(self.min_object_scale_px):
            return np.asarray(points_norm, dtype=np.float32).copy()  # too small to scale by
        return self.filter.apply(px, timestamp_s, float(f(1) / scale)) / px_scale

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        pts = (out.points_norm if self.key is None else np.asarray(out.extras[self.key], np.float32)).copy()
        pts[:, :3] = self.filter_points(pts[:, :3], _image_size(out), timestamp_s, object_scale_px)
        return out.with_points(pts) if self.key is None else out.with_extras(**{self.key: pts})


def _image_size(out: LandmarkOutput) -> tuple[int, int]:
    if out.image_size_wh is None:
        raise ValueError("an image-landmark filter needs out.image_size_wh (the tracker sets it)")
    return out.image_size_wh


class VisibilityFilter:
    """Low-pass on a per-point column (visibility, column 3): v <- a*v_new + (1 - a)*v_prev,
    in the float32 arithmetic of mediapipe's LowPassFilter (VisibilitySmoothingCalculator)."""

    def __init__(self, alpha: float = VISIBILITY_ALPHA, column: int = 3):
        self.alpha = float(np.float32(alpha))
        self.column = int(column)
        self._stored: np.ndarray | None = None

    def reset(self) -> None:
        self._stored = None

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        pts = out.points_norm.copy()
        v = np.asarray(pts[:, self.column], np.float32)
        self._stored = MediapipeOneEuroFilter._low_pass(v, self.alpha, self._stored)
        pts[:, self.column] = self._stored
        return out.with_points(pts)


class WorldLandmarkFilter:
    """One Euro on world landmarks (``extras["world"]``, metres), no value scaling, in
    mediapipe's arithmetic."""

    def __init__(self, params: OneEuroParams = WORLD_PARAMS, key: str = "world"):
        self.filter = MediapipeOneEuroFilter(params.min_cutoff, params.beta, params.derivate_cutoff)
        self.key = key

    def reset(self) -> None:
        self.filter.reset()

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        world = out.extras.get(self.key)
        if world is None:
            return out
        return out.with_extras(**{self.key: self.filter.apply(world, timestamp_s, 1.0)})


class PixelRoundTrip:
    """What mediapipe's landmark smoothing does to image landmarks when it is switched off:
    x·w, y·h, z·w and back, in float32 (not always the identity; with it, unsmoothed
    output is mediapipe's bit for bit)."""

    def reset(self) -> None:
        pass

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        w, h = _image_size(out)
        scale = np.array([w, h, w], np.float32)
        pts = out.points_norm.copy()
        pts[:, :3] = (np.asarray(pts[:, :3], np.float32) * scale) / scale
        return out.with_points(pts)


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

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        mask = out.extras.get("mask")
        if mask is None:
            return out
        smoothed = self.smooth(mask)
        return out if smoothed is mask else out.with_extras(mask=smoothed)

    def smooth(self, mask: np.ndarray) -> np.ndarray:
        """(H, W) probability -> (H, W) float32, blended with the previous call's result.

        Any mask source uses this: the body model's mask (``apply``), selfie segmentation."""
        new = np.asarray(mask, dtype=np.float32)
        if self._prev is None or self._prev.shape != new.shape:
            self._prev = new
            return new
        import cv2

        weight = cv2.LUT(cv2.convertScaleAbs(new, alpha=255.0), self._lut)  # (H, W) float32
        out_mask = cv2.subtract(self._prev, new)
        cv2.multiply(out_mask, weight, dst=out_mask, scale=self.ratio)
        cv2.add(out_mask, new, dst=out_mask)
        self._prev = out_mask
        return out_mask


class FilterChain:
    """Runs filters in order; ``reset()`` resets them all. A chain is itself a Filter."""

    def __init__(self, filters: Sequence[Filter]):
        self.filters = list(filters)

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        for f in self.filters:
            out = f.apply(out, timestamp_s, object_scale_px)
        return out

    def reset(self) -> None:
        for f in self.filters:
            f.reset()


def mediapipe_chain() -> FilterChain:
    """Mediapipe's live smoothing: visibility low-pass, One Euro on image and world
    landmarks, and the uncertainty-weighted mask blend (only when a mask is requested)."""
    return FilterChain([VisibilityFilter(), ImageLandmarkFilter(BODY_PARAMS, exact=True), WorldLandmarkFilter(),
                        MaskFilter()])


class MediapipeChain:
    """Makes a track's filter chain (like ``mediapipe_chain``) keeping state the way
    mediapipe's single-person graph keeps it: the image-landmark One Euro starts afresh with
    each track (its calculator also receives the image size every frame, sees the landmarks
    missing and resets), while the visibility low-pass and the world One Euro only ever
    receive landmark packets, so they carry on across a loss, into the next detection.

    Call it for a new track's chain; ``reset()`` clears the carried state.
    """

    def __init__(self) -> None:
        self.visibility = VisibilityFilter()
        self.world = WorldLandmarkFilter()

    def __call__(self) -> FilterChain:
        return FilterChain([self.visibility, ImageLandmarkFilter(BODY_PARAMS, exact=True), self.world, MaskFilter()])

    def reset(self) -> None:
        self.visibility.reset()
        self.world.reset()
