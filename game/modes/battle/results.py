"""The battle's results: both children side by side, each with their own stars, points and
the things they did well. The one with more points is the battle champion; the other gets
a kind finish ("So close!") and stars for what they did well - never the word "lost"."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme
from scoring.events import Tier
from scoring.judge import TIER_LABELS

STAR_EVERY_S = 0.3
HEADLESS_SHOW_S = 2.5
MISSED_BELOW = 0.2  # seen in fewer than this share of the frames: "we missed you", and no winner
TIER_ORDER = ("PERFECT", "GREAT", "GOOD", "OK", "MISS")
PART_PRAISE = {  # a body part's strength, in a child's words
    "arms": "Super arms!", "legs": "Happy feet!", "torso": "Great wiggles!", "head": "Cool head moves!",
}


@dataclass(frozen=True)
class BattleResult:
    """Both children's results of one battle.

    results: (2,) scoring SessionResult, slot order (0 = left). names: (2,) name or None
    (guest). seen_share: (2,) fraction of camera frames in which each child was found.
    session_paths / session_ids: (2,) where each child's session was stored.
    """

    results: tuple[Any, ...]
    names: tuple[str | None, ...]
    seen_share: tuple[float, ...] = (1.0, 1.0)
    session_paths: tuple[Path | None, ...] = (None, None)
    session_ids: tuple[int | None, ...] = (None, None)

    def __post_init__(self) -> None:
        for name in ("results", "names", "seen_share", "session_paths", "session_ids"):
            if len(getattr(self, name)) != 2:
                raise ValueError(f"{name} must have one entry per player (2), got {len(getattr(self, name))}")

    @property
    def title(self) -> str:
        return self.results[0].title

    @property
    def missed(self) -> tuple[bool, ...]:
        """Per slot: seen in too few frames to have battled (no winner is named over them)."""
        return tuple(s < MISSED_BELOW for s in self.seen_share)

    @property
    def champion(self) -> int | None:
        """The slot with more points; None for a tie, or when a child was hardly seen (a
        battle against someone the camera missed is no battle)."""
        if any(self.missed):
            return None
        a, b = (int(r.points) for r in self.results)
        return None if a == b else (0 if a > b else 1)


def did_well(result: Any, limit: int = 3) -> list[str]:
    """Up to ``limit`` kind, specific things a child did well in a result; never empty."""
    out: list[str] = []
    if result.best_moves:
        out.append(f"Star move: {result.best_moves[0]}")
    great = sum(result.tier_counts.get(n, 0) for n in ("PERFECT", "GREAT"))
    if great:
        out.append(f"{great} great move{'s' if great != 1 else ''}")
    if result.max_combo >= 2:
        out.append(f"{result.max_combo} moves in a row")
    part = best_part(result)
    if part is not None:
        out.append(PART_PRAISE[part])
    if not out:
        out.append("Brave dancing!")
    return out[:limit]


def best_part(result: Any) -> str | None:
    """arms / legs / torso / head: the child's best-matched body area over the song."""
    sums: dict[str, list[float]] = {}
    for j in result.judgements:
        for p, v in (j.parts or {}).items():
            area = "arms" if "arm" in p else "legs" if "leg" in p else p
            if area in PART_PRAISE and v == v:
                sums.setdefault(area, []).append(float(v))
    if not sums:
        return None
    area, vals = max(sums.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))
    return area if sum(vals) / len(vals) >= 50.0 else None


