"""Hand landmarks: mediapipe's ``hand_landmark_full`` / ``_lite`` on a rotated 224x224 crop,
and the two hand ROI rules (from a palm detection, from the last landmarks).

The numbers are mediapipe 0.10.21's hand_landmark_cpu, palm_detection_detection_to_roi and
hand_landmark_landmarks_to_roi graphs (see shared/docs/blazepose.md):
- model: [0, 1] input, 63 = 21 x (x, y, z) in crop pixels, z scaled by 1/0.4 less than x
  (TensorsToLandmarks normalize_z 0.4), then a presence flag, a handedness probability and
  21 world points (metres), in that output order;
- ROI from a palm: the box centre, rotated so wrist -> middle MCP points up, shifted by
  -0.5 of the box height along that axis, squared on the long side, x2.6;
- ROI from landmarks: the rotated bounding box of the 12 stable points (wrist, thumb base,
  finger MCP and PIP joints), rotated so wrist -> mean(mean(index MCP, ring MCP), middle
  MCP) points up, shifted by -0.1 of its height, squared on the long side, x2.0.
"""
from __future__ import annotations

import math
import time

import numpy as np

from pose.tracking.types import Detection
from pose.errors import ModelError
from pose.frame import Roi
from pose.hands.palm import KP_MIDDLE_MCP, KP_WRIST
from pose.roi import crop_matrix, normalize_radians, project_to_image, warp_crop
from pose.runtime import Model

from pose.tracking.types import LandmarkOutput

INPUT_SIZE_PX = 224
NUM_LANDMARKS = 21
Z_NORM = 0.4  # TensorsToLandmarksCalculator normalize_z
PRESENCE_THRESHOLD = 0.5
MODELS = ("hand_landmark_full", "hand_landmark_lite")

WRIST, THUMB_CMC, THUMB_MCP, THUMB_IP, THUMB_TIP = 0, 1, 2, 3, 4
INDEX_MCP, MIDDLE_MCP, RING_MCP, PINKY_MCP = 5, 9, 13, 17
# Points that move little with the fingers, for the tracking ROI.
ROI_SUBSET = np.array([0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18])

TARGET_ANGLE_RAD = math.pi / 2
PALM_SHIFT_Y = -0.5
PALM_SCALE = 2.6
LANDMARK_SHIFT_Y = -0.1
LANDMARK_SCALE = 2.0
_FLT_MIN = float(np.finfo(np.float32).tiny)  # mediapipe seeds its max with FLT_MIN, not -inf


def _rect_to_roi(cx_px: float, cy_px: float, w_px: float, h_px: float, rotation_rad: float,
                 shift_y: float, scale: float) -> Roi:
    """RectTransformationCalculator: shift along the rotated y axis, square_long, scale."""
    cx_px += -h_px * shift_y * math.sin(rotation_rad)
    cy_px += h_px * shift_y * math.cos(rotation_rad)
    return Roi(cx_px, cy_px, max(w_px, h_px) * scale, rotation_rad)


def _rotation(x0: float, y0: float, x1: float, y1: float) -> float:
    """Rotation (rad) that turns the pixel vector (x0, y0) -> (x1, y1) upright."""
    return normalize_radians(TARGET_ANGLE_RAD - math.atan2(-(y1 - y0), x1 - x0))


