"""The play screen: coach video on the song clock, the child's mirrored camera with a
green/red skeleton, upcoming-move cards, score bar and stars, tier pop-ups, combo, effects.

Each update: read the song clock; hand every new camera pose to the scorer at the song
time of its capture; judgements fan out to the HUD, particles and the session recorder.
The render never waits for pose inference. Nobody in frame -> a prompt while the song goes
on (those moves become MISS). A camera that disappears -> a message; the song continues.
Esc / P / Space pause (Esc in the pause menu leaves).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.cards import CardStrip, pose_at
from game.hud import Hud, draw_prompt
from game.media import VideoPlayer, make_clock
from game.scenes import theme
from game.skeleton import draw_figure, draw_skeleton
from scoring.events import Judgement, Tier

NOBODY_PROMPT_AFTER_S = 0.6  # nobody seen for this long -> "step into the picture!"
LOST_PUSH_PERIOD_S = 1 / 30  # with no camera, the scorer still hears "nobody" this often


class PlayScene(Scene):
    """One play of one choreography. Counters for tests/benchmarks: ``stats``."""

    draw_body = True  # the skeleton over the child's camera view (a mode scoring hands turns it off)
    skeleton_width_px = 9

    def __init__(self, app, game, choreo_path: Path) -> None:
        super().__init__(app)
        from game.particles import ParticleSystem
        from game.recorder import SessionRecorder
        from content.loader import load_choreography

        self.game = game
        cfg = game.config
        game.play_scene = self
        self.choreo = load_choreography(choreo_path)
        self.ref_track = self.choreo.load_track()
        self.difficulty = cfg.difficulty or self.choreo.difficulty
        self.mode = game.mode
        self.proc = self.mode.make_scorer(self.choreo, self.ref_track, cfg.latency_s, self.difficulty)
        w, h = app.size_px
        self.layout = Layout.for_coach(app.size_px, self._coach_aspect())
        self.coach_box, self.cam_box = self.layout.coach, self.layout.camera
        self.cam_view = self.cam_box
        self.stage_rect = self.coach_box  # where the coach picture is drawn (the video's own rect)
        # A pause button a hand cursor can rest on (an open palm, P or Esc pause too).
        pb = pygame.Rect(0, 0, 132, 50)
        pb.topright = (self.cam_box.right - 8, self.cam_box.y + 8)
        self.pause_button = theme.Button("Pause", pb, theme.LILAC)
        self.hud = Hud((w, h), (self.cam_box.centerx, self.cam_box.centery - 40), difficulty=self.difficulty)
        self.hud.combo_pos = (self.cam_box.centerx, self.cam_box.bottom - 34)
        self.fx = ParticleSystem(max_particles=12_000, seed=7 if app.headless else None)
        self.cards = CardStrip(self.choreo.moves, self.ref_track, beat_s=self.choreo.seconds_per_beat)
        self.coach: VideoPlayer | None = None
        if self.choreo.video is not None:
            self.coach = VideoPlayer(self.choreo.video, self.coach_box.size, threaded=not app.headless)
        self.duration_s = float(self.choreo.duration_s)
        if cfg.stop_after_s is not None:
            self.duration_s = min(self.duration_s, float(cfg.stop_after_s))
        # Camera capture times are perf_counter values, so a live song clock runs on perf_counter.
        self.clock = make_clock(self.choreo.audio, self.choreo.video, self.duration_s, headless=app.simulated,
                                now_fn=app.now_s if app.simulated else time.perf_counter)
        # Watching without a camera is not a dance session: nothing goes into the records.
        self.watching = game.camera is None
        self.hud.show_score = not self.watching
        self.stopped_early = cfg.stop_after_s is not None and cfg.stop_after_s < float(self.choreo.duration_s)
        self.session = None
        if not self.watching:
            self.session = SessionRecorder(cfg.player, self.choreo.title, str(self.choreo.path), self.difficulty,
                                           cfg.latency_s, store_path=cfg.store_path, use_store=cfg.use_store,
                                           mode=self.mode.name)
            game.last_session_path = self.session.path
            self.proc.subscribe(self.session.record)
        self.proc.subscribe(self.hud.on_judgement)
        self.proc.subscribe(self._celebrate)
        self.slow_fps: float | None = None  # the pipelines' rate while they cannot keep up
        self.degraded_note: str | None = None  # which pipeline the worker slowed, in kind words
        self._rate_checked_s = 0.0
        self._rate_prev = (0, 0)
        self.state = "ready"  # ready -> counting -> playing -> done
        self.time_s = 0.0
        self.song_s = 0.0
        self.pose = None
        self.last_seen_song_s = 0.0
        self._last_lost_push_s = -1.0
        self.result = None
        self._pending_shot: str | None = None
        self.stats = {"poses_pushed": 0, "judgements": 0, "max_particles": 0, "bursts": 0,
                      "frames_nobody": 0, "push_latency_ms": [], "judgement_latency_ms": [], "camera_lost_at_s": None, "camera_error": None}

    def _coach_aspect(self) -> float:
        """Width/height of the coach picture (video, else the pose track's frame)."""
        if self.choreo.video is not None:
            import cv2

            cap = cv2.VideoCapture(str(self.choreo.video))
            w, h = cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)
            cap.release()
            if w > 0 and h > 0:
                return w / h
        return self.ref_track.size[0] / max(1, self.ref_track.size[1])

    # -- lifetime ------------------------------------------------------------------------
    def enter(self) -> None:
        from game.scenes.countdown import CountdownScene

        if self.state == "ready":
            self.state = "counting"
            self.app.push(CountdownScene(self.app, self.game, self))
        elif self.state == "counting":
            self.start_song()
        elif self.state == "playing" and self.clock.paused:
            self._discard_stale_poses()  # moves made during the pause are not part of the song
            self.clock.resume()

    def start_song(self) -> None:
        cam = self.game.camera
        if cam is not None and cam.is_file:
            # A video used as the camera starts with the song, paced by the song clock.
            try:
                cam.start(song_clock=self.clock.position_s, loop=self._loop_camera(cam))
            except Exception as e:  # noqa: BLE001 — a camera problem must not stop the song
                self.game.camera_error = str(e)
        else:
            self._discard_stale_poses()  # poses from the countdown would land before song time 0
        self.clock.start(0.0)
        self.state = "playing"

    def _loop_camera(self, cam) -> bool:
        """--loop-camera / --no-loop-camera, else loop a video shorter than the song."""
        if self.game.config.loop_camera is not None:
            return bool(self.game.config.loop_camera)
        from pose.video import open_video

        try:
            with open_video(cam.source) as src:
                length_s = src.duration_s
        except Exception:  # noqa: BLE001 — probing only; start() reports a real failure
            return False
        return length_s is not None and length_s < self.duration_s

    def _discard_stale_poses(self) -> None:
        cam = self.game.camera
        if cam is not None and cam.worker is not None and not self.app.simulated:
            cam.drain()

    def leave(self) -> None:
        if self.state == "done":
            self._close_media()

    def _close_media(self) -> None:
        if self.coach is not None:
            self.stats["coach_frames_shown"] = self.coach.frames_shown
            self.stats["coach_frames_dropped"] = self.coach.frames_dropped
            self.coach.close()
            self.coach = None
        self.clock.stop()
        if self.session is not None:
            self.session.close()

    def pause(self) -> None:
        from game.scenes.pause import PauseScene

        if self.state == "playing":
            self.clock.pause()
            self.app.push(PauseScene(self.app, self.game, self))

    def quit_before_start(self) -> None:
        """Esc during the countdown: back to the title."""
        self.quit_song()

    def quit_song(self) -> None:
        """Leave mid-song (pause menu / countdown): the moves so far stay recorded, the
        session marked stopped at this song time (not finished)."""
        if self.session is not None and self.state == "playing":
            r = self.proc.finish(self.song_s, stopped=True)
            self.session.stop(r.total, r.stars, r.points, self.song_s)
        self.state = "done"
        self._close_media()
        while self.app.top is not None and self.app.top is not self:
            self.app.pop()  # overlays above us
        self.app.pop()

    # -- input ---------------------------------------------------------------------------
    def targets(self) -> list:
        return [self.pause_button] if self.state == "playing" else []

    def on_action(self, a: ActionEvent) -> None:
        # Anything that means "stop a moment" pauses: Esc, P, Space, a click, an open palm,
        # the window losing focus. The pause menu then offers resume and stop.
        if a.action in (Action.PAUSE, Action.BACK, Action.SELECT):
            self.pause()

    # -- update --------------------------------------------------------------------------
    def _celebrate(self, j: Judgement) -> None:
        self.stats["judgements"] += 1
        h = self.app.size_px[1]
        self.fx.burst(j.tier, j.gold, self.hud.popup_anchor, scale=h / 720)
        self.stats["bursts"] = self.fx.bursts

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        seen = self.pose is not None and not self.camera_gone
        self.hud.update(dt_s, self.proc.live_score if seen else None, self.proc.points)  # nobody seen: the meter drains
        self.fx.update(dt_s)
        self.stats["max_particles"] = max(self.stats["max_particles"], self.fx.live_count)
        if self.state != "playing":
            return
        self.song_s = self.clock.position_s()
        cam = self.game.camera
        if cam is not None and cam.worker is not None:
            poses = cam.drain(self.song_s if self.app.simulated else None)
            for latest in poses:
                t = latest.timestamp_s if cam.song_clocked else self.clock.time_at_s(latest.captured_at_s)
                events = self.push_observation(latest, t)
                self.stats["poses_pushed"] += 1
                lat_ms = (time.perf_counter() - latest.captured_at_s) * 1000.0
                self.stats["push_latency_ms"].append(lat_ms)  # camera frame -> scored
                if events:
                    self.stats["judgement_latency_ms"].append(lat_ms)  # camera frame -> judgement out
                self.pose = latest.pose
                if latest.pose is not None:
                    self.last_seen_song_s = t
                else:
                    self.stats["frames_nobody"] += 1
        if self.camera_gone and self.stats["camera_lost_at_s"] is None:
            self.stats["camera_lost_at_s"] = self.song_s
            self.stats["camera_error"] = cam.error if cam is not None else None
        if self.camera_gone and self.song_s - self._last_lost_push_s >= LOST_PUSH_PERIOD_S:
            # No camera any more: the scorer still hears "nobody" so moves end as MISS.
            self.proc.push(None, self.song_s)
            self._last_lost_push_s = self.song_s
            self.pose = None
        self._check_pipeline_rate()
        if self.song_s >= self.duration_s or self.clock.finished:
            self.finish()

    def _check_pipeline_rate(self) -> None:
        """Once a second: do the mode's pipelines keep up (>= mode.min_fps)? A camera slower
        than that by itself is not the pipelines' fault: only frames the pipelines had to
        drop count. ``slow_fps`` is set while they do not keep up (shown on screen)."""
        cam = self.game.camera
        if cam is None or cam.worker is None or self.app.simulated or self.time_s - self._rate_checked_s < 1.0:
            return
        self._rate_checked_s = self.time_s
        from game.camera import degradation_note

        # A pipeline the worker had to slow is said on screen, never silently.
        self.degraded_note = degradation_note(getattr(cam, "degradation", None))
        if self.degraded_note is not None:
            self.stats["degraded_seconds"] = self.stats.get("degraded_seconds", 0) + 1
            self.stats["degraded_notes"] = sorted(set(self.stats.get("degraded_notes", [])) | {self.degraded_note})
        st = cam.stats()
        if st is None:
            return
        read, dropped = st.frames_read - self._rate_prev[0], st.frames_dropped - self._rate_prev[1]
        self._rate_prev = (st.frames_read, st.frames_dropped)
        slow = st.fps > 0 and st.fps < self.mode.min_fps and read > 0 and dropped / read > 0.15
        self.slow_fps = float(st.fps) if slow else None
        if slow:
            self.stats["slow_seconds"] = self.stats.get("slow_seconds", 0) + 1

    def nobody_in_view(self) -> bool:
        """Nobody seen for a moment: the "step into the picture" prompt shows."""
        return self.pose is None and self.song_s - self.last_seen_song_s > NOBODY_PROMPT_AFTER_S

    def push_observation(self, latest, song_t_s: float) -> list:
        """Hand one camera frame's result to the mode's scorer (the body pose, here); a mode
        scoring another pipeline overrides this."""
        return self.proc.push(latest.pose, song_t_s)

    @property
    def camera_gone(self) -> bool:
        cam = self.game.camera
        return cam is None or cam.worker is None or cam.lost or cam.ended

    def finish(self) -> None:
        # --stop-after ends the song early: the moves after the stop were never danced.
        stopped = self.stopped_early
        self.result = self.proc.finish(self.song_s, stopped=stopped)
        if self.session is not None:
            if stopped:
                self.session.stop(self.result.total, self.result.stars, self.result.points, self.song_s)
            else:
                self.session.finish(self.result.total, self.result.stars, self.result.points)
        self.game.last_result = self.result
        self.state = "done"
        self._close_media()
        self.app.replace(self.mode.results_scene(self.app, self.game, self.result, self.choreo, watched=self.watching))

    # -- drawing -------------------------------------------------------------------------
    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        song = self.clock.position_s() if self.state == "playing" else self.song_s
        self._draw_coach(screen, song, t)
        self._draw_camera(screen, song, t)
        self.cards.draw(screen, self.layout.cards_topleft, song, t)
        if self.state == "playing" and not self.watching:
            self.pause_button.draw(screen, t)
        self._draw_tip(screen, song)
        self._draw_progress(screen, song)
        self.hud.draw(screen, t)
        self.fx.draw(screen)
        self.draw_on_top(screen, t)
        if self.slow_fps is not None and self.state == "playing":
            # Scoring a child on too few camera frames would be unfair: say so plainly.
            note = pygame.Rect(0, 0, 760, 46)
            note.midbottom = (w // 2, h - 6)
            pygame.draw.rect(screen, theme.ORANGE, note, border_radius=23)
            theme.text(screen, f"The camera is slow right now ({self.slow_fps:.0f} fps) - scores may be too low",
                       28, theme.WHITE, note.center, outline_px=1)
        if self.degraded_note is not None and self.state == "playing":
            from game.camera import OVER_BUDGET_WORDS

            bottom = h - (58 if self.slow_fps is not None else 6)
            lines = self.degraded_note.split("\n")
            if self.slow_fps is not None:
                lines = [ln for ln in lines if ln != OVER_BUDGET_WORDS]  # the orange line says it already
            for line in reversed(lines):
                note = pygame.Rect(0, 0, theme.font(24).size(line)[0] + 48, 38)
                note.midbottom = (w // 2, bottom)
                pygame.draw.rect(screen, theme.LILAC, note, border_radius=19)
                theme.text(screen, line, 24, theme.WHITE, note.center, outline_px=1)
                bottom -= 42
        if self._pending_shot:
            self.game.shot(self.app, self._pending_shot)  # after everything is drawn
            self._pending_shot = None
        if self.state == "playing" and self.hud.popups:
            # The screenshot that shows the game best: a celebrated move, effects in flight.
            p = self.hud.popups[-1]
            if self.hud.last is not None and self.hud.last.tier >= Tier.GOOD and p.age_s >= 0.3:
                self.game.shot(self.app, "4_play")
            elif p.age_s >= 0.3:
                self.game.shot(self.app, "4_play_first_judgement")

    def _draw_coach(self, screen, song: float, t: float) -> None:
        box = self.coach_box
        frame = self.coach.frame_at(song) if self.coach is not None else None
        if frame is not None:
            r = frame.get_rect(center=box.center)
            pygame.draw.rect(screen, theme.WHITE, r.inflate(12, 12), border_radius=20)
            screen.blit(frame, r)
            self.stage_rect = r
            label_y = r.y + 26
        else:
            # No coach video: the coach is drawn from the reference pose track.
            theme.panel(screen, box, colour=(255, 255, 255), alpha=35, border=theme.WHITE, border_px=4)
            pose = pose_at(self.ref_track, song)
            if pose is not None:
                aspect = self.ref_track.size[0] / max(1, self.ref_track.size[1])
                parts = self.proc.current_move.parts if self.proc.current_move is not None else {}
                draw_figure(screen, pose, box.inflate(-30, -60), highlight=parts, aspect=aspect,
                            body_colour=theme.WHITE, glow_colour=theme.SUN, width_px=16)
            label_y = box.y + 26
        tag = pygame.Rect(0, 0, 150, 40)
        tag.center = (box.centerx, label_y)
        pygame.draw.rect(screen, theme.PINK, tag, border_radius=20)
        theme.text(screen, "Coach", 32, theme.WHITE, tag.center, outline_px=1)

    def _draw_camera(self, screen, song: float, t: float) -> None:
        box = self.cam_box
        cam = self.game.camera
        surf = self.camera_picture(cam, box.size) if cam is not None else None
        view = surf.get_rect(center=box.center) if surf is not None else box
        self.cam_view = view  # where the child's picture is on screen (accessories ride on it)
        pygame.draw.rect(screen, theme.SUN, view.inflate(12, 12), border_radius=20)
        if surf is not None:
            screen.blit(surf, view)
        else:
            pygame.draw.rect(screen, (40, 30, 80), view, border_radius=16)
        if self.draw_body and self.pose is not None and not self.camera_gone:
            clip = screen.get_clip()
            screen.set_clip(view)  # a body half out of the picture stays inside its view
            draw_skeleton(screen, self.pose.landmarks, view, self.proc.live_parts, mirror=True,
                          width_px=self.skeleton_width_px)
            screen.set_clip(clip)
        tag = pygame.Rect(0, 0, 110, 40)
        tag.center = (view.centerx, view.y + 26)
        pygame.draw.rect(screen, theme.SKY, tag, border_radius=20)
        theme.text(screen, "You", 32, theme.WHITE, tag.center, outline_px=1)
        if self.state != "playing":
            return
        if self.watching:
            draw_prompt(screen, "Just watching", "Dance along for fun!", t, theme.LILAC, box.center, box.width - 16)
            self._pending_shot = "4_play_watching"
        elif self.camera_gone:
            if cam is not None and cam.ended and cam.is_file:
                draw_prompt(screen, "The camera video ended", "The song keeps going!", t, theme.LILAC, box.center, box.width - 16)
            else:
                draw_prompt(screen, "Camera lost!", "Keep dancing - the song goes on", t, theme.RED, box.center, box.width - 16)
            self._pending_shot = "4_play_camera_lost"
        elif self.nobody_in_view():
            draw_prompt(screen, "Where are you?", "Step into the picture!", t, theme.PINK, box.center, box.width - 16)
            self._pending_shot = "4_play_nobody"

    def draw_on_top(self, screen, t: float) -> None:
        """Drawn over the HUD and effects (a mode's prizes, say); nothing here."""

    def camera_picture(self, cam, box_px: tuple[int, int]):
        """The child's picture in the camera box: the mirrored camera frame (a mode may
        show something else of the same size, e.g. the child cut out onto a stage)."""
        return cam.surface(box_px)

    def _draw_tip(self, screen, song: float) -> None:
        w, _ = screen.get_size()
        move = self.choreo.move_at(song)
        if move is None:
            return
        rect = self.layout.tip
        theme.panel(screen, rect, alpha=235, colour=(255, 255, 255), radius_px=26)
        theme.text(screen, move.name, 38, theme.PINK, (rect.centerx, rect.y + 32), shadow=False)
        lines = theme.wrap(move.tip or "Copy the coach!", 28, rect.width - 30)
        for i, ln in enumerate(lines[:3]):
            theme.text(screen, ln, 28, theme.INK, (rect.centerx, rect.y + 72 + i * 28), shadow=False)

    def _draw_progress(self, screen, song: float) -> None:
        """A thin song-progress ribbon with gold markers where gold moves sit."""
        w, h = screen.get_size()
        bar = self.layout.progress
        pygame.draw.rect(screen, theme.SHADOW, bar, border_radius=8)
        k = min(1.0, song / self.duration_s) if self.duration_s > 0 else 0.0
        fill = bar.copy()
        fill.width = int(bar.width * k)
        if fill.width:
            pygame.draw.rect(screen, theme.SKY, fill, border_radius=8)
        for m in self.choreo.moves:
            if m.gold and m.start_s < self.duration_s:
                x = bar.x + bar.width * m.start_s / self.duration_s
                theme.star(screen, (x, bar.centery), 10, theme.GOLD)
        theme.text(screen, theme_clock(song), 26, theme.WHITE, (bar.x + 34, bar.bottom + 18))


@dataclass(frozen=True)
class Layout:
    """Where things go on the play screen, in pixels; chosen by the coach picture's shape."""

    coach: pygame.Rect
    camera: pygame.Rect
    cards_topleft: tuple[int, int]
    tip: pygame.Rect
    progress: pygame.Rect

    @classmethod
    def for_coach(cls, size_px: tuple[int, int], coach_aspect: float) -> "Layout":
        w, h = size_px
        right = w - 330  # the score panel's column starts here
        if coach_aspect < 1.0:
            # Portrait coach: a tall column on the left, the child in the middle, cards below.
            coach = pygame.Rect(16, 16, int(w * 0.31), h - 32)
            camera = pygame.Rect(coach.right + 16, 16, int(w * 0.40), int(h * 0.62))
            return cls(coach, camera, (camera.x, camera.bottom + 12),
                       pygame.Rect(camera.right + 16, 300, w - camera.right - 84, 150),
                       pygame.Rect(camera.right + 16, 140, w - camera.right - 84, 16))
        # Landscape coach: big on the left; the child's camera under the score panel; cards below the coach.
        coach = pygame.Rect(16, 16, int(w * 0.55), int(h * 0.60))
        camera = pygame.Rect(coach.right + 20, 196, w - coach.right - 20 - 70, int(h * 0.42))
        cards_y = coach.bottom + 14
        tip_x = 16 + 560
        return cls(coach, camera, (16, cards_y),
                   pygame.Rect(tip_x, camera.bottom + 20, w - tip_x - 70, h - camera.bottom - 60),
                   pygame.Rect(right, 138, w - right - 70, 14))


def theme_clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"
