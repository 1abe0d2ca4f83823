"""Upcoming-move cards: the current move and the next two, gold moves marked, the scored
limbs highlighted on a small stick figure of the coach's pose.

Figures come from the reference pose track at the middle of each move (or the authored
pictogram image when there is one); each card's picture is rendered once and cached.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np
import pygame

from game.scenes import theme
from game.skeleton import draw_figure

CARD_W_PX = 200
CARD_H_PX = 230
SHOWN = 3  # current + next two


def pose_at(track, t_s: float) -> np.ndarray | None:
    """(33, 4) landmarks of ``track`` nearest song time ``t_s`` that has a person, or None."""
    if track is None or len(track) == 0:
        return None
    i = int(np.clip(np.searchsorted(track.t, t_s), 0, len(track) - 1))
    found = track.found
    if found[i]:
        return track.landmarks[i]
    idx = np.flatnonzero(found)
    if idx.size == 0:
        return None
    return track.landmarks[idx[np.argmin(np.abs(idx - i))]]


class CardStrip:
    """Draws move cards for song time t. ``moves``: the choreography's Move tuple."""

    def __init__(self, moves: Sequence, track=None, *, beat_s: float | None = None) -> None:
        self.moves = tuple(moves)
        self.track = track
        self.beat_s = beat_s
        self.aspect = (track.size[0] / track.size[1]) if track is not None and track.size[1] else 1.0
        self._pictures: dict[int, pygame.Surface] = {}
        self._scaled_cache: dict[tuple[int, int], pygame.Surface] = {}

    def upcoming(self, t_s: float) -> list:
        """The current move (or, between moves, the next one) and the two after it."""
        out = []
        for m in self.moves:
            if m.end_s > t_s:
                out.append(m)
            if len(out) == SHOWN:
                break
        return out

    def _picture(self, move) -> pygame.Surface:
        pic = self._pictures.get(move.index)
        if pic is not None:
            return pic
        pic = pygame.Surface((CARD_W_PX - 24, CARD_H_PX - 80), pygame.SRCALPHA)
        drawn = False
        pictogram = getattr(move, "pictogram", None)
        if pictogram is not None and Path(pictogram).is_file():
            try:
                img = pygame.image.load(str(pictogram))
                iw, ih = img.get_size()
                s = min(pic.get_width() / iw, pic.get_height() / ih)
                img = pygame.transform.smoothscale(img, (max(1, int(iw * s)), max(1, int(ih * s))))
                pic.blit(img, img.get_rect(center=pic.get_rect().center))
                drawn = True
            except pygame.error:
                drawn = False  # a broken pictogram falls back to the stick figure
        pose = pose_at(self.track, (move.start_s + move.end_s) / 2)
        parts = dict(move.parts) if getattr(move, "parts", None) else {}
        if not drawn:
            if pose is not None:
                draw_figure(pic, pose, pic.get_rect(), highlight=parts, aspect=self.aspect, width_px=7)
            else:
                theme.text(pic, "?", 90, theme.WHITE, pic.get_rect().center)
        elif pose is not None:
            # The authored picture shows the move; a small stick figure badge shows which
            # limbs are scored, so the child knows what counts.
            badge = pygame.Rect(0, 0, 64, 80)
            badge.bottomright = (pic.get_width() - 4, pic.get_height() - 4)
            pygame.draw.rect(pic, (255, 255, 255), badge, border_radius=12)
            pygame.draw.rect(pic, theme.PINK, badge, 3, border_radius=12)
            draw_figure(pic, pose, badge.inflate(-6, -6), highlight=parts, aspect=self.aspect,
                        body_colour=(170, 160, 200), glow_colour=theme.PINK, width_px=4)
        self._pictures[move.index] = pic
        return pic

    def _scaled(self, move, width_px: int) -> pygame.Surface:
        """The card picture at ``width_px`` wide, scaled once and kept (smoothscale is slow)."""
        key = (move.index, width_px)
        pic = self._scaled_cache.get(key)
        if pic is None:
            pic = self._picture(move)
            if pic.get_width() != width_px:
                k = width_px / pic.get_width()
                pic = pygame.transform.smoothscale(pic, (width_px, max(1, int(pic.get_height() * k))))
            self._scaled_cache[key] = pic
        return pic

    def draw(self, surface: pygame.Surface, topleft: tuple[int, int], t_s: float, time_s: float) -> list[pygame.Rect]:
        """Draw the strip horizontally from ``topleft``; returns the card rects."""
        rects = []
        x, y = topleft
        for k, move in enumerate(self.upcoming(t_s)):
            current = k == 0 and move.start_s <= t_s
            scale = 1.0 if k == 0 else 0.8
            w, h = int(CARD_W_PX * scale), int(CARD_H_PX * scale)
            rect = pygame.Rect(x, y + (CARD_H_PX - h), w, h)
            if current:
                rect = rect.move(0, int(-4 * abs(math.sin(time_s * 4))))
            self._draw_card(surface, rect, move, t_s, current, time_s)
            rects.append(rect)
            x += w + 14
        return rects

    def _draw_card(self, surface, rect, move, t_s, current, time_s) -> None:
        gold = bool(getattr(move, "gold", False))
        base = (255, 246, 214) if gold else (255, 255, 255)
        border = theme.GOLD if gold else (theme.PINK if current else theme.LILAC)
        pygame.draw.rect(surface, theme.SHADOW, rect.move(0, 6), border_radius=22)
        pygame.draw.rect(surface, (70, 40, 130), rect, border_radius=22)
        inner = rect.inflate(-10, -10)
        pygame.draw.rect(surface, (*base,), inner, border_radius=18)
        pygame.draw.rect(surface, border, rect, 7 if (gold or current) else 4, border_radius=22)
        pic = self._scaled(move, inner.width - 14)
        # the figure sits on a coloured blob so pale limbs read on the white card
        blob = pygame.Rect(0, 0, pic.get_width(), pic.get_height())
        blob.midtop = (inner.centerx, inner.y + 6)
        pygame.draw.rect(surface, (120, 90, 200), blob, border_radius=16)
        surface.blit(pic, blob)
        name = move.name if len(move.name) <= 16 else move.name[:15] + "…"
        label_size = 30 if rect.width >= CARD_W_PX else 25
        theme.text(surface, name, label_size, theme.INK, (inner.centerx, blob.bottom + 18), shadow=False)
        if gold:
            theme.star(surface, (rect.right - 16, rect.y + 16), 22, colour=theme.GOLD, spin_rad=time_s)
        if current and move.duration_s > 0:
            k = min(1.0, max(0.0, (t_s - move.start_s) / move.duration_s))
            bar = pygame.Rect(inner.x + 8, inner.bottom - 14, inner.width - 16, 9)
            pygame.draw.rect(surface, (220, 210, 240), bar, border_radius=5)
            bar.width = int(bar.width * k)
            if bar.width:
                pygame.draw.rect(surface, theme.PINK, bar, border_radius=5)
        elif not current and self.beat_s and move.start_s > t_s:
            beats = math.ceil((move.start_s - t_s) / self.beat_s)
            if beats <= 8:
                theme.text(surface, f"in {beats}", 24, theme.PINK, (inner.centerx, inner.bottom - 12), shadow=False)
