"""SegmentationResult: the person mask of one camera frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class SegmentationResult:
    """Where the person is in one camera frame.

    mask: (h, w) float32 person probability in [0, 1] covering the whole frame. Its size
        is the segmenter's choice (the frame's own size by default, or smaller to save
        time); the helpers in ``pose.segmentation.compose`` scale it to what they draw.
    timestamp_s: time of the camera frame, seconds.
    image_size: (width, height) of the frame in pixels.
    """

    mask: np.ndarray
    timestamp_s: float
    image_size: tuple[int, int]

    def __post_init__(self) -> None:
        m = np.asarray(self.mask)
        if m.ndim != 2 or m.shape[0] < 1 or m.shape[1] < 1:
            raise ValueError(f"mask must be (h, w) with h, w >= 1, got shape {m.shape}")
        if m.dtype != np.float32:
            m = m.astype(np.float32)
        object.__setattr__(self, "mask", m)
        w, h = (int(v) for v in self.image_size)
        if w < 1 or h < 1:
            raise ValueError(f"image_size must be (width, height) >= 1, got {self.image_size}")
        object.__setattr__(self, "image_size", (w, h))
        object.__setattr__(self, "timestamp_s", float(self.timestamp_s))

    @classmethod
    def empty(cls, image_size: tuple[int, int], timestamp_s: float = 0.0,
              mask_hw: tuple[int, int] | None = None) -> "SegmentationResult":
        """Nobody: an all-zero mask of ``mask_hw`` (default: the frame's own (h, w))."""
        w, h = image_size
        return cls(np.zeros(mask_hw or (h, w), np.float32), timestamp_s, (w, h))

    @property
    def mask_size(self) -> tuple[int, int]:
        """(width, height) of the mask."""
        return self.mask.shape[1], self.mask.shape[0]

    @property
    def found(self) -> bool:
        """Somebody is there: some pixel's person probability is above 0.5."""
        return bool((self.mask > 0.5).any())

    @property
    def person_fraction(self) -> float:
        """Share of the frame the person covers (mask > 0.5), 0..1; 0 for nobody."""
        return float(np.count_nonzero(self.mask > 0.5)) / self.mask.size

    def mask_at(self, size_wh: tuple[int, int]) -> np.ndarray:
        """The mask bilinearly scaled to ``size_wh`` = (width, height): (height, width) float32."""
        import cv2

        w, h = int(size_wh[0]), int(size_wh[1])
        if (w, h) == self.mask_size:
            return self.mask
        return cv2.resize(self.mask, (w, h), interpolation=cv2.INTER_LINEAR)

    def to_uint8(self) -> np.ndarray:
        """(h, w) uint8: probability x 255, rounded (the track file's encoding)."""
        import cv2

        return cv2.convertScaleAbs(self.mask, alpha=255.0)
