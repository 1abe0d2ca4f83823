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
        draw_ready_banner(screen, (w // 2, h // 2 - 228))
        if i == 1:
            self.game.shot(self.app, "3_countdown")


READY = "Get ready to copy the coach!"


def draw_ready_banner(screen, centre: tuple[int, int]) -> pygame.Rect:
    """The countdown's line on a pill of its own: an overlay that spans both panels,
    rather than words drawn across the coach panel's border."""
    size = theme.fit(READY, 44, screen.get_width() - 80)
    label = theme.font(size).size(READY)
    pill = pygame.Rect(0, 0, label[0] + 60, label[1] + 26)
    pill.center = centre
    pygame.draw.rect(screen, theme.SHADOW, pill.move(0, 6), border_radius=pill.height // 2)
    pygame.draw.rect(screen, theme.INK, pill, border_radius=pill.height // 2)
    pygame.draw.rect(screen, theme.WHITE, pill, 4, border_radius=pill.height // 2)
    theme.text(screen, READY, size, theme.WHITE, pill.center, outline_px=2)
    return pill
