"""The latency calibration screen: "Copy Coco! Arms UP, arms DOWN" on a big beat.

Push it onto the scene stack with an opened ``game.camera.Camera``::

    scene = CalibrationScene(app, camera, on_done=lambda result: ...)
    app.push(scene)          # pops itself when done; scene.result: LatencyResult | None
    app.push(calibration_for_game(app, game))   # the same, from a game menu (updates config.latency_s)

Phases: a short "how to" card, a 3-2-1 count-in, eight beats of UP / DOWN with a pulsing
metronome and beat dots (Coco shows the pose to copy; the child's mirrored camera with a
live arm-height meter shows that the camera sees them), then the result: the delay in
milliseconds with a friendly verdict. Enter / Space / "Save" stores a confident result
(game.calibration.save_latency) and leaves; R / "Again" restarts; Esc leaves at any time
without saving. Headless (video file as the camera) runs straight through and saves a
confident result.

Times: the cue clock is this scene's own time (fixed-step updates). A live camera's pose
arrives at ``available_at_s`` (perf_counter) and is placed on the cue clock by its age;
a video file stepped headless arrives at its media time.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np
import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.calibration import CueSchedule, LatencyCalibrator, LatencyResult, arm_height, save_latency
from game.scenes import theme

INTRO_S = 2.5
RESULT_HOLD_HEADLESS_S = 1.0


def _coach_pictures(size_px: int) -> dict[bool, pygame.Surface]:
    """Coco with arms up (True) and down (False), rendered once by the demo's own renderer."""
    from game.demo.coach import P, with_sides
    from game.demo.stage import portrait

    poses = {True: with_sides(P(mouth=1.0), a_u_th=160, a_f_th=168),
             False: with_sides(P(mouth=0.3), a_u_th=10, a_f_th=6)}
    out = {}
    for up, pose in poses.items():
        rgb = np.ascontiguousarray(portrait(pose, size_px)[..., ::-1])
        out[up] = pygame.image.frombuffer(rgb.tobytes(), (size_px, size_px), "RGB").copy()
    return out


def _arrow(screen, centre: tuple[int, int], size_px: int, up: bool) -> None:
    """A fat white arrow (the bundled font has no arrow glyphs)."""
    cx, cy = centre
    k = -1 if up else 1
    s = size_px / 2
    pts = [(cx, cy + k * s), (cx - 0.8 * s, cy + k * 0.1 * s), (cx - 0.3 * s, cy + k * 0.1 * s),
           (cx - 0.3 * s, cy - k * s), (cx + 0.3 * s, cy - k * s), (cx + 0.3 * s, cy + k * 0.1 * s),
           (cx + 0.8 * s, cy + k * 0.1 * s)]
    pygame.draw.polygon(screen, theme.WHITE, pts)
    pygame.draw.polygon(screen, theme.INK, pts, 4)


def _ticks() -> dict[str, "pygame.mixer.Sound"] | None:
    """Metronome clicks (count-in high, move beats low), synthesised; None without audio."""
    try:
        if not pygame.mixer.get_init():
            pygame.mixer.init(44100, -16, 2, 512)
        sr, n_ch = pygame.mixer.get_init()[0], pygame.mixer.get_init()[2]
    except pygame.error:
        return None
    out = {}
    for name, hz in (("count", 1568.0), ("beat", 1046.5)):
        t = np.arange(int(0.08 * sr)) / sr
        wave = 0.5 * np.sin(2 * np.pi * hz * t) * np.exp(-t * 45)
        pcm = (wave * 32767).astype(np.int16)
        pcm = np.repeat(pcm[:, None], n_ch, axis=1) if n_ch > 1 else pcm
        out[name] = pygame.sndarray.make_sound(np.ascontiguousarray(pcm))
    return out


