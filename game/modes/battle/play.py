"""The battle play screen: the coach on top, both children in one mirrored camera view,
each child's own half of the screen for their points, stars, live meter, tier pop-ups and
effects, and a tug-of-war bar between them showing who leads.

Each camera frame's Players goes slot by slot to that child's own ScoreProcessor: slot 0
(the left of the mirrored view) only ever feeds the left child's scorer. A slot with no
pose (that child left the picture, or the tracker is not sure who is who) is pushed as
"nobody" to that child's scorer alone - that child is paused and the screen says so; the
other child's movement is never scored for them.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame

from game.hud import Hud, draw_prompt
from game.media import VideoPlayer, make_clock
from game.players import players_of, screen_x
from game.scenes import theme
from game.scenes.play import LOST_PUSH_PERIOD_S, NOBODY_PROMPT_AFTER_S, PlayScene, theme_clock
from game.skeleton import draw_skeleton
from scoring.events import Judgement

LEFT_COLOUR = (90, 200, 255)
RIGHT_COLOUR = (255, 140, 50)
SIDE_COLOURS = (LEFT_COLOUR, RIGHT_COLOUR)
SIDE_WORDS = ("left", "right")
LEAD_POINTS_FULL = 1500  # a lead of this many points pushes the tug-of-war bar all the way
LEAD_LIVE_SHARE = 0.15  # how much the moment-to-moment match moves the bar between judgements
SLOW_DRAW_HZ = 30.0  # the screen's rate while the camera cannot keep up with two children


def side_names(cfg) -> tuple[str | None, str | None]:
    """(left, right) names: --player A --player B, else what the step-in chose; None = guest."""
    names = list(getattr(cfg, "players", ()) or ())
    if not names and cfg.player is not None:
        names = [cfg.player]
    names += [None] * (2 - len(names))
    return names[0], names[1]


def shown_name(name: str | None, slot: int) -> str:
    return name if name else f"{SIDE_WORDS[slot].capitalize()} player"


class PlayerHud(Hud):
    """One child's pop-ups and combo (their panel is drawn by the battle scene)."""

    def draw(self, surface: pygame.Surface, time_s: float) -> None:
        if self.combo >= 2:
            pulse = 1.0 + 0.08 * math.sin(time_s * 8)
            theme.text(surface, f"{self.combo} in a row!", int(36 * pulse), theme.SUN, self.combo_pos, outline_px=2)
        for p in self.popups:
            self._draw_popup(surface, p)


@dataclass
class Side:
    """One child in the battle: their slot, name, colour, scorer, session, HUD and effects."""

    slot: int
    name: str | None
    colour: tuple[int, int, int]
    proc: Any
    hud: PlayerHud
    fx: Any
    session: Any = None
    pose: Any = None
    last_seen_s: float = 0.0
    ever_seen: bool = False
    poses_pushed: int = 0
    frames_absent: int = 0
    pushed_x: list = field(default_factory=list)  # screen x of each pose given to this child's scorer

    @property
    def label(self) -> str:
        return shown_name(self.name, self.slot)


