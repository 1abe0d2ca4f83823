"""The one pose type every layer passes around: one person in one frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose.landmarks import NUM_LANDMARKS


@dataclass(frozen=True)
class NormRect:
    """Mediapipe's NormalizedRect: a rotated rectangle in frame-normalised units.

    x_center, y_center: centre / (w, h); width, height: sides / (w, h) (a square ROI has
    width·w == height·h); rotation_rad: as Roi. Every field holds a float32 value: the
    float32 arithmetic of pose.rect32 starts and ends here.
    """

    x_center: float
    y_center: float
    width: float
    height: float
    rotation_rad: float


@dataclass(frozen=True)
class Roi:
    """A rotated square region of interest in image pixels.

    centre_px: (x, y); size_px: side of the square; rotation_rad: counter-clockwise
    rotation that makes the body upright (mediapipe's convention).
    rect: the NormRect this crop was taken for, when it came from one (the landmark model
    then projects its points through the rect in mediapipe's float32 arithmetic).
    """

    centre_x_px: float
    centre_y_px: float
    size_px: float
    rotation_rad: float
    rect: NormRect | None = None


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
        if self.mask is not None:
            m = np.asarray(self.mask)
            if m.ndim != 2:
                raise ValueError(f"mask must be (H, W), got {m.shape}")
        if len(self.image_size) != 2:
            raise ValueError(f"image_size must be (width, height), got {self.image_size!r}")

    @classmethod
    def empty(cls, timestamp_s: float, image_size: tuple[int, int]) -> "PoseFrame":
        """Nobody: NaN landmarks and world, presence 0 (``found`` is False)."""
        return cls(np.full((NUM_LANDMARKS, 4), np.nan, np.float32), np.full((NUM_LANDMARKS, 3), np.nan, np.float32),
                   0.0, float(timestamp_s), image_size)

    @property
    def found(self) -> bool:
        """A person is in this frame (False only for ``empty()``)."""
        return bool(np.isfinite(self.landmarks[0, 0]))

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


@dataclass(frozen=True, eq=False)
class Bodies:
    """Every tracked person in one camera frame (the multi-person form of PoseFrame).

    people: one PoseFrame per person, oldest track first; track_ids: (len(people),) ints,
    stable while a person stays tracked; timestamp_s; image_size (width, height).
    """

    people: tuple[PoseFrame, ...]
    track_ids: tuple[int, ...]
    timestamp_s: float
    image_size: tuple[int, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "people", tuple(self.people))
        object.__setattr__(self, "track_ids", tuple(int(i) for i in self.track_ids))
        if len(self.people) != len(self.track_ids):
            raise ValueError(f"{len(self.people)} people but {len(self.track_ids)} track ids")
        if len(set(self.track_ids)) != len(self.track_ids):
            raise ValueError(f"track ids must be distinct, got {self.track_ids}")
        if not all(isinstance(p, PoseFrame) and p.found for p in self.people):
            raise ValueError("people must be found PoseFrames")

    @classmethod
    def empty(cls, timestamp_s: float, image_size: tuple[int, int]) -> "Bodies":
        """Nobody in the frame."""
        return cls((), (), float(timestamp_s), image_size)

    def __len__(self) -> int:
        return len(self.people)

    def by_id(self, track_id: int) -> PoseFrame | None:
        """The person with this track id, or None if not in this frame."""
        for tid, p in zip(self.track_ids, self.people):
            if tid == track_id:
                return p
        return None
