"""The 468-point face mesh (face_landmark.tflite) and where it looks.

After mediapipe 0.10.21's face_landmark graphs:
- face_landmark_cpu: 192x192 crop of the ROI, bilinear, replicated border, values [0, 1];
  1404 outputs = 468 x (x, y, z) in crop pixels (/192, z likewise); the face flag is a
  logit (sigmoid, threshold 0.5: the solution's min_tracking_confidence).
- face_detection_front_detection_to_roi: centre = the detection box's centre, rotation
  from keypoint 0 to keypoint 1 with a 0 deg target, side = max(box w, box h) px x 1.5.
- face_landmark_landmarks_to_roi: the same from the landmarks' bounding box, rotation
  from landmark 33 to 263 (the outer eye corners), x 1.5 (square_long).
"""
from __future__ import annotations

import math

import numpy as np

from pose.errors import ModelError
from pose.frame import Roi
from pose.roi import crop_matrix, normalize_radians, project_to_image, warp_crop
from pose.runtime import Model

NUM_FACE_LANDMARKS = 468
INPUT_SIZE_PX = 192
FACE_FLAG_THRESHOLD = 0.5
ROI_SCALE = 1.5
# Outer eye corners: the tracking ROI's rotation runs from 33 (image left, frontal face) to 263.
LM_ROTATION_START = 33
LM_ROTATION_END = 263
TARGET_ANGLE_RAD = 0.0
_INV_255 = np.float32(1.0 / 255.0)


def _rotation(x0: float, y0: float, x1: float, y1: float) -> float:
    """DetectionsToRectsCalculator's angle (pixels, y down): target - atan2(-dy, dx), wrapped."""
    return normalize_radians(TARGET_ANGLE_RAD - math.atan2(-(y1 - y0), x1 - x0))


def roi_from_box(box_norm: np.ndarray, p0_norm: np.ndarray, p1_norm: np.ndarray,
                 image_size_wh: tuple[int, int], scale: float = ROI_SCALE) -> Roi:
    """Square ROI around a normalised box (xmin, ymin, xmax, ymax), rotated by p0 -> p1,
    side = max(box width, box height) in pixels x scale (RectTransformation square_long)."""
    w, h = image_size_wh
    xmin, ymin, xmax, ymax = (float(v) for v in box_norm)
    cx, cy = (xmin + xmax) / 2.0 * w, (ymin + ymax) / 2.0 * h
    side = max((xmax - xmin) * w, (ymax - ymin) * h) * scale
    rot = _rotation(float(p0_norm[0]) * w, float(p0_norm[1]) * h, float(p1_norm[0]) * w, float(p1_norm[1]) * h)
    return Roi(cx, cy, side, rot)


class FaceRoiRule:
    """Where the face mesh looks: from a face detection, then from the last mesh."""

    def __init__(self, scale: float = ROI_SCALE):
        self.scale = float(scale)

    def from_detection(self, det, image_size_wh: tuple[int, int]) -> Roi:
        kp = det.keypoints_norm
        return roi_from_box(det.box_norm, kp[0], kp[1], image_size_wh, self.scale)

    def from_landmarks(self, out, image_size_wh: tuple[int, int], timestamp_s: float) -> Roi | None:
        xy = np.asarray(out.points_norm, np.float64)[:, :2]
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        return roi_from_box(np.array([lo[0], lo[1], hi[0], hi[1]]), xy[LM_ROTATION_START],
                            xy[LM_ROTATION_END], image_size_wh, self.scale)

    def object_scale_px(self, out, image_size_wh: tuple[int, int]) -> float:
        """Mean of the mesh's bounding-box width and height in pixels (mediapipe's default)."""
        w, h = image_size_wh
        xy = np.asarray(out.points_norm)[:, :2]
        span = xy.max(axis=0) - xy.min(axis=0)
        return float((span[0] * w + span[1] * h) / 2.0)


class FaceMeshModel:
    """``run(rgb, roi)`` -> LandmarkOutput with points (468, 3), or None when the face flag
    is below ``min_flag``.

    exact_resampling: crop with pose.roi.warp_crop, pixel for pixel mediapipe's OpenCV 4
    resampling (about 1 ms a frame here). The default crops with one cv2.warpAffine of the
    same geometry: the mesh barely notices the up-to-2-grey-level difference (median 2e-5 of
    the frame width from mediapipe's FaceMesh either way, benchmarks/bench_face.py), and the
    exact maps would cost a third of the pipeline's time.
    """

    def __init__(self, threads: int = 1, min_flag: float = FACE_FLAG_THRESHOLD, model: Model | None = None,
                 exact_resampling: bool = False):
        self.model = model or Model("face_landmark", threads=threads)
        self.exact_resampling = bool(exact_resampling)
        self.min_flag = float(min_flag)
        self._crop = np.empty((INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.uint8)
        self._in_buf = np.empty((1, INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.float32)
        self._points_name = self._flag_name = None
        for name, shape in self.model.output_shapes().items():
            if shape[-1] == NUM_FACE_LANDMARKS * 3:
                self._points_name = name
            elif int(np.prod(shape)) == 1:
                self._flag_name = name
        if self._points_name is None or self._flag_name is None:
            raise ModelError("face_landmark model has unexpected outputs; run: dance models verify")

    def forward(self, rgb: np.ndarray, roi: Roi) -> tuple[np.ndarray, float]:
        """Crop, invoke: -> crop-normalised points (468, 3), face probability."""
        if self.exact_resampling:
            warp_crop(rgb, roi, INPUT_SIZE_PX, out=self._crop)
        else:
            import cv2

            cv2.warpAffine(rgb, crop_matrix(roi, INPUT_SIZE_PX), (INPUT_SIZE_PX, INPUT_SIZE_PX), dst=self._crop,
                           flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # A float32 scalar keeps the multiply in float32 (a Python float would make it float64: 3x slower).
        np.multiply(self._crop, _INV_255, out=self._in_buf[0], casting="unsafe")
        self.model.set_input(self._in_buf)
        self.model.invoke()
        logit = float(self.model.output(self._flag_name).reshape(-1)[0])
        prob = 1.0 / (1.0 + math.exp(-max(min(logit, 100.0), -100.0)))
        pts = self.model.output(self._points_name).reshape(NUM_FACE_LANDMARKS, 3) / INPUT_SIZE_PX
        return pts, prob

    def run(self, rgb: np.ndarray, roi: Roi):
        from pose.tracking.types import LandmarkOutput

        pts, prob = self.forward(rgb, roi)
        if prob < self.min_flag:
            return None
        h, w = rgb.shape[:2]
        return LandmarkOutput(project_to_image(pts, roi, (w, h)), prob, roi, {}, (w, h))
