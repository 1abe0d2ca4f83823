""""Step into the frame": the child sees themself (mirrored) and moves until the whole body
is in the picture at a good distance; the body's size in the frame is measured.

Enter / Space / the button skip ahead, Esc goes back to the title. Headless runs move on
after the body has been seen (or after a few seconds).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.scenes import theme
from game.skeleton import draw_skeleton
from pose.errors import DanceError

HOLD_S = 1.5  # the body must stay well framed this long
HEADLESS_GIVE_UP_S = 1.5  # headless: move on by then even if the framing is not ideal
HEADLESS_SEEN_S = 0.5  # headless: move on once a body has been seen this long
TOO_SMALL = 0.45  # body height as a fraction of the frame height: below -> "come closer"
TOO_BIG = 0.92  # above -> "step back"
VISIBLE = 0.5
# nose, shoulders, wrists, hips, ankles: "whole body" means all of these are seen in frame
KEY_POINTS = (0, 11, 12, 15, 16, 23, 24, 27, 28)


def measure_body(landmarks: np.ndarray) -> tuple[bool, float]:
    """(whole body in frame?, body height as a fraction of the frame height) for (33, 4) landmarks."""
    lm = np.asarray(landmarks, dtype=np.float32)
    key = lm[list(KEY_POINTS)]
    inside = (key[:, 0] > 0.0) & (key[:, 0] < 1.0) & (key[:, 1] > 0.0) & (key[:, 1] < 1.0)
    whole = bool(np.all((key[:, 3] >= VISIBLE) & inside))
    # Head top is above the nose by about a third of the nose-to-shoulder distance; feet below ankles.
    top = lm[0, 1] - 0.6 * abs(lm[0, 1] - (lm[11, 1] + lm[12, 1]) / 2)
    bottom = max(lm[27, 1], lm[28, 1])
    return whole, float(max(0.0, bottom - top))


def open_camera_scene(app, game, choreo_path: Path) -> Scene:
    """The step-in scene when a camera opens; otherwise the no-camera screen."""
    from game.camera import NoCamera, game_camera
    from game.scenes.nocamera import NO_CAMERA, NoCameraScene, problem_of

    try:
        game_camera(app, game, loop=True)
    except NoCamera:
        return NoCameraScene(app, game, choreo_path, NO_CAMERA)
    except DanceError as e:
        if app.headless:
            raise  # no one to read a screen: the CLI prints it as one line
        game.camera_error = str(e)
        return NoCameraScene(app, game, choreo_path, str(e), problem=problem_of(e))
    own = getattr(game.mode, "step_in_scene", None)
    return own(app, game, choreo_path) if own is not None else StepInScene(app, game, choreo_path)


class StepInScene(Scene):
    def __init__(self, app, game, choreo_path: Path) -> None:
        super().__init__(app)
        self.game = game
        self.choreo_path = choreo_path
        self.time_s = 0.0
        self.good_for_s = 0.0
        self.seen_for_s = 0.0
        self.heights: list[float] = []
        self.pose = None
        self.whole = False
        self.height_norm = 0.0
        w, h = app.size_px
        self.skip_button = theme.Button("Ready!", pygame.Rect(w - 290, h - 110, 250, 80), theme.MINT, focused=True)
        self.back_button = theme.Button("Back", pygame.Rect(40, h - 110, 180, 80), theme.LILAC)

    def targets(self) -> list:
        return [self.skip_button, self.back_button]

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK or (a.action is Action.SELECT and a.target is self.back_button):
            self.app.pop()
        elif a.action is Action.YES or (a.action is Action.SELECT and (a.pos_px is None or a.target is self.skip_button)):
            self.go()

    def go(self) -> None:
        if self.heights:
            self.game.body_height_norm = float(np.median(self.heights))
        self.game.shot(self.app, "2_step_in")
        self.app.replace(self.game.mode.play_scene(self.app, self.game, self.choreo_path))

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        cam = self.game.camera
        for latest in cam.drain(self.time_s if self.app.headless else None):
            self.pose = latest.pose
        if self.pose is not None:
            self.whole, self.height_norm = measure_body(self.pose.landmarks)
        else:
            self.whole, self.height_norm = False, 0.0
        good = self.whole and TOO_SMALL <= self.height_norm <= TOO_BIG
        if good:
            self.good_for_s += dt_s
            self.heights.append(self.height_norm)
        else:
            self.good_for_s = max(0.0, self.good_for_s - 2 * dt_s)
        if self.pose is not None:
            self.seen_for_s += dt_s
        headless_done = self.app.headless and self.game.config.autoplay and (self.time_s >= HEADLESS_GIVE_UP_S or self.seen_for_s >= HEADLESS_SEEN_S)
        if self.good_for_s >= HOLD_S or headless_done:
            self.go()

    def hint(self) -> tuple[str, tuple[int, int, int]]:
        cam = self.game.camera
        if cam.lost:
            return "The camera stopped - check the cable!", theme.RED
        if cam.latest() is None:
            return "Waking up the camera...", theme.SKY
        if self.pose is None:
            return "Step into the picture!", theme.PINK
        if self.height_norm > TOO_BIG:
            return "Step back a little!", theme.ORANGE
        if not self.whole:
            return "Show me your whole body - feet too!", theme.ORANGE
        if self.height_norm < TOO_SMALL:
            return "Come a bit closer!", theme.ORANGE
        return "Perfect spot! Hold still...", theme.GREEN

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        theme.text(screen, "Step into the frame!", 64, theme.SUN, (w // 2, 52), outline_px=3)
        box = pygame.Rect(0, 0, int(w * 0.5), h - 250)
        box.center = (w // 2, 110 + box.height // 2)
        cam = self.game.camera
        surf = cam.surface(box.size)
        view = box
        if surf is not None:
            view = surf.get_rect(center=box.center)
            pygame.draw.rect(screen, theme.WHITE, view.inflate(16, 16), border_radius=18)
            screen.blit(surf, view)
            if self.pose is not None:
                draw_skeleton(screen, self.pose.landmarks, view, None, mirror=True, width_px=8)
        else:
            pygame.draw.rect(screen, (40, 30, 80), box, border_radius=18)
        # A friendly outline shows where the body should fit.
        guide = pygame.Rect(0, 0, int(view.width * 0.55), int(view.height * 0.8))
        guide.center = view.center
        pygame.draw.rect(screen, theme.SUN, guide, 4, border_radius=60)
        msg, colour = self.hint()
        banner = pygame.Rect(0, 0, 680, 74)
        banner.center = (w // 2, h - 70 + int(4 * math.sin(t * 5)))
        pygame.draw.rect(screen, colour, banner, border_radius=37)
        pygame.draw.rect(screen, theme.WHITE, banner, 4, border_radius=37)
        theme.text(screen, msg, 44, theme.WHITE, banner.center, outline_px=2)
        # hold-still progress ring
        k = min(1.0, self.good_for_s / HOLD_S)
        centre = (view.right + 90, view.centery)
        pygame.draw.circle(screen, theme.SHADOW, centre, 56)
        if k > 0:
            pygame.draw.arc(screen, theme.GREEN, pygame.Rect(centre[0] - 52, centre[1] - 52, 104, 104),
                            math.pi / 2, math.pi / 2 + 2 * math.pi * k, 14)
        theme.text(screen, f"{int(round(self.height_norm * 100))}%", 34, theme.WHITE, centre)
        theme.text(screen, "body size", 24, theme.WHITE, (centre[0], centre[1] + 78))
        self.skip_button.draw(screen, t)
        self.back_button.draw(screen, t)
        if t > 0.4:
            self.game.shot(self.app, "2_step_in")
