"""Hand gestures from the 21 hand landmarks: mediapipe's canned classes, by rule.

mediapipe's learned gesture classifier is not in the pinned wheel, so the classes are
decided from finger bend angles, which do not change when the hand turns in the image
plane, moves or changes size. Only three classes are about direction by definition:
Pointing_Up (the index points up), Thumb_Up and Thumb_Down (the thumb points up / down);
"up" is the image's up.

``classify(points_norm, image_size_wh)`` -> Classification for one frame.
``GestureDebouncer`` turns a stream of per-frame labels into a reported gesture that must
hold (a majority over a window of at least ``hold_s``) before it is reported, so a menu
never fires on one noisy frame.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

NONE = "None"
GESTURES = ("None", "Closed_Fist", "Open_Palm", "Pointing_Up", "Thumb_Down", "Thumb_Up", "Victory", "ILoveYou")

WRIST = 0
THUMB = (1, 2, 3, 4)  # CMC, MCP, IP, tip
FINGERS = {  # MCP, PIP, DIP, tip
    "index": (5, 6, 7, 8),
    "middle": (9, 10, 11, 12),
    "ring": (13, 14, 15, 16),
    "pinky": (17, 18, 19, 20),
}
# A finger is extended below EXTENDED_DEG of total bend (MCP + PIP + DIP, each the angle
# between successive bone directions) and curled above CURLED_DEG; between, it is neither
# and only gestures that do not care about that finger can match.
EXTENDED_DEG = 75.0
CURLED_DEG = 120.0
THUMB_EXTENDED_DEG = 60.0  # thumb CMC->MCP->IP->tip bend
THUMB_CURLED_DEG = 75.0
# The thumb also counts as extended only when its tip stands clear of the middle finger's
# PIP joint (in palm lengths: wrist -> middle MCP): a thumb wrapped over a fist lies on it.
THUMB_CLEAR_PALMS = 0.6
THUMB_TUCKED_PALMS = 0.45
# Direction classes: the pointing bone within this angle of image-up (or down).
UP_CONE_DEG = 60.0


@dataclass(frozen=True)
class Classification:
    """One frame's gesture.

    label: one of GESTURES. score: [0, 1], how clearly the finger states decided it
    (1 = every finger that matters far from its threshold). states: per finger "E"
    (extended), "C" (curled) or "?" in order thumb, index, middle, ring, pinky.
    """

    label: str
    score: float
    states: str


def _angle_deg(u: np.ndarray, v: np.ndarray) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0 or nv == 0:
        return 0.0
    c = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def _bends_deg(p: np.ndarray, chain: tuple[int, ...]) -> float:
    """Sum of the angles between successive bones along ``chain`` (point indices)."""
    bones = [p[chain[i + 1]] - p[chain[i]] for i in range(len(chain) - 1)]
    return sum(_angle_deg(bones[i], bones[i + 1]) for i in range(len(bones) - 1))


def _up_angle_deg(v: np.ndarray) -> float:
    """Angle between the image-plane vector v (x right, y down) and image-up, degrees."""
    return _angle_deg(np.array([v[0], v[1]]), np.array([0.0, -1.0]))


def _state(bend: float, extended: float, curled: float) -> tuple[str, float]:
    """'E' / 'C' / '?' and a margin in [0, 1] (distance from the nearer threshold)."""
    span = curled - extended
    if bend < extended:
        return "E", min(1.0, (extended - bend) / span)
    if bend > curled:
        return "C", min(1.0, (bend - curled) / span)
    return "?", 0.0


def finger_bends(points_norm: np.ndarray, image_size_wh: tuple[int, int] = (1, 1)) -> dict[str, float]:
    """Total bend (degrees) of each finger, thumb first, from (21, >=3) landmarks."""
    p = _isotropic(points_norm, image_size_wh)
    out = {"thumb": _bends_deg(p, THUMB)}
    for name, (mcp, pip, dip, tip) in FINGERS.items():
        out[name] = _bends_deg(p, (WRIST, mcp, pip, dip, tip))
    return out


def _isotropic(points_norm: np.ndarray, image_size_wh: tuple[int, int]) -> np.ndarray:
    """Normalised (x / w, y / h, z on x's scale) -> one unit on all three axes."""
    w, h = image_size_wh
    p = np.asarray(points_norm, np.float64)[:, :3].copy()
    p[:, 0] *= w
    p[:, 1] *= h
    p[:, 2] *= w
    return p


def classify(points_norm: np.ndarray, image_size_wh: tuple[int, int] = (1, 1)) -> Classification:
    """(21, >=3) landmarks (x, y normalised to a (w, h) frame, z on x's scale) -> gesture.

    Landmarks that are not finite give "None" with score 0.
    """
    pts = np.asarray(points_norm, np.float64)
    if pts.shape[0] != 21 or pts.shape[1] < 3 or not np.isfinite(pts[:, :3]).all():
        return Classification(NONE, 0.0, "?????")
    p = _isotropic(pts, image_size_wh)
    palm = float(np.linalg.norm(p[FINGERS["middle"][0]] - p[WRIST]))
    if palm <= 0:
        return Classification(NONE, 0.0, "?????")
    bends = finger_bends(pts, image_size_wh)
    t_state, t_margin = _state(bends["thumb"], THUMB_EXTENDED_DEG, THUMB_CURLED_DEG)
    clear = float(np.linalg.norm(p[THUMB[3]] - p[FINGERS["middle"][1]])) / palm
    if clear < THUMB_TUCKED_PALMS:
        t_state, t_margin = "C", min(1.0, (THUMB_TUCKED_PALMS - clear) / (THUMB_CLEAR_PALMS - THUMB_TUCKED_PALMS))
    elif t_state == "E" and clear < THUMB_CLEAR_PALMS:
        t_state, t_margin = "?", 0.0
    states = [t_state]
    margins = [t_margin]
    for name in FINGERS:
        s, m = _state(bends[name], EXTENDED_DEG, CURLED_DEG)
        states.append(s)
        margins.append(m)
    code = "".join(states)
    thumb, fingers = code[0], code[1:]

    def score(idx: tuple[int, ...]) -> float:
        return float(min(margins[i] for i in idx))

    index_up = _up_angle_deg(p[8] - p[5]) < UP_CONE_DEG
    thumb_dir = _up_angle_deg(p[4] - p[2])
    if fingers == "EEEE":
        return Classification("Open_Palm", score((1, 2, 3, 4)), code)
    if fingers == "EECC":
        return Classification("Victory", score((1, 2, 3, 4)), code)
    if thumb == "E" and fingers == "ECCE":
        return Classification("ILoveYou", score((0, 1, 2, 3, 4)), code)
    if fingers == "ECCC" and index_up and thumb != "E":
        return Classification("Pointing_Up", score((1, 2, 3, 4)), code)
    if fingers == "CCCC":
        if thumb == "E" and thumb_dir < UP_CONE_DEG:
            return Classification("Thumb_Up", score((0, 1, 2, 3, 4)), code)
        if thumb == "E" and thumb_dir > 180.0 - UP_CONE_DEG:
            return Classification("Thumb_Down", score((0, 1, 2, 3, 4)), code)
        if thumb != "E":
            return Classification("Closed_Fist", score((1, 2, 3, 4)), code)
    return Classification(NONE, 0.0, code)


class GestureDebouncer:
    """Reports a gesture only once it has held.

    ``update(label, timestamp_s)`` -> the reported gesture: the label that makes up at
    least ``min_share`` of the per-frame labels of the last ``window_s`` seconds, once
    those labels span at least ``hold_s``; "None" otherwise. ``fired`` is the gesture
    that became reported on this update ("" when nothing changed), for menus that act on
    the rising edge. ``reset()`` when the hand is lost.
    """

    def __init__(self, hold_s: float = 0.25, window_s: float = 0.4, min_share: float = 0.7):
        if not (0 < hold_s <= window_s):
            raise ValueError(f"need 0 < hold_s <= window_s, got {hold_s}, {window_s}")
        if not (0.5 < min_share <= 1.0):
            raise ValueError(f"min_share must be in (0.5, 1], got {min_share}")
        self.hold_s = float(hold_s)
        self.window_s = float(window_s)
        self.min_share = float(min_share)
        self._samples: deque[tuple[float, str]] = deque()
        self.current = NONE
        self.fired = ""

    def reset(self) -> None:
        self._samples.clear()
        self.current = NONE
        self.fired = ""

    def update(self, label: str, timestamp_s: float) -> str:
        t = float(timestamp_s)
        if self._samples and t < self._samples[-1][0]:
            self._samples.clear()  # time went backwards: a new stream
        self._samples.append((t, label))
        while self._samples and self._samples[0][0] < t - self.window_s:
            self._samples.popleft()
        reported = NONE
        if self._samples[-1][0] - self._samples[0][0] >= self.hold_s - 1e-9:
            counts: dict[str, int] = {}
            for _, lab in self._samples:
                counts[lab] = counts.get(lab, 0) + 1
            best = max(counts, key=counts.__getitem__)
            if counts[best] >= self.min_share * len(self._samples):
                reported = best
        self.fired = reported if reported != self.current and reported != NONE else ""
        self.current = reported
        return reported
