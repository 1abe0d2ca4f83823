"""The dance play screen: the shared play screen, plus two things the dance mode offers.

- The cut-out (``--cutout``, or ``stage: cutout`` in the song): the child is cut out of the
  camera picture by the segmentation pipeline and shown on the coach's party stage instead
  of the room. Until the first mask comes the plain camera picture shows.
- Accessories as rewards: a streak of PERFECT moves, or a gold move danced GREAT or better,
  wins the next accessory (crown, sunglasses, star wand); the child then wears it on the
  camera view for the rest of the song, anchored to the body pose's face points and wrist.
"""
from __future__ import annotations

import numpy as np
import pygame

from game.fx.accessories import HEAD_KINDS, NAMES, Rewards, draw_accessory, draw_wand, hand_from_body, head_from_body
from game.scenes import theme
from game.scenes.play import PlayScene

ANNOUNCE_S = 2.2  # how long "You won a crown!" shows


class DancePlayScene(PlayScene):
    def __init__(self, app, game, choreo_path) -> None:
        super().__init__(app, game, choreo_path)
        from game.fx.cutout import StageCutout

        self.cutout_on = cutout_wanted(game.config, self.choreo)
        if self.cutout_on:
            self.skeleton_width_px = 5  # thin: the child on the stage is the picture
        self._stage_cut = StageCutout()
        cam = game.camera
        if self.cutout_on and cam is not None and "segmentation" not in cam.pipelines:
            # The camera was opened for another song: add the segmentation pipeline. A video
            # camera restarts with the song anyway; a live one restarts now.
            cam.pipelines = tuple(cam.pipelines) + ("segmentation",)
            if not cam.is_file:
                cam.start(loop=False)
        self.rewards = Rewards()
        self.proc.subscribe(self._reward)
        self._announce: tuple[tuple[str, str], float] | None = None  # ((title, why), time_s when won)
        self.stats.update({"accessories_won": [], "accessories_drawn": 0, "cutouts_drawn": 0})

    def _reward(self, j) -> None:
        if self.watching:
            return  # nobody is scored while just watching
        won = self.rewards.on_judgement(j)
        if won is not None:
            self.stats["accessories_won"].append(won.kind)
            why = "for a golden move!" if won.why == "gold" else f"for {self.rewards.streak} PERFECTs in a row!"
            self._announce = ((f"You won {NAMES[won.kind]}!", why), self.time_s)

    # -- the picture ----------------------------------------------------------------------
    def camera_picture(self, cam, box_px):
        plain = super().camera_picture(cam, box_px)
        if not self.cutout_on or plain is None or self.camera_gone:
            return plain
        staged = self._stage_cut.surface(cam, plain.get_size())
        if staged is None:
            return plain
        self.stats["cutouts_drawn"] += 1
        return staged

    def _draw_camera(self, screen, song: float, t: float) -> None:
        super()._draw_camera(screen, song, t)
        if self.cutout_on and self.state == "playing" and self.stats["cutouts_drawn"]:
            self._want_shot("4_play_cutout")

    def draw_on_top(self, screen, t: float) -> None:
        # Over the effects: a PERFECT burst must not hide the prize it just won.
        if self.rewards.won and self.pose is not None and not self.camera_gone:
            self._draw_accessories(screen, t)
        if self._announce is not None:
            (title, why), at = self._announce
            if self.time_s - at > ANNOUNCE_S:
                self._announce = None
            else:
                # Low in the child's picture: the head (where the prize sits) stays in view.
                box = self.cam_view
                pill = pygame.Rect(0, 0, box.width - 16, 70)
                pill.midbottom = (box.centerx, box.bottom - 64)
                pygame.draw.rect(screen, theme.SHADOW, pill.move(0, 5), border_radius=24)
                pygame.draw.rect(screen, theme.GOLD, pill, border_radius=24)
                pygame.draw.rect(screen, theme.WHITE, pill, 4, border_radius=24)
                big = theme.fit(title, 30, pill.width - 20)
                theme.text(screen, title, big, theme.WHITE, (pill.centerx, pill.y + 24), outline_px=2)
                small = theme.fit(why, 20, pill.width - 20, min_size=12)
                theme.text(screen, why, small, theme.INK, (pill.centerx, pill.bottom - 16), shadow=False)

    def _want_shot(self, name: str) -> None:
        """Ask for one screenshot (with --shots) without taking another's turn forever."""
        if name not in self.game.shots_taken and not self._pending_shot:
            self._pending_shot = name

    def _draw_accessories(self, screen, t: float) -> None:
        view = self.cam_view
        lm = np.asarray(self.pose.landmarks)

        def to_px(x: float, y: float) -> tuple[float, float]:  # mirrored like the camera view
            return view.x + (1.0 - float(x)) * view.width, view.y + float(y) * view.height

        clip = screen.get_clip()
        screen.set_clip(view)
        drawn = False
        head = head_from_body(lm, to_px)
        for kind in self.rewards.kinds:
            if kind in HEAD_KINDS and head is not None:
                draw_accessory(screen, kind, *head)
                drawn = True
            elif kind == "star_wand":
                arm = hand_from_body(lm, to_px, "right") or hand_from_body(lm, to_px, "left")
                if arm is not None:
                    draw_wand(screen, *arm, t_s=t)
                    drawn = True
        screen.set_clip(clip)
        if drawn:
            self.stats["accessories_drawn"] += 1
            if self.state == "playing" and self._announce is not None:
                self._want_shot("4_play_accessory")


def cutout_wanted(config, choreo) -> bool:
    """The cut-out is on when the command line / settings say so (``config.cutout`` True or
    False), else when the song asks for it (``stage: cutout``)."""
    if getattr(config, "cutout", None) is not None:
        return bool(config.cutout)
    return getattr(choreo, "stage", "camera") == "cutout"
