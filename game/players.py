"""Two children on one camera, as the game sees them: slots by side of the SCREEN.

The camera worker runs a ``pose.body.players.PlayerTracker``; ``SidedPlayers`` wraps it so
that (a) slot 0 is always the child on the left of the mirrored (selfie) view the children
see, whatever the tracker's own slot order, and (b) the render thread can ask for the sides
to be claimed without touching the tracker from its thread: the claim happens inside the
next ``process`` call on the worker thread, on the first frame where every child is seen.
"""
from __future__ import annotations

import threading
import time
from collections import deque
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

    tracker: a PlayerTracker (``process``, ``claim_sides``, ``reset``, counters). Who is who
    after the claim is the tracker's decision (appearance and motion; a slot is None when it
    is not sure): this layer only renames its slots by side of the mirrored view.
    ``request_claim()`` (any thread): the next frame that shows all n children assigns the
    slots by where they stand (a new one asks for that itself); until then each body goes
    to the slot of the half it stands in and ``Players.claimed`` is False.
    Counters: claims, frames, frames_all_seen; frame_wall_ms (the tracker's time per frame).
    """

    def __init__(self, tracker: Any) -> None:
        self.tracker = tracker
        self.n_players = int(getattr(tracker, "n_players", 2))
        self._want_claim = threading.Event()
        # A new tracker claims on the first frame that shows everyone (a camera restarted at
        # the song's start needs no second step-in); the step-in claims again when it is done.
        self._want_claim.set()
        self._order: list[int] | None = None  # our slot i <- the tracker's slot _order[i]; None: unclaimed
        self.claims = 0
        self.frames = 0
        self.frames_all_seen = 0
        self.last_timings_ms: dict[str, float] = {}
        self.frame_wall_ms: deque = deque(maxlen=600)

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
        t0 = time.perf_counter()
        players = self.tracker.process(rgb, timestamp_s)
        self.frame_wall_ms.append((time.perf_counter() - t0) * 1000.0)
        self.frames += 1
        self.last_timings_ms = dict(getattr(self.tracker, "last_timings_ms", {}) or {})
        if players.found == self.n_players:
            self.frames_all_seen += 1
        if self._want_claim.is_set() and players.found == self.n_players:
            players = self.tracker.claim_sides()
            if players.found == self.n_players:
                self._order = sorted(range(self.n_players), key=lambda i: screen_x(players.poses[i]))
                self._want_claim.clear()
                self.claims += 1
        if self._order is None:
            return self._by_side(players)
        o = self._order
        return _rebuild(players, [players.poses[i] for i in o], [players.track_ids[i] for i in o],
                        [players.switched[i] for i in o], claimed=True)

    def _by_side(self, players):
        """Before the claim: all n seen -> left to right; fewer -> each in the slot of the
        half it stands in (one child alone on the right is not the left player)."""
        n = self.n_players
        seen = sorted((i for i, p in enumerate(players.poses) if p is not None),
                      key=lambda i: screen_x(players.poses[i]))
        if len(seen) == n:
            slots = list(seen)
        else:
            slots = [None] * n
            for i in seen:
                want = min(n - 1, int(screen_x(players.poses[i]) * n))
                if slots[want] is None:
                    slots[want] = i
        return _rebuild(players, [players.poses[i] if i is not None else None for i in slots],
                        [players.track_ids[i] if i is not None else None for i in slots],
                        [False] * n, claimed=False)


def _rebuild(players: Any, poses: list, track_ids: list, switched: list, claimed: bool):
    fields = dict(poses=tuple(poses), track_ids=tuple(track_ids), switched=tuple(switched))
    if hasattr(players, "claimed"):
        fields["claimed"] = claimed
    return replace(players, **fields)