class CalibrationScene(Scene):
    """Measures camera + inference delay with a move-along; see the module docstring."""

    def __init__(self, app, camera, schedule: CueSchedule | None = None,
                 on_done: Callable[[LatencyResult | None], None] | None = None,
                 save: bool = True) -> None:
        super().__init__(app)
        self.camera = camera
        self.on_done = on_done
        self.save = save
        base = schedule or CueSchedule()
        # The cue starts after the how-to card.
        self.schedule = CueSchedule(base.bpm, base.beats, base.lead_in_beats, base.ramp_s, INTRO_S)
        self.result: LatencyResult | None = None
        self.saved_to = None
        w, h = app.size_px
        self.save_button = theme.Button("Save", pygame.Rect(w - 300, h - 110, 240, 80), theme.MINT, focused=True)
        self.again_button = theme.Button("Again", pygame.Rect(w // 2 - 120, h - 110, 240, 80), theme.SKY)
        self.back_button = theme.Button("Back", pygame.Rect(60, h - 110, 200, 80), theme.LILAC)
        self.pictures = _coach_pictures(min(360, int(h * 0.5)))
        # The clicks come out of the same mixer as the songs, so the delay measured against
        # them is the one the child has while dancing to music.
        self.ticks = _ticks()
        self._restart()

    def _restart(self) -> None:
        self.t_s = 0.0
        self.cal = LatencyCalibrator(self.schedule)
        self.meter = float("nan")
        self.pose = None
        self.result = None
        self._finished_at = None
        self._last_beat: int | None = None

    # -- input ----------------------------------------------------------------------------
    def targets(self) -> list:
        return [self.back_button] + ([self.save_button, self.again_button] if self.result is not None else [])

    def on_action(self, a: ActionEvent) -> None:
        pointed = a.action is Action.SELECT and a.pos_px is not None
        if a.action is Action.BACK or (pointed and a.target is self.back_button):
            self._leave(None)
        elif self.result is None:
            return
        elif a.action is Action.RETRY or (pointed and a.target is self.again_button):
            self._restart_camera()
        elif a.action is Action.YES or (a.action is Action.SELECT and (not pointed or a.target is self.save_button)):
            self._accept()

    def _restart_camera(self) -> None:
        if self.app.headless and getattr(self.camera, "is_file", False):
            self.camera.start(loop=False)
        self._restart()

    def _accept(self) -> None:
        if self.result is not None and self.result.ok and self.save:
            self.saved_to = save_latency(self.result, getattr(self.camera, "source", None))
        self._leave(self.result)

    def _leave(self, result: LatencyResult | None) -> None:
        self.result = result
        if self.on_done is not None:
            self.on_done(result)
        if self.app.top is self:
            self.app.pop()

    # -- update ---------------------------------------------------------------------------
    def update(self, dt_s: float) -> None:
        self.t_s += dt_s
        if self.result is not None:
            if self.app.headless and self.t_s - self._finished_at >= RESULT_HOLD_HEADLESS_S:
                self._accept()
            return
        headless = self.app.headless
        st = self.schedule.state(self.t_s)
        if st.phase in ("count-in", "move") and self.t_s >= self.schedule.start_s and st.beat != self._last_beat:
            self._last_beat = st.beat
            if self.ticks is not None:
                self.ticks["count" if st.phase == "count-in" else "beat"].play()
        for latest in self.camera.drain(self.t_s if headless else None):
            if headless:
                arrived = latest.timestamp_s
            else:
                # Place the pose on the cue clock by how long ago it became available.
                arrived = self.t_s - (time.perf_counter() - latest.available_at_s)
            self.meter = self.cal.push(latest.pose, arrived)
            self.pose = latest.pose
        if self.cal.done(self.t_s):
            self.result = self.cal.result()
            self._finished_at = self.t_s
            self.save_button.focused = self.result.ok
            self.again_button.focused = not self.result.ok

    # -- draw -----------------------------------------------------------------------------
    def draw(self, screen, alpha: float) -> None:
        t = self.t_s
        w, h = screen.get_size()
        theme.background(screen, t)
        if self.result is not None:
            self._draw_result(screen, t)
        else:
            self._draw_cue(screen, t)
        self.back_button.draw(screen, t)

    def _draw_cue(self, screen, t: float) -> None:
        w, h = screen.get_size()
        st = self.schedule.state(t)
        if t < self.schedule.start_s:
            theme.text(screen, "Copy Coco!", 72, theme.SUN, (w // 2, 70), outline_px=3)
            theme.text(screen, "Arms UP on one beat, DOWN on the next", 44, theme.WHITE, (w // 2, 140))
        elif st.phase == "count-in":
            theme.text(screen, "Get ready...", 64, theme.SUN, (w // 2, 70), outline_px=3)
        else:
            word, colour = ("UP!", theme.MINT) if st.arms_up else ("DOWN!", theme.PINK)
            pop = 1.0 + 0.25 * math.exp(-6 * st.beat_phase)
            theme.text(screen, word, int(96 * pop), colour, (w // 2, 80), outline_px=4)

        # Coco shows the pose to copy (arms up on the beat's up-cue).
        pic = self.pictures[st.phase == "move" and st.arms_up]
        box = pic.get_rect(center=(int(w * 0.27), int(h * 0.52)))
        pygame.draw.rect(screen, theme.WHITE, box.inflate(14, 14), border_radius=22)
        screen.blit(pic, box)

        # The metronome: a big circle that pops on every beat, with the count-in number.
        centre = (w // 2, int(h * 0.52))
        if st.phase in ("count-in", "move") and t >= self.schedule.start_s:
            k = math.exp(-5 * st.beat_phase)
            r = int(60 + 26 * k)
            colour = theme.SUN if st.phase == "count-in" else (theme.MINT if st.arms_up else theme.PINK)
            pygame.draw.circle(screen, theme.SHADOW, (centre[0], centre[1] + 6), r)
            pygame.draw.circle(screen, colour, centre, r)
            pygame.draw.circle(screen, theme.WHITE, centre, r, 5)
            if st.phase == "count-in" and st.count:
                theme.text(screen, str(st.count), 96, theme.WHITE, centre, outline_px=3)
            else:
                _arrow(screen, centre, int(r * 0.9), up=st.arms_up)
        # Beat dots: how far through the eight beats we are.
        n = self.schedule.beats
        for i in range(n):
            x = w // 2 + (i - (n - 1) / 2) * 44
            done = st.phase == "done" or (st.phase == "move" and i <= st.beat)
            pygame.draw.circle(screen, theme.SUN if done else (90, 70, 140), (int(x), int(h * 0.52) + 130), 14)

        # The child's mirrored camera and a live arm-height meter: proof the camera sees them.
        cam_box = pygame.Rect(0, 0, int(w * 0.3), int(h * 0.55))
        cam_box.center = (int(w * 0.76), int(h * 0.5))
        surf = self.camera.surface(cam_box.size) if hasattr(self.camera, "surface") else None
        if surf is not None:
            view = surf.get_rect(center=cam_box.center)
            pygame.draw.rect(screen, theme.WHITE, view.inflate(12, 12), border_radius=16)
            screen.blit(surf, view)
        else:
            pygame.draw.rect(screen, (40, 30, 80), cam_box, border_radius=16)
            theme.text(screen, "Waking up the camera...", 28, theme.WHITE, cam_box.center)
        meter = pygame.Rect(cam_box.right + 24, cam_box.top, 26, cam_box.height)
        pygame.draw.rect(screen, theme.SHADOW, meter, border_radius=13)
        if math.isfinite(self.meter):
            level = min(1.0, max(0.0, (self.meter + 1.2) / 2.4))  # arm height -1.2 (down) .. +1.2 (up)
            fill = meter.copy()
            fill.height = max(10, int(meter.height * level))
            fill.bottom = meter.bottom
            pygame.draw.rect(screen, theme.MINT if level > 0.5 else theme.SKY, fill, border_radius=13)
        else:
            theme.text(screen, "Step into the picture!", 30, theme.ORANGE, (cam_box.centerx, cam_box.bottom + 30))

    def _draw_result(self, screen, t: float) -> None:
        w, h = screen.get_size()
        res = self.result
        if res.ok:
            theme.text(screen, "Great moving!", 72, theme.SUN, (w // 2, 90), outline_px=3)
            theme.text(screen, f"Your camera is {res.latency_ms:.0f} ms behind the music", 48, theme.WHITE,
                       (w // 2, h // 2 - 40))
            theme.text(screen, "The game will wait for your camera that long.", 34, theme.WHITE, (w // 2, h // 2 + 20))
            n_stars = 1 + int(res.confidence >= 0.7) + int(res.confidence >= 0.85)
            for i in range(3):
                theme.star(screen, (w // 2 + (i - 1) * 90, h // 2 + 120), 36, filled=i < n_stars,
                           spin_rad=0.1 * math.sin(t * 3 + i))
        else:
            theme.text(screen, "Let's try that again!", 72, theme.ORANGE, (w // 2, 90), outline_px=3)
            theme.text(screen, "Stand where the camera sees your whole body,", 40, theme.WHITE, (w // 2, h // 2 - 30))
            theme.text(screen, "and move your arms UP and DOWN on the beat.", 40, theme.WHITE, (w // 2, h // 2 + 20))
        theme.text(screen, result_note(res), 26, theme.WHITE, (w // 2, h - 170))
        if res.ok:
            self.save_button.draw(screen, t)
        self.again_button.draw(screen, t)


def result_note(res: LatencyResult) -> str:
    """The small print under a result, for the grown-up: how sure, or why it failed (a
    bare "confidence 0.00" says nothing to anyone)."""
    if res.ok:
        return f"(sure of it: {res.confidence:.0%})"
    if res.n_samples == 0 or res.coverage < 0.5:
        return "(the camera saw the arms too little of the time to measure)"
    return "(the arm moves did not follow the beat clearly enough to measure)"


def calibration_for_game(app, game) -> Scene:
    """The calibration scene for a running game: one line to push it from any menu.

    Uses the game's open camera (or opens ``game.config.camera_source``); when a confident
    result is saved, ``game.config.latency_s`` takes it at once, so the next song uses it.
    """
    from game.camera import game_camera

    cam = game_camera(app, game, loop=False)

    def done(result: LatencyResult | None) -> None:
        if result is not None and result.ok:
            game.config.latency_s = result.latency_s

    return CalibrationScene(app, cam, on_done=done)
