"""The look shared by every scene: a bright, friendly palette, big round type, buttons.

Everything here draws on a pygame Surface; nothing holds game state. Fonts are cached
per size because creating a pygame Font costs milliseconds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pygame

# A kid-friendly palette: saturated, high-contrast on a deep purple night sky.
SKY_TOP = (58, 28, 120)
SKY_BOTTOM = (20, 110, 170)
WHITE = (255, 255, 255)
INK = (40, 20, 70)
SUN = (255, 214, 64)
GOLD = (255, 190, 30)
PINK = (255, 92, 170)
MINT = (70, 230, 160)
SKY = (90, 200, 255)
ORANGE = (255, 140, 50)
RED = (255, 80, 80)
GREEN = (80, 225, 110)
LILAC = (190, 150, 255)
SHADOW = (20, 8, 40)

TIER_COLOURS = {
    "PERFECT": (255, 214, 64),
    "GREAT": (80, 225, 110),
    "GOOD": (90, 200, 255),
    "OK": (255, 140, 50),
    "MISS": (200, 190, 220),
}
TIER_WORDS = {  # what a six-year-old reads: encouraging, never "fail"
    "PERFECT": "PERFECT!",
    "GREAT": "GREAT!",
    "GOOD": "GOOD!",
    "OK": "OK!",
    "MISS": "Keep going!",
}


@lru_cache(maxsize=64)
def font(size_px: int, bold: bool = True) -> pygame.font.Font:
    """pygame's bundled font (no download); bold reads better for young children."""
    if not pygame.font.get_init():
        pygame.font.init()
    f = pygame.font.Font(None, size_px)
    f.set_bold(bold)
    return f


# pygame's bundled font covers Latin letters only; a title or a child's name in another
# script (Greek, Cyrillic, ...) is drawn with DejaVu Sans Bold, which ships inside
# matplotlib (a dependency), instead of as empty boxes.
WIDE_SCRIPT_FROM = 0x0250  # past Latin Extended-B


def _needs_wide(msg: str) -> bool:
    return any(ord(ch) >= WIDE_SCRIPT_FROM for ch in msg)


@lru_cache(maxsize=1)
def _wide_font_path() -> str | None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("matplotlib")  # found, not imported: no start-up cost
    for root in (spec.submodule_search_locations or []) if spec else []:
        p = Path(root) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
        if p.is_file():
            return str(p)
    return None


@lru_cache(maxsize=64)
def _wide_font(size_px: int) -> pygame.font.Font:
    path = _wide_font_path()
    if path is None:
        return font(size_px)
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(path, max(8, int(size_px * 0.72)))  # DejaVu runs larger at one size


def font_for(msg: str, size_px: int) -> pygame.font.Font:
    """The font that can draw ``msg``: the game's own, or the wide-coverage one."""
    return _wide_font(size_px) if _needs_wide(msg) else font(size_px)


def text(
    surface: pygame.Surface,
    msg: str,
    size_px: int,
    colour: tuple[int, int, int],
    centre: tuple[float, float] | None = None,
    *,
    topleft: tuple[float, float] | None = None,
    shadow: bool = True,
    outline_px: int = 0,
) -> pygame.Rect:
    """Draw text with a soft drop shadow (and an optional outline); returns its rect.

    The rendered label is cached: most labels repeat every frame, and font rendering is the
    biggest cost of a HUD frame.
    """
    img, ox, oy = _label(msg, int(size_px), tuple(colour), bool(shadow), int(outline_px))
    w, h = img.get_width() - ox * 2, img.get_height() - oy * 2
    rect = pygame.Rect(0, 0, w, h)
    if centre is not None:
        rect.center = (int(centre[0]), int(centre[1]))
    elif topleft is not None:
        rect.topleft = (int(topleft[0]), int(topleft[1]))
    surface.blit(img, rect.move(-ox, -oy))
    return rect


