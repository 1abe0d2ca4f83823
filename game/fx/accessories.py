"""Accessories a child wears on the camera view: a crown, bunny ears, glasses, sunglasses, a
star wand. Drawn procedurally with pygame (nothing downloaded), anchored to tracked
landmarks so they follow the child's size, position and head tilt.

Two anchors:
  head  eyes_px (2, 2) the two outer eye corners and forehead_px (2,) the top of the
        forehead, in screen pixels (from the face mesh, or estimated from the body pose's
        face points by ``head_from_body``);
  hand  wrist_px (2,) and elbow_px (2,) of one arm (``hand_from_body``): the wand points
        along the forearm.

``Rewards`` turns a dance's judgements into accessories won: a streak of PERFECT moves or a
gold move danced GREAT or better earns the next one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame

from pose.landmarks import INDEX

GOLD = (255, 200, 40)
PINK = (255, 92, 170)
WHITE = (255, 255, 255)
EDGE = (58, 34, 48)
LENS = (30, 30, 50)

SPAN_OF_SHOULDERS = 0.45  # the smallest eye span head prizes are drawn for, x shoulder width (cartoon-big on a far child)
HEAD_KINDS = ("crown", "bunny_ears", "glasses", "sunglasses")
HAND_KINDS = ("star_wand",)
KINDS = HEAD_KINDS + HAND_KINDS
NAMES = {"crown": "a crown", "bunny_ears": "bunny ears", "glasses": "glasses", "sunglasses": "sunglasses",
         "star_wand": "a star wand"}


def _rot(points, centre, angle_rad):
    ca, sa = math.cos(angle_rad), math.sin(angle_rad)
    cx, cy = centre
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in points]


def star_points(cx: float, cy: float, r_out: float, r_in: float, rot_rad: float = 0.0) -> list[tuple[float, float]]:
    """A five-pointed star's 10 corners, first point up (rot_rad 0)."""
    out = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = -math.pi / 2 + rot_rad + k * math.pi / 5
        out.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return out


