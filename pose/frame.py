"""The one pose type every layer passes around: one person in one frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose.landmarks import NUM_LANDMARKS


@dataclass(frozen=True)
class Roi:
    """A rotated square region of interest in image pixels.

    centre_px: (x, y); size_px: side of the square; rotation_rad: counter-clockwise
    rotation that makes the body upright (mediapipe's convention).
    """

    centre_x_px: float
    centre_y_px: float
    size_px: float
    rotation_rad: float


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """One person's body pose in one camera frame.

    landmarks: (33, 4) float32 — x, y normalised to the frame [0, 1], z on the scale of x,
        visibility [0, 1]. Never NaN for a person who was found.
    world: (33, 3) float32 metres, hip-centred, rotated into the image frame; or None.
    presence: probability that a person is there, [0, 1].
    timestamp_s: time of the camera frame, seconds.
    image_size: (width, height) of the frame in pixels.
    roi: the crop the landmark model saw, or None.
    mask: (H, W) float32 person probability at frame resolution, or None (on request only).
    """

    landmarks: np.ndarray
    world: np.ndarray | None
    presence: float
    timestamp_s: float
    image_size: tuple[int, int]
    roi: Roi | None = None
    mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        lm = np.asarray(self.landmarks, dtype=np.float32)
        if lm.shape != (NUM_LANDMARKS, 4):
            raise ValueError(f"landmarks must be (33, 4), got {lm.shape}")
        object.__setattr__(self, "landmarks", lm)
        if self.world is not None:
            w = np.asarray(self.world, dtype=np.float32)
            if w.shape != (NUM_LANDMARKS, 3):
                raise ValueError(f"world must be (33, 3), got {w.shape}")
            object.__setattr__(self, "world", w)

    @property
    def xy(self) -> np.ndarray:
        """(33, 2) normalised image coordinates."""
        return self.landmarks[:, :2]

    @property
    def visibility(self) -> np.ndarray:
        """(33,) visibility in [0, 1]."""
        return self.landmarks[:, 3]

    def xy_px(self) -> np.ndarray:
        """(33, 2) image coordinates in pixels."""
        w, h = self.image_size
        return self.landmarks[:, :2] * np.array([w, h], dtype=np.float32)
