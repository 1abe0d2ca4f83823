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
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from game.app import Scene
from game.input.actions import Action, ActionEvent
from game.practice.plan import PracticePlan, PracticeStep
from game.scenes import theme
from game.scenes.play import Layout, PlayScene
from pose.errors import DanceError
from scoring.events import Judgement, Tier

DONE_SHOW_S = 2.0  # headless: the done screen shows this long
INTRO_S = 3.0  # the "now chain it" card between steps (any key, a thumbs up or a dwell skips it)
INTRO_HEADLESS_S = 1.0
STEP_TITLES = {"move": "Learn the move", "chain": "Chain it", "section": "Full speed"}


@dataclass(frozen=True)
class PracticeResult:
    """What one practice step gave: per-loop judgements (time order), loops danced, how
    many loops passed (every move GOOD or better), whether the step passed, practice
    seconds, speed. move_names: the step's moves in order."""

    title: str
    move_names: tuple[str, ...]
    speed: float
    judgements: tuple[Judgement, ...]
    loops: int
    passed: bool
    practice_s: float
    kind: str = "move"
    good_loops: int = 0
    loops_to_pass: int = 2

    @property
    def move_name(self) -> str:
        """How the step is named to the child: "Arm waves", "Arm waves + March"."""
        return " + ".join(self.move_names)

    @property
    def best_score(self) -> float | None:
        return max((j.score for j in self.judgements), default=None)


def judged_loops(judgements) -> list[list[Judgement]]:
    """Judgements in time order, split into loops: each loop judges the step's moves in
    order, so a move at or before the previous one starts the next loop."""
    loops: list[list[Judgement]] = []
    for j in judgements:
        if not loops or j.move_index <= loops[-1][-1].move_index:
            loops.append([])
        loops[-1].append(j)
    return loops


def pick_move(choreo, number: int):
    """Move ``number`` (1-based, as on the move cards); DanceError listing them otherwise."""
    moves = choreo.moves
    if not 1 <= number <= len(moves):
        names = ", ".join(f"{i + 1} {m.name}" for i, m in enumerate(moves))
        raise DanceError(f"{choreo.path.name} has moves 1..{len(moves)} ({names}); got --move {number}")
    return moves[number - 1]


def count_in_voice(sr: int) -> tuple[np.ndarray, ...] | None:
    """The spoken "five, six, seven, eight", or None (then the count-in is clapped) when no
    synthesiser is installed; the reason is printed once."""
    from game.practice.voice import VoiceUnavailable, count_words

    try:
        return count_words(sr)
    except VoiceUnavailable as e:
        if not getattr(count_in_voice, "_warned", False):
            print(f"practice: {e}; clapping the count-in instead", file=sys.stderr)
            count_in_voice._warned = True  # type: ignore[attr-defined]
        return None


_SONG: dict[tuple[str, float, int], np.ndarray] = {}


def _decoded(path: Path, sr: int) -> np.ndarray:
    """The song decoded once per practice (its steps share it); one song is kept."""
    from game.practice.audio import decode

    key = (str(path), Path(path).stat().st_mtime, sr)
    if key not in _SONG:
        _SONG.clear()
        _SONG[key] = decode(path, sr)
    return _SONG[key]


