"""The practice screen: one move, slowed, counted in, looped until it is danced well.

It reuses the play screen's drawing (coach video, mirrored camera with the red/green
skeleton, move cards, HUD pop-ups) but runs on its own clock: practice time, the slowed
pace. The coach video and pose track are read at coach time (``PracticePlan.coach_time_s``)
and each loop is judged by a fresh scorer over this move alone, fed the child's poses at
coach time, so the move's windows are the song's windows slowed by 1 / speed. The camera
latency is real time: it is taken off a pose's capture time *before* the slowing is undone.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.practice.plan import PracticePlan
from game.scenes import theme
from game.scenes.play import Layout, PlayScene
from pose.errors import DanceError
from scoring.events import Judgement, Tier

GOOD_LOOPS_TO_PASS = 2  # GOOD or better this many times: the move is learnt, move on
DONE_SHOW_S = 2.0  # headless: the done screen shows this long


@dataclass(frozen=True)
class PracticeResult:
    """What a practice gave: per-loop judgements (time order), loops danced, whether the
    move was passed (GOOD+ twice), practice seconds, speed."""

    title: str
    move_name: str
    speed: float
    judgements: tuple[Judgement, ...]
    loops: int
    passed: bool
    practice_s: float

    @property
    def best_score(self) -> float | None:
        return max((j.score for j in self.judgements), default=None)


def pick_move(choreo, number: int):
    """Move ``number`` (1-based, as on the move cards); DanceError listing them otherwise."""
    moves = choreo.moves
    if not 1 <= number <= len(moves):
        names = ", ".join(f"{i + 1} {m.name}" for i, m in enumerate(moves))
        raise DanceError(f"{choreo.path.name} has moves 1..{len(moves)} ({names}); got --move {number}")
    return moves[number - 1]


def loop_audio(choreo, plan: PracticePlan, sr: int) -> np.ndarray:
    """One loop's music (N, 2) float32: the song from the lead-in to the tail, stretched
    to the practice speed, with a click on each slowed count-in beat."""
    from game.practice.audio import add_count_in, decode, stretch

    source = choreo.audio or choreo.video
    n_loop = int(round(plan.loop_s * sr))
    if source is None:
        song = np.zeros((n_loop, 2), np.float32)
    else:
        full = decode(source, sr)
        a, b = int(round(plan.lead_in_s * sr)), int(round(plan.tail_s * sr))
        seg = np.zeros((b - a, 2), np.float32)
        lo, hi = max(a, 0), min(b, full.shape[0])
        if hi > lo:
            seg[lo - a:hi - a] = full[lo:hi]
        song = stretch(seg, sr, plan.speed)
    # Exactly one loop long, so that loops stay on the practice clock's grid.
    if song.shape[0] < n_loop:
        song = np.concatenate([song, np.zeros((n_loop - song.shape[0], 2), np.float32)])
    song = song[:n_loop]
    return add_count_in(song, sr, plan.count_in_times_s())


class PracticeScene(PlayScene):
    """Practise ``move`` of ``choreo_path`` at ``speed`` for at most ``max_loops`` loops."""

    def __init__(self, app, game, choreo_path: Path, move_number: int, speed: float, max_loops: int,
                 audio_out: Path | None = None) -> None:
        from content.loader import load_choreography
        from game.cards import CardStrip
        from game.hud import Hud
        from game.media import VideoPlayer
        from game.particles import ParticleSystem
        from game.practice.audio import SR, write_wav
        from game.recorder import SessionRecorder
        from pose.paths import cache_dir

        self.app = app
        self.game = game
        cfg = game.config
        game.play_scene = self
        self.choreo = load_choreography(choreo_path)
        self.ref_track = self.choreo.load_track()
        self.difficulty = cfg.difficulty or self.choreo.difficulty
        self.mode = game.mode
        self.move = pick_move(self.choreo, move_number)
        self.speed = float(speed)
        self.max_loops = int(max_loops)
        self.plan = PracticePlan(self.move.start_s, self.move.end_s, self.choreo.seconds_per_beat, self.speed)
        self.latency_s = float(cfg.latency_s)
        w, h = app.size_px
        self.layout = Layout.for_coach(app.size_px, self._coach_aspect())
        self.coach_box, self.cam_box = self.layout.coach, self.layout.camera
        self.stage_rect = self.coach_box
        pb = pygame.Rect(0, 0, 132, 50)
        pb.topright = (self.cam_box.right - 8, self.cam_box.y + 8)
        self.pause_button = theme.Button("Pause", pb, theme.LILAC)
        self.hud = Hud((w, h), (self.cam_box.centerx, self.cam_box.centery - 40), difficulty=self.difficulty)
        self.hud.combo_pos = (self.cam_box.centerx, self.cam_box.bottom - 34)
        self.fx = ParticleSystem(max_particles=12_000, seed=7 if app.headless else None)
        self.cards = CardStrip([self.move], self.ref_track, beat_s=self.choreo.seconds_per_beat)
        self.coach = None
        if self.choreo.video is not None:
            self.coach = VideoPlayer(self.choreo.video, self.coach_box.size, threaded=not app.headless)
        # The whole practice's music, loop after loop: the live clock plays it, a recording gets it.
        one = loop_audio(self.choreo, self.plan, SR)
        self.audio_path = audio_out or (cache_dir() / "practice" / f"practice-{int(time.time() * 1000)}.wav")
        write_wav(self.audio_path, np.tile(one, (self.max_loops, 1)), SR)
        self.duration_s = self.plan.loop_s * self.max_loops
        self.clock = self._make_clock()
        self.watching = game.camera is None
        self.hud.show_score = False  # practice earns no points or stars: its own panel instead
        self.stopped_early = False
        self.session = None
        if not self.watching:
            self.session = SessionRecorder(cfg.player, self.choreo.title, str(self.choreo.path), self.difficulty,
                                           cfg.latency_s, store_path=cfg.store_path, use_store=cfg.use_store,
                                           mode=self.mode.name, kind="practice", speed=self.speed)
            game.last_session_path = self.session.path
        self.loop = 0
        self.loop_judgements: list[Judgement] = []
        self.good_loops = 0
        self.proc = self._new_scorer()
        self.slow_fps = None
        self._rate_checked_s = 0.0
        self._rate_prev = (0, 0)
        self.state = "ready"
        self.time_s = 0.0
        self.song_s = 0.0  # practice time
        self.pose = None
        self.last_seen_song_s = 0.0
        self._last_lost_push_s = -1.0
        self.result = None
        self._pending_shot = None
        self.stats = {"poses_pushed": 0, "judgements": 0, "max_particles": 0, "bursts": 0, "frames_nobody": 0,
                      "push_latency_ms": [], "judgement_latency_ms": [], "camera_lost_at_s": None,
                      "camera_error": None, "loops": 0}

    def _make_clock(self):
        from game.media import MusicClock, WallClock

        if self.app.simulated:
            return WallClock(self.duration_s, self.app.now_s)
        try:
            return MusicClock(self.audio_path, self.duration_s, time.perf_counter)
        except DanceError:
            return WallClock(self.duration_s, time.perf_counter)  # no audio device: silent, on time

    def _new_scorer(self):
        one = dataclasses.replace(self.choreo, moves=(self.move,))
        proc = self.mode.make_scorer(one, self.ref_track, 0.0, self.difficulty)  # latency: taken off in real time
        proc.subscribe(self._on_judgement)
        proc.subscribe(self.hud.on_judgement)
        proc.subscribe(self._celebrate)
        return proc

    # -- lifetime ------------------------------------------------------------------------
    def enter(self) -> None:
        if self.state == "ready":
            self.start_song()  # the count-in is the practice's own countdown
        elif self.state == "playing" and self.clock.paused:
            self._discard_stale_poses()
            self.clock.resume()

    def _loop_camera(self, cam) -> bool:
        return True if self.game.config.loop_camera is None else bool(self.game.config.loop_camera)

    def quit_before_start(self) -> None:
        self.quit_song()

    def quit_song(self) -> None:
        """Leave mid-practice: the loops so far are kept."""
        if self.state == "playing":
            self._end(passed=False)
        self.state = "done"
        self._close_media()
        while self.app.top is not None and self.app.top is not self:
            self.app.pop()
        self.app.pop()

    def on_action(self, a: ActionEvent) -> None:
        # YES ("go on"): the child has had enough of this move. Pause as in play.
        if a.action is Action.YES and self.state == "playing":
            self.finish()
        elif a.action in (Action.PAUSE, Action.BACK, Action.SELECT):
            self.pause()

    # -- judging -------------------------------------------------------------------------
    def _on_judgement(self, j: Judgement) -> None:
        self.loop_judgements.append(j)
        if self.session is not None:
            self.session.record(j)
        if j.tier >= Tier.GOOD:
            self.good_loops += 1

    def _close_loop(self) -> None:
        # The move may already be judged (its late window can end inside the tail); then
        # finish only seals this loop's scorer.
        self.proc.finish(self.plan.tail_s)
        self.stats["loops"] += 1

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        seen = self.pose is not None and not self.camera_gone
        self.hud.update(dt_s, self.proc.live_score if seen else None, self.proc.points)
        self.fx.update(dt_s)
        self.stats["max_particles"] = max(self.stats["max_particles"], self.fx.live_count)
        if self.state != "playing":
            return
        self.song_s = self.clock.position_s()
        k = self.plan.loop_of(self.song_s)
        if k > self.loop:
            self._close_loop()
            if self.good_loops >= GOOD_LOOPS_TO_PASS or k >= self.max_loops:
                self.finish()
                return
            self.loop = k
            self.proc = self._new_scorer()
        cam = self.game.camera
        if cam is not None and cam.worker is not None:
            for latest in cam.drain(self.song_s if self.app.simulated else None):
                t = latest.timestamp_s if cam.song_clocked else self.clock.time_at_s(latest.captured_at_s)
                loop, coach_t = self.plan.pose_time(t, self.latency_s)
                self.pose = latest.pose
                if latest.pose is not None:
                    self.last_seen_song_s = t
                else:
                    self.stats["frames_nobody"] += 1
                if loop != self.loop or t < self.latency_s:
                    continue  # made during the previous loop (or before the start)
                self.proc.push(latest.pose, coach_t)
                self.stats["poses_pushed"] += 1
        if self.camera_gone and self.song_s - self._last_lost_push_s >= 1 / 30:
            self.proc.push(None, self.plan.coach_time_s(self.song_s))
            self._last_lost_push_s = self.song_s
            self.pose = None
        if self.song_s >= self.duration_s or self.clock.finished:
            self._close_loop()
            self.finish()

    def finish(self) -> None:
        if self.state != "playing":
            return
        self._end(passed=self.good_loops >= GOOD_LOOPS_TO_PASS)
        self.state = "done"
        self._close_media()
        self.app.replace(PracticeDoneScene(self.app, self.game, self.result))

    def _end(self, passed: bool) -> None:
        self.result = PracticeResult(self.choreo.title, self.move.name, self.speed, tuple(self.loop_judgements),
                                     loops=self.stats["loops"], passed=passed, practice_s=float(self.song_s))
        self.game.last_result = self.result
        if self.session is not None:
            self.session.finish_practice(self.result.best_score, self.result.practice_s)

    # -- drawing -------------------------------------------------------------------------
    def draw(self, screen, alpha: float) -> None:
        t = self.time_s
        w, h = screen.get_size()
        theme.background(screen, t)
        practice = self.clock.position_s() if self.state == "playing" else self.song_s
        coach = self.plan.coach_time_s(practice)
        self._draw_coach(screen, coach, t)
        self._draw_camera(screen, coach, t)
        self.cards.draw(screen, self.layout.cards_topleft, coach, t)
        if self.state == "playing" and not self.watching:
            self.pause_button.draw(screen, t)
        self._draw_tip(screen, coach)
        self._draw_practice_panel(screen)
        self.hud.draw(screen, t)
        self.fx.draw(screen)
        left = self.plan.count_in_left(practice) if self.state == "playing" else None
        if left is not None:
            r = pygame.Rect(0, 0, 150, 150)
            r.center = self.cam_box.center
            pygame.draw.circle(screen, theme.SUN, r.center, 75)
            pygame.draw.circle(screen, theme.WHITE, r.center, 75, 6)
            theme.text(screen, str(left), 110, theme.WHITE, r.center, outline_px=4)
            self.game.shot(self.app, "p1_count_in")
        elif self.state == "playing" and self.loop_judgements:
            self.game.shot(self.app, "p2_practice_judged")

    def _draw_tip(self, screen, song: float) -> None:
        rect = self.layout.tip
        if rect.width < 60 or rect.height < 60:
            return  # a window too small for the tip panel
        theme.panel(screen, rect, alpha=235, colour=(255, 255, 255), radius_px=26)
        theme.text(screen, self.move.name, 38, theme.PINK, (rect.centerx, rect.y + 32), shadow=False)
        lines = theme.wrap(self.move.tip or "Copy the coach!", 28, rect.width - 30)
        for i, ln in enumerate(lines[:3]):
            theme.text(screen, ln, 28, theme.INK, (rect.centerx, rect.y + 72 + i * 28), shadow=False)

    def _draw_practice_panel(self, screen) -> None:
        """Where the play screen has points and stars: the loop, the speed, the two GOOD
        loops that pass the move, the last loop's tier; the live match bar beside it."""
        w, h = screen.get_size()
        rect = pygame.Rect(w - 330, 16, 310, 110)
        theme.panel(screen, rect, alpha=60, border=theme.WHITE, border_px=3)
        theme.text(screen, f"Practice {self.speed:g}x", 36, theme.WHITE, (rect.centerx, rect.y + 26), outline_px=2)
        theme.text(screen, f"loop {min(self.loop + 1, self.max_loops)} of {self.max_loops}", 26, theme.WHITE,
                   (rect.x + 80, rect.y + 70))
        for i in range(GOOD_LOOPS_TO_PASS):
            theme.star(screen, (rect.x + 190 + i * 36, rect.y + 70), 15, theme.GOLD if i < self.good_loops else theme.SHADOW)
        if self.loop_judgements:
            theme.text(screen, f"last: {self.loop_judgements[-1].tier.name}", 22, theme.WHITE,
                       (rect.centerx, rect.bottom - 10))
        if not self.watching:
            self.hud._draw_live_bar(screen, pygame.Rect(w - 52, 150, 30, h - 300))


