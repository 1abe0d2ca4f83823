"""BodyTracker: one person's BlazePose over a stream of frames.

Detector when nobody is tracked; otherwise the ROI comes from the previous frame's
auxiliary landmarks (smoothed by their always-on One Euro filter), as in mediapipe's
pose_landmark_cpu graph. Smoothing of the output pose is a FilterChain (on by default).
"""
from __future__ import annotations

import math
import time

import numpy as np

from pose.detector import KP_BODY_SCALE, KP_HIP, PoseDetector
from pose.errors import DanceError
from pose.frame import PoseFrame, Roi
from pose.landmarker import PoseLandmarker
from pose.roi import roi_from_points_norm
from pose.smoothing import AUX_PARAMS, FilterChain, FilterContext, ImageLandmarkFilter, mediapipe_chain


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


class BodyTracker:
    """Tracks one person's body pose: ``process(rgb, timestamp_s)`` -> PoseFrame | None.

    smooth: apply the output smoothing chain (``filters``, default mediapipe's).
    segmentation: also return the person mask (H, W) on each frame.
    min_detection / min_tracking: thresholds on the detector score and the pose flag.
    precision: the models' variant (float | fp16 | int8-dynamic | int8-weight; None: the
    process default). landmark_threads: the landmark model's own thread count (default
    ``threads``).
    """

    def __init__(self, smooth: bool = True, threads: int = 2, segmentation: bool = False,
                 min_detection: float = 0.5, min_tracking: float = 0.5,
                 filters: FilterChain | None = None, precision: str | None = None,
                 landmark_threads: int | None = None):
        self.detector = PoseDetector(threads=threads, min_score=min_detection, precision=precision)
        self.landmarker = PoseLandmarker(threads=landmark_threads or threads, segmentation=segmentation,
                                         precision=precision)
        self.smooth = bool(smooth)
        self.min_tracking = float(min_tracking)
        self.filters = filters if filters is not None else mediapipe_chain()
        self._aux_filter = ImageLandmarkFilter(AUX_PARAMS)
        self._roi: Roi | None = None
        self.detector_calls = 0
        self.landmark_calls = 0
        self.last_timings_ms: dict[str, float] = {"detector": 0.0, "landmark": 0.0, "invoke": 0.0, "total": 0.0}

    def reset(self) -> None:
        """Forget the tracked person: the next frame runs the detector, filters start fresh."""
        self._roi = None
        self._aux_filter.reset()
        self.filters.reset()

    @property
    def tracking(self) -> bool:
        """True when the next frame will reuse the ROI from landmarks (no detector)."""
        return self._roi is not None

    def _lost(self) -> None:
        self.reset()

    def process(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame | None:
        """rgb (H, W, 3|4|1) or (H, W) uint8 -> the person's pose, or None if nobody."""
        t0 = time.perf_counter()
        rgb = as_rgb(rgb)
        try:
            timestamp_s = float(timestamp_s)
        except (TypeError, ValueError):
            raise DanceError(f"timestamp_s must be a number of seconds, got {timestamp_s!r}") from None
        if not math.isfinite(timestamp_s):
            raise DanceError(f"timestamp_s must be finite, got {timestamp_s}")
        h, w = rgb.shape[:2]
        det_ms = 0.0
        roi = self._roi
        if roi is None:
            td = time.perf_counter()
            self.detector_calls += 1
            dets = self.detector.detect(rgb)
            det_ms = (time.perf_counter() - td) * 1e3
            if dets:
                kp = dets[0].keypoints_norm
                roi = roi_from_points_norm(kp[[KP_HIP, KP_BODY_SCALE]], (w, h))
            if roi is None or not (math.isfinite(roi.size_px) and roi.size_px > 0):
                self._finish_timing(t0, det_ms, 0.0)
                self._lost()
                return None
        tl = time.perf_counter()
        self.landmark_calls += 1
        res = self.landmarker.run(rgb, roi, self.min_tracking)
        lm_ms = (time.perf_counter() - tl) * 1e3
        if res is None or not (np.isfinite(res.landmarks).all() and np.isfinite(res.aux).all()):
            self._finish_timing(t0, det_ms, lm_ms)
            self._lost()
            return None

        # The object's scale: the side of the unscaled ROI through the raw aux points.
        aux_px = res.aux[:, :2] * np.array([w, h], np.float32)
        object_scale_px = 2.0 * float(np.hypot(*(aux_px[1] - aux_px[0])))
        ctx = FilterContext(object_scale_px=object_scale_px)
        aux = self._aux_filter.filter_points(res.aux, (w, h), timestamp_s, object_scale_px)
        next_roi = roi_from_points_norm(aux, (w, h))
        self._roi = next_roi if (math.isfinite(next_roi.size_px) and next_roi.size_px > 0) else None

        frame = PoseFrame(landmarks=res.landmarks, world=res.world, presence=res.pose_flag,
                          timestamp_s=float(timestamp_s), image_size=(w, h), roi=roi, mask=res.mask)
        if self.smooth:
            smoothed = self.filters.apply(frame, ctx)
            # A filter must never turn a found person into NaN; if one does, start it afresh.
            if np.isfinite(smoothed.landmarks).all() and (smoothed.world is None or np.isfinite(smoothed.world).all()):
                frame = smoothed
            else:
                self.filters.reset()
        self._finish_timing(t0, det_ms, lm_ms)
        return frame

    def _finish_timing(self, t0: float, det_ms: float, lm_ms: float) -> None:
        # landmark = crop + model + decoding; invoke = the model alone (0 when not run).
        self.last_timings_ms = {"detector": det_ms, "landmark": lm_ms,
                                "invoke": self.landmarker.last_invoke_ms if lm_ms else 0.0,
                                "total": (time.perf_counter() - t0) * 1e3}
