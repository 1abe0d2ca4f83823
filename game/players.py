"""Two children on one camera, as the game sees them: slots by side of the SCREEN.

The camera worker runs a ``pose.body.players.PlayerTracker``; ``SidedPlayers`` wraps it so
that (a) slot 0 is always the child on the left of the mirrored (selfie) view the children
see, whatever the tracker's own slot order, and (b) the render thread can ask for the sides
to be claimed without touching the tracker from its thread: the claim happens inside the
next ``process`` call on the worker thread, on the first frame where every child is seen.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import numpy as np

HIPS_SHOULDERS = (11, 12, 23, 24)


def screen_x(pose: Any) -> float:
    """Where a body stands in the mirrored view, 0 (left) .. 1 (right)."""
    return float(1.0 - np.nanmean(np.asarray(pose.landmarks)[list(HIPS_SHOULDERS), 0]))


def players_of(latest: Any):
    """The Players of a camera result (a LatestPose whose ``pose`` is a Players), or None."""
    p = getattr(latest, "pose", None)
    return p if p is not None and hasattr(p, "poses") and hasattr(p, "track_ids") else None


class SidedPlayers:
    """A PlayerTracker whose slots are screen sides (0 = left of the mirrored view).

    tracker: a PlayerTracker (``process``, ``claim_sides``, ``reset``, counters).
    ``request_claim()`` (any thread): the next frame that shows all n children assigns the
    slots by where they stand; until then slots are simply left-to-right on each frame and
    ``Players.claimed`` is False. ``claims`` counts the claims made.
    """

    def __init__(self, tracker: Any) -> None:
        self.tracker = tracker
        self.n_players = int(getattr(tracker, "n_players", 2))
        self._want_claim = threading.Event()
        self._order: tuple[int, ...] | None = None  # our slot i <- tracker slot _order[i]
        self.claims = 0
        self.frames = 0
        self.frames_all_seen = 0
        self.last_timings_ms: dict[str, float] = {}

    @property
    def detector_calls(self) -> int:
        return int(getattr(self.tracker, "detector_calls", 0))

    @property
    def landmark_calls(self) -> int:
        return int(getattr(self.tracker, "landmark_calls", 0))

    @property
    def claimed(self) -> bool:
        return self._order is not None

    def request_claim(self) -> None:
        self._want_claim.set()

    def reset(self) -> None:
        self.tracker.reset()
        self._order = None

    def process(self, rgb: np.ndarray, timestamp_s: float):
        players = self.tracker.process(rgb, timestamp_s)
        self.frames += 1
        self.last_timings_ms = dict(getattr(self.tracker, "last_timings_ms", {}) or {})
        if players.found == self.n_players:
            self.frames_all_seen += 1
        if self._want_claim.is_set() and players.found == self.n_players:
            players = self.tracker.claim_sides()
            # The tracker's slots by its own convention -> ours by the mirrored view's x.
            self._order = tuple(sorted(range(self.n_players), key=lambda i: screen_x(players.poses[i])))
            self._want_claim.clear()
            self.claims += 1
        if self._order is None:
            seen = [i for i, p in enumerate(players.poses) if p is not None]
            seen.sort(key=lambda i: screen_x(players.poses[i]))
            order = tuple(seen + [i for i in range(self.n_players) if i not in seen])
            return _reorder(players, order, claimed=False)
        return _reorder(players, self._order, claimed=True)


def _reorder(players: Any, order: tuple[int, ...], claimed: bool):
    fields = dict(poses=tuple(players.poses[i] for i in order),
                  track_ids=tuple(players.track_ids[i] for i in order),
                  switched=tuple(players.switched[i] for i in order))
    if hasattr(players, "claimed"):
        fields["claimed"] = claimed
    return replace(players, **fields)