def draw_accessory(surface: pygame.Surface, kind: str, eyes_px: np.ndarray, forehead_px: np.ndarray) -> None:
    """A head accessory (one of HEAD_KINDS) on a head seen on screen: eyes_px (2, 2) the two
    outer eye corners (screen px, either order), forehead_px (2,) the top of the forehead.
    Follows size and tilt."""
    (x0, y0), (x1, y1) = sorted(np.asarray(eyes_px, np.float64).tolist())
    iod = math.hypot(x1 - x0, y1 - y0)
    if iod < 4 or not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return
    angle = math.atan2(y1 - y0, x1 - x0)
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    line_px = max(3, int(iod / 14))
    if kind in ("glasses", "sunglasses"):
        r = iod * (0.28 if kind == "glasses" else 0.33)
        for ex, ey in ((x0 + 0.2 * (x1 - x0), y0 + 0.2 * (y1 - y0)), (x1 - 0.2 * (x1 - x0), y1 - 0.2 * (y1 - y0))):
            if kind == "sunglasses":
                lens = _rot([(-r, -r * 0.7), (r, -r * 0.7), (r * 0.8, r * 0.6), (-r * 0.8, r * 0.6)], (ex, ey), angle)
                pygame.draw.polygon(surface, LENS, lens)
                pygame.draw.polygon(surface, PINK, lens, line_px)
                shine = _rot([(-r * 0.55, -r * 0.35), (-r * 0.1, -r * 0.35)], (ex, ey), angle)
                pygame.draw.line(surface, WHITE, shine[0], shine[1], max(2, line_px - 1))
            else:
                pygame.draw.circle(surface, (40, 40, 60), (int(ex), int(ey)), int(r), line_px)
        a, b = _rot([(-iod * 0.08, 0), (iod * 0.08, 0)], mid, angle)
        pygame.draw.line(surface, PINK if kind == "sunglasses" else (40, 40, 60), a, b, line_px)
        return
    top = (float(forehead_px[0]), float(forehead_px[1]))
    if not all(math.isfinite(v) for v in top):
        return
    if kind == "crown":
        w, h = iod * 1.3, iod * 0.6
        pts = [(-w / 2, 0), (-w / 2, -h), (-w / 4, -h * 0.5), (0, -h * 1.1), (w / 4, -h * 0.5), (w / 2, -h), (w / 2, 0)]
        poly = _rot(pts, top, angle)
        pygame.draw.polygon(surface, GOLD, poly)
        pygame.draw.polygon(surface, EDGE, poly, 3)
        for x in (-w / 2, 0, w / 2):
            (jx, jy), = _rot([(x, -h * (1.1 if x == 0 else 1.0))], top, angle)
            pygame.draw.circle(surface, PINK, (int(jx), int(jy)), max(3, int(iod / 10)))
    elif kind == "bunny_ears":
        for side in (-1, 1):
            base = _rot([(side * iod * 0.35, -iod * 0.1)], top, angle)[0]
            ear = pygame.Surface((max(2, int(iod * 0.5)), max(2, int(iod * 1.4))), pygame.SRCALPHA)
            er = ear.get_rect()
            pygame.draw.ellipse(ear, WHITE, er)
            pygame.draw.ellipse(ear, EDGE, er, 3)
            pygame.draw.ellipse(ear, (255, 170, 200), er.inflate(-er.width // 2, -er.height // 4))
            ear = pygame.transform.rotate(ear, -math.degrees(angle) - side * 12)
            surface.blit(ear, ear.get_rect(midbottom=(int(base[0]), int(base[1] + iod * 0.2))))


def draw_wand(surface: pygame.Surface, wrist_px: np.ndarray, elbow_px: np.ndarray, t_s: float = 0.0) -> None:
    """A star wand held in the hand at ``wrist_px``, pointing on along the forearm from
    ``elbow_px``; its star twinkles with ``t_s``."""
    w, e = np.asarray(wrist_px, np.float64), np.asarray(elbow_px, np.float64)
    if not (np.isfinite(w).all() and np.isfinite(e).all()):
        return
    d = w - e
    fore = float(np.hypot(*d))
    if fore < 6:
        return
    u = d / fore
    hand = w + u * fore * 0.25  # the hand sits a little past the wrist point
    tip = hand + u * fore * 0.85
    stick_px = max(3, int(fore / 12))
    pygame.draw.line(surface, EDGE, hand, tip, stick_px + 4)
    pygame.draw.line(surface, WHITE, hand, tip, stick_px)
    r = fore * 0.32
    spin = 0.4 * math.sin(t_s * 3.0)
    star = star_points(float(tip[0]), float(tip[1]), r, r * 0.45, spin)
    pygame.draw.polygon(surface, GOLD, star)
    pygame.draw.polygon(surface, EDGE, star, 3)
    for k in range(3):  # sparkles around the star
        a = t_s * 2.0 + k * 2.1
        sx, sy = tip[0] + math.cos(a) * r * 1.5, tip[1] + math.sin(a) * r * 1.5
        s = max(2, int(r * 0.22 * (0.6 + 0.4 * math.sin(t_s * 6 + k))))
        pygame.draw.line(surface, WHITE, (sx - s, sy), (sx + s, sy), 2)
        pygame.draw.line(surface, WHITE, (sx, sy - s), (sx, sy + s), 2)


def _visible(lm: np.ndarray, names: tuple[str, ...], min_visibility: float) -> bool:
    if lm.shape[1] < 4:
        return bool(np.isfinite(lm[[INDEX[n] for n in names], :2]).all())
    return all(float(lm[INDEX[n], 3]) >= min_visibility for n in names)


def head_from_body(landmarks: np.ndarray, to_px, min_visibility: float = 0.5) -> tuple[np.ndarray, np.ndarray] | None:
    """(eyes_px (2, 2), forehead_px (2,)) for ``draw_accessory``, from a body pose, or None
    when the head is not seen. landmarks: (33, C>=2) pose landmarks (x, y normalised, col 3
    visibility when present); to_px(x_norm, y_norm) -> (x, y) screen px (mirroring is its
    business).

    The body model's face points are a few pixels apart on a child dancing metres away, and
    a head turned sideways puts both eyes on one line: so "up" is the mean of the shoulders'
    midpoint -> nose and mouth -> eyes directions, the eye span is the measured one but at least SPAN_OF_SHOULDERS of the
    shoulders (a cartoon prize may be bigger than a far head), laid across "up" through the
    eyes' midpoint; the forehead sits 1.1 spans above it."""
    lm = np.asarray(landmarks, np.float64)
    names = ("nose", "left_eye_outer", "right_eye_outer", "mouth_left", "mouth_right", "left_shoulder",
             "right_shoulder")
    if lm.ndim != 2 or lm.shape[0] < 33 or not _visible(lm, names, min_visibility):
        return None
    p = lambda n: np.asarray(to_px(lm[INDEX[n], 0], lm[INDEX[n], 1]), np.float64)
    eye_l, eye_r, nose = p("left_eye_outer"), p("right_eye_outer"), p("nose")
    neck = (p("left_shoulder") + p("right_shoulder")) / 2
    mid = (eye_l + eye_r) / 2
    mouth = (p("mouth_left") + p("mouth_right")) / 2
    shoulders = float(np.hypot(*(p("left_shoulder") - p("right_shoulder"))))
    # Two estimates of "up", averaged: the neck -> nose line (robust on a far body) and the
    # mouth -> eyes line (follows the head's own tilt).
    ups = [v / float(np.hypot(*v)) for v in (nose - neck, mid - mouth) if float(np.hypot(*v)) > 1e-6]
    if not ups:
        return None
    up = np.mean(ups, axis=0)
    norm = float(np.hypot(*up))
    if not np.isfinite(up).all() or norm < 1e-6:
        return None
    u = up / norm
    across = np.array([-u[1], u[0]])
    span = max(float(np.hypot(*(eye_r - eye_l))), SPAN_OF_SHOULDERS * shoulders)
    eyes = np.stack([mid - across * span / 2, mid + across * span / 2])
    forehead = mid + u * span * 1.1
    if not np.isfinite(eyes).all() or not np.isfinite(forehead).all():
        return None
    return eyes, forehead


def hand_from_body(landmarks: np.ndarray, to_px, side: str = "right",
                   min_visibility: float = 0.5) -> tuple[np.ndarray, np.ndarray] | None:
    """(wrist_px, elbow_px) of the person's own ``side`` arm, or None when it is not seen."""
    lm = np.asarray(landmarks, np.float64)
    names = (f"{side}_wrist", f"{side}_elbow")
    if lm.ndim != 2 or lm.shape[0] < 33 or not _visible(lm, names, min_visibility):
        return None
    w, e = (np.asarray(to_px(lm[INDEX[n], 0], lm[INDEX[n], 1]), np.float64) for n in names)
    return w, e


@dataclass(frozen=True)
class Won:
    """One accessory won: kind (one of KINDS), move_index it was won on, why ("streak"/"gold")."""

    kind: str
    move_index: int
    why: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown accessory {self.kind!r}; known: {', '.join(KINDS)}")
        if self.why not in ("streak", "gold"):
            raise ValueError(f"why must be 'streak' or 'gold', got {self.why!r}")


class Rewards:
    """Accessories earned while dancing, in ORDER: a PERFECT streak of ``streak`` moves, or a
    gold move danced GREAT or better, wins the next one. Once all are won, nothing more.
    Feed it judgements (``on_judgement``); ``won`` lists what the child wears; ``new`` is the
    latest win not yet announced (``take_new``)."""

    ORDER = ("crown", "sunglasses", "star_wand")

    def __init__(self, streak: int = 3, order: tuple[str, ...] = ORDER) -> None:
        if streak < 1:
            raise ValueError(f"streak must be >= 1, got {streak}")
        bad = [k for k in order if k not in KINDS]
        if bad or not order:
            raise ValueError(f"order must be some of {KINDS}, got {order}")
        self.streak = int(streak)
        self.order = tuple(order)
        self.won: list[Won] = []
        self._run = 0
        self._new: Won | None = None

    def on_judgement(self, j) -> Won | None:
        """Count one judgement (scoring.events.Judgement); the accessory it wins, or None."""
        from scoring.events import Tier

        self._run = self._run + 1 if j.tier == Tier.PERFECT else 0
        why = None
        if j.gold and j.tier >= Tier.GREAT:
            why = "gold"
        elif self._run >= self.streak:
            why = "streak"
        if why is None or len(self.won) >= len(self.order):
            return None
        if why == "streak":
            self._run = 0  # the next streak starts afresh
        w = Won(self.order[len(self.won)], int(j.move_index), why)
        self.won.append(w)
        self._new = w
        return w

    def take_new(self) -> Won | None:
        w, self._new = self._new, None
        return w

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(w.kind for w in self.won)
