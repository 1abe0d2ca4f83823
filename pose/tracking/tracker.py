"""Tracker: detect -> ROI -> landmark model -> next ROI from the landmarks -> filters.

Mediapipe's tracking loop (pose_landmark_cpu, hand_landmark_tracking_cpu), for any model:
each tracked object's ROI for this frame comes from its own landmarks of the last frame, so
the detector runs only while fewer than ``max_objects`` are tracked. A new detection whose
ROI overlaps a tracked one is the same object and is dropped; tracks whose ROIs come to
overlap are merged (the older one stays). Everything model-specific is injected.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from pose.errors import DanceError
from pose.frame import Roi
from pose.tracking.types import (
    Detector,
    Filter,
    LandmarkModel,
    LandmarkOutput,
    RoiRule,
    TrackedObject,
    roi_iou,
    roi_valid,
)

OVERLAP_IOU = 0.5  # mediapipe's AssociationNormRectCalculator min_similarity_threshold


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Check a frame and convert it to (H, W, 3) uint8 RGB without copying when it already is.

    Accepts (H, W) or (H, W, 1) grey, (H, W, 3) RGB and (H, W, 4) RGBA uint8 of any size.
    """
    if not isinstance(image, np.ndarray):
        raise DanceError(f"frame must be a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise DanceError(f"frame must be uint8, got {image.dtype}")
    if image.size == 0:
        raise DanceError(f"frame is empty (shape {image.shape})")
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    import cv2

    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return cv2.cvtColor(np.ascontiguousarray(image.reshape(image.shape[:2])), cv2.COLOR_GRAY2RGB)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGBA2RGB)
    raise DanceError(f"frame must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape {image.shape}")


def check_timestamp(timestamp_s: object) -> float:
    """A finite float of seconds, or a one-line DanceError."""
    try:
        t = float(timestamp_s)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DanceError(f"timestamp_s must be a number of seconds, got {timestamp_s!r}") from None
    if not math.isfinite(t):
        raise DanceError(f"timestamp_s must be finite, got {t}")
    return t


def bbox_scale_px(points_norm: np.ndarray, image_size_wh: tuple[int, int]) -> float:
    """Mean of the points' bounding-box width and height in pixels (mediapipe's default
    object scale for landmark smoothing)."""
    w, h = image_size_wh
    xy = np.asarray(points_norm)[:, :2]
    span = xy.max(axis=0) - xy.min(axis=0)
    return float((span[0] * w + span[1] * h) / 2.0)


def _finite(out: LandmarkOutput) -> bool:
    """No NaN in the points nor in small array extras (per-point data; masks are not scanned)."""
    if not np.isfinite(out.points_norm).all():
        return False
    return all(np.isfinite(v).all() for v in out.extras.values()
               if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size <= 4096)


@dataclass
class _Track:
    track_id: int
    roi: Roi  # where to look in the coming frame
    detected: bool  # roi came from the detector
    filter: Filter | None
    roi_filter: Filter | None


