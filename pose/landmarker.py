"""Body landmarks: BlazePose ``pose_landmark_full`` on a rotated 256x256 crop.

preprocess (one warp of the ROI resampled as mediapipe resamples it, BORDER_REPLICATE, [0, 1]) → forward → postprocess
(39 landmarks, heatmap refinement (9x9), projection back to the frame, world landmarks rotated
into the image frame, optional segmentation mask warped back to the frame).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from pose.errors import ModelError
from pose.frame import Roi
from pose import rect32
from pose.roi import crop_matrix, warp_crop
from pose.runtime import Model

INPUT_SIZE_PX = 256
NUM_OUTPUT_LANDMARKS = 39  # 33 body + 2 auxiliary (ROI alignment) + 4 unused
NUM_BODY = 33
AUX = slice(33, 35)
HEATMAP_SIZE = 64
# The graph text says kernel_size 7, but mediapipe 0.10.21's output is reproduced exactly
# (0.000 px on identical model output) only with 9, the option's default; 7 leaves up to 2 px.
REFINE_KERNEL = 9
REFINE_MIN_CONFIDENCE = 0.5
POSE_FLAG_THRESHOLD = 0.5

# Output tensors by shape (names can change between model conversions; shapes cannot).
_OUT_SHAPES = {
    "landmarks": (1, NUM_OUTPUT_LANDMARKS * 5),
    "flag": (1, 1),
    "mask": (1, INPUT_SIZE_PX, INPUT_SIZE_PX, 1),
    "heatmap": (1, HEATMAP_SIZE, HEATMAP_SIZE, NUM_OUTPUT_LANDMARKS),
    "world": (1, NUM_OUTPUT_LANDMARKS * 3),
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp(-x) → inf for very negative logits gives 0, as it should
        return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True, eq=False)
class LandmarkResult:
    """One landmark-model pass, projected to the frame.

    landmarks: (33, 4) float32 x, y normalised to the frame, z (x scale), visibility.
    presence: (33,) float32 per-landmark presence probability.
    aux: (2, 3) float32 auxiliary alignment points 33 (centre), 34 (scale), frame-normalised.
    world: (33, 3) float32 metres, hip-centred, rotated into the image frame.
    pose_flag: probability a person is in the crop. roi: the crop used.
    mask: (H, W) float32 person probability at frame size, or None.
    """

    landmarks: np.ndarray
    presence: np.ndarray
    aux: np.ndarray
    world: np.ndarray
    pose_flag: float
    roi: Roi
    mask: np.ndarray | None = None


def refine_from_heatmap(xy_crop_norm: np.ndarray, heatmap_logits: np.ndarray,
                        kernel: int = REFINE_KERNEL, min_confidence: float = REFINE_MIN_CONFIDENCE) -> np.ndarray:
    """Mediapipe's RefineLandmarksFromHeatmap, vectorised over landmarks, in its float32
    arithmetic and summation order.

    xy_crop_norm (N, 2) in crop-normalised units; heatmap_logits (64, 64, N) logits.
    Around (int(x·64), int(y·64)) take the part of a kernel² window inside the heatmap;
    where the max of sigmoid(heatmap) there ≥ min_confidence, the point becomes the
    confidence-weighted mean of the window's column/row indices / 64. Points whose cell is
    outside the heatmap stay as they are. Returns a refined (N, 2) copy.
    """
    hm_h, hm_w, n = heatmap_logits.shape
    xy = np.array(xy_crop_norm, dtype=np.float32, copy=True)
    # C++ int() truncates toward zero: a point just left of 0 still maps to column 0.
    col = np.trunc(xy[:, 0] * np.float32(hm_w)).astype(np.int64)
    row = np.trunc(xy[:, 1] * np.float32(hm_h)).astype(np.int64)
    inside = (col >= 0) & (col < hm_w) & (row >= 0) & (row < hm_h)
    offsets = np.arange(kernel) - (kernel - 1) // 2
    rows = row[:, None] + offsets[None, :]  # (N, k)
    cols = col[:, None] + offsets[None, :]
    rv = (rows >= 0) & (rows < hm_h)
    cv = (cols >= 0) & (cols < hm_w)
    valid = (rv[:, :, None] & cv[:, None, :]).reshape(n, -1)  # (N, k*k), row-major as mediapipe loops
    ch = np.arange(n)[:, None, None]
    vals = heatmap_logits[np.clip(rows, 0, hm_h - 1)[:, :, None], np.clip(cols, 0, hm_w - 1)[:, None, :], ch]
    conf = np.where(valid, rect32.sigmoid(vals.reshape(n, -1)), np.float32(0))
    rr = np.broadcast_to(rows[:, :, None], (n, kernel, kernel)).reshape(n, -1).astype(np.float32)
    cc = np.broadcast_to(cols[:, None, :], (n, kernel, kernel)).reshape(n, -1).astype(np.float32)
    # Running float32 sums in loop order (cumsum adds one term at a time; skipped cells
    # add 0, which changes nothing).
    total = np.cumsum(conf, axis=1, dtype=np.float32)[:, -1]
    wcol = np.cumsum(cc * conf, axis=1, dtype=np.float32)[:, -1]
    wrow = np.cumsum(rr * conf, axis=1, dtype=np.float32)[:, -1]
    max_conf = conf.max(axis=1)
    ok = inside & (max_conf >= np.float32(min_confidence)) & (total > 0)
    safe = np.where(total > 0, total, np.float32(1))
    xy[:, 0] = np.where(ok, wcol / np.float32(hm_w) / safe, xy[:, 0])
    xy[:, 1] = np.where(ok, wrow / np.float32(hm_h) / safe, xy[:, 1])
    return xy


class PoseLandmarker:
    """Runs the landmark model on an ROI. ``run(rgb, roi)`` -> LandmarkResult or None.

    segmentation: also compute the person mask; without it the model runs landmarks-only.
    """

    def __init__(self, threads: int = 2, segmentation: bool = False, model: Model | None = None,
                 precision: str | None = None):
        self.segmentation = bool(segmentation)
        # Without segmentation the mask branch is cut from the graph: a tenth of the MACs
        # and, at 256x256, about a third of the invoke time; the other outputs are unchanged.
        drop = frozenset() if self.segmentation else frozenset({_OUT_SHAPES["mask"]})
        self.model = model or Model("pose_landmark_full", threads=threads, precision=precision,
                                    drop_output_shapes=drop)
        self.last_invoke_ms = 0.0
        self._in_buf = np.empty((1, INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.float32)
        self._crop = np.empty((INPUT_SIZE_PX, INPUT_SIZE_PX, 3), np.uint8)
        self._out: dict[str, str] = {}  # role -> output tensor name, matched by shape
        for name, shape in self.model.output_shapes().items():
            for key, want in _OUT_SHAPES.items():
                if shape == want:
                    self._out[key] = name
        # A landmarks-only graph (the mask branch cut off) serves a pipeline without segmentation.
        missing = set(_OUT_SHAPES) - set(self._out) - (set() if self.segmentation else {"mask"})
        if missing:
            raise ModelError(f"pose_landmark_full model lacks outputs {sorted(missing)}; run: dance models verify")

    def preprocess(self, rgb: np.ndarray, roi: Roi) -> np.ndarray:
        """rgb (H, W, 3) uint8 -> (1, 256, 256, 3) float32 in [0, 1] (a reused buffer)."""
        crop = warp_crop(rgb, roi, INPUT_SIZE_PX, out=self._crop)
        np.multiply(crop, np.float32(1.0 / 255.0), out=self._in_buf[0], casting="unsafe")
        return self._in_buf

    def forward(self, x: np.ndarray) -> float:
        """Invoke; returns the pose flag. Other outputs are read lazily by postprocess."""
        self.model.set_input(x)
        t0 = time.perf_counter()
        self.model.invoke()
        self.last_invoke_ms = (time.perf_counter() - t0) * 1e3
        return float(self.model.output(self._out["flag"]).reshape(-1)[0])

    def invoke_only(self) -> None:
        """Invoke on the current input, for measuring the bare model time."""
        self.model.invoke()

    def postprocess(self, roi: Roi, image_size: tuple[int, int], pose_flag: float) -> LandmarkResult:
        out = self.model.output
        raw = out(self._out["landmarks"]).reshape(NUM_OUTPUT_LANDMARKS, 5)  # (1, 195) -> (39, 5)
        lm = raw[:, :3] / np.float32(INPUT_SIZE_PX)  # crop-normalised x, y, z
        heatmap = out(self._out["heatmap"])[0]  # (64, 64, 39) logits
        lm[:, :2] = refine_from_heatmap(lm[:, :2], heatmap)
        vis = rect32.sigmoid(raw[:NUM_BODY, 3])  # TensorsToLandmarks' float32 sigmoid
        presence = rect32.sigmoid(raw[:NUM_BODY, 4])
        # Letterbox removal and projection through the ROI's rect, and the world rotation,
        # in mediapipe's float32 arithmetic: the next ROI comes from these aux points.
        rect = rect32.rect_from_roi(roi, image_size)
        projected = rect32.project_landmarks(lm[:35], rect, rect32.letterbox_padding(rect, image_size))  # (35, 3)
        landmarks = np.empty((NUM_BODY, 4), np.float32)
        landmarks[:, :3] = projected[:NUM_BODY]
        landmarks[:, 3] = vis
        world_raw = out(self._out["world"]).reshape(NUM_OUTPUT_LANDMARKS, 3)[:NUM_BODY]
        world = rect32.rotate_world(world_raw, rect.rotation_rad)
        mask = self._mask(roi, image_size) if self.segmentation else None
        return LandmarkResult(landmarks, presence.astype(np.float32), projected[AUX].copy(), world,
                              pose_flag, roi, mask)

    def _mask(self, roi: Roi, image_size: tuple[int, int]) -> np.ndarray:
        """Segmentation logits (256, 256) -> probability at frame size, zero outside the ROI."""
        import cv2

        logits = self.model.output(self._out["mask"])[0, :, :, 0]
        prob = _sigmoid(logits).astype(np.float32)
        m = crop_matrix(roi, INPUT_SIZE_PX)
        return cv2.warpAffine(prob, m, image_size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    def run(self, rgb: np.ndarray, roi: Roi, min_flag: float = POSE_FLAG_THRESHOLD) -> LandmarkResult | None:
        """rgb (H, W, 3) uint8, roi in pixels -> landmarks, or None if the pose flag < min_flag."""
        h, w = rgb.shape[:2]
        x = self.preprocess(rgb, roi)
        flag = self.forward(x)
        if not flag >= min_flag:  # also catches NaN
            return None
        return self.postprocess(roi, (w, h), flag)
