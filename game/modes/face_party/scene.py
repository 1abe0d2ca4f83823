"""The Face Party play screen: the shared play screen, the face to copy shown big on the
beat, and an accessory riding on the child's head on their camera view."""
from __future__ import annotations

import numpy as np
import pygame

from game.fx.accessories import draw_accessory
from game.modes.face_party.faces import ACCESSORIES, draw_face
from game.scenes import theme
from game.scenes.play import PlayScene
from scoring.face_party import WORDS

EYE_R, EYE_L, FOREHEAD = 33, 263, 10


class FacePartyPlayScene(PlayScene):
    draw_body = False  # the face is what counts

    def __init__(self, app, game, choreo_path) -> None:
        super().__init__(app, game, choreo_path)
        self.face = None
        self.stats["faces_pushed"] = 0
        self.stats["accessories_drawn"] = 0

    def push_observation(self, latest, song_t_s: float) -> list:
        cam = self.game.camera
        events = []
        for result, arrived_s in cam.drain_results("face"):
            t = result.timestamp_s if cam.song_clocked else self.clock.time_at_s(arrived_s)
            events += self.proc.push(result, t)
            self.face = result
            self.stats["faces_pushed"] += 1
        return events

    def nobody_in_view(self) -> bool:
        face_seen = self.face is not None and getattr(self.face, "found", False)
        return not face_seen and self.pose is None and self.song_s - self.last_seen_song_s > 0.6

    def _draw_coach(self, screen, song: float, t: float) -> None:
        super()._draw_coach(screen, song, t)
        if self.state != "playing":
            return
        i = self.proc.move_index_at(song)
        if i is None:
            return
        m = self.proc.moves[i]
        box = self.stage_rect
        card = pygame.Rect(0, 0, 230, 250)
        card.topleft = (box.x + 14, box.y + 60)
        theme.panel(screen, card, alpha=235, colour=theme.WHITE, radius_px=30, border=self.mode.colour, border_px=6)
        pop = 1.0 + 0.1 * max(0.0, 1.0 - (song - m.start_s) * 4)
        draw_face(screen, m.cue, (card.centerx, card.centery - 16), int(78 * pop))
        theme.text(screen, WORDS[m.cue], 32, theme.INK, (card.centerx, card.bottom - 30), shadow=False)

    def _draw_camera(self, screen, song: float, t: float) -> None:
        super()._draw_camera(screen, song, t)
        cam = self.game.camera
        face = self.face
        if face is None or not getattr(face, "found", False) or cam is None or self.camera_gone:
            return
        surf = cam.surface(self.cam_box.size)
        view = surf.get_rect(center=self.cam_box.center) if surf is not None else self.cam_box
        lm = np.asarray(face.landmarks)[:, :2]

        def px(i: int) -> np.ndarray:  # mirrored like the camera view
            return np.array([view.x + (1.0 - lm[i, 0]) * view.width, view.y + lm[i, 1] * view.height])

        i = self.proc.move_index_at(song)
        kind = ACCESSORIES[(i or 0) % len(ACCESSORIES)]
        clip = screen.get_clip()
        screen.set_clip(view)
        draw_accessory(screen, kind, np.stack([px(EYE_R), px(EYE_L)]), px(FOREHEAD))
        screen.set_clip(clip)
        self.stats["accessories_drawn"] += 1
