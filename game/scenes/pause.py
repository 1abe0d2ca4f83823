"""Pause overlay: the song and its clock stop; Resume (Enter/Space/P), or Leave (Esc)."""
from __future__ import annotations

import math

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme


VEIL_ALPHA = 215


class PauseScene(Scene):
    transparent = True

    def __init__(self, app, game, play) -> None:
        super().__init__(app)
        self.game = game
        self.play = play
        self.time_s = 0.0
        w, h = app.size_px
        self.resume = theme.Button("Keep dancing", pygame.Rect(w // 2 - 220, h // 2 + 10, 440, 90), theme.MINT, True)
        self.leave_button = theme.Button("Stop", pygame.Rect(w // 2 - 140, h // 2 + 130, 280, 80), theme.LILAC)

    def targets(self) -> list:
        return [self.resume, self.leave_button]

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK:
            self.play.quit_song()
        elif a.action is Action.PAUSE:
            self.app.pop()  # P again (or the palm again) resumes
        elif a.action in (Action.UP, Action.DOWN, Action.NEXT, Action.LEFT, Action.RIGHT):
            self.resume.focused, self.leave_button.focused = self.leave_button.focused, self.resume.focused
        elif a.action is Action.SELECT and a.pos_px is not None:
            if a.target is self.resume:
                self.app.pop()
            elif a.target is self.leave_button:
                self.play.quit_song()
        elif a.action in (Action.SELECT, Action.YES):
            self.choose()

    def choose(self) -> None:
        if self.leave_button.focused:
            self.play.quit_song()
        else:
            self.app.pop()  # the play scene's enter() resumes the song

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s

    def draw(self, screen, alpha: float) -> None:
        w, h = screen.get_size()
        # Dark enough that the busy play screen under it does not compete with the buttons.
        veil = pygame.Surface((w, h), pygame.SRCALPHA)
        veil.fill((20, 6, 44, VEIL_ALPHA))
        screen.blit(veil, (0, 0))
        card = pygame.Rect(0, 0, 560, 420)
        card.center = (w // 2, h // 2 + 20)
        theme.panel(screen, card, colour=(40, 20, 80), alpha=235, radius_px=36, border=theme.LILAC, border_px=4)
        theme.text(screen, "Pause", 120, theme.SUN, (w // 2, h // 2 - 130 + 6 * math.sin(self.time_s * 3)),
                   outline_px=5)
        theme.text(screen, "Take a breath!", 40, theme.WHITE, (w // 2, h // 2 - 50))
        self.resume.draw(screen, self.time_s)
        self.leave_button.draw(screen, self.time_s)
        hint = "Enter  keep dancing      Esc  stop"
        if self.app.input.hands is not None:  # hands-free: say what the hands can do here
            hint += "      thumbs up  yes      swipe  next      point and hold  press"
        theme.text(screen, hint, 26, (230, 220, 255), (w // 2, h - 24), shadow=False)
        if self.time_s > 0.3:
            self.game.shot(self.app, "5_pause")
