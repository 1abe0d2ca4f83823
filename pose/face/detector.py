"""Face detectors: mediapipe's short-range (close-up, menus) and full-range sparse (a child
1.5-5 m from the camera) BlazeFace models, decoded by the shared SSD detector.

Numbers from mediapipe 0.10.21 face_detection.pbtxt / face_detection_short_range.pbtxt /
face_detection_full_range.pbtxt: letterbox, [-1, 1], zero border; 16 values a box = XYWH +
6 keypoints in input pixels; sigmoid scores clipped at 100; weighted NMS at IoU 0.3.
"""
from __future__ import annotations

from pose.detector import SsdDetector, SsdSpec
from pose.runtime import Model

NUM_KEYPOINTS = 6
# Keypoints of a face detection, as mediapipe orders them: 0 and 1 the eyes (0 on the
# image's left for a frontal face), 2 nose tip, 3 mouth centre, 4 and 5 the ear tragions.
KP_EYE_0 = 0
KP_EYE_1 = 1

# 128x128; strides 8, 16, 16, 16 with the interpolated anchor: 16²·2 + 8²·6 = 896 anchors.
SHORT_RANGE = SsdSpec("face_detection_short_range", 128, (8, 16, 16, 16), True, NUM_KEYPOINTS, 0.5)
# 192x192; one stride-4 layer, no interpolated anchor: 48² = 2304 anchors; threshold 0.6.
FULL_RANGE = SsdSpec("face_detection_full_range_sparse", 192, (4,), False, NUM_KEYPOINTS, 0.6)

RANGES = {"short": SHORT_RANGE, "full": FULL_RANGE}


class FaceDetector(SsdDetector):
    """``detect(rgb)`` -> face detections normalised to the frame, best first.

    range: "short" (faces within ~2 m, what mediapipe's FaceMesh uses) or "full" (to ~5 m).
    min_score: None keeps the graph's threshold (0.5 short, 0.6 full).
    """

    def __init__(self, range: str = "short", threads: int = 2, min_score: float | None = None,
                 model: Model | None = None):
        try:
            spec = RANGES[range]
        except KeyError:
            raise ValueError(f"face detector range must be one of {', '.join(RANGES)}, got {range!r}") from None
        super().__init__(spec, threads=threads, min_score=min_score, model=model)
        self.range = range
