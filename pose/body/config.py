"""The body's parts for the generic tracker, after mediapipe 0.10.21's pose graphs.

- BodyLandmarkModel: PoseLandmarker as a LandmarkModel (points (33, 4): x, y, z,
  visibility; extras world, aux, presence, mask).
- BodyRoiRule: pose_detection_to_roi (detection keypoints 0 = mid-hip, 1 = the full-body
  scale point) and pose_landmarks_to_roi (auxiliary landmarks 33, 34), both through
  AlignmentPointsRects + RectTransformation (scale 1.25, square_long), in mediapipe's
  float32 arithmetic (pose.rect32): the tracking loop feeds rounding differences back
  into the next crop, where they grow.
- aux_filter(): the always-on One Euro on the auxiliary points the next ROI comes from,
  in mediapipe's arithmetic too.
"""
from __future__ import annotations


import numpy as np

from pose import rect32
from pose.detector import KP_BODY_SCALE, KP_HIP
from pose.frame import Roi
from pose.landmarker import POSE_FLAG_THRESHOLD, PoseLandmarker
from pose.smoothing import AUX_PARAMS, ImageLandmarkFilter
from pose.tracking.types import Detection, LandmarkOutput


class BodyLandmarkModel:
    """``run(rgb, roi)`` -> LandmarkOutput | None (None when the pose flag < min_flag)."""

    def __init__(self, landmarker: PoseLandmarker, min_flag: float = POSE_FLAG_THRESHOLD):
        self.landmarker = landmarker
        self.min_flag = float(min_flag)

    def run(self, rgb: np.ndarray, roi: Roi) -> LandmarkOutput | None:
        res = self.landmarker.run(rgb, roi, self.min_flag)
        if res is None or not np.isfinite(res.aux).all():
            return None
        extras = {"world": res.world, "aux": res.aux, "presence": res.presence}
        if res.mask is not None:
            extras["mask"] = res.mask
        h, w = rgb.shape[:2]
        return LandmarkOutput(res.landmarks, res.pose_flag, roi, extras, (w, h))


class BodyRoiRule:
    """Where the body landmark model looks; see the module docstring."""

    def from_detection(self, det: Detection, image_size_wh: tuple[int, int]) -> Roi:
        rect = rect32.roi_rect(det.keypoints_norm[[KP_HIP, KP_BODY_SCALE]], image_size_wh)
        return rect32.crop_roi(rect, image_size_wh)

    def from_landmarks(self, out: LandmarkOutput, image_size_wh: tuple[int, int], timestamp_s: float) -> Roi | None:
        rect = rect32.roi_rect(out.extras["aux"], image_size_wh)
        return rect32.crop_roi(rect, image_size_wh)

    def object_scale_px(self, out: LandmarkOutput, image_size_wh: tuple[int, int]) -> float:
        """pose_landmark_filtering's object scale: the mean side of the unscaled ROI through
        the raw aux points."""
        return rect32.object_scale(rect32.alignment_rect(out.extras["aux"], image_size_wh), image_size_wh)


def aux_filter() -> ImageLandmarkFilter:
    """One Euro (min_cutoff 0.01, beta 10) on the aux points: mediapipe keeps it on even
    with smoothing off, because the tracking ROI depends on it."""
    return ImageLandmarkFilter(AUX_PARAMS, key="aux", exact=True)