class BattleResultsScene(Scene):
    def __init__(self, app, game, result: BattleResult, choreo, *, watched: bool = False) -> None:
        from game.modes.battle.play import SIDE_COLOURS, shown_name

        super().__init__(app)
        self.game = game
        self.result = result
        self.choreo = choreo
        self.watched = watched
        self.time_s = 0.0
        self.fx = None
        self.labels = tuple(shown_name(n, i) for i, n in enumerate(result.names))
        self.colours = SIDE_COLOURS
        w, h = app.size_px
        self.done = theme.Button("Battle again!", pygame.Rect(w // 2 - 200, h - 112, 400, 80), theme.PINK, True)
        self.cards = (pygame.Rect(40, 130, w // 2 - 60, h - 265), pygame.Rect(w // 2 + 20, 130, w // 2 - 60, h - 265))
        self._fired = [0, 0]

    def targets(self) -> list:
        return [self.done]

    def on_action(self, a: ActionEvent) -> None:
        if a.action in (Action.BACK, Action.YES) or (
                a.action is Action.SELECT and (a.pos_px is None or a.target is self.done)):
            self.app.pop()

    def headline(self) -> str:
        if self.watched:
            return "That was the dance!"
        c = self.result.champion
        missed = self.result.missed
        if all(missed):
            return "We missed you both - step into the picture!"
        if any(missed):
            return f"Great dancing, {self.labels[missed.index(False)]}!"
        if c is None:
            return "It's a tie - what a battle!"
        return f"{self.labels[c]} wins the battle!"

    def finish_line(self, slot: int) -> str:
        """The line under each child's name: champion, or a kind finish for the other."""
        c = self.result.champion
        if self.result.missed[slot]:
            return "We missed you - join in next time!"
        if self.result.missed[1 - slot]:
            return "Super dancing!"
        if c is None:
            return "Both champions!"
        if c == slot:
            return "Battle champion!"
        return "So close! Super effort!"

    def update(self, dt_s: float) -> None:
        from game.particles import ParticleSystem

        self.time_s += dt_s
        if self.fx is None:
            self.fx = ParticleSystem(seed=3 if self.app.headless else None)
        for slot, r in enumerate(self.result.results):
            landed = 0 if self.watched else min(r.stars, int(self.time_s / STAR_EVERY_S))
            card = self.cards[slot]
            while self._fired[slot] < landed:
                x = card.centerx - 2 * 64 + self._fired[slot] * 64
                self.fx.burst(Tier.GREAT, False, (x, card.y + 110), scale=0.7)
                self._fired[slot] += 1
        self.fx.update(dt_s)
        if self.app.headless and self.time_s >= HEADLESS_SHOW_S:
            self.app.quit(0)

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        head = self.headline()
        theme.text(screen, head, theme.fit(head, 76, w - 80), theme.SUN, (w // 2, 62 + 4 * math.sin(t * 3)),
                   outline_px=4)
        title = self.result.title or "the dance"
        theme.text(screen, f"{self.labels[0]} and {self.labels[1]} danced {title}", 28, theme.WHITE, (w // 2, 112))
        for slot in range(2):
            self._card(screen, slot, t)
        self.done.draw(screen, t)
        theme.text(screen, "Enter  or  Esc   back to the dances", 24, (230, 220, 255), (w // 2, h - 18), shadow=False)
        if self.fx is not None:
            self.fx.draw(screen)
        most = max(r.stars for r in self.result.results)
        if t >= min(HEADLESS_SHOW_S - 0.2, (most + 1) * STAR_EVERY_S + 0.3):
            self.game.shot(self.app, "6_battle_results")

    def _card(self, screen, slot: int, t: float) -> None:
        from scoring.judge import format_points

        r = self.result.results[slot]
        card = self.cards[slot]
        colour = self.colours[slot]
        theme.panel(screen, card, alpha=235, radius_px=28, border=colour, border_px=6)
        pill = pygame.Rect(card.x + 30, card.y + 14, card.width - 60, 46)
        pygame.draw.rect(screen, colour, pill, border_radius=23)
        theme.text(screen, self.labels[slot], theme.fit(self.labels[slot], 36, pill.width - 30), theme.WHITE,
                   pill.center, outline_px=2)
        if self.result.champion == slot and not self.watched:
            _crown(screen, (pill.right - 10, pill.y - 2), t)
        line = self.finish_line(slot)
        theme.text(screen, line, theme.fit(line, 32, card.width - 40), theme.PINK, (card.centerx, card.y + 82),
                   shadow=False)
        for i in range(5):
            landed = i < r.stars and t >= (i + 1) * STAR_EVERY_S
            k = min(1.0, (t - (i + 1) * STAR_EVERY_S) / 0.25) if landed else 1.0
            radius = 28 * (1.5 - 0.5 * k) if landed else 25
            theme.star(screen, (card.centerx - 2 * 64 + i * 64, card.y + 126), radius,
                       theme.SUN if landed else (200, 190, 225), filled=True, spin_rad=(1 - k) * 2.0)
        theme.text(screen, f"{format_points(r.points)} points", 40, theme.INK, (card.centerx, card.y + 176),
                   shadow=False)
        # Tier counts in one row of small pills.
        x = card.x + 20
        pill_w = (card.width - 40 - 4 * 6) // 5
        for name in TIER_ORDER:
            p = pygame.Rect(x, card.y + 204, pill_w, 30)
            pygame.draw.rect(screen, theme.TIER_COLOURS[name], p, border_radius=15)
            label = f"{TIER_LABELS[Tier[name]]} {r.tier_counts.get(name, 0)}"
            theme.text(screen, label, theme.fit(label, 20, pill_w - 8), theme.INK, p.center, shadow=False)
            x += pill_w + 6
        theme.text(screen, "What you did well", 28, theme.PINK, (card.centerx, card.y + 262), shadow=False)
        praises = did_well(r)
        for i, praise in enumerate(praises):
            y = card.y + 298 + i * 34
            theme.star(screen, (card.x + 44, y), 13, theme.SUN)
            theme.text(screen, praise, theme.fit(praise, 28, card.width - 100), theme.INK, (card.centerx + 10, y),
                       shadow=False)
        if r.tips:
            y = card.y + 298 + len(praises) * 34 + 14
            lines = theme.wrap(f"Next time: {r.tips[0]}", 22, card.width - 60)
            for i, ln in enumerate(lines[:max(0, (card.bottom - y - 10) // 24)]):
                theme.text(screen, ln, 22, (110, 90, 150), (card.centerx, y + i * 24), shadow=False)


def _crown(screen, at: tuple[int, int], t: float) -> None:
    """A small gold crown tilted on the champion's name pill."""
    x, y = at
    bob = int(3 * math.sin(t * 4))
    pts = [(x - 26, y + 4 + bob), (x - 26, y - 18 + bob), (x - 13, y - 6 + bob), (x, y - 24 + bob),
           (x + 13, y - 6 + bob), (x + 26, y - 18 + bob), (x + 26, y + 4 + bob)]
    pygame.draw.polygon(screen, theme.SHADOW, [(px + 2, py + 3) for px, py in pts])
    pygame.draw.polygon(screen, theme.GOLD, pts)
    pygame.draw.polygon(screen, theme.WHITE, pts, 2)
