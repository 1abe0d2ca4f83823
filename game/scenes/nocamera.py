"""No camera: a clear, friendly screen saying what to do — plug one in, or use a video file
as the camera (``dance play --camera FILE``). Enter retries, Esc goes back.

The same screen, worded for the grown-up, when the camera is fine but the pose models are
missing or damaged (``problem="models"``): the fix is ``dance models fetch``, said on
screen and once in the terminal. Opened from "Camera timing" (``then="calibrate"``),
"Try again" retries the timing check and there is no "Just watch": the check needs a camera."""
from __future__ import annotations

import math
from pathlib import Path

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme


MODELS_FIX = "dance models fetch"
NO_CAMERA = "No camera found"
RETRY_FLASH_S = 2.5  # how long "Still no camera" shows after Try again


def problem_of(error: BaseException | None) -> str:
    """"models" for a missing/damaged model, else "camera"."""
    from pose.errors import ModelError

    return "models" if isinstance(error, ModelError) else "camera"


class NoCameraScene(Scene):
    """reason: the one-line cause; problem: "camera" or "models"; then: what Try again
    retries ("play" the song or "calibrate"); tries: how many times it was tried."""

    def __init__(self, app, game, choreo_path: Path | None, reason: str, *, problem: str = "camera",
                 then: str = "play", tries: int = 1) -> None:
        super().__init__(app)
        self.game = game
        self.choreo_path = choreo_path
        self.reason = reason
        self.problem = problem
        self.then = then
        self.tries = tries
        self.time_s = 0.0
        w, h = app.size_px
        self.retry = theme.Button("Try again", pygame.Rect(w // 2 - 440, h - 112, 270, 86), theme.MINT, focused=True)
        self.watch = theme.Button("Just watch", pygame.Rect(w // 2 - 135, h - 112, 270, 86), theme.SKY)
        self.back = theme.Button("Back", pygame.Rect(w // 2 + 170, h - 112, 270, 86), theme.LILAC)
        can_watch = then == "play" and choreo_path is not None
        self.buttons = [self.retry, self.watch, self.back] if can_watch else [self.retry, self.back]
        if not can_watch:
            self.back.rect.x = w // 2 + 20
            self.retry.rect.x = w // 2 - 290
        if tries == 1 and (problem == "models" or reason != NO_CAMERA):
            import sys

            print(f"dance play: error: {reason}", file=sys.stderr)  # the grown-up may be at the terminal

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
            self.try_again()

    def try_again(self) -> None:
        """Retry; when it fails again, the new screen says so ("Still no camera", the try count)."""
        if self.then == "calibrate":
            from game.scenes.calibration_scene import calibration_for_game
            from pose.errors import DanceError

            try:
                scene = calibration_for_game(self.app, self.game)
            except DanceError as e:
                scene = NoCameraScene(self.app, self.game, self.choreo_path, str(e), problem=problem_of(e),
                                      then="calibrate", tries=self.tries + 1)
        else:
            from game.scenes.stepin import open_camera_scene

            scene = open_camera_scene(self.app, self.game, self.choreo_path)
            if isinstance(scene, NoCameraScene):
                scene.tries = self.tries + 1
        self.app.replace(scene)

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        self._camera_icon(screen, (w // 2, 170), t)
        if self.problem == "models":
            theme.text(screen, "Oops! The dance helper is missing", 72, theme.SUN, (w // 2, 300), outline_px=4)
            line = "The camera is fine, but the pose models are missing or damaged."
            theme.text(screen, line, theme.fit(line, 34, w - 80), theme.WHITE, (w // 2, 360))
            theme.text(screen, "Ask a grown-up to run this, then press Try again:", 32, theme.WHITE, (w // 2, 420))
            self._code(screen, MODELS_FIX, (w // 2, 470))
        else:
            theme.text(screen, "Oops! No camera", 84, theme.SUN, (w // 2, 310), outline_px=4)
            line = "Ask a grown-up to plug in a camera and press Try again" + (" - or just watch." if self.watch in self.buttons else ".")
            theme.text(screen, line, theme.fit(line, 36, w - 80), theme.WHITE, (w // 2, 375))
            theme.text(screen, "Or play a video as the camera (it repeats if it is shorter than the song):", 28,
                       theme.WHITE, (w // 2, 425))
            self._code(screen, "dance calibrate --camera FILE" if self.then == "calibrate" else "dance play --camera FILE",
                       (w // 2, 470))
        # The cause in full (wrapped, not cut off), for the grown-up.
        cause = "" if self.reason == NO_CAMERA else self.reason  # the headline already says it
        for i, ln in enumerate(theme.wrap(cause, 24, w - 120)[:2] if cause else []):
            theme.text(screen, ln, 24, (220, 210, 240), (w // 2, 520 + i * 24), shadow=False)
        if self.tries > 1 and self.time_s < RETRY_FLASH_S:
            what = "Still missing" if self.problem == "models" else "Still no camera"
            note = f"{what} - tried {self.tries} times"
            pill = pygame.Rect(0, 0, theme.font(32).size(note)[0] + 50, 50)
            pill.center = (w // 2, 568)
            pygame.draw.rect(screen, theme.ORANGE, pill, border_radius=25)
            theme.text(screen, note, 32, theme.WHITE, pill.center, outline_px=1)
        for b in self.buttons:
            b.draw(screen, t)
        self.game.shot(self.app, "0_no_models" if self.problem == "models" else
                       ("0_no_camera_again" if self.tries > 1 else "0_no_camera"))

    @staticmethod
    def _code(screen, command: str, centre) -> None:
        code = pygame.Rect(0, 0, max(420, theme.font(38).size(command)[0] + 60), 54)
        code.center = centre
        pygame.draw.rect(screen, theme.INK, code, border_radius=14)
        theme.text(screen, command, 38, theme.MINT, code.center, shadow=False)

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
