"""The move picker: a song's moves as cards, a speed, and "drill my tricky moves".

Reached from the title (the Practice button, or M). Left/right (or a swipe) picks a move,
up/down the speed, Enter (or a thumbs up, or pointing at the picked card again) practises
it broken down: alone at that speed, chained with its neighbour, then at full speed.
"Drill my tricky moves" practises the moves this dancer keeps missing (from the store).
Esc goes back. Every card, pill and button is a pointer target, so hands-free works.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.practice.audio import SPEEDS
from game.scenes import theme
from pose.errors import DanceError

PER_PAGE = 4
CARD_W, CARD_H = 200, 230


@dataclass(frozen=True)
class MoveTarget:
    """A move card as a pointer target. index: 0-based (what keeps a hand's dwell on the
    same card while it bounces); number: 1-based, as on the command line."""

    index: int
    rect: pygame.Rect

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class SpeedTarget:
    """A speed pill as a pointer target (index into SPEEDS)."""

    index: int
    rect: pygame.Rect

    @property
    def speed(self) -> float:
        return SPEEDS[self.index]


class MovePickerScene(Scene):
    def __init__(self, app, game, choreo_path: Path) -> None:
        from content.loader import load_choreography
        from game.cards import CardStrip

        super().__init__(app)
        self.game = game
        self.choreo = load_choreography(Path(choreo_path))
        if not self.choreo.moves:
            raise DanceError(f"{choreo_path}: no moves to practise")
        self.cards = CardStrip(self.choreo.moves, self.choreo.load_track())
        self.selected = 1
        self.speed = 0.5
        self.time_s = 0.0
        self.error: str | None = None
        w, h = app.size_px
        self.start_button = theme.Button("Practise it!", pygame.Rect(w // 2 - 180, h - 122, 360, 84), theme.PINK, True)
        self.drill_button = theme.Button("Drill my tricky moves", pygame.Rect(w - 420, h - 112, 390, 66), theme.SKY)
        self.back_button = theme.Button("Back", pygame.Rect(30, h - 112, 200, 66), theme.LILAC)
        self.has_tricky = self._has_tricky()
        self.move_rects: list[MoveTarget] = []
        self.speed_rects: list[SpeedTarget] = []

    def _has_tricky(self) -> bool:
        from reports.analysis import tricky_moves
        from reports.store import SessionStore, StoreError

        player = self.game.config.player
        if not player or not self.game.config.use_store:
            return False
        try:
            with SessionStore.open(self.game.config.store_path, create=False) as store:
                return bool(tricky_moves(store, player))
        except StoreError:
            return False

    # -- input -----------------------------------------------------------------------------
    def targets(self) -> list:
        out: list = [self.start_button, self.back_button, *self.speed_rects, *self.move_rects]
        if self.has_tricky:
            out.append(self.drill_button)
        return out

    def on_action(self, a: ActionEvent) -> None:
        n = len(self.choreo.moves)
        if a.action is Action.BACK:
            self.app.pop()
        elif a.action in (Action.LEFT, Action.RIGHT, Action.NEXT):
            self.selected = (self.selected - 1 + (-1 if a.action is Action.LEFT else 1)) % n + 1
        elif a.action in (Action.UP, Action.DOWN):
            i = SPEEDS.index(self.speed) + (1 if a.action is Action.UP else -1)
            self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i))]
        elif a.action is Action.PRACTICE and self.has_tricky:
            self.drill()
        elif a.action is Action.SELECT and a.pos_px is not None:
            t = a.target
            if t is self.start_button:
                self.practise()
            elif t is self.back_button:
                self.app.pop()
            elif t is self.drill_button and self.has_tricky:
                self.drill()
            elif isinstance(t, SpeedTarget):
                self.speed = t.speed
            elif isinstance(t, MoveTarget):
                if t.number == self.selected:
                    self.practise()  # the picked card again: go
                self.selected = t.number
        elif a.action in (Action.SELECT, Action.YES):
            self.practise()

    def practise(self) -> None:
        from game.practice.playlist import for_move
        from game.practice.scene import start_practice

        steps = for_move(self.choreo.path, len(self.choreo.moves), self.selected, self.speed)
        start_practice(self.app, self.game, steps)

    def drill(self) -> None:
        from game.practice.playlist import tricky
        from game.practice.scene import start_practice

        try:
            steps = tricky(self.game.config.player, self.game.config.store_path, self.speed,
                           known=list(self.game.config.choreographies))
        except DanceError as e:
            self.error = str(e)
            self.has_tricky = False
            return
        start_practice(self.app, self.game, steps)

    # -- drawing ---------------------------------------------------------------------------
    def update(self, dt_s: float) -> None:
        self.time_s += dt_s

    def draw(self, screen, alpha: float) -> None:
        w, h = screen.get_size()
        t = self.time_s
        theme.background(screen, t)
        head = f"Practise {self.choreo.title}"
        theme.text(screen, head, theme.fit(head, 72, w - 80), theme.SUN, (w // 2, 56), outline_px=4)
        theme.text(screen, "Pick a move: we slow it down, loop it, then put it back together", 30, theme.WHITE,
                   (w // 2, 118), outline_px=1)
        self._draw_moves(screen, t)
        self._draw_speeds(screen)
        self.start_button.draw(screen, t)
        self.back_button.draw(screen, t)
        if self.has_tricky:
            self.drill_button.draw(screen, t)
        if self.error:
            theme.text(screen, self.error, theme.fit(self.error, 24, w - 60), theme.SUN, (w // 2, h - 150))
        theme.text(screen, "< >  move    ^ v  speed    Enter  practise    M  tricky moves    Esc  back", 24,
                   (230, 220, 255), (w // 2, h - 18), shadow=False)
        if t >= 0.3:
            self.game.shot(self.app, "p9_move_picker")

    def _draw_moves(self, screen, t: float) -> None:
        w, _ = screen.get_size()
        n = len(self.choreo.moves)
        first = min(max(0, self.selected - 1 - PER_PAGE // 2 + 1), max(0, n - PER_PAGE))
        shown = list(range(first, min(n, first + PER_PAGE)))
        gap = 28
        x0 = (w - (len(shown) * CARD_W + (len(shown) - 1) * gap)) // 2
        self.move_rects = []
        for k, i in enumerate(shown):
            move = self.choreo.moves[i]
            rect = pygame.Rect(x0 + k * (CARD_W + gap), 160, CARD_W, CARD_H)
            sel = i + 1 == self.selected
            if sel:
                rect = rect.move(0, int(-6 * abs(math.sin(t * 3))))
                glow = rect.inflate(18, 18)
                pygame.draw.rect(screen, theme.SUN, glow, 8, border_radius=28)
            self.cards._draw_card(screen, rect, move, -1.0, sel, t)
            theme.text(screen, str(i + 1), 26, theme.WHITE, (rect.x + 22, rect.y + 22), outline_px=2)
            self.move_rects.append(MoveTarget(i, rect))
        if first > 0:
            theme.text(screen, "<", 80, theme.WHITE, (x0 - 46, 160 + CARD_H // 2), outline_px=3)
        if first + PER_PAGE < n:
            theme.text(screen, ">", 80, theme.WHITE, (x0 + len(shown) * (CARD_W + gap) + 18, 160 + CARD_H // 2),
                       outline_px=3)
        tip = self.choreo.moves[self.selected - 1].tip
        if tip:
            theme.text(screen, tip, theme.fit(tip, 30, w - 100), theme.WHITE, (w // 2, 160 + CARD_H + 34), outline_px=1)

    def _draw_speeds(self, screen) -> None:
        w, _ = screen.get_size()
        y = 160 + CARD_H + 70
        theme.text(screen, "Speed", 32, theme.WHITE, (w // 2 - 300, y + 26), outline_px=2)
        self.speed_rects = []
        for k, s in enumerate(SPEEDS):
            r = pygame.Rect(w // 2 - 220 + k * 170, y, 150, 52)
            on = s == self.speed
            pygame.draw.rect(screen, theme.SHADOW, r.move(0, 4), border_radius=26)
            pygame.draw.rect(screen, theme.MINT if on else (110, 90, 160), r, border_radius=26)
            pygame.draw.rect(screen, theme.WHITE if on else theme.LILAC, r, 4 if on else 2, border_radius=26)
            label = {0.5: "slow 0.5x", 0.75: "0.75x", 1.0: "full 1x"}.get(s, f"{s:g}x")
            theme.text(screen, label, 28, theme.WHITE, r.center, outline_px=1)
            self.speed_rects.append(SpeedTarget(k, r))
