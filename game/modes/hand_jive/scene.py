"""The Hand Jive play screen: the shared play screen, with the cued hand sign shown big on
the beat (which hand, which sign), the next sign coming, and the child's hands drawn on
their camera view with the sign each one is making."""
from __future__ import annotations

import time

import pygame

from game.modes.hand_jive.icons import draw_sign
from game.scenes import theme
from game.scenes.play import PlayScene

HAND_BONES = ((0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11),
              (11, 12), (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (17, 18), (18, 19), (19, 20), (0, 17))
HAND_WORDS = {"left": "LEFT hand", "right": "RIGHT hand", "both": "BOTH hands"}


class HandJivePlayScene(PlayScene):
    draw_body = False  # the hands are what counts: they are drawn instead
    def __init__(self, app, game, choreo_path) -> None:
        super().__init__(app, game, choreo_path)
        self.hands = None  # the newest HandsResult
        self.stats["hands_pushed"] = 0

    def push_observation(self, latest, song_t_s: float) -> list:
        # The body pose only frames the child; the hands, from the same camera frames, are scored.
        cam = self.game.camera
        events = []
        for result, arrived_s in cam.drain_hands():
            t = result.timestamp_s if cam.song_clocked else self.clock.time_at_s(arrived_s)
            events += self.proc.push(result, t)
            self.hands = result
            self.stats["hands_pushed"] += 1
        return events

    def nobody_in_view(self) -> bool:
        # What is scored is the hands: a child close to the camera shows hands, not feet.
        hands_seen = self.hands is not None and len(self.hands.hands) > 0
        return not hands_seen and self.pose is None and self.song_s - self.last_seen_song_s > 0.6

    # -- drawing -------------------------------------------------------------------------
    def _draw_coach(self, screen, song: float, t: float) -> None:
        super()._draw_coach(screen, song, t)
        if self.state != "playing":
            return
        i = self.proc.move_index_at(song)
        if i is None:
            return
        cue = self.proc.cues[i]
        box = self.stage_rect
        card = pygame.Rect(0, 0, 250, 250)
        card.topleft = (box.x + 14, box.y + 60)
        m = self.proc.moves[i]
        beat_k = max(0.0, min(1.0, (song - m.start_s) / max(1e-6, m.duration_s)))
        pop = 1.0 + 0.08 * (1.0 - min(1.0, (song - m.start_s) * 4)) if song >= m.start_s else 1.0
        theme.panel(screen, card, alpha=235, colour=theme.WHITE, radius_px=30, border=self.mode.colour, border_px=6)
        if cue.hand == "both":
            draw_sign(screen, cue.gesture, (card.centerx - 52, card.centery - 10), int(90 * pop), flip=True)
            draw_sign(screen, cue.gesture, (card.centerx + 52, card.centery - 10), int(90 * pop))
        else:
            # The child mirrors the coach's screen: their left hand is on the screen's left.
            draw_sign(screen, cue.gesture, (card.centerx, card.centery - 10), int(130 * pop), flip=cue.hand == "left")
        theme.text(screen, HAND_WORDS[cue.hand], 34, theme.INK, (card.centerx, card.bottom - 40), shadow=False)
        bar = pygame.Rect(card.x + 20, card.bottom - 16, card.width - 40, 8)
        pygame.draw.rect(screen, (220, 210, 235), bar, border_radius=4)
        pygame.draw.rect(screen, self.mode.colour, (bar.x, bar.y, int(bar.width * beat_k), bar.height), border_radius=4)
        theme.text(screen, cue.word + "!", 40, theme.WHITE, (card.centerx, card.y - 22), outline_px=2)

    def _draw_camera(self, screen, song: float, t: float) -> None:
        super()._draw_camera(screen, song, t)
        cam = self.game.camera
        if self.hands is None or cam is None or self.camera_gone:
            return
        surf = cam.surface(self.cam_box.size)
        view = surf.get_rect(center=self.cam_box.center) if surf is not None else self.cam_box
        for hand in self.hands.hands:
            pts = hand.landmarks_norm[:, :2]
            xy = [(view.x + (1.0 - float(x)) * view.width, view.y + float(y) * view.height) for x, y in pts]
            colour = theme.SUN if hand.handedness == 1 else theme.SKY
            for a, b in HAND_BONES:
                pygame.draw.line(screen, theme.INK, xy[a], xy[b], 7)
                pygame.draw.line(screen, colour, xy[a], xy[b], 4)
            wrist = xy[0]
            label = "R" if hand.handedness == 1 else "L"
            theme.text(screen, label, 30, colour, (wrist[0], wrist[1] + 22), outline_px=2)
