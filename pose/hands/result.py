"""The hands pipeline's result type: up to two hands in one frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose.frame import Roi

MAX_HANDS = 2
NUM_LANDMARKS = 21
LEFT, RIGHT, NO_HAND = 0, 1, -1
HANDEDNESS_NAMES = {LEFT: "left", RIGHT: "right"}


@dataclass(frozen=True, eq=False)
class Hand:
    """One hand in one frame.

    landmarks_norm: (21, 3) float32 x, y normalised to the frame, z on x's scale (depth
        relative to the wrist, negative towards the camera). Never NaN.
    handedness: LEFT (0) or RIGHT (1), the person's own hand, whatever the mirroring.
    handedness_score: probability of that handedness, [0.5, 1].
    score: the landmark model's hand-presence probability, [0, 1].
    roi: the crop the landmark model saw (pixels).
    gesture: the debounced gesture ("None" until one has held), one of gestures.GESTURES.
    gesture_raw: this frame's classification alone (what a track file records).
    track_id: stable while the hand stays tracked.
    world_m: (21, 3) float32 metres about the hand's centre, or None.
    """

    landmarks_norm: np.ndarray
    handedness: int
    handedness_score: float
    score: float
    roi: Roi
    gesture: str = "None"
    gesture_raw: str = "None"
    track_id: int = 0
    world_m: np.ndarray | None = None

    def __post_init__(self) -> None:
        lm = np.asarray(self.landmarks_norm, dtype=np.float32)
        if lm.shape != (NUM_LANDMARKS, 3):
            raise ValueError(f"landmarks_norm must be (21, 3), got {lm.shape}")
        if not np.isfinite(lm).all():
            raise ValueError("landmarks_norm of a found hand must be finite")
        object.__setattr__(self, "landmarks_norm", lm)
        if self.handedness not in (LEFT, RIGHT):
            raise ValueError(f"handedness must be 0 (left) or 1 (right), got {self.handedness}")
        if self.world_m is not None:
            w = np.asarray(self.world_m, dtype=np.float32)
            if w.shape != (NUM_LANDMARKS, 3):
                raise ValueError(f"world_m must be (21, 3), got {w.shape}")
            object.__setattr__(self, "world_m", w)

    @property
    def is_left(self) -> bool:
        return self.handedness == LEFT


@dataclass(frozen=True, eq=False)
class HandsResult:
    """The hands found in one camera frame (at most two), oldest track first.

    hands: tuple of Hand, len <= 2. timestamp_s: the frame's time. image_size: (w, h) px.
    """

    hands: tuple[Hand, ...]
    timestamp_s: float = 0.0
    image_size: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        hands = tuple(self.hands)
        if len(hands) > MAX_HANDS:
            raise ValueError(f"at most {MAX_HANDS} hands, got {len(hands)}")
        if not all(isinstance(h, Hand) for h in hands):
            raise ValueError("hands must be Hand objects")
        object.__setattr__(self, "hands", hands)

    @classmethod
    def empty(cls, timestamp_s: float = 0.0, image_size: tuple[int, int] = (0, 0)) -> "HandsResult":
        """No hands."""
        return cls((), float(timestamp_s), image_size)

    def __len__(self) -> int:
        return len(self.hands)

    def __bool__(self) -> bool:
        return bool(self.hands)

    def hand(self, handedness: int) -> Hand | None:
        """The person's left (0) or right (1) hand, or None (the more confident if two claim it)."""
        found = [h for h in self.hands if h.handedness == handedness]
        return max(found, key=lambda h: h.handedness_score) if found else None

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The track-file row: hands (2, 21, 3) float32 NaN where absent, handedness (2,)
        int8 (0 left, 1 right, -1 none), gestures (2,) str ("" where no hand; per-frame
        classification)."""
        pts = np.full((MAX_HANDS, NUM_LANDMARKS, 3), np.nan, np.float32)
        handed = np.full(MAX_HANDS, NO_HAND, np.int8)
        gestures = np.array([""] * MAX_HANDS, dtype="<U11")
        for k, h in enumerate(self.hands):
            pts[k] = h.landmarks_norm
            handed[k] = h.handedness
            gestures[k] = h.gesture_raw
        return pts, handed, gestures
