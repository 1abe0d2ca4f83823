"""The Mode registry: built-in modes, modes from installed packages (entry points, through a
real .dist-info on sys.path), and the shell running a mode it has never heard of."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.modes import ENTRY_POINT_GROUP, Mode, available, broken, get, song_mode  # noqa: E402
from pose.errors import DanceError  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "choreographies" / "demo"

PARTY_MODULE = '''
from game.modes import Mode
from game.modes.dance import make_scorer


def play_scene(app, game, path):
    from game.scenes.play import PlayScene

    scene = PlayScene(app, game, path)
    scene.made_by = "party_mode"
    return scene


MODE = Mode(name="party", title="Party", tagline="A mode from its own package", pipelines=("body",),
            play_scene=play_scene, make_scorer=make_scorer, colour=(90, 200, 255))


def not_a_mode():
    return 42
'''


def install_dist(site: Path, name: str, entry_points: dict[str, str], module: str | None = None) -> None:
    """A real installed distribution: NAME-0.1.dist-info with METADATA and entry_points.txt."""
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    lines = [f"[{ENTRY_POINT_GROUP}]"] + [f"{k} = {v}" for k, v in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    if module is not None:
        (site / "party_mode.py").write_text(module)


@pytest.fixture()
def site(tmp_path, monkeypatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("party_mode", None)


def test_builtin_dance_mode_runs_the_body_pipeline():
    dance = get("dance")
    assert dance.pipelines == ("body",) and dance.content_kind == "dance"
    assert list(available())[0] == "dance"


def test_unknown_mode_is_a_one_line_error_listing_the_modes():
    with pytest.raises(DanceError, match=r"no game mode 'limbo'.*modes: dance"):
        get("limbo")


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="Bad Name"), "must be"),
    (dict(pipelines=("body", "xray")), "pipelines must be some of"),
    (dict(pipelines=()), "pipelines must be some of"),
    (dict(play_scene=None), "play_scene must be callable"),
])
def test_mode_checks_its_fields(kwargs, message):
    base = dict(name="ok", title="OK", pipelines=("body",), play_scene=lambda *a: None, make_scorer=lambda *a: None)
    with pytest.raises(ValueError, match=message):
        Mode(**{**base, **kwargs})


def test_a_package_adds_a_mode_through_its_entry_point(site):
    install_dist(site, "party-mode", {"party": "party_mode:MODE", "oops": "party_mode:not_a_mode",
                                      "gone": "no_such_module:MODE"}, PARTY_MODULE)
    modes = available()
    assert "party" in modes and modes["party"].title == "Party" and list(modes)[0] == "dance"
    bad = broken()
    # A broken package says why in one line and never hides the working modes.
    assert "not a game.modes.Mode" in bad["oops"] and "party-mode" in bad["oops"]
    assert "No module named 'no_such_module'" in bad["gone"]


def test_a_package_cannot_replace_a_builtin_mode(site):
    install_dist(site, "evil-mode", {"dance": "party_mode:MODE"}, PARTY_MODULE.replace('name="party"', 'name="dance"'))
    modes = available()
    assert modes["dance"] is get("dance") and modes["dance"].title == "Dance"
    assert "cannot replace the built-in mode" in broken()["dance"]


def test_song_mode_reads_the_yaml_key(tmp_path):
    (tmp_path / "a.yaml").write_text("format: 1\nmode: freeze\n")
    (tmp_path / "b.yaml").write_text("format: 1\ntitle: x\n")
    assert song_mode(tmp_path / "a.yaml") == "freeze"
    assert song_mode(tmp_path / "b.yaml") == "dance"
    assert song_mode(tmp_path / "missing.yaml") == "dance"


def _party_song(folder: Path) -> Path:
    """The bundled demo's pose track and music as a 'party' song (no video: a drawn coach)."""
    folder.mkdir()
    shutil.copy(DEMO / "demo.npz", folder / "demo.npz")
    text = (DEMO / "demo.yaml").read_text()
    text = text.replace("video: demo.mp4\n", "").replace("audio: demo.ogg\n", "").replace("cover: cover.png\n", "")
    text = "\n".join(ln for ln in text.splitlines() if "pictogram" not in ln) + "\n"
    text = text.replace("title: ", "mode: party\ntitle: ", 1)
    (folder / "party.yaml").write_text(text)
    return folder / "party.yaml"


def test_the_title_lists_every_mode_and_only_its_songs(site, tmp_path, monkeypatch):
    import pygame

    from game.app import App
    from game.scenes.context import Game, GameConfig
    from game.scenes.title import ModeTab, TitleScene
    from game.input.actions import Action, ActionEvent

    install_dist(site, "party-mode", {"party": "party_mode:MODE"}, PARTY_MODULE)
    monkeypatch.setenv("DANCE_HOME", str(tmp_path / "home"))
    party = _party_song(tmp_path / "party")
    app = App((1280, 720), headless=True)
    try:
        game = Game(GameConfig(choreographies=[DEMO / "demo.yaml", party]), app=app)
        title = TitleScene(app, game)
        app.push(title)
        app.draw(0.0)
        names = [m.name for m in title.modes]
        assert names[0] == "dance" and "party" in names
        assert [e.path for e in title.entries] == [DEMO / "demo.yaml"]
        tab = next(t for t in title.targets() if isinstance(t, ModeTab) and title.modes[t.index].name == "party")
        title.on_action(ActionEvent(Action.SELECT, "mouse", tab.rect.center, tab))
        assert title.mode.name == "party" and [e.path for e in title.entries] == [party]
        assert game.config.mode == "party"
        title.on_action(ActionEvent(Action.UP))
        assert title.mode.name == names[names.index("party") - 1]
    finally:
        app.close()
        pygame.display.quit()


