"""Hand-sign pictures drawn with shapes (the bundled font has no emoji): a child reads the
sign, not a word."""
from __future__ import annotations

import pygame

from game.scenes import theme

SKIN = (255, 214, 170)
EDGE = theme.INK


def _finger(surface, base: tuple[float, float], length: float, width: float, up: bool = True) -> None:
    x, y = base
    r = pygame.Rect(0, 0, int(width), int(length))
    r.midbottom = (int(x), int(y)) if up else (int(x), int(y + length))
    pygame.draw.rect(surface, SKIN, r, border_radius=int(width / 2))
    pygame.draw.rect(surface, EDGE, r, 3, border_radius=int(width / 2))


def draw_sign(surface, gesture: str, centre: tuple[int, int], size_px: int, flip: bool = False) -> None:
    """``gesture``: Thumb_Up, Victory, Open_Palm, Closed_Fist, Pointing_Up."""
    cx, cy = centre
    s = size_px / 100.0
    palm = pygame.Rect(0, 0, int(56 * s), int(50 * s))
    palm.center = (cx, int(cy + 18 * s))
    fw, fl = 13 * s, 40 * s
    xs = [palm.x + (8 + 13 * k) * s for k in range(4)]
    extended = {"Victory": (1, 2), "Open_Palm": (0, 1, 2, 3), "Pointing_Up": (1,)}.get(gesture, ())
    order = [3, 2, 1, 0] if flip else [0, 1, 2, 3]
    for k, x in zip(order, xs):
        idx = 3 - k  # index finger nearest the thumb
        if idx in extended:
            _finger(surface, (x + fw / 2, palm.y + 6 * s), fl * (0.85 if idx in (0, 3) else 1.0), fw)
    pygame.draw.rect(surface, SKIN, palm, border_radius=int(16 * s))
    pygame.draw.rect(surface, EDGE, palm, 3, border_radius=int(16 * s))
    if not extended:  # curled fingers: knuckle lines
        for x in xs[1:]:
            pygame.draw.line(surface, EDGE, (x, palm.y + 4 * s), (x, palm.y + 18 * s), 3)
    tx = palm.right - 4 * s if not flip else palm.x + 4 * s
    if gesture == "Thumb_Up":
        _finger(surface, (tx - (6 * s if not flip else -6 * s), palm.y + 12 * s), 36 * s, 21 * s)  # a fat thumb reads as one
    elif gesture == "Open_Palm":
        r = pygame.Rect(0, 0, int(34 * s), int(14 * s))
        r.midleft = (int(palm.right - 6 * s), int(palm.centery)) if not flip else (0, 0)
        if flip:
            r.midright = (int(palm.x + 6 * s), int(palm.centery))
        pygame.draw.rect(surface, SKIN, r, border_radius=int(7 * s))
        pygame.draw.rect(surface, EDGE, r, 3, border_radius=int(7 * s))
    else:
        r = pygame.Rect(0, 0, int(14 * s), int(26 * s))
        r.center = (int(tx), int(palm.centery))
        pygame.draw.rect(surface, SKIN, r, border_radius=int(7 * s))
        pygame.draw.rect(surface, EDGE, r, 3, border_radius=int(7 * s))
