"""Cartoon faces (what to copy) and accessories (crown, bunny ears, glasses) drawn with shapes."""
from __future__ import annotations

import math

import numpy as np
import pygame

from game.scenes import theme

SKIN = (255, 214, 170)
EDGE = theme.INK
ACCESSORIES = ("crown", "bunny_ears", "glasses")


def draw_face(surface, cue: str, centre: tuple[int, int], radius_px: int) -> None:
    """The face a cue asks for: big_o, smile, eyebrows_up, wink, head_tilt."""
    size = radius_px * 2 + 8
    face = pygame.Surface((size, size), pygame.SRCALPHA)
    c = (size // 2, size // 2)
    r = radius_px
    pygame.draw.circle(face, SKIN, c, r)
    pygame.draw.circle(face, EDGE, c, r, 4)
    ex, ey, er = int(r * 0.38), int(c[1] - r * 0.18), max(3, int(r * 0.12))
    brow_y = ey - int(r * (0.42 if cue == "eyebrows_up" else 0.25))
    for side in (-1, 1):
        x = c[0] + side * ex
        if cue == "wink" and side == 1:
            pygame.draw.arc(face, EDGE, pygame.Rect(x - er * 2, ey - er, er * 4, er * 2), math.pi, 2 * math.pi, 4)
        else:
            pygame.draw.circle(face, EDGE, (x, ey), er * (2 if cue == "eyebrows_up" else 1) if cue == "eyebrows_up" else er)
            if cue == "eyebrows_up":
                pygame.draw.circle(face, theme.WHITE, (x, ey), er * 2 - 3)
                pygame.draw.circle(face, EDGE, (x, ey), er)
        pygame.draw.line(face, EDGE, (x - er * 2, brow_y + (0 if cue != "eyebrows_up" else side * 2)),
                         (x + er * 2, brow_y - (0 if cue != "eyebrows_up" else side * 2)), 5)
    my = c[1] + int(r * 0.42)
    if cue == "big_o":
        pygame.draw.ellipse(face, EDGE, pygame.Rect(c[0] - int(r * 0.2), my - int(r * 0.24), int(r * 0.4), int(r * 0.48)))
    elif cue == "smile" or cue == "head_tilt":
        pygame.draw.arc(face, EDGE, pygame.Rect(c[0] - int(r * 0.45), my - int(r * 0.45), int(r * 0.9), int(r * 0.6)),
                        math.pi * 1.1, math.pi * 1.9, 6)
    else:
        pygame.draw.line(face, EDGE, (c[0] - int(r * 0.2), my), (c[0] + int(r * 0.2), my), 5)
    if cue == "head_tilt":
        face = pygame.transform.rotate(face, 22)
    surface.blit(face, face.get_rect(center=centre))


def _rot(points, centre, angle_rad):
    ca, sa = math.cos(angle_rad), math.sin(angle_rad)
    cx, cy = centre
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in points]


def draw_accessory(surface, kind: str, eyes_px: np.ndarray, forehead_px: np.ndarray) -> None:
    """``kind`` on a head seen on screen: eyes_px (2, 2) the two outer eye corners (screen
    px, either order), forehead_px (2,) the top of the forehead. Follows size and tilt."""
    (x0, y0), (x1, y1) = sorted(eyes_px.tolist())
    iod = math.hypot(x1 - x0, y1 - y0)
    if iod < 4:
        return
    angle = math.atan2(y1 - y0, x1 - x0)
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    if kind == "glasses":
        r = iod * 0.28
        for ex, ey in ((x0 + 0.2 * (x1 - x0), y0 + 0.2 * (y1 - y0)), (x1 - 0.2 * (x1 - x0), y1 - 0.2 * (y1 - y0))):
            pygame.draw.circle(surface, (40, 40, 60), (int(ex), int(ey)), int(r), max(3, int(iod / 14)))
        a, b = _rot([(-iod * 0.08, 0), (iod * 0.08, 0)], mid, angle)
        pygame.draw.line(surface, (40, 40, 60), a, b, max(3, int(iod / 14)))
        return
    top = (float(forehead_px[0]), float(forehead_px[1]))
    if kind == "crown":
        w, h = iod * 1.3, iod * 0.6
        pts = [(-w / 2, 0), (-w / 2, -h), (-w / 4, -h * 0.5), (0, -h * 1.1), (w / 4, -h * 0.5), (w / 2, -h), (w / 2, 0)]
        poly = _rot(pts, top, angle)
        pygame.draw.polygon(surface, theme.GOLD, poly)
        pygame.draw.polygon(surface, EDGE, poly, 3)
        for x in (-w / 2, 0, w / 2):
            (jx, jy), = _rot([(x, -h * (1.1 if x == 0 else 1.0))], top, angle)
            pygame.draw.circle(surface, theme.PINK, (int(jx), int(jy)), max(3, int(iod / 10)))
    elif kind == "bunny_ears":
        for side in (-1, 1):
            base = _rot([(side * iod * 0.35, -iod * 0.1)], top, angle)[0]
            ear = pygame.Surface((int(iod * 0.5), int(iod * 1.4)), pygame.SRCALPHA)
            er = ear.get_rect()
            pygame.draw.ellipse(ear, theme.WHITE, er)
            pygame.draw.ellipse(ear, EDGE, er, 3)
            pygame.draw.ellipse(ear, (255, 170, 200), er.inflate(-er.width // 2, -er.height // 4))
            ear = pygame.transform.rotate(ear, -math.degrees(angle) - side * 12)
            surface.blit(ear, ear.get_rect(midbottom=(int(base[0]), int(base[1] + iod * 0.2))))