@lru_cache(maxsize=1024)
def _label(msg: str, size_px: int, colour: tuple[int, int, int], shadow: bool,
           outline_px: int) -> tuple[pygame.Surface, int, int]:
    """(image, x margin, y margin): the text with its outline/shadow baked in."""
    f = font_for(msg, size_px)
    img = f.render(msg, True, colour)
    w, h = img.get_size()
    pad = max(outline_px, max(2, size_px // 20) if shadow else 0)
    out = pygame.Surface((w + 2 * pad, h + 2 * pad), pygame.SRCALPHA)
    if outline_px:
        edge = f.render(msg, True, INK)
        for dx in (-outline_px, 0, outline_px):
            for dy in (-outline_px, 0, outline_px):
                if dx or dy:
                    out.blit(edge, (pad + dx, pad + dy))
    elif shadow:
        d = max(2, size_px // 20)
        out.blit(f.render(msg, True, SHADOW), (pad + d, pad + d))
    out.blit(img, (pad, pad))
    return out, pad, pad


@lru_cache(maxsize=8)
def _sky(size: tuple[int, int]) -> pygame.Surface:
    w, h = size
    surf = pygame.Surface(size)
    for y in range(h):
        a = y / max(1, h - 1)
        c = tuple(int(SKY_TOP[i] * (1 - a) + SKY_BOTTOM[i] * a) for i in range(3))
        pygame.draw.line(surf, c, (0, y), (w, y))
    # Soft polka dots make the background playful without competing with the dancer.
    rng = [(int((i * 7919) % w), int((i * 104729) % h), 6 + (i * 31) % 22) for i in range(40)]
    dots = pygame.Surface(size, pygame.SRCALPHA)
    for x, y, r in rng:
        pygame.draw.circle(dots, (255, 255, 255, 22), (x, y), r)
    surf.blit(dots, (0, 0))
    return surf.convert() if pygame.display.get_surface() else surf


def background(surface: pygame.Surface, time_s: float = 0.0) -> None:
    """The night-sky gradient with drifting twinkles; cheap (one blit plus a few circles)."""
    surface.blit(_sky(surface.get_size()), (0, 0))
    w, h = surface.get_size()
    for i in range(14):
        phase = time_s * (0.6 + 0.1 * i) + i
        x = (i * 97 + time_s * 12 * (1 + i % 3)) % w
        y = (i * 53) % (h // 2) + 20
        r = 2 + 2 * (0.5 + 0.5 * math.sin(phase * 2))
        pygame.draw.circle(surface, SUN if i % 3 == 0 else WHITE, (int(x), int(y)), int(r))


def panel(surface: pygame.Surface, rect: pygame.Rect, colour=(255, 255, 255), alpha: int = 40,
          radius_px: int = 24, border: tuple[int, int, int] | None = None, border_px: int = 0) -> None:
    """A translucent rounded card."""
    surface.blit(_panel(tuple(rect.size), tuple(colour), int(alpha), int(radius_px),
                        None if border is None else tuple(border), int(border_px)), rect)


@lru_cache(maxsize=64)
def _panel(size: tuple[int, int], colour, alpha: int, radius_px: int, border, border_px: int) -> pygame.Surface:
    card = pygame.Surface(size, pygame.SRCALPHA)
    pygame.draw.rect(card, (*colour, alpha), card.get_rect(), border_radius=radius_px)
    if border is not None and border_px:
        pygame.draw.rect(card, (*border, 255), card.get_rect(), border_px, border_radius=radius_px)
    return card


def star(surface: pygame.Surface, centre: tuple[float, float], radius_px: float,
         colour=SUN, filled: bool = True, spin_rad: float = 0.0) -> None:
    """A five-pointed star (outlined when not earned)."""
    cx, cy = centre
    pts = []
    for k in range(10):
        r = radius_px if k % 2 == 0 else radius_px * 0.45
        a = -math.pi / 2 + spin_rad + k * math.pi / 5
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    if filled:
        pygame.draw.polygon(surface, colour, pts)
        pygame.draw.polygon(surface, INK, pts, max(2, int(radius_px / 10)))
    else:
        pygame.draw.polygon(surface, (255, 255, 255), pts, max(2, int(radius_px / 10)))


@dataclass
class Button:
    """A big rounded button a child can hit with a mouse; keyboard selects it via ``focused``."""

    label: str
    rect: pygame.Rect
    colour: tuple[int, int, int] = PINK
    focused: bool = False

    def hit(self, pos: tuple[int, int]) -> bool:
        return self.rect.collidepoint(pos)

    def draw(self, surface: pygame.Surface, time_s: float = 0.0) -> None:
        r = self.rect.copy()
        if self.focused:  # a gentle bounce shows which button Enter will press
            r = r.inflate(int(8 + 6 * math.sin(time_s * 6)), int(8 + 6 * math.sin(time_s * 6)))
        pygame.draw.rect(surface, SHADOW, r.move(0, 6), border_radius=r.height // 2)
        pygame.draw.rect(surface, self.colour, r, border_radius=r.height // 2)
        pygame.draw.rect(surface, WHITE if self.focused else INK, r, 4, border_radius=r.height // 2)
        text(surface, self.label, int(r.height * 0.55), WHITE, r.center, outline_px=2)


def fit(message: str, size: int, max_width_px: int, min_size: int = 16) -> int:
    """The largest font size <= ``size`` at which ``message`` is at most max_width_px wide
    (never below min_size): banners shrink their words rather than spill out."""
    while size > min_size and font_for(message, size).size(message)[0] > max_width_px:
        size -= 2
    return size


def wrap(message: str, size: int, max_width_px: int) -> list[str]:
    """Break ``message`` into lines no wider than max_width_px in font ``size``; a word
    longer than the width gets a line of its own."""
    lines: list[str] = []
    line = ""
    for word in message.split():
        candidate = (line + " " + word).strip()
        if font_for(candidate, size).size(candidate)[0] > max_width_px and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    return lines