class Tracker:
    """Tracks up to ``max_objects`` objects: ``process(rgb, timestamp_s)`` -> list[TrackedObject].

    detector, landmark_model, roi_rule: the model-specific parts (protocols in types.py).
    make_filter: builds the output filter of a new track (None: outputs are unfiltered).
    make_roi_filter: builds the filter whose output only feeds ``roi_rule.from_landmarks``
        (mediapipe smooths the body's alignment points this way even with smoothing off).
    overlap_iou: a detection (or a track) whose ROI overlaps a live track's by more is dropped.
    Results are ordered by track id (the oldest first). Counters: ``detector_calls``,
    ``landmark_calls``; ``last_timings_ms``: detector, landmark (all tracks), total.
    """

    def __init__(self, detector: Detector, landmark_model: LandmarkModel, roi_rule: RoiRule,
                 make_filter: Callable[[], Filter] | None = None, max_objects: int = 1, *,
                 make_roi_filter: Callable[[], Filter] | None = None, overlap_iou: float = OVERLAP_IOU):
        if int(max_objects) < 1:
            raise ValueError(f"max_objects must be >= 1, got {max_objects}")
        self.detector = detector
        self.landmark_model = landmark_model
        self.roi_rule = roi_rule
        self.make_filter = make_filter
        self.make_roi_filter = make_roi_filter
        self.max_objects = int(max_objects)
        self.overlap_iou = float(overlap_iou)
        self._tracks: list[_Track] = []
        self._next_id = 0
        self.detector_calls = 0
        self.landmark_calls = 0
        self.last_timings_ms: dict[str, float] = {"detector": 0.0, "landmark": 0.0, "total": 0.0}

    def reset(self) -> None:
        """Forget every object: the next frame runs the detector, filters start afresh."""
        self._tracks = []

    @property
    def tracking(self) -> bool:
        """True when at least one object's next ROI comes from its landmarks."""
        return bool(self._tracks)

    @property
    def num_tracked(self) -> int:
        return len(self._tracks)

    def _object_scale_px(self, out: LandmarkOutput, size: tuple[int, int]) -> float:
        rule_scale = getattr(self.roi_rule, "object_scale_px", None)
        return float(rule_scale(out, size)) if rule_scale is not None else bbox_scale_px(out.points_norm, size)

    def _new_track(self, roi: Roi) -> _Track:
        track = _Track(self._next_id, roi, True,
                       self.make_filter() if self.make_filter is not None else None,
                       self.make_roi_filter() if self.make_roi_filter is not None else None)
        self._next_id += 1
        return track

    def _overlaps(self, roi: Roi, tracks: list[_Track]) -> bool:
        return any(roi_iou(roi, t.roi) > self.overlap_iou for t in tracks)

    def process(self, rgb: np.ndarray, timestamp_s: float) -> list[TrackedObject]:
        """rgb (H, W, 3|4|1) or (H, W) uint8 at ``timestamp_s`` -> the tracked objects, oldest first."""
        t0 = time.perf_counter()
        rgb = as_rgb(rgb)
        timestamp_s = check_timestamp(timestamp_s)
        h, w = rgb.shape[:2]
        size = (w, h)
        # Tracks that drifted onto the same object: keep the older one.
        tracks: list[_Track] = []
        for track in self._tracks:
            if not self._overlaps(track.roi, tracks):
                tracks.append(track)
        det_ms = 0.0
        if len(tracks) < self.max_objects:
            td = time.perf_counter()
            self.detector_calls += 1
            detections = self.detector.detect(rgb)
            det_ms = (time.perf_counter() - td) * 1e3
            for det in detections:
                if len(tracks) >= self.max_objects:
                    break
                roi = self.roi_rule.from_detection(det, size)
                if roi_valid(roi) and not self._overlaps(roi, tracks):
                    tracks.append(self._new_track(roi))
        lm_ms = 0.0
        results: list[TrackedObject] = []
        kept: list[_Track] = []
        for track in tracks:
            tl = time.perf_counter()
            self.landmark_calls += 1
            out = self.landmark_model.run(rgb, track.roi)
            lm_ms += (time.perf_counter() - tl) * 1e3
            if out is None or not np.isfinite(out.points_norm).all():
                continue  # lost: its filters go with it
            if out.image_size_wh is None:
                out = out.with_image_size(size)
            scale = self._object_scale_px(out, size)
            roi_src = track.roi_filter.apply(out, timestamp_s, scale) if track.roi_filter is not None else out
            next_roi = self.roi_rule.from_landmarks(roi_src, size, timestamp_s)
            filtered = out
            if track.filter is not None:
                filtered = track.filter.apply(out, timestamp_s, scale)
                # A filter must never turn a found object into NaN; if one does, start it afresh.
                if not _finite(filtered):
                    track.filter.reset()
                    filtered = out
            results.append(TrackedObject(track.track_id, filtered, track.detected))
            if roi_valid(next_roi):
                track.roi, track.detected = next_roi, False
                kept.append(track)
        self._tracks = kept
        self.last_timings_ms = {"detector": det_ms, "landmark": lm_ms, "total": (time.perf_counter() - t0) * 1e3}
        return results
