"""Where hand observations come from: a HandSource gives the hands seen in the newest
camera frame. Live, that is the hand pipeline running beside the body pipeline in the
camera worker; in tests and demos, a hands track file (``dance track --what hands``)
replayed on the game clock."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from game.input.hands import GESTURES as GESTURE_NAMES, HandObservation, from_track_row
from pose.errors import DanceError


class HandSource(Protocol):
    def poll(self, now_s: float) -> Sequence[HandObservation] | None:
        """The hands of the newest frame since the last poll, or None if no new frame came."""


class HandTrackSource:
    """Replays a hands track file: row i is seen at ``start_s + t[i]`` on the game clock.

    Arrays (architecture.md's hands track): hands (T, 2, 21, 3), handedness (T, 2) int8,
    gestures (T, 2) str, t (T,) seconds.
    """

    def __init__(self, hands: np.ndarray, handedness: np.ndarray, gestures: np.ndarray,
                 t_s: np.ndarray, *, start_s: float = 0.0) -> None:
        hands = np.asarray(hands, dtype=np.float32)
        if hands.ndim != 4 or hands.shape[1:3] != (2, 21) or hands.shape[3] < 2:
            raise DanceError(f"hands track: hands must be (T, 2, 21, 3), got {hands.shape}")
        t_s = np.asarray(t_s, dtype=np.float64)
        if t_s.shape != (hands.shape[0],) or (len(t_s) > 1 and np.any(np.diff(t_s) <= 0)):
            raise DanceError("hands track: t must be (T,) strictly increasing seconds")
        self.hands = hands
        self.handedness = np.asarray(handedness).reshape(len(t_s), 2)
        self.gestures = np.asarray(gestures).astype(str).reshape(len(t_s), 2)
        self.t_s = t_s
        self.start_s = float(start_s)
        self._next = 0

    @classmethod
    def load(cls, path: str | Path, *, start_s: float = 0.0) -> "HandTrackSource":
        p = Path(path)
        try:
            with np.load(p, allow_pickle=False) as z:
                return cls(z["hands"], z["handedness"], z["gestures"], z["t"], start_s=start_s)
        except (OSError, ValueError, KeyError) as e:
            raise DanceError(f"{p}: not a hands track ({e.__class__.__name__})") from None

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1]) if len(self.t_s) else 0.0

    @property
    def finished(self) -> bool:
        return self._next >= len(self.t_s)

    def poll(self, now_s: float) -> list[HandObservation] | None:
        local = now_s - self.start_s
        last = None
        while self._next < len(self.t_s) and self.t_s[self._next] <= local:
            last = self._next
            self._next += 1
        if last is None:
            return None
        return from_track_row(self.hands[last], self.handedness[last], self.gestures[last],
                              self.start_s + float(self.t_s[last]))


def observations_from_result(result) -> list[HandObservation]:
    """pose.hands.HandsResult -> HandObservations (the debounced gesture of each hand)."""
    out = []
    for hand in getattr(result, "hands", ()):
        side = {0: "left", 1: "right"}.get(int(hand.handedness), "")
        gesture = hand.gesture if hand.gesture in GESTURE_NAMES else ""
        out.append(HandObservation.from_landmarks(hand.landmarks_norm, gesture, side, float(result.timestamp_s)))
    return out


class CameraHandSource:
    """The hands the game camera's worker found (a camera opened with the "hands" pipeline).

    game: the game.scenes.context.Game; its camera may be reopened (another mode's pipelines)
    and this follows it.
    """

    def __init__(self, game) -> None:
        self.game = game
        self._seen: tuple[int, int] | None = None

    def poll(self, now_s: float) -> list[HandObservation] | None:
        cam = self.game.camera
        latest = getattr(cam, "hands_latest", None)
        if latest is None:
            return None
        key = (id(cam), latest[0])
        if key == self._seen:
            return None
        self._seen = key
        return observations_from_result(latest[1])
