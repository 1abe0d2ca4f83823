"""The loop (fixed step, catch-up cap, variable draw), the scene stack, and keyboard/mouse
in every scene (Esc always gets out), all on pygame's dummy video driver."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from game.app import FIXED_DT_S, MAX_UPDATES_PER_FRAME, App, Scene  # noqa: E402


class Counting(Scene):
    def __init__(self, app, draw_cost_s: float = 0.0, quit_after: int | None = None) -> None:
        super().__init__(app)
        self.updates = 0
        self.draws = 0
        self.alphas: list[float] = []
        self.log: list[str] = []
        self.draw_cost_s = draw_cost_s
        self.quit_after = quit_after

    def enter(self) -> None:
        self.log.append("enter")

    def leave(self) -> None:
        self.log.append("leave")

    def update(self, dt_s: float) -> None:
        assert dt_s == FIXED_DT_S
        self.updates += 1

    def draw(self, screen, alpha: float) -> None:
        self.draws += 1
        self.alphas.append(alpha)
        if self.draw_cost_s:
            time.sleep(self.draw_cost_s)
        if self.quit_after is not None and self.draws >= self.quit_after:
            self.app.quit(0)


@pytest.fixture()
def app():
    a = App((320, 240), headless=True, frame_rate_hz=30.0)
    yield a
    a.close()


def test_headless_fixed_step_is_deterministic(app):
    s = Counting(app)
    app.run(s, max_frames=60)  # 2 s of simulated time at 30 fps
    assert s.draws == 60
    assert abs(s.updates - 120) <= 1  # two fixed 1/60 s updates per drawn frame
    assert all(0.0 <= a < 1.0 for a in s.alphas)


def test_catch_up_is_capped_on_a_slow_machine():
    """Each frame takes 0.15 s (9 steps' worth) on the real clock: at most the cap is
    simulated per frame and the backlog is dropped, never accumulated."""
    a = App((320, 240), headless=True, frame_rate_hz=60.0, simulated_clock=False)
    try:
        s = Counting(a, draw_cost_s=0.15, quit_after=6)
        t0 = time.perf_counter()
        a.run(s)
        elapsed = time.perf_counter() - t0
    finally:
        a.close()
    assert s.updates <= MAX_UPDATES_PER_FRAME * s.draws
    assert s.updates < elapsed / FIXED_DT_S  # simulated time fell behind on purpose


def test_scene_stack_enter_leave_and_overlays(app):
    base, over = Counting(app), Counting(app)
    over.transparent = True
    app.push(base)
    app.push(over)
    app.draw(0.0)
    assert base.draws == 1 and over.draws == 1  # the overlay is drawn over the scene below
    app.pop()
    assert base.log == ["enter", "leave", "enter"] and over.log == ["enter", "leave"]
    app.replace(Counting(app))
    assert base.log[-1] == "leave" and len(app.scenes) == 1


def test_screenshot_is_written(app, tmp_path):
    app.push(Counting(app))
    app.draw(0.0)
    p = app.screenshot(tmp_path / "s.png")
    assert pygame.image.load(str(p)).get_size() == (320, 240)


# -- scenes with keyboard and mouse -------------------------------------------------------

def _key(key: int) -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0)


def _click(pos) -> pygame.event.Event:
    return pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos)


@pytest.fixture()
def game_app(tmp_path, monkeypatch):
    from game.scenes.context import Game, GameConfig

    monkeypatch.setenv("DANCE_HOME", str(tmp_path))
    a = App((1280, 720), headless=True, frame_rate_hz=30.0)
    g = Game(GameConfig(choreographies=[]), app=a)
    yield a, g
    a.close()


def test_title_escape_quits_and_arrows_wrap(game_app):
    from game.scenes.title import Entry, TitleScene

    app, game = game_app
    t = TitleScene(app, game)
    t.entries = [Entry(Path("a.yaml"), "A"), Entry(Path("b.yaml"), "B")]
    app.push(t)
    t.handle(_key(pygame.K_RIGHT))
    assert t.selected == 1
    t.handle(_key(pygame.K_RIGHT))
    assert t.selected == 0
    app.draw(0.0)  # lays out the cards
    t.handle(_click(t.card_rects[1].center))
    assert t.selected == 1
    app.running = True
    t.handle(_key(pygame.K_ESCAPE))
    assert not app.running


def test_no_camera_screen_offers_a_file_and_escape_goes_back(game_app, tmp_path):
    from game.scenes.nocamera import NoCameraScene

    app, game = game_app
    base = Counting(app)
    app.push(base)
    s = NoCameraScene(app, game, tmp_path / "x.yaml", "camera 0 could not be opened")
    app.push(s)
    app.draw(0.0)
    pixels = pygame.surfarray.array3d(app.screen)
    assert pixels.std() > 10  # something friendly is drawn, not a blank screen
    s.handle(_key(pygame.K_ESCAPE))
    assert app.top is base


def test_pause_escape_leaves_the_song_and_enter_resumes():
    from game.scenes.pause import PauseScene

    class FakePlay:  # the pause overlay only calls these two hooks on the play scene
        quits = 0

        def quit_song(self):
            FakePlay.quits += 1

    a = App((640, 480), headless=True)
    try:
        base = Counting(a)
        a.push(base)
        p = PauseScene(a, None, FakePlay())
        a.push(p)
        p.handle(_key(pygame.K_RETURN))
        assert a.top is base  # resumed
        p2 = PauseScene(a, None, FakePlay())
        a.push(p2)
        p2.handle(_key(pygame.K_ESCAPE))
        assert FakePlay.quits == 1
    finally:
        a.close()



def test_title_c_opens_the_latency_calibration(game_app):
    from pose.samples import sample_path
    from game.scenes.calibration_scene import CalibrationScene
    from game.scenes.title import TitleScene

    app, game = game_app
    game.config.camera_source = str(sample_path("Demo_SinglePerson/cam02.mp4"))
    t = TitleScene(app, game)
    app.push(t)
    try:
        t.handle(_key(pygame.K_c))
        assert isinstance(app.top, CalibrationScene)
    finally:
        if game.camera is not None:
            game.camera.stop()
