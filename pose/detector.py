"""SSD detectors decoded the way mediapipe does: the person detector (BlazePose's
``pose_detection``) and, through ``SsdSpec``, any other mediapipe SSD model (faces, palms).

preprocess (letterbox warp to the square input, value range) → forward → postprocess
(decode against generated SSD anchors, sigmoid scores, weighted NMS, letterbox removal).
The numbers come from mediapipe 0.10.21's *_detection graphs (see shared/docs/blazepose.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose.rect32 import sigmoid
from pose.roi import box_points, box_to_square_matrix, perspective_maps
from pose.runtime import Model
from pose.tracking.types import Detection  # the generic tracker's type; keypoints (4, 2) here

INPUT_SIZE_PX = 224
NUM_ANCHORS = 2254
NUM_KEYPOINTS = 4
# Keypoints of a detection: 0 mid-hip (ROI centre), 1 full-body size/rotation point,
# 2 mid-shoulder, 3 upper-body size/rotation point.
KP_HIP = 0
KP_BODY_SCALE = 1

# SsdAnchorsCalculator options of pose_detection_cpu.
_STRIDES = (8, 16, 32, 32, 32)
_MIN_SCALE = 0.1484375
_MAX_SCALE = 0.75
_ANCHOR_OFFSET = 0.5
SCORE_CLIP = 100.0
NMS_IOU = 0.3


def generate_anchors(input_size_px: int = INPUT_SIZE_PX, strides: tuple[int, ...] = _STRIDES,
                     interpolated: bool = True) -> np.ndarray:
    """SSD anchor centres, (N, 2) float32 (x, y) normalised; widths are all 1 (fixed size).

    Mediapipe's generator: consecutive layers with the same stride share one feature map;
    each layer contributes 1 anchor for aspect ratio 1.0, plus 1 interpolated-scale anchor
    when ``interpolated`` (interpolated_scale_aspect_ratio > 0), so a cell gets 2 (or 1)
    anchors per merged layer. Order: y, x, anchor.
    """
    anchors: list[np.ndarray] = []
    layer = 0
    n_layers = len(strides)
    while layer < n_layers:
        last = layer
        per_cell = 0
        while last < n_layers and strides[last] == strides[layer]:
            per_cell += 2 if interpolated else 1  # aspect 1.0 (+ the interpolated scale)
            last += 1
        fm = int(np.ceil(input_size_px / strides[layer]))
        ys, xs = np.meshgrid(np.arange(fm, dtype=np.float32), np.arange(fm, dtype=np.float32), indexing="ij")
        # (x + offset) * 1.0f / fm, in float32 as SsdAnchorsCalculator computes it.
        off, n = np.float32(_ANCHOR_OFFSET), np.float32(fm)
        centres = np.stack([(xs + off) / n, (ys + off) / n], axis=-1)
        anchors.append(np.repeat(centres.reshape(-1, 2), per_cell, axis=0))
        layer = last
    return np.concatenate(anchors).astype(np.float32)


def letterbox_matrix(width_px: int, height_px: int, size_px: int = INPUT_SIZE_PX) -> tuple[np.ndarray, float, float]:
    """Affine (2, 3) frame→tensor map that fits the frame in a square with even padding.

    Returns (matrix, pad_x, pad_y) with pads as fractions of the square on each side.
    Mediapipe grows the whole-frame ROI to a square around the frame centre and warps it,
    which is exactly a uniform scale plus a shift.
    """
    side = float(max(width_px, height_px))
    k = size_px / side
    left = width_px / 2.0 - side / 2.0
    top = height_px / 2.0 - side / 2.0
    m = np.array([[k, 0.0, -k * left], [0.0, k, -k * top]], dtype=np.float64)
    # The pads as ImageToTensor's PadRoi computes them, in float32 (e.g. 1 / (1920 / 1080)
    # is not 0.5625 in float32): the detections are un-letterboxed with these very values.
    f = np.float32
    one, two = f(1), f(2)
    aspect = f(height_px) / f(width_px)
    if one > aspect:
        pad_x, pad_y = 0.0, float((one - aspect / one) / two)
    else:
        pad_x, pad_y = float((one - one / aspect) / two), 0.0
    return m, pad_x, pad_y


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, anchors: np.ndarray,
           min_score: float, input_size_px: int = INPUT_SIZE_PX,
           num_keypoints: int = NUM_KEYPOINTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode model output above ``min_score``.

    raw_boxes (N, 4 + 2K) XYWH then K keypoints (mediapipe's reverse_output_order), in
    input pixels; raw_scores (N,) logits; anchors (N, 2) -> boxes (M, 4) xmin ymin xmax ymax,
    keypoints (M, K, 2), scores (M,), all in letterboxed-tensor normalised coordinates.
    """
    # TensorsToDetections: clip, then 1.0f / (1.0f + expf(-s)) in float32 (exp(100) is inf
    # in float32 and the score then 0, as there).
    clip = np.float32(SCORE_CLIP)
    scores = sigmoid(np.clip(np.asarray(raw_scores, np.float32), -clip, clip))
    keep = np.flatnonzero(scores >= np.float32(min_score))
    if keep.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros((0, num_keypoints, 2), np.float32), np.zeros(0, np.float32)
    r = raw_boxes[keep] / float(input_size_px)
    a = anchors[keep]
    cx = r[:, 0] + a[:, 0]
    cy = r[:, 1] + a[:, 1]
    w = r[:, 2]
    h = r[:, 3]
    two = np.float32(2)
    boxes = np.stack([cx - w / two, cy - h / two, cx + w / two, cy + h / two], axis=1)
    kps = r[:, 4:4 + 2 * num_keypoints].reshape(-1, num_keypoints, 2) + a[:, None, :]
    return boxes.astype(np.float32), kps.astype(np.float32), scores[keep].astype(np.float32)


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one box (4,) against boxes (K, 4); 0 where the union is empty."""
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def weighted_nms(boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray,
                 iou_threshold: float = NMS_IOU) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """Mediapipe's WEIGHTED non-max suppression, in its float32 arithmetic.

    Take the best remaining box; every remaining box overlapping it by IoU > threshold
    (itself included) joins its cluster; the cluster's boxes and keypoints are averaged
    weighted by score, and the cluster keeps the top score. Best first. The sums run in
    float32 in score order, as NonMaxSuppressionCalculator adds them (the detection ROI
    comes from these keypoints, and the tracking loop amplifies rounding differences).
    """
    f = np.float32
    boxes = np.asarray(boxes, f)
    keypoints = np.asarray(keypoints, f)
    scores = np.asarray(scores, f)
    # A Detection holds xmin, ymin, width, height.
    xmin, ymin = boxes[:, 0], boxes[:, 1]
    width, height = boxes[:, 2] - xmin, boxes[:, 3] - ymin
    order = np.argsort(-scores, kind="stable")
    out: list[tuple[float, np.ndarray, np.ndarray]] = []
    while order.size:
        top = order[0]
        iou = _iou(boxes[top], boxes[order])
        members = order[iou > iou_threshold]
        if members.size == 0:  # a degenerate box does not even overlap itself
            members = order[:1]
        wts = scores[members]
        total = np.cumsum(wts, dtype=f)[-1]  # running float32 sums, in score order

        def wsum(v: np.ndarray) -> np.ndarray:
            return np.cumsum(v * (wts.reshape((-1,) + (1,) * (v.ndim - 1))), axis=0, dtype=f)[-1] / total

        bx0, by0 = wsum(xmin[members]), wsum(ymin[members])
        bx1, by1 = wsum(xmin[members] + width[members]), wsum(ymin[members] + height[members])
        # Stored as xmin, ymin, width, height and read back as corners.
        box = np.array([bx0, by0, bx0 + (bx1 - bx0), by0 + (by1 - by0)], f)
        kps = wsum(keypoints[members]).astype(f)
        out.append((float(scores[top]), box, kps))
        order = order[~np.isin(order, members)]
    return out


@dataclass(frozen=True)
class SsdSpec:
    """One mediapipe SSD detector: its model and its graph's decoding options.

    input_size_px: the square input side; strides / interpolated: SsdAnchorsCalculator's
    layers and whether interpolated_scale_aspect_ratio > 0; num_keypoints per detection;
    min_score: TensorsToDetections' min_score_thresh; value_range: the input tensor range.
    """

    model: str
    input_size_px: int
    strides: tuple[int, ...]
    interpolated: bool
    num_keypoints: int
    min_score: float
    value_range: tuple[float, float] = (-1.0, 1.0)

    def anchors(self) -> np.ndarray:
        return generate_anchors(self.input_size_px, self.strides, self.interpolated)


POSE_SPEC = SsdSpec("pose_detection", INPUT_SIZE_PX, _STRIDES, True, NUM_KEYPOINTS, 0.5)


class SsdDetector:
    """Finds objects in an RGB frame with one SSD model. ``detect(rgb)`` -> detections, best first."""

    def __init__(self, spec: SsdSpec, threads: int = 2, min_score: float | None = None,
                 model: Model | None = None, precision: str | None = None):
        self.spec = spec
        self.model = model or Model(spec.model, threads=threads, precision=precision)
        self.min_score = float(spec.min_score if min_score is None else min_score)
        self.anchors = spec.anchors()
        n, size = len(self.anchors), spec.input_size_px
        self._in_buf = np.empty((1, size, size, 3), np.float32)
        lo, hi = spec.value_range
        # Pixel value -> input, as mediapipe's OpenCV 4 convertTo computes it on x86-64
        # (AVX2: one fused multiply-add of the float32 scale and offset, rounded once).
        f = np.float32
        scale = f(f(hi - lo) / f(255))
        offset = f(f(lo) - f(0) * scale)
        self._lut = (np.arange(256, dtype=np.float64) * float(scale) + float(offset)).astype(np.float32).reshape(1, 256)
        self._maps_size: tuple[int, int] | None = None
        self._maps: tuple[np.ndarray, np.ndarray] | None = None
        # Match outputs by shape, never by position: (1, N, 4 + 2K) boxes, (1, N, 1) scores.
        self._box_name = self._score_name = None
        for name, shape in self.model.output_shapes().items():
            if shape == (1, n, 4 + 2 * spec.num_keypoints):
                self._box_name = name
            elif shape == (1, n, 1):
                self._score_name = name
        if self._box_name is None or self._score_name is None:
            from pose.errors import ModelError
            raise ModelError(f"{spec.model} model has unexpected outputs; run: dance models verify")

    def preprocess(self, rgb: np.ndarray) -> tuple[np.ndarray, float, float]:
        """rgb (H, W, 3) uint8 -> (1, n, n, 3) float32 in the spec's range, pad_x, pad_y."""
        import cv2

        h, w = rgb.shape[:2]
        size = self.spec.input_size_px
        _, pad_x, pad_y = letterbox_matrix(w, h, size)
        # Bilinear warp with a zero (black) border, pixel for pixel mediapipe's ImageToTensor
        # on CPU (pose.roi.warp_mediapipe); the maps depend only on the frame size.
        if self._maps_size != (w, h):
            side = float(max(w, h))
            box = box_points((w / 2.0, h / 2.0), (side, side), 0.0)
            self._maps = perspective_maps(box_to_square_matrix(box, size, size), size, size)
            self._maps_size = (w, h)
        img = cv2.remap(rgb, *self._maps, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
        cv2.LUT(img, self._lut, dst=self._in_buf[0])
        return self._in_buf, pad_x, pad_y

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(1, n, n, 3) -> raw boxes (N, 4 + 2K), raw score logits (N,)."""
        self.model.set_input(x)
        self.model.invoke()
        return self.model.output(self._box_name)[0], self.model.output(self._score_name)[0, :, 0]

    def postprocess(self, raw_boxes: np.ndarray, raw_scores: np.ndarray, pad_x: float,
                    pad_y: float) -> list[Detection]:
        boxes, kps, scores = decode(raw_boxes, raw_scores, self.anchors, self.min_score,
                                    self.spec.input_size_px, self.spec.num_keypoints)
        dets = []
        # DetectionLetterboxRemoval in float32: (v - left) / (1 - (left + right)).
        f = np.float32
        sx = float(f(1) - (f(pad_x) + f(pad_x)))
        sy = float(f(1) - (f(pad_y) + f(pad_y)))
        for score, box, kp in weighted_nms(boxes, kps, scores):
            # Remove the letterbox: map tensor-normalised coords back to the frame.
            box = (box - np.array([pad_x, pad_y, pad_x, pad_y], np.float32)) / np.array([sx, sy, sx, sy], np.float32)
            kp = (kp - np.array([pad_x, pad_y], np.float32)) / np.array([sx, sy], np.float32)
            dets.append(Detection(score, box.astype(np.float32), kp.astype(np.float32)))
        return dets

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """rgb (H, W, 3) uint8 -> detections normalised to the frame, best first."""
        x, pad_x, pad_y = self.preprocess(rgb)
        raw_boxes, raw_scores = self.forward(x)
        return self.postprocess(raw_boxes, raw_scores, pad_x, pad_y)


class PoseDetector(SsdDetector):
    """Finds people in an RGB frame. ``detect(rgb)`` -> detections, best first."""

    def __init__(self, threads: int = 2, min_score: float = 0.5, model: Model | None = None,
                 precision: str | None = None):
        super().__init__(POSE_SPEC, threads=threads, min_score=min_score, model=model, precision=precision)
