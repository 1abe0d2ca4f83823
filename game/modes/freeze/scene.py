"""The Freeze Dance play screen: the shared play screen, plus the child cut out and shown
live on the coach's stage, a big DANCE! / FREEZE! sign on the beat, and a statue meter
that shows how still the child is during a freeze."""
from __future__ import annotations

import math

import pygame

from game.scenes import theme
from game.scenes.play import PlayScene

CUTOUT_HEIGHT = 0.82  # of the coach panel's height


class FreezePlayScene(PlayScene):
    def __init__(self, app, game, choreo_path) -> None:
        super().__init__(app, game, choreo_path)
        from game.fx.cutout import CameraCutout

        self._cutout = CameraCutout()
        self.stats["cutouts_drawn"] = 0

    def _cue_now(self, song: float) -> str | None:
        m = self.choreo.move_at(song)
        return m.cue if m is not None else None

    # -- the child on the coach's stage ---------------------------------------------------
    def _cutout_surface(self, height_px: int):
        cam = self.game.camera
        return None if cam is None or self.camera_gone else self._cutout.surface(cam, height_px)

    def _draw_coach(self, screen, song: float, t: float) -> None:
        super()._draw_coach(screen, song, t)
        box = self.stage_rect
        surf = self._cutout_surface(int(box.height * CUTOUT_HEIGHT))
        if surf is not None:
            # Beside the coach, standing on the stage floor, mirrored like a selfie.
            r = surf.get_rect(bottomright=(box.right - 12, box.bottom - 14))
            r.left = max(r.left, box.centerx + 40)
            clip = screen.get_clip()
            screen.set_clip(box)
            shadow = pygame.Rect(0, 0, int(r.width * 0.7), 20)
            shadow.center = (r.centerx, r.bottom - 8)
            pygame.draw.ellipse(screen, theme.SHADOW, shadow)
            screen.blit(surf, r)
            screen.set_clip(clip)
            self.stats["cutouts_drawn"] += 1
        self._draw_sign(screen, song, t)

    def _draw_sign(self, screen, song: float, t: float) -> None:
        if self.state != "playing":
            return
        cue = self._cue_now(song)
        if cue is None:
            return
        box = self.stage_rect
        freeze = cue == "freeze"
        word = "FREEZE!" if freeze else "DANCE!"
        colour = theme.SKY if freeze else theme.PINK
        wobble = 0 if freeze else int(6 * math.sin(t * 10))
        # In the stage's empty left corner: the coach stands in the middle, the child right.
        sign = pygame.Rect(0, 0, 236, 70)
        sign.topleft = (box.x + 14, box.y + 70 + wobble)
        pygame.draw.rect(screen, theme.SHADOW, sign.move(0, 6), border_radius=35)
        pygame.draw.rect(screen, colour, sign, border_radius=35)
        pygame.draw.rect(screen, theme.WHITE, sign, 5, border_radius=35)
        theme.text(screen, word, 54, theme.WHITE, sign.center, outline_px=3)

    # -- the statue meter -----------------------------------------------------------------
    def _draw_camera(self, screen, song: float, t: float) -> None:
        super()._draw_camera(screen, song, t)
        if self.state != "playing" or self._cue_now(song) != "freeze" or self.camera_gone:
            return
        speed = self.proc.speed_now()
        still = 0.0 if speed is None else self.proc.stillness(speed)
        box = self.cam_box
        meter = pygame.Rect(box.x + 20, box.bottom - 58, box.width - 40, 38)
        theme.panel(screen, meter.inflate(12, 12), alpha=200, colour=theme.INK, radius_px=24)
        fill = meter.copy()
        fill.width = int(meter.width * still)
        colour = theme.GREEN if still >= 0.8 else theme.SUN if still >= 0.4 else theme.RED
        if fill.width > 0:
            pygame.draw.rect(screen, colour, fill, border_radius=19)
        pygame.draw.rect(screen, theme.WHITE, meter, 3, border_radius=19)
        label = "Statue!" if still >= 0.8 else "Hold still..." if still >= 0.4 else "Wobble!"
        theme.text(screen, label, 32, theme.WHITE, meter.center, outline_px=2)
        if still >= 0.8:
            self._pending_shot = self._pending_shot or "4_play_freeze"
