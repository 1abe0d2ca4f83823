"""The battle's step-in: two children stand side by side, one in each half of the mirrored
picture. Each half has its name (from --player A --player B, or picked here on the
profiles screen) and its colour; when both children stand in their own halves for a
moment, the sides are claimed (slot 0 = left) and the battle starts.

Enter / the Ready button start at once; Esc goes back. Headless runs start once both
children have been seen for a moment (or after a few seconds).
"""
from __future__ import annotations

import math
from pathlib import Path

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.modes.battle.play import SIDE_COLOURS, SIDE_WORDS, shown_name, side_names
from game.players import players_of, screen_x
from game.scenes import theme
from game.scenes.stepin import TOO_BIG, TOO_SMALL, measure_body
from game.skeleton import draw_skeleton

HOLD_S = 1.5  # both children in their halves this long
HEADLESS_SEEN_S = 0.5
HEADLESS_GIVE_UP_S = 3.0


class BattleStepInScene(Scene):
    def __init__(self, app, game, choreo_path: Path) -> None:
        super().__init__(app)
        self.game = game
        self.choreo_path = choreo_path
        self.names: list[str | None] = list(side_names(game.config))
        self.time_s = 0.0
        self.good_for_s = 0.0
        self.both_seen_s = 0.0
        self.players = None
        self.in_place = [False, False]
        self.hints = ["", ""]
        self._picking: int | None = None
        w, h = app.size_px
        self.back_button = theme.Button("Back", pygame.Rect(30, h - 96, 150, 70), theme.LILAC)
        self.name_buttons = (theme.Button("", pygame.Rect(200, h - 96, 320, 70), SIDE_COLOURS[0]),
                             theme.Button("", pygame.Rect(w - 520, h - 96, 320, 70), SIDE_COLOURS[1]))
        self.ready_button = theme.Button("Ready!", pygame.Rect(w - 190, h - 96, 160, 70), theme.MINT, focused=True)
        self._label_buttons()

    def _label_buttons(self) -> None:
        for slot, b in enumerate(self.name_buttons):
            b.label = shown_name(self.names[slot], slot)

    def targets(self) -> list:
        return [self.ready_button, *self.name_buttons, self.back_button]

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK or (a.action is Action.SELECT and a.target is self.back_button):
            self.app.pop()
        elif a.action is Action.SELECT and a.target in self.name_buttons:
            self.pick_name(self.name_buttons.index(a.target))
        elif a.action is Action.YES or (a.action is Action.SELECT and (a.pos_px is None or a.target is self.ready_button)):
            self.go()

    def pick_name(self, slot: int) -> None:
        """Who stands on this side: the profiles screen, then back here."""
        from game.scenes.profiles import ProfilesScene

        self._picking = slot
        before = (self.game.config.player, self.game.avatar, self.game.player_chosen)

        def picked() -> None:
            self.names[slot] = self.game.config.player
            # The title's own dancer stays who it was; this only names a side of the battle.
            self.game.config.player, self.game.avatar, self.game.player_chosen = before
            self._picking = None
            self._label_buttons()

        self.app.push(ProfilesScene(self.app, self.game, on_done=picked))

    def go(self) -> None:
        self.game.config.players = tuple(self.names)
        cam = self.game.camera
        tracker = getattr(cam, "players_tracker", None)
        if tracker is not None:
            tracker.request_claim()  # live camera: the frame that shows both fixes the sides
        self.game.shot(self.app, "2_battle_step_in")
        self.app.replace(self.game.mode.play_scene(self.app, self.game, self.choreo_path))

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        cam = self.game.camera
        for latest in cam.drain(self.time_s if self.app.headless else None):
            self.players = players_of(latest)
        poses = self.players.poses if self.players is not None else (None, None)
        for slot in range(2):
            pose = poses[slot] if slot < len(poses) else None
            who = shown_name(self.names[slot], slot)
            if pose is None:
                self.in_place[slot] = False
                self.hints[slot] = f"{who}: step into the {SIDE_WORDS[slot]} half!"
                continue
            x = screen_x(pose)
            whole, height = measure_body(pose.landmarks)
            on_side = x < 0.5 if slot == 0 else x >= 0.5
            self.in_place[slot] = on_side
            if not on_side:
                self.hints[slot] = f"{who}: over to the {SIDE_WORDS[slot]}!"
            elif height > TOO_BIG:
                self.hints[slot] = f"{who}: step back a little!"
            elif not whole or height < TOO_SMALL:
                self.hints[slot] = f"{who}: show me your feet too!"
            else:
                self.hints[slot] = f"{who}: perfect spot!"
        both = all(self.in_place)
        self.good_for_s = self.good_for_s + dt_s if both else max(0.0, self.good_for_s - 2 * dt_s)
        if both:
            self.both_seen_s += dt_s
        headless_done = self.app.headless and self.game.config.autoplay and (
            self.both_seen_s >= HEADLESS_SEEN_S or self.time_s >= HEADLESS_GIVE_UP_S)
        if self.good_for_s >= HOLD_S or headless_done:
            self.go()

    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        theme.text(screen, "Dance Battle! Stand side by side", 58, theme.SUN, (w // 2, 44), outline_px=3)
        box = pygame.Rect(0, 0, int(w * 0.74), h - 270)
        box.center = (w // 2, 92 + box.height // 2)
        cam = self.game.camera
        surf = cam.surface(box.size) if cam is not None else None
        view = surf.get_rect(center=box.center) if surf is not None else box
        pygame.draw.rect(screen, theme.WHITE, view.inflate(14, 14), border_radius=18)
        if surf is not None:
            screen.blit(surf, view)
        else:
            pygame.draw.rect(screen, (40, 30, 80), view, border_radius=18)
        halves = (pygame.Rect(view.x, view.y, view.width // 2, view.height),
                  pygame.Rect(view.centerx, view.y, view.right - view.centerx, view.height))
        poses = self.players.poses if self.players is not None else (None, None)
        clip = screen.get_clip()
        screen.set_clip(view)
        for slot, half in enumerate(halves):
            colour = SIDE_COLOURS[slot]
            pygame.draw.rect(screen, colour, half, 6 if self.in_place[slot] else 3, border_radius=14)
            tag = pygame.Rect(0, 0, min(half.width - 30, 300), 40)
            tag.midtop = (half.centerx, half.y + 10)
            pygame.draw.rect(screen, colour, tag, border_radius=20)
            label = shown_name(self.names[slot], slot)
            theme.text(screen, label, theme.fit(label, 30, tag.width - 20), theme.WHITE, tag.center, outline_px=2)
            pose = poses[slot] if slot < len(poses) else None
            if pose is not None:
                draw_skeleton(screen, pose.landmarks, view, None, mirror=True, width_px=7)
        screen.set_clip(clip)
        pygame.draw.line(screen, theme.WHITE, (view.centerx, view.y), (view.centerx, view.bottom), 4)
        for slot in range(2):
            hint = self.hints[slot] or f"{shown_name(self.names[slot], slot)}: step in!"
            colour = theme.GREEN if self.in_place[slot] and hint.endswith("perfect spot!") else SIDE_COLOURS[slot]
            banner = pygame.Rect(0, 0, w // 2 - 40, 46)
            banner.center = (w // 4 + slot * (w // 2), view.bottom + 36 + int(3 * math.sin(t * 5 + slot)))
            pygame.draw.rect(screen, colour, banner, border_radius=25)
            pygame.draw.rect(screen, theme.WHITE, banner, 3, border_radius=25)
            theme.text(screen, hint, theme.fit(hint, 30, banner.width - 24), theme.WHITE, banner.center, outline_px=2)
        k = min(1.0, self.good_for_s / HOLD_S)
        centre = (view.centerx, view.bottom - 46)
        pygame.draw.circle(screen, theme.SHADOW, centre, 34)
        if k > 0:
            pygame.draw.arc(screen, theme.GREEN, pygame.Rect(centre[0] - 31, centre[1] - 31, 62, 62),
                            math.pi / 2, math.pi / 2 + 2 * math.pi * k, 9)
        theme.text(screen, "VS", 28, theme.WHITE, centre, outline_px=2)
        for b in (self.back_button, *self.name_buttons, self.ready_button):
            b.draw(screen, t)
        theme.text(screen, "tap a name to choose who dances there", 22, (230, 220, 255), (w // 2, h - 12),
                   shadow=False)
        if t > 0.4 and self.players is not None and self.players.found:
            self.game.shot(self.app, "2_battle_step_in")
