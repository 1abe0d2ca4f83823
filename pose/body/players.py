"""Two (or n) players on one camera, each kept in their own slot.

PlayerTracker wraps MultiBodyTracker: the generic tracker follows up to n bodies, each
from its own landmarks; this layer maps its tracks onto player slots. Slot 0 is the player
who stood on the LEFT of the screen when ``claim_sides()`` was called (the step-in screen
calls it when both children stand still in their halves), slot 1 the one on the right.

Until claimed, every frame's bodies are reported by side (left first). Once claimed, a
track keeps its slot while it lives; a new track fills an empty slot.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pose.body.tracker import MultiBodyTracker
from pose.frame import Bodies, PoseFrame

HIPS = (23, 24)
SHOULDERS = (11, 12)


def body_centre_x(pose: PoseFrame) -> float:
    """Screen x (normalised) of the mean of the hips and shoulders: where a child stands."""
    return float(pose.landmarks[[*HIPS, *SHOULDERS], 0].mean())


@dataclass(frozen=True, eq=False)
class Players:
    """Each player slot's pose in one camera frame.

    poses: (n_players,) PoseFrame or None — None while that player is not found, or while
        the tracker is not sure which body is theirs (the mode pauses that player's score).
    track_ids: (n_players,) the generic tracker's id behind each slot, or None.
    timestamp_s: time of the camera frame, seconds. image_size: (width, height) px.
    switched: (n_players,) True on the frame a slot got a body back after a loss
        (re-identified), for the HUD.
    claimed: slots were assigned by ``claim_sides()``; before that, slots are simply the
        bodies from left to right on this frame.
    """

    poses: tuple[PoseFrame | None, ...]
    track_ids: tuple[int | None, ...]
    timestamp_s: float
    image_size: tuple[int, int]
    switched: tuple[bool, ...]
    claimed: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "poses", tuple(self.poses))
        object.__setattr__(self, "track_ids", tuple(None if i is None else int(i) for i in self.track_ids))
        object.__setattr__(self, "switched", tuple(bool(s) for s in self.switched))
        n = len(self.poses)
        if len(self.track_ids) != n or len(self.switched) != n:
            raise ValueError(f"poses, track_ids and switched must have one entry per slot, got "
                             f"{n}, {len(self.track_ids)}, {len(self.switched)}")
        for pose, tid in zip(self.poses, self.track_ids):
            if pose is not None and not (isinstance(pose, PoseFrame) and pose.found):
                raise ValueError("poses must be found PoseFrames or None")
            if (pose is None) != (tid is None):
                raise ValueError("a slot has a track id exactly when it has a pose")
        ids = [i for i in self.track_ids if i is not None]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a track can fill one slot only, got {self.track_ids}")
        if len(self.image_size) != 2:
            raise ValueError(f"image_size must be (width, height), got {self.image_size!r}")

    def __len__(self) -> int:
        return len(self.poses)

    @property
    def found(self) -> int:
        """How many slots have a pose this frame."""
        return sum(p is not None for p in self.poses)


class PlayerTracker:
    """``process(rgb, timestamp_s)`` -> Players: n_players bodies, each in its own slot.

    Other keyword arguments go to MultiBodyTracker (smooth, threads, segmentation,
    min_detection, min_tracking, precision, ...).
    """

    def __init__(self, n_players: int = 2, **body_kwargs: Any):
        if int(n_players) < 1:
            raise ValueError(f"n_players must be >= 1, got {n_players}")
        self.n_players = int(n_players)
        self.bodies = MultiBodyTracker(max_people=self.n_players, **body_kwargs)
        self._slots: list[int | None] = [None] * self.n_players
        self._claimed = False
        self._last: Bodies | None = None

    # ------------------------------------------------------------------ counters
    @property
    def detector_calls(self) -> int:
        return self.bodies.detector_calls

    @property
    def landmark_calls(self) -> int:
        return self.bodies.landmark_calls

    @property
    def last_timings_ms(self) -> dict[str, float]:
        """detector, landmark (all bodies), invoke, total — for the last frame."""
        return self.bodies.last_timings_ms

    @property
    def claimed(self) -> bool:
        return self._claimed

    def reset(self) -> None:
        """Forget the bodies and the slots: back to the step-in state."""
        self.bodies.reset()
        self._slots = [None] * self.n_players
        self._claimed = False
        self._last = None

    # ------------------------------------------------------------------ step-in
    def bodies_by_side(self, rgb: np.ndarray | None = None, timestamp_s: float | None = None) -> tuple[PoseFrame, ...]:
        """The bodies of the last frame (or of ``rgb``, processed now) from left to right."""
        if rgb is not None:
            self.process(rgb, 0.0 if timestamp_s is None else timestamp_s)
        if self._last is None:
            return ()
        return tuple(sorted(self._last.people, key=body_centre_x))

    def claim_sides(self) -> Players:
        """Assign slots from the current bodies by screen x: the leftmost body is slot 0.

        Slots with no body stay empty and are filled by the next new body. Returns the
        last frame as claimed.
        """
        self._slots = [None] * self.n_players
        last = self._last
        if last is not None:
            order = sorted(range(len(last)), key=lambda i: body_centre_x(last.people[i]))
            for slot, i in enumerate(order[: self.n_players]):
                self._slots[slot] = last.track_ids[i]
        self._claimed = True
        if last is None:
            return Players((None,) * self.n_players, (None,) * self.n_players, 0.0, (0, 0),
                           (False,) * self.n_players, True)
        return self._players(last, (False,) * self.n_players)

    # ------------------------------------------------------------------ per frame
    def process(self, rgb: np.ndarray, timestamp_s: float) -> Players:
        """rgb (H, W, 3) uint8 -> each slot's pose (None when that player is not found)."""
        bodies = self.bodies.process(rgb, timestamp_s)
        self._last = bodies
        if not self._claimed:
            order = sorted(range(len(bodies)), key=lambda i: body_centre_x(bodies.people[i]))[: self.n_players]
            poses = [bodies.people[i] for i in order] + [None] * (self.n_players - len(order))
            ids = [bodies.track_ids[i] for i in order] + [None] * (self.n_players - len(order))
            return Players(tuple(poses), tuple(ids), bodies.timestamp_s, bodies.image_size,
                           (False,) * self.n_players, False)
        live = set(bodies.track_ids)
        switched = [False] * self.n_players
        for slot, tid in enumerate(self._slots):
            if tid is not None and tid not in live:
                self._slots[slot] = None
        for tid in bodies.track_ids:
            if tid in self._slots:
                continue
            if None in self._slots:
                slot = self._slots.index(None)
                self._slots[slot] = tid
                switched[slot] = True
        return self._players(bodies, tuple(switched))

    def _players(self, bodies: Bodies, switched: tuple[bool, ...]) -> Players:
        by_id = dict(zip(bodies.track_ids, bodies.people))
        poses = tuple(by_id.get(tid) if tid is not None else None for tid in self._slots)
        ids = tuple(tid if tid in by_id else None for tid in self._slots)
        return Players(poses, ids, bodies.timestamp_s, bodies.image_size, switched, True)