class BattlePlayScene(PlayScene):
    """One battle: both children dance one choreography. ``stats`` as PlayScene's, plus
    per-side counters in ``sides[i].poses_pushed`` / ``frames_absent``."""

    draw_body = True

    def __init__(self, app, game, choreo_path: Path) -> None:  # noqa: D107 - replaces PlayScene's set-up
        from content.loader import load_choreography
        from game.particles import ParticleSystem
        from game.recorder import SessionRecorder

        self.app = app
        self.game = game
        cfg = game.config
        game.play_scene = self
        self.choreo = load_choreography(choreo_path)
        self.ref_track = self.choreo.load_track()
        self.difficulty = cfg.difficulty or self.choreo.difficulty
        self.mode = game.mode
        w, h = app.size_px
        self._layout(w, h, _camera_aspect(game.camera))
        pb = pygame.Rect(0, 0, 132, 50)
        pb.topright = (self.cam_box.right - 8, self.cam_box.y + 8)
        self.pause_button = theme.Button("Pause", pb, theme.LILAC)
        self.coach: VideoPlayer | None = None
        if self.choreo.video is not None:
            self.coach = VideoPlayer(self.choreo.video, self.coach_box.size, threaded=not app.headless)
        self.duration_s = float(self.choreo.duration_s)
        if cfg.stop_after_s is not None:
            self.duration_s = min(self.duration_s, float(cfg.stop_after_s))
        self.clock = make_clock(self.choreo.audio, self.choreo.video, self.duration_s, headless=app.simulated,
                                now_fn=app.now_s if app.simulated else time.perf_counter)
        self.watching = game.camera is None
        self.stopped_early = cfg.stop_after_s is not None and cfg.stop_after_s < float(self.choreo.duration_s)
        names = side_names(cfg)
        self.sides: list[Side] = []
        for slot in range(2):
            proc = self.mode.make_scorer(self.choreo, self.ref_track, cfg.latency_s, self.difficulty)
            hud = PlayerHud((w, h), self._popup_anchor(slot), difficulty=self.difficulty)
            hud.combo_pos = (self._popup_anchor(slot)[0], self._popup_anchor(slot)[1] + 70)
            hud.show_score = not self.watching
            fx = ParticleSystem(max_particles=6_000, seed=(7 + slot) if app.headless else None)
            side = Side(slot, names[slot], SIDE_COLOURS[slot], proc, hud, fx)
            if not self.watching:
                side.session = SessionRecorder(names[slot], self.choreo.title, str(self.choreo.path),
                                               self.difficulty, cfg.latency_s, store_path=cfg.store_path,
                                               use_store=cfg.use_store, mode=self.mode.name)
                proc.subscribe(side.session.record)
            proc.subscribe(hud.on_judgement)
            proc.subscribe(lambda j, s=side: self._celebrate_side(s, j))
            self.sides.append(side)
        self.session = None  # PlayScene's single session: a battle has one per child
        if not self.watching:
            self.sides[0].session.link(self.sides[1].session)  # the two sessions point at each other
            game.last_session_path = self.sides[0].session.path
        self.proc = self.sides[0].proc  # the coach figure's highlighted parts, the shared current move
        self.hud, self.fx = self.sides[0].hud, self.sides[0].fx  # for callers that expect one of each
        self.slow_fps: float | None = None
        self.degraded_note: str | None = None  # the shared check fills it (the body is never slowed)
        self.cam_view = self.cam_box
        self._rate_checked_s = 0.0
        self._rate_prev = (0, 0)
        self.state = "ready"
        self.time_s = 0.0
        self.song_s = 0.0
        self.pose = None
        self.last_seen_song_s = 0.0
        self._last_lost_push_s = -1.0
        self.result = None
        self._pending_shot: str | None = None
        self.lead_shown = 0.0
        self._draw_period_before: float | None = None
        self.stats = {"poses_pushed": 0, "judgements": 0, "max_particles": 0, "bursts": 0,
                      "frames_nobody": 0, "push_latency_ms": [], "judgement_latency_ms": [],
                      "camera_lost_at_s": None, "camera_error": None, "frames_unclaimed": 0}

    # -- layout --------------------------------------------------------------------------
    def _layout(self, w: int, h: int, cam_aspect: float) -> None:
        """Landscape camera (a webcam): coach top centre between the two panels, the camera
        wide below. Portrait camera (a phone video): the camera a tall centre column, each
        child's panel and a copy of the coach on their own side."""
        self.progress_rect = pygame.Rect(16, h - 26, w - 32, 12)
        if cam_aspect >= 1.0:
            panel_w = int(w * 0.235)
            self.bar_rect = pygame.Rect(panel_w + 32, 10, w - 2 * panel_w - 64, 40)
            self.panels = (pygame.Rect(16, 12, panel_w, int(h * 0.33)),
                           pygame.Rect(w - 16 - panel_w, 12, panel_w, int(h * 0.33)))
            self.coach_boxes = (pygame.Rect(self.bar_rect.x, self.bar_rect.bottom + 38, self.bar_rect.width,
                                            int(h * 0.33) + 12 - self.bar_rect.bottom - 38),)
            top = self.panels[0].bottom + 14
            self.cam_box = pygame.Rect(16, top, w - 32, h - top - 40)
        else:
            self.bar_rect = pygame.Rect(w // 2 - int(w * 0.27), 10, 2 * int(w * 0.27), 40)
            top = self.bar_rect.bottom + 40
            cam_h = h - top - 40
            cam_w = min(int(cam_h * cam_aspect), int(w * 0.4))
            self.cam_box = pygame.Rect(w // 2 - cam_w // 2, top, cam_w, cam_h)
            col_w = self.cam_box.x - 32
            self.panels = (pygame.Rect(16, top, col_w, 236), pygame.Rect(self.cam_box.right + 16, top, col_w, 236))
            self.coach_boxes = tuple(pygame.Rect(p.x, p.bottom + 16, col_w, h - p.bottom - 16 - 40)
                                     for p in self.panels)
        self.coach_box = self.coach_boxes[0]
        self.stage_rect = self.coach_box

    def _view(self) -> pygame.Rect:
        cam = self.game.camera
        surf = cam.surface(self.cam_box.size) if cam is not None else None
        return surf.get_rect(center=self.cam_box.center) if surf is not None else self.cam_box

    def _popup_anchor(self, slot: int) -> tuple[int, int]:
        """Where a child's tier words pop: over their half of a wide camera view, else over
        the coach on their own side (a narrow view has no room for two)."""
        box = self.cam_box
        if len(self.coach_boxes) == 2:
            c = self.coach_boxes[slot]
            return (c.centerx, c.y + 90)
        return (box.x + box.width // 4 + slot * box.width // 2, box.y + 90)

    # -- lifetime ------------------------------------------------------------------------
    def quit_song(self) -> None:
        if self.state == "playing":
            for s in self.sides:
                if s.session is not None:
                    r = s.proc.finish(self.song_s, stopped=True)
                    s.session.stop(r.total, r.stars, r.points, self.song_s)
        self.state = "done"
        self._close_media()
        while self.app.top is not None and self.app.top is not self:
            self.app.pop()
        self.app.pop()

    # -- update --------------------------------------------------------------------------
    def _celebrate_side(self, side: Side, j: Judgement) -> None:
        self.stats["judgements"] += 1
        h = self.app.size_px[1]
        side.fx.burst(j.tier, j.gold, side.hud.popup_anchor, scale=0.8 * h / 720)
        self.stats["bursts"] = sum(s.fx.bursts for s in self.sides)

    def update(self, dt_s: float) -> None:
        self.time_s += dt_s
        for s in self.sides:
            seen = s.pose is not None and not self.camera_gone
            s.hud.update(dt_s, s.proc.live_score if seen else None, s.proc.points)
            s.fx.update(dt_s)
        self.stats["max_particles"] = max(self.stats["max_particles"], sum(s.fx.live_count for s in self.sides))
        target = self.lead_norm()
        self.lead_shown += (target - self.lead_shown) * min(1.0, dt_s * 4)
        if self.state != "playing":
            return
        self.song_s = self.clock.position_s()
        cam = self.game.camera
        if cam is not None and cam.worker is not None:
            for latest in cam.drain(self.song_s if self.app.simulated else None):
                t = latest.timestamp_s if cam.song_clocked else self.clock.time_at_s(latest.captured_at_s)
                self.push_players(latest, t)
                lat_ms = (time.perf_counter() - latest.captured_at_s) * 1000.0
                self.stats["push_latency_ms"].append(lat_ms)
        if self.camera_gone and self.stats["camera_lost_at_s"] is None:
            self.stats["camera_lost_at_s"] = self.song_s
            self.stats["camera_error"] = cam.error if cam is not None else None
        if self.camera_gone and self.song_s - self._last_lost_push_s >= LOST_PUSH_PERIOD_S:
            for s in self.sides:
                s.proc.push(None, self.song_s)
                s.pose = None
            self._last_lost_push_s = self.song_s
        self._check_pipeline_rate()
        if self.song_s >= self.duration_s or self.clock.finished:
            self.finish()

    def _check_pipeline_rate(self) -> None:
        """The shared check (``slow_fps`` and its banner), plus the battle's rule: two players
        cost the camera worker twice the CPU of one, so while it cannot keep ``min_fps`` for
        each child the screen draws at SLOW_DRAW_HZ instead of 60, giving the worker the
        render thread's share; the banner says so. Both children are always scored on the
        same camera frames, so a slow camera is never unfair between them."""
        before = self._rate_checked_s
        super()._check_pipeline_rate()
        if self._rate_checked_s == before or self.app.simulated:
            return
        st = self.game.camera.stats() if self.game.camera is not None else None
        fps = float(st.fps) if st is not None else 0.0
        self.stats.setdefault("rate_log", []).append((round(self.song_s, 1), round(fps, 1),
                                                      round(1.0 / self.app.frame_period_s)))
        if self.slow_fps is not None and self.app.frame_period_s < 1.0 / SLOW_DRAW_HZ:
            self._draw_period_before = self.app.frame_period_s
            self.app.frame_period_s = 1.0 / SLOW_DRAW_HZ
            self.stats["draw_slowed_at_s"] = self.song_s

    def _close_media(self) -> None:
        if getattr(self, "_draw_period_before", None) is not None:
            self.app.frame_period_s = self._draw_period_before  # the next screens draw at full rate
            self._draw_period_before = None
        super()._close_media()
        for s in self.sides:
            if s.session is not None:
                s.session.close()

    def push_players(self, latest, song_t_s: float) -> None:
        """One camera frame: each child's own pose to their own scorer, nobody for a child
        not found. Before the sides are claimed the slots are by side on this frame."""
        players = players_of(latest)
        if players is not None and not getattr(players, "claimed", True):
            self.stats["frames_unclaimed"] += 1
        for s in self.sides:
            pose = players.poses[s.slot] if players is not None and s.slot < len(players.poses) else None
            s.proc.push(pose, song_t_s)
            s.pose = pose
            if pose is not None:
                s.last_seen_s = song_t_s
                s.ever_seen = True
                s.poses_pushed += 1
                s.pushed_x.append(screen_x(pose))
            else:
                s.frames_absent += 1
        self.stats["poses_pushed"] += 1
        self.pose = players
        if players is None or players.found == 0:
            self.stats["frames_nobody"] += 1
        else:
            self.last_seen_song_s = song_t_s

    def paused(self, side: Side) -> bool:
        """This child has not been seen for a moment: their half says so (their moves are
        not scored from anyone else's movement)."""
        return side.pose is None and self.song_s - side.last_seen_s > NOBODY_PROMPT_AFTER_S

    def lead_norm(self) -> float:
        """-1 (the right child leads all the way) .. +1 (the left child does)."""
        a, b = self.sides
        lead = (a.proc.points - b.proc.points) / LEAD_POINTS_FULL
        la, lb = a.hud.shown_live_norm, b.hud.shown_live_norm
        lead += LEAD_LIVE_SHARE * (la - lb)
        return max(-1.0, min(1.0, lead))

    def finish(self) -> None:
        from game.modes.battle.results import BattleResult

        stopped = self.stopped_early
        results = []
        for s in self.sides:
            r = s.proc.finish(self.song_s, stopped=stopped)
            results.append(r)
            if s.session is not None:
                if stopped:
                    s.session.stop(r.total, r.stars, r.points, self.song_s)
                else:
                    s.session.finish(r.total, r.stars, r.points)
        frames = max(1, self.stats["poses_pushed"])
        self.result = BattleResult(tuple(results), tuple(s.name for s in self.sides),
                                   tuple(s.poses_pushed / frames for s in self.sides),
                                   tuple(s.session.path if s.session else None for s in self.sides),
                                   tuple(s.session.session_id if s.session else None for s in self.sides))
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
        for s in self.sides:
            self._draw_panel(screen, s, t)
        self._draw_tug(screen, t)
        self._draw_progress(screen, song)
        if self.state == "playing" and not self.watching:
            self.pause_button.draw(screen, t)
        for s in self.sides:
            s.hud.draw(screen, t)
            s.fx.draw(screen)
        if self.slow_fps is not None and self.state == "playing":
            msg = f"The camera is slow right now ({self.slow_fps:.0f} fps each) - scores may be too low for both"
            if self.stats.get("draw_slowed_at_s") is not None:
                msg += f"; screen at {SLOW_DRAW_HZ:.0f} fps to help"
            size = theme.fit(msg, 24, w - 80)
            note = pygame.Rect(0, 0, theme.font(size).size(msg)[0] + 40, 40)
            note.midbottom = (w // 2, h - 34)
            pygame.draw.rect(screen, theme.ORANGE, note, border_radius=20)
            theme.text(screen, msg, size, theme.WHITE, note.center, outline_px=1)
            self._pending_shot = self._pending_shot or "4_battle_slow"
        if self._pending_shot:
            self.game.shot(self.app, self._pending_shot)
            self._pending_shot = None
        if self.state == "playing" and all(s.hud.judged for s in self.sides):
            if any(s.hud.popups and s.hud.popups[-1].age_s >= 0.3 for s in self.sides):
                self.game.shot(self.app, "4_battle_play")
                if abs(self.sides[0].proc.points - self.sides[1].proc.points) >= 100 and abs(self.lead_shown) > 0.05:
                    self.game.shot(self.app, "4_battle_play_lead")  # the tug-of-war bar pulled one way

    def _draw_coach(self, screen, song: float, t: float) -> None:
        move = self.choreo.move_at(song)
        for box in self.coach_boxes:  # one coach, or one on each child's side (same frame)
            self.coach_box = box
            super()._draw_coach(screen, song, t)
            if move is not None:
                r = self.stage_rect
                tag = pygame.Rect(0, 0, min(r.width - 20, 44 + theme.font(28).size(move.name)[0]), 38)
                tag.midbottom = (r.centerx, r.bottom - 6)
                pygame.draw.rect(screen, theme.WHITE, tag, border_radius=19)
                theme.text(screen, move.name, theme.fit(move.name, 28, tag.width - 20), theme.PINK, tag.center,
                           shadow=False)

    def _draw_camera(self, screen, song: float, t: float) -> None:
        box = self.cam_box
        cam = self.game.camera
        surf = cam.surface(box.size) if cam is not None else None
        view = surf.get_rect(center=box.center) if surf is not None else box
        pygame.draw.rect(screen, theme.WHITE, view.inflate(12, 12), border_radius=18)
        if surf is not None:
            screen.blit(surf, view)
        else:
            pygame.draw.rect(screen, (40, 30, 80), view, border_radius=16)
        # Each child's half of the picture, framed in their colour.
        halves = (pygame.Rect(view.x, view.y, view.width // 2, view.height),
                  pygame.Rect(view.centerx, view.y, view.right - view.centerx, view.height))
        for s, half in zip(self.sides, halves):
            pygame.draw.rect(screen, s.colour, half, 5, border_radius=14)
        gone = self.camera_gone
        clip = screen.get_clip()
        screen.set_clip(view)
        for s in self.sides:
            if s.pose is not None and not gone:
                draw_skeleton(screen, s.pose.landmarks, view, s.proc.live_parts, mirror=True, width_px=7)
                self._draw_name_over_head(screen, s, view)
        screen.set_clip(clip)
        if self.state != "playing":
            return
        if self.watching:
            draw_prompt(screen, "Just watching", "Dance along for fun!", t, theme.LILAC, box.center, box.width // 2)
        elif gone:
            if cam is not None and cam.ended and cam.is_file:
                draw_prompt(screen, "The camera video ended", "The song keeps going!", t, theme.LILAC, box.center,
                            box.width // 2)
            else:
                draw_prompt(screen, "Camera lost!", "Keep dancing - the song goes on", t, theme.RED, box.center,
                            box.width // 2)
            self._pending_shot = "4_battle_camera_lost"
        else:
            for s, half in zip(self.sides, halves):
                if self.paused(s):
                    draw_prompt(screen, f"{s.label}: paused", f"Step back into the {SIDE_WORDS[s.slot]} half!", t,
                                theme.PINK, half.center, max(260, half.width - 24))
                    self._pending_shot = "4_battle_paused"

    def _draw_name_over_head(self, screen, s: Side, view: pygame.Rect) -> None:
        lm = s.pose.landmarks
        x = view.x + screen_x(s.pose) * view.width
        top = float(min(lm[0, 1], lm[11, 1], lm[12, 1]))
        y = view.y + max(0.0, top) * view.height - 34
        label = s.label
        size = 24
        tw = theme.font(size).size(label)[0]
        tag = pygame.Rect(0, 0, tw + 28, 32)
        tag.center = (int(x), int(max(view.y + 18, y)))
        pygame.draw.rect(screen, s.colour, tag, border_radius=16)
        pygame.draw.rect(screen, theme.WHITE, tag, 2, border_radius=16)
        theme.text(screen, label, size, theme.WHITE, tag.center, outline_px=1)

    def _draw_panel(self, screen, s: Side, t: float) -> None:
        from scoring import judge

        r = self.panels[s.slot]
        theme.panel(screen, r, alpha=70, border=s.colour, border_px=4)
        pill = pygame.Rect(r.x + 12, r.y + 10, r.width - 24, 40)
        pygame.draw.rect(screen, s.colour, pill, border_radius=20)
        theme.text(screen, s.label, theme.fit(s.label, 30, pill.width - 20), theme.WHITE, pill.center, outline_px=2)
        hud = s.hud
        shown = min(hud.points, int(hud.shown_points))
        theme.text(screen, judge.format_points(shown), 46, theme.WHITE, (r.centerx, r.y + 82), outline_px=2)
        theme.text(screen, "points", 22, theme.WHITE, (r.centerx, r.y + 112))
        for i in range(5):
            theme.star(screen, (r.centerx - 72 + i * 36, r.y + 146), 14, filled=i < hud.stars,
                       spin_rad=0.15 * math.sin(t * 3 + i) if i < hud.stars else 0.0)
        bar = pygame.Rect(r.x + 18, r.y + 172, r.width - 36, 22)
        pygame.draw.rect(screen, theme.SHADOW, bar, border_radius=11)
        v = hud.shown_live_norm
        fill = bar.copy()
        fill.width = int(bar.width * v)
        colour = theme.GREEN if v >= 0.6 else theme.SUN if v >= 0.35 else theme.PINK
        if fill.width > 0 and not self.paused(s):
            pygame.draw.rect(screen, colour, fill, border_radius=11)
        pygame.draw.rect(screen, theme.WHITE, bar, 2, border_radius=11)
        if self.state == "playing" and not self.watching and self.paused(s):
            theme.text(screen, "paused - come back!", 24, theme.SUN, (r.centerx, r.bottom - 20), outline_px=1)
        else:
            theme.text(screen, "dance meter", 22, theme.WHITE, (r.centerx, r.bottom - 20))

    def _draw_tug(self, screen, t: float) -> None:
        """The tug-of-war bar: the leader's colour pushes into the other's half."""
        bar = self.bar_rect
        a, b = self.sides
        k = self.lead_shown
        split = int(bar.centerx + k * (bar.width // 2 - 30))
        pygame.draw.rect(screen, theme.SHADOW, bar.move(0, 4), border_radius=bar.height // 2)
        left = pygame.Rect(bar.x, bar.y, split - bar.x, bar.height)
        right = pygame.Rect(split, bar.y, bar.right - split, bar.height)
        pygame.draw.rect(screen, a.colour, left, border_top_left_radius=bar.height // 2,
                         border_bottom_left_radius=bar.height // 2)
        pygame.draw.rect(screen, b.colour, right, border_top_right_radius=bar.height // 2,
                         border_bottom_right_radius=bar.height // 2)
        pygame.draw.rect(screen, theme.WHITE, bar, 3, border_radius=bar.height // 2)
        pygame.draw.line(screen, theme.WHITE, (bar.centerx, bar.y - 4), (bar.centerx, bar.bottom + 4), 2)
        knot = (split, bar.centery)
        pygame.draw.circle(screen, theme.SHADOW, (knot[0], knot[1] + 3), 20)
        pygame.draw.circle(screen, theme.SUN, knot, 19)
        pygame.draw.circle(screen, theme.WHITE, knot, 19, 3)
        for s, x in ((a, bar.x + 16), (b, bar.right - 16)):
            size = theme.fit(s.label, 24, bar.width // 2 - 60)
            tw = theme.font(size).size(s.label)[0]
            theme.text(screen, s.label, size, theme.WHITE, (x + tw // 2 if s is a else x - tw // 2, bar.centery),
                       outline_px=2)
        lead = a.proc.points - b.proc.points
        word = "Neck and neck!" if abs(lead) < 50 or self.watching else f"{(a if lead > 0 else b).label} leads!"
        size = theme.fit(word, 24, bar.width - 40)
        pill = pygame.Rect(0, 0, theme.font(size).size(word)[0] + 30, 30)
        pill.midtop = (max(bar.x + pill.width // 2, min(bar.right - pill.width // 2, split)), bar.bottom + 4)
        colour = theme.INK if abs(lead) < 50 else (a if lead > 0 else b).colour
        pygame.draw.rect(screen, colour, pill, border_radius=15)
        pygame.draw.rect(screen, theme.WHITE, pill, 2, border_radius=15)
        theme.text(screen, word, size, theme.WHITE, pill.center, outline_px=1)

    def _draw_progress(self, screen, song: float) -> None:
        bar = self.progress_rect
        pygame.draw.rect(screen, theme.SHADOW, bar, border_radius=6)
        k = min(1.0, song / self.duration_s) if self.duration_s > 0 else 0.0
        fill = bar.copy()
        fill.width = int(bar.width * k)
        if fill.width:
            pygame.draw.rect(screen, theme.SKY, fill, border_radius=6)
        for m in self.choreo.moves:
            if m.gold and m.start_s < self.duration_s:
                theme.star(screen, (bar.x + bar.width * m.start_s / self.duration_s, bar.centery), 9, theme.GOLD)
        theme.text(screen, theme_clock(song), 22, theme.WHITE, (bar.right - 30, bar.y - 12))


def _camera_aspect(cam) -> float:
    """Width / height of the camera picture (its newest frame; a webcam's 16:9 before one)."""
    latest = cam.latest() if cam is not None else None
    rgb = getattr(latest, "frame_rgb", None)
    if rgb is None:
        return 16 / 9
    return rgb.shape[1] / max(1, rgb.shape[0])
