"""The face pipeline's one result type: one face in one camera frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose.face.mesh import NUM_FACE_LANDMARKS
from pose.face.signals import FaceSignals
from pose.frame import Roi


@dataclass(frozen=True, eq=False)
class FaceResult:
    """One face (or nobody) in one frame.

    landmarks: (468, 3) float32: x, y normalised to the frame [0, 1], z on x's scale
        (negative towards the camera); mediapipe's face-mesh order. Never NaN for a found
        face; all NaN in ``empty()``.
    score: the mesh's face-presence probability [0, 1] (0 when none).
    roi: the crop the mesh saw (None when none).
    signals: head angles and expression values (FaceSignals), None when none.
    timestamp_s: time of the camera frame; image_size: (width, height) in pixels.
    track_id: stable while the face stays tracked (-1 when none).
    """

    landmarks: np.ndarray
    score: float
    roi: Roi | None
    signals: FaceSignals | None
    timestamp_s: float
    image_size: tuple[int, int]
    track_id: int = -1

    def __post_init__(self) -> None:
        lm = np.asarray(self.landmarks, dtype=np.float32)
        if lm.shape != (NUM_FACE_LANDMARKS, 3):
            raise ValueError(f"landmarks must be (468, 3), got {lm.shape}")
        object.__setattr__(self, "landmarks", lm)
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "timestamp_s", float(self.timestamp_s))
        if len(self.image_size) != 2:
            raise ValueError(f"image_size must be (width, height), got {self.image_size!r}")
        object.__setattr__(self, "image_size", (int(self.image_size[0]), int(self.image_size[1])))
        # One reduction decides the common case: a finite sum means every point is finite.
        all_finite = bool(np.isfinite(lm.sum()))
        if not all_finite and not np.isnan(lm).all():
            raise ValueError("landmarks of a found face must all be finite")
        if all_finite != (self.signals is not None):
            raise ValueError("a found face has signals; an empty result has none")

    @classmethod
    def empty(cls, timestamp_s: float, image_size: tuple[int, int]) -> "FaceResult":
        """No face: NaN landmarks, score 0, no ROI, no signals (``found`` is False)."""
        return cls(np.full((NUM_FACE_LANDMARKS, 3), np.nan, np.float32), 0.0, None, None,
                   timestamp_s, image_size)

    @property
    def found(self) -> bool:
        return self.signals is not None

    def xy_px(self) -> np.ndarray:
        """(468, 2) image coordinates in pixels."""
        w, h = self.image_size
        return self.landmarks[:, :2] * np.array([w, h], dtype=np.float32)