class HandRoiRule:
    """Where the hand landmark model looks (the generic tracker's RoiRule)."""

    def from_detection(self, det: Detection, image_size_wh: tuple[int, int]) -> Roi:
        """A palm detection -> the hand's ROI in pixels."""
        w, h = image_size_wh
        box = np.asarray(det.box_norm, np.float64)
        kp = np.asarray(det.keypoints_norm, np.float64)
        rot = _rotation(kp[KP_WRIST, 0] * w, kp[KP_WRIST, 1] * h, kp[KP_MIDDLE_MCP, 0] * w, kp[KP_MIDDLE_MCP, 1] * h)
        bw, bh = (box[2] - box[0]) * w, (box[3] - box[1]) * h
        cx, cy = (box[0] + box[2]) / 2 * w, (box[1] + box[3]) / 2 * h
        return _rect_to_roi(cx, cy, bw, bh, rot, PALM_SHIFT_Y, PALM_SCALE)

    def from_landmarks(self, out: LandmarkOutput, image_size_wh: tuple[int, int],
                       timestamp_s: float = 0.0) -> Roi | None:
        """The last landmarks -> next frame's ROI in pixels (None if they are not finite)."""
        roi = roi_from_landmarks(out.points_norm, image_size_wh)
        ok = all(math.isfinite(v) for v in (roi.centre_x_px, roi.centre_y_px, roi.size_px, roi.rotation_rad))
        return roi if ok and roi.size_px > 0 else None

    def object_scale_px(self, out: LandmarkOutput, image_size_wh: tuple[int, int]) -> float:
        """The hand's size for scale-free filtering: mean bounding-box side of the points."""
        w, h = image_size_wh
        xy = np.asarray(out.points_norm)[:, :2]
        span = xy.max(axis=0) - xy.min(axis=0)
        return float((span[0] * w + span[1] * h) / 2.0)



def roi_from_landmarks(points_norm: np.ndarray, image_size_wh: tuple[int, int]) -> Roi:
    """HandLandmarksToRectCalculator + RectTransformation(shift_y -0.1, square_long, x2.0)."""
    w, h = image_size_wh
    p = np.asarray(points_norm, np.float64)[ROI_SUBSET, :2]
    x0, y0 = p[0, 0] * w, p[0, 1] * h
    # Subset rows 4, 6, 8 are the index, middle and ring MCPs (landmarks 5, 9, 13).
    x1 = ((p[4, 0] + p[8, 0]) / 2 + p[6, 0]) / 2 * w
    y1 = ((p[4, 1] + p[8, 1]) / 2 + p[6, 1]) / 2 * h
    rot = _rotation(x0, y0, x1, y1)
    rev = normalize_radians(-rot)
    ax = (p[:, 0].max() + p[:, 0].min()) / 2
    ay = (p[:, 1].max() + p[:, 1].min()) / 2
    ox = (p[:, 0] - ax) * w
    oy = (p[:, 1] - ay) * h
    c, s = math.cos(rev), math.sin(rev)
    px = ox * c - oy * s
    py = ox * s + oy * c
    max_x, min_x = max(px.max(), _FLT_MIN), px.min()
    max_y, min_y = max(py.max(), _FLT_MIN), py.min()
    pcx, pcy = (max_x + min_x) / 2, (max_y + min_y) / 2
    cr, sr = math.cos(rot), math.sin(rot)
    cx = pcx * cr - pcy * sr + w * ax
    cy = pcx * sr + pcy * cr + h * ay
    return _rect_to_roi(cx, cy, max_x - min_x, max_y - min_y, rot, LANDMARK_SHIFT_Y, LANDMARK_SCALE)


