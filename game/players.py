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
    """A PlayerTracker whose slots are screen sides (0 = left of the mirrored view), with a
    guard against giving one child's body to the other child's slot.

    tracker: a PlayerTracker (``process``, ``claim_sides``, ``reset``, counters).
    ``request_claim()`` (any thread): the next frame that shows all n children assigns the
    slots by where they stand; until then slots are simply left-to-right on each frame and
    ``Players.claimed`` is False.

    After the claim a slot keeps the track it has while that track lives (the tracker's
    continuity). A slot that gets a body it did not have (a child coming back, the tracker
    re-identifying someone) takes it only where it stands on that slot's side: left of the
    other child (or of the middle, when the other is away) for slot 0, right of them for
    slot 1. A body that fits no free slot (a grown-up walking by, a child on the wrong side)
    is left out: that slot stays None, its child paused, rather than scored on someone else.
    Counters: claims, frames, frames_all_seen, held (bodies left out for not fitting).
    """

    def __init__(self, tracker: Any) -> None:
        self.tracker = tracker
        self.n_players = int(getattr(tracker, "n_players", 2))
        self._want_claim = threading.Event()
        self._slot_tid: list[int | None] | None = None  # our slot -> the track it follows; None: unclaimed
        self.claims = 0
        self.frames = 0
        self.frames_all_seen = 0
        self.held = 0
        self.last_timings_ms: dict[str, float] = {}
        # The tracker's cost per frame (both children): wall and this thread's CPU, newest last.
        self.frame_wall_ms: deque = deque(maxlen=600)
        self.frame_cpu_ms: deque = deque(maxlen=600)

    @property
    def detector_calls(self) -> int:
        return int(getattr(self.tracker, "detector_calls", 0))

    @property
    def landmark_calls(self) -> int:
        return int(getattr(self.tracker, "landmark_calls", 0))

    @property
    def claimed(self) -> bool:
        return self._slot_tid is not None

    def request_claim(self) -> None:
        self._want_claim.set()

    def reset(self) -> None:
        self.tracker.reset()
        self._slot_tid = None

    def process(self, rgb: np.ndarray, timestamp_s: float):
        t0, c0 = time.perf_counter(), time.thread_time()
        players = self.tracker.process(rgb, timestamp_s)
        self.frame_wall_ms.append((time.perf_counter() - t0) * 1000.0)
        self.frame_cpu_ms.append((time.thread_time() - c0) * 1000.0)
        self.frames += 1
        self.last_timings_ms = dict(getattr(self.tracker, "last_timings_ms", {}) or {})
        if players.found == self.n_players:
            self.frames_all_seen += 1
        if self._want_claim.is_set() and players.found == self.n_players:
            players = self.tracker.claim_sides()
            order = sorted(range(self.n_players), key=lambda i: screen_x(players.poses[i]))
            self._slot_tid = [players.track_ids[i] for i in order]
            self._want_claim.clear()
            self.claims += 1
        if self._slot_tid is None:
            return self._by_side(players)
        return self._assign(players)

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

    def _assign(self, players):
        n = self.n_players
        bodies = {tid: (pose, k) for k, (tid, pose) in enumerate(zip(players.track_ids, players.poses))
                  if tid is not None}
        slots = self._slot_tid
        assert slots is not None
        for s in range(n):
            if slots[s] not in bodies:
                slots[s] = None  # that track is gone: the slot waits for its child
        switched = [False] * n
        taken = set(t for t in slots if t is not None)
        # The tracker's own slot for a body is the first guess; then any free slot it fits.
        new = sorted((tid for tid in bodies if tid not in taken), key=lambda t: bodies[t][1])
        for tid in new:
            pose, k = bodies[tid]
            x = screen_x(pose)
            free = [s for s in range(n) if slots[s] is None]
            free.sort(key=lambda s: abs(s - k))
            fit = next((s for s in free if self._fits(s, x, slots, bodies)), None)
            if fit is None:
                self.held += 1
                continue
            slots[fit] = tid
            switched[fit] = True
        poses = [bodies[t][0] if t is not None else None for t in slots]
        return _rebuild(players, poses, list(slots), switched, claimed=True)

    def _fits(self, slot: int, x: float, slots: list, bodies: dict) -> bool:
        """Does a body at screen x stand on ``slot``'s side of the others?"""
        others = [(s, screen_x(bodies[t][0])) for s, t in enumerate(slots) if t is not None and s != slot]
        if not others:
            return (x < 0.5) if slot == 0 else (x >= 0.5) if slot == self.n_players - 1 else True
        return all((x < ox) if s > slot else (x > ox) for s, ox in others)


def _rebuild(players: Any, poses: list, track_ids: list, switched: list, claimed: bool):
    fields = dict(poses=tuple(poses), track_ids=tuple(track_ids), switched=tuple(switched))
    if hasattr(players, "claimed"):
        fields["claimed"] = claimed
    return replace(players, **fields)