@pytest.mark.slow
def test_the_shell_plays_a_packaged_mode_end_to_end(site, tmp_path, monkeypatch):
    """`dance play --mode party` in a subprocess: the installed package's scene plays the song,
    the shared results screen ends it, and the session is stored as a 'party' session."""
    install_dist(site, "party-mode", {"party": "party_mode:MODE"}, PARTY_MODULE)
    from pose.samples import sample_path

    home = tmp_path / "home"
    party = _party_song(tmp_path / "party")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", DANCE_HOME=str(home),
               PYTHONPATH=os.pathsep.join([str(site), str(REPO)]))
    p = subprocess.run([sys.executable, "-m", "game.cli", "play", str(party), "--mode", "party", "--headless",
                        "--camera", str(sample_path("Demo_SinglePerson/cam02.mp4")), "--stop-after", "2",
                        "--player", "Ada"], capture_output=True, text=True, cwd=REPO, env=env, timeout=240)
    assert p.returncode == 0, p.stderr
    assert "dance play:" in p.stdout and "Party Bear Boogie" in p.stdout
    listed = subprocess.run([sys.executable, "-m", "game.cli", "modes", "--json"], capture_output=True, text=True,
                            cwd=REPO, env=env, timeout=60)
    rows = {m["name"]: m for m in json.loads(listed.stdout)["modes"]}
    assert "party" in rows and rows["party"]["pipelines"] == ["body"]
    from reports.store import SessionStore

    with SessionStore.open(home / "sessions.db") as store:
        s = store.session("latest")
        assert s.mode == "party" and s.player == "Ada"


def test_a_song_for_another_mode_is_refused_at_the_door(tmp_path):
    party = _party_song(tmp_path / "party")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", DANCE_HOME=str(tmp_path))
    p = subprocess.run([sys.executable, "-m", "game.cli", "play", str(party), "--mode", "dance", "--headless",
                        "--camera", "x.mp4"], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert p.returncode == 1 and p.stderr.count("\n") == 1
    assert "a 'party' song; mode 'dance' cannot play it" in p.stderr


@pytest.mark.parametrize("mode", ["freeze", "hand_jive", "face_party"])
def test_dance_new_writes_each_modes_template(tmp_path, mode):
    """The template is the mode's format: its only problems are the media an author adds."""
    from content.loader import ChoreographyError, load_choreography

    env = dict(os.environ, SDL_VIDEODRIVER="dummy", DANCE_HOME=str(tmp_path))
    p = subprocess.run([sys.executable, "-m", "game.cli", "new", str(tmp_path / "song"), "--mode", mode,
                        "--title", "My Song"], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    (yaml_path,) = (tmp_path / "song").glob("*.yaml")
    with pytest.raises(ChoreographyError) as e:
        load_choreography(yaml_path)
    problems = [d.message for d in e.value.diagnostics]
    assert problems and all("file not found" in m for m in problems), problems


def test_every_bundled_song_names_a_mode_that_plays_it():
    from game.scenes.context import find_choreographies

    songs = find_choreographies()
    for name, mode in available().items():
        assert mode.songs(songs), f"mode {name} ships no song"


@pytest.mark.slow
def test_pipelines_too_slow_for_the_mode_say_so_on_screen(tmp_path, monkeypatch):
    """Live (real clock, threaded worker) with the real body tracker slowed to ~8 poses/s:
    the worker drops camera frames, and the play screen says the camera is too slow."""
    import time as _time

    from game.app import App
    from game.camera import Camera
    from game.scenes.context import Game, GameConfig
    from pose.samples import sample_path
    from pose.tracker import BodyTracker

    class Slow:
        def __init__(self):
            self.body = BodyTracker(threads=1)

        def process(self, rgb, t):
            _time.sleep(0.12)  # a machine too busy for this mode's pipelines
            return self.body.process(rgb, t)

        def reset(self):
            self.body.reset()

    monkeypatch.setenv("DANCE_HOME", str(tmp_path))
    song = DEMO / "demo.yaml"
    app = App((1280, 720), headless=True, simulated_clock=False, frame_rate_hz=30.0)
    game = Game(GameConfig(choreographies=[song], stop_after_s=4.0, use_store=False, shots_dir=tmp_path), app=app)
    cam = Camera(str(sample_path("Demo_SinglePerson/cam02.mp4")), tracker_factory=Slow)
    cam.start(loop=True)
    game.camera = cam
    scene = game.mode.play_scene(app, game, song)
    seen = []

    def watch(a):
        if scene.state == "done":
            a.quit(0)
        if scene.slow_fps is not None and not seen:
            seen.append(scene.slow_fps)
            a.screenshot(tmp_path / "slow.png")

    app.on_frame.append(watch)
    try:
        app.run(scene)
    finally:
        cam.stop()
        app.close()
    assert seen and seen[0] < 25.0 and scene.stats.get("slow_seconds", 0) >= 1
