"""HandTracker: up to two hands over a stream of frames, as mediapipe's Hands does.

The generic Tracker (pose.tracking) with the palm detector, the hand landmark model and the
hand ROI rule, ``max_objects=2``: palm detection runs only while fewer than two hands are
tracked; each tracked hand's next ROI comes from its own landmarks. As in mediapipe's
hand_landmark_tracking_cpu graph (AssociationNormRectCalculator, similarity 0.5), an ROI
whose upright box overlaps a tracked hand's by IoU > 0.5 is that hand and is dropped, and
two tracked ROIs that drift onto one hand are merged (the older stays). The palm detector
keeps at most two palms, as the graph clips them to num_hands.

Speed: mediapipe runs palm detection on every frame with fewer than two hands tracked.
With one hand tracked (one hand up: a menu, a wave), ``palm_every`` = 3 runs it on every
third frame instead, a third of its cost there; a second hand is then found at most two
frames later. It still runs on every frame while there is no hand tracked, after a hand is
lost, and for up to three frames after a run that found a palm not yet tracked: small, far
hands are often found by the detector and dropped by the landmark model, and need the
chances mediapipe gives them. ``palm_every=1`` is mediapipe's schedule throughout.

Handedness: the landmark model answers for a mirrored (selfie) image. ``mirrored`` says
whether the frames are mirror images (a front camera shown like a mirror) or not (a video
file, a plain camera); the result is always the person's own hand.
"""
from __future__ import annotations

from typing import Callable

from pose.gestures import GestureDebouncer, classify
from pose.hands.landmarks import HandLandmarkModel, HandRoiRule
from pose.hands.palm import PalmDetector
from pose.hands.result import LEFT, MAX_HANDS, RIGHT, Hand, HandsResult
from pose.smoothing import ImageLandmarkFilter, OneEuroParams
from pose.tracking import Tracker
from pose.tracking.tracker import as_rgb, check_timestamp
from pose.tracking.types import TrackedObject

COMPLEXITY_MODELS = {0: ("palm_detection_lite", "hand_landmark_lite"),
                     1: ("palm_detection_full", "hand_landmark_full")}
# mediapipe's hand landmarker smoothing (One Euro on pixels scaled by the hand's size).
HAND_PARAMS = OneEuroParams(0.05, 80.0, 1.0)


class _Throttled:
    """A detector that really runs on every ``n``-th call (the first call runs), or on the
    next call after ``force()``; other calls find nothing. A run that finds more palms than
    there are hands tracked (``tracked()``) forces the next call too, up to ``retries``
    runs in a row: something there has not become a tracked hand yet and mediapipe would
    look again; a palm that is never taken up as a hand (a hand-like picture, a far hand the
    landmark model keeps rejecting) does not keep the detector on every frame."""

    def __init__(self, detector: PalmDetector, n: int, tracked: Callable[[], int], retries: int = 3):
        self.detector = detector
        self.tracked = tracked
        self.n = int(n)
        self.retries = int(retries)
        self._retried = 0
        self._since = self.n  # calls since the last real run; the first call runs
        self.runs = 0

    def force(self) -> None:
        self._since = self.n

    def detect(self, rgb):
        self._since += 1
        if self._since < self.n:
            return []
        self._since = 0
        self.runs += 1
        found = self.detector.detect(rgb)
        tracked = self.tracked()
        if len(found) <= tracked:
            self._retried = 0
        elif tracked == 0 or self._retried < self.retries:
            self._retried += 1 if tracked else 0  # with none tracked, every frame runs anyway
            self.force()
        return found


