"""Two (or n) players on one camera, each kept in their own slot.

PlayerTracker wraps MultiBodyTracker: the generic tracker follows the bodies, each from its
own landmarks; this layer decides which body is which player. Slot 0 is the player who
stood on the LEFT of the screen when ``claim_sides()`` was called (the step-in screen calls
it when both children stand still in their halves), slot 1 the one on the right. Until
claimed, each frame's bodies are reported from left to right.

After the claim, every frame matches bodies to players by how each player looks (clothing
colour along the torso and limbs, body proportions: pose.body.identity) and where they are
heading (a constant-velocity prediction), with a bonus for the track a player already had.
A slot shows a pose only when the match is sure: when two bodies overlap, when a track's
colours stop matching its player (it jumped onto the other child while they crossed), or
when the other player's look fits as well, the slot is None for that frame. A missing
pose pauses one child's score; a wrong one would score one child for the other.

The detector runs only while a player is missing (every ``redetect_every`` frames while
some body is still tracked, every frame when nobody is), not while both are held.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from pose.body.identity import (
    Appearance,
    AppearanceModel,
    MotionModel,
    appearance,
    body_box_px,
    body_centre_px,
    body_scale_px,
    box_overlap,
)
from pose.body.tracker import MultiBodyTracker
from pose.frame import Bodies, PoseFrame

# Decision thresholds, on the scales pose.body.identity defines (colour 0..1, motion in
# body sizes). Tuned on composited crossings of real footage (benchmarks/bench_identity.py).
COLOUR_GATE = 0.5  # a body further than this from a player's look is not that player
MOTION_GATE = 3.0
SURE_MOTION = 0.8  # off the predicted course by more, a body near another is not sure
MISS_COST = 0.55  # leaving a slot empty costs this much: a worse match is no match
KEEP_BONUS = 0.15  # the track a player already had, while it is clear of others
MOTION_WEIGHT = 0.12
PROPORTION_WEIGHT = 0.05
SURE_COLOUR = 0.4  # re-found or crowded: the body must look at least this much like its player
SURE_MARGIN = 0.06  # the body must look this much more like its player than like the other
DISTINCT_LOOKS = 0.15  # two players' looks further apart than this: colour can tell them apart
SURE_MOTION_MARGIN = 0.6  # with alike looks, the prediction must tell them apart by this much
CROWDED = 0.15  # body boxes overlapping more (of the smaller box): colours may be the other's
MIN_COVERAGE = 0.3
OVERLAP_IOU = 0.7  # the generic tracker's 0.5 merges two children standing close together  # share of the look (by region weight) a body must show to be matched by colour


def body_centre_x(pose: PoseFrame) -> float:
    """Screen x (normalised) of the mean of the hips and shoulders: where a child stands."""
    return float(pose.landmarks[[11, 12, 23, 24], 0].mean())


@dataclass(frozen=True, eq=False)
class Players:
    """Each player slot's pose in one camera frame.

    poses: (n_players,) PoseFrame or None — None while that player is not found, or while
        the tracker is not sure which body is theirs (the mode pauses that player's score).
    track_ids: (n_players,) the generic tracker's id behind each slot, or None.
    timestamp_s: time of the camera frame, seconds. image_size: (width, height) px.
    switched: (n_players,) True on the frame a slot got a body back, under another track,
        after a loss (re-identified), for the HUD.
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


@dataclass
class _Body:
    """One tracked body this frame, with what identity needs of it."""

    track_id: int
    pose: PoseFrame
    centre_px: np.ndarray
    size_px: float
    box_px: np.ndarray
    look: Appearance
    crowded: bool = False


@dataclass
class _Slot:
    look: AppearanceModel | None = None
    motion: MotionModel | None = None
    track_id: int | None = None  # the track this player was last surely matched to
    shown: bool = False  # the last frame showed a pose
    missing_frames: int = 0


class _DetectorGate:
    """The detector as the generic tracker sees it, run only when PlayerTracker wants a
    body found: the tracker asks whenever fewer than its maximum are tracked, and a third
    body (a bystander) never needs looking for while both players are held."""

    def __init__(self, detector: Any, redetect_every: int):
        self.detector = detector
        self.redetect_every = max(1, int(redetect_every))
        self.wanted = True
        self.urgent = True  # nobody tracked: look on every frame
        self.calls = 0
        self._since = 0

    def detect(self, rgb: np.ndarray) -> list:
        if not self.wanted:
            return []
        self._since += 1
        if not self.urgent and self._since < self.redetect_every:
            return []
        self._since = 0
        self.calls += 1
        return self.detector.detect(rgb)


class PlayerTracker:
    """``process(rgb, timestamp_s)`` -> Players: n_players bodies, each in its own slot.

    redetect_every: while a player is missing but someone is tracked, run the detector on
    every so many frames. spare_tracks: bodies tracked beyond the players (a bystander or a
    teacher walking through keeps a track of their own instead of being re-found as a
    player). Other keyword arguments go to MultiBodyTracker (smooth, threads,
    segmentation, min_detection, min_tracking, precision, ...).
    """

    def __init__(self, n_players: int = 2, *, redetect_every: int = 3, spare_tracks: int = 1, **body_kwargs: Any):
        if int(n_players) < 1:
            raise ValueError(f"n_players must be >= 1, got {n_players}")
        self.n_players = int(n_players)
        self.bodies = MultiBodyTracker(max_people=self.n_players + max(0, int(spare_tracks)), **body_kwargs)
        # Two children dancing side by side overlap more than one body's track drifting onto
        # itself: merge only nearly coincident ROIs (duplicates are also caught below).
        self.bodies.tracker.overlap_iou = OVERLAP_IOU
        self._gate = _DetectorGate(self.bodies.detector, redetect_every)
        self.bodies.tracker.detector = self._gate
        self._slots = [_Slot() for _ in range(self.n_players)]
        self._claimed = False
        self._last: list[_Body] = []
        self._last_t = 0.0
        self._last_size = (0, 0)
        self._identity_ms = 0.0

    # ------------------------------------------------------------------ counters
    @property
    def detector_calls(self) -> int:
        """Frames on which the detector really ran."""
        return self._gate.calls

    @property
    def landmark_calls(self) -> int:
        return self.bodies.landmark_calls

    @property
    def last_timings_ms(self) -> dict[str, float]:
        """detector, landmark (all bodies), invoke, identity (matching bodies to players),
        total — for the last frame."""
        t = dict(self.bodies.last_timings_ms)
        t["identity"] = self._identity_ms
        t["total"] = t["total"] + self._identity_ms
        return t

    @property
    def claimed(self) -> bool:
        return self._claimed

    @property
    def crowded(self) -> bool:
        """Some bodies of the last frame overlap (the step-in screen waits for them to stand clear)."""
        return any(b.crowded for b in self._last)

    def reset(self) -> None:
        """Forget the bodies and the players: back to the step-in state."""
        self.bodies.reset()
        self._slots = [_Slot() for _ in range(self.n_players)]
        self._claimed = False
        self._last = []
        self._gate.wanted = self._gate.urgent = True

    # ------------------------------------------------------------------ step-in
    def bodies_by_side(self, rgb: np.ndarray | None = None, timestamp_s: float | None = None) -> tuple[PoseFrame, ...]:
        """The bodies of the last frame (or of ``rgb``, processed now) from left to right."""
        if rgb is not None:
            # Without a time, one camera frame after the last (the filters need time to pass).
            self.process(rgb, self._last_t + 1 / 30 if timestamp_s is None else timestamp_s)
        return tuple(b.pose for b in sorted(self._last, key=lambda b: b.centre_px[0]))

    def claim_sides(self) -> Players:
        """Make the current bodies the players: the n largest, from left to right, slot 0
        leftmost. A slot with nobody is filled by the next body that steps in. Returns the
        last frame as claimed."""
        self._slots = [_Slot() for _ in range(self.n_players)]
        chosen = sorted(sorted(self._last, key=lambda b: -b.size_px)[: self.n_players], key=lambda b: b.centre_px[0])
        shown: list[_Body | None] = [None] * self.n_players
        for k, body in zip(self._sides(chosen), chosen):
            slot = self._slots[k]
            slot.look = AppearanceModel(body.look)
            slot.motion = MotionModel(body.centre_px, body.size_px, self._last_t)
            slot.track_id = body.track_id
            slot.shown = True
            shown[k] = body
        self._claimed = True
        self._update_gate(len(self._last))
        return self._players(shown, [False] * self.n_players)

    def _sides(self, bodies: list[_Body]) -> list[int]:
        """Slots for bodies sorted left to right: in order when all are there; with fewer,
        each goes to the slot of the screen share it stands in (a lone child on the right
        is the right player), keeping left-to-right order."""
        n, m = self.n_players, len(bodies)
        if m >= n:
            return list(range(n))
        w = max(1, self._last_size[0])
        out: list[int] = []
        for i, body in enumerate(bodies):
            want = min(n - 1, max(0, int(body.centre_px[0] / w * n)))
            lo = out[-1] + 1 if out else 0
            hi = n - (m - i)  # leave room for the bodies still to place on the right
            out.append(min(max(want, lo), hi))
        return out

    # ------------------------------------------------------------------ per frame
    def process(self, rgb: np.ndarray, timestamp_s: float) -> Players:
        """rgb (H, W, 3) uint8 -> each slot's pose (None when that player is not found or
        not surely told apart this frame)."""
        bodies = self.bodies.process(rgb, timestamp_s)
        t0 = time.perf_counter()
        self._last_t = bodies.timestamp_s
        self._last_size = bodies.image_size
        self._last = self._observe(rgb, bodies)
        if not self._claimed:
            order = sorted(self._last, key=lambda b: b.centre_px[0])[: self.n_players]
            shown: list[_Body | None] = [*order, *[None] * (self.n_players - len(order))]
            self._update_gate(len(self._last))
            self._identity_ms = (time.perf_counter() - t0) * 1e3
            return self._players(shown, [False] * self.n_players, claimed=False)
        shown, switched = self._match(self._last, bodies.timestamp_s)
        self._update_gate(len(self._last))
        self._identity_ms = (time.perf_counter() - t0) * 1e3
        return self._players(shown, switched)

    def _observe(self, rgb: np.ndarray, bodies: Bodies) -> list[_Body]:
        from pose.tracking.tracker import as_rgb

        rgb = as_rgb(rgb)
        out = [_Body(tid, p, body_centre_px(p), body_scale_px(p), body_box_px(p), appearance(rgb, p))
               for tid, p in zip(bodies.track_ids, bodies.people)]
        for a, b in itertools.combinations(out, 2):
            # Overlapping boxes: one body's colour samples may fall on the other; or the two
            # tracks converged onto one body (the tracker merges them a frame or two later).
            near = np.linalg.norm(a.centre_px - b.centre_px) < 0.15 * min(a.size_px, b.size_px)
            if near or box_overlap(a.box_px, b.box_px) > CROWDED:
                a.crowded = b.crowded = True
        return out

    def _pair_cost(self, slot: _Slot, body: _Body, t: float) -> tuple[float, float, float] | None:
        """(cost, colour distance, motion distance) of giving ``body`` to ``slot``; None when
        the body cannot be that player."""
        assert slot.look is not None and slot.motion is not None
        colour, coverage = slot.look.distance(body.look)
        motion = slot.motion.distance(body.centre_px, body.size_px, t)
        if coverage >= MIN_COVERAGE and colour > COLOUR_GATE:
            return None
        if motion > MOTION_GATE:
            return None
        if coverage < MIN_COVERAGE:
            colour = COLOUR_GATE  # too little of the body seen to say
        build = slot.look.proportion_distance(body.look)
        cost = colour + MOTION_WEIGHT * min(motion, 3.0) + PROPORTION_WEIGHT * min(build or 0.0, 2.0)
        if body.track_id == slot.track_id and not body.crowded:
            cost -= KEEP_BONUS
        return cost, colour, motion

    def _match(self, found: list[_Body], t: float) -> tuple[list[_Body | None], list[bool]]:
        n = self.n_players
        slots = self._slots
        costs: list[list[tuple[float, float, float] | None]] = []
        for slot in slots:
            if slot.look is None:
                costs.append([None] * len(found))
            else:
                costs.append([self._pair_cost(slot, b, t) for b in found])
        options = [None, *range(len(found))]
        best: tuple[float, tuple[int | None, ...]] | None = None
        for choice in itertools.product(options, repeat=n):
            used = [c for c in choice if c is not None]
            if len(set(used)) != len(used):
                continue
            total = 0.0
            for k, c in enumerate(choice):
                if c is None:
                    total += MISS_COST
                elif costs[k][c] is None:
                    break
                else:
                    total += costs[k][c][0]
            else:
                if best is None or total < best[0]:
                    best = (total, choice)
        assert best is not None  # all-None is always allowed
        choice = list(best[1])
        # An empty slot (nobody stood there at the claim) takes the first unclaimed body.
        for k, slot in enumerate(slots):
            if slot.look is None:
                free = [j for j in range(len(found)) if j not in choice]
                if free:
                    choice[k] = max(free, key=lambda j: found[j].size_px)
        shown: list[_Body | None] = [None] * n
        switched = [False] * n
        for k, slot in enumerate(slots):
            j = choice[k]
            if j is None:
                slot.missing_frames += 1
                slot.shown = False
                if slot.track_id is not None and all(b.track_id != slot.track_id for b in found):
                    slot.track_id = None
                continue
            body = found[j]
            if slot.look is None:  # the first sight of a player who stepped in late
                slot.look = AppearanceModel(body.look)
                slot.motion = MotionModel(body.centre_px, body.size_px, t)
                sure = True
            else:
                sure = self._sure(k, body, costs, t)
            if not sure:
                slot.missing_frames += 1
                slot.shown = False
                continue
            assert slot.motion is not None
            switched[k] = (not slot.shown) and slot.track_id is not None and slot.track_id != body.track_id
            if slot.track_id is None and slot.missing_frames > 0:
                switched[k] = True
            slot.track_id = body.track_id
            slot.shown = True
            slot.missing_frames = 0
            slot.motion.update(body.centre_px, body.size_px, t)
            if not body.crowded:
                slot.look.update(body.look)
            shown[k] = body
        return shown, switched

    def _sure(self, k: int, body: _Body, costs: list[list[tuple[float, float, float] | None]], t: float) -> bool:
        """Is ``body`` surely player k and not any other player?"""
        slot = self._slots[k]
        j = next(i for i, b in enumerate(self._last) if b is body)
        pair = costs[k][j]
        assert pair is not None and slot.look is not None
        _, colour, motion = pair
        others = [(m, s) for m, s in enumerate(self._slots) if m != k and s.look is not None]
        continuing = body.track_id == slot.track_id and slot.shown
        if body.crowded and motion > SURE_MOTION:
            return False  # near another child and off its course: sliding onto them
        if (body.crowded or not continuing) and colour > SURE_COLOUR:
            return False  # found again, or beside the other child: must look like themselves
        for m, other in others:
            assert other.look is not None and other.motion is not None
            o_colour, coverage = other.look.distance(body.look)
            o_motion = other.motion.distance(body.centre_px, body.size_px, t)
            by_colour = coverage >= MIN_COVERAGE and slot.look.distance_to(other.look) > DISTINCT_LOOKS
            colour_says = o_colour - colour  # > 0: looks more like this player than the other
            motion_says = o_motion - motion  # > 0: where this player, not the other, should be
            if by_colour and colour_says < -SURE_MARGIN:
                return False  # looks like the other child
            if body.crowded:
                # Its colours may be partly the other child's: it must look like this player,
                # or (when the two look alike) be clearly on this player's course.
                if not (colour_says >= SURE_MARGIN if by_colour else motion_says >= SURE_MOTION_MARGIN):
                    return False
            elif not ((by_colour and colour_says >= SURE_MARGIN) or motion_says >= SURE_MOTION_MARGIN
                      or (continuing and not by_colour)):
                return False
        return True

    def _update_gate(self, n_tracked: int) -> None:
        held = sum(1 for s in self._slots if s.shown)
        self._gate.wanted = held < self.n_players or n_tracked < self.n_players
        self._gate.urgent = n_tracked == 0

    def _players(self, shown: list[_Body | None], switched: list[bool], claimed: bool = True) -> Players:
        poses = tuple(b.pose if b is not None else None for b in shown)
        ids = tuple(b.track_id if b is not None else None for b in shown)
        return Players(poses, ids, self._last_t, self._last_size, tuple(switched), claimed)
