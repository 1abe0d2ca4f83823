"""FaceTracker: the face configuration of the generic tracker, returning FaceResult."""
from __future__ import annotations

from typing import Callable

import numpy as np

from pose.face.detector import FaceDetector
from pose.face.mesh import FaceMeshModel, FaceRoiRule
from pose.face.result import FaceResult
from pose.face.signals import face_signals
from pose.fusion import FusionFilter
from pose.tracking import Filter, Tracker, as_rgb


def default_filter() -> Filter:
    """The face's landmark filter: multi-frame fusion (benchmarks/bench_fusion.py: on real
    faces it has the least jitter + lag of raw, One Euro and fusion)."""
    return FusionFilter()


class FaceTracker:
    """Detect a face (short or full range) -> 468-point mesh -> next ROI from the mesh.

    detector_range: "short" (close-up, menus; mediapipe FaceMesh's choice) or "full" (a child
    1.5-5 m away). smooth: filter the landmarks over time (False: the model's raw output,
    as mediapipe's FaceMesh gives it). make_filter: the filter of a new track when
    smoothing (None: ``default_filter``, what benchmarks/bench_fusion.py measured best for
    faces). max_faces: faces tracked at once. mirrored: the frames are
    mirrored (selfie view), so signals swap left/right. threads: LiteRT threads per model (1:
    on 2 cores the small face models run faster, and cost less CPU, on one thread; see
    benchmarks/bench_face.py --threads).
    ``process(rgb, t)`` -> FaceResult of the oldest tracked face (``empty()`` when none);
    ``process_all`` -> every tracked face.
    """

    def __init__(self, detector_range: str = "short", smooth: bool = True,
                 make_filter: Callable[[], Filter] | None = None, max_faces: int = 1, threads: int = 1,
                 mirrored: bool = False):
        self.detector = FaceDetector(detector_range, threads=threads)
        self.mesh = FaceMeshModel(threads=threads)
        self.smooth = bool(smooth)
        self.make_filter = make_filter if make_filter is not None else default_filter
        self.tracker = Tracker(self.detector, self.mesh, FaceRoiRule(), self.make_filter if self.smooth else None,
                               max_objects=max_faces)
        self.mirrored = bool(mirrored)

    def reset(self) -> None:
        self.tracker.reset()

    def process_all(self, rgb: np.ndarray, timestamp_s: float) -> tuple[FaceResult, ...]:
        rgb = as_rgb(rgb)
        h, w = rgb.shape[:2]
        out = []
        for obj in self.tracker.process(rgb, timestamp_s):
            lm = obj.output.points_norm[:, :3]
            out.append(FaceResult(lm, obj.output.score, obj.output.roi, face_signals(lm, (w, h), self.mirrored),
                                  timestamp_s, (w, h), obj.track_id))
        return tuple(out)

    def process(self, rgb: np.ndarray, timestamp_s: float) -> FaceResult:
        faces = self.process_all(rgb, timestamp_s)
        if faces:
            return faces[0]
        h, w = np.shape(rgb)[:2]
        return FaceResult.empty(timestamp_s, (w, h))
