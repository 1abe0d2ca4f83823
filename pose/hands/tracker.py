"""HandTracker: up to two hands over a stream of frames, as mediapipe's Hands does.

Palm detection runs only while fewer than ``max_hands`` hands are tracked; each tracked
hand's ROI comes from its own landmarks of the last frame. As in mediapipe's
hand_landmark_tracking_cpu graph (AssociationNormRectCalculator, similarity 0.5), an ROI
whose upright box overlaps a later one by IoU > 0.5 is the same hand and is dropped: palm
ROIs go first and tracked ROIs after, so a tracked hand wins over a new palm on it, and of
two tracked ROIs that drifted onto one hand only one survives.

Handedness: the landmark model answers for a mirrored (selfie) image. ``mirrored`` says
whether the frames are (a front camera shown like a mirror) or not (a video file, a plain
camera); the result is always the person's own hand.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from pose.frame import Roi
from pose.gestures import GestureDebouncer, classify
from pose.hands.landmarks import HandLandmarkModel, HandRoiRule
from pose.hands.palm import PalmDetector
from pose.hands.result import LEFT, MAX_HANDS, RIGHT, Hand, HandsResult
from pose.tracker import as_rgb

OVERLAP_IOU = 0.5
COMPLEXITY_MODELS = {0: ("palm_detection_lite", "hand_landmark_lite"),
                     1: ("palm_detection_full", "hand_landmark_full")}


def roi_iou(a: Roi, b: Roi) -> float:
    """IoU of two ROIs as upright squares (rotation ignored, as mediapipe's association)."""
    ha, hb = a.size_px / 2.0, b.size_px / 2.0
    ix = min(a.centre_x_px + ha, b.centre_x_px + hb) - max(a.centre_x_px - ha, b.centre_x_px - hb)
    iy = min(a.centre_y_px + ha, b.centre_y_px + hb) - max(a.centre_y_px - ha, b.centre_y_px - hb)
    inter = max(ix, 0.0) * max(iy, 0.0)
    union = a.size_px ** 2 + b.size_px ** 2 - inter
    return inter / union if union > 0 else 0.0


def _roi_ok(roi: Roi | None) -> bool:
    return roi is not None and all(math.isfinite(v) for v in (
        roi.centre_x_px, roi.centre_y_px, roi.size_px, roi.rotation_rad)) and roi.size_px > 0


@dataclass
class _Track:
    track_id: int
    roi: Roi
    debouncer: GestureDebouncer


class HandTracker:
    """Tracks up to two hands: ``process(rgb, timestamp_s)`` -> HandsResult.

    model_complexity: 1 = palm_detection_full + hand_landmark_full (mediapipe's default),
        0 = the _lite pair.
    mirrored: the frames are mirror images (selfie view); handedness is corrected so it
        is always the person's own left/right.
    min_detection / min_tracking: palm score and hand presence thresholds (mediapipe's 0.5).
    gestures: classify each hand and debounce it per track (make_debouncer builds one).
    """

    def __init__(self, model_complexity: int = 1, max_hands: int = MAX_HANDS, mirrored: bool = False,
                 threads: int = 2, min_detection: float = 0.5, min_tracking: float = 0.5,
                 gestures: bool = True, make_debouncer: Callable[[], GestureDebouncer] = GestureDebouncer):
        if model_complexity not in COMPLEXITY_MODELS:
            raise ValueError(f"model_complexity must be 0 or 1, got {model_complexity}")
        if not 1 <= int(max_hands) <= MAX_HANDS:
            raise ValueError(f"max_hands must be 1 or 2, got {max_hands}")
        palm_name, lm_name = COMPLEXITY_MODELS[model_complexity]
        self.max_hands = int(max_hands)
        self.detector = PalmDetector(palm_name, threads=threads, min_score=min_detection,
                                     max_detections=self.max_hands)
        self.landmark_model = HandLandmarkModel(lm_name, threads=threads, min_presence=min_tracking)
        self.roi_rule = HandRoiRule()
        self.mirrored = bool(mirrored)
        self.gestures = bool(gestures)
        self.make_debouncer = make_debouncer
        self._tracks: list[_Track] = []
        self._next_id = 0
        self.detector_calls = 0
        self.landmark_calls = 0
        self.last_timings_ms: dict[str, float] = {"detector": 0.0, "landmark": 0.0, "total": 0.0}

    def reset(self) -> None:
        """Forget every hand: the next frame runs the palm detector."""
        self._tracks = []

    @property
    def num_tracked(self) -> int:
        return len(self._tracks)

    def _associate(self, candidates: list[_Track]) -> list[_Track]:
        kept: list[_Track] = []
        for cand in candidates:
            kept = [k for k in kept if roi_iou(cand.roi, k.roi) <= OVERLAP_IOU]
            kept.append(cand)
        return kept

    def process(self, rgb: np.ndarray, timestamp_s: float) -> HandsResult:
        """rgb (H, W, 3|4|1) or (H, W) uint8 -> the hands found, at most ``max_hands``."""
        t0 = time.perf_counter()
        rgb = as_rgb(rgb)
        timestamp_s = float(timestamp_s)
        h, w = rgb.shape[:2]
        size = (w, h)
        det_ms = 0.0
        palm_tracks: list[_Track] = []
        if len(self._tracks) < self.max_hands:
            td = time.perf_counter()
            self.detector_calls += 1
            for det in self.detector.detect(rgb)[: self.max_hands]:
                roi = self.roi_rule.from_detection(det, size)
                if _roi_ok(roi):
                    palm_tracks.append(_Track(-1, roi, self.make_debouncer()))
            det_ms = (time.perf_counter() - td) * 1e3
        tracks = self._associate(palm_tracks + self._tracks)
        for t in tracks:
            if t.track_id < 0:
                t.track_id = self._next_id
                self._next_id += 1
        hands: list[Hand] = []
        kept: list[_Track] = []
        tl = time.perf_counter()
        for track in tracks:
            self.landmark_calls += 1
            out = self.landmark_model.run(rgb, track.roi)
            if out is None:
                continue
            hands.append(self._hand(out, track, size, timestamp_s))
            next_roi = self.roi_rule.from_landmarks(out, size, timestamp_s)
            if _roi_ok(next_roi):
                track.roi = next_roi
                kept.append(track)
        lm_ms = (time.perf_counter() - tl) * 1e3
        self._tracks = kept
        hands = hands[: self.max_hands]
        self.last_timings_ms = {"detector": det_ms, "landmark": lm_ms, "total": (time.perf_counter() - t0) * 1e3}
        return HandsResult(tuple(hands), timestamp_s, size)

    def _hand(self, out, track: _Track, size: tuple[int, int], timestamp_s: float) -> Hand:
        p_left_mirrored = float(out.extras["handedness_raw"])
        p_left = p_left_mirrored if self.mirrored else 1.0 - p_left_mirrored
        handed = LEFT if p_left > 0.5 else RIGHT
        raw = reported = "None"
        if self.gestures:
            raw = classify(out.points_norm, size).label
            reported = track.debouncer.update(raw, timestamp_s)
        return Hand(out.points_norm[:, :3], handed, max(p_left, 1.0 - p_left), out.score, out.roi,
                    reported, raw, track.track_id, out.extras.get("world"))
