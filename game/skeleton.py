"""Stick figures: the child's live skeleton (limbs green/red by part score) and small
pictogram figures for move cards and a drawn coach.

Landmarks arrive as (33, 2) normalised image coordinates plus (33,) visibility; these
functions only map them into a screen rect and draw.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pygame

from pose.landmarks import LIMBS

# Which body part each bone of LIMBS belongs to (same order as LIMBS).
LIMB_PARTS: tuple[str, ...] = (
    "torso", "torso", "torso", "torso",
    "left_arm", "left_arm", "left_arm",
    "right_arm", "right_arm", "right_arm",
    "left_leg", "left_leg", "left_leg",
    "right_leg", "right_leg", "right_leg",
    "head", "head",
)
assert len(LIMB_PARTS) == len(LIMBS)

GOOD_AT = 0.6  # part score (0..1) from which a limb glows green
BAD_BELOW = 0.35  # below this a limb glows red; in between, sunny yellow
GREEN = (80, 235, 110)
YELLOW = (255, 214, 64)
RED = (255, 70, 80)
NEUTRAL = (255, 255, 255)
MIN_VISIBILITY = 0.3


def part_colour(score: float | None) -> tuple[int, int, int]:
    """Green / yellow / red for a part score in 0..1; white when not scored."""
    if score is None or not np.isfinite(score):
        return NEUTRAL
    if score >= GOOD_AT:
        return GREEN
    if score < BAD_BELOW:
        return RED
    return YELLOW


def to_screen(xy_norm: np.ndarray, rect: pygame.Rect, *, mirror: bool = False) -> np.ndarray:
    """(33, 2) normalised coordinates -> (33, 2) pixels inside ``rect`` (x flipped if mirror)."""
    xy = np.asarray(xy_norm, dtype=np.float32)[:, :2].copy()
    if mirror:
        xy[:, 0] = 1.0 - xy[:, 0]
    return xy * np.array([rect.width, rect.height], np.float32) + np.array([rect.x, rect.y], np.float32)


def draw_skeleton(
    surface: pygame.Surface,
    landmarks: np.ndarray,
    rect: pygame.Rect,
    part_scores: Mapping[str, float] | None = None,
    *,
    mirror: bool = False,
    width_px: int = 10,
) -> int:
    """Draw a player's skeleton over their camera view; returns the number of bones drawn.

    landmarks: (33, 4) x, y normalised to the camera frame, z, visibility.
    part_scores: body part -> 0..1 (None: all limbs white).
    """
    lm = np.asarray(landmarks, dtype=np.float32)
    if lm.shape[0] != 33 or not np.isfinite(lm[:, :2]).all():
        return 0
    pts = to_screen(lm[:, :2], rect, mirror=mirror).tolist()  # pygame wants plain floats
    vis = lm[:, 3] if lm.shape[1] > 3 else np.ones(33, np.float32)
    drawn = 0
    for (a, b), part in zip(LIMBS, LIMB_PARTS):
        if vis[a] < MIN_VISIBILITY or vis[b] < MIN_VISIBILITY:
            continue
        colour = part_colour(None if part_scores is None else part_scores.get(part))
        pa, pb = pts[a], pts[b]
        pygame.draw.line(surface, (20, 8, 40), pa, pb, width_px + 6)  # dark edge: readable on any video
        pygame.draw.line(surface, colour, pa, pb, width_px)
        drawn += 1
    for i in (11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28):
        if vis[i] >= MIN_VISIBILITY:
            pygame.draw.circle(surface, (255, 255, 255), pts[i], width_px * 0.7)
    if vis[0] >= MIN_VISIBILITY:
        pygame.draw.circle(surface, (255, 255, 255), pts[0], width_px * 1.6, max(3, width_px // 2))
    return drawn


def fit_pose(xy_norm: np.ndarray, rect: pygame.Rect, margin: float = 0.12, aspect: float = 1.0) -> np.ndarray:
    """Scale a pose's bounding box into ``rect`` keeping proportions; (33, 2) -> (33, 2) px.

    aspect: width/height of the source image (normalised x and y have different pixel scales).
    """
    xy = np.asarray(xy_norm, dtype=np.float32)[:, :2] * np.array([aspect, 1.0], np.float32)
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    span = np.maximum(hi - lo, 1e-3)
    inner = np.array([rect.width, rect.height], np.float32) * (1 - 2 * margin)
    scale = float(np.min(inner / span))
    centre = (lo + hi) / 2
    return (xy - centre) * scale + np.array(rect.center, np.float32)


def draw_figure(
    surface: pygame.Surface,
    landmarks: np.ndarray,
    rect: pygame.Rect,
    highlight: Mapping[str, float] | None = None,
    *,
    aspect: float = 1.0,
    mirror: bool = False,
    body_colour=(235, 230, 250),
    glow_colour=(255, 92, 170),
    width_px: int = 6,
) -> bool:
    """A friendly pictogram: scored parts (``highlight`` keys) in ``glow_colour``, the rest pale.

    landmarks: (33, >=2) normalised; returns False (nothing drawn) for a missing pose.
    """
    lm = np.asarray(landmarks, dtype=np.float32)
    if lm.ndim != 2 or lm.shape[0] != 33 or not np.isfinite(lm[:, :2]).all():
        return False
    xy = lm[:, :2].copy()
    if mirror:
        xy[:, 0] = 1.0 - xy[:, 0]
    pts_np = fit_pose(xy, rect, aspect=aspect)
    pts = pts_np.tolist()  # pygame wants plain floats
    scored = set(highlight or ())
    for (a, b), part in zip(LIMBS, LIMB_PARTS):
        if part == "head":
            continue
        colour = glow_colour if part in scored else body_colour
        pygame.draw.line(surface, colour, pts[a], pts[b], width_px + (2 if part in scored else 0))
        pygame.draw.circle(surface, colour, pts[b], (width_px + 1) // 2)
    head_r = max(4.0, float(np.linalg.norm(pts_np[11] - pts_np[12])) * 0.45)
    neck = (pts_np[11] + pts_np[12]) / 2
    head = pts_np[0] if np.linalg.norm(pts_np[0] - neck) > head_r else neck - np.array([0, head_r * 1.4])
    pygame.draw.circle(surface, glow_colour if "head" in scored else body_colour, head.tolist(), head_r)
    return True
