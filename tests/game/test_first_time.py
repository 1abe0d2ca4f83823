"""What a first-time child meets: who is dancing, looping sample footage, a missing model
said plainly, banners inside their panels, watching is not a failed game, fresh stars,
a stop is a stop. Real pygame (dummy driver), real session store, real sample video."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.app import App  # noqa: E402
from game.scenes.context import BUNDLED, Game, GameConfig  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEMO = BUNDLED / "demo" / "demo.yaml"


@pytest.fixture
def app():
    a = App((1280, 720), headless=True)
    yield a
    a.close()


@pytest.fixture
def live():
    """A windowed game on the dummy driver: menus wait for a child, as on a real screen."""
    a = App((1280, 720))
    yield a
    a.close()


def _game(app, tmp_path, **kw) -> Game:
    cfg = GameConfig(choreographies=[DEMO], store_path=tmp_path / "sessions.db", **kw)
    return Game(cfg, app=app)


def _key(scene, key, text: str | None = None) -> None:
    scene.handle(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=text or "", scancode=0))


def _type(scene, text: str) -> None:
    scene.handle(pygame.event.Event(pygame.TEXTINPUT, text=text))


# -- who is dancing ----------------------------------------------------------------------
def test_new_dancer_is_stored_with_avatar_then_picked_and_guest_is_nobody(live, tmp_path, monkeypatch):
    from game.scenes.profiles import CreatorScene, ProfilesScene
    from game.scenes.title import TitleScene
    from reports.store import SessionStore

    monkeypatch.setenv("DANCE_NO_CAMERA", "1")
    app = live
    game = _game(app, tmp_path)
    title = TitleScene(app, game)
    app.push(title)
    assert game.player_chosen is False
    title.start()  # the first start asks who is dancing
    picker = app.top
    assert isinstance(picker, ProfilesScene)
    assert [t.kind for t in picker.tiles] == ["new", "guest"]
    _key(picker, pygame.K_RETURN)  # "New dancer" is focused when nobody is stored yet
    creator = app.top
    assert isinstance(creator, CreatorScene)
    _key(creator, pygame.K_RETURN)
    assert "name" in creator.message and app.top is creator  # nothing typed: a hint, no child
    _type(creator, "zoë")
    _key(creator, pygame.K_TAB)  # next animal
    _key(creator, pygame.K_RETURN)
    # The creator closed, the picker picked the new child and ran on_done (start -> step-in).
    assert game.config.player == "Zoë" and game.avatar == creator.avatar and game.player_chosen
    with SessionStore.open(tmp_path / "sessions.db") as s:
        (p,) = s.players()
        assert (p.name, p.avatar, p.guest) == ("Zoë", creator.avatar, False)
    while app.top is not title:
        app.pop()
    # Reopened: the stored child is there, focused; Guest makes nobody the dancer.
    title.pick_dancer()
    picker = app.top
    assert [t.name for t in picker.tiles] == ["Zoë", "New dancer", "Guest"] and picker.focus == 0
    _key(picker, pygame.K_RIGHT)
    _key(picker, pygame.K_RIGHT)
    _key(picker, pygame.K_RETURN)
    assert app.top is title and game.config.player is None and game.player_chosen
    screen = pygame.Surface((1280, 720))
    title.draw(screen, 0.0)  # the dancer button draws for a guest too


def test_guest_is_a_reserved_name(app, tmp_path):
    from game.scenes.profiles import CreatorScene

    game = _game(app, tmp_path)
    creator = CreatorScene(app, game)
    app.push(creator)
    _type(creator, "guest")
    _key(creator, pygame.K_RETURN)
    assert creator.saved is None and "Guest" in creator.message


def test_picker_stars_are_the_dancers_and_fresh_after_a_song(app, tmp_path):
    from game.scenes.title import TitleScene
    from reports.store import SessionStore

    game = _game(app, tmp_path, player="Mia")
    title = TitleScene(app, game)
    app.push(title)
    assert title.entries[0].best_stars == 0
    with SessionStore.open(tmp_path / "sessions.db") as s:
        sid = s.start_session(player="Mia", choreography="Party Bear Boogie", choreography_path=str(DEMO))
        s.finish_session(sid, total=80.0, stars=4)
        other = s.start_session(player="Leo", choreography="Party Bear Boogie", choreography_path=str(DEMO))
        s.finish_session(other, total=95.0, stars=5)
    title.enter()  # back on the title after the song
    assert title.entries[0].best_stars == 4  # Mia's best, not Leo's


# -- the camera --------------------------------------------------------------------------
def test_short_video_camera_loops_by_default(app, tmp_path):
    from game.camera import Camera
    from game.scenes.play import PlayScene
    from pose.samples import sample_path

    clip = sample_path("Demo_SinglePerson/cam01.mp4")  # 1.7 s against a 59 s song
    cam = Camera(clip, headless=True)
    for loop, expect in ((None, True), (False, False), (True, True)):
        game = _game(app, tmp_path, loop_camera=loop)
        game.camera = cam
        assert PlayScene(app, game, DEMO)._loop_camera(cam) is expect


def test_missing_model_says_so_on_screen_and_in_the_terminal(tmp_path, monkeypatch, capsys):
    from game.scenes.nocamera import NoCameraScene
    from game.scenes.stepin import open_camera_scene
    from pose.samples import sample_path

    clip = str(sample_path("Demo_SinglePerson/cam01.mp4"))
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path / "empty-cache"))
    live = App((1280, 720))  # a windowed game (on the dummy driver): the screen, not an exception
    try:
        game = _game(live, tmp_path, camera_source=clip)
        scene = open_camera_scene(live, game, DEMO)
        assert isinstance(scene, NoCameraScene) and scene.problem == "models"
        err = capsys.readouterr().err
        assert "dance models fetch" in err and err.count("\n") == 1
        live.push(scene)
        live.draw(0.0)
    finally:
        live.close()


def test_timing_check_without_camera_retries_the_timing_check(app, tmp_path, monkeypatch):
    from game.scenes.nocamera import NoCameraScene
    from game.scenes.title import TitleScene

    monkeypatch.setenv("DANCE_NO_CAMERA", "1")
    game = _game(app, tmp_path, player="Mia")
    title = TitleScene(app, game)
    app.push(title)
    title.calibrate()
    scene = app.top
    assert isinstance(scene, NoCameraScene) and scene.then == "calibrate"
    assert scene.watch not in scene.buttons  # "Just watch" would start a song
    scene.press(scene.retry)
    again = app.top
    assert isinstance(again, NoCameraScene) and again.then == "calibrate" and again.tries == 2


def test_calibration_failure_note_is_words_not_a_zero():
    from game.calibration import LatencyResult
    from game.scenes.calibration_scene import result_note

    empty = np.zeros(0)
    failed = LatencyResult(0.0, 0.0, 0.0, 0.0, 0, empty, empty)
    weak = LatencyResult(0.1, 0.2, 0.2, 0.9, 80, empty, empty)
    good = LatencyResult(0.1, 0.9, 0.9, 1.0, 80, empty, empty)
    assert "0.00" not in result_note(failed) and "saw" in result_note(failed)
    assert "beat" in result_note(weak)
    assert "90%" in result_note(good)


# -- the play screen ---------------------------------------------------------------------
@pytest.mark.parametrize("message, sub", [("Where are you?", "Step into the picture!"),
                                          ("The camera video ended", "The song keeps going!")])
def test_banner_stays_inside_its_width(message, sub):
    from game.hud import draw_prompt

    sentinel = (1, 2, 3)
    surf = pygame.Surface((1280, 720))
    surf.fill(sentinel)
    centre, max_w = (900, 400), 400
    draw_prompt(surf, message, sub, 0.0, centre=centre, max_width_px=max_w)
    px = pygame.surfarray.array3d(surf)
    drawn = np.any(px != np.array(sentinel), axis=2)  # (W, H)
    cols = np.nonzero(drawn.any(axis=1))[0]
    assert cols.min() >= centre[0] - max_w // 2 and cols.max() < centre[0] + max_w // 2


def test_just_watching_shows_no_score_and_ends_without_a_verdict(app, tmp_path):
    from game.scenes.play import PlayScene
    from game.scenes.results import ResultsScene

    game = _game(app, tmp_path)
    play = PlayScene(app, game, DEMO)  # no camera: just watching
    assert play.watching and not play.hud.show_score and play.session is None
    app.push(play)
    while app.top is not play:
        app.top.update(1 / 60)  # the countdown
    for _ in range(30):
        play.update(1 / 60)
    play.song_s = play.duration_s
    play.finish()
    results = app.top
    assert isinstance(results, ResultsScene) and results.watched
    for _ in range(120):
        results.update(1 / 60)
    assert results._fired == 0  # no stars, no confetti for watching
    results.draw(pygame.Surface((1280, 720)), 0.0)


def test_pause_veil_hides_the_busy_screen(app, tmp_path):
    from game.scenes.pause import PauseScene

    class _Play:
        def quit_song(self):
            pass

    screen = pygame.Surface((1280, 720))
    screen.fill((255, 255, 255))
    PauseScene(app, _game(app, tmp_path), _Play()).draw(screen, 0.0)
    corner = pygame.surfarray.array3d(screen)[:200, :100].mean()
    assert corner < 255 * 0.25  # a white play screen under it is dimmed to a quarter or less


# -- commands ----------------------------------------------------------------------------
def test_no_pygame_banner_and_dummy_driver_needs_headless(tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", DANCE_HOME=str(tmp_path))
    env.pop("PYGAME_HIDE_SUPPORT_PROMPT", None)
    p = subprocess.run([sys.executable, "-m", "game.cli", "play", str(DEMO)], capture_output=True, text=True,
                       cwd=REPO, env=env, timeout=120)
    assert "Hello from the pygame community" not in p.stdout + p.stderr
    assert p.returncode == 1 and "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "SDL_VIDEODRIVER=dummy" in lines[0] and "--headless" in lines[0]


def test_a_big_class_pages_through_every_child(app, tmp_path):
    from game.scenes.profiles import MAX_TILES, ProfilesScene
    from reports.store import SessionStore

    names = [f"Kid {i:02d}" for i in range(MAX_TILES + 5)]
    with SessionStore.open(tmp_path / "sessions.db") as s:
        for n in names:
            s.add_player(n)
    game = _game(app, tmp_path, player=names[-1])
    picker = ProfilesScene(app, game)
    assert picker.pages == 2 and picker.page == 1 and picker.tiles[picker.focus].name == names[-1]
    seen = set()
    for _ in range(2 * (MAX_TILES + 2) + 2):
        seen.add(picker.tiles[picker.focus].name)
        _key(picker, pygame.K_RIGHT)
    assert set(names) <= seen  # every child can be reached with the arrow keys
    _key(picker, pygame.K_PAGEUP)
    picker.draw(pygame.Surface((1280, 720)), 0.0)


def test_nameless_session_is_the_guest_not_a_fake_child(tmp_path):
    from game.recorder import SessionRecorder
    from reports.store import SessionStore

    db = tmp_path / "sessions.db"
    r = SessionRecorder(None, "Party Bear Boogie", str(DEMO), "easy", 0.0, store_path=db)
    r.finish(50.0, 2, 5000)
    r.close()
    with SessionStore.open(db) as s:
        assert s.players() == [] and s.session("latest").guest and s.session("latest").points == 5000


@pytest.mark.parametrize("size", [(1280, 720), (640, 360)])
def test_countdown_line_sits_on_its_own_pill_inside_the_screen(size):
    from game.scenes.countdown import draw_ready_banner

    screen = pygame.Surface(size)
    pill = draw_ready_banner(screen, (size[0] // 2, size[1] // 2 - 100))
    assert screen.get_rect().contains(pill)
