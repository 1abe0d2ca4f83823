"""3-2-1-Dance! An overlay on the play screen before the song starts (Esc goes back)."""
from __future__ import annotations

import math

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme

STEP_S = 0.8  # one count
WORDS = ("3", "2", "1", "Dance!")
COLOURS = (theme.PINK, theme.SKY, theme.MINT, theme.SUN)


class CountdownScene(Scene):
    transparent = True

    def __init__(self, app, game, play) -> None:
        super().__init__(app)
        self.game = game
        self.play = play
        self.time_s = 0.0

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK:
            self.play.quit_before_start()

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        if self.time_s >= STEP_S * len(WORDS):
            self.app.pop()  # the play scene's enter() starts the song

    def draw(self, screen, alpha: float) -> None:
        w, h = screen.get_size()
        veil = pygame.Surface((w, h), pygame.SRCALPHA)
        veil.fill((30, 10, 60, 120))
        screen.blit(veil, (0, 0))
        i = min(len(WORDS) - 1, int(self.time_s / STEP_S))
        k = (self.time_s - i * STEP_S) / STEP_S
        size = int(260 * (1.3 - 0.3 * min(1.0, k * 3)))
        r = int(170 + 20 * math.sin(k * math.pi))
        pygame.draw.circle(screen, theme.SHADOW, (w // 2 + 8, h // 2 + 12), r)
        pygame.draw.circle(screen, COLOURS[i], (w // 2, h // 2), r)
        pygame.draw.circle(screen, theme.WHITE, (w // 2, h // 2), r, 8)
        word = WORDS[i]
        theme.text(screen, word, size if len(word) == 1 else size // 2, theme.WHITE, (w // 2, h // 2), outline_px=5)
        theme.text(screen, "Get ready to copy the coach!", 44, theme.WHITE, (w // 2, h // 2 - 225), outline_px=2)
        if i == 1:
            self.game.shot(self.app, "3_countdown")
