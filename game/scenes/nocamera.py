"""No camera: a clear, friendly screen saying what to do — plug one in, or use a video file
as the camera (``dance play --camera FILE``). Enter retries, Esc goes back."""
from __future__ import annotations

import math
from pathlib import Path

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme


class NoCameraScene(Scene):
    def __init__(self, app, game, choreo_path: Path, reason: str) -> None:
        super().__init__(app)
        self.game = game
        self.choreo_path = choreo_path
        self.reason = reason
        self.time_s = 0.0
        w, h = app.size_px
        self.retry = theme.Button("Try again", pygame.Rect(w // 2 - 440, h - 112, 270, 86), theme.MINT, focused=True)
        self.watch = theme.Button("Just watch", pygame.Rect(w // 2 - 135, h - 112, 270, 86), theme.SKY)
        self.back = theme.Button("Back", pygame.Rect(w // 2 + 170, h - 112, 270, 86), theme.LILAC)
        self.buttons = [self.retry, self.watch, self.back]

    def targets(self) -> list:
        return list(self.buttons)

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK:
            self.app.pop()
        elif a.action is Action.SELECT and a.pos_px is not None:
            if a.target in self.buttons:
                self.press(a.target)
        elif a.action in (Action.SELECT, Action.YES):
            self.press(next(b for b in self.buttons if b.focused))
        elif a.action in (Action.LEFT, Action.RIGHT, Action.NEXT):
            i = next(i for i, b in enumerate(self.buttons) if b.focused)
            i = (i + (-1 if a.action is Action.LEFT else 1)) % len(self.buttons)
            for k, b in enumerate(self.buttons):
                b.focused = k == i

    def press(self, button: theme.Button) -> None:
        if button is self.back:
            self.app.pop()
        elif button is self.watch:
            # The coach dances to the music with nobody scored: the demo still plays.
            self.game.camera = None
            self.app.replace(self.game.mode.play_scene(self.app, self.game, self.choreo_path))
        else:
            from game.scenes.stepin import open_camera_scene

            self.app.replace(open_camera_scene(self.app, self.game, self.choreo_path))

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        self._camera_icon(screen, (w // 2, 200), t)
        theme.text(screen, "Oops! No camera", 84, theme.SUN, (w // 2, 350), outline_px=4)
        theme.text(screen, "Ask a grown-up to plug in a camera and press Try again - or just watch.", 36, theme.WHITE, (w // 2, 420))
        theme.text(screen, "Or play a video as the camera:", 32, theme.WHITE, (w // 2, 480))
        code = pygame.Rect(0, 0, 620, 54)
        code.center = (w // 2, 530)
        pygame.draw.rect(screen, theme.INK, code, border_radius=14)
        theme.text(screen, "dance play --camera FILE", 38, theme.MINT, code.center, shadow=False)
        theme.text(screen, self.reason[:90], 24, (220, 210, 240), (w // 2, 575), shadow=False)
        for b in self.buttons:
            b.draw(screen, t)
        self.game.shot(self.app, "0_no_camera")

    @staticmethod
    def _camera_icon(screen, centre, t) -> None:
        cx, cy = centre
        wob = 6 * math.sin(t * 3)
        body = pygame.Rect(0, 0, 220, 140)
        body.center = (cx, cy + wob)
        pygame.draw.rect(screen, theme.SHADOW, body.move(0, 8), border_radius=30)
        pygame.draw.rect(screen, theme.PINK, body, border_radius=30)
        pygame.draw.rect(screen, theme.WHITE, body, 5, border_radius=30)
        pygame.draw.rect(screen, theme.PINK, pygame.Rect(body.x + 30, body.y - 24, 60, 30), border_radius=10)
        pygame.draw.circle(screen, theme.WHITE, body.center, 48)
        pygame.draw.circle(screen, theme.SKY, body.center, 36)
        # sleepy eyes on the lens: the camera is "asleep", not broken
        for dx in (-14, 14):
            pygame.draw.arc(screen, theme.INK, pygame.Rect(body.centerx + dx - 9, body.centery - 10, 18, 14),
                            math.pi, 2 * math.pi, 4)
        theme.text(screen, "z", 40, theme.WHITE, (body.right + 20, body.y - 10 + wob))
        theme.text(screen, "z", 30, theme.WHITE, (body.right + 44, body.y - 40 + wob))
