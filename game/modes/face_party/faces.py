"""Cartoon faces (what to copy), drawn with shapes, and the accessories Face Party hands out."""
from __future__ import annotations

import math

import pygame

from game.scenes import theme

SKIN = (255, 214, 170)
EDGE = theme.INK
ACCESSORIES = ("crown", "bunny_ears", "glasses")  # drawn by game.fx.accessories.draw_accessory


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