class PracticeDoneScene(Scene):
    """The end of a practice: how the move went; any key (or, headless, a moment) ends it."""

    def __init__(self, app, game, result: PracticeResult) -> None:
        super().__init__(app)
        self.game = game
        self.result = result
        self.time_s = 0.0

    def on_action(self, a: ActionEvent) -> None:
        if a.action in (Action.SELECT, Action.YES, Action.BACK):
            self.app.pop()

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        if self.app.headless and self.time_s >= DONE_SHOW_S:
            self.app.pop()

    def draw(self, screen, alpha: float) -> None:
        w, h = screen.get_size()
        r = self.result
        theme.background(screen, self.time_s)
        theme.text(screen, "You've got it!" if r.passed else "Great practice!", 84, theme.SUN, (w // 2, h // 4),
                   outline_px=4)
        theme.text(screen, f"{r.move_name} at {r.speed:g}x speed", 44, theme.WHITE, (w // 2, h // 4 + 90))
        tiers = "  ".join(j.tier.name for j in r.judgements) or "no loop finished"
        theme.text(screen, tiers, 40, theme.WHITE, (w // 2, h // 2 + 20))
        theme.text(screen, "Practice does not change your stars.", 30, theme.WHITE, (w // 2, h - 90))
        self.game.shot(self.app, "p3_practice_done")