class HandLandmarkModel:
    """Runs the hand landmark model on an ROI: ``run(rgb, roi)`` -> LandmarkOutput | None.

    The output's points_norm is (21, 3): x, y normalised to the frame, z on x's scale
    (wrist-relative depth, negative towards the camera). extras: "handedness_raw" — the
    model's probability of "Left" for a *mirrored* (selfie) image, as mediapipe reports it;
    "world" (21, 3) metres about the hand's centre, rotated into the image frame.
    """

    def __init__(self, model_name: str = "hand_landmark_full", threads: int = 2,
                 min_presence: float = PRESENCE_THRESHOLD, model: Model | None = None,
                 exact_resampling: bool = True):
        if model is None and model_name not in MODELS:
            raise ValueError(f"unknown hand landmark model {model_name!r}; choose one of {', '.join(MODELS)}")
        self.model = model or Model(model_name, threads=threads)
        self.min_presence = float(min_presence)
        # exact: the crop pixel for pixel as mediapipe's OpenCV 4 resamples it (pose.roi
        # .warp_crop, ~2 ms); otherwise one cv2.warpAffine (~0.1 ms, up to 2 grey levels off).
        self.exact_resampling = bool(exact_resampling)
        self.last_invoke_ms = 0.0
        self._in_buf = np.empty((1, INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.float32)
        self._crop = np.empty((INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.uint8)
        # Two outputs of each shape: mediapipe splits them by position (landmarks, flag,
        # handedness, world), so take them in the model's output order.
        shapes = self.model.output_shapes()
        points = [n for n, s in shapes.items() if s == (1, NUM_LANDMARKS * 3)]
        scalars = [n for n, s in shapes.items() if s == (1, 1)]
        if len(points) != 2 or len(scalars) != 2:
            raise ModelError(f"{self.model.name} model has unexpected outputs; run: dance models verify")
        self._lm_name, self._world_name = points
        self._flag_name, self._hand_name = scalars

    def crop(self, rgb: np.ndarray, roi: Roi) -> np.ndarray:
        """rgb (H, W, 3) uint8 -> the ROI's (224, 224, 3) uint8 crop (a reused buffer)."""
        if self.exact_resampling:
            return warp_crop(rgb, roi, INPUT_SIZE_PX, out=self._crop)
        import cv2

        return cv2.warpAffine(rgb, crop_matrix(roi, INPUT_SIZE_PX), (INPUT_SIZE_PX, INPUT_SIZE_PX),
                              dst=self._crop, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def preprocess(self, rgb: np.ndarray, roi: Roi) -> np.ndarray:
        """rgb (H, W, 3) uint8 -> (1, 224, 224, 3) float32 in [0, 1] (a reused buffer)."""
        np.multiply(self.crop(rgb, roi), np.float32(1.0 / 255.0), out=self._in_buf[0], casting="unsafe")
        return self._in_buf

    def forward(self, x: np.ndarray) -> float:
        """Invoke; returns the presence probability. Other outputs are read by postprocess."""
        self.model.set_input(x)
        t0 = time.perf_counter()
        self.model.invoke()
        self.last_invoke_ms = (time.perf_counter() - t0) * 1e3
        return float(self.model.output(self._flag_name).reshape(-1)[0])

    def postprocess(self, roi: Roi, image_size_wh: tuple[int, int], presence: float) -> LandmarkOutput:
        raw = self.model.output(self._lm_name).reshape(NUM_LANDMARKS, 3)
        crop = raw / np.float32(INPUT_SIZE_PX)
        crop[:, 2] /= np.float32(Z_NORM)
        points = project_to_image(crop, roi, image_size_wh)
        handed = float(self.model.output(self._hand_name).reshape(-1)[0])
        world = self.model.output(self._world_name).reshape(NUM_LANDMARKS, 3).astype(np.float32)
        c, s = math.cos(roi.rotation_rad), math.sin(roi.rotation_rad)
        wx = world[:, 0].copy()
        world[:, 0] = c * wx - s * world[:, 1]
        world[:, 1] = s * wx + c * world[:, 1]
        return LandmarkOutput(points, presence, roi, {"handedness_raw": handed, "world": world},
                              image_size_wh)

    def run(self, rgb: np.ndarray, roi: Roi) -> LandmarkOutput | None:
        """rgb (H, W, 3) uint8, roi in pixels -> the hand, or None if presence < min_presence."""
        h, w = rgb.shape[:2]
        crop = self.crop(rgb, roi)
        # Scaled straight into the interpreter's input: no staging buffer, no copy.
        self.model.fill_input(lambda x: np.multiply(crop, np.float32(1.0 / 255.0), out=x[0], casting="unsafe"))
        t0 = time.perf_counter()
        self.model.invoke()
        self.last_invoke_ms = (time.perf_counter() - t0) * 1e3
        presence = float(self.model.output(self._flag_name).reshape(-1)[0])
        if not presence >= self.min_presence:  # also catches NaN
            return None
        out = self.postprocess(roi, (w, h), presence)
        return out if np.isfinite(out.points_norm).all() else None
