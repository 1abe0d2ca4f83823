"""The generic tracker's boundary types and the protocols its injected parts satisfy.

Coordinates are normalised to the full frame (x / width, y / height), z on x's scale.
Every pipeline (body, face, hands) converts its model output to these types at once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Protocol

import numpy as np

from pose.frame import Roi


def checked_array(name: str, value: Any, shape: tuple[int | None, ...], dtype: type = np.float32) -> np.ndarray:
    """``value`` as an array of ``dtype`` whose shape matches ``shape`` (None: any length).

    For result types' ``__post_init__``: raises ValueError naming the field, the wanted
    and the actual shape.
    """
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim != len(shape) or any(want is not None and got != want for got, want in zip(arr.shape, shape)):
        want_txt = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want_txt}, got {arr.shape}")
    return arr


def roi_valid(roi: Roi | None) -> bool:
    """True for an ROI the landmark model can crop: finite centre, side > 0, finite angle."""
    return roi is not None and all(math.isfinite(v) for v in (roi.centre_x_px, roi.centre_y_px, roi.size_px,
                                                              roi.rotation_rad)) and roi.size_px > 0


def roi_iou(a: Roi, b: Roi) -> float:
    """IoU of two ROIs as upright squares (rotation ignored, as mediapipe's rect association)."""
    ha, hb = a.size_px / 2.0, b.size_px / 2.0
    ix = min(a.centre_x_px + ha, b.centre_x_px + hb) - max(a.centre_x_px - ha, b.centre_x_px - hb)
    iy = min(a.centre_y_px + ha, b.centre_y_px + hb) - max(a.centre_y_px - ha, b.centre_y_px - hb)
    inter = max(ix, 0.0) * max(iy, 0.0)
    union = a.size_px ** 2 + b.size_px ** 2 - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True, eq=False)
class Detection:
    """One detected object, normalised to the full frame (letterbox removed).

    score: [0, 1]. box_norm: (4,) float32 xmin, ymin, xmax, ymax.
    keypoints_norm: (K, 2) float32 x, y (K depends on the detector: 4 for the body).
    """

    score: float
    box_norm: np.ndarray
    keypoints_norm: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "box_norm", checked_array("box_norm", self.box_norm, (4,)))
        object.__setattr__(self, "keypoints_norm", checked_array("keypoints_norm", self.keypoints_norm, (None, 2)))




@dataclass(frozen=True, eq=False)
class LandmarkOutput:
    """One landmark-model pass on one ROI, projected to the frame.

    points_norm: (N, C) float32, C >= 3: x, y normalised to the frame, z on x's scale, then
        any per-point columns the model has (the body adds visibility as column 3).
    score: the model's "object present" probability (pose flag, face/hand presence).
    roi: the crop the model saw.
    extras: anything else of the pass, by name (the body: "world" (33, 3) metres, "aux"
        (2, 3) ROI alignment points, "presence" (33,), "mask" (H, W) when asked). Filters
        and ROI rules may read and replace entries; the tracker never looks inside.
    image_size_wh: (width, height) of the frame; the tracker fills it in when the model
        leaves it None, so filters that work in pixels can rely on it.
    """

    points_norm: np.ndarray
    score: float
    roi: Roi
    extras: Mapping[str, Any] = field(default_factory=dict)
    image_size_wh: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        pts = checked_array("points_norm", self.points_norm, (None, None))
        if pts.shape[1] < 3:
            raise ValueError(f"points_norm must have at least 3 columns (x, y, z), got {pts.shape}")
        object.__setattr__(self, "points_norm", pts)
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))
        if self.image_size_wh is not None:
            object.__setattr__(self, "image_size_wh", (int(self.image_size_wh[0]), int(self.image_size_wh[1])))

    def with_points(self, points_norm: np.ndarray) -> "LandmarkOutput":
        """A copy with other points (same ROI, score, extras and size)."""
        return LandmarkOutput(points_norm, self.score, self.roi, self.extras, self.image_size_wh)

    def with_extras(self, **changes: Any) -> "LandmarkOutput":
        """A copy with some extras replaced (or added)."""
        return LandmarkOutput(self.points_norm, self.score, self.roi, {**self.extras, **changes}, self.image_size_wh)

    def with_image_size(self, image_size_wh: tuple[int, int]) -> "LandmarkOutput":
        return LandmarkOutput(self.points_norm, self.score, self.roi, self.extras, image_size_wh)


@dataclass(frozen=True, eq=False)
class TrackedObject:
    """One tracked object in one frame.

    track_id: stable while the object stays tracked; a new object gets a new id.
    output: the landmark output, filtered when the tracker has filters.
    detected: this frame's ROI came from the detector (False: from the last landmarks).
    """

    track_id: int
    output: LandmarkOutput
    detected: bool


class Detector(Protocol):
    """Finds objects in a whole frame."""

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """rgb (H, W, 3) uint8 -> detections after NMS, best score first."""
        ...


class LandmarkModel(Protocol):
    """Runs the landmark model on a rotated crop."""

    def run(self, rgb: np.ndarray, roi: Roi) -> LandmarkOutput | None:
        """rgb (H, W, 3) uint8 -> landmarks, or None when the presence score is too low."""
        ...


class RoiRule(Protocol):
    """Where the landmark model looks: from a detection, then from the last landmarks.

    A rule may also define ``object_scale_px(out, image_size_wh) -> float``, the object's
    size in pixels that filters use to make velocities scale-free; without it the tracker
    uses the mean of the points' bounding-box width and height in pixels.
    """

    def from_detection(self, det: Detection, image_size_wh: tuple[int, int]) -> Roi:
        ...

    def from_landmarks(self, out: LandmarkOutput, image_size_wh: tuple[int, int],
                       timestamp_s: float) -> Roi | None:
        """The next frame's ROI, or None to stop tracking this object."""
        ...


class Filter(Protocol):
    """A stateful temporal filter over one object's successive outputs."""

    def apply(self, out: LandmarkOutput, timestamp_s: float, object_scale_px: float | None) -> LandmarkOutput:
        ...

    def reset(self) -> None:
        ...