def loop_audio(choreo, plan: PracticePlan, sr: int, words: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """One loop's music (N, 2) float32: the song from the lead-in to the tail, stretched
    to the practice speed, with the count-in spoken (or clapped) on the slowed beats."""
    from game.practice.audio import add_count_in, stretch

    n_loop = int(round(plan.loop_s * sr))
    full = None
    if choreo.audio is not None:
        full = _decoded(choreo.audio, sr)  # an authored sound file that cannot be read is an error
    elif choreo.video is not None:
        try:
            full = _decoded(choreo.video, sr)
        except DanceError:
            full = None  # a silent coach video: the count-in alone keeps the beat
    if full is None:
        song = np.zeros((n_loop, 2), np.float32)
    else:
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
    return add_count_in(song, sr, plan.count_in_times_s(), words=words, beat_s=plan.slowed_beat_s)


def step_plan(choreo, step: PracticeStep) -> PracticePlan:
    """The loop timeline of ``step``: from its first move's start to its last move's end."""
    moves = [pick_move(choreo, n) for n in step.moves]
    return PracticePlan(moves[0].start_s, moves[-1].end_s, choreo.seconds_per_beat, float(step.speed))


def render_step_music(choreo, step: PracticeStep) -> Path:
    """The step's whole music (every loop it may dance) as a WAV in the cache; ~1 s of CPU
    for a slowed step (the stretch), so the step card renders it in the background."""
    from game.practice.audio import SR, write_wav
    from pose.paths import cache_dir

    one = loop_audio(choreo, step_plan(choreo, step), SR, count_in_voice(SR))
    path = cache_dir() / "practice" / f"practice-{time.time_ns()}.wav"
    return write_wav(path, np.tile(one, (int(step.max_loops), 1)), SR)


@dataclass
class PracticeRun:
    """A practice being danced, step after step: the steps, the results so far, and where
    each step's music starts on the screen's timeline (for a recording).

    music: (start_s, wav, played_s) per step started: its music began ``start_s`` seconds
    into the recording (frames written / fps) and played for ``played_s``."""

    steps: tuple[PracticeStep, ...]
    index: int = 0
    results: list[PracticeResult] = dataclasses.field(default_factory=list)
    music: list[list] = dataclasses.field(default_factory=list)
    stopped: bool = False

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a practice needs at least one step")

    @property
    def step(self) -> PracticeStep:
        return self.steps[self.index]

    @property
    def finished(self) -> bool:
        return self.stopped or self.index >= len(self.steps)


def first_scene(app, game, run: PracticeRun):
    """The scene that starts ``run``: its first step's card (a one-step practice starts at once)."""
    if len(run.steps) == 1:
        return PracticeScene(app, game, run)
    return StepIntroScene(app, game, run)


def start_practice(app, game, steps: tuple[PracticeStep, ...]) -> PracticeRun:
    """Practise ``steps`` from inside the game (the move picker, the results screen): opens
    the camera if it is not open yet (without one the child can still watch and learn;
    nothing is stored) and pushes the practice; its done screen comes back here."""
    from game.camera import game_camera

    if game.camera is None:
        try:
            game_camera(app, game, loop=True)
        except DanceError as e:
            game.camera_error = str(e)
    run = PracticeRun(tuple(steps))
    app.push(first_scene(app, game, run))
    return run


def _timeline_s(app) -> float:
    """Seconds into the recording (frames written), else the app's clock."""
    sink = getattr(app, "sink", None)
    if sink is not None and hasattr(sink, "frames_written"):
        return sink.frames_written / float(getattr(sink, "fps", 30.0))
    return app.now_s()


class PracticeScene(PlayScene):
    """Dance ``run.step``: its moves looped at the step's speed until ``loops_to_pass`` loops
    have every move GOOD or better, the loops run out, or the child says go on (thumbs up,
    Y, the Go on button). Then the next step's card, or the done screen."""

    def __init__(self, app, game, run: PracticeRun, audio_ready: Path | None = None) -> None:
        from content.loader import load_choreography
        from game.cards import CardStrip
        from game.hud import Hud
        from game.media import VideoPlayer
        from game.particles import ParticleSystem
        from game.recorder import SessionRecorder
        self.app = app
        self.game = game
        self.run = run
        step = run.step
        self.step = step
        cfg = game.config
        game.play_scene = self
        self.choreo = load_choreography(Path(step.choreo_path))
        self.ref_track = self.choreo.load_track()
        self.difficulty = cfg.difficulty or self.choreo.difficulty
        self.mode = game.mode
        self.moves = tuple(pick_move(self.choreo, n) for n in step.moves)
        self.move = self.moves[0]
        self.speed = float(step.speed)
        self.max_loops = int(step.max_loops)
        self.plan = step_plan(self.choreo, step)
        self.latency_s = float(cfg.latency_s)
        w, h = app.size_px
        self.layout = Layout.for_coach(app.size_px, self._coach_aspect())
        self.coach_box, self.cam_box = self.layout.coach, self.layout.camera
        self.stage_rect = self.coach_box
        pb = pygame.Rect(0, 0, 132, 50)
        pb.topright = (self.cam_box.right - 8, self.cam_box.y + 8)
        self.pause_button = theme.Button("Pause", pb, theme.LILAC)
        gb = pygame.Rect(0, 0, 150, 50)
        gb.topleft = (self.cam_box.x + 8, self.cam_box.y + 8)
        self.go_on_button = theme.Button("Go on", gb, theme.MINT)
        self.hud = Hud((w, h), (self.cam_box.centerx, self.cam_box.centery - 40), difficulty=self.difficulty)
        self.hud.combo_pos = (self.cam_box.centerx, self.cam_box.bottom - 34)
        self.fx = ParticleSystem(max_particles=12_000, seed=7 if app.headless else None)
        self.cards = CardStrip(self.moves, self.ref_track, beat_s=self.choreo.seconds_per_beat)
        self.coach = None
        if self.choreo.video is not None:
            self.coach = VideoPlayer(self.choreo.video, self.coach_box.size, threaded=not app.headless)
        # The step's music, loop after loop: the live clock plays it, a recording gets it.
        # audio_ready: the step card rendered it while it showed.
        self.audio_path = audio_ready or render_step_music(self.choreo, step)
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
        self._loop_first = 0  # index into loop_judgements where this loop's begin
        self.good_loops = 0
        self.last_loop_passed: bool | None = None
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
        span = dataclasses.replace(self.choreo, moves=self.moves)
        proc = self.mode.make_scorer(span, self.ref_track, 0.0, self.difficulty)  # latency: taken off in real time
        proc.subscribe(self._on_judgement)
        proc.subscribe(self.hud.on_judgement)
        proc.subscribe(self._celebrate)
        return proc

    # -- lifetime ------------------------------------------------------------------------
    def enter(self) -> None:
        if self.state == "ready":
            self.start_song()  # the count-in is the practice's own countdown
            self.run.music.append([_timeline_s(self.app), self.audio_path, 0.0])
        elif self.state == "playing" and self.clock.paused:
            self._discard_stale_poses()
            self.clock.resume()

    def _loop_camera(self, cam) -> bool:
        return True if self.game.config.loop_camera is None else bool(self.game.config.loop_camera)

    def _close_media(self) -> None:
        super()._close_media()
        if getattr(self.app, "sink", None) is None:
            self.audio_path.unlink(missing_ok=True)  # a recording still needs it (the CLI removes it)

    def quit_before_start(self) -> None:
        self.quit_song()

    def quit_song(self) -> None:
        """Leave mid-practice (the pause menu's Stop): the loops so far are kept, the steps
        after this one are not danced."""
        if self.state == "playing":
            self._end(passed=False)
        self.run.stopped = True
        self.state = "done"
        self._close_media()
        while self.app.top is not None and self.app.top is not self:
            self.app.pop()
        self.app.pop()

    def targets(self) -> list:
        return [self.go_on_button, self.pause_button] if self.state == "playing" and not self.watching else []

    def on_action(self, a: ActionEvent) -> None:
        # YES ("go on"): the child has had enough of this step. Pause as in play.
        if self.state != "playing":
            return
        if a.action is Action.YES or (a.action is Action.SELECT and a.target is self.go_on_button):
            self.finish()
        elif a.action in (Action.PAUSE, Action.BACK, Action.SELECT):
            self.pause()

    # -- judging -------------------------------------------------------------------------
    def _on_judgement(self, j: Judgement) -> None:
        self.loop_judgements.append(j)
        if self.session is not None:
            self.session.record(j)

    def _close_loop(self) -> None:
        # A move may already be judged (its late window can end inside the tail); then
        # finish only seals this loop's scorer. The loop passes when every move of the
        # step was judged in it, each GOOD or better.
        self.proc.finish(self.plan.tail_s)
        self.stats["loops"] += 1
        this = self.loop_judgements[self._loop_first:]
        self._loop_first = len(self.loop_judgements)
        passed = len(this) >= len(self.moves) and all(j.tier >= Tier.GOOD for j in this)
        self.last_loop_passed = passed
        if passed:
            self.good_loops += 1

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
            if self.good_loops >= self.step.loops_to_pass or k >= self.max_loops:
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
        """The step ends (passed, out of loops, or "go on"): the next step's card, or the
        done screen after the last."""
        if self.state != "playing":
            return
        self._end(passed=self.good_loops >= self.step.loops_to_pass)
        self.state = "done"
        self._close_media()
        self.run.index += 1
        if self.run.finished:
            self.app.replace(PracticeDoneScene(self.app, self.game, self.run))
        else:
            self.app.replace(StepIntroScene(self.app, self.game, self.run))

    def _end(self, passed: bool) -> None:
        self.result = PracticeResult(self.choreo.title, tuple(m.name for m in self.moves), self.speed,
                                     tuple(self.loop_judgements), loops=self.stats["loops"], passed=passed,
                                     practice_s=float(self.song_s), kind=self.step.kind, good_loops=self.good_loops,
                                     loops_to_pass=self.step.loops_to_pass)
        self.run.results.append(self.result)
        if self.run.music:
            self.run.music[-1][2] = float(self.song_s)
        self.game.last_result = self.result
        if self.session is not None:
            self.session.finish_practice(self.result.best_score, self.result.practice_s)

    # -- drawing -------------------------------------------------------------------------
    def current_move(self, coach_s: float):
        """The step's move under coach time ``coach_s`` (the next one between moves)."""
        for m in self.moves:
            if coach_s < m.end_s:
                return m
        return self.moves[-1]

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
            self.go_on_button.draw(screen, t)
        self._draw_tip(screen, coach)
        self._draw_practice_panel(screen)
        self.hud.draw(screen, t)
        self.fx.draw(screen)
        left = self.plan.count_in_left(practice) if self.state == "playing" else None
        if left is not None:
            # The number the voice says: "five, six, seven, eight" (a dance teacher's count).
            said = 8 - left + 1 if self.plan.count_in_beats == 4 else self.plan.count_in_beats - left + 1
            r = pygame.Rect(0, 0, 150, 150)
            r.center = self.cam_box.center
            pygame.draw.circle(screen, theme.SUN, r.center, 75)
            pygame.draw.circle(screen, theme.WHITE, r.center, 75, 6)
            theme.text(screen, str(said), 110, theme.WHITE, r.center, outline_px=4)
            shot = {"move": "p1_count_in", "chain": "p5_chain_count_in", "section": "p7_section_count_in"}
            self.game.shot(self.app, shot[self.step.kind])
        elif self.state == "playing" and self.loop_judgements:
            shot = {"move": "p2_practice_judged", "chain": "p6_chain_judged", "section": "p8_section_judged"}
            self.game.shot(self.app, shot[self.step.kind])

    def _draw_tip(self, screen, song: float) -> None:
        rect = self.layout.tip
        if rect.width < 60 or rect.height < 60:
            return  # a window too small for the tip panel
        move = self.current_move(song)
        theme.panel(screen, rect, alpha=235, colour=(255, 255, 255), radius_px=26)
        theme.text(screen, move.name, theme.fit(move.name, 38, rect.width - 24), theme.PINK,
                   (rect.centerx, rect.y + 32), shadow=False)
        lines = theme.wrap(move.tip or "Copy the coach!", 28, rect.width - 30)
        for i, ln in enumerate(lines[:3]):
            theme.text(screen, ln, 28, theme.INK, (rect.centerx, rect.y + 72 + i * 28), shadow=False)

    def _draw_practice_panel(self, screen) -> None:
        """Where the play screen has points and stars: the step, the loop, the speed, the
        passing loops still wanted, the last loop's verdict; the live match bar beside it."""
        w, h = screen.get_size()
        rect = pygame.Rect(w - 350, 12, 330, 134)
        theme.panel(screen, rect, alpha=60, border=theme.WHITE, border_px=3)
        n = len(self.run.steps)
        title = STEP_TITLES[self.step.kind] + (f"  {self.run.index + 1}/{n}" if n > 1 else "")
        theme.text(screen, title, theme.fit(title, 32, rect.width - 20), theme.SUN, (rect.centerx, rect.y + 22),
                   outline_px=2)
        theme.text(screen, f"{self.speed:g}x speed", 28, theme.WHITE, (rect.x + 82, rect.y + 60), outline_px=1)
        theme.text(screen, f"loop {min(self.loop + 1, self.max_loops)} of {self.max_loops}", 26, theme.WHITE,
                   (rect.x + 82, rect.y + 96))
        for i in range(self.step.loops_to_pass):
            theme.star(screen, (rect.x + 210 + i * 40, rect.y + 78), 17,
                       theme.GOLD if i < self.good_loops else theme.SHADOW)
        if self.last_loop_passed is not None:
            verdict = "that loop: yes!" if self.last_loop_passed else "that loop: again"
            theme.text(screen, verdict, 22, theme.WHITE, (rect.x + 228, rect.bottom - 16))
        if not self.watching:
            self.hud._draw_live_bar(screen, pygame.Rect(w - 52, 178, 30, h - 328))


class StepIntroScene(Scene):
    """Between steps: what comes next ("Chain it: Arm waves + March, 0.5x"), with the moves'
    cards. It builds the step while it shows (the music takes a moment to stretch), then
    starts it after INTRO_S; Enter, a thumbs up or the Start button start it at once, Esc
    ends the practice (the steps so far are kept)."""

    def __init__(self, app, game, run: PracticeRun) -> None:
        from content.loader import load_choreography
        from game.cards import CardStrip

        super().__init__(app)
        self.game = game
        self.run = run
        self.step = run.step
        self.choreo = load_choreography(Path(self.step.choreo_path))
        self.moves = tuple(pick_move(self.choreo, n) for n in self.step.moves)
        self.cards = CardStrip(self.moves, self.choreo.load_track())
        self.time_s = 0.0
        self.next_scene: PracticeScene | None = None
        self._drawn = False
        # The step's music is stretched in the background while the card shows, so the card
        # keeps moving (the GIL is shared, but the stretch is mostly numpy).
        self._music: list = []
        self._render = threading.Thread(target=self._render_music, name="practice-music", daemon=True)
        self._render.start()
        w, h = app.size_px
        # Laid out top-down from the cards (fixed size), so a small window still fits.
        self.cards_y = int(0.25 * h)
        self.sub_y = self.cards_y + 262
        bh = 86 if h >= 640 else 66
        self.start_button = theme.Button("Start", pygame.Rect(w // 2 - 170, self.sub_y + 60, 340, bh), theme.PINK, True)
        self.show_s = INTRO_HEADLESS_S if app.headless else INTRO_S

    def _render_music(self) -> None:
        try:
            self._music.append(render_step_music(self.choreo, self.step))
        except Exception as e:  # noqa: BLE001 — raised again on the game thread, below
            self._music.append(e)

    def _music_path(self) -> Path:
        self._render.join()
        got = self._music[0]
        if isinstance(got, BaseException):
            raise got
        return got

    def targets(self) -> list:
        return [self.start_button]

    def on_action(self, a: ActionEvent) -> None:
        if a.action is Action.BACK:
            self.run.stopped = True
            if self.next_scene is not None:
                self.next_scene.state = "done"
                self.next_scene._close_media()  # built while this card showed: never started
                self.next_scene.audio_path.unlink(missing_ok=True)
            else:
                try:
                    self._music_path().unlink(missing_ok=True)
                except Exception:  # noqa: BLE001 — leaving: a failed render has nothing to remove
                    pass
            if self.run.results:
                self.app.replace(PracticeDoneScene(self.app, self.game, self.run))
            else:
                self.app.pop()
        elif a.action is Action.YES or (a.action is Action.SELECT and (a.pos_px is None or a.target is self.start_button)):
            self.time_s = max(self.time_s, self.show_s)

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        # Built once the card is on screen and its music is ready (headless: waited for at
        # the end of the card, so a run is the same frame by frame on any machine).
        ready = self._music or (self.app.headless and self.time_s >= self.show_s)
        if self._drawn and self.next_scene is None and ready:
            self.next_scene = PracticeScene(self.app, self.game, self.run, audio_ready=self._music_path())
        if self.next_scene is not None and self.time_s >= self.show_s:
            self.app.replace(self.next_scene)

    def draw(self, screen, alpha: float) -> None:
        w, h = screen.get_size()
        t = self.time_s
        theme.background(screen, t)
        step = self.step
        n = len(self.run.steps)
        head = STEP_TITLES[step.kind] + "!"
        theme.text(screen, head, int(84 * min(1.0, h / 720)), theme.SUN, (w // 2, int(0.1 * h)), outline_px=4)
        what = {"move": "One move, slowed down, again and again",
                "chain": "Now put two moves together",
                "section": "Now the moves around it, at full speed"}[step.kind]
        theme.text(screen, what, theme.fit(what, 40, w - 80), theme.WHITE, (w // 2, int(0.19 * h)), outline_px=2)
        from game.cards import CARD_H_PX, CARD_W_PX

        gap = 20
        x = w // 2 - (len(self.moves) * (CARD_W_PX + gap) - gap) // 2
        for k, m in enumerate(self.moves):  # the step's moves side by side, all the same size
            rect = pygame.Rect(x + k * (CARD_W_PX + gap), self.cards_y, CARD_W_PX, CARD_H_PX)
            self.cards._draw_card(screen, rect, m, -1.0, False, t)
        label = " + ".join(m.name for m in self.moves)
        sub = f"{label}  ·  {step.speed:g}x speed  ·  step {self.run.index + 1} of {n}"
        theme.text(screen, sub, theme.fit(sub, 34, w - 80), theme.WHITE, (w // 2, self.sub_y), outline_px=2)
        goal = (f"Dance it right {step.loops_to_pass} times" if step.loops_to_pass > 1 else "Dance it right once") + \
            " - or give a thumbs up to go on"
        theme.text(screen, goal, theme.fit(goal, 28, w - 80), (230, 220, 255), (w // 2, self.sub_y + 34))
        self.start_button.draw(screen, t)
        if self.start_button.rect.bottom + 40 < h:
            theme.text(screen, "Enter  start    Esc  finish practising", 26, (230, 220, 255), (w // 2, h - 22),
                       shadow=False)
        self._drawn = True
        if t >= 0.2:
            self.game.shot(self.app, {"move": "p0_step_move", "chain": "p4_step_chain", "section": "p4b_step_section"}[step.kind])


class PracticeDoneScene(Scene):
    """The end of a practice: each step, how its loops went, passed or not; Enter, a thumbs
    up or the Done button (or, headless, a moment) ends it."""

    def __init__(self, app, game, run: PracticeRun) -> None:
        super().__init__(app)
        self.game = game
        self.run = run
        self.results = list(run.results)
        self.time_s = 0.0
        w, h = app.size_px
        self.done = theme.Button("Done", pygame.Rect(w // 2 - 170, h - 130, 340, 86), theme.PINK, True)

    def targets(self) -> list:
        return [self.done]

    def on_action(self, a: ActionEvent) -> None:
        if a.action in (Action.BACK, Action.YES) or (
                a.action is Action.SELECT and (a.pos_px is None or a.target is self.done)):
            self.app.pop()

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        if self.app.headless and self.time_s >= DONE_SHOW_S:
            self.app.pop()

    def draw(self, screen, alpha: float) -> None:
        w, h = screen.get_size()
        t = self.time_s
        theme.background(screen, t)
        all_passed = bool(self.results) and all(r.passed for r in self.results)
        theme.text(screen, "You've got it!" if all_passed else "Great practice!", 84, theme.SUN, (w // 2, 76),
                   outline_px=4)
        card = pygame.Rect(60, 140, w - 120, min(h - 300, 30 + 76 * max(1, len(self.results))))
        theme.panel(screen, card, alpha=230, radius_px=28)
        if not self.results:
            theme.text(screen, "No loop finished this time", 36, theme.INK, card.center, shadow=False)
        rows = self.results[-max(1, (card.height - 30) // 76):]  # the latest steps, if they cannot all show
        for i, r in enumerate(rows):
            y = card.y + 52 + i * 76
            label = f"{STEP_TITLES[r.kind]}: {r.move_name}"
            theme.text(screen, label, theme.fit(label, 34, card.width // 2 - 40), theme.PINK,
                       (card.x + card.width // 4 + 20, y - 12), shadow=False)
            theme.text(screen, f"{r.speed:g}x  ·  {r.loops} loop{'s' if r.loops != 1 else ''}", 26, theme.INK,
                       (card.x + card.width // 4 + 20, y + 20), shadow=False)
            # Loop by loop ("PERFECT MISS | GOOD GOOD"): the last three loops.
            tiers = "  |  ".join(" ".join(j.tier.name for j in lp) for lp in judged_loops(r.judgements)[-3:]) or "-"
            theme.text(screen, tiers, theme.fit(tiers, 28, card.width // 3), theme.INK,
                       (card.x + card.width * 2 // 3 - 20, y), shadow=False)
            if r.passed:
                theme.star(screen, (card.right - 60, y), 24, theme.GOLD)
            else:
                theme.text(screen, "keep going", 24, theme.INK, (card.right - 70, y), shadow=False)
        if self.run.stopped and self.run.index < len(self.run.steps) - 1:
            theme.text(screen, "You finished early - the next steps will wait for you.", 28, theme.WHITE,
                       (w // 2, card.bottom + 30))
        theme.text(screen, "Practice does not change your stars.", 30, theme.WHITE, (w // 2, h - 170))
        self.done.draw(screen, t)
        self.game.shot(self.app, "p3_practice_done")
