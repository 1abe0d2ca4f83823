"""Hands-free control: the child's hand in front of the camera becomes a cursor and actions.

Point at a button and hold still over it: a ring fills (``DWELL_S``) and the button is
selected. An open palm held up pauses, a thumbs up says yes, a sideways swipe moves to the
next button. Each gesture must be held (or, for a swipe, made quickly and clearly
sideways), fires once, and must be released before it fires again; after any gesture
every gesture rests for ``REFRACTORY_S`` so one movement never counts twice.

Everything here is pure (numpy, no pygame): it runs on recordings of real hands in tests.
Input is one ``HandObservation`` per hand per camera frame, whatever made it: the hand
pipeline's live output or a hands track file (``from_track_row``).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from game.input.actions import Action

# The hand landmark model's indices (21 points).
WRIST = 0
INDEX_TIP = 8
GESTURES = ("", "None", "Closed_Fist", "Open_Palm", "Pointing_Up", "Thumb_Down", "Thumb_Up", "Victory", "ILoveYou")

# The part of the camera frame a child's hand sweeps comfortably, mapped onto the whole
# screen (x, y in the mirrored view): reaching the screen's edge needs no stretch.
REACH_BOX_NORM = (0.18, 0.12, 0.82, 0.72)
CURSOR_MIN_CUTOFF_HZ = 1.2   # One Euro: steady when still, quick when moving fast
CURSOR_BETA = 0.6
SEEN_FOR_S = 0.5             # the cursor shows while a hand was seen this recently

DWELL_S = 1.2                # point and hold this long over a button to press it
DWELL_REARM_S = 0.6          # after a press the ring waits this long before filling again
DWELL_GESTURES = ("", "None", "Pointing_Up", "Victory", "ILoveYou", "Closed_Fist")

HOLD_S = {"Open_Palm": 0.6, "Thumb_Up": 0.45}   # how long a command gesture is held
HOLD_STEADY_NORM = 0.08      # ... with the hand moving less than this (a swipe is not a hold)
PALM_UP_Y_NORM = 0.55        # "held up": the fingertip above this height in the frame
RELEASE_S = 0.25             # a gesture counts as released after this long unseen
REFRACTORY_S = 0.8           # after any gesture action, all gestures rest this long
SWIPE_WINDOW_S = 0.45        # a swipe: this quick ...
SWIPE_MIN_DX_NORM = 0.22     # ... this far sideways (frame widths) ...
SWIPE_MAX_SLOPE = 0.6        # ... and mostly sideways (|dy| <= slope * |dx|)


@dataclass(frozen=True)
class HandObservation:
    """One hand in one camera frame.

    tip_xy_norm: (2,) float32 index fingertip, frame-normalised, as the camera saw it (not
        mirrored). wrist_xy_norm: (2,) likewise. gesture: one of GESTURES ("" unknown).
    handedness: "left" | "right" (the person's own hand) | "" unknown. timestamp_s: capture time.
    """

    tip_xy_norm: np.ndarray
    gesture: str
    handedness: str
    timestamp_s: float
    wrist_xy_norm: np.ndarray | None = None

    def __post_init__(self) -> None:
        tip = np.asarray(self.tip_xy_norm, dtype=np.float32).reshape(-1)
        if tip.shape != (2,) or not np.all(np.isfinite(tip)):
            raise ValueError(f"tip_xy_norm must be 2 finite numbers, got {self.tip_xy_norm!r}")
        object.__setattr__(self, "tip_xy_norm", tip)
        if self.wrist_xy_norm is not None:
            object.__setattr__(self, "wrist_xy_norm", np.asarray(self.wrist_xy_norm, np.float32).reshape(2))
        if self.gesture not in GESTURES:
            raise ValueError(f"unknown gesture {self.gesture!r}; one of {GESTURES}")
        if self.handedness not in ("left", "right", ""):
            raise ValueError(f"handedness must be 'left', 'right' or '', got {self.handedness!r}")
        if not math.isfinite(self.timestamp_s):
            raise ValueError("timestamp_s must be finite")

    @classmethod
    def from_landmarks(cls, points_norm: np.ndarray, gesture: str, handedness: str,
                       timestamp_s: float) -> "HandObservation":
        """From (21, C>=2) hand landmarks, frame-normalised."""
        pts = np.asarray(points_norm, dtype=np.float32)
        if pts.ndim != 2 or pts.shape[0] != 21 or pts.shape[1] < 2:
            raise ValueError(f"hand landmarks must be (21, C>=2), got {pts.shape}")
        return cls(pts[INDEX_TIP, :2], gesture or "", handedness, float(timestamp_s), pts[WRIST, :2])


def from_track_row(hands: np.ndarray, handedness: np.ndarray, gestures: Sequence[str],
                   timestamp_s: float) -> list[HandObservation]:
    """The hands of one row of a hands track file: hands (2, 21, 3) with NaN where no hand,
    handedness (2,) int8 (0 left, 1 right, -1 none), gestures (2,) strings."""
    out = []
    for k in range(hands.shape[0]):
        pts = hands[k]
        if not np.all(np.isfinite(pts[:, :2])):
            continue
        side = {0: "left", 1: "right"}.get(int(handedness[k]), "")
        g = str(gestures[k]) if k < len(gestures) else ""
        out.append(HandObservation.from_landmarks(pts, g if g in GESTURES else "", side, timestamp_s))
    return out


def choose_hand(hands: Sequence[HandObservation], prefer: str = "") -> HandObservation | None:
    """The hand that drives the cursor: the one it followed before (same side), else the
    higher one (a child raises the hand they mean)."""
    if not hands:
        return None
    same = [h for h in hands if prefer and h.handedness == prefer]
    if same:
        return same[0]
    return min(hands, key=lambda h: float(h.tip_xy_norm[1]))


@dataclass
class HandCursor:
    """The fingertip as a screen position: mirrored like the camera view, the reach box
    stretched to the screen, One Euro smoothed. ``position_px`` is None while no hand."""

    size_px: tuple[int, int]
    reach_box_norm: tuple[float, float, float, float] = REACH_BOX_NORM
    position_px: tuple[int, int] | None = None
    last_seen_s: float = -math.inf
    hand: str = ""
    _filter: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from pose.smoothing import OneEuroFilter

        self._filter = OneEuroFilter(CURSOR_MIN_CUTOFF_HZ, CURSOR_BETA)

    def screen_norm(self, tip_xy_norm: np.ndarray) -> np.ndarray:
        """Camera fingertip -> screen position in [0, 1]^2 (mirrored, reach box stretched)."""
        x0, y0, x1, y1 = self.reach_box_norm
        mx = 1.0 - float(tip_xy_norm[0])  # the child sees a mirror: their right is screen right
        u = (mx - (1.0 - x1)) / (x1 - x0)
        v = (float(tip_xy_norm[1]) - y0) / (y1 - y0)
        return np.clip(np.array([u, v]), 0.0, 1.0)

    def update(self, hand: HandObservation | None, now_s: float) -> tuple[int, int] | None:
        if hand is None:
            if now_s - self.last_seen_s > SEEN_FOR_S:
                self.position_px = None
                self._filter.reset()
                self.hand = ""
            return self.position_px
        self.hand = hand.handedness
        self.last_seen_s = now_s
        uv = self._filter.apply(self.screen_norm(hand.tip_xy_norm), hand.timestamp_s)
        w, h = self.size_px
        self.position_px = (int(round(uv[0] * (w - 1))), int(round(uv[1] * (h - 1))))
        return self.position_px

    @property
    def visible(self) -> bool:
        return self.position_px is not None


class GestureReader:
    """Hand observations -> debounced PAUSE / YES / NEXT actions (see the module docstring)."""

    def __init__(self) -> None:
        self._held: str = ""
        self._held_since_s = 0.0
        self._held_at: np.ndarray | None = None
        self._fired: set[str] = set()     # gestures that fired and are not yet released
        self._last_seen: dict[str, float] = {}
        self._rest_until_s = -math.inf
        self._trail: deque[tuple[float, float, float]] = deque()  # (t, mirrored x, y)

    def update(self, hand: HandObservation | None, now_s: float) -> list[Action]:
        out: list[Action] = []
        for g in list(self._fired):
            if now_s - self._last_seen.get(g, -math.inf) > RELEASE_S:
                self._fired.discard(g)
        if hand is None:
            self._held = ""
            self._trail.clear()
            return out
        g = hand.gesture
        self._last_seen[g] = now_s
        tip = hand.tip_xy_norm
        if g != self._held:
            self._held, self._held_since_s, self._held_at = g, now_s, tip.copy()
        elif self._held_at is not None and float(np.max(np.abs(tip - self._held_at))) > HOLD_STEADY_NORM:
            self._held_since_s, self._held_at = now_s, tip.copy()  # moving: not a hold yet
        resting = now_s < self._rest_until_s
        if not resting and g in HOLD_S and g not in self._fired and now_s - self._held_since_s >= HOLD_S[g]:
            if g == "Open_Palm" and float(tip[1]) <= PALM_UP_Y_NORM:
                out.append(Action.PAUSE)
            elif g == "Thumb_Up":
                out.append(Action.YES)
            if out:
                self._fire(g, now_s)
        swipe = self._swipe(hand, now_s)
        if swipe and not resting and not out:
            out.append(Action.NEXT)
            self._fire("swipe", now_s)
            self._trail.clear()
        return out

    def _fire(self, g: str, now_s: float) -> None:
        self._fired.add(g)
        self._rest_until_s = now_s + REFRACTORY_S

    def _swipe(self, hand: HandObservation, now_s: float) -> bool:
        if hand.gesture == "Pointing_Up":
            self._trail.clear()  # pointing moves the cursor; it never swipes
            return False
        self._trail.append((now_s, 1.0 - float(hand.tip_xy_norm[0]), float(hand.tip_xy_norm[1])))
        while self._trail and now_s - self._trail[0][0] > SWIPE_WINDOW_S:
            self._trail.popleft()
        if len(self._trail) < 3:
            return False
        xs = np.array([p[1] for p in self._trail])
        ys = np.array([p[2] for p in self._trail])
        dx = xs[-1] - xs[0]
        dy = ys[-1] - ys[0]
        return abs(dx) >= SWIPE_MIN_DX_NORM and abs(dy) <= SWIPE_MAX_SLOPE * abs(dx)


def target_key(target: object | None) -> object:
    if target is None:
        return None
    index = getattr(target, "index", None)
    return (type(target).__name__, index) if index is not None else id(target)


class Dwell:
    """Point-and-hold selection: which target the cursor rests on and how full its ring is."""

    def __init__(self, dwell_s: float = DWELL_S) -> None:
        self.dwell_s = float(dwell_s)
        self.target: object | None = None
        self.since_s = 0.0
        self.progress = 0.0  # 0..1, for the ring
        self._rearm_until_s = -math.inf

    def update(self, target: object | None, pointing: bool, now_s: float) -> object | None:
        """The target to press now, or None. Targets may be rebuilt every frame (a card that
        bounces has a new rect): the same kind of target with the same ``index`` is the same."""
        if target_key(target) != target_key(self.target) or not pointing or now_s < self._rearm_until_s:
            self.target = target if pointing else None
            self.since_s = max(now_s, self._rearm_until_s)
            self.progress = 0.0
            return None
        if target is None:
            self.progress = 0.0
            return None
        self.target = target
        self.progress = min(1.0, (now_s - self.since_s) / self.dwell_s)
        if self.progress >= 1.0:
            self.progress = 0.0
            self._rearm_until_s = now_s + DWELL_REARM_S
            self.since_s = self._rearm_until_s
            return target
        return None

    def reset(self) -> None:
        self.target = None
        self.progress = 0.0
