"""The play screen's heads-up display: score bar, stars, combo, tier pop-ups, prompts.

The HUD subscribes to judgements (``on_judgement``) and animates on song-independent time
(``update(dt_s)``); it never computes a score: the points it shows are the scorer's
(``ScoreProcessor.points``, which only grow), its stars the stars those points have
already earned.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from game.scenes import theme
from scoring import judge
from scoring.events import Judgement, Tier

POPUP_LIFE_S = 1.1
COUNT_UP_PER_S = 8.0  # the shown points close this fraction of the gap per second (a quick count-up)


@dataclass
class Popup:
    """A tier word that pops, floats up and fades."""

    word: str
    colour: tuple[int, int, int]
    x_px: float
    y_px: float
    big: bool
    age_s: float = 0.0

    @property
    def alive(self) -> bool:
        return self.age_s < POPUP_LIFE_S


class Hud:
    """Running totals and pop-ups for the play scene.

    ``popup_anchor`` is where tier words appear (above the child's camera view).
    """

    def __init__(self, size_px: tuple[int, int], popup_anchor: tuple[int, int], difficulty: str = "normal") -> None:
        self.size_px = size_px
        self.difficulty = difficulty
        self.points = 0  # the scorer's points (set in update)
        self.shown_points = 0.0  # counts up to ``points``
        self.show_score = True  # False while just watching: nothing is being scored
        self.popup_anchor = popup_anchor
        self.combo_pos = (popup_anchor[0], popup_anchor[1] + 200)
        self.popups: list[Popup] = []
        self.combo = 0
        self.judged = 0
        self.last: Judgement | None = None
        self.shown_live_norm = 0.0  # eased live score, so the bar doesn't flicker per frame

    # -- events --------------------------------------------------------------------------
    def on_judgement(self, j: Judgement) -> None:
        self.judged += 1
        self.combo = j.combo if j.combo else (self.combo + 1 if j.tier >= Tier.GOOD else 0)
        self.last = j
        name = j.tier.name
        word = theme.TIER_WORDS[name] + (" GOLD!" if j.gold and j.tier >= Tier.GREAT else "")
        x, y = self.popup_anchor
        self.popups.append(Popup(word, theme.TIER_COLOURS[name], x, y, big=j.tier == Tier.PERFECT or j.gold))

    @property
    def stars(self) -> int:
        """Stars the points have earned so far: the final total can only be higher."""
        return judge.stars_for(100.0 * self.points / judge.POINTS_MAX, self.difficulty) if self.judged else 0

    def update(self, dt_s: float, live_score: float | None, points: int | None = None) -> None:
        if points is not None:
            self.points = max(self.points, int(points))
        gap = self.points - self.shown_points
        self.shown_points = float(self.points) if gap < 1 else self.shown_points + max(1.0, gap * min(1.0, dt_s * COUNT_UP_PER_S))
        for p in self.popups:
            p.age_s += dt_s
        self.popups = [p for p in self.popups if p.alive]  # reap after the update loop
        target = 0.0 if live_score is None else max(0.0, min(1.0, float(live_score)))
        self.shown_live_norm += (target - self.shown_live_norm) * min(1.0, dt_s * 8)

    # -- drawing -------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, time_s: float) -> None:
        w, h = surface.get_size()
        if self.show_score:
            self._draw_score(surface, pygame.Rect(w - 330, 16, 310, 110), time_s)
            self._draw_live_bar(surface, pygame.Rect(w - 52, 150, 30, h - 300))
        if self.combo >= 2:
            pulse = 1.0 + 0.08 * math.sin(time_s * 8)
            theme.text(surface, f"{self.combo} in a row!", int(44 * pulse), theme.SUN, self.combo_pos, outline_px=2)
        for p in self.popups:
            self._draw_popup(surface, p)

    def _draw_score(self, surface: pygame.Surface, rect: pygame.Rect, time_s: float) -> None:
        theme.panel(surface, rect, alpha=60, border=theme.WHITE, border_px=3)
        shown = min(self.points, int(self.shown_points))
        theme.text(surface, judge.format_points(shown), 50, theme.WHITE, (rect.x + 78, rect.y + 32), outline_px=2)
        theme.text(surface, "points", 24, theme.WHITE, (rect.x + 78, rect.y + 62), shadow=True)
        for i in range(5):
            theme.star(surface, (rect.x + 166 + i * 30, rect.y + 38), 13, filled=i < self.stars,
                       spin_rad=0.15 * math.sin(time_s * 3 + i) if i < self.stars else 0.0)
        bar = pygame.Rect(rect.x + 16, rect.y + 80, rect.width - 32, 18)
        pygame.draw.rect(surface, theme.SHADOW, bar, border_radius=9)
        fill = bar.copy()
        fill.width = int(bar.width * shown / judge.POINTS_MAX)
        if fill.width > 0:
            pygame.draw.rect(surface, theme.MINT, fill, border_radius=10)
        pygame.draw.rect(surface, theme.WHITE, bar, 2, border_radius=10)

    def _draw_live_bar(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """A tall 'dance meter' that fills while the child matches the coach right now."""
        pygame.draw.rect(surface, theme.SHADOW, rect, border_radius=15)
        v = self.shown_live_norm
        fill = rect.copy()
        fill.height = int(rect.height * v)
        fill.bottom = rect.bottom
        colour = theme.GREEN if v >= 0.6 else theme.SUN if v >= 0.35 else theme.PINK
        if fill.height > 0:
            pygame.draw.rect(surface, colour, fill, border_radius=15)
        pygame.draw.rect(surface, theme.WHITE, rect, 3, border_radius=15)
        theme.star(surface, (rect.centerx, rect.y - 18), 16, filled=v >= 0.6)

    def _draw_popup(self, surface: pygame.Surface, p: Popup) -> None:
        k = p.age_s / POPUP_LIFE_S
        # Overshoot pop in the first 15 %, then float up and fade.
        scale = (0.4 + 1.0 * (k / 0.15)) if k < 0.15 else 1.4 - 0.4 * min(1.0, (k - 0.15) / 0.2)
        size = int((96 if p.big else 72) * scale)
        img = theme.font(max(8, size)).render(p.word, True, p.colour)
        edge = theme.font(max(8, size)).render(p.word, True, theme.INK)
        alpha = 255 if k < 0.7 else int(255 * (1 - (k - 0.7) / 0.3))
        y = p.y_px - 60 * k
        rect = img.get_rect(center=(int(p.x_px), int(y)))
        for dx, dy in ((-3, 0), (3, 0), (0, -3), (0, 3), (3, 4)):
            e = edge.copy()
            e.set_alpha(alpha)
            surface.blit(e, rect.move(dx, dy))
        img.set_alpha(alpha)
        surface.blit(img, rect)


def draw_prompt(surface: pygame.Surface, message: str, sub: str, time_s: float, colour=theme.PINK,
                centre: tuple[int, int] | None = None, max_width_px: int = 720) -> None:
    """A big bouncing banner (nobody in frame, camera lost...), at most max_width_px wide;
    its words shrink to stay inside it."""
    w, h = surface.get_size()
    cx, cy = centre or (w // 2, h // 2)
    bounce = 6 * math.sin(time_s * 5)
    rect = pygame.Rect(0, 0, min(w - 40, max_width_px), 130)
    rect.center = (cx, int(cy + bounce))
    rect.clamp_ip(surface.get_rect().inflate(-24, -24))  # never off the screen's edge
    pygame.draw.rect(surface, theme.SHADOW, rect.move(0, 8), border_radius=40)
    pygame.draw.rect(surface, colour, rect, border_radius=40)
    pygame.draw.rect(surface, theme.WHITE, rect, 5, border_radius=40)
    inner_px = rect.width - 40
    theme.text(surface, message, theme.fit(message, 58, inner_px), theme.WHITE, (rect.centerx, rect.y + 45),
               outline_px=2)
    theme.text(surface, sub, theme.fit(sub, 34, inner_px), theme.WHITE, (rect.centerx, rect.y + 98), shadow=True)
