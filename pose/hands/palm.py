"""Palm detector: mediapipe's ``palm_detection_full`` / ``_lite``, decoded as mediapipe does.

preprocess (letterbox warp to 192x192, zero border, [0, 1]) → forward → postprocess (decode
against 2016 SSD anchors, sigmoid scores, weighted NMS 0.3, letterbox removal). The numbers
are mediapipe 0.10.21's palm_detection_cpu graph (see shared/docs/blazepose.md); the SSD
decoding and NMS are the body detector's, with the palm's sizes.
"""
from __future__ import annotations

import numpy as np

from pose.detector import decode, generate_anchors, letterbox_matrix, weighted_nms
from pose.errors import ModelError
from pose.roi import box_points, box_to_square_matrix, perspective_maps
from pose.runtime import Model
from pose.tracking.types import Detection

INPUT_SIZE_PX = 192
NUM_ANCHORS = 2016
NUM_KEYPOINTS = 7
# Keypoints of a palm detection: 0 wrist centre, 1 index MCP, 2 middle MCP, 3 ring MCP,
# 4 pinky MCP, 5 thumb CMC, 6 thumb MCP. 0 -> 2 sets the hand's rotation.
KP_WRIST = 0
KP_MIDDLE_MCP = 2
# SsdAnchorsCalculator: num_layers 4, strides 8, 16, 16, 16 -> 24²·2 + 12²·6 = 2016 anchors.
STRIDES = (8, 16, 16, 16)
MIN_SCORE = 0.5
NMS_IOU = 0.3
MODELS = ("palm_detection_full", "palm_detection_lite")


class PalmDetector:
    """Finds palms in an RGB frame. ``detect(rgb)`` -> detections, best first.

    model_name: palm_detection_full (mediapipe's model_complexity=1) or palm_detection_lite.
    max_detections: keep at most this many after NMS (mediapipe clips to num_hands before
        the hand ROIs are associated with the tracked ones).
    """

    def __init__(self, model_name: str = "palm_detection_full", threads: int = 2,
                 min_score: float = MIN_SCORE, max_detections: int | None = 2, model: Model | None = None):
        if model is None and model_name not in MODELS:
            raise ValueError(f"unknown palm model {model_name!r}; choose one of {', '.join(MODELS)}")
        self.model = model or Model(model_name, threads=threads)
        self.min_score = float(min_score)
        self.max_detections = max_detections
        self.anchors = generate_anchors(INPUT_SIZE_PX, STRIDES)
        self._in_buf = np.empty((1, INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.float32)
        self._img = np.empty((INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.uint8)
        self._maps: tuple[np.ndarray, np.ndarray] | None = None
        self._maps_size: tuple[int, int] | None = None
        self._box_name = self._score_name = None
        for name, shape in self.model.output_shapes().items():
            if shape == (1, NUM_ANCHORS, 4 + 2 * NUM_KEYPOINTS):
                self._box_name = name
            elif shape == (1, NUM_ANCHORS, 1):
                self._score_name = name
        if self._box_name is None or self._score_name is None:
            raise ModelError(f"{self.model.name} model has unexpected outputs; run: dance models verify")

    def letterbox(self, rgb: np.ndarray) -> tuple[np.ndarray, float, float]:
        """rgb (H, W, 3) uint8 -> (192, 192, 3) uint8 letterboxed (a reused buffer), pad_x, pad_y."""
        import cv2

        h, w = rgb.shape[:2]
        _, pad_x, pad_y = letterbox_matrix(w, h, INPUT_SIZE_PX)
        # Pixel for pixel mediapipe's ImageToTensor on CPU (pose.roi.warp_mediapipe): the
        # palm model moves with a grey level. The maps depend only on the frame size.
        if self._maps_size != (w, h):
            side = float(max(w, h))
            box = box_points((w / 2.0, h / 2.0), (side, side), 0.0)
            self._maps = perspective_maps(box_to_square_matrix(box, INPUT_SIZE_PX, INPUT_SIZE_PX),
                                          INPUT_SIZE_PX, INPUT_SIZE_PX)
            self._maps_size = (w, h)
        cv2.remap(rgb, *self._maps, cv2.INTER_LINEAR, dst=self._img, borderMode=cv2.BORDER_CONSTANT,
                  borderValue=(0, 0, 0))
        return self._img, pad_x, pad_y

    def preprocess(self, rgb: np.ndarray) -> tuple[np.ndarray, float, float]:
        """rgb (H, W, 3) uint8 -> (1, 192, 192, 3) float32 in [0, 1] (a reused buffer), pad_x, pad_y."""
        img, pad_x, pad_y = self.letterbox(rgb)
        np.multiply(img, np.float32(1.0 / 255.0), out=self._in_buf[0], casting="unsafe")
        return self._in_buf, pad_x, pad_y

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(1, 192, 192, 3) -> raw boxes (2016, 18), raw score logits (2016,)."""
        self.model.set_input(x)
        self.model.invoke()
        return self.model.output(self._box_name)[0], self.model.output(self._score_name)[0, :, 0]

    def postprocess(self, raw_boxes: np.ndarray, raw_scores: np.ndarray, pad_x: float,
                    pad_y: float) -> list[Detection]:
        boxes, kps, scores = decode(raw_boxes, raw_scores, self.anchors, self.min_score,
                                    input_size_px=INPUT_SIZE_PX, num_keypoints=NUM_KEYPOINTS)
        found = weighted_nms(boxes, kps, scores, NMS_IOU)
        if self.max_detections is not None:
            found = found[: self.max_detections]
        sx, sy = 1.0 - 2.0 * pad_x, 1.0 - 2.0 * pad_y
        pad2 = np.array([pad_x, pad_y], np.float32)
        s2 = np.array([sx, sy], np.float32)
        dets = []
        for score, box, kp in found:
            box = (box - np.tile(pad2, 2)) / np.tile(s2, 2)  # letterbox removed
            kp = (kp - pad2) / s2
            if np.isfinite(box).all() and np.isfinite(kp).all():
                dets.append(Detection(score, box.astype(np.float32), kp.astype(np.float32)))
        return dets

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """rgb (H, W, 3) uint8 -> palm detections normalised to the frame, best first."""
        img, pad_x, pad_y = self.letterbox(rgb)
        # Scaled straight into the interpreter's input: no staging buffer, no copy.
        self.model.fill_input(lambda x: np.multiply(img, np.float32(1.0 / 255.0), out=x[0], casting="unsafe"))
        self.model.invoke()
        raw_boxes, raw_scores = self.model.output(self._box_name)[0], self.model.output(self._score_name)[0, :, 0]
        return self.postprocess(raw_boxes, raw_scores, pad_x, pad_y)
