"""BodyTracker (one person -> PoseFrame | None) and MultiBodyTracker (up to N -> Bodies),
both the generic Tracker configured with the BlazePose parts of pose.body.config."""
from __future__ import annotations

from typing import Callable

import numpy as np

from pose.body.config import BodyLandmarkModel, BodyRoiRule, aux_filter
from pose.detector import PoseDetector
from pose.frame import Bodies, PoseFrame
from pose.landmarker import PoseLandmarker
from pose.smoothing import MediapipeChain, PixelRoundTrip, mediapipe_chain
from pose.tracking.tracker import Tracker
from pose.tracking.types import Filter, TrackedObject


def pose_frame(obj: TrackedObject, timestamp_s: float) -> PoseFrame:
    """A tracked body as the PoseFrame every layer passes around."""
    out = obj.output
    return PoseFrame(landmarks=out.points_norm, world=out.extras.get("world"), presence=out.score,
                     timestamp_s=timestamp_s, image_size=out.image_size_wh, roi=out.roi,
                     mask=out.extras.get("mask"))


class _BodyBase:
    def __init__(self, max_people: int, smooth: bool, threads: int, segmentation: bool,
                 min_detection: float, min_tracking: float, make_filter: Callable[[], Filter] | None,
                 precision: str | None = None, landmark_threads: int | None = None):
        self.detector = PoseDetector(threads=threads, min_score=min_detection, precision=precision)
        self.landmarker = PoseLandmarker(threads=landmark_threads or threads, segmentation=segmentation,
                                         precision=precision)
        self.smooth = bool(smooth)
        self.min_tracking = float(min_tracking)
        # One person: mediapipe's own graph, whose visibility and world filters outlive a
        # loss of the person; several: a fresh chain per person.
        self._chain = MediapipeChain() if make_filter is None and max_people == 1 else None
        self.make_filter = make_filter if make_filter is not None else (self._chain or mediapipe_chain)
        self.tracker = Tracker(self.detector, BodyLandmarkModel(self.landmarker, min_tracking), BodyRoiRule(),
                               make_filter=self.make_filter if self.smooth else PixelRoundTrip, max_objects=max_people,
                               make_roi_filter=aux_filter)

    def reset(self) -> None:
        """Forget the tracked people: the next frame runs the detector, filters start fresh."""
        self.tracker.reset()
        if self._chain is not None:
            self._chain.reset()

    @property
    def tracking(self) -> bool:
        """True when the next frame reuses an ROI from landmarks."""
        return self.tracker.tracking

    @property
    def detector_calls(self) -> int:
        return self.tracker.detector_calls

    @property
    def landmark_calls(self) -> int:
        return self.tracker.landmark_calls

    @property
    def last_timings_ms(self) -> dict[str, float]:
        """detector, landmark (crop + model + decoding), invoke (the model alone; 0 when not
        run), total — for the last frame."""
        t = self.tracker.last_timings_ms
        return {"detector": t["detector"], "landmark": t["landmark"],
                "invoke": self.landmarker.last_invoke_ms if t["landmark"] else 0.0, "total": t["total"]}


class BodyTracker(_BodyBase):
    """Tracks one person's body pose: ``process(rgb, timestamp_s)`` -> PoseFrame | None.

    smooth: apply the output filters (``make_filter``, default mediapipe's chain).
    segmentation: also return the person mask (H, W) on each frame (without it the landmark
    model runs with its mask branch cut off: the same landmarks, its invoke ~40 % cheaper).
    min_detection / min_tracking: thresholds on the detector score and the pose flag.
    precision: the models' variant (one of pose.variants.PRECISIONS, e.g. float, fp16-compute, int8-mixed;
    None: the process default, see pose.runtime). landmark_threads: the landmark model's
    own LiteRT thread count (default ``threads``).
    """

    def __init__(self, smooth: bool = True, threads: int = 2, segmentation: bool = False,
                 min_detection: float = 0.5, min_tracking: float = 0.5,
                 make_filter: Callable[[], Filter] | None = None, precision: str | None = None,
                 landmark_threads: int | None = None):
        super().__init__(1, smooth, threads, segmentation, min_detection, min_tracking, make_filter,
                         precision, landmark_threads)

    def process(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame | None:
        """rgb (H, W, 3|4|1) or (H, W) uint8 -> the person's pose, or None if nobody."""
        objs = self.tracker.process(rgb, timestamp_s)
        return pose_frame(objs[0], float(timestamp_s)) if objs else None


class MultiBodyTracker(_BodyBase):
    """Tracks up to ``max_people`` bodies (battle mode): ``process(rgb, t)`` -> Bodies.

    Each person is tracked from their own landmarks; the detector runs while fewer than
    max_people are tracked. Other arguments as BodyTracker.
    """

    def __init__(self, max_people: int = 2, smooth: bool = True, threads: int = 2, segmentation: bool = False,
                 min_detection: float = 0.5, min_tracking: float = 0.5,
                 make_filter: Callable[[], Filter] | None = None, precision: str | None = None,
                 landmark_threads: int | None = None):
        super().__init__(max_people, smooth, threads, segmentation, min_detection, min_tracking, make_filter,
                         precision, landmark_threads)
        self.max_people = int(max_people)

    def process(self, rgb: np.ndarray, timestamp_s: float) -> Bodies:
        """rgb -> the people found, oldest track first (Bodies.empty() when nobody)."""
        objs = self.tracker.process(rgb, timestamp_s)
        t = float(timestamp_s)
        h, w = rgb.shape[:2]
        return Bodies(tuple(pose_frame(o, t) for o in objs), tuple(o.track_id for o in objs), t, (w, h))