class HandTracker:
    """Tracks up to two hands: ``process(rgb, timestamp_s)`` -> HandsResult.

    model_complexity: 1 = palm_detection_full + hand_landmark_full (mediapipe's default),
        0 = the _lite pair.
    mirrored: the frames are mirror images (selfie view); handedness is corrected so it
        is always the person's own left/right.
    smooth: One Euro on the landmarks (mediapipe's legacy Hands solution has none).
    min_detection / min_tracking: palm score and hand presence thresholds (mediapipe's 0.5).
    gestures: classify each hand and debounce it per track (make_debouncer builds one).
    exact_resampling: crop each hand exactly as mediapipe resamples (see HandLandmarkModel).
    palm_every: with one hand tracked, run the palm detector on every n-th frame (1: every
        frame, as mediapipe does).
    threads: inference threads per model; 1, mediapipe's desktop default, costs the least
        CPU and leaves the other core to the body pipeline or the game.
    """

    def __init__(self, model_complexity: int = 1, max_hands: int = MAX_HANDS, mirrored: bool = False,
                 smooth: bool = False, threads: int = 1, palm_every: int = 3, min_detection: float = 0.5,
                 min_tracking: float = 0.5, gestures: bool = True, exact_resampling: bool = True,
                 make_debouncer: Callable[[], GestureDebouncer] = GestureDebouncer):
        if model_complexity not in COMPLEXITY_MODELS:
            raise ValueError(f"model_complexity must be 0 or 1, got {model_complexity}")
        if not 1 <= int(max_hands) <= MAX_HANDS:
            raise ValueError(f"max_hands must be 1 or 2, got {max_hands}")
        palm_name, lm_name = COMPLEXITY_MODELS[model_complexity]
        self.max_hands = int(max_hands)
        self.detector = PalmDetector(palm_name, threads=threads, min_score=min_detection,
                                     max_detections=self.max_hands)
        self.landmark_model = HandLandmarkModel(lm_name, threads=threads, min_presence=min_tracking,
                                                exact_resampling=exact_resampling)
        if int(palm_every) < 1:
            raise ValueError(f"palm_every must be >= 1, got {palm_every}")
        self.roi_rule = HandRoiRule()
        self._palm = _Throttled(self.detector, palm_every, lambda: self.tracker.num_tracked)
        self.tracker = Tracker(self._palm, self.landmark_model, self.roi_rule,
                               make_filter=(lambda: ImageLandmarkFilter(HAND_PARAMS)) if smooth else None,
                               max_objects=self.max_hands)
        self.mirrored = bool(mirrored)
        self.gestures = bool(gestures)
        self.make_debouncer = make_debouncer
        self._debouncers: dict[int, GestureDebouncer] = {}

    def reset(self) -> None:
        """Forget every hand: the next frame runs the palm detector."""
        self.tracker.reset()
        self._palm.force()
        self._debouncers.clear()

    @property
    def num_tracked(self) -> int:
        return self.tracker.num_tracked

    @property
    def palm_runs(self) -> int:
        """How many times the palm detector has really run."""
        return self._palm.runs

    @property
    def last_timings_ms(self) -> dict[str, float]:
        return self.tracker.last_timings_ms

    def process(self, rgb, timestamp_s: float) -> HandsResult:
        """rgb (H, W, 3|4|1) or (H, W) uint8 -> the hands found, at most ``max_hands``."""
        rgb = as_rgb(rgb)
        timestamp_s = check_timestamp(timestamp_s)
        h, w = rgb.shape[:2]
        before = self.tracker.num_tracked
        if before == 0:
            self._palm.force()  # searching for a first hand: every frame
        objects = self.tracker.process(rgb, timestamp_s)
        if self.tracker.num_tracked < before:
            self._palm.force()  # a hand was lost: look for it again on the next frame
        hands = tuple(self._hand(obj, (w, h), timestamp_s) for obj in objects[: self.max_hands])
        live = {obj.track_id for obj in objects}
        for tid in [t for t in self._debouncers if t not in live]:
            del self._debouncers[tid]  # a lost hand's gesture history goes with it
        return HandsResult(hands, timestamp_s, (w, h))

    def _hand(self, obj: TrackedObject, size: tuple[int, int], timestamp_s: float) -> Hand:
        out = obj.output
        p_left_mirrored = float(out.extras["handedness_raw"])
        p_left = p_left_mirrored if self.mirrored else 1.0 - p_left_mirrored
        handed = LEFT if p_left > 0.5 else RIGHT
        raw = reported = "None"
        if self.gestures:
            raw = classify(out.points_norm, size).label
            deb = self._debouncers.setdefault(obj.track_id, self.make_debouncer())
            reported = deb.update(raw, timestamp_s)
        return Hand(out.points_norm[:, :3], handed, max(p_left, 1.0 - p_left), out.score, out.roi,
                    reported, raw, obj.track_id, out.extras.get("world"))
